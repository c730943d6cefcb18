#pragma once
// Inhibitory spike-timing-dependent plasticity of Vogels, Sprekeler et al. (2011, Science
// 334:1569), NEST's vogels_sprekeler_synapse (docs/plasticity.md).
//
// A symmetric window: every pair of a presynaptic and a postsynaptic spike (as it reaches
// the synapse), in either order, potentiates by
//   Δw = eta exp(-|Δt| / tau),
// and every presynaptic spike depresses by the constant
//   Δw = -eta alpha,   alpha = 2 rho0 tau   (rho0 the target postsynaptic rate),
// so that the weight settles where the postsynaptic rate is rho0. Both traces (pre and
// post) decay with tau and grow by 1 per spike. As in NEST, eta is in weight units and the
// weight is clipped to [w_min, w_max] after each change (the additive dependence's bounds);
// bounds <= 0 hold negative weights (inhibition onto current-based neurons) whose
// magnitude follows the rule (NEST's negative Wmax).

#include <cmath>
#include <string>

#include "neurodyn/core/error.hpp"
#include "neurodyn/core/strings.hpp"

namespace neurodyn::models {

struct VogelsSprekelerRule {
    double tau = 20.0;  // ms, width of the symmetric window, > 0 (Vogels et al.: 20 ms)
    double eta = 1e-3;  // weight unit, learning rate, >= 0
    double rho0 = 5.0;  // Hz, target postsynaptic rate, >= 0 (Vogels et al.: 5 Hz)

    // alpha = 2 rho0 tau, dimensionless (rho0 in Hz = 1/(1000 ms)): NEST's `alpha`.
    double alpha() const { return 2.0 * rho0 * tau * 1e-3; }

    // Throws ValueError with key `key`.<field> naming the field and the value.
    void validate(const std::string& key) const {
        auto check = [&](bool ok, const char* field, const std::string& condition, double value) {
            if (!ok)
                throw ValueError(key + "." + field + ": vogels_sprekeler rule " + field + " must be " + condition +
                                     ", got " + format_number(value),
                                 key + "." + field);
        };
        check(std::isfinite(tau) && tau > 0.0, "tau", "> 0 ms", tau);
        check(std::isfinite(eta) && eta >= 0.0, "eta", "a finite weight >= 0", eta);
        check(std::isfinite(rho0) && rho0 >= 0.0, "rho0", "a finite rate >= 0 Hz", rho0);
    }
};

}  // namespace neurodyn::models
