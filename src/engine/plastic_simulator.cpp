// The Simulator's STDP parts: building a shard's STDP tables, and reading and writing
// plastic weights (docs/plasticity.md).

#include <algorithm>
#include <cmath>

#include "neurodyn/core/error.hpp"
#include "neurodyn/core/strings.hpp"
#include "neurodyn/engine/modulator.hpp"
#include "neurodyn/engine/plastic_stdp.hpp"
#include "neurodyn/engine/simulator.hpp"
#include "neurodyn/models/registry.hpp"
#include "neurodyn/network/connectivity.hpp"
#include "shard.hpp"

namespace neurodyn {

namespace {

const GroupSlot* slot_of(const Shard& shard, std::size_t population) {
    for (const GroupSlot& slot : shard.groups)
        if (slot.population == population) return &slot;
    return nullptr;
}

std::string projection_label(const NetworkSpec& spec, std::size_t index) {
    const ProjectionSpec& proj = spec.projections[index];
    return projection_key(index) + " ('" + (proj.name.empty() ? proj.source + "->" + proj.target : proj.name) + "')";
}

// The initial weight of a plastic synapse as generated (a 32-bit float): a bound given
// as a weight may round to just outside it, and is then the bound; any other weight
// outside [w_min, w_max] is refused, naming the synapse.
double initial_plastic_weight(const IncomingSynapse& syn, double w_min, double w_max, std::size_t projection,
                              const char* synapse_type) {
    double w = syn.weight;
    if (w < w_min && syn.weight == static_cast<float>(w_min)) w = w_min;
    if (w > w_max && syn.weight == static_cast<float>(w_max)) w = w_max;
    if (!(w >= w_min && w <= w_max)) {
        const std::string key = projection_key(projection) + ".weight";
        throw ValueError(key + ": the initial weight " + format_number(w) + " of the " + synapse_type +
                             " synapse from neuron " + std::to_string(syn.source) + " to neuron " +
                             std::to_string(syn.target) + " lies outside [w_min, w_max] = [" + format_number(w_min) +
                             ", " + format_number(w_max) + "]",
                         key);
    }
    return w;
}

}  // namespace

void Simulator::build_stdp_projection(Shard& shard, std::size_t p) const {
    const ProjectionSpec& proj = spec_.projections[p];
    const auto source_pop = static_cast<std::size_t>(spec_.population_index(proj.source));
    const auto target_pop = static_cast<std::size_t>(spec_.population_index(proj.target));
    const ModelInfo& target_model = find_model(spec_.populations[target_pop].model);
    const auto port = static_cast<std::uint32_t>(target_model.port_index(proj.receptor));
    const GroupSlot* slot = slot_of(shard, target_pop);
    const auto size = slot ? static_cast<std::uint32_t>(slot->group->size()) : 0u;
    StdpProjection projection(proj.synapse, spec_.simulation.dt,
                              layout_[source_pop].first_global_id, layout_[source_pop].size,
                              slot ? slot->first_global_id : 0u, slot ? slot->first : 0u, size,
                              slot ? slot->input_offset + port * size : 0u);
    std::vector<PlasticSynapseEntry> entries;
    if (slot) {
        std::vector<IncomingSynapse> incoming;
        generate_incoming(spec_, p, slot->first, slot->first + size, incoming);
        entries.reserve(incoming.size());
        const double w_min = proj.synapse.weight_dependence.w_min, w_max = proj.synapse.weight_dependence.w_max;
        for (const auto& syn : incoming)
            entries.push_back({syn.source, slot->input_offset + port * size + (syn.target - slot->first),
                               initial_plastic_weight(syn, w_min, w_max, p, "stdp"), syn.delay_steps});
    }
    projection.build(std::move(entries));
    if (!proj.synapse.modulator.empty()) projection.set_modulator(&find_modulator(proj.synapse.modulator));
    shard.stdp.push_back(std::move(projection));
    shard.stdp_projection.push_back(p);
}

void Simulator::build_rate_hebbian_projection(Shard& shard, std::size_t p) const {
    const ProjectionSpec& proj = spec_.projections[p];
    const auto source_pop = static_cast<std::size_t>(spec_.population_index(proj.source));
    const auto target_pop = static_cast<std::size_t>(spec_.population_index(proj.target));
    const ModelInfo& target_model = find_model(spec_.populations[target_pop].model);
    const auto port = static_cast<std::uint32_t>(target_model.port_index(proj.receptor));
    // Every shard has a table (possibly empty) so that the k-th table is projection p's
    // in every shard; only a shard with target neurons reads and learns.
    const GroupSlot* slot = slot_of(shard, target_pop);
    const auto size = slot ? static_cast<std::uint32_t>(slot->group->size()) : 0u;
    RateHebbianProjection projection(proj.synapse.rate_hebbian, spec_.simulation.dt, layout_[source_pop].first_global_id,
                                     layout_[source_pop].size, slot ? slot->first : 0u, size,
                                     slot ? slot->input_offset + port * size : 0u);
    std::vector<IncomingSynapse> incoming;
    if (slot) generate_incoming(spec_, p, slot->first, slot->first + size, incoming);
    std::vector<double> weights(incoming.size());
    const double w_min = proj.synapse.rate_hebbian.w_min, w_max = proj.synapse.rate_hebbian.w_max;
    for (std::size_t k = 0; k < incoming.size(); ++k)
        weights[k] = initial_plastic_weight(incoming[k], w_min, w_max, p, "rate_hebbian");
    projection.build(incoming, weights);
    if (slot) shard.groups[static_cast<std::size_t>(slot - shard.groups.data())].rate_hebbian_inputs.push_back(shard.rate_hebbian.size());
    shard.rate_hebbian.push_back(std::move(projection));
    shard.rate_hebbian_projection.push_back(p);
}

RateHebbianProjection* Simulator::rate_hebbian_table(Shard& shard, std::size_t p) const {
    const auto it = std::find(shard.rate_hebbian_projection.begin(), shard.rate_hebbian_projection.end(), p);
    if (it == shard.rate_hebbian_projection.end()) return nullptr;
    return &shard.rate_hebbian[static_cast<std::size_t>(it - shard.rate_hebbian_projection.begin())];
}

StdpProjection* Simulator::stdp_table(Shard& shard, std::size_t p, std::vector<IncomingSynapse>& generated) const {
    generated.clear();
    const auto it = std::find(shard.stdp_projection.begin(), shard.stdp_projection.end(), p);
    if (it == shard.stdp_projection.end()) return nullptr;
    const GroupSlot* slot = slot_of(shard, static_cast<std::size_t>(spec_.population_index(spec_.projections[p].target)));
    if (slot)
        generate_incoming(spec_, p, slot->first, slot->first + static_cast<std::uint32_t>(slot->group->size()), generated);
    return &shard.stdp[static_cast<std::size_t>(it - shard.stdp_projection.begin())];
}

std::vector<double> Simulator::weights(std::size_t index) {
    if (index >= spec_.projections.size())
        throw KeyError("no projection " + std::to_string(index) + " (the network has " +
                       std::to_string(spec_.projections.size()) + ")");
    std::vector<double> values;
    const SynapseSpec::Kind kind = spec_.projections[index].synapse.kind;
    if (!spec_.projections[index].synapse.plastic_weights()) {
        for (const auto& syn : connections(index)) values.push_back(syn.weight);
        return values;
    }
    std::vector<IncomingSynapse> generated;
    return gather_synapse_values([&](Shard& shard, std::vector<double>& out) {
        if (kind == SynapseSpec::Kind::rate_hebbian) {
            const auto part = rate_hebbian_table(shard, index)->weights();
            out.insert(out.end(), part.begin(), part.end());
            return;
        }
        StdpProjection* table = stdp_table(shard, index, generated);
        table->bring_up_to(step_ - 1);
        table->read_weights(generated, out);
    });
}

std::vector<double> Simulator::gather_synapse_values(const std::function<void(Shard&, std::vector<double>&)>& append) {
    // Each shard holds a contiguous range of targets, shards and ranks in target order:
    // concatenating gives the order of connections().
    std::vector<double> values;
    for (auto& shard : shards_) append(*shard, values);
    if (comm_.distributed()) {
        std::vector<double> all;
        std::vector<std::uint64_t> counts;
        comm_.all_gather(values, all, counts);
        values = std::move(all);
    }
    return values;
}

void Simulator::set_weights(std::size_t index, std::span<const double> values) {
    if (index >= spec_.projections.size())
        throw KeyError("set_weights: no projection " + std::to_string(index) + " (the network has " +
                       std::to_string(spec_.projections.size()) + ")");
    const SynapseSpec& synapse = spec_.projections[index].synapse;
    if (!synapse.plastic_weights())
        throw ValueError("set_weights: " + projection_label(spec_, index) +
                             " has fixed weights; only stdp and rate_hebbian projections have weights that can be set "
                             "after the build",
                         projection_key(index) + ".synapse");
    const bool rate = synapse.kind == SynapseSpec::Kind::rate_hebbian;
    std::vector<IncomingSynapse> generated;
    std::uint64_t local_count = 0;
    for (auto& shard : shards_) {
        if (rate) {
            local_count += rate_hebbian_table(*shard, index)->size();
            continue;
        }
        stdp_table(*shard, index, generated);
        local_count += generated.size();
    }
    const auto counts = comm_.all_gather_value(local_count);
    std::uint64_t total = 0, offset = 0;
    for (std::size_t r = 0; r < counts.size(); ++r) {
        if (static_cast<int>(r) < comm_.rank()) offset += counts[r];
        total += counts[r];
    }
    if (values.size() != total)
        throw ValueError("set_weights: " + projection_label(spec_, index) + " has " + std::to_string(total) +
                             " synapses, got " + std::to_string(values.size()) + " weights",
                         projection_key(index) + ".weight");
    const double w_min = rate ? synapse.rate_hebbian.w_min : synapse.weight_dependence.w_min;
    const double w_max = rate ? synapse.rate_hebbian.w_max : synapse.weight_dependence.w_max;
    for (std::size_t k = 0; k < values.size(); ++k)
        if (!(values[k] >= w_min && values[k] <= w_max))
            throw ValueError("set_weights: weight " + std::to_string(k) + " of " + projection_label(spec_, index) +
                                 " must lie in [w_min, w_max] = [" + format_number(w_min) + ", " + format_number(w_max) +
                                 "], got " + format_number(values[k]),
                             projection_key(index) + ".weight");
    // Pairings that reached the synapses so far are applied first: the new weights are
    // the weights from now on.
    for (auto& shard : shards_) {
        if (rate) {
            RateHebbianProjection* table = rate_hebbian_table(*shard, index);
            table->write_weights(values.subspan(offset, table->size()));
            offset += table->size();
            continue;
        }
        StdpProjection* table = stdp_table(*shard, index, generated);
        table->bring_up_to(step_ - 1);
        table->write_weights(generated, values.subspan(offset, generated.size()));
        offset += generated.size();
    }
}

ModulatorSignal& Simulator::find_modulator(const std::string& name) const {
    for (const auto& m : modulators_)
        if (m->name() == name) return *m;
    const std::vector<std::string> names = modulator_names();
    throw KeyError("unknown modulator '" + name + "'" + did_you_mean(name, names) + " (modulators: " +
                       (names.empty() ? std::string("none") : join(names)) + ")",
                   "modulator");
}

std::vector<std::string> Simulator::modulator_names() const {
    std::vector<std::string> names;
    for (const auto& m : modulators_) names.push_back(m->name());
    return names;
}

void Simulator::modulate(const std::string& name, double amount, double at_ms) {
    ModulatorSignal& modulator = find_modulator(name);
    if (!std::isfinite(amount))
        throw ValueError("modulate: the amount released into modulator '" + name + "' must be finite, got " +
                             format_number(amount),
                         "amount");
    // The jump of step n happens at its end, (n + 1) dt; the next step to simulate is step_.
    Step at = step_;
    if (at_ms >= 0.0 || !std::isfinite(at_ms)) {
        if (!std::isfinite(at_ms))
            throw ValueError("modulate: the release time must be finite, got " + format_number(at_ms), "at");
        const Step requested = steps_from_ms(at_ms, spec_.simulation.dt) - 1;
        if (requested < step_ - 1)
            throw ValueError("modulate: the release time " + format_number(at_ms) + " ms is in the past (the simulation is at " +
                                 format_number(static_cast<double>(step_) * spec_.simulation.dt) + " ms)",
                             "at");
        at = std::max(requested, step_);
    }
    modulator.release(at, amount);
}

std::vector<double> Simulator::eligibilities(std::size_t index) {
    if (index >= spec_.projections.size())
        throw KeyError("no projection " + std::to_string(index) + " (the network has " +
                       std::to_string(spec_.projections.size()) + ")");
    const SynapseSpec& synapse = spec_.projections[index].synapse;
    if (synapse.kind != SynapseSpec::Kind::stdp || synapse.timing_kind != models::StdpTimingKind::dopamine)
        throw ValueError("eligibilities: " + projection_label(spec_, index) +
                             " does not follow the dopamine rule; only its synapses have eligibility traces",
                         projection_key(index) + ".synapse");
    std::vector<IncomingSynapse> generated;
    return gather_synapse_values([&](Shard& shard, std::vector<double>& out) {
        StdpProjection* table = stdp_table(shard, index, generated);
        table->bring_up_to(step_ - 1);
        table->read_eligibilities(generated, out);
    });
}

double Simulator::modulator_value(const std::string& name) const {
    const ModulatorSignal& modulator = find_modulator(name);
    return step_ == 0 ? modulator.initial() : modulator.value_at_step(step_ - 1);
}

void Simulator::update_modulators(Step first_step, Step end_step) {
    if (modulators_.empty()) return;
    std::vector<std::uint32_t> populations(epoch_ids_.size());
    for (std::size_t i = 0; i < epoch_ids_.size(); ++i) populations[i] = static_cast<std::uint32_t>(population_of(epoch_ids_[i]));
    for (auto& m : modulators_) m->add_epoch(first_step, end_step, epoch_steps_, populations);
}

void Simulator::prune_modulators(Step last_step) {
    for (auto& m : modulators_) {
        if (!m->wants_prune()) continue;
        // Every reader integrates up to last_step first: the jumps before it are then
        // needed only as the value they left.
        const ModulatorSignal* signal = m.get();
#pragma omp parallel for num_threads(threads_) schedule(static)
        for (std::ptrdiff_t s = 0; s < static_cast<std::ptrdiff_t>(shards_.size()); ++s)
            for (auto& projection : shards_[static_cast<std::size_t>(s)]->stdp)
                if (projection.modulator() == signal) projection.bring_up_to(last_step);
        m->prune(last_step);
    }
}

}  // namespace neurodyn
