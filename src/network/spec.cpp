#include "neurodyn/network/spec.hpp"

#include <cmath>
#include <limits>
#include <set>

#include "neurodyn/core/error.hpp"
#include "neurodyn/core/strings.hpp"
#include "neurodyn/core/time.hpp"
#include "neurodyn/models/registry.hpp"

namespace neurodyn {

std::string population_key(std::size_t index) { return "population[" + std::to_string(index) + "]"; }
std::string projection_key(std::size_t index) { return "projection[" + std::to_string(index) + "]"; }
std::string stimulus_key(std::size_t index) { return "stimulus[" + std::to_string(index) + "]"; }
std::string recorder_key(std::size_t index) { return "record[" + std::to_string(index) + "]"; }

std::string connector_kind_name(ConnectorSpec::Kind kind) {
    switch (kind) {
        case ConnectorSpec::Kind::all_to_all: return "all_to_all";
        case ConnectorSpec::Kind::one_to_one: return "one_to_one";
        case ConnectorSpec::Kind::fixed_probability: return "fixed_probability";
        case ConnectorSpec::Kind::fixed_number_pre: return "fixed_number_pre";
        case ConnectorSpec::Kind::fixed_number_post: return "fixed_number_post";
        case ConnectorSpec::Kind::from_list: return "from_list";
        case ConnectorSpec::Kind::fixed_total_number: return "fixed_total_number";
    }
    return "?";
}

std::string stimulus_kind_name(StimulusSpec::Kind kind) {
    switch (kind) {
        case StimulusSpec::Kind::poisson: return "poisson";
        case StimulusSpec::Kind::dc: return "dc";
        case StimulusSpec::Kind::step_current: return "step_current";
        case StimulusSpec::Kind::ac: return "ac";
        case StimulusSpec::Kind::noisy_current: return "noisy_current";
    }
    return "?";
}

int NetworkSpec::population_index(const std::string& name) const {
    for (std::size_t i = 0; i < populations.size(); ++i)
        if (populations[i].name == name) return static_cast<int>(i);
    return -1;
}

namespace {

void require(bool condition, const std::string& key, const std::string& message) {
    if (!condition) throw ValueError(key + ": " + message, key);
}

void require_finite(double value, const std::string& key, const std::string& what) {
    if (!std::isfinite(value)) throw ValueError(key + ": " + what + " must be a finite number, got " + format_number(value), key);
}

std::vector<std::string> population_names(const NetworkSpec& spec) {
    std::vector<std::string> names;
    for (const auto& p : spec.populations) names.push_back(p.name);
    return names;
}

// The population a reference names, or a KeyError with a suggestion.
const PopulationSpec& find_population(const NetworkSpec& spec, const std::string& name, const std::string& key) {
    const int index = spec.population_index(name);
    if (index < 0) {
        const auto names = population_names(spec);
        throw KeyError(key + ": unknown population '" + name + "'" + did_you_mean(name, names) +
                           (names.empty() ? std::string(" (no populations are defined)")
                                          : " (populations: " + join(names) + ")"),
                       key);
    }
    return spec.populations[static_cast<std::size_t>(index)];
}

const ModelInfo& model_of(const PopulationSpec& population, const std::string& key) {
    try {
        return find_model(population.model);
    } catch (const KeyError& e) {
        throw KeyError(key + ".model: " + e.what(), key + ".model");
    }
}

void check_bound(const FieldInfo& field, const ValueSpec& value, const std::string& model, const std::string& key) {
    const std::string unit = field.unit.empty() ? "" : " " + std::string(field.unit);
    const double low = value.min_possible();
    const bool violates = (field.bound == Bound::positive && !(low > 0.0)) ||
                          (field.bound == Bound::non_negative && !(low >= 0.0));
    if (!violates) return;
    const std::string condition(bound_text(field.bound));
    if (value.is_distribution())
        throw ValueError(key + ": " + model + ": " + std::string(field.name) + " must be " + condition + unit + ", but " +
                             value.describe() + " can produce " + format_number(low) +
                             "; use a distribution that stays in range (e.g. normal_clipped)",
                         key);
    throw ValueError(key + ": " + model + ": " + std::string(field.name) + " must be " + condition + unit + ", got " +
                         format_number(low) + unit,
                     key);
}

void check_indices(const std::vector<std::uint32_t>& neurons, std::uint64_t size, const std::string& key,
                   const std::string& population) {
    std::vector<bool> seen(neurons.empty() ? 0 : size, false);
    for (std::size_t i = 0; i < neurons.size(); ++i) {
        if (neurons[i] >= size)
            throw ValueError(key + ": neuron index " + std::to_string(neurons[i]) + " is out of range for population '" +
                                 population + "' of size " + std::to_string(size),
                             key);
        if (seen[neurons[i]])
            throw ValueError(key + ": neuron index " + std::to_string(neurons[i]) + " is listed twice", key);
        seen[neurons[i]] = true;
    }
}

void validate_population(const NetworkSpec& spec, std::size_t index) {
    const PopulationSpec& pop = spec.populations[index];
    const std::string key = population_key(index);
    require(!pop.name.empty(), key + ".name", "a population needs a non-empty name");
    for (std::size_t j = 0; j < index; ++j)
        if (spec.populations[j].name == pop.name)
            throw ValueError(key + ".name: population name '" + pop.name + "' is used twice (also " + population_key(j) + ")",
                             key + ".name");
    const ModelInfo& model = model_of(pop, key);
    require(pop.size >= 1, key + ".size", "size must be >= 1, got " + std::to_string(pop.size));
    require(pop.size <= std::numeric_limits<std::uint32_t>::max(), key + ".size",
            "size must be < 2^32 neurons, got " + std::to_string(pop.size));

    std::set<std::string> seen;
    for (const auto& [name, value] : pop.params) {
        const std::string pkey = key + ".params." + name;
        const int p = model.param_index(name);
        if (p < 0) {
            const auto names = model.param_names();
            throw KeyError(pkey + ": unknown parameter '" + name + "' for " + std::string(model.name) +
                               did_you_mean(name, names) +
                               (names.empty() ? " (it has no parameters)" : " (parameters: " + join(names) + ")"),
                           pkey);
        }
        require(seen.insert(name).second, pkey, "parameter '" + name + "' is given twice");
        value.validate(pkey, pop.size);
        check_bound(model.params[static_cast<std::size_t>(p)], value, std::string(model.name), pkey);
    }
    seen.clear();
    for (const auto& [name, value] : pop.initial) {
        const std::string skey = key + ".initial." + name;
        const int s = model.state_index(name);
        if (s < 0) {
            const auto names = model.state_names();
            throw KeyError(skey + ": unknown state variable '" + name + "' for " + std::string(model.name) +
                               did_you_mean(name, names) +
                               (names.empty() ? " (it has no state variables)" : " (state variables: " + join(names) + ")"),
                           skey);
        }
        require(seen.insert(name).second, skey, "initial value of '" + name + "' is given twice");
        value.validate(skey, pop.size);
        check_bound(model.state[static_cast<std::size_t>(s)], value, std::string(model.name), skey);
    }
    const bool is_array_source = model.name == "SpikeSourceArray";
    if (!is_array_source && !pop.spike_times.empty())
        throw KeyError(key + ".spike_times: only SpikeSourceArray takes spike_times, not " + std::string(model.name),
                       key + ".spike_times");
    if (is_array_source) {
        const auto& lists = pop.spike_times;
        require(lists.size() <= 1 || lists.size() == pop.size, key + ".spike_times",
                "needs one list shared by all neurons or one list per neuron (" + std::to_string(pop.size) + "), got " +
                    std::to_string(lists.size()) + " lists");
        for (const auto& list : lists)
            for (double t : list) {
                require(std::isfinite(t) && t >= spec.simulation.dt * (1.0 - 1e-9), key + ".spike_times",
                        "spike time " + format_number(t) + " ms must be a finite time >= dt (" +
                            format_number(spec.simulation.dt) + " ms), the end of the first step");
            }
    }
}

// STDP: the rule's parameters, the delay model, and constant initial weights within the
// bounds (weights drawn or listed are checked per synapse when the network is built).
void validate_stdp(const ProjectionSpec& proj, const std::string& key) {
    const SynapseSpec& synapse = proj.synapse;
    switch (synapse.timing_kind) {
        case models::StdpTimingKind::spike_pair: synapse.timing.validate(key + ".timing"); break;
        case models::StdpTimingKind::triplet: synapse.triplet.validate(key + ".timing"); break;
        case models::StdpTimingKind::vogels_sprekeler: synapse.vogels_sprekeler.validate(key + ".timing"); break;
        case models::StdpTimingKind::dopamine: synapse.dopamine.validate(key + ".timing"); break;
    }
    if (synapse.timing_kind == models::StdpTimingKind::spike_pair) {
        synapse.weight_dependence.validate(key + ".weight_dependence");
    } else {
        // The triplet, Vogels–Sprekeler and dopamine rules change the weight's magnitude by
        // amounts in weight units and clip it (NEST's stdp_triplet_synapse,
        // vogels_sprekeler_synapse, stdp_dopamine_synapse):
        // the additive dependence's bounds are all they use. As NEST's Wmax, the bounds may
        // be negative (inhibition onto current-based neurons): potentiation then makes the
        // weight more negative. They may not straddle 0.
        const models::WeightDependence& wd = synapse.weight_dependence;
        const std::string rule = models::stdp_timing_name(synapse.timing_kind);
        require(wd.kind == models::WeightDependenceKind::additive, key + ".weight_dependence",
                "the " + rule +
                    " rule changes weights by amounts in weight units clipped to [w_min, w_max]; it takes the "
                    "additive weight dependence only, got " +
                    models::weight_dependence_name(wd.kind));
        require(std::isfinite(wd.w_max), key + ".weight_dependence.w_max",
                "the " + rule + " rule's w_max must be a finite weight, got " + format_number(wd.w_max));
        require(std::isfinite(wd.w_min) && wd.w_min < wd.w_max, key + ".weight_dependence.w_min",
                "the " + rule + " rule's w_min must be a finite weight < w_max (" + format_number(wd.w_max) + "), got " +
                    format_number(wd.w_min));
        require(wd.w_min >= 0.0 || wd.w_max <= 0.0, key + ".weight_dependence.w_min",
                "the " + rule + " rule's bounds [w_min, w_max] = [" + format_number(wd.w_min) + ", " +
                    format_number(wd.w_max) +
                    "] must not straddle 0 (all weights >= 0, or all <= 0 for negative inhibitory weights, whose "
                    "magnitude potentiation increases)");
    }
    require(synapse.dendritic_delay_fraction == 1.0, key + ".dendritic_delay_fraction",
            "only 1 is supported (the whole delay is dendritic, as in NEST: the postsynaptic spike reaches the "
            "synapse one delay after it is emitted), got " +
                format_number(synapse.dendritic_delay_fraction) +
                "; an axonal part would need postsynaptic spikes that have not happened when the presynaptic "
                "spike is delivered");
    const double w_min = synapse.weight_dependence.w_min, w_max = synapse.weight_dependence.w_max;
    const bool listed_weights = proj.connector.kind == ConnectorSpec::Kind::from_list && !proj.connector.list_weights.empty();
    if (proj.weight.is_constant() && !listed_weights) {
        const double w = proj.weight.constant();
        require(w >= w_min && w <= w_max, key.substr(0, key.rfind('.')) + ".weight",
                "the initial weight " + format_number(w) + " of an stdp synapse must lie in [w_min, w_max] = [" +
                    format_number(w_min) + ", " + format_number(w_max) + "]");
    }
}

// The modulator an stdp synapse reads: required by the dopamine rule, optional for the
// pair rule (it scales the depression), refused by the others.
void validate_synapse_modulator(const NetworkSpec& spec, const SynapseSpec& synapse, const std::string& key) {
    const std::string rule = models::stdp_timing_name(synapse.timing_kind);
    const bool takes = synapse.timing_kind == models::StdpTimingKind::dopamine ||
                       synapse.timing_kind == models::StdpTimingKind::spike_pair;
    if (synapse.modulator.empty()) {
        require(synapse.timing_kind != models::StdpTimingKind::dopamine, key + ".modulator",
                "the dopamine rule needs a modulator (the name of one of the network's modulators)");
        return;
    }
    require(takes, key + ".modulator",
            "the " + rule + " rule takes no modulator (only the dopamine and spike_pair rules do), got '" +
                synapse.modulator + "'");
    std::vector<std::string> names;
    for (const ModulatorSpec& m : spec.modulators) {
        if (m.name == synapse.modulator) return;
        names.push_back(m.name);
    }
    throw KeyError(key + ".modulator: unknown modulator '" + synapse.modulator + "'" +
                       did_you_mean(synapse.modulator, names) + " (modulators: " +
                       (names.empty() ? std::string("none") : join(names)) + ")",
                   key + ".modulator");
}

void validate_modulator(const NetworkSpec& spec, std::size_t index) {
    const ModulatorSpec& m = spec.modulators[index];
    const std::string key = "modulator[" + std::to_string(index) + "]";
    require(!m.name.empty(), key + ".name", "a modulator needs a non-empty name");
    for (std::size_t j = 0; j < index; ++j)
        require(spec.modulators[j].name != m.name, key + ".name",
                "the name '" + m.name + "' is already used by modulator[" + std::to_string(j) + "]");
    require(std::isfinite(m.tau) && m.tau > 0.0, key + ".tau", "tau must be > 0 ms, got " + format_number(m.tau));
    require_finite(m.baseline, key + ".baseline", "baseline");
    require_finite(m.initial, key + ".initial", "initial");
    for (std::size_t k = 0; k < m.sources.size(); ++k) {
        const std::string source_key = key + ".sources." + m.sources[k].first;
        find_population(spec, m.sources[k].first, source_key);
        require_finite(m.sources[k].second, source_key, "the jump per spike");
        for (std::size_t j = 0; j < k; ++j)
            require(m.sources[j].first != m.sources[k].first, source_key, "population listed twice");
    }
    require(m.release_times.size() == m.release_amounts.size(), key + ".release_amounts",
            "one amount per release time: " + std::to_string(m.release_times.size()) + " times, " +
                std::to_string(m.release_amounts.size()) + " amounts");
    for (std::size_t k = 0; k < m.release_times.size(); ++k) {
        require(std::isfinite(m.release_times[k]) && m.release_times[k] >= 0.0,
                key + ".release_times[" + std::to_string(k) + "]",
                "a release time must be a finite time >= 0 ms, got " + format_number(m.release_times[k]));
        require_finite(m.release_amounts[k], key + ".release_amounts[" + std::to_string(k) + "]", "a release amount");
    }
}

void validate_synapse(const SynapseSpec& synapse, const std::string& key) {
    if (synapse.kind != SynapseSpec::Kind::tsodyks_markram) return;
    require(std::isfinite(synapse.U) && synapse.U > 0.0 && synapse.U <= 1.0, key + ".U",
            "U must be in (0, 1], got " + format_number(synapse.U));
    require(std::isfinite(synapse.tau_rec) && synapse.tau_rec > 0.0, key + ".tau_rec",
            "tau_rec must be > 0 ms, got " + format_number(synapse.tau_rec));
    require(std::isfinite(synapse.tau_facil) && synapse.tau_facil >= 0.0, key + ".tau_facil",
            "tau_facil must be >= 0 ms (0: no facilitation), got " + format_number(synapse.tau_facil));
}

void validate_projection(const NetworkSpec& spec, std::size_t index) {
    const ProjectionSpec& proj = spec.projections[index];
    const std::string key = projection_key(index);
    validate_synapse(proj.synapse, key + ".synapse");
    if (proj.synapse.kind == SynapseSpec::Kind::rate_hebbian) {
        proj.synapse.rate_hebbian.validate(key + ".synapse", spec.simulation.dt);
        for (const auto& [side, name] : {std::pair{"source", proj.source}, std::pair{"target", proj.target}}) {
            const ModelInfo& model = find_model(find_population(spec, name, key + "." + side).model);
            if (model.port_kind != PortKind::rate)
                throw ValueError(key + ".synapse: rate_hebbian plasticity correlates rate outputs; the " + side +
                                     " population '" + name + "' is " + std::string(model.name) +
                                     ", not made of rate units (e.g. LeakyRate)",
                                 key + ".synapse");
        }
    }
    if ((proj.synapse.kind == SynapseSpec::Kind::stdp || proj.synapse.kind == SynapseSpec::Kind::tsodyks_markram) &&
        find_model(find_population(spec, proj.source, key + ".source").model).port_kind == PortKind::rate)
        throw ValueError(key + ".synapse: " +
                             (proj.synapse.kind == SynapseSpec::Kind::stdp ? "spike-timing-dependent plasticity"
                                                                           : "short-term plasticity") +
                             " acts on spikes; the source population '" + proj.source + "' is made of rate units",
                         key + ".synapse");
    if (proj.synapse.kind == SynapseSpec::Kind::stdp) {
        validate_stdp(proj, key + ".synapse");
        validate_synapse_modulator(spec, proj.synapse, key + ".synapse");
        const ModelInfo& post_model = find_model(find_population(spec, proj.target, key + ".target").model);
        if (post_model.port_kind == PortKind::rate)
            throw ValueError(key + ".synapse: spike-timing-dependent plasticity needs postsynaptic spikes; the target "
                                 "population '" + proj.target + "' is made of rate units",
                             key + ".synapse");
    }
    const PopulationSpec& source = find_population(spec, proj.source, key + ".source");
    const PopulationSpec& target = find_population(spec, proj.target, key + ".target");
    const ModelInfo& target_model = find_model(target.model);
    if (target_model.spike_source)
        throw ValueError(key + ".target: population '" + target.name + "' is a " + std::string(target_model.name) +
                             ", which has no inputs",
                         key + ".target");
    if (target_model.port_index(proj.receptor) < 0) {
        const auto ports = target_model.port_names();
        throw KeyError(key + ".receptor: unknown receptor '" + proj.receptor + "' for " + std::string(target_model.name) +
                           did_you_mean(proj.receptor, ports) + " (receptors: " + join(ports) + ")",
                       key + ".receptor");
    }

    const ConnectorSpec& c = proj.connector;
    const std::string ckey = key + ".connector";
    const bool same = proj.source == proj.target;
    const std::uint64_t n_pre = source.size, n_post = target.size;
    switch (c.kind) {
        case ConnectorSpec::Kind::all_to_all: break;
        case ConnectorSpec::Kind::one_to_one:
            require(n_pre == n_post, ckey, "one_to_one needs populations of equal size, got " + std::to_string(n_pre) +
                                               " and " + std::to_string(n_post));
            break;
        case ConnectorSpec::Kind::fixed_probability:
            require(c.probability >= 0.0 && c.probability <= 1.0, ckey + ".p",
                    "probability must be in [0, 1], got " + format_number(c.probability));
            break;
        case ConnectorSpec::Kind::fixed_number_pre: {
            const std::uint64_t available = n_pre - ((same && !c.allow_autapses) ? 1 : 0);
            require(c.allow_multapses || c.number <= available, ckey + ".n",
                    "fixed_number_pre asks for " + std::to_string(c.number) + " distinct sources per neuron but only " +
                        std::to_string(available) + " are available (set allow_multapses = true or lower n)");
            require(!(c.number > 0 && available == 0), ckey + ".n", "no source is available to connect from");
            break;
        }
        case ConnectorSpec::Kind::fixed_number_post: {
            const std::uint64_t available = n_post - ((same && !c.allow_autapses) ? 1 : 0);
            require(c.allow_multapses || c.number <= available, ckey + ".n",
                    "fixed_number_post asks for " + std::to_string(c.number) + " distinct targets per neuron but only " +
                        std::to_string(available) + " are available (set allow_multapses = true or lower n)");
            require(!(c.number > 0 && available == 0), ckey + ".n", "no target is available to connect to");
            break;
        }
        case ConnectorSpec::Kind::fixed_total_number: {
            // Pairs a synapse may join: every (source, target) but the autapses when refused.
            const std::uint64_t sources_per_target = n_pre - ((same && !c.allow_autapses) ? 1 : 0);
            const std::uint64_t pairs = sources_per_target * n_post;
            require(c.allow_multapses || c.number <= pairs, ckey + ".n",
                    "fixed_total_number asks for " + std::to_string(c.number) + " distinct synapses but only " +
                        std::to_string(pairs) + " pairs are available (set allow_multapses = true or lower n)");
            require(!(c.number > 0 && pairs == 0), ckey + ".n", "no pair of neurons is available to connect");
            break;
        }
        case ConnectorSpec::Kind::from_list:
            for (std::size_t k = 0; k < c.pairs.size(); ++k) {
                const auto [i, j] = c.pairs[k];
                require(i < n_pre && j < n_post, ckey + ".connections",
                        "connection " + std::to_string(k) + " (" + std::to_string(i) + ", " + std::to_string(j) +
                            ") is out of range for populations of size " + std::to_string(n_pre) + " and " +
                            std::to_string(n_post));
            }
            require(c.list_weights.empty() || c.list_weights.size() == c.pairs.size(), ckey + ".connections",
                    "has " + std::to_string(c.list_weights.size()) + " weights for " + std::to_string(c.pairs.size()) +
                        " connections");
            require(c.list_delays.empty() || c.list_delays.size() == c.pairs.size(), ckey + ".connections",
                    "has " + std::to_string(c.list_delays.size()) + " delays for " + std::to_string(c.pairs.size()) +
                        " connections");
            break;
    }

    const double dt = spec.simulation.dt;
    // Weights: an array is an n_source x n_target matrix, as PyNN's array weights.
    const std::string wkey = key + ".weight";
    const std::string list_key = ckey + ".connections";
    proj.weight.validate(wkey, proj.weight.is_array() ? n_pre * n_post : 0);
    for (std::size_t k = 0; k < c.list_weights.size(); ++k)
        require_finite(c.list_weights[k], list_key, "weight of connection " + std::to_string(k));
    for (std::size_t k = 0; k < c.list_delays.size(); ++k)
        require_finite(c.list_delays[k], list_key, "delay of connection " + std::to_string(k));
    const bool conductance = target_model.port_kind == PortKind::conductance;
    if (conductance) {
        const double low = proj.weight.min_possible();
        if (!(low >= 0.0))
            throw ValueError(wkey + ": weights onto the conductance-based " + std::string(target_model.name) +
                                 " must be >= 0 uS (the receptor decides the sign), but " +
                                 (proj.weight.is_distribution() ? proj.weight.describe() + " can produce "
                                                                : std::string("got ")) +
                                 format_number(low),
                             wkey);
        for (std::size_t k = 0; k < c.list_weights.size(); ++k)
            if (!(c.list_weights[k] >= 0.0))
                throw ValueError(list_key + ": weight of connection " + std::to_string(k) + " onto the conductance-based " +
                                     std::string(target_model.name) + " must be >= 0 uS, got " +
                                     format_number(c.list_weights[k]),
                                 list_key);
    }
    for (std::size_t k = 0; k < c.list_delays.size(); ++k)
        if (!(c.list_delays[k] >= dt * (1.0 - 1e-9)))
            throw ValueError(list_key + ": delay of connection " + std::to_string(k) + ", " +
                                 format_number(c.list_delays[k]) + " ms, is shorter than the time step dt = " +
                                 format_number(dt) + " ms; delays must be >= dt",
                             list_key);
    const std::string dkey = key + ".delay";
    proj.delay.validate(dkey, proj.delay.is_array() ? n_pre * n_post : 0);
    const double shortest = proj.delay.min_possible();
    if (!(shortest >= dt * (1.0 - 1e-9)))
        throw ValueError(dkey + ": delay " +
                             (proj.delay.is_distribution() ? proj.delay.describe() + " can produce " +
                                                                 format_number(shortest) + " ms, which is"
                                                           : format_number(shortest) + " ms is") +
                             " shorter than the time step dt = " + format_number(dt) + " ms; delays must be >= dt",
                         dkey);
    require(std::isfinite(proj.delay.max_possible()), dkey,
            "delays must be bounded; " + proj.delay.describe() + " is not (use uniform or normal_clipped)");
}

void validate_stimulus(const NetworkSpec& spec, std::size_t index) {
    const StimulusSpec& stim = spec.stimuli[index];
    const std::string key = stimulus_key(index);
    const PopulationSpec& target = find_population(spec, stim.target, key + ".target");
    const ModelInfo& model = find_model(target.model);
    if (model.spike_source)
        throw ValueError(key + ".target: population '" + target.name + "' is a " + std::string(model.name) +
                             ", which has no inputs",
                         key + ".target");
    check_indices(stim.neurons, target.size, key + ".neurons", target.name);
    require(std::isfinite(stim.start) && stim.start >= 0.0, key + ".start",
            "start must be a finite time >= 0 ms, got " + format_number(stim.start));
    require(std::isfinite(stim.stop) && (stim.stop < 0.0 || stim.stop >= stim.start), key + ".stop",
            "stop must be >= start (" + format_number(stim.start) + " ms), got " + format_number(stim.stop));
    switch (stim.kind) {
        case StimulusSpec::Kind::poisson: {
            require(std::isfinite(stim.rate) && stim.rate >= 0.0, key + ".rate",
                    "rate must be >= 0 Hz, got " + format_number(stim.rate));
            require_finite(stim.weight, key + ".weight", "weight");
            if (model.port_index(stim.receptor) < 0) {
                const auto ports = model.port_names();
                throw KeyError(key + ".receptor: unknown receptor '" + stim.receptor + "' for " + std::string(model.name) +
                                   did_you_mean(stim.receptor, ports) + " (receptors: " + join(ports) + ")",
                               key + ".receptor");
            }
            if (model.port_kind == PortKind::conductance)
                require(stim.weight >= 0.0, key + ".weight",
                        "weights onto the conductance-based " + std::string(model.name) + " must be >= 0 uS, got " +
                            format_number(stim.weight));
            break;
        }
        case StimulusSpec::Kind::dc:
            require_finite(stim.amplitude, key + ".amplitude", "amplitude");
            break;
        case StimulusSpec::Kind::step_current: {
            require(stim.times.size() == stim.amplitudes.size(), key + ".amplitudes",
                    "step_current needs one amplitude per time, got " + std::to_string(stim.amplitudes.size()) +
                        " amplitudes for " + std::to_string(stim.times.size()) + " times");
            const double dt = spec.simulation.dt;
            for (std::size_t i = 0; i < stim.times.size(); ++i) {
                const std::string time_key = key + ".times[" + std::to_string(i) + "]";
                require(std::isfinite(stim.times[i]) && stim.times[i] >= 0.0, time_key,
                        "times must be finite and >= 0 ms, got " + format_number(stim.times[i]));
                // Two changes on one step would silently drop the first: refuse them.
                if (i > 0)
                    require(steps_from_ms(stim.times[i], dt) > steps_from_ms(stim.times[i - 1], dt), time_key,
                            "times must increase by at least one step (dt = " + format_number(dt) + " ms), got " +
                                format_number(stim.times[i - 1]) + " then " + format_number(stim.times[i]) + " ms");
                require_finite(stim.amplitudes[i], key + ".amplitudes[" + std::to_string(i) + "]", "amplitudes");
            }
            break;
        }
        case StimulusSpec::Kind::ac:
            require_finite(stim.amplitude, key + ".amplitude", "amplitude");
            require_finite(stim.offset, key + ".offset", "offset");
            require_finite(stim.phase, key + ".phase", "phase");
            require(std::isfinite(stim.frequency) && stim.frequency >= 0.0, key + ".frequency",
                    "frequency must be >= 0 Hz, got " + format_number(stim.frequency));
            break;
        case StimulusSpec::Kind::noisy_current: {
            require_finite(stim.mean, key + ".mean", "mean");
            require(std::isfinite(stim.stdev) && stim.stdev >= 0.0, key + ".stdev",
                    "stdev must be >= 0 nA, got " + format_number(stim.stdev));
            const double dt = spec.simulation.dt;
            require(std::isfinite(stim.interval) && stim.interval >= 0.0, key + ".dt",
                    "dt must be >= 0 ms (0: the simulation step), got " + format_number(stim.interval));
            // PyNN requires the interval to be a multiple of the step; rounding it would
            // change the noise's spectrum without a word.
            if (stim.interval > 0.0) {
                const double ratio = stim.interval / dt;
                require(std::llround(ratio) >= 1 && std::fabs(ratio - std::llround(ratio)) < 1e-9 * ratio, key + ".dt",
                        "dt must be a multiple of the simulation step " + format_number(dt) + " ms, got " +
                            format_number(stim.interval) + " ms");
            }
            break;
        }
    }
}

// A weights recorder: an stdp projection, distinct synapse indices (their range needs the
// connectivity: checked when the network is built), an interval of whole steps.
void validate_weight_recorder(const NetworkSpec& spec, std::size_t index) {
    const RecorderSpec& rec = spec.recorders[index];
    const std::string key = recorder_key(index);
    require(rec.population.empty() && rec.neurons.empty() && rec.variables.empty(), key + ".population",
            "a weights recorder records a projection's synapses; it takes no population, neurons or variables");
    weight_recorder_projection(spec, index);
    require(!rec.synapses.empty(), key + ".synapses",
            "a weights recorder needs at least one synapse index (in the order of the projection's weights)");
    std::set<std::uint64_t> seen;
    for (const std::uint64_t synapse : rec.synapses)
        require(seen.insert(synapse).second, key + ".synapses", "synapse index " + std::to_string(synapse) + " is listed twice");
    const double dt = spec.simulation.dt;
    require(std::isfinite(rec.interval) && rec.interval > 0.0, key + ".interval",
            "interval must be a finite time > 0 ms, got " + format_number(rec.interval));
    // Samples are taken at step ends; rounding the interval would shift them silently.
    const double steps = rec.interval / dt;
    require(std::llround(steps) >= 1 && std::fabs(steps - static_cast<double>(std::llround(steps))) < 1e-9 * steps,
            key + ".interval",
            "interval must be a whole number of steps (dt = " + format_number(dt) + " ms), got " +
                format_number(rec.interval) + " ms");
}

void validate_recorder(const NetworkSpec& spec, std::size_t index) {
    const RecorderSpec& rec = spec.recorders[index];
    const std::string key = recorder_key(index);
    if (rec.kind == RecorderSpec::Kind::weights) return validate_weight_recorder(spec, index);
    const PopulationSpec& pop = find_population(spec, rec.population, key + ".population");
    const ModelInfo& model = find_model(pop.model);
    check_indices(rec.neurons, pop.size, key + ".neurons", pop.name);
    // A spike recorder on rate units would give an empty result that looks complete.
    if (rec.kind == RecorderSpec::Kind::spikes && model.port_kind == PortKind::rate)
        throw ValueError(key + ".type: population '" + pop.name + "' is a " + std::string(model.name) +
                             ", which emits no spikes; record its state instead (type = \"state\", variables = [\"r\"])",
                         key + ".type");
    if (rec.kind == RecorderSpec::Kind::state) {
        require(!rec.variables.empty(), key + ".variables", "a state recorder needs at least one variable");
        for (const auto& name : rec.variables)
            if (model.state_index(name) < 0) {
                const auto names = model.state_names();
                throw KeyError(key + ".variables: '" + name + "' is not a state variable of " + std::string(model.name) +
                                   did_you_mean(name, names) +
                                   (names.empty() ? " (it has none)" : " (state variables: " + join(names) + ")"),
                               key + ".variables");
            }
        require(std::isfinite(rec.interval) && rec.interval >= 0.0, key + ".interval",
                "interval must be >= 0 ms, got " + format_number(rec.interval));
        require(rec.interval == 0.0 || rec.interval >= spec.simulation.dt * (1.0 - 1e-9), key + ".interval",
                "interval " + format_number(rec.interval) + " ms is shorter than dt = " +
                    format_number(spec.simulation.dt) + " ms");
    }
}

}  // namespace

std::size_t weight_recorder_projection(const NetworkSpec& spec, std::size_t recorder_index) {
    const RecorderSpec& rec = spec.recorders[recorder_index];
    const std::string key = recorder_key(recorder_index) + ".projection";
    auto label = [&](std::size_t p) {
        const ProjectionSpec& proj = spec.projections[p];
        return projection_key(p) + " ('" + (proj.name.empty() ? proj.source + "->" + proj.target : proj.name) + "')";
    };
    std::size_t found = 0;
    if (rec.projection_index >= 0) {
        if (static_cast<std::uint64_t>(rec.projection_index) >= spec.projections.size())
            throw KeyError(key + ": there is no projection " + std::to_string(rec.projection_index) + " (the network has " +
                               std::to_string(spec.projections.size()) + ")",
                           key);
        found = static_cast<std::size_t>(rec.projection_index);
    } else {
        std::vector<std::size_t> matches;
        std::vector<std::string> names;
        for (std::size_t p = 0; p < spec.projections.size(); ++p) {
            const ProjectionSpec& proj = spec.projections[p];
            const std::string name = proj.name.empty() ? proj.source + "->" + proj.target : proj.name;
            if (name == rec.projection) matches.push_back(p);
            names.push_back(name);
        }
        if (matches.empty())
            throw KeyError(key + ": unknown projection '" + rec.projection + "'" + did_you_mean(rec.projection, names) +
                               (names.empty() ? std::string(" (no projections are defined)")
                                              : " (projections: " + join(names) + ")"),
                           key);
        if (matches.size() > 1)
            throw ValueError(key + ": the name '" + rec.projection + "' is shared by " + label(matches[0]) + " and " +
                                 label(matches[1]) + "; give the projection's index instead",
                             key);
        found = matches.front();
    }
    if (!spec.projections[found].synapse.plastic_weights())
        throw ValueError(key + ": " + label(found) + " has fixed weights (synapse type " +
                             (spec.projections[found].synapse.kind == SynapseSpec::Kind::static_synapse ? "static"
                                                                                                        : "tsodyks_markram") +
                             "); only stdp and rate_hebbian projections have weights that change over time",
                         key);
    return found;
}

void NetworkSpec::validate() const {
    const auto& sim = simulation;
    require(std::isfinite(sim.dt) && sim.dt > 0.0, "simulation.dt", "dt must be > 0 ms, got " + format_number(sim.dt));
    require(sim.dt >= 1e-4, "simulation.dt", "dt must be >= 0.0001 ms, got " + format_number(sim.dt));
    require(std::isfinite(sim.duration) && sim.duration >= 0.0, "simulation.duration",
            "duration must be a finite time >= 0 ms, got " + format_number(sim.duration));
    require(populations.size() < kMaxRandomObjectId && projections.size() < kMaxRandomObjectId &&
                stimuli.size() < kMaxRandomObjectId,
            "", "too many populations, projections or stimuli (at most 2^24 - 1 each)");
    for (std::size_t i = 0; i < populations.size(); ++i) validate_population(*this, i);
    for (std::size_t i = 0; i < modulators.size(); ++i) validate_modulator(*this, i);
    for (std::size_t i = 0; i < projections.size(); ++i) validate_projection(*this, i);
    for (std::size_t i = 0; i < stimuli.size(); ++i) validate_stimulus(*this, i);
    for (std::size_t i = 0; i < recorders.size(); ++i) validate_recorder(*this, i);
    // After the projections: synaptic scaling needs the stdp projections onto its population.
    for (std::size_t i = 0; i < populations.size(); ++i) validate_homeostasis(*this, i);
}

}  // namespace neurodyn
