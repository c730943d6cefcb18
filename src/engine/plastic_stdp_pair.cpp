// The pair rule's fast path of StdpProjection (include/neurodyn/engine/plastic_stdp.hpp):
// the updates of plastic_stdp.cpp's general path, in the same order and with the same
// expressions, so the weights are bit-identical to it (tests/integration/test_stdp*.cpp
// check the closed forms and every decomposition; docs/benchmarks.md, "Plastic network",
// has the speed-up, about 3x on the plastic code). What makes it faster:
//   - the last kRecentPostSpikes spikes of each target in RecentPostSpikes answer a
//     presynaptic spike's two history queries (arrivals since the source's last spike,
//     last arrival before now) without touching the history vector;
//   - those lines and the ring-buffer slots are prefetched a few synapses ahead, so the
//     cache misses of consecutive synapses overlap;
//   - the weight dependence is a template parameter: no switch in the inner loop.
// Tried and dropped (no gain measured): tables of exp(-k dt / tau) instead of exp().

#include <algorithm>
#include <iterator>

#include "neurodyn/engine/modulator.hpp"
#include "neurodyn/engine/plastic_stdp.hpp"

namespace neurodyn {

namespace {

// Synapses ahead of the current one whose target data are prefetched: far enough for a
// miss to resolve before its use, near enough to stay in the row (160 synapses in the
// benchmark). 4 and 16 measured slower than 8.
constexpr std::uint64_t kPrefetchAhead = 8;

// Applies `pair(w, emission step)` for each spike of `history` emitted in
// (first_excluded, last_included], in order. The window is the history's last entries:
// walk back to its start, then forward. Out of line: the rare case, kept out of the
// inner loop.
template <typename History, typename Pair>
[[gnu::noinline]] double potentiate_window(const History& history, Step first_excluded, Step last_included, double w,
                                           Pair pair) {
    std::size_t i = history.size();
    while (i > 0 && history[i - 1].step > first_excluded) --i;
    for (; i < history.size() && history[i].step <= last_included; ++i) w = pair(w, history[i].step);
    return w;
}

}  // namespace

void StdpProjection::prepare_pair_path() {
    if (kind_ != models::StdpTimingKind::spike_pair) return;
    RecentPostSpikes empty{};
    std::fill(std::begin(empty.step), std::end(empty.step), kNoPostSpike);
    std::fill(std::begin(empty.trace_after), std::end(empty.trace_after), 0.0);
    recent_post_.assign(n_post_, empty);
}

void StdpProjection::record_recent_post_spike(std::uint32_t target, Step step, double trace_after) {
    RecentPostSpikes& recent = recent_post_[target];
    std::copy(std::begin(recent.step) + 1, std::end(recent.step), std::begin(recent.step));
    std::copy(std::begin(recent.trace_after) + 1, std::end(recent.trace_after), std::begin(recent.trace_after));
    recent.step[kRecentPostSpikes - 1] = step;
    recent.trace_after[kRecentPostSpikes - 1] = trace_after;
}

// potentiate() for the pair rule: the arrivals in (after, up_to] at a synapse of delay d
// onto shard target `target`, each paired with the last presynaptic spike.
template <models::WeightDependenceKind Dependence>
[[gnu::always_inline]] inline double StdpProjection::potentiate_pair(const models::WeightDependence& dependence, double w,
                                                                     std::uint32_t target, std::uint16_t d, Step after,
                                                                     Step up_to, Step last, double trace) const {
    // Arrivals in (after, up_to]: emission steps in (after - d, up_to - d].
    const Step first_excluded = after - d, last_included = up_to - d;
    // potentiate()'s update for the pair rule (its triplet term is 0):
    // pair (last presynaptic spike, arrival of the spike emitted in `emitted`).
    auto pair = [&](double weight, Step emitted) {
        const double pre_trace =
            models::decay_trace(trace, static_cast<double>(emitted + d - last) * dt_ms_, tau_pre_ms_);
        return dependence.facilitate(weight, pre_trace * pot_pair_);
    };
    const RecentPostSpikes& recent = recent_post_[target];
    // The recent spikes hold the whole window unless the oldest of them is in it. An
    // empty slot is long ago, so a target with fewer spikes is always covered.
    if (recent.step[0] > first_excluded) return potentiate_window(post_history_[target], first_excluded, last_included, w, pair);
    for (int j = 1; j < kRecentPostSpikes; ++j) {
        const Step emitted = recent.step[j];
        if (emitted > first_excluded && emitted <= last_included) w = pair(w, emitted);
    }
    return w;
}

template <models::WeightDependenceKind Dependence>
std::uint64_t StdpProjection::deliver_pair_spike_as(std::uint32_t s, Step step, double* const* slot_for_delay) {
    const std::uint64_t begin = row_offset_[s], end = row_offset_[s + 1];
    const Step last = pre_last_step_[s];
    const double trace = pre_trace_[s];
    const Step after = std::max(last, potentiated_until_);
    // Astrocyte-modulated pair rule: the depression scales with the modulator now.
    const double depression_scale = modulator_ ? modulator_->value_at_step(step) : 1.0;
    // A copy whose kind the compiler sees as the constant Dependence: the switches of
    // facilitate() and depress() fold away (the formulas stay the model's).
    models::WeightDependence dependence = dependence_;
    dependence.kind = Dependence;
    for (std::uint64_t k = begin; k < end; ++k) {
        if (k + kPrefetchAhead < end) {
            const std::uint32_t ahead = input_[k + kPrefetchAhead];
            const char* line = reinterpret_cast<const char*>(&recent_post_[ahead - first_input_]);
            __builtin_prefetch(line);
            __builtin_prefetch(line + 64);
            __builtin_prefetch(&slot_for_delay[delay_[k + kPrefetchAhead]][ahead], 1);
        }
        const std::uint16_t d = delay_[k];
        const std::uint32_t input = input_[k];
        const std::uint32_t target = input - first_input_;
        double w = weight_[k];
        // Potentiation by the arrivals since the source's previous spike (none before its first).
        if (last >= 0) w = potentiate_pair<Dependence>(dependence, w, target, d, after, step, last, trace);
        // Depression: the trace of the last postsynaptic spike that reached the synapse
        // strictly before this step, i.e. was emitted in a step <= step - d - 1.
        const Step latest = step - d - 1;
        const RecentPostSpikes& recent = recent_post_[target];
        int j = kRecentPostSpikes - 1;
        while (j >= 0 && recent.step[j] > latest) --j;
        Step post_step = 0;
        double post_trace_after = 0.0;  // stays 0: no spike (an empty slot, or none in the history)
        if (j >= 0) {
            post_step = recent.step[j];
            post_trace_after = recent.trace_after[j];
        } else {  // every recent spike is later: the one wanted is older, in the history
            const auto& history = post_history_[target];
            auto it = std::upper_bound(history.begin(), history.end(), latest,
                                       [](Step bound, const PostSpike& spike) { return bound < spike.step; });
            if (it != history.begin()) {
                post_step = std::prev(it)->step;
                post_trace_after = std::prev(it)->trace_after;
            }
        }
        if (post_trace_after > 0.0) {
            const double post_trace =
                models::decay_trace(post_trace_after, static_cast<double>(step - d - post_step) * dt_ms_, tau_post_ms_);
            // The general path's amount (its triplet term is 0); a negative modulator potentiates.
            const double amount = post_trace * dep_pair_ * depression_scale;
            if (amount > 0.0) w = dependence.depress(w, amount);
            if (amount < 0.0) w = dependence.facilitate(w, -amount);
        }
        weight_[k] = w;
        slot_for_delay[d][input] += w;
    }
    const double before = last < 0 ? 0.0 : models::decay_trace(trace, static_cast<double>(step - last) * dt_ms_, tau_pre_ms_);
    pre_trace_[s] = nearest_ ? 1.0 : before + 1.0;
    pre_last_step_[s] = step;
    return end - begin;
}

std::uint64_t StdpProjection::deliver_pair_spike(std::uint32_t s, Step step, double* const* slot_for_delay) {
    if (row_offset_[s] == row_offset_[s + 1]) return 0;
    switch (dependence_.kind) {
        case models::WeightDependenceKind::additive:
            return deliver_pair_spike_as<models::WeightDependenceKind::additive>(s, step, slot_for_delay);
        case models::WeightDependenceKind::multiplicative:
            return deliver_pair_spike_as<models::WeightDependenceKind::multiplicative>(s, step, slot_for_delay);
        case models::WeightDependenceKind::gutig:
            return deliver_pair_spike_as<models::WeightDependenceKind::gutig>(s, step, slot_for_delay);
    }
    return 0;
}

template <models::WeightDependenceKind Dependence>
void StdpProjection::bring_pairs_up_to_as(Step last_step) {
    models::WeightDependence dependence = dependence_;
    dependence.kind = Dependence;
    for (std::uint32_t s = 0; s < n_sources_; ++s) {
        const Step last = pre_last_step_[s];
        if (last < 0) continue;
        const Step after = std::max(last, potentiated_until_);
        const double trace = pre_trace_[s];
        for (std::uint64_t k = row_offset_[s]; k < row_offset_[s + 1]; ++k)
            weight_[k] = potentiate_pair<Dependence>(dependence, weight_[k], input_[k] - first_input_, delay_[k], after,
                                                     last_step, last, trace);
    }
}

void StdpProjection::bring_pairs_up_to(Step last_step) {
    switch (dependence_.kind) {
        case models::WeightDependenceKind::additive:
            bring_pairs_up_to_as<models::WeightDependenceKind::additive>(last_step);
            break;
        case models::WeightDependenceKind::multiplicative:
            bring_pairs_up_to_as<models::WeightDependenceKind::multiplicative>(last_step);
            break;
        case models::WeightDependenceKind::gutig:
            bring_pairs_up_to_as<models::WeightDependenceKind::gutig>(last_step);
            break;
    }
    potentiated_until_ = last_step;
}

}  // namespace neurodyn
