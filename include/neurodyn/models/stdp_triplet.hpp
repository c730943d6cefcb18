#pragma once
// Timing dependence of triplet spike-timing-dependent plasticity: the minimal all-to-all
// model of Pfister & Gerstner (2006), NEST's stdp_triplet_synapse (docs/plasticity.md).
//
// Four traces, each decaying exponentially and growing by 1 at every spike of its neuron
// (all-to-all interaction):
//   presynaptic  r1 (tau_plus), r2 (tau_x);  postsynaptic  o1 (tau_minus), o2 (tau_y).
// A postsynaptic spike (as it reaches the synapse) potentiates by
//   Δw = r1(t) [A2_plus + A3_plus o2(t - ε)]
// and a presynaptic spike depresses by
//   Δw = -o1(t) [A2_minus + A3_minus r2(t - ε)],
// where t - ε is just before the spike (the trace without this spike's own increment).
// As in NEST, the amplitudes are in weight units and the weight is clipped to
// [w_min, w_max] after each change (the additive weight dependence's bounds); bounds
// <= 0 hold negative weights whose magnitude follows the rule (NEST's negative Wmax).

#include <cmath>
#include <string>

#include "neurodyn/core/error.hpp"
#include "neurodyn/core/strings.hpp"

namespace neurodyn::models {

struct TripletRule {
    // Defaults: Pfister & Gerstner (2006) Table 4, visual cortex, all-to-all minimal model
    // (NEST's stdp_triplet_synapse defaults: the full model's tau_x and A3_minus).
    double tau_plus = 16.8;    // ms, presynaptic fast trace r1 (pair potentiation window), > 0
    double tau_x = 101.0;      // ms, presynaptic slow trace r2 (triplet depression), > 0
    double tau_minus = 33.7;   // ms, postsynaptic fast trace o1 (pair depression window), > 0
    double tau_y = 125.0;      // ms, postsynaptic slow trace o2 (triplet potentiation), > 0
    double A2_plus = 5e-10;    // weight unit, pair potentiation, >= 0
    double A3_plus = 6.2e-3;   // weight unit, triplet potentiation, >= 0
    double A2_minus = 7e-3;    // weight unit, pair depression, >= 0
    double A3_minus = 2.3e-4;  // weight unit, triplet depression, >= 0

    // Throws ValueError with key `key`.<field> naming the field and the value.
    void validate(const std::string& key) const {
        auto check = [&](bool ok, const char* field, const std::string& condition, double value) {
            if (!ok)
                throw ValueError(key + "." + field + ": triplet rule " + field + " must be " + condition + ", got " +
                                     format_number(value),
                                 key + "." + field);
        };
        check(std::isfinite(tau_plus) && tau_plus > 0.0, "tau_plus", "> 0 ms", tau_plus);
        check(std::isfinite(tau_x) && tau_x > 0.0, "tau_x", "> 0 ms", tau_x);
        check(std::isfinite(tau_minus) && tau_minus > 0.0, "tau_minus", "> 0 ms", tau_minus);
        check(std::isfinite(tau_y) && tau_y > 0.0, "tau_y", "> 0 ms", tau_y);
        check(std::isfinite(A2_plus) && A2_plus >= 0.0, "A2_plus", "a finite weight >= 0", A2_plus);
        check(std::isfinite(A3_plus) && A3_plus >= 0.0, "A3_plus", "a finite weight >= 0", A3_plus);
        check(std::isfinite(A2_minus) && A2_minus >= 0.0, "A2_minus", "a finite weight >= 0", A2_minus);
        check(std::isfinite(A3_minus) && A3_minus >= 0.0, "A3_minus", "a finite weight >= 0", A3_minus);
    }
};

}  // namespace neurodyn::models
