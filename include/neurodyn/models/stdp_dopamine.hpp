#pragma once
// Dopamine-modulated spike-timing-dependent plasticity: the three-factor rule of
// Izhikevich (2007, Cereb Cortex 17:2443) in the form of NEST's stdp_dopamine_synapse
// (Potjans, Morrison & Diesmann 2010) (docs/plasticity.md).
//
// Pairs of spikes do not change the weight; they change an eligibility trace c, which
// a neuromodulator signal n(t) (a network modulator, engine/modulator.hpp) turns into
// weight change:
//   dc/dt = -c / tau_c + A_plus  r1(t) δ(t - t_post)    (post spike as it reaches the synapse)
//                      - A_minus o1(t) δ(t - t_pre)
//   dw/dt = c (n - b),    w clipped to [w_min, w_max]
// with the pair rule's all-to-all traces r1 (presynaptic, tau_plus) and o1 (postsynaptic,
// tau_minus), each growing by 1 at a spike. Between events c and n are exponentials, so
// the weight change over an interval of length Δ starting with c0 and n0 is exact:
//   Δw = c0 [ (n0 - n_base) tau_s (1 - e^{-Δ/tau_s}) + (n_base - b) tau_c (1 - e^{-Δ/tau_c}) ],
//   1/tau_s = 1/tau_c + 1/tau_n
// (n relaxes to the modulator's baseline n_base with the modulator's tau_n); the weight is
// clipped at the end of each interval between events, as NEST does. A and w share the
// weight unit; n is in the modulator's unit (1/ms for NEST's volume transmitter, whose
// spikes each add 1/tau_n).

#include <cmath>
#include <string>

#include "neurodyn/core/error.hpp"
#include "neurodyn/core/strings.hpp"

namespace neurodyn::models {

struct DopamineRule {
    // Defaults: NEST's stdp_dopamine_synapse (tau_minus is the postsynaptic neuron's in
    // NEST, 20 ms by default).
    double tau_plus = 20.0;   // ms, presynaptic trace r1, > 0
    double tau_minus = 20.0;  // ms, postsynaptic trace o1, > 0
    // Eligibility per pair, in weight unit / (n unit x ms): c (n - b) is a weight rate.
    double A_plus = 1.0;      // added at a pre-before-post pair (times r1), >= 0
    double A_minus = 1.5;     // subtracted at a post-before-pre pair (times o1), >= 0
    double tau_c = 1000.0;    // ms, eligibility trace decay, > 0
    double b = 0.0;           // modulator baseline that gives no change (n's unit), finite

    // Throws ValueError with key `key`.<field> naming the field and the value.
    void validate(const std::string& key) const {
        auto check = [&](bool ok, const char* field, const std::string& condition, double value) {
            if (!ok)
                throw ValueError(key + "." + field + ": dopamine rule " + field + " must be " + condition + ", got " +
                                     format_number(value),
                                 key + "." + field);
        };
        check(std::isfinite(tau_plus) && tau_plus > 0.0, "tau_plus", "> 0 ms", tau_plus);
        check(std::isfinite(tau_minus) && tau_minus > 0.0, "tau_minus", "> 0 ms", tau_minus);
        check(std::isfinite(A_plus) && A_plus >= 0.0, "A_plus", "finite and >= 0", A_plus);
        check(std::isfinite(A_minus) && A_minus >= 0.0, "A_minus", "finite and >= 0", A_minus);
        check(std::isfinite(tau_c) && tau_c > 0.0, "tau_c", "> 0 ms", tau_c);
        check(std::isfinite(b), "b", "finite", b);
    }
};

// The weight change over an interval of `interval_ms` during which the eligibility
// starts at `eligibility` and decays with tau_c, and the modulator starts at `modulator`
// and relaxes to `modulator_baseline` with tau_n (the formula above).
inline double dopamine_weight_change(double eligibility, double modulator, double modulator_baseline, double b,
                                     double interval_ms, double tau_c_ms, double tau_n_ms) {
    const double tau_s = tau_c_ms * tau_n_ms / (tau_c_ms + tau_n_ms);
    return eligibility * ((modulator - modulator_baseline) * tau_s * -std::expm1(-interval_ms / tau_s) +
                          (modulator_baseline - b) * tau_c_ms * -std::expm1(-interval_ms / tau_c_ms));
}

}  // namespace neurodyn::models
