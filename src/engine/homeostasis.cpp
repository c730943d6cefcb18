// Homeostasis in the engine: per-neuron rate estimates, the adapted parameter, and
// synaptic scaling of the stdp weights onto a population (src/engine/homeostasis.hpp).

#include "homeostasis.hpp"

#include <algorithm>
#include <cmath>

#include "neurodyn/core/error.hpp"
#include "neurodyn/core/strings.hpp"
#include "neurodyn/engine/simulator.hpp"
#include "neurodyn/models/registry.hpp"
#include "shard.hpp"

namespace neurodyn {

NeuronHomeostasis::NeuronHomeostasis(const HomeostasisSpec& spec, NeuronGroup& group, int parameter, double dt_ms,
                                     std::vector<std::size_t> scaled_projections)
    : group_(group),
      parameter_(parameter),
      target_rate_(spec.target_rate),
      decay_(std::exp(-dt_ms / spec.tau)),
      // (1 - e^(-dt/tau)) / dt: r_n = sum_k c a^(n - k) S_k has gain c / (1 - a) = 1/dt
      // per spike, so the mean of r over a window is the window's spike count / its length.
      spike_increment_(-std::expm1(-dt_ms / spec.tau) / (dt_ms * 1e-3)),
      // v_thresh rises while the rate is above target; i_offset falls.
      gain_per_step_((spec.kind == HomeostasisSpec::Kind::intrinsic ? -1.0 : 1.0) * spec.eta * dt_ms * 1e-3),
      min_(spec.min),
      max_(spec.max),
      scaling_gain_(spec.eta * spec.interval * 1e-3),
      interval_steps_(spec.kind == HomeostasisSpec::Kind::synaptic_scaling ? steps_from_ms(spec.interval, dt_ms) : 0),
      // Starting at the target, the estimate moves nothing before the neuron has fired (or
      // stayed silent) for about tau.
      rate_(group.size(), spec.target_rate),
      arrivals_(group.size(), 0.0),
      scaled_projections_(std::move(scaled_projections)) {}

Step NeuronHomeostasis::after_step(Step step, std::span<const std::uint32_t> spiked) {
    const std::size_t n = rate_.size();
    double* rate = rate_.data();
    double* arrivals = arrivals_.data();
    for (const std::uint32_t i : spiked) arrivals[i] = spike_increment_;
    const double decay = decay_;
    if (parameter_ < 0) {
        for (std::size_t i = 0; i < n; ++i) {
            rate[i] = decay * rate[i] + arrivals[i];
            arrivals[i] = 0.0;
        }
    } else {
        // theta <- clip(theta + gain (r - target)): an integral controller of the rate.
        double* value = group_.param(static_cast<std::size_t>(parameter_)).data();
        const double gain = gain_per_step_, target = target_rate_, low = min_, high = max_;
        for (std::size_t i = 0; i < n; ++i) {
            rate[i] = decay * rate[i] + arrivals[i];
            arrivals[i] = 0.0;
            value[i] = std::min(std::max(value[i] + gain * (rate[i] - target), low), high);
        }
        group_.refresh_derived(static_cast<std::size_t>(parameter_));
    }
    // Synaptic scaling at t = k interval, the end of step m = k interval / dt - 1.
    if (interval_steps_ == 0 || (step + 1) % interval_steps_ != 0) return kNoPendingScaling;
    PendingScaling scaling{step, std::vector<double>(n)};
    for (std::size_t i = 0; i < n; ++i) scaling.factor[i] = std::max(0.0, 1.0 + scaling_gain_ * (target_rate_ - rate[i]));
    pending_.push_back(std::move(scaling));
    return step;
}

void attach_homeostasis(const NetworkSpec& spec, Shard& shard) {
    for (GroupSlot& slot : shard.groups) {
        const PopulationSpec& pop = spec.populations[slot.population];
        const HomeostasisSpec& rule = pop.homeostasis;
        if (rule.kind == HomeostasisSpec::Kind::none) continue;
        const std::string parameter = homeostasis_parameter(rule.kind);
        int index = -1;
        if (!parameter.empty()) {
            index = slot.group->info().param_index(parameter);
            // Only this group gives up the homogeneous fast path: its neurons' parameter drifts apart.
            slot.group->keep_params_per_neuron();
        }
        std::vector<std::size_t> scaled;
        if (rule.kind == HomeostasisSpec::Kind::synaptic_scaling)
            for (std::size_t k = 0; k < shard.stdp_projection.size(); ++k) {
                const ProjectionSpec& proj = spec.projections[shard.stdp_projection[k]];
                if (proj.target == pop.name && proj.receptor == "excitatory") scaled.push_back(k);
            }
        slot.homeostasis =
            std::make_unique<NeuronHomeostasis>(rule, *slot.group, index, spec.simulation.dt, std::move(scaled));
    }
}

void Shard::homeostasis_step(GroupSlot& slot, Step step) {
    next_scaling_step = std::min(next_scaling_step, slot.homeostasis->after_step(step, slot.spiked));
}

void Shard::apply_scalings(Step up_to) {
    // The scalings of one population are applied in step order; those of different
    // populations change different projections, so their relative order does not matter.
    Step next = kNoPendingScaling;
    for (GroupSlot& slot : groups) {
        if (!slot.homeostasis) continue;
        auto& pending = slot.homeostasis->pending();
        while (!pending.empty() && pending.front().step <= up_to) {
            for (const std::size_t k : slot.homeostasis->scaled_projections())
                stdp[k].scale_weights(pending.front().factor, pending.front().step);
            pending.pop_front();
        }
        if (!pending.empty()) next = std::min(next, pending.front().step);
    }
    next_scaling_step = next;
}

std::vector<double> Simulator::get_param(const std::string& population_name, const std::string& parameter) const {
    const PopulationLayout& pop = population(population_name);
    const std::size_t p = static_cast<std::size_t>(&pop - layout_.data());
    const ModelInfo& model = find_model(pop.model);
    const int index = model.param_index(parameter);
    if (index < 0) {
        const auto names = model.param_names();
        throw KeyError("'" + parameter + "' is not a parameter of " + std::string(model.name) +
                       did_you_mean(parameter, names) + (names.empty() ? " (it has none)" : " (parameters: " + join(names) + ")"));
    }
    return gather_population(p, [&](const GroupSlot& slot) { return slot.group->param(static_cast<std::size_t>(index)); });
}

std::vector<double> Simulator::homeostasis_rates(const std::string& population_name) const {
    const PopulationLayout& pop = population(population_name);
    const std::size_t p = static_cast<std::size_t>(&pop - layout_.data());
    if (spec_.populations[p].homeostasis.kind == HomeostasisSpec::Kind::none)
        throw ValueError("population '" + pop.name + "' has no homeostasis, so no rate estimate", population_key(p) + ".homeostasis");
    return gather_population(p, [](const GroupSlot& slot) { return slot.homeostasis->rates(); });
}

}  // namespace neurodyn
