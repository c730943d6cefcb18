#pragma once
// IF_curr_exp: leaky integrate-and-fire neuron with exponentially decaying synaptic
// currents (PyNN standard cell; NEST iaf_psc_exp).
//
//   cm dv/dt = cm (v_rest - v) / tau_m + isyn_exc + isyn_inh + i_offset + i_injected
//   d isyn_X / dt = -isyn_X / tau_syn_X,   isyn_X += w on arrival of a spike (nA)
//   v >= v_thresh: spike, v = v_reset, v clamped for tau_refrac (currents keep decaying)
//
// Integrated exactly (Rotter & Diesmann 1999): with h = dt and propagators
//   P22 = exp(-h/tau_m), P11X = exp(-h/tau_syn_X), P20 = tau_m/cm (1 - P22),
//   P21X = tau_m tau_syn_X / (cm (tau_m - tau_syn_X)) (P22 - P11X)
// one step is
//   v     <- v_rest + P22 (v - v_rest) + P21E isyn_exc + P21I isyn_inh + P20 (i_offset + i_inj)
//   isyn_X <- P11X isyn_X + (input arriving at the end of the step)
// P21X is evaluated in a form that stays accurate when tau_syn is close to tau_m and
// finite when one time constant is far below the step (current_to_voltage_propagator).

#include <algorithm>
#include <array>
#include <cmath>
#include <memory>

#include "neurodyn/core/strings.hpp"
#include "neurodyn/models/neuron_group.hpp"
#include "neurodyn/models/standard_fields.hpp"

namespace neurodyn::models {

// The propagator from a synaptic current with time constant tau_syn to the membrane
// potential over one step h (mV per nA):
//   P21 = (exp(-h/tau_m) - exp(-h/tau_syn)) / (cm |a|),  a = 1/tau_syn - 1/tau_m,
// written as exp(-h/tau_slow) (1 - exp(-h |a|)) / (cm |a|) with tau_slow the larger time
// constant, so no exponent is positive (no overflow however short tau_m is), expm1 keeps
// the digits as tau_syn -> tau_m, and a = 0 gives the limit h/cm exp(-h/tau_m).
inline double current_to_voltage_propagator(double h, double tau_m, double tau_syn, double cm) {
    const double a = std::abs(1.0 / tau_syn - 1.0 / tau_m);
    const double integral = (a == 0.0) ? h : -std::expm1(-h * a) / a;
    return std::exp(-h / std::max(tau_m, tau_syn)) * integral / cm;
}

class IfCurrExp final : public NeuronGroup {
public:
    enum Param : std::size_t { cm, tau_m, tau_refrac, tau_syn_E, tau_syn_I, v_rest, v_reset, v_thresh, i_offset };
    enum State : std::size_t { v, isyn_exc, isyn_inh };

    static constexpr std::array<FieldInfo, 9> kParams{{
        field::cm,
        field::tau_m,
        field::tau_refrac,
        {"tau_syn_E", "ms", 5.0, Bound::positive, "decay time of the excitatory synaptic current"},
        {"tau_syn_I", "ms", 5.0, Bound::positive, "decay time of the inhibitory synaptic current"},
        field::v_rest,
        field::v_reset,
        field::v_thresh,
        field::i_offset,
    }};
    static constexpr std::array<FieldInfo, 3> kState{{
        field::v,
        field::isyn_exc,
        field::isyn_inh,
    }};
    static constexpr std::array<std::string_view, 2> kPorts{"excitatory", "inhibitory"};
    static inline const ModelInfo kInfo{
        "IF_curr_exp",
        "Leaky integrate-and-fire neuron with exponentially decaying current-based synapses; exact integration.",
        kParams,
        kState,
        kPorts,
        PortKind::current,
        false,
        [](std::size_t n, std::uint64_t first) -> std::unique_ptr<NeuronGroup> {
            return std::make_unique<IfCurrExp>(n, first);
        }};

    IfCurrExp(std::size_t n, std::uint64_t first) : NeuronGroup(kInfo, n, first) {}

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
        double* ie = state_[isyn_exc].data();
        double* ii = state_[isyn_inh].data();
        const Column<H> rest{params_[v_rest].data()}, reset{params_[v_reset].data()}, thresh{params_[v_thresh].data()},
            offset{params_[i_offset].data()}, p22{p22_.data()}, p21_exc{p21_exc_.data()}, p21_inh{p21_inh_.data()},
            p20{p20_.data()}, p11_exc{p11_exc_.data()}, p11_inh{p11_inh_.data()};
        const Column<H, std::int32_t> refractory_period{refractory_steps_.data()};
        const double* in_exc = in.port_input[0];
        const double* in_inh = in.port_input[1];
        const double* injected = in.injected_current;
        std::int32_t* refractory = refractory_left_.data();
        for (std::size_t i = 0; i < size_; ++i) {
            if (refractory[i] == 0) {
                vm[i] = rest[i] + p22[i] * (vm[i] - rest[i]) + p21_exc[i] * ie[i] + p21_inh[i] * ii[i] +
                        p20[i] * (offset[i] + injected[i]);
            } else {
                --refractory[i];
            }
            ie[i] = p11_exc[i] * ie[i] + in_exc[i];
            ii[i] = p11_inh[i] * ii[i] + in_inh[i];
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
        p11_exc_.resize(size_);
        p11_inh_.resize(size_);
        p20_.resize(size_);
        p21_exc_.resize(size_);
        p21_inh_.resize(size_);
        refractory_steps_.resize(size_);
        for (std::size_t i = 0; i < size_; ++i) {
            const double c = params_[cm][i], tm = params_[tau_m][i];
            p22_[i] = std::exp(-h / tm);
            p11_exc_[i] = std::exp(-h / params_[tau_syn_E][i]);
            p11_inh_[i] = std::exp(-h / params_[tau_syn_I][i]);
            p20_[i] = -tm / c * std::expm1(-h / tm);
            p21_exc_[i] = current_to_voltage_propagator(h, tm, params_[tau_syn_E][i], c);
            p21_inh_[i] = current_to_voltage_propagator(h, tm, params_[tau_syn_I][i], c);
            refractory_steps_[i] = neurodyn::refractory_steps(params_[tau_refrac][i], h);
        }
    }

    std::vector<double> p22_, p11_exc_, p11_inh_, p20_, p21_exc_, p21_inh_;
    std::vector<std::int32_t> refractory_steps_;
};

}  // namespace neurodyn::models
