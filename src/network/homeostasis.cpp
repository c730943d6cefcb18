// Validation of a population's homeostasis (include/neurodyn/network/homeostasis.hpp).

#include "neurodyn/network/homeostasis.hpp"

#include <cmath>
#include <vector>

#include "neurodyn/core/error.hpp"
#include "neurodyn/core/strings.hpp"
#include "neurodyn/models/registry.hpp"
#include "neurodyn/network/spec.hpp"

namespace neurodyn {

std::string homeostasis_kind_name(HomeostasisSpec::Kind kind) {
    switch (kind) {
        case HomeostasisSpec::Kind::none: return "none";
        case HomeostasisSpec::Kind::adaptive_threshold: return "adaptive_threshold";
        case HomeostasisSpec::Kind::intrinsic: return "intrinsic";
        case HomeostasisSpec::Kind::synaptic_scaling: return "synaptic_scaling";
    }
    return "?";
}

std::string homeostasis_parameter(HomeostasisSpec::Kind kind) {
    switch (kind) {
        case HomeostasisSpec::Kind::adaptive_threshold: return "v_thresh";
        case HomeostasisSpec::Kind::intrinsic: return "i_offset";
        default: return "";
    }
}

namespace {

void require(bool condition, const std::string& key, const std::string& message) {
    if (!condition) throw ValueError(key + ": " + message, key);
}

// Models that have parameter `name` and emit spikes: what a rule adapting it can act on.
std::string models_with(const std::string& name) {
    std::vector<std::string> names;
    for (const ModelInfo* model : all_models())
        if (!model->spike_source && model->port_kind != PortKind::rate && model->param_index(name) >= 0)
            names.emplace_back(model->name);
    return join(names);
}

}  // namespace

void validate_homeostasis(const NetworkSpec& spec, std::size_t index) {
    const PopulationSpec& pop = spec.populations[index];
    const HomeostasisSpec& h = pop.homeostasis;
    if (h.kind == HomeostasisSpec::Kind::none) return;
    const std::string key = population_key(index) + ".homeostasis";
    const std::string type = homeostasis_kind_name(h.kind);
    const ModelInfo& model = find_model(pop.model);
    // The rate estimate counts spikes: spike sources have no dynamics to adapt, rate units no spikes.
    require(!model.spike_source, key + ".type",
            type + " homeostasis adapts neurons; population '" + pop.name + "' is a " + std::string(model.name) +
                ", a spike source");
    require(model.port_kind != PortKind::rate, key + ".type",
            type + " homeostasis follows each neuron's spike rate; population '" + pop.name + "' is made of " +
                std::string(model.name) + " rate units, which emit no spikes");
    const std::string parameter = homeostasis_parameter(h.kind);
    if (!parameter.empty())
        require(model.param_index(parameter) >= 0, key + ".type",
                type + " homeostasis moves " + parameter + ", which " + std::string(model.name) +
                    " does not have (models with it: " + models_with(parameter) + ")");

    require(std::isfinite(h.target_rate) && h.target_rate >= 0.0, key + ".target_rate",
            "target_rate must be >= 0 Hz, got " + format_number(h.target_rate));
    const std::string eta_unit = h.kind == HomeostasisSpec::Kind::adaptive_threshold ? "mV/(Hz s)"
                                 : h.kind == HomeostasisSpec::Kind::intrinsic         ? "nA/(Hz s)"
                                                                                      : "1/(Hz s)";
    require(std::isfinite(h.eta) && h.eta >= 0.0, key + ".eta",
            "eta must be >= 0 " + eta_unit + ", got " + format_number(h.eta));
    require(std::isfinite(h.tau) && h.tau > 0.0, key + ".tau",
            "tau (the rate estimate's time constant) must be > 0 ms, got " + format_number(h.tau));

    if (h.kind == HomeostasisSpec::Kind::synaptic_scaling) {
        const double dt = spec.simulation.dt;
        require(std::isfinite(h.interval) && h.interval > 0.0, key + ".interval",
                "interval must be > 0 ms, got " + format_number(h.interval));
        // A whole number of steps, as noisy_current's dt: rounding would change the rule's rate.
        const double ratio = h.interval / dt;
        require(std::llround(ratio) >= 1 && std::fabs(ratio - static_cast<double>(std::llround(ratio))) < 1e-9 * ratio,
                key + ".interval",
                "interval must be a multiple of the time step dt = " + format_number(dt) + " ms, got " +
                    format_number(h.interval) + " ms");
        require(std::isinf(h.min) && h.min < 0.0, key + ".min",
                "min and max bound the parameter of adaptive_threshold and intrinsic homeostasis; synaptic_scaling "
                "keeps each weight within its stdp rule's [w_min, w_max]");
        require(std::isinf(h.max) && h.max > 0.0, key + ".max",
                "min and max bound the parameter of adaptive_threshold and intrinsic homeostasis; synaptic_scaling "
                "keeps each weight within its stdp rule's [w_min, w_max]");
        bool scaled = false;
        for (std::size_t p = 0; p < spec.projections.size(); ++p) {
            const ProjectionSpec& proj = spec.projections[p];
            if (proj.target != pop.name || proj.synapse.kind != SynapseSpec::Kind::stdp || proj.receptor != "excitatory")
                continue;
            scaled = true;
            // Multiplicative scaling moves a weight towards 0 or away from it: with negative
            // weights it would turn excitation up when the rate is too high.
            const double w_min = proj.synapse.weight_dependence.w_min;
            require(w_min >= 0.0, key + ".type",
                    "synaptic_scaling multiplies the weights of " + projection_key(p) + " ('" + proj.name +
                        "'), whose bounds must be >= 0; its w_min is " + format_number(w_min));
        }
        require(scaled, key + ".type",
                "synaptic_scaling scales the stdp projections onto the excitatory receptor of population '" + pop.name +
                    "', and it has none (connect one with synapse type stdp first)");
        return;
    }

    require(!std::isnan(h.min), key + ".min", "min must be a number, got NaN");
    require(!std::isnan(h.max), key + ".max", "max must be a number, got NaN");
    require(h.min < h.max, key + ".max",
            "max must be > min (" + format_number(h.min) + "), got " + format_number(h.max));
    // The parameter's initial values must lie within the bounds: they are not clipped silently.
    const int p = model.param_index(parameter);
    double low = model.params[static_cast<std::size_t>(p)].default_value, high = low;
    std::string where = "its default " + format_number(low);
    for (const auto& [name, value] : pop.params)
        if (name == parameter) {
            low = value.min_possible();
            high = value.max_possible();
            where = value.describe();
        }
    require(low >= h.min, key + ".min",
            "min must not exceed the initial " + parameter + " (" + where + ", as low as " + format_number(low) +
                "), got " + format_number(h.min));
    require(high <= h.max, key + ".max",
            "max must not be below the initial " + parameter + " (" + where + ", as high as " + format_number(high) +
                "), got " + format_number(h.max));
}

}  // namespace neurodyn
