#pragma once
// A network modulator n(t) (network/spec.hpp ModulatorSpec, docs/plasticity.md):
//   tau dn/dt = baseline - n,  jumps by a source population's weight at each of its spikes
//   and by the amount of each release.
// Kept as the list of its jumps: the step and n just after all the jumps of that step.
// A step's jumps happen at its end, (step + 1) dt, when its spikes are emitted: a release
// at time t (ms) is a jump of step round(t / dt) - 1, together with spikes recorded at t.
// Between jumps n relaxes exponentially, so n at any time is one lookup and one exp.
// Built from the exchanged spike list, so every shard and rank holds the same copy;
// shards only read it while they deliver an epoch's spikes.

#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "neurodyn/core/time.hpp"
#include "neurodyn/network/spec.hpp"

namespace neurodyn {

class ModulatorSignal {
public:
    struct Jump {
        Step step;
        double value_after;  // n just after the jumps of `step`
    };

    // `source_weight_by_population[p]`: the jump per spike of population p (0: not a source).
    ModulatorSignal(const ModulatorSpec& spec, double dt_ms, std::vector<double> source_weight_by_population);

    const std::string& name() const { return name_; }
    double tau_ms() const { return tau_ms_; }
    double baseline() const { return baseline_; }

    // Adds the jumps of one epoch [first_step, end_step): the spikes (sorted by step;
    // `population_of_spike[i]` the population of spike i) and the releases due in it.
    // Called before the epoch's spikes are delivered.
    void add_epoch(Step first_step, Step end_step, std::span<const Step> spike_steps,
                   std::span<const std::uint32_t> spike_populations);
    // A release of `amount` at `step` (>= the next epoch's first step).
    void release(Step step, double amount);

    // n at the end of step `step` (time (step + 1) dt, when the step's spikes are
    // emitted), after the jumps of that step; `cursor` is the index in jumps() of the last
    // jump at or before `step` (-1: none yet, n relaxes from `initial` at t = 0).
    double value(Step step, std::ptrdiff_t cursor) const;
    // The index of the last jump at or before `step` (-1 if none).
    std::ptrdiff_t last_jump_at_or_before(Step step) const;
    const std::vector<Jump>& jumps() const { return jumps_; }
    double value_at_step(Step step) const { return value(step, last_jump_at_or_before(step)); }
    // n at t = 0 (before any step).
    double initial() const { return initial_; }

    // Drops the jumps before the last one at or before `step`: every reader has been
    // brought up to `step`. Returns whether it dropped any.
    bool prune(Step step);
    bool wants_prune() const { return jumps_.size() > prune_threshold_; }
    std::size_t bytes() const { return jumps_.capacity() * sizeof(Jump) + pending_.capacity() * sizeof(std::pair<Step, double>); }

private:
    std::string name_;
    double tau_ms_, baseline_, dt_ms_;
    double initial_;
    std::vector<double> weight_by_population_;
    std::vector<Jump> jumps_;
    std::vector<std::pair<Step, double>> pending_;  // releases not yet in an epoch, sorted by step
    std::size_t prune_threshold_ = 4096;
};

}  // namespace neurodyn
