// Weights recorders (RecorderSpec::Kind::weights, docs/plasticity.md): the weights of
// chosen synapses of an STDP projection, sampled every `interval` from t = 0.
//
// A sample at time S dt (the end of step S - 1) is the weight Simulator::weights() would
// return if the run stopped there: every presynaptic spike of steps < S delivered and
// every postsynaptic arrival in a step <= S - 1 applied (bring_up_to(S - 1)). Weights
// change only while spikes are delivered, once per epoch in (step, source id) order, so
// a shard takes the samples of an epoch during its delivery, each just before the first
// spike of a step >= S (Shard::sample_weights_before). The pending potentiation is
// computed for the sampled synapse only and not stored: recording changes nothing in the
// run. Where each recorded synapse lives (shard, table, position) is found once when the
// network is built, so a sample costs O(recorded synapses), not a pass over the projection.
// Nothing of this runs for a network without weights recorders but one test of an empty
// vector per delivered step.

#include <algorithm>
#include <limits>
#include <numeric>
#include <utility>

#include "neurodyn/core/error.hpp"
#include "neurodyn/engine/modulator.hpp"
#include "neurodyn/engine/plastic_stdp.hpp"
#include "neurodyn/engine/simulator.hpp"
#include "shard.hpp"

namespace neurodyn {

namespace {

std::string projection_name(const NetworkSpec& spec, std::size_t index) {
    const ProjectionSpec& proj = spec.projections[index];
    return proj.name.empty() ? proj.source + "->" + proj.target : proj.name;
}

}  // namespace

void StdpProjection::locate(std::span<const IncomingSynapse> generated, std::vector<std::uint64_t>& positions) const {
    // The walk of for_each_generated (plastic_stdp.cpp): multapses (same source and
    // target) are adjacent in generation order and keep that order among equal delays in
    // the rows, so the k-th of a block with a given delay is the k-th in its row.
    positions.clear();
    positions.reserve(generated.size());
    std::vector<std::pair<std::uint16_t, std::uint32_t>> seen;  // (delay, count) in the current block
    for (std::size_t i = 0; i < generated.size(); ++i) {
        const IncomingSynapse& syn = generated[i];
        if (i == 0 || syn.source != generated[i - 1].source || syn.target != generated[i - 1].target) seen.clear();
        auto it = std::find_if(seen.begin(), seen.end(), [&](const auto& entry) { return entry.first == syn.delay_steps; });
        if (it == seen.end()) it = seen.insert(seen.end(), {syn.delay_steps, 0u});
        const std::uint32_t input = first_input_ + (syn.target - first_post_index_);
        positions.push_back(find(syn.source, syn.delay_steps, input, it->second++));
    }
}

double StdpProjection::weight_at(std::uint32_t source, std::uint64_t position, Step last_step) {
    const Step last = pre_last_step_[source];
    const Step after = std::max(last, potentiated_until_);
    // Nothing pending: before the source's first spike nothing pairs, and arrivals up to
    // `after` are already in the weight.
    if (last < 0 || last_step <= after) return weight_[position];
    const auto& history = post_history_[input_[position] - first_input_];
    if (kind_ == models::StdpTimingKind::dopamine) {
        // The dopamine rule integrates weight and eligibility together in place; both are
        // put back, so the run goes on exactly as without the sample.
        const double weight = weight_[position], eligibility = eligibility_[position];
        integrate_dopamine(position, history, delay_[position], after, last_step, last, pre_trace_[source],
                           modulator_->last_jump_at_or_before(after));
        const double sampled = weight_[position];
        weight_[position] = weight;
        eligibility_[position] = eligibility;
        return sampled;
    }
    // The operations of bring_up_to(last_step) on this weight, in the same order.
    return potentiate(weight_[position], history, delay_[position], after, last_step, last, pre_trace_[source]);
}

void Shard::sample_weights_before(Step step) {
    for (WeightTap& tap : weight_taps) {
        if (tap.rate) continue;
        StdpProjection& table = stdp[tap.table];
        for (; tap.next_sample_step <= step; tap.next_sample_step += tap.interval_steps)
            for (std::size_t i = 0; i < tap.positions.size(); ++i)
                tap.values.push_back(table.weight_at(tap.sources[i], tap.positions[i], tap.next_sample_step - 1));
    }
}

void Shard::sample_rate_weights(Step step) {
    for (WeightTap& tap : weight_taps) {
        if (!tap.rate) continue;
        const std::span<const double> weights = rate_hebbian[tap.table].weights();
        for (; tap.next_sample_step <= step; tap.next_sample_step += tap.interval_steps)
            for (const std::uint64_t position : tap.positions) tap.values.push_back(weights[position]);
    }
}

void Simulator::build_weight_probes() {
    for (std::size_t r = 0; r < spec_.recorders.size(); ++r) {
        const RecorderSpec& rec = spec_.recorders[r];
        if (rec.kind != RecorderSpec::Kind::weights) continue;
        const std::size_t p = weight_recorder_projection(spec_, r);
        WeightProbe probe;
        probe.recorder = r;
        probe.projection = p;
        probe.synapses = rec.synapses;
        probe.interval_steps = std::max<Step>(1, steps_from_ms(rec.interval, dt()));  // a whole number (validated)
        // The first sample time at or after now (t = 0 at build).
        probe.next_sample_step = (step_ + probe.interval_steps - 1) / probe.interval_steps * probe.interval_steps;

        // Synapse k of weights(p) is the k-th of the concatenation of every shard's
        // table, shards and ranks in target order; a table holds every synapse onto its
        // shard's targets, so its size is the shard's count.
        std::vector<IncomingSynapse> generated;
        std::vector<std::uint64_t> shard_counts(shards_.size(), 0);
        std::uint64_t local = 0;
        const bool rate = spec_.projections[p].synapse.kind == SynapseSpec::Kind::rate_hebbian;
        for (std::size_t s = 0; s < shards_.size(); ++s) {
            if (rate) {
                shard_counts[s] = rate_hebbian_table(*shards_[s], p)->size();
            } else {
                const auto& owners = shards_[s]->stdp_projection;
                const auto it = std::find(owners.begin(), owners.end(), p);
                if (it != owners.end()) shard_counts[s] = shards_[s]->stdp[static_cast<std::size_t>(it - owners.begin())].size();
            }
            local += shard_counts[s];
        }
        const auto rank_counts = comm_.all_gather_value(local);
        std::uint64_t total = 0, offset = 0;
        for (std::size_t k = 0; k < rank_counts.size(); ++k) {
            if (static_cast<int>(k) < comm_.rank()) offset += rank_counts[k];
            total += rank_counts[k];
        }
        const std::string key = recorder_key(r) + ".synapses";
        for (const std::uint64_t synapse : probe.synapses)
            if (synapse >= total)
                throw ValueError(key + ": synapse index " + std::to_string(synapse) + " is out of range: " +
                                     projection_key(p) + " ('" + projection_name(spec_, p) + "') has " +
                                     std::to_string(total) + " synapses (indices in the order of its weights)",
                                 key);
        // (index, column), sorted by index: each shard takes the run inside its range.
        std::vector<std::pair<std::uint64_t, std::uint32_t>> chosen;
        for (std::size_t c = 0; c < probe.synapses.size(); ++c) chosen.emplace_back(probe.synapses[c], static_cast<std::uint32_t>(c));
        std::sort(chosen.begin(), chosen.end());
        std::vector<std::uint64_t> positions;
        for (std::size_t s = 0; s < shards_.size(); ++s) {
            const std::uint64_t begin = offset, end = offset + shard_counts[s];
            offset = end;
            auto it = std::lower_bound(chosen.begin(), chosen.end(), std::pair<std::uint64_t, std::uint32_t>{begin, 0u});
            if (it == chosen.end() || it->first >= end) continue;
            Shard& shard = *shards_[s];
            WeightTap tap;
            if (rate) {
                // Rate-Hebbian tables hold their synapses in generation order.
                tap.rate = true;
                tap.table = static_cast<std::size_t>(rate_hebbian_table(shard, p) - shard.rate_hebbian.data());
                positions.resize(shard_counts[s]);
                std::iota(positions.begin(), positions.end(), std::uint64_t{0});
            } else {
                StdpProjection* table = stdp_table(shard, p, generated);
                table->locate(generated, positions);
                tap.table = static_cast<std::size_t>(table - shard.stdp.data());
            }
            tap.probe = weight_probes_.size();
            tap.interval_steps = probe.interval_steps;
            tap.next_sample_step = probe.next_sample_step;
            for (; it != chosen.end() && it->first < end; ++it) {
                const std::size_t local_index = static_cast<std::size_t>(it->first - begin);
                tap.sources.push_back(rate ? 0u : generated[local_index].source);  // the rate tables need no source
                tap.positions.push_back(positions[local_index]);
                tap.columns.push_back(it->second);
            }
            shard.weight_taps.push_back(std::move(tap));
        }
        weight_probes_.push_back(std::move(probe));
    }
}

void Simulator::collect_weight_samples(Step end_step) {
    for (std::size_t w = 0; w < weight_probes_.size(); ++w) {
        WeightProbe& probe = weight_probes_[w];
        // The rows every tap has taken in this epoch: the sample steps up to end_step.
        std::size_t rows = 0;
        for (; probe.next_sample_step <= end_step; probe.next_sample_step += probe.interval_steps, ++rows)
            probe.pending_times.push_back(ms_from_steps(probe.next_sample_step, dt()));
        if (rows == 0) continue;
        const std::size_t columns = probe.synapses.size();
        probe.pending_values.assign(rows * columns, std::numeric_limits<double>::quiet_NaN());
        // Distributed runs: each column travels as [column, its value in each row].
        std::vector<double> packed;
        for (auto& shard : shards_)
            for (WeightTap& tap : shard->weight_taps) {
                if (tap.probe != w) continue;
                const std::size_t n = tap.positions.size();
                if (tap.values.size() != rows * n)
                    throw InternalError("weight recorder " + std::to_string(probe.recorder) + ": a shard took " +
                                        std::to_string(tap.values.size()) + " values, expected " + std::to_string(rows * n));
                for (std::size_t i = 0; i < n; ++i) {
                    const std::size_t column = tap.columns[i];
                    if (comm_.distributed()) packed.push_back(static_cast<double>(column));
                    for (std::size_t row = 0; row < rows; ++row) {
                        const double value = tap.values[row * n + i];
                        probe.pending_values[row * columns + column] = value;
                        if (comm_.distributed()) packed.push_back(value);
                    }
                }
                tap.values.clear();
            }
        if (!comm_.distributed()) continue;
        std::vector<double> all;
        std::vector<std::uint64_t> counts;
        comm_.all_gather(packed, all, counts);
        for (std::size_t at = 0; at < all.size(); at += rows + 1) {
            const auto column = static_cast<std::size_t>(all[at]);
            for (std::size_t row = 0; row < rows; ++row) probe.pending_values[row * columns + column] = all[at + 1 + row];
        }
    }
}

}  // namespace neurodyn
