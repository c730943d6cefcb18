#include "neurodyn/engine/simulator.hpp"

#include <sys/resource.h>

#include <algorithm>
#include <cmath>
#include <exception>
#include <fstream>
#include <numbers>
#include <numeric>
#include <sstream>

#include "neurodyn/core/error.hpp"
#include "neurodyn/core/random.hpp"
#include "neurodyn/core/strings.hpp"
#include "neurodyn/models/registry.hpp"
#include "neurodyn/models/spike_source_array.hpp"
#include "neurodyn/models/spike_source_poisson.hpp"
#include "neurodyn/network/connectivity.hpp"
#include "shard.hpp"

namespace neurodyn {

namespace {

using Clock = std::chrono::steady_clock;
double seconds_since(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

// Group-local ids of the neurons in [first, first + size) that `selection` names
// (population-local ids; empty = all).
std::vector<std::uint32_t> local_selection(const std::vector<std::uint32_t>& selection, std::uint32_t first,
                                           std::uint32_t size) {
    std::vector<std::uint32_t> local;
    if (selection.empty()) {
        local.resize(size);
        std::iota(local.begin(), local.end(), 0u);
        return local;
    }
    for (const std::uint32_t id : selection)
        if (id >= first && id < first + size) local.push_back(id - first);
    std::sort(local.begin(), local.end());
    return local;
}

std::string format_bytes(double bytes) {
    std::ostringstream out;
    out.precision(3);
    if (bytes >= 1e9)
        out << bytes / 1e9 << " GB";
    else
        out << bytes / 1e6 << " MB";
    return out.str();
}

// Creates and prepares the neurons [first, last) of population p: parameters and
// initial values from the spec (random ones from per-neuron streams), then the model's
// checks. Errors name the key of the offending parameter.
std::unique_ptr<NeuronGroup> make_group(const NetworkSpec& spec, std::size_t p, std::uint32_t first, std::uint32_t last) {
    const PopulationSpec& pop = spec.populations[p];
    const ModelInfo& model = find_model(pop.model);
    const std::uint64_t seed = spec.simulation.seed;
    auto made = model.create(last - first, first);
    NeuronGroup& group = *made;
    group.set_random_domain(random_domain(RandomPurpose::spike_source, static_cast<std::uint32_t>(p)));
    for (const auto& [name, value] : pop.params) {
        const int index = model.param_index(name);
        value.fill(group.param(static_cast<std::size_t>(index)), first, seed,
                   random_domain(RandomPurpose::parameter, static_cast<std::uint32_t>(p)), static_cast<std::uint32_t>(index));
    }
    for (const auto& [name, value] : pop.initial) {
        const int index = model.state_index(name);
        value.fill(group.state(static_cast<std::size_t>(index)), first, seed,
                   random_domain(RandomPurpose::initial_state, static_cast<std::uint32_t>(p)),
                   static_cast<std::uint32_t>(index));
    }
    if (auto* array_source = dynamic_cast<models::SpikeSourceArray*>(&group)) {
        if (pop.spike_times.size() <= 1) {
            array_source->set_spike_times(pop.spike_times.empty() ? std::vector<std::vector<double>>{{}} : pop.spike_times);
        } else {
            array_source->set_spike_times(
                std::vector<std::vector<double>>(pop.spike_times.begin() + first, pop.spike_times.begin() + last));
        }
    }
    try {
        group.prepare(spec.simulation.dt);
    } catch (const ValueError& e) {
        const std::string field = e.key();
        const std::string key = population_key(p) + (field == "spike_times"              ? ".spike_times"
                                                     : model.param_index(field) >= 0 ? ".params." + field
                                                                                     : ".initial." + field);
        throw ValueError(key + ": " + e.what(), key);
    }
    return made;
}

}  // namespace

void check_network(const NetworkSpec& spec) {
    spec.validate();
    for (std::size_t p = 0; p < spec.populations.size(); ++p)
        make_group(spec, p, 0, static_cast<std::uint32_t>(spec.populations[p].size));
}

double available_memory_bytes() {
    std::ifstream meminfo("/proc/meminfo");
    std::string key;
    double kib = 0.0;
    std::string unit;
    while (meminfo >> key >> kib >> unit)
        if (key == "MemAvailable:") return kib * 1024.0;
    return 0.0;
}

double peak_resident_bytes() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return static_cast<double>(usage.ru_maxrss) * 1024.0;  // Linux reports KiB
}

Simulator::Simulator(NetworkSpec spec, BuildOptions options) : spec_(std::move(spec)) {
    spec_.validate();
    if (options.threads < 1) throw ValueError("the number of threads must be >= 1, got 0", "threads");
    if (options.shards < 1) throw ValueError("the number of shards must be >= 1, got 0", "shards");
    threads_ = static_cast<int>(std::min(options.threads, options.shards));
    const auto start = Clock::now();
    build(options);
    build_seconds_ = seconds_since(start);
}

Simulator::~Simulator() = default;

void Simulator::build(const BuildOptions& options) {
    const double dt = spec_.simulation.dt;

    // Global ids: populations laid end to end in the order they are declared.
    std::uint64_t next_id = 0;
    for (const auto& pop : spec_.populations) {
        layout_.push_back({pop.name, pop.model, static_cast<std::uint32_t>(pop.size), static_cast<std::uint32_t>(next_id)});
        next_id += pop.size;
    }
    if (next_id > UINT32_MAX) throw ValueError("the network has " + std::to_string(next_id) + " neurons; at most 2^32 - 1 are supported");
    total_neurons_ = static_cast<std::uint32_t>(next_id);
    for (const ModulatorSpec& m : spec_.modulators) {
        std::vector<double> weight_by_population(spec_.populations.size(), 0.0);
        for (const auto& [population, weight] : m.sources)
            weight_by_population[static_cast<std::size_t>(spec_.population_index(population))] = weight;
        modulators_.push_back(std::make_unique<ModulatorSignal>(m, dt, std::move(weight_by_population)));
    }

    // Delays fix the epoch (min delay) and the ring buffer length (max + min delay).
    Step min_delay = 0, max_delay = 0;
    for (std::size_t p = 0; p < spec_.projections.size(); ++p) {
        const auto& proj = spec_.projections[p];
        const std::string key = projection_key(p) + ".delay";
        double low = proj.delay.min_possible(), high = proj.delay.max_possible();
        for (double d : proj.connector.list_delays) {
            low = std::min(low, d);
            high = std::max(high, d);
        }
        const Step lo = delay_steps(low, dt, key), hi = delay_steps(high, dt, key);
        if (hi > UINT16_MAX)
            throw ValueError(key + ": delay " + format_number(high) + " ms is " + std::to_string(hi) +
                                 " steps; at most 65535 steps are supported (" + format_number(65535 * dt) + " ms at dt = " +
                                 format_number(dt) + " ms)",
                             key);
        min_delay = min_delay ? std::min(min_delay, lo) : lo;
        max_delay = std::max(max_delay, hi);
    }
    // Without synapses there is nothing to exchange; a short epoch keeps observers timely.
    min_delay_ = min_delay ? min_delay : 10;
    max_delay_ = max_delay ? max_delay : 1;

    // Memory: estimated before anything large is allocated. During the build each
    // synapse exists once as a 16-byte generation entry and once in the 10-byte table;
    // an STDP synapse as two 24-byte build entries and its 14-byte table entry, and the
    // pair rule's fast path keeps 128 bytes per target neuron; a rate-Hebbian synapse as
    // its generation entry, its 8-byte initial weight and its 14-byte table entry, and
    // every shard keeps max-delay outputs of the source population.
    double synapses = 0.0, plastic_extra_bytes = 0.0, per_shard_bytes = 0.0;
    for (std::size_t p = 0; p < spec_.projections.size(); ++p) {
        const double expected = expected_synapse_count(spec_, p);
        synapses += expected;
        const SynapseSpec& synapse = spec_.projections[p].synapse;
        const double n_target = static_cast<double>(spec_.populations[static_cast<std::size_t>(
                                                        spec_.population_index(spec_.projections[p].target))].size);
        if (synapse.kind == SynapseSpec::Kind::stdp) {
            plastic_extra_bytes += expected * (2.0 * sizeof(PlasticSynapseEntry) + 14.0 - sizeof(SynapseEntry) - 10.0);
            if (synapse.timing_kind == models::StdpTimingKind::spike_pair) plastic_extra_bytes += 128.0 * n_target;
        }
        if (synapse.kind == SynapseSpec::Kind::rate_hebbian) {
            plastic_extra_bytes += expected * (8.0 + 14.0 - 10.0);
            const double n_source = static_cast<double>(spec_.populations[static_cast<std::size_t>(
                                                            spec_.population_index(spec_.projections[p].source))].size);
            per_shard_bytes += 8.0 * n_source * static_cast<double>(max_delay_);
        }
    }
    double inputs = 0.0, neuron_bytes = 0.0;
    for (const auto& pop : spec_.populations) {
        const ModelInfo& model = find_model(pop.model);
        inputs += static_cast<double>(pop.size) * static_cast<double>(model.ports.size());
        neuron_bytes += static_cast<double>(pop.size) * 8.0 * (2.0 * model.params.size() + model.state.size() + 8.0);
    }
    // Each rank holds 1/R of the neurons and synapses; ranks on one machine share its
    // available memory.
    const double shards = static_cast<double>(options.shards);
    const double ranks = static_cast<double>(comm_.size());
    estimated_bytes_ = (synapses * (sizeof(SynapseEntry) + 10.0) + plastic_extra_bytes +
                        inputs * 8.0 * static_cast<double>(min_delay_ + max_delay_) + neuron_bytes) / ranks +
                       shards * (8.0 * (total_neurons_ + 1.0) + per_shard_bytes);
    const double limit = options.memory_limit_bytes > 0 ? options.memory_limit_bytes : available_memory_bytes() / ranks;
    std::exception_ptr refused;
    try {
    if (limit > 0 && estimated_bytes_ > limit)
        throw MemoryLimitError("the network needs about " + format_bytes(estimated_bytes_) +
                               (comm_.distributed() ? " per rank" : "") + " (" + format_number(std::round(synapses)) +
                               " synapses) but only " + format_bytes(limit) +
                               " may be used; reduce its size or raise the memory limit");
    } catch (...) {
        refused = std::current_exception();
    }
    comm_.agree(refused);  // available memory is read by each rank: one refusal stops all

    // Shards: each owns a contiguous part of every population; rank r holds the shards
    // r*S .. r*S + S - 1 of R*S.
    const auto shard_counts = comm_.all_gather_value(options.shards);
    if (std::any_of(shard_counts.begin(), shard_counts.end(), [&](std::uint64_t n) { return n != options.shards; }))
        throw ValueError("every rank must build the same number of shards (got " + std::to_string(options.shards) +
                             " on rank " + std::to_string(comm_.rank()) + " and different numbers elsewhere)",
                         "shards");
    const std::size_t n_shards = options.shards;
    total_shards_ = n_shards * static_cast<std::size_t>(comm_.size());
    const std::size_t first_shard = n_shards * static_cast<std::size_t>(comm_.rank());
    shards_.clear();
    for (std::size_t s = 0; s < n_shards; ++s) shards_.push_back(std::make_unique<Shard>());
    std::exception_ptr build_error;
    try {
    for (std::size_t p = 0; p < spec_.populations.size(); ++p) {
        const PopulationSpec& pop = spec_.populations[p];
        const ModelInfo& model = find_model(pop.model);
        for (std::size_t s = 0; s < n_shards; ++s) {
            const auto first = static_cast<std::uint32_t>(pop.size * (first_shard + s) / total_shards_);
            const auto last = static_cast<std::uint32_t>(pop.size * (first_shard + s + 1) / total_shards_);
            if (last == first) continue;
            Shard& shard = *shards_[s];
            GroupSlot slot;
            slot.population = p;
            slot.first = first;
            slot.first_global_id = layout_[p].first_global_id + first;
            slot.group = make_group(spec_, p, first, last);
            slot.input_offset = static_cast<std::uint32_t>(shard.ring.inputs());
            slot.port_pointers.resize(model.ports.size());
            shard.ring = InputRingBuffer(shard.ring.inputs() + (last - first) * model.ports.size(), 1);
            shard.groups.push_back(std::move(slot));
        }
    }
    } catch (...) {
        build_error = std::current_exception();
    }
    // A parameter refused on one rank's neurons stops every rank.
    comm_.agree(build_error);
    bool local_rates = false;
    for (const auto& shard : shards_)
        for (const auto& slot : shard->groups) local_rates = local_rates || slot.group->rate_output() != nullptr;
    has_rate_groups_ = comm_.any(local_rates);
    const auto ring_slots = static_cast<std::size_t>(min_delay_ + max_delay_);
    for (auto& shard : shards_) shard->ring = InputRingBuffer(shard->ring.inputs(), ring_slots);

    // Synapses: generated per target neuron, so each shard builds only its own.
    // Each shard's synapses depend only on the spec and the shard's neurons: built in
    // parallel. An exception inside the parallel loop is carried out of it.
#pragma omp parallel for num_threads(threads_) schedule(dynamic, 1)
    for (std::ptrdiff_t shard_index = 0; shard_index < static_cast<std::ptrdiff_t>(shards_.size()); ++shard_index) {
      try {
        Shard& shard = *shards_[static_cast<std::size_t>(shard_index)];
        std::vector<SynapseEntry> entries;
        std::vector<IncomingSynapse> incoming;
        // Room for the shard's static synapses, reserved once from the expected counts
        // (its share of every projection's targets, plus a margin for the random
        // connectors' fluctuations): the generation vector is not copied as it grows.
        double expected = 0.0;
        for (std::size_t p = 0; p < spec_.projections.size(); ++p) {
            if (spec_.projections[p].synapse.kind != SynapseSpec::Kind::static_synapse) continue;
            const auto target_pop = static_cast<std::size_t>(spec_.population_index(spec_.projections[p].target));
            double local_targets = 0.0;
            for (const GroupSlot& slot : shard.groups)
                if (slot.population == target_pop) local_targets += static_cast<double>(slot.group->size());
            expected += expected_synapse_count(spec_, p) * local_targets / static_cast<double>(layout_[target_pop].size);
        }
        entries.reserve(static_cast<std::size_t>(expected * 1.01 + 4096.0));
        for (std::size_t p = 0; p < spec_.projections.size(); ++p) {
            const ProjectionSpec& proj = spec_.projections[p];
            const std::size_t source_pop = static_cast<std::size_t>(spec_.population_index(proj.source));
            const std::size_t target_pop = static_cast<std::size_t>(spec_.population_index(proj.target));
            const std::uint32_t source_offset = layout_[source_pop].first_global_id;
            const ModelInfo& target_model = find_model(spec_.populations[target_pop].model);
            const auto port = static_cast<std::uint32_t>(target_model.port_index(proj.receptor));
            // Static synapses of all projections share one table; each short-term plastic
            // projection has its own, delivered with its per-spike efficacy.
            if (proj.synapse.kind == SynapseSpec::Kind::stdp) {
                build_stdp_projection(shard, p);
                continue;
            }
            if (proj.synapse.kind == SynapseSpec::Kind::rate_hebbian) {
                build_rate_hebbian_projection(shard, p);
                continue;
            }
            const bool plastic = proj.synapse.kind == SynapseSpec::Kind::tsodyks_markram;
            std::vector<SynapseEntry> plastic_entries;
            std::vector<SynapseEntry>& sink = plastic ? plastic_entries : entries;
            for (const GroupSlot& slot : shard.groups) {
                if (slot.population != target_pop) continue;
                const auto size = static_cast<std::uint32_t>(slot.group->size());
                incoming.clear();
                generate_incoming(spec_, p, slot.first, slot.first + size, incoming);
                // Geometric growth: an exact reserve per projection would copy the
                // whole vector once per projection (55 times for the microcircuit).
                if (sink.capacity() < sink.size() + incoming.size())
                    sink.reserve(std::max(sink.size() + incoming.size(), 2 * sink.capacity()));
                for (const auto& syn : incoming)
                    sink.push_back({source_offset + syn.source, slot.input_offset + port * size + (syn.target - slot.first),
                                    syn.weight, syn.delay_steps});
            }
            if (!plastic) continue;
            ShortTermPlasticProjection projection;
            projection.synapses.build(total_neurons_, std::move(plastic_entries));
            projection.U = proj.synapse.U;
            projection.tau_rec_ms = proj.synapse.tau_rec;
            projection.tau_facil_ms = proj.synapse.tau_facil;
            projection.dt_ms = dt;
            projection.first_source = source_offset;
            const std::size_t n_sources = spec_.populations[source_pop].size;
            projection.u.assign(n_sources, proj.synapse.U);
            projection.x.assign(n_sources, 1.0);
            projection.last_step.assign(n_sources, -1);
            shard.plastic.push_back(std::move(projection));
        }
        shard.synapses.build(total_neurons_, std::move(entries));
      } catch (...) {
#pragma omp critical(neurodyn_build_error)
        if (!build_error) build_error = std::current_exception();
      }
    }
    comm_.agree(build_error);
    shard_phases_.assign(shards_.size(), PhaseTimes{});
    std::uint64_t local_synapses = 0;
    double local_bytes = 0.0;
    for (const auto& shard : shards_) {
        local_synapses += shard->synapses.size();
        local_bytes += static_cast<double>(shard->synapses.bytes());
        for (const auto& projection : shard->plastic) {
            local_synapses += projection.synapses.size();
            local_bytes += static_cast<double>(projection.synapses.bytes() +
                                               projection.u.size() * (2 * sizeof(double) + sizeof(Step)));
        }
        for (const auto& projection : shard->stdp) {
            local_synapses += projection.size();
            local_bytes += static_cast<double>(projection.bytes());
        }
        for (const auto& projection : shard->rate_hebbian) {
            local_synapses += projection.size();
            local_bytes += static_cast<double>(projection.bytes());
        }
    }
    total_synapses_ = comm_.sum(local_synapses);
    total_synapse_bytes_ = static_cast<std::size_t>(comm_.sum(local_bytes));

    build_stimuli();
    for (auto& shard : shards_) attach_homeostasis(spec_, *shard);  // src/engine/homeostasis.cpp

    // State recorders become probes, one per variable.
    for (const auto& rec : spec_.recorders) {
        if (rec.kind != RecorderSpec::Kind::state) continue;
        const auto p = static_cast<std::size_t>(spec_.population_index(rec.population));
        const ModelInfo& model = find_model(spec_.populations[p].model);
        for (const auto& variable : rec.variables) {
            StateProbe probe;
            probe.population = rec.population;
            probe.variable = variable;
            probe.unit = std::string(model.state[static_cast<std::size_t>(model.state_index(variable))].unit);
            probe.neurons = rec.neurons;
            if (probe.neurons.empty()) {
                probe.neurons.resize(spec_.populations[p].size);
                std::iota(probe.neurons.begin(), probe.neurons.end(), 0u);
            }
            probe.interval_steps = rec.interval > 0 ? std::max<Step>(1, steps_from_ms(rec.interval, dt)) : 1;
            probes_.push_back(std::move(probe));
        }
    }
    build_weight_probes();
}

void Simulator::build_stimuli() {
    const double dt = spec_.simulation.dt;
    for (auto& shard : shards_) {
        shard->drives.clear();
        shard->currents.clear();
        shard->current_changes.clear();
        shard->currents_vary_every_step = false;
    }
    for (std::size_t k = 0; k < spec_.stimuli.size(); ++k) {
        const StimulusSpec& stim = spec_.stimuli[k];
        const auto target_pop = static_cast<std::size_t>(spec_.population_index(stim.target));
        const ModelInfo& model = find_model(spec_.populations[target_pop].model);
        const Step start = steps_from_ms(stim.start, dt);
        const Step stop = stim.stop < 0 ? INT64_MAX : steps_from_ms(stim.stop, dt);
        for (auto& shard : shards_) {
            for (std::size_t g = 0; g < shard->groups.size(); ++g) {
                GroupSlot& slot = shard->groups[g];
                if (slot.population != target_pop) continue;
                auto neurons = local_selection(stim.neurons, slot.first, static_cast<std::uint32_t>(slot.group->size()));
                if (neurons.empty()) continue;
                if (stim.kind == StimulusSpec::Kind::poisson) {
                    PoissonDrive drive;
                    drive.slot = g;
                    drive.neurons = std::move(neurons);
                    drive.port = static_cast<std::size_t>(model.port_index(stim.receptor));
                    drive.mean_per_step = stim.rate * dt / 1000.0;
                    if (drive.mean_per_step < 12.0) drive.count_thresholds = poisson_count_thresholds(drive.mean_per_step);
                    drive.contiguous = drive.neurons.back() - drive.neurons.front() + 1 == drive.neurons.size();
                    drive.weight = stim.weight;
                    drive.start_step = start;
                    drive.stop_step = stop;
                    drive.domain = random_domain(RandomPurpose::poisson_drive, static_cast<std::uint32_t>(k));
                    shard->drives.push_back(std::move(drive));
                } else {
                    if (slot.injected.empty()) slot.injected.assign(slot.group->size(), 0.0);
                    shard->current_changes.push_back(start);
                    if (stop != INT64_MAX) shard->current_changes.push_back(stop);
                    CurrentSource source;
                    source.slot = g;
                    source.neurons = std::move(neurons);
                    source.start_step = start;
                    source.stop_step = stop;
                    source.amplitude = stim.amplitude;
                    switch (stim.kind) {
                        case StimulusSpec::Kind::step_current:
                            source.shape = CurrentSource::Shape::steps;
                            for (std::size_t c = 0; c < stim.times.size(); ++c) {
                                source.change_steps.push_back(steps_from_ms(stim.times[c], dt));
                                source.change_amplitudes.push_back(stim.amplitudes[c]);
                                shard->current_changes.push_back(source.change_steps.back());
                            }
                            break;
                        case StimulusSpec::Kind::ac:
                            source.shape = CurrentSource::Shape::sine;
                            source.offset = stim.offset;
                            source.radians_per_step = 2.0 * std::numbers::pi * stim.frequency * dt / 1000.0;
                            source.phase_radians = stim.phase * std::numbers::pi / 180.0;
                            shard->currents_vary_every_step = true;
                            break;
                        case StimulusSpec::Kind::noisy_current:
                            source.shape = CurrentSource::Shape::noise;
                            source.mean = stim.mean;
                            source.stdev = stim.stdev;
                            source.interval_steps = stim.interval > 0 ? std::max<Step>(1, steps_from_ms(stim.interval, dt)) : 1;
                            source.domain = random_domain(RandomPurpose::current_noise, static_cast<std::uint32_t>(k));
                            source.first_local_index = slot.first;
                            shard->currents_vary_every_step = true;
                            break;
                        default: source.shape = CurrentSource::Shape::constant; break;
                    }
                    shard->currents.push_back(std::move(source));
                }
            }
        }
    }
    for (auto& shard : shards_) {
        auto& changes = shard->current_changes;
        // Injected currents are recomputed at the current step: after a change between
        // runs they must not keep the values of the old sources.
        changes.push_back(step_);
        std::sort(changes.begin(), changes.end());
        changes.erase(std::unique(changes.begin(), changes.end()), changes.end());
        // Groups without current sources read a shared array of zeros.
        for (auto& slot : shard->groups)
            if (slot.injected.empty()) slot.injected.assign(slot.group->size(), 0.0);
    }
}

const PopulationLayout& Simulator::population(const std::string& name) const {
    for (const auto& pop : layout_)
        if (pop.name == name) return pop;
    std::vector<std::string> names;
    for (const auto& pop : layout_) names.push_back(pop.name);
    throw KeyError("unknown population '" + name + "'" + did_you_mean(name, names) + " (populations: " + join(names) + ")");
}

std::size_t Simulator::population_of(std::uint32_t global_id) const {
    auto it = std::upper_bound(layout_.begin(), layout_.end(), global_id,
                               [](std::uint32_t id, const PopulationLayout& pop) { return id < pop.first_global_id; });
    return static_cast<std::size_t>(it - layout_.begin()) - 1;
}

std::pair<std::uint32_t, std::uint32_t> Simulator::rank_range(std::size_t p, int rank) const {
    const std::uint64_t size = layout_[p].size;
    const std::uint64_t per_rank = total_shards_ / static_cast<std::size_t>(comm_.size());
    const std::uint64_t r = static_cast<std::uint64_t>(rank);
    return {static_cast<std::uint32_t>(size * r * per_rank / total_shards_),
            static_cast<std::uint32_t>(size * (r + 1) * per_rank / total_shards_)};
}

std::vector<std::uint64_t> Simulator::spike_counts() const { return spike_counts_; }

std::vector<double> Simulator::get_state(const std::string& population_name, const std::string& variable) const {
    const PopulationLayout& pop = population(population_name);
    const std::size_t p = static_cast<std::size_t>(&pop - layout_.data());
    const ModelInfo& model = find_model(pop.model);
    const int index = model.state_index(variable);
    if (index < 0) {
        const auto names = model.state_names();
        throw KeyError("'" + variable + "' is not a state variable of " + std::string(model.name) +
                       did_you_mean(variable, names));
    }
    return gather_population(p, [&](const GroupSlot& slot) { return slot.group->state(static_cast<std::size_t>(index)); });
}

std::vector<double> Simulator::gather_population(
    std::size_t p, const std::function<std::span<const double>(const GroupSlot&)>& column) const {
    std::vector<double> values(layout_[p].size);
    for (const auto& shard : shards_)
        for (const auto& slot : shard->groups)
            if (slot.population == p) {
                const auto part = column(slot);
                std::copy(part.begin(), part.end(), values.begin() + slot.first);
            }
    if (comm_.distributed()) {
        // Each rank owns a contiguous range, and the ranges follow the rank order.
        const auto [first, last] = rank_range(p, comm_.rank());
        std::vector<double> mine(values.begin() + first, values.begin() + last), all;
        std::vector<std::uint64_t> counts;
        comm_.all_gather(mine, all, counts);
        values = std::move(all);
    }
    return values;
}

std::vector<IncomingSynapse> Simulator::connections(std::size_t index) const {
    if (index >= spec_.projections.size())
        throw KeyError("no projection " + std::to_string(index) + " (the network has " +
                       std::to_string(spec_.projections.size()) + ")");
    const auto target = static_cast<std::size_t>(spec_.population_index(spec_.projections[index].target));
    std::vector<IncomingSynapse> synapses;
    generate_incoming(spec_, index, 0, static_cast<std::uint32_t>(spec_.populations[target].size), synapses);
    return synapses;
}

void Simulator::set_state(const std::string& population_name, const std::string& variable,
                          std::span<const double> values) {
    const PopulationLayout& pop = population(population_name);
    const std::size_t p = static_cast<std::size_t>(&pop - layout_.data());
    const ModelInfo& model = find_model(pop.model);
    const int index = model.state_index(variable);
    if (index < 0) {
        const auto names = model.state_names();
        throw KeyError("'" + variable + "' is not a state variable of " + std::string(model.name) +
                       did_you_mean(variable, names));
    }
    if (values.size() != pop.size)
        throw ValueError("set_state: population '" + pop.name + "' has " + std::to_string(pop.size) + " neurons, got " +
                         std::to_string(values.size()) + " values of " + variable);
    const FieldInfo& field = model.state[static_cast<std::size_t>(index)];
    for (std::size_t i = 0; i < values.size(); ++i) {
        const double x = values[i];
        const bool in_bounds = std::isfinite(x) && (field.bound != Bound::positive || x > 0.0) &&
                               (field.bound != Bound::non_negative || x >= 0.0);
        if (!in_bounds)
            throw ValueError("set_state: " + variable + " of neuron " + std::to_string(i) + " of population '" + pop.name +
                             "' must be " + (std::isfinite(x) ? std::string(bound_text(field.bound)) + " " + std::string(field.unit)
                                                              : std::string("a finite number")) +
                             ", got " + format_number(x));
    }
    for (auto& shard : shards_)
        for (auto& slot : shard->groups)
            if (slot.population == p) {
                const auto state = slot.group->state(static_cast<std::size_t>(index));
                std::copy(values.begin() + slot.first, values.begin() + slot.first + state.size(), state.begin());
            }
}

void Simulator::set_param(const std::string& population_name, const std::string& parameter,
                          std::span<const double> values) {
    const PopulationLayout& pop = population(population_name);
    const std::size_t p = static_cast<std::size_t>(&pop - layout_.data());
    const ModelInfo& model = find_model(pop.model);
    if (parameter == "spike_times" && model.name == "SpikeSourceArray")
        throw ValueError("set_param: the spike_times of SpikeSourceArray '" + pop.name +
                             "' cannot be changed after the network is built; give all spike times when the "
                             "population is created",
                         "spike_times");
    const int index = model.param_index(parameter);
    if (index < 0) {
        const auto names = model.param_names();
        throw KeyError("'" + parameter + "' is not a parameter of " + std::string(model.name) +
                       did_you_mean(parameter, names) + (names.empty() ? " (it has none)" : " (parameters: " + join(names) + ")"));
    }
    if (values.size() != pop.size)
        throw ValueError("set_param: population '" + pop.name + "' has " + std::to_string(pop.size) + " neurons, got " +
                             std::to_string(values.size()) + " values of " + parameter,
                         parameter);
    // Spike sources whose trains are drawn ahead: only SpikeSourcePoisson can restart
    // its trains from the current time.
    const bool poisson = model.name == "SpikeSourcePoisson";
    if (step_ > 0 && model.spike_source && !poisson)
        throw ValueError("set_param: the parameters of " + std::string(model.name) + " '" + pop.name +
                             "' cannot be changed after the first run (only SpikeSourcePoisson restarts its trains)",
                         parameter);
    const auto column = static_cast<std::size_t>(index);
    const double dt_ms = dt();
    // Checked first on copies of the affected groups, so a refused value changes nothing
    // (on any rank: a refusal on one rank's neurons is raised on all of them).
    std::exception_ptr refused;
    try {
    for (const auto& shard : shards_)
        for (const auto& slot : shard->groups) {
            if (slot.population != p) continue;
            const NeuronGroup& group = *slot.group;
            auto trial = model.create(group.size(), group.first_index());
            for (std::size_t k = 0; k < model.params.size(); ++k) {
                const auto from = group.param(k);
                std::copy(from.begin(), from.end(), trial->param(k).begin());
            }
            for (std::size_t k = 0; k < model.state.size(); ++k) {
                const auto from = group.state(k);
                std::copy(from.begin(), from.end(), trial->state(k).begin());
            }
            const auto column_values = values.subspan(slot.first, group.size());
            std::copy(column_values.begin(), column_values.end(), trial->param(column).begin());
            try {
                trial->prepare(dt_ms);
            } catch (const ValueError& e) {
                throw ValueError("set_param: population '" + pop.name + "': " + e.what(), e.key());
            }
        }
    } catch (...) {
        refused = std::current_exception();
    }
    comm_.agree(refused);
    for (auto& shard : shards_)
        for (auto& slot : shard->groups) {
            if (slot.population != p) continue;
            NeuronGroup& group = *slot.group;
            const auto column_values = values.subspan(slot.first, group.size());
            std::copy(column_values.begin(), column_values.end(), group.param(column).begin());
            group.prepare(dt_ms);
            if (poisson) static_cast<models::SpikeSourcePoisson&>(group).restart_at(time_ms());
        }
    // The spec shows the values in force, so a later describe or build sees them.
    const bool same = std::all_of(values.begin(), values.end(), [&](double x) { return x == values.front(); });
    ValueSpec value = same && !values.empty() ? ValueSpec(values.front()) : ValueSpec(std::vector<double>(values.begin(), values.end()));
    auto& params = spec_.populations[p].params;
    auto it = std::find_if(params.begin(), params.end(), [&](const auto& entry) { return entry.first == parameter; });
    if (it != params.end())
        it->second = std::move(value);
    else
        params.emplace_back(parameter, std::move(value));
}

void Simulator::set_stimulus(std::size_t index, const StimulusSpec& stimulus) {
    if (index >= spec_.stimuli.size())
        throw KeyError("set_stimulus: there is no stimulus " + std::to_string(index) + " (the network has " +
                       std::to_string(spec_.stimuli.size()) + ")");
    const StimulusSpec& old = spec_.stimuli[index];
    if (stimulus.kind != old.kind)
        throw ValueError(stimulus_key(index) + ": a " + stimulus_kind_name(old.kind) + " stimulus cannot become " +
                             stimulus_kind_name(stimulus.kind) + " between runs",
                         stimulus_key(index));
    NetworkSpec candidate = spec_;
    candidate.stimuli[index] = stimulus;
    candidate.validate();
    spec_.stimuli[index] = stimulus;
    build_stimuli();
}

void Simulator::sample_probes(Step at_step_end) {
    // Values are read from the group that owns each neuron.
    for (auto& probe : probes_) {
        if (at_step_end % probe.interval_steps != 0) continue;
        const auto p = static_cast<std::size_t>(spec_.population_index(probe.population));
        const ModelInfo& model = find_model(spec_.populations[p].model);
        const auto index = static_cast<std::size_t>(model.state_index(probe.variable));
        probe.pending_times.push_back(ms_from_steps(at_step_end, dt()));
        const std::size_t row = probe.pending_values.size();
        probe.pending_values.resize(row + probe.neurons.size());
        for (const auto& shard : shards_)
            for (const auto& slot : shard->groups) {
                if (slot.population != p) continue;
                const auto state = slot.group->state(index);
                for (std::size_t c = 0; c < probe.neurons.size(); ++c) {
                    const std::uint32_t id = probe.neurons[c];
                    if (id >= slot.first && id < slot.first + state.size()) probe.pending_values[row + c] = state[id - slot.first];
                }
            }
    }
}

void Simulator::deliver_and_notify(Step first_step, Step end_step, bool* stop) {
    auto t0 = Clock::now();
    // Gather the spikes of all shards in (step, global id) order: the order of summation
    // into every input, whatever the decomposition.
    epoch_steps_.clear();
    epoch_ids_.clear();
    std::vector<std::pair<Step, std::uint32_t>> merged;
    for (auto& shard : shards_) {
        for (std::size_t i = 0; i < shard->spike_ids.size(); ++i) merged.emplace_back(shard->spike_steps[i], shard->spike_ids[i]);
        shard->spike_steps.clear();
        shard->spike_ids.clear();
    }
    if (shards_.size() > 1) std::sort(merged.begin(), merged.end());
    if (comm_.distributed()) exchange_spikes(merged, first_step, stop);
    for (const auto& [step, id] : merged) {
        epoch_steps_.push_back(step);
        epoch_ids_.push_back(id);
        ++spike_counts_[population_of(id)];
    }
    update_modulators(first_step, end_step);
    auto t1 = Clock::now();
    phases_.exchange += std::chrono::duration<double>(t1 - t0).count();
    std::uint64_t events = 0;
#pragma omp parallel for num_threads(threads_) schedule(static) reduction(+ : events)
    for (std::ptrdiff_t s = 0; s < static_cast<std::ptrdiff_t>(shards_.size()); ++s)
        events += shards_[static_cast<std::size_t>(s)]->deliver(epoch_steps_, epoch_ids_, end_step - 1);
    run_local_events_ += events;
    prune_modulators(end_step - 1);
    // Rate outputs, in (step, first id) order whatever the decomposition.
    std::vector<RateBlock> rate_blocks;
    for (const auto& shard : shards_)
        for (const RateBlock& block : shard->rate_blocks()) rate_blocks.push_back(block);
    std::vector<double> rate_storage;  // the other ranks' values that rate_blocks point into
    if (has_rate_groups_ && comm_.distributed()) exchange_rate_blocks(rate_blocks, rate_storage);
    if (!rate_blocks.empty()) {
        std::sort(rate_blocks.begin(), rate_blocks.end(), [](const RateBlock& a, const RateBlock& b) {
            return a.step != b.step ? a.step < b.step : a.first_id < b.first_id;
        });
        std::uint64_t rate_events = 0;
#pragma omp parallel for num_threads(threads_) schedule(static) reduction(+ : rate_events)
        for (std::ptrdiff_t s = 0; s < static_cast<std::ptrdiff_t>(shards_.size()); ++s)
            rate_events += shards_[static_cast<std::size_t>(s)]->deliver_rates(rate_blocks);
        run_local_events_ += rate_events;
        for (auto& shard : shards_) {
            shard->rate_block_ids.clear();
            shard->rate_block_offsets.clear();
            shard->rate_values.clear();
        }
    }
    auto t2 = Clock::now();
    phases_.delivery += std::chrono::duration<double>(t2 - t1).count();
    if (comm_.distributed() && !probes_.empty()) exchange_probe_samples();
    if (!weight_probes_.empty()) collect_weight_samples(end_step);
    const EpochSpikes spikes{first_step, end_step, epoch_steps_, epoch_ids_};
    for (auto* observer : observers_) observer->on_epoch(*this, spikes);
    for (auto& probe : probes_) {
        probe.pending_times.clear();
        probe.pending_values.clear();
    }
    for (auto& probe : weight_probes_) {
        probe.pending_times.clear();
        probe.pending_values.clear();
    }
    phases_.record += seconds_since(t2);
}

void Simulator::exchange_spikes(std::vector<std::pair<Step, std::uint32_t>>& merged, Step first_step, bool* stop) {
    // 8 bytes a spike: the step within the epoch (< min delay <= 65535) and the global id,
    // packed so that sorting the words sorts by (step, id).
    std::vector<std::uint64_t> packed(merged.size()), all, counts;
    for (std::size_t i = 0; i < merged.size(); ++i)
        packed[i] = (static_cast<std::uint64_t>(merged[i].first - first_step) << 32) | merged[i].second;
    comm_.all_gather(packed, all, counts, stop);
    std::sort(all.begin(), all.end());
    merged.resize(all.size());
    for (std::size_t i = 0; i < all.size(); ++i)
        merged[i] = {first_step + static_cast<Step>(all[i] >> 32), static_cast<std::uint32_t>(all[i] & 0xffffffffu)};
}

void Simulator::exchange_rate_blocks(std::vector<RateBlock>& blocks, std::vector<double>& storage) {
    // Each block travels as [step, first id, count, values...]: all exactly representable.
    std::vector<double> packed, all;
    std::vector<std::uint64_t> counts;
    for (const RateBlock& block : blocks) {
        packed.push_back(static_cast<double>(block.step));
        packed.push_back(static_cast<double>(block.first_id));
        packed.push_back(static_cast<double>(block.values.size()));
        packed.insert(packed.end(), block.values.begin(), block.values.end());
    }
    comm_.all_gather(packed, all, counts);
    storage = std::move(all);
    blocks.clear();
    for (std::size_t i = 0; i < storage.size();) {
        const auto n = static_cast<std::size_t>(storage[i + 2]);
        blocks.push_back({static_cast<Step>(storage[i]), static_cast<std::uint32_t>(storage[i + 1]),
                          std::span<const double>(storage.data() + i + 3, n)});
        i += 3 + n;
    }
}

void Simulator::exchange_probe_samples() {
    // Every rank sampled only its own neurons; the samples of each neuron come from the
    // rank that owns it, unchanged.
    for (auto& probe : probes_) {
        const auto p = static_cast<std::size_t>(spec_.population_index(probe.population));
        const std::size_t columns = probe.neurons.size();
        const std::size_t rows = probe.pending_times.size();
        if (rows == 0 || columns == 0) continue;
        std::vector<std::vector<std::size_t>> owned(static_cast<std::size_t>(comm_.size()));
        for (int r = 0; r < comm_.size(); ++r) {
            const auto [first, last] = rank_range(p, r);
            for (std::size_t c = 0; c < columns; ++c)
                if (probe.neurons[c] >= first && probe.neurons[c] < last) owned[static_cast<std::size_t>(r)].push_back(c);
        }
        const auto& mine = owned[static_cast<std::size_t>(comm_.rank())];
        std::vector<double> packed, all;
        std::vector<std::uint64_t> counts;
        packed.reserve(rows * mine.size());
        for (std::size_t row = 0; row < rows; ++row)
            for (const std::size_t c : mine) packed.push_back(probe.pending_values[row * columns + c]);
        comm_.all_gather(packed, all, counts);
        std::size_t at = 0;
        for (const auto& columns_of_rank : owned)
            for (std::size_t row = 0; row < rows; ++row)
                for (const std::size_t c : columns_of_rank) probe.pending_values[row * columns + c] = all[at++];
    }
}

void Simulator::advance_shards(Step step, std::uint64_t seed) {
    if (threads_ == 1) {
        for (std::size_t s = 0; s < shards_.size(); ++s) shards_[s]->advance(step, seed, shard_phases_[s]);
    } else {
#pragma omp parallel for num_threads(threads_) schedule(static)
        for (std::ptrdiff_t s = 0; s < static_cast<std::ptrdiff_t>(shards_.size()); ++s)
            shards_[static_cast<std::size_t>(s)]->advance(step, seed, shard_phases_[static_cast<std::size_t>(s)]);
    }
}

const PhaseTimes& Simulator::phase_times() const {
    phases_.update = phases_.input = 0.0;
    for (const auto& shard : shard_phases_) {
        phases_.update += shard.update;
        phases_.input += shard.input;
    }
    return phases_;
}

RunResult Simulator::run(double duration_ms, const RunControl& control) {
    if (!std::isfinite(duration_ms) || duration_ms < 0.0)
        throw ValueError("run duration must be a finite time >= 0 ms, got " + format_number(duration_ms), "duration");
    if (spike_counts_.size() != layout_.size()) spike_counts_.assign(layout_.size(), 0);
    const auto start = Clock::now();
    const Step total = steps_from_ms(duration_ms, dt());
    const Step end = step_ + total;
    const Step progress_every = std::max<Step>(1, total / 100);
    if (!initial_sampled_) {
        sample_probes(0);  // the initial state, at t = 0
        initial_sampled_ = true;
    }
    RunResult result;
    const std::uint64_t seed = spec_.simulation.seed;
    run_local_events_ = 0;
    while (step_ < end) {
        // One epoch: min_delay steps without exchange, since no spike emitted inside it
        // can arrive before the epoch ends.
        const Step epoch_begin = step_;
        const Step epoch_end = std::min(end, step_ + min_delay_);
        bool stop = false;
        while (step_ < epoch_end) {
            advance_shards(step_, seed);
            ++step_;
            if (!probes_.empty()) sample_probes(step_);
            if (control.progress && (step_ - (end - total)) % progress_every == 0) control.progress(step_ - (end - total), total);
            // Distributed runs stop only between epochs, all ranks at the same step.
            if (control.interrupt && !comm_.distributed() && control.interrupt->load(std::memory_order_relaxed)) {
                stop = true;
                break;
            }
        }
        if (comm_.distributed()) stop = control.interrupt && control.interrupt->load(std::memory_order_relaxed);
        deliver_and_notify(epoch_begin, step_, &stop);  // distributed: any rank's request
        if (stop) {
            result.interrupted = true;
            break;
        }
    }
    result.steps = total - (end - step_);
    synaptic_events_ += comm_.sum(run_local_events_);
    result.wall_seconds = seconds_since(start);
    return result;
}

}  // namespace neurodyn
