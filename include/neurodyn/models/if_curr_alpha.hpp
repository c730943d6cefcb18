#pragma once
// IF_curr_alpha: leaky integrate-and-fire neuron with alpha-shaped synaptic currents
// (PyNN standard cell; NEST iaf_psc_alpha).
//
//   cm dv/dt = cm (v_rest - v) / tau_m + isyn_exc + isyn_inh + i_offset + i_injected
//   a spike of weight w (nA) arriving at t0 adds w (t - t0)/tau_syn exp(1 - (t - t0)/tau_syn),
//   a current that peaks at w when t - t0 = tau_syn. As NEST does, the alpha function is
//   the solution of two linear equations:
//   d isyn_X / dt = -isyn_X / tau_syn_X + disyn_X,   d disyn_X / dt = -disyn_X / tau_syn_X,
//   disyn_X += w e / tau_syn_X on arrival
//   v >= v_thresh: spike, v = v_reset, v clamped for tau_refrac (currents keep evolving)
//
// Integrated exactly (Rotter & Diesmann 1999). With h = dt, P11X = exp(-h/tau_syn_X),
// P21X = h P11X, P22 = exp(-h/tau_m), P20 = tau_m/cm (1 - P22), P32X the propagator of
// an exponentially decaying current (IF_curr_exp's current_to_voltage_propagator) and
//   P31X = 1/cm integral_0^h exp(-(h - s)/tau_m) s exp(-s/tau_syn_X) ds
// one step is
//   v       <- v_rest + P22 (v - v_rest) + sum_X (P31X disyn_X + P32X isyn_X) + P20 (i_offset + i_inj)
//   isyn_X  <- P11X isyn_X + P21X disyn_X
//   disyn_X <- P11X disyn_X + (e / tau_syn_X) (input arriving at the end of the step)
// P31X is evaluated in a form that stays accurate as tau_syn -> tau_m and finite when a
// time constant is far below the step (alpha_to_voltage_propagator).

#include <algorithm>
#include <array>
#include <cmath>
#include <memory>
#include <numbers>

#include "neurodyn/core/strings.hpp"
#include "neurodyn/models/if_curr_exp.hpp"
#include "neurodyn/models/neuron_group.hpp"
#include "neurodyn/models/standard_fields.hpp"

namespace neurodyn::models {

// integral_0^1 t exp(-x t) dt for x >= 0. For x <= 1 it is written as
// exp(-x) sum_k x^k / (k+2)!, a series of positive terms (no cancellation; 22 terms
// reach 1/24! < 1e-23 of the sum), above 1 as (1 - exp(-x) (1 + x)) / x^2, whose
// subtraction loses at most a factor 1/(1 - 2/e) ~ 4 (2 bits).
inline double alpha_moment_first(double x) {
    if (x > 1.0) {
        const double x_exp = x > 700.0 ? 0.0 : x * std::exp(-x);  // x e^-x underflows; avoids inf * 0
        return (-std::expm1(-x) - x_exp) / (x * x);
    }
    double term = 0.5, sum = 0.0;  // term_k = x^k / (k+2)!
    for (int k = 0; k < 22; ++k) {
        sum += term;
        term *= x / static_cast<double>(k + 3);
    }
    return std::exp(-x) * sum;
}

// integral_0^1 (1 - t) exp(-x t) dt for x >= 0: exp(-x) sum_k x^k / (k! (k+2)) for
// x <= 1 (positive terms), (x - 1 + exp(-x)) / x^2 above (no cancellation beyond 1 - 1/e).
inline double alpha_moment_complement(double x) {
    if (x > 1.0) return (x + std::expm1(-x)) / (x * x);
    double power = 1.0, sum = 0.0;  // power_k = x^k / k!
    for (int k = 0; k < 22; ++k) {
        sum += power / static_cast<double>(k + 2);
        power *= x / static_cast<double>(k + 1);
    }
    return std::exp(-x) * sum;
}

// The propagator from the alpha auxiliary disyn (nA/ms) to the membrane potential over
// one step h (mV per nA/ms), the response at h to the current s exp(-s/tau_syn):
//   P31 = 1/cm integral_0^h exp(-(h - s)/tau_m) s exp(-s/tau_syn) ds.
// With b = |1/tau_syn - 1/tau_m| and x = b h it is
//   exp(-h/tau_m)   h^2 alpha_moment_first(x) / cm        (tau_syn <= tau_m)
//   exp(-h/tau_syn) h^2 alpha_moment_complement(x) / cm   (tau_syn > tau_m, s -> h - s)
// so no exponent is positive, and x -> 0 (tau_syn -> tau_m) tends smoothly to the limit
// h^2/(2 cm) exp(-h/tau_m) instead of dividing a vanishing difference by b^2.
inline double alpha_to_voltage_propagator(double h, double tau_m, double tau_syn, double cm) {
    const double x = h * std::abs(1.0 / tau_syn - 1.0 / tau_m);
    if (tau_syn <= tau_m) return std::exp(-h / tau_m) * h * h * alpha_moment_first(x) / cm;
    return std::exp(-h / tau_syn) * h * h * alpha_moment_complement(x) / cm;
}

class IfCurrAlpha final : public NeuronGroup {
public:
    enum Param : std::size_t { cm, tau_m, tau_refrac, tau_syn_E, tau_syn_I, v_rest, v_reset, v_thresh, i_offset };
    enum State : std::size_t { v, isyn_exc, isyn_inh, disyn_exc, disyn_inh };

    static constexpr std::array<FieldInfo, 9> kParams{{
        field::cm,
        field::tau_m,
        field::tau_refrac,
        {"tau_syn_E", "ms", 0.5, Bound::positive, "rise time (time to peak) of the excitatory alpha current"},
        {"tau_syn_I", "ms", 0.5, Bound::positive, "rise time (time to peak) of the inhibitory alpha current"},
        field::v_rest,
        field::v_reset,
        field::v_thresh,
        field::i_offset,
    }};
    static constexpr std::array<FieldInfo, 5> kState{{
        field::v,
        field::isyn_exc,
        field::isyn_inh,
        {"disyn_exc", "nA/ms", 0.0, Bound::any,
         "auxiliary of the excitatory alpha current: d isyn_exc/dt = -isyn_exc/tau_syn_E + disyn_exc"},
        {"disyn_inh", "nA/ms", 0.0, Bound::any,
         "auxiliary of the inhibitory alpha current: d isyn_inh/dt = -isyn_inh/tau_syn_I + disyn_inh"},
    }};
    static constexpr std::array<std::string_view, 2> kPorts{"excitatory", "inhibitory"};
    static inline const ModelInfo kInfo{
        "IF_curr_alpha",
        "Leaky integrate-and-fire neuron with alpha-shaped current-based synapses (peak = weight at t = tau_syn); "
        "exact integration.",
        kParams,
        kState,
        kPorts,
        PortKind::current,
        false,
        [](std::size_t n, std::uint64_t first) -> std::unique_ptr<NeuronGroup> {
            return std::make_unique<IfCurrAlpha>(n, first);
        }};

    IfCurrAlpha(std::size_t n, std::uint64_t first) : NeuronGroup(kInfo, n, first) {}

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
        double* ye = state_[disyn_exc].data();
        double* yi = state_[disyn_inh].data();
        const Column<H> rest{params_[v_rest].data()}, reset{params_[v_reset].data()}, thresh{params_[v_thresh].data()},
            offset{params_[i_offset].data()}, p22{p22_.data()}, p20{p20_.data()}, p31_exc{p31_exc_.data()},
            p31_inh{p31_inh_.data()}, p32_exc{p32_exc_.data()}, p32_inh{p32_inh_.data()}, p11_exc{p11_exc_.data()},
            p11_inh{p11_inh_.data()}, p21_exc{p21_exc_.data()}, p21_inh{p21_inh_.data()},
            jump_exc{jump_exc_.data()}, jump_inh{jump_inh_.data()};
        const Column<H, std::int32_t> refractory_period{refractory_steps_.data()};
        const double* in_exc = in.port_input[0];
        const double* in_inh = in.port_input[1];
        const double* injected = in.injected_current;
        std::int32_t* refractory = refractory_left_.data();
        for (std::size_t i = 0; i < size_; ++i) {
            if (refractory[i] == 0) {
                vm[i] = rest[i] + p22[i] * (vm[i] - rest[i]) + p31_exc[i] * ye[i] + p32_exc[i] * ie[i] +
                        p31_inh[i] * yi[i] + p32_inh[i] * ii[i] + p20[i] * (offset[i] + injected[i]);
            } else {
                --refractory[i];
            }
            ie[i] = p11_exc[i] * ie[i] + p21_exc[i] * ye[i];
            ii[i] = p11_inh[i] * ii[i] + p21_inh[i] * yi[i];
            ye[i] = p11_exc[i] * ye[i] + jump_exc[i] * in_exc[i];
            yi[i] = p11_inh[i] * yi[i] + jump_inh[i] * in_inh[i];
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
        for (auto* column : {&p22_, &p20_, &p31_exc_, &p31_inh_, &p32_exc_, &p32_inh_, &p11_exc_, &p11_inh_, &p21_exc_,
                             &p21_inh_, &jump_exc_, &jump_inh_})
            column->resize(size_);
        refractory_steps_.resize(size_);
        for (std::size_t i = 0; i < size_; ++i) {
            const double c = params_[cm][i], tm = params_[tau_m][i], te = params_[tau_syn_E][i],
                         ti = params_[tau_syn_I][i];
            p22_[i] = std::exp(-h / tm);
            p20_[i] = -tm / c * std::expm1(-h / tm);
            p31_exc_[i] = alpha_to_voltage_propagator(h, tm, te, c);
            p31_inh_[i] = alpha_to_voltage_propagator(h, tm, ti, c);
            p32_exc_[i] = current_to_voltage_propagator(h, tm, te, c);
            p32_inh_[i] = current_to_voltage_propagator(h, tm, ti, c);
            p11_exc_[i] = std::exp(-h / te);
            p11_inh_[i] = std::exp(-h / ti);
            p21_exc_[i] = h * p11_exc_[i];
            p21_inh_[i] = h * p11_inh_[i];
            jump_exc_[i] = std::numbers::e / te;  // disyn jump that makes the current peak at w
            jump_inh_[i] = std::numbers::e / ti;
            refractory_steps_[i] = neurodyn::refractory_steps(params_[tau_refrac][i], h);
        }
    }

    std::vector<double> p22_, p20_, p31_exc_, p31_inh_, p32_exc_, p32_inh_, p11_exc_, p11_inh_, p21_exc_, p21_inh_,
        jump_exc_, jump_inh_;
    std::vector<std::int32_t> refractory_steps_;
};

}  // namespace neurodyn::models
