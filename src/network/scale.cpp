// apply_scale: a network at a fraction (or a multiple) of its size, scaled as Potjans &
// Diesmann's reference implementation scales N (neurons) and K (in-degrees).
#include <algorithm>
#include <cmath>
#include <limits>

#include "neurodyn/core/error.hpp"
#include "neurodyn/core/strings.hpp"
#include "neurodyn/network/spec.hpp"

namespace neurodyn {

std::uint64_t scaled_count(std::uint64_t count, double factor) {
    // floor(x + 0.5) for x >= 0 is round-half-away-from-zero; Python's
    // neurodyn.Network(scale=...) uses the same expression, so both give the same sizes.
    const double scaled = std::floor(static_cast<double>(count) * factor + 0.5);
    if (!(scaled < 18446744073709551616.0))  // 2^64
        throw ValueError("scale: " + std::to_string(count) + " x " + format_number(factor) +
                             " does not fit in a 64-bit count",
                         "network.scale");
    return static_cast<std::uint64_t>(scaled);
}

namespace {

[[noreturn]] void refuse(const std::string& key, const std::string& what) {
    throw ValueError(key + ": " + what + " cannot be scaled (network scale != 1); give it as a constant or a "
                         "distribution, or run at scale 1",
                     key);
}

// Everything that is tied to particular neuron indices or to the exact sizes.
void check_scalable(const NetworkSpec& spec) {
    for (std::size_t i = 0; i < spec.populations.size(); ++i) {
        const PopulationSpec& pop = spec.populations[i];
        const std::string key = population_key(i);
        for (const auto& [name, value] : pop.params)
            if (value.is_array()) refuse(key + ".params." + name, "a per-neuron array of values");
        for (const auto& [name, value] : pop.initial)
            if (value.is_array()) refuse(key + ".initial." + name, "a per-neuron array of values");
        // One list shared by every neuron scales; one list per neuron does not.
        if (pop.spike_times.size() > 1) refuse(key + ".spike_times", "one spike-time list per neuron");
    }
    for (std::size_t i = 0; i < spec.projections.size(); ++i) {
        const ProjectionSpec& proj = spec.projections[i];
        const std::string key = projection_key(i);
        if (proj.connector.kind == ConnectorSpec::Kind::from_list)
            refuse(key + ".connector", "a from_list connector (its pairs name neurons)");
        if (proj.weight.is_array()) refuse(key + ".weight", "a per-pair array of weights");
        if (proj.delay.is_array()) refuse(key + ".delay", "a per-pair array of delays");
    }
    for (std::size_t i = 0; i < spec.stimuli.size(); ++i)
        if (!spec.stimuli[i].neurons.empty()) refuse(stimulus_key(i) + ".neurons", "an explicit list of neurons");
    for (std::size_t i = 0; i < spec.recorders.size(); ++i) {
        if (!spec.recorders[i].neurons.empty()) refuse(recorder_key(i) + ".neurons", "an explicit list of neurons");
        // Synapse indices name particular synapses, which scaling regenerates.
        if (!spec.recorders[i].synapses.empty()) refuse(recorder_key(i) + ".synapses", "a list of synapse indices");
    }
}

}  // namespace

void apply_scale(NetworkSpec& spec, double scale) {
    if (!(std::isfinite(scale) && scale > 0.0))
        throw ValueError("network.scale: scale must be a finite number > 0, got " + format_number(scale),
                         "network.scale");
    if (scale == 1.0) return;
    check_scalable(spec);

    // Computed into a copy first, so that a count that does not fit leaves `spec` as it was.
    NetworkSpec scaled = spec;
    for (PopulationSpec& pop : scaled.populations) pop.size = std::max<std::uint64_t>(1, scaled_count(pop.size, scale));
    for (ProjectionSpec& proj : scaled.projections) {
        ConnectorSpec& connector = proj.connector;
        switch (connector.kind) {
            case ConnectorSpec::Kind::fixed_number_pre:
            case ConnectorSpec::Kind::fixed_number_post: connector.number = scaled_count(connector.number, scale); break;
            // n = (targets) x (in-degree): both scale.
            case ConnectorSpec::Kind::fixed_total_number:
                connector.number = scaled_count(connector.number, scale * scale);
                break;
            // In-degree p * n_source, n_source and n_source: they follow the source size.
            case ConnectorSpec::Kind::all_to_all:
            case ConnectorSpec::Kind::one_to_one:
            case ConnectorSpec::Kind::fixed_probability: break;
            case ConnectorSpec::Kind::from_list: break;  // refused above
        }
    }
    scaled.scale *= scale;
    spec = std::move(scaled);
}

}  // namespace neurodyn
