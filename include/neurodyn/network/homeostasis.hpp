#pragma once
// Homeostatic plasticity of a population (docs/plasticity.md, "Homeostasis"): each neuron
// estimates its own firing rate and moves one of its parameters, or the weights of its
// plastic input synapses, so that the rate converges to a target.
//
// Every step n (dt in s), after the neurons have been updated, with S_i = 1 when neuron i
// fired in that step:
//   r_i <- r_i e^(-dt/tau) + S_i (1 - e^(-dt/tau)) / dt          (Hz; r_i(0) = target_rate)
// (the increment is 1/tau to first order; this value makes the mean of r over any long
// window equal the spike count divided by the window, exactly). Then, by type:
//   adaptive_threshold   v_thresh_i <- clip(v_thresh_i + eta dt (r_i - target_rate), min, max)
//   intrinsic            i_offset_i <- clip(i_offset_i - eta dt (r_i - target_rate), min, max)
//   synaptic_scaling     at t = k interval, for every synapse onto neuron i of the stdp
//                        projections onto the population's excitatory receptor:
//                        w <- clip(w max(0, 1 + eta interval (target_rate - r_i)), w_min, w_max)
// The first two are integral controllers (d theta/dt = eta (r - target_rate)); the third is
// the multiplicative synaptic scaling of van Rossum, Bi & Turrigiano (2000),
// dw/dt = eta w (target_rate - r), applied at a fixed interval.

#include <cstddef>
#include <limits>
#include <string>

namespace neurodyn {

struct NetworkSpec;

struct HomeostasisSpec {
    enum class Kind {
        none,                // no homeostasis (the default)
        adaptive_threshold,  // moves v_thresh (models with a v_thresh parameter)
        intrinsic,           // moves the bias current i_offset (models with an i_offset parameter)
        synaptic_scaling,    // scales the stdp weights onto the population, per target neuron
    };
    Kind kind = Kind::none;
    double target_rate = 5.0;  // Hz, >= 0
    // Learning rate, >= 0: mV per (Hz s) for adaptive_threshold, nA per (Hz s) for
    // intrinsic, 1 per (Hz s) for synaptic_scaling (relative weight change per second per Hz).
    double eta = 0.0;
    double tau = 1000.0;  // ms, > 0: time constant of the rate estimate r
    // synaptic_scaling: ms between two scalings, > 0 and a whole number of steps.
    double interval = 1000.0;
    // adaptive_threshold, intrinsic: bounds of the adapted parameter (its unit); none by default.
    double min = -std::numeric_limits<double>::infinity();
    double max = std::numeric_limits<double>::infinity();
};

// "adaptive_threshold", ...; "none" for Kind::none.
std::string homeostasis_kind_name(HomeostasisSpec::Kind kind);

// The name of the parameter a rule adapts ("v_thresh", "i_offset"), or "" for
// synaptic_scaling and none.
std::string homeostasis_parameter(HomeostasisSpec::Kind kind);

// Checks the homeostasis of population `index` of `spec` (called by NetworkSpec::validate
// after the populations and projections have been checked). Throws a ValueError or
// KeyError whose key is e.g. "population[0].homeostasis.eta".
void validate_homeostasis(const NetworkSpec& spec, std::size_t index);

}  // namespace neurodyn
