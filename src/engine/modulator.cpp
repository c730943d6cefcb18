#include "neurodyn/engine/modulator.hpp"

#include <algorithm>
#include <cmath>

namespace neurodyn {

ModulatorSignal::ModulatorSignal(const ModulatorSpec& spec, double dt_ms, std::vector<double> source_weight_by_population)
    : name_(spec.name),
      tau_ms_(spec.tau),
      baseline_(spec.baseline),
      dt_ms_(dt_ms),
      initial_(spec.initial),
      weight_by_population_(std::move(source_weight_by_population)) {
    for (std::size_t k = 0; k < spec.release_times.size(); ++k)
        pending_.emplace_back(std::max<Step>(steps_from_ms(spec.release_times[k], dt_ms) - 1, 0), spec.release_amounts[k]);
    // Stable: releases at the same step add up in the order given (the sum is what counts).
    std::stable_sort(pending_.begin(), pending_.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
}

double ModulatorSignal::value(Step step, std::ptrdiff_t cursor) const {
    if (cursor < 0) return baseline_ + (initial_ - baseline_) * std::exp(-static_cast<double>(step + 1) * dt_ms_ / tau_ms_);
    const Jump& jump = jumps_[static_cast<std::size_t>(cursor)];
    return baseline_ + (jump.value_after - baseline_) * std::exp(-static_cast<double>(step - jump.step) * dt_ms_ / tau_ms_);
}

std::ptrdiff_t ModulatorSignal::last_jump_at_or_before(Step step) const {
    const auto it = std::upper_bound(jumps_.begin(), jumps_.end(), step,
                                     [](Step s, const Jump& jump) { return s < jump.step; });
    return (it - jumps_.begin()) - 1;
}

void ModulatorSignal::release(Step step, double amount) {
    const auto it = std::upper_bound(pending_.begin(), pending_.end(), step,
                                     [](Step s, const std::pair<Step, double>& r) { return s < r.first; });
    pending_.insert(it, {step, amount});
}

void ModulatorSignal::add_epoch(Step first_step, Step end_step, std::span<const Step> spike_steps,
                                std::span<const std::uint32_t> spike_populations) {
    // Releases scheduled before this epoch (a schedule starting before the current time)
    // act at the epoch's first step: a jump cannot be placed in the past of what the
    // synapses have already read.
    std::size_t r = 0;
    std::size_t s = 0;
    while (true) {
        // The next step with a jump: from a source spike or a release.
        while (s < spike_steps.size() && weight_by_population_[spike_populations[s]] == 0.0) ++s;
        const bool have_spike = s < spike_steps.size();
        const bool have_release = r < pending_.size() && pending_[r].first < end_step;
        if (!have_spike && !have_release) break;
        Step step = end_step;
        if (have_spike) step = spike_steps[s];
        if (have_release) step = std::min(step, std::max(pending_[r].first, first_step));
        double jump = 0.0;
        for (; s < spike_steps.size() && spike_steps[s] == step; ++s) jump += weight_by_population_[spike_populations[s]];
        for (; r < pending_.size() && pending_[r].first < end_step && std::max(pending_[r].first, first_step) == step; ++r)
            jump += pending_[r].second;
        const std::ptrdiff_t last = jumps_.empty() ? -1 : static_cast<std::ptrdiff_t>(jumps_.size()) - 1;
        const double before = value(step, last);
        if (!jumps_.empty() && jumps_.back().step == step)
            jumps_.back().value_after += jump;
        else
            jumps_.push_back({step, before + jump});
    }
    pending_.erase(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(r));
}

bool ModulatorSignal::prune(Step step) {
    const std::ptrdiff_t keep = last_jump_at_or_before(step);
    if (keep <= 0) return false;
    jumps_.erase(jumps_.begin(), jumps_.begin() + keep);
    prune_threshold_ = std::max<std::size_t>(4096, 2 * jumps_.size());
    return true;
}

}  // namespace neurodyn
