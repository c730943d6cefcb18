#pragma once
// Training an EventNetwork (eventprop.hpp) by gradient descent: Adam on the weights and,
// optionally, on the synaptic delays (Grimaldi & Perrinet 2023 learn heterogeneous delays;
// here dL/dd is the exact event-based gradient, dL/dd_ij = sum over the spikes of j of
// dL/ds at their arrival s = t_j + d_ij). Delays are clipped to [min_delay, max_delay]
// after every step so that they stay causal and exportable.

#include <cstddef>
#include <limits>
#include <span>
#include <vector>

#include "neurodyn/learn/adam.hpp"
#include "neurodyn/learn/eventprop.hpp"

namespace neurodyn::learn {

struct EventTrainingSettings {
    AdamSettings weights{1e-3};  // learning rate in nA per step
    bool learn_delays = false;
    AdamSettings delays{0.1};    // learning rate in ms per step
    double min_delay = 0.0;      // ms
    double max_delay = std::numeric_limits<double>::infinity();  // ms
    void validate() const;       // ValueError naming the field and its value
};

class EventTrainer {
public:
    // Trains `network` in place; it must outlive the trainer.
    EventTrainer(EventNetwork& network, EventTrainingSettings settings);

    // One Adam step on the mean gradient of `samples`; returns the batch's loss (before
    // the step), predictions and gradient.
    EventBatchResult step(const EventSpikeData& data, std::span<const std::size_t> samples,
                          const EventTargets& targets, const EventLoss& loss, int threads = 1);

    const EventTrainingSettings& settings() const { return settings_; }
    std::uint64_t steps_taken() const { return weight_optimisers_.empty() ? 0 : weight_optimisers_[0].steps_taken(); }

private:
    EventNetwork& network_;
    EventTrainingSettings settings_;
    std::vector<Adam> weight_optimisers_, delay_optimisers_;
};

// The network the time-stepped simulator runs: every delay rounded to the nearest
// multiple of `dt_ms`, and at least one step (the engine's smallest delay).
void round_delays_to_grid(EventNetwork& network, double dt_ms);

}  // namespace neurodyn::learn
