#pragma once
// IF_curr_delta: leaky integrate-and-fire neuron whose synaptic input makes the membrane
// potential jump (PyNN standard cell; NEST iaf_psc_delta; the neuron of Brunel 2000).
//
//   cm dv/dt = cm (v_rest - v) / tau_m + i_offset + i_injected
//   on arrival of a spike of weight w (mV): v += w
//   v >= v_thresh: spike, v = v_reset, v clamped for tau_refrac; input arriving while
//   refractory is discarded (NEST's default, and Brunel 2000's model)
//
// Exact integration: v <- v_rest + P22 (v - v_rest) + P20 (i_offset + i_inj) + w_sum,
// with P22 = exp(-h/tau_m) and P20 = tau_m/cm (1 - P22). Weights on both receptor
// ports are in mV; inhibitory weights are negative.

#include <array>
#include <cmath>
#include <memory>

#include "neurodyn/core/strings.hpp"
#include "neurodyn/models/neuron_group.hpp"
#include "neurodyn/models/standard_fields.hpp"

namespace neurodyn::models {

class IfCurrDelta final : public NeuronGroup {
public:
    enum Param : std::size_t { cm, tau_m, tau_refrac, v_rest, v_reset, v_thresh, i_offset };
    enum State : std::size_t { v };

    static constexpr std::array<FieldInfo, 7> kParams{{
        field::cm,
        field::tau_m,
        field::tau_refrac,
        field::v_rest,
        field::v_reset,
        field::v_thresh,
        field::i_offset,
    }};
    static constexpr std::array<FieldInfo, 1> kState{{
        field::v,
    }};
    static constexpr std::array<std::string_view, 2> kPorts{"excitatory", "inhibitory"};
    static inline const ModelInfo kInfo{
        "IF_curr_delta",
        "Leaky integrate-and-fire neuron with delta synapses (instantaneous voltage jumps); exact integration.",
        kParams,
        kState,
        kPorts,
        PortKind::voltage,
        false,
        [](std::size_t n, std::uint64_t first) -> std::unique_ptr<NeuronGroup> {
            return std::make_unique<IfCurrDelta>(n, first);
        }};

    IfCurrDelta(std::size_t n, std::uint64_t first) : NeuronGroup(kInfo, n, first) {}

    void update(const StepInput& in, std::vector<std::uint32_t>& spiked) override {
        if (homogeneous_)
            advance<true>(in, spiked);
        else
            advance<false>(in, spiked);
    }

private:
    template <bool H>
    void advance(const StepInput& in, std::vector<std::uint32_t>& spiked) {
        double* vm = state_[v].data();
        const Column<H> rest{params_[v_rest].data()}, reset{params_[v_reset].data()}, thresh{params_[v_thresh].data()},
            offset{params_[i_offset].data()}, p22{p22_.data()}, p20{p20_.data()};
        const Column<H, std::int32_t> refractory_period{refractory_steps_.data()};
        const double* in_exc = in.port_input[0];
        const double* in_inh = in.port_input[1];
        const double* injected = in.injected_current;
        std::int32_t* refractory = refractory_left_.data();
        for (std::size_t i = 0; i < size_; ++i) {
            if (refractory[i] == 0) {
                vm[i] = rest[i] + p22[i] * (vm[i] - rest[i]) + p20[i] * (offset[i] + injected[i]) + in_exc[i] + in_inh[i];
            } else {
                --refractory[i];
            }
            if (vm[i] >= thresh[i]) {
                vm[i] = reset[i];
                refractory[i] = refractory_period[i];
                spiked.push_back(static_cast<std::uint32_t>(i));
            }
        }
    }

    void check_relations() const override {
        for (std::size_t i = 0; i < size_; ++i)
            if (!(params_[v_reset][i] < params_[v_thresh][i]))
                fail("v_reset", "< v_thresh (" + format_number(params_[v_thresh][i]) + " mV)", params_[v_reset][i], i);
    }

    void precompute(double h) override {
        p22_.resize(size_);
        p20_.resize(size_);
        refractory_steps_.resize(size_);
        for (std::size_t i = 0; i < size_; ++i) {
            const double tm = params_[tau_m][i];
            p22_[i] = std::exp(-h / tm);
            p20_[i] = -tm / params_[cm][i] * std::expm1(-h / tm);
            refractory_steps_[i] = neurodyn::refractory_steps(params_[tau_refrac][i], h);
        }
    }

    std::vector<double> p22_, p20_;
    std::vector<std::int32_t> refractory_steps_;
};

}  // namespace neurodyn::models
