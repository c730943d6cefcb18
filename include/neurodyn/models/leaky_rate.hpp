#pragma once
// LeakyRate: a leaky rate unit for echo-state and rate networks (NEST rate_neuron_ipn
// without noise; the units of Sompolinsky, Crisanti & Sommers 1988).
//
//   tau dx/dt = -x + input(t) + bias,     r = f(gain x)
//
// `input` is the sum over incoming synapses of weight x presynaptic r, held over the
// step (rate sources transmit every step; a spike arriving adds its weight for one
// step). f is chosen by `transfer`: tanh, sigmoid 1/(1 + e^-z), relu max(0, z) or
// linear z. With the input constant over a step the update is exact:
//   x <- (input + bias) + (x - input - bias) exp(-dt/tau)
// With tau = dt/(-ln(1 - a)) this is the leaky echo-state network update
// x <- (1 - a) x + a (W r + u) of Jaeger et al. (2007) with the nonlinearity on the output.

#include <array>
#include <cmath>
#include <memory>

#include "neurodyn/models/neuron_group.hpp"

namespace neurodyn::models {

class LeakyRate final : public NeuronGroup {
public:
    enum Param : std::size_t { tau, transfer, gain, bias };
    enum State : std::size_t { x, r };
    enum Transfer : int { tanh_transfer, sigmoid_transfer, relu_transfer, linear_transfer };

    static constexpr std::array<std::string_view, 4> kTransfers{"tanh", "sigmoid", "relu", "linear"};
    static constexpr std::array<FieldInfo, 4> kParams{{
        {"tau", "ms", 10.0, Bound::positive, "time constant of the unit"},
        {"transfer", "", 0.0, Bound::any, "output nonlinearity f: tanh, sigmoid, relu or linear", kTransfers},
        {"gain", "", 1.0, Bound::any, "slope of the input to f"},
        {"bias", "", 0.0, Bound::any, "constant input"},
    }};
    static constexpr std::array<FieldInfo, 2> kState{{
        {"x", "", 0.0, Bound::any, "activation"},
        {"r", "", 0.0, Bound::any, "output f(gain x), transmitted every step (set from x before the first step)"},
    }};
    static constexpr std::array<std::string_view, 1> kPorts{"input"};
    static inline const ModelInfo kInfo{
        "LeakyRate",
        "Leaky rate unit tau dx/dt = -x + input + bias with output r = f(gain x), transmitted every step.",
        kParams,
        kState,
        kPorts,
        PortKind::rate,
        false,
        [](std::size_t n, std::uint64_t first) -> std::unique_ptr<NeuronGroup> {
            return std::make_unique<LeakyRate>(n, first);
        }};

    LeakyRate(std::size_t n, std::uint64_t first) : NeuronGroup(kInfo, n, first) {}

    void update(const StepInput& in, std::vector<std::uint32_t>&) override {
        double* activation = state_[x].data();
        const double* input = in.port_input[0];
        for (std::size_t i = 0; i < size_; ++i) {
            const double drive = input[i] + params_[bias][i];
            activation[i] = drive + (activation[i] - drive) * decay_[i];
        }
        refresh_output();
    }

    const double* rate_output() const override { return state_[r].data(); }

private:
    void precompute(double dt_ms) override {
        decay_.resize(size_);
        for (std::size_t i = 0; i < size_; ++i) decay_[i] = std::exp(-dt_ms / params_[tau][i]);
        refresh_output();  // r of the initial x, so the first step transmits f(gain x0)
    }

    void refresh_output() {
        const double* activation = state_[x].data();
        double* output = state_[r].data();
        for (std::size_t i = 0; i < size_; ++i) {
            const double z = params_[gain][i] * activation[i];
            switch (static_cast<int>(params_[transfer][i])) {
                case tanh_transfer: output[i] = std::tanh(z); break;
                case sigmoid_transfer: output[i] = 1.0 / (1.0 + std::exp(-z)); break;
                case relu_transfer: output[i] = z > 0.0 ? z : 0.0; break;
                default: output[i] = z; break;
            }
        }
    }

    std::vector<double> decay_;
};

}  // namespace neurodyn::models
