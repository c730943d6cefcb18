#include "neurodyn/engine/plastic_stdp.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "neurodyn/core/error.hpp"

namespace neurodyn {

StdpProjection::StdpProjection(const SynapseSpec& synapse, double dt_ms, std::uint32_t first_source_id,
                               std::uint32_t n_sources, std::uint32_t first_post_id, std::uint32_t first_post_index,
                               std::uint32_t n_post, std::uint32_t first_input)
    : kind_(synapse.timing_kind),
      dependence_(synapse.weight_dependence),
      relative_amplitudes_(synapse.timing_kind == models::StdpTimingKind::spike_pair),
      negative_weights_(!relative_amplitudes_ && synapse.weight_dependence.w_max <= 0.0),
      nearest_(false),
      tau_pre_ms_(1.0),
      tau_post_ms_(1.0),
      tau_pre_slow_ms_(1.0),
      tau_post_slow_ms_(1.0),
      pot_pair_(0.0),
      pot_triplet_(0.0),
      dep_pair_(0.0),
      dep_triplet_(0.0),
      dep_per_pre_spike_(0.0),
      dt_ms_(dt_ms),
      first_source_id_(first_source_id),
      n_sources_(n_sources),
      first_post_id_(first_post_id),
      first_post_index_(first_post_index),
      n_post_(n_post),
      first_input_(first_input),
      pre_trace_(n_sources, 0.0),
      pre_last_step_(n_sources, -1),
      post_history_(n_post) {
    switch (kind_) {
        case models::StdpTimingKind::spike_pair: {
            const models::SpikePairRule& rule = synapse.timing;
            nearest_ = rule.pairing == models::SpikePairing::nearest_symmetric;
            tau_pre_ms_ = rule.tau_plus;
            tau_post_ms_ = rule.tau_minus;
            pot_pair_ = rule.A_plus;
            dep_pair_ = rule.A_minus;
            break;
        }
        case models::StdpTimingKind::triplet: {
            const models::TripletRule& rule = synapse.triplet;
            tau_pre_ms_ = rule.tau_plus;
            tau_post_ms_ = rule.tau_minus;
            tau_pre_slow_ms_ = rule.tau_x;
            tau_post_slow_ms_ = rule.tau_y;
            pot_pair_ = rule.A2_plus;
            pot_triplet_ = rule.A3_plus;
            dep_pair_ = rule.A2_minus;
            dep_triplet_ = rule.A3_minus;
            pre_slow_trace_.assign(n_sources, 0.0);
            break;
        }
        case models::StdpTimingKind::vogels_sprekeler: {
            const models::VogelsSprekelerRule& rule = synapse.vogels_sprekeler;
            tau_pre_ms_ = rule.tau;
            tau_post_ms_ = rule.tau;
            pot_pair_ = rule.eta;
            dep_pair_ = rule.eta;  // the potentiation by eta o1 at a presynaptic spike
            dep_per_pre_spike_ = rule.eta * rule.alpha();
            break;
        }
        case models::StdpTimingKind::dopamine: {
            const models::DopamineRule& rule = synapse.dopamine;
            tau_pre_ms_ = rule.tau_plus;
            tau_post_ms_ = rule.tau_minus;
            pot_pair_ = rule.A_plus;
            dep_pair_ = rule.A_minus;
            tau_c_ms_ = rule.tau_c;
            dopamine_b_ = rule.b;
            break;
        }
    }
    prune_threshold_ = 16 * static_cast<std::size_t>(n_post) + 64;
    prepare_pair_path();  // plastic_stdp_pair.cpp
}

void StdpProjection::build(std::vector<PlasticSynapseEntry>&& entries) {
    // Counting sort by source (stable), then each row stable-sorted by (delay, input).
    row_offset_.assign(static_cast<std::size_t>(n_sources_) + 1, 0);
    for (const auto& e : entries) ++row_offset_[e.source + 1];
    std::partial_sum(row_offset_.begin(), row_offset_.end(), row_offset_.begin());
    std::vector<std::uint64_t> cursor(row_offset_.begin(), row_offset_.end() - 1);
    std::vector<PlasticSynapseEntry> sorted(entries.size());
    for (const auto& e : entries) sorted[cursor[e.source]++] = e;
    std::vector<PlasticSynapseEntry>().swap(entries);
    for (std::uint32_t s = 0; s < n_sources_; ++s)
        std::stable_sort(sorted.begin() + static_cast<std::ptrdiff_t>(row_offset_[s]),
                         sorted.begin() + static_cast<std::ptrdiff_t>(row_offset_[s + 1]),
                         [](const PlasticSynapseEntry& a, const PlasticSynapseEntry& b) {
                             return a.delay != b.delay ? a.delay < b.delay : a.input < b.input;
                         });
    input_.resize(sorted.size());
    delay_.resize(sorted.size());
    weight_.resize(sorted.size());
    if (kind_ == models::StdpTimingKind::dopamine) eligibility_.assign(sorted.size(), 0.0);
    max_delay_ = 0;
    for (std::size_t k = 0; k < sorted.size(); ++k) {
        input_[k] = sorted[k].input;
        delay_[k] = sorted[k].delay;
        weight_[k] = sorted[k].weight;
        max_delay_ = std::max(max_delay_, sorted[k].delay);
    }
}

void StdpProjection::record_post_spikes(std::span<const Step> steps, std::span<const std::uint32_t> ids) {
    if (n_post_ == 0) return;
    for (std::size_t i = 0; i < ids.size(); ++i) {
        const std::uint32_t id = ids[i];
        if (id < first_post_id_ || id - first_post_id_ >= n_post_) continue;
        auto& history = post_history_[id - first_post_id_];
        // The traces just before this spike: the previous one's, decayed (0 before the first).
        double before = 0.0, slow_before = 0.0;
        if (!history.empty()) {
            const double elapsed_ms = static_cast<double>(steps[i] - history.back().step) * dt_ms_;
            before = models::decay_trace(history.back().trace_after, elapsed_ms, tau_post_ms_);
            if (kind_ == models::StdpTimingKind::triplet)
                slow_before = models::decay_trace(history.back().slow_before + 1.0, elapsed_ms, tau_post_slow_ms_);
        }
        history.push_back({steps[i], nearest_ ? 1.0 : before + 1.0, slow_before});
        ++history_entries_;
        if (!recent_post_.empty()) record_recent_post_spike(id - first_post_id_, steps[i], history.back().trace_after);
    }
}

double StdpProjection::potentiate(double w, const std::vector<PostSpike>& history, std::uint16_t d, Step after, Step up_to,
                                  Step last, double trace) const {
    // Arrivals in (after, up_to]: emission steps in (after - d, up_to - d].
    auto it = std::upper_bound(history.begin(), history.end(), after - d,
                               [](Step step, const PostSpike& spike) { return step < spike.step; });
    for (; it != history.end() && it->step + d <= up_to; ++it) {
        // The pair (last presynaptic spike, this postsynaptic arrival): Δt = arrival - t_last > 0.
        const double delta_t_ms = static_cast<double>(it->step + d - last) * dt_ms_;
        const double pre_trace = models::decay_trace(trace, delta_t_ms, tau_pre_ms_);
        // pot_triplet_ and slow_before are 0 but for the triplet rule: the pair rule's A_plus r1.
        w = facilitate(w, pre_trace * (pot_pair_ + pot_triplet_ * it->slow_before));
    }
    return w;
}

std::uint64_t StdpProjection::deliver_spike(std::uint32_t source_id, Step step, double* const* slot_for_delay) {
    const std::uint32_t s = source_id - first_source_id_;
    if (kind_ == models::StdpTimingKind::dopamine) return deliver_dopamine_spike(s, step, slot_for_delay);
    if (!recent_post_.empty()) return deliver_pair_spike(s, step, slot_for_delay);  // pair rule: plastic_stdp_pair.cpp
    const std::uint64_t begin = row_offset_[s], end = row_offset_[s + 1];
    if (begin == end) return 0;
    const Step last = pre_last_step_[s];
    const double trace = pre_trace_[s];
    const Step after = std::max(last, potentiated_until_);
    // Triplet: the slow presynaptic trace r2 just before this spike (t - ε).
    const double pre_slow_before =
        kind_ == models::StdpTimingKind::triplet && last >= 0
            ? models::decay_trace(pre_slow_trace_[s], static_cast<double>(step - last) * dt_ms_, tau_pre_slow_ms_)
            : 0.0;
    // Astrocyte-modulated pair rule: the depression scales with the modulator now.
    const double depression_scale = modulator_ ? modulator_->value_at_step(step) : 1.0;
    for (std::uint64_t k = begin; k < end; ++k) {
        const std::uint16_t d = delay_[k];
        const auto& history = post_history_[input_[k] - first_input_];
        double w = weight_[k];
        // Potentiation: postsynaptic spikes that reached the synapse since the previous
        // presynaptic spike (none before the source's first spike: nothing to pair with).
        if (last >= 0) w = potentiate(w, history, d, after, step, last, trace);
        // Depression: the postsynaptic trace where the presynaptic spike meets it, from the
        // last postsynaptic spike that reached the synapse strictly before (a spike
        // arriving in the same step gives Δt = 0 and is not paired, as in NEST).
        auto it = std::upper_bound(history.begin(), history.end(), step - d - 1,
                                   [](Step bound, const PostSpike& spike) { return bound < spike.step; });
        double post_trace = 0.0;
        if (it != history.begin()) {
            --it;
            const double delta_t_ms = static_cast<double>(step - d - it->step) * dt_ms_;
            post_trace = models::decay_trace(it->trace_after, delta_t_ms, tau_post_ms_);
        }
        if (kind_ != models::StdpTimingKind::vogels_sprekeler) {
            const double amount = post_trace * (dep_pair_ + dep_triplet_ * pre_slow_before) * depression_scale;
            if (amount > 0.0) w = depress(w, amount);
            if (amount < 0.0) w = facilitate(w, -amount);
        } else {
            // Vogels–Sprekeler: the pairs (earlier post, this pre) potentiate too, then
            // every presynaptic spike depresses by eta alpha (NEST's order).
            w = depress(facilitate(w, dep_pair_ * post_trace), dep_per_pre_spike_);
        }
        weight_[k] = w;
        slot_for_delay[d][input_[k]] += w;
    }
    const double before = last < 0 ? 0.0 : models::decay_trace(trace, static_cast<double>(step - last) * dt_ms_, tau_pre_ms_);
    pre_trace_[s] = nearest_ ? 1.0 : before + 1.0;
    if (kind_ == models::StdpTimingKind::triplet) pre_slow_trace_[s] = pre_slow_before + 1.0;
    pre_last_step_[s] = step;
    return end - begin;
}

void StdpProjection::bring_up_to(Step last_step) {
    if (last_step <= potentiated_until_) return;
    if (kind_ == models::StdpTimingKind::dopamine) {
        bring_dopamine_up_to(last_step);
        return;
    }
    if (!recent_post_.empty()) {
        bring_pairs_up_to(last_step);  // pair rule: plastic_stdp_pair.cpp
        return;
    }
    for (std::uint32_t s = 0; s < n_sources_; ++s) {
        const Step last = pre_last_step_[s];
        if (last < 0) continue;
        const Step after = std::max(last, potentiated_until_);
        for (std::uint64_t k = row_offset_[s]; k < row_offset_[s + 1]; ++k)
            weight_[k] = potentiate(weight_[k], post_history_[input_[k] - first_input_], delay_[k], after, last_step, last,
                                    pre_trace_[s]);
    }
    potentiated_until_ = last_step;
}

void StdpProjection::after_epoch(Step last_step) {
    if (kind_ == models::StdpTimingKind::dopamine) {
        // Bringing dopamine synapses up to date splits their exact integration in two,
        // which rounds differently: it happens at the same steps in every shard (a fixed
        // interval), not when this shard's histories have grown, so the weights do not
        // depend on the decomposition.
        if (last_step - last_prune_step_ < kDopaminePruneSteps) return;
        last_prune_step_ = last_step;
    } else if (history_entries_ <= prune_threshold_) {
        return;
    }
    bring_up_to(last_step);
    // Every arrival up to last_step is applied: a spike emitted in a step <= last_step -
    // max_delay is needed only as the latest such one (its trace for later depressions).
    const Step consumed = last_step - max_delay_;
    history_entries_ = 0;
    for (auto& history : post_history_) {
        auto keep = std::upper_bound(history.begin(), history.end(), consumed,
                                     [](Step bound, const PostSpike& spike) { return bound < spike.step; });
        if (keep != history.begin()) history.erase(history.begin(), keep - 1);
        history_entries_ += history.size();
    }
    prune_threshold_ = std::max(2 * history_entries_, 16 * static_cast<std::size_t>(n_post_) + 64);
}

std::uint64_t StdpProjection::find(std::uint32_t source, std::uint16_t delay, std::uint32_t input,
                                   std::uint32_t occurrence) const {
    const auto first = input_.begin() + static_cast<std::ptrdiff_t>(row_offset_[source]);
    const auto last = input_.begin() + static_cast<std::ptrdiff_t>(row_offset_[source + 1]);
    // The row is sorted by (delay, input): binary search on the pair.
    auto it = std::partition_point(first, last, [&](const std::uint32_t& in) {
        const std::size_t k = static_cast<std::size_t>(&in - input_.data());
        return delay_[k] != delay ? delay_[k] < delay : in < input;
    });
    const std::uint64_t k = static_cast<std::uint64_t>(it - input_.begin()) + occurrence;
    if (k >= row_offset_[source + 1] || delay_[k] != delay || input_[k] != input)
        throw InternalError("STDP synapse table does not match the generated connectivity");
    return k;
}

template <typename Visit>
void StdpProjection::for_each_generated(std::span<const IncomingSynapse> generated, Visit visit) const {
    // Multapses (same source and target) are adjacent in generation order and keep that
    // order among equal delays in the rows: count each (delay) within the block.
    std::vector<std::pair<std::uint16_t, std::uint32_t>> seen;  // (delay, count) in the current block
    for (std::size_t i = 0; i < generated.size(); ++i) {
        const IncomingSynapse& syn = generated[i];
        if (i == 0 || syn.source != generated[i - 1].source || syn.target != generated[i - 1].target) seen.clear();
        auto it = std::find_if(seen.begin(), seen.end(), [&](const auto& entry) { return entry.first == syn.delay_steps; });
        if (it == seen.end()) it = seen.insert(seen.end(), {syn.delay_steps, 0u});
        const std::uint32_t input = first_input_ + (syn.target - first_post_index_);
        visit(i, find(syn.source, syn.delay_steps, input, it->second++));
    }
}

void StdpProjection::read_weights(std::span<const IncomingSynapse> generated, std::vector<double>& out) const {
    for_each_generated(generated, [&](std::size_t, std::uint64_t k) { out.push_back(weight_[k]); });
}

void StdpProjection::read_eligibilities(std::span<const IncomingSynapse> generated, std::vector<double>& out) const {
    for_each_generated(generated, [&](std::size_t, std::uint64_t k) { out.push_back(eligibility_[k]); });
}

void StdpProjection::write_weights(std::span<const IncomingSynapse> generated, std::span<const double> values) {
    for_each_generated(generated, [&](std::size_t i, std::uint64_t k) { weight_[k] = values[i]; });
}

std::size_t StdpProjection::bytes() const {
    std::size_t history = 0;
    for (const auto& h : post_history_) history += h.capacity() * sizeof(PostSpike) + sizeof(h);
    return row_offset_.capacity() * sizeof(std::uint64_t) + input_.capacity() * sizeof(std::uint32_t) +
           delay_.capacity() * sizeof(std::uint16_t) + weight_.capacity() * sizeof(double) +
           pre_trace_.capacity() * sizeof(double) + pre_last_step_.capacity() * sizeof(Step) +
           pre_slow_trace_.capacity() * sizeof(double) + eligibility_.capacity() * sizeof(double) + history +
           recent_post_.capacity() * sizeof(RecentPostSpikes);
}

}  // namespace neurodyn
