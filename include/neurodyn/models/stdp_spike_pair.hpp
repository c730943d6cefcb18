#pragma once
// Timing dependence of pair-based spike-timing-dependent plasticity (PyNN SpikePairRule,
// NEST stdp_synapse / stdp_nn_symm_synapse), as pure functions of the traces.
//
// A pair of a presynaptic spike at t_pre and a postsynaptic spike that reaches the
// synapse at t_post (see docs/plasticity.md for the delay) with Δt = t_post - t_pre:
//   Δt > 0: potentiation, the weight dependence's facilitate(w, A_plus  exp(-Δt/tau_plus))
//   Δt < 0: depression,   the weight dependence's depress   (w, A_minus exp( Δt/tau_minus))
//   Δt = 0: no change (NEST discards exactly coinciding pairs).
// The traces say which pairs count:
//   all_to_all         every pair (NEST stdp_synapse): a spike adds 1 to its trace.
//   nearest_symmetric  each presynaptic spike is paired with the nearest preceding
//                      postsynaptic spike and each postsynaptic spike with the nearest
//                      preceding presynaptic spike (NEST stdp_nn_symm_synapse, Morrison
//                      et al. 2008 fig. 7A): a spike sets its trace to 1.

#include <cmath>
#include <string>

#include "neurodyn/core/error.hpp"
#include "neurodyn/core/strings.hpp"

namespace neurodyn::models {

enum class SpikePairing { all_to_all, nearest_symmetric };

inline const char* spike_pairing_name(SpikePairing pairing) {
    return pairing == SpikePairing::all_to_all ? "all_to_all" : "nearest_symmetric";
}

struct SpikePairRule {
    double tau_plus = 20.0;   // ms, decay of the presynaptic trace (potentiation window), > 0
    double tau_minus = 20.0;  // ms, decay of the postsynaptic trace (depression window), > 0
    double A_plus = 0.01;     // potentiation amplitude, relative to w_max, >= 0
    double A_minus = 0.01;    // depression amplitude, relative to w_max, >= 0
    SpikePairing pairing = SpikePairing::all_to_all;

    // Throws ValueError with key `key`.<field> naming the field and the value.
    void validate(const std::string& key) const {
        auto check = [&](bool ok, const char* field, const std::string& condition, double value) {
            if (!ok)
                throw ValueError(key + "." + field + ": SpikePairRule " + field + " must be " + condition + ", got " +
                                     format_number(value),
                                 key + "." + field);
        };
        check(std::isfinite(tau_plus) && tau_plus > 0.0, "tau_plus", "> 0 ms", tau_plus);
        check(std::isfinite(tau_minus) && tau_minus > 0.0, "tau_minus", "> 0 ms", tau_minus);
        check(std::isfinite(A_plus) && A_plus >= 0.0, "A_plus", "a finite number >= 0", A_plus);
        check(std::isfinite(A_minus) && A_minus >= 0.0, "A_minus", "a finite number >= 0", A_minus);
    }

    // The value a trace has just after a spike when it was `before` just before it:
    // all-to-all traces add up, nearest-neighbour traces restart at 1.
    double trace_after_spike(double before) const {
        return pairing == SpikePairing::all_to_all ? before + 1.0 : 1.0;
    }
};

// trace(t) = trace(t0) exp(-(t - t0)/tau): the decay of either trace over elapsed_ms >= 0.
inline double decay_trace(double trace, double elapsed_ms, double tau_ms) { return trace * std::exp(-elapsed_ms / tau_ms); }

}  // namespace neurodyn::models
