#pragma once
// Weight dependence of spike-timing-dependent plasticity (PyNN AdditiveWeightDependence,
// MultiplicativeWeightDependence, GutigWeightDependence), as pure functions.
//
// One family (Gütig et al. 2003; NEST stdp_synapse with w_min = 0): a potentiation by
// the amount `a` (= A_plus times the presynaptic trace) and a depression by `a` (=
// A_minus times the postsynaptic trace) change the weight by
//   Δw+ =  a w_max ((w_max - w) / w_max)^mu_plus
//   Δw- = -a w_max ((w - w_min) / w_max)^mu_minus
// and the result is clipped to [w_min, w_max]:
//   additive        mu_plus = mu_minus = 0: Δw± = ±a w_max (independent of w)
//   multiplicative  mu_plus = mu_minus = 1: Δw+ = a (w_max - w), Δw- = -a (w - w_min)
//   gutig           mu_plus, mu_minus given
// With w_min = 0 these are NEST's facilitate_/depress_ (lambda = A_plus,
// alpha = A_minus / A_plus, Wmax = w_max), which pyNN.nest uses for the same classes.

#include <algorithm>
#include <cmath>
#include <string>

#include "neurodyn/core/error.hpp"
#include "neurodyn/core/strings.hpp"

namespace neurodyn::models {

enum class WeightDependenceKind { additive, multiplicative, gutig };

inline const char* weight_dependence_name(WeightDependenceKind kind) {
    switch (kind) {
        case WeightDependenceKind::additive: return "additive";
        case WeightDependenceKind::multiplicative: return "multiplicative";
        case WeightDependenceKind::gutig: return "gutig";
    }
    return "additive";
}

struct WeightDependence {
    WeightDependenceKind kind = WeightDependenceKind::additive;
    double w_min = 0.0;  // weight unit (nA, uS or mV), < w_max
    double w_max = 1.0;  // weight unit, > 0
    double mu_plus = 0.5;   // gutig only, >= 0
    double mu_minus = 0.5;  // gutig only, >= 0

    // Throws ValueError with key `key`.<field> naming the field and the value.
    void validate(const std::string& key) const {
        const std::string name = std::string(weight_dependence_name(kind)) + " weight dependence ";
        auto fail = [&](const char* field, const std::string& condition, double value) {
            throw ValueError(key + "." + field + ": " + name + field + " must be " + condition + ", got " + format_number(value),
                             key + "." + field);
        };
        if (!(std::isfinite(w_max) && w_max > 0.0)) fail("w_max", "a finite weight > 0", w_max);
        if (!(std::isfinite(w_min) && w_min < w_max))
            fail("w_min", "a finite weight < w_max (" + format_number(w_max) + ")", w_min);
        if (kind == WeightDependenceKind::gutig) {
            if (!(std::isfinite(mu_plus) && mu_plus >= 0.0)) fail("mu_plus", "a finite number >= 0", mu_plus);
            if (!(std::isfinite(mu_minus) && mu_minus >= 0.0)) fail("mu_minus", "a finite number >= 0", mu_minus);
        }
    }

    // The weight after a potentiation by `amount` (A_plus x presynaptic trace, >= 0).
    double facilitate(double w, double amount) const {
        double change = 0.0;
        switch (kind) {
            case WeightDependenceKind::additive: change = amount * w_max; break;
            case WeightDependenceKind::multiplicative: change = amount * (w_max - w); break;
            case WeightDependenceKind::gutig: change = amount * w_max * std::pow((w_max - w) / w_max, mu_plus); break;
        }
        return std::min(w + change, w_max);
    }

    // The weight after a depression by `amount` (A_minus x postsynaptic trace, >= 0).
    double depress(double w, double amount) const {
        double change = 0.0;
        switch (kind) {
            case WeightDependenceKind::additive: change = amount * w_max; break;
            case WeightDependenceKind::multiplicative: change = amount * (w - w_min); break;
            case WeightDependenceKind::gutig: change = amount * w_max * std::pow((w - w_min) / w_max, mu_minus); break;
        }
        return std::max(w - change, w_min);
    }
};

}  // namespace neurodyn::models
