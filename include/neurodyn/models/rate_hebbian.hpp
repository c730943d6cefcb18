#pragma once
// Hebbian plasticity of a synapse between rate units (LeakyRate): the local rate-based
// rules, applied inside the simulation at every step (docs/plasticity.md, "Hebbian
// plasticity of rate projections"). With x the presynaptic output as it reaches the
// synapse (the source's r, d steps earlier: what the synapse transmits at this step) and
// y the postsynaptic output r after this step's update:
//
//   hebb          dw/dt = eta (x y - decay w)
//   anti_hebbian  dw/dt = -eta (x y + decay w)        Földiák's lateral rule (w -> -<x y>/decay)
//   oja           dw/dt = eta y (x - y w)             Oja 1982: |w| -> 1, w -> top eigenvector
//   bcm           dw/dt = eta x y (y - theta)         BCM, Intrator & Cooper 1992 form, with
//                 tau_theta dtheta/dt = y^2 - theta   a sliding threshold per target neuron
//
// Forward Euler per step of dt (the learn layer's HebbianLayer with eta_per_update =
// eta dt and tau_theta in updates = tau_theta / dt): the weight change of step n uses the
// weight and theta after step n - 1, and the weight is clipped to [w_min, w_max] after
// each step. Rates are dimensionless (the units of r), eta is in 1/ms.

#include <array>
#include <cmath>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "neurodyn/core/error.hpp"
#include "neurodyn/core/strings.hpp"

namespace neurodyn::models {

enum class RateHebbianKind { hebb, anti_hebbian, oja, bcm };

inline constexpr std::array<std::string_view, 4> kRateHebbianNames{"hebb", "anti_hebbian", "oja", "bcm"};

inline std::string_view rate_hebbian_name(RateHebbianKind kind) { return kRateHebbianNames[static_cast<std::size_t>(kind)]; }

// The rule called `name`, if there is one.
inline std::optional<RateHebbianKind> find_rate_hebbian_kind(std::string_view name) {
    for (std::size_t k = 0; k < kRateHebbianNames.size(); ++k)
        if (name == kRateHebbianNames[k]) return static_cast<RateHebbianKind>(k);
    return std::nullopt;
}

// "unknown rate_hebbian rule 'X' (did you mean ...) (rules: ...)".
inline std::string unknown_rate_hebbian_rule(std::string_view name) {
    const std::vector<std::string> known(kRateHebbianNames.begin(), kRateHebbianNames.end());
    return "unknown rate_hebbian rule '" + std::string(name) + "'" + did_you_mean(name, known) + " (rules: " + join(known) +
           ")";
}

struct RateHebbianRule {
    RateHebbianKind kind = RateHebbianKind::oja;
    double eta = 0.001;         // 1/ms, > 0
    double decay = 0.0;         // hebb, anti_hebbian: >= 0 (0 for the other rules)
    double tau_theta = 100.0;   // ms, bcm: sliding-threshold time constant, >= dt
    double theta_initial = 0.0; // bcm: theta before the first step, >= 0
    double w_min = -std::numeric_limits<double>::infinity();
    double w_max = std::numeric_limits<double>::infinity();

    // Throws ValueError with key `key`.<field> naming the field and the value; `dt_ms` is
    // the simulation step (an Euler step of the BCM threshold must not overshoot).
    void validate(const std::string& key, double dt_ms) const {
        auto check = [&](bool ok, const char* field, const std::string& condition, double value) {
            if (!ok)
                throw ValueError(key + "." + field + ": rate_hebbian " + std::string(rate_hebbian_name(kind)) + " " + field +
                                     " must be " + condition + ", got " + format_number(value),
                                 key + "." + field);
        };
        check(std::isfinite(eta) && eta > 0.0, "eta", "finite and > 0 (1/ms)", eta);
        const bool decays = kind == RateHebbianKind::hebb || kind == RateHebbianKind::anti_hebbian;
        check(std::isfinite(decay) && decay >= 0.0, "decay", "finite and >= 0 (1/ms)", decay);
        check(decays || decay == 0.0, "decay", "0 (only hebb and anti_hebbian decay)", decay);
        check(eta * decay * dt_ms < 1.0, "decay", "below 1/(eta dt) = " + format_number(1.0 / (eta * dt_ms)) +
                                                      " (a larger decay overshoots zero in one step)", decay);
        check(std::isfinite(tau_theta) && tau_theta >= dt_ms, "tau_theta",
              "finite and >= dt = " + format_number(dt_ms) + " ms", tau_theta);
        check(std::isfinite(theta_initial) && theta_initial >= 0.0, "theta_initial", "finite and >= 0", theta_initial);
        check(!std::isnan(w_min) && w_min < std::numeric_limits<double>::infinity(), "w_min", "a number below +inf", w_min);
        check(!std::isnan(w_max) && w_max >= w_min, "w_max", ">= w_min = " + format_number(w_min), w_max);
    }
};

}  // namespace neurodyn::models
