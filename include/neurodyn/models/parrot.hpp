#pragma once
// Parrot: repeats its input as spikes (NEST parrot_neuron). It fires in every step in
// which input arrives on its single port with a positive sum, and in no other: a spike
// of a source emitted at t and sent with delay d comes out of the parrot stamped t + d.
// A population of sources relayed through parrots can so be given delays, or be
// recorded and connected like any population; Poisson input (the `poisson` stimulus)
// into a parrot is NEST's poisson_generator + parrot_neuron.
//
// The port is called "excitatory" (the default receptor of a projection). Weights are
// only compared with 0: the inputs arriving in one step are summed, and the parrot fires
// once if the sum is > 0 (several input spikes in one step give one output spike, where
// NEST's parrot repeats the multiplicity; negative weights can cancel positive ones).
// It has no parameters, no state, no refractoriness, and ignores injected currents.

#include <array>
#include <memory>

#include "neurodyn/models/neuron_group.hpp"

namespace neurodyn::models {

class Parrot final : public NeuronGroup {
public:
    static constexpr std::array<FieldInfo, 0> kParams{};
    static constexpr std::array<FieldInfo, 0> kState{};
    static constexpr std::array<std::string_view, 1> kPorts{"excitatory"};
    static inline const ModelInfo kInfo{
        "Parrot",
        "Re-emits a spike in each step in which input with a positive sum arrives (NEST parrot_neuron).",
        kParams,
        kState,
        kPorts,
        PortKind::current,
        false,
        [](std::size_t size, std::uint64_t first) -> std::unique_ptr<NeuronGroup> {
            return std::make_unique<Parrot>(size, first);
        }};

    Parrot(std::size_t size, std::uint64_t first) : NeuronGroup(kInfo, size, first) {}

    void update(const StepInput& in, std::vector<std::uint32_t>& spiked) override {
        const double* input = in.port_input[0];
        for (std::size_t i = 0; i < size_; ++i)
            if (input[i] > 0.0) spiked.push_back(static_cast<std::uint32_t>(i));
    }

private:
    void precompute(double) override {}
};

}  // namespace neurodyn::models
