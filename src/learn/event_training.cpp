// Adam on the weights and delays of an EventNetwork (include/neurodyn/learn/event_training.hpp).

#include "neurodyn/learn/event_training.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "neurodyn/core/error.hpp"
#include "neurodyn/core/strings.hpp"

namespace neurodyn::learn {

void EventTrainingSettings::validate() const {
    weights.validate();
    if (learn_delays) delays.validate();
    if (!(std::isfinite(min_delay) && min_delay >= 0.0))
        throw ValueError("EventProp: min_delay must be >= 0 ms and finite, got " + format_number(min_delay) + " ms",
                         "min_delay");
    if (!(max_delay >= min_delay))
        throw ValueError("EventProp: max_delay must be >= min_delay (" + format_number(min_delay) + " ms), got " +
                             format_number(max_delay) + " ms",
                         "max_delay");
}

EventTrainer::EventTrainer(EventNetwork& network, EventTrainingSettings settings)
    : network_(network), settings_(settings) {
    settings_.validate();
    network_.validate();
    for (const EventLayer& layer : network_.layers()) {
        weight_optimisers_.emplace_back(layer.weights.size(), settings_.weights);
        if (settings_.learn_delays) delay_optimisers_.emplace_back(layer.delays.size(), settings_.delays);
    }
}

EventBatchResult EventTrainer::step(const EventSpikeData& data, std::span<const std::size_t> samples,
                                    const EventTargets& targets, const EventLoss& loss, int threads) {
    EventBatchResult result = network_.evaluate(data, samples, targets, loss, true, threads);
    auto& layers = network_.layers();
    for (std::size_t l = 0; l < layers.size(); ++l) {
        weight_optimisers_[l].step(layers[l].weights, result.gradients.weights[l]);
        if (!settings_.learn_delays) continue;
        delay_optimisers_[l].step(layers[l].delays, result.gradients.delays[l]);
        for (double& d : layers[l].delays) d = std::clamp(d, settings_.min_delay, settings_.max_delay);
    }
    return result;
}

void round_delays_to_grid(EventNetwork& network, double dt_ms) {
    if (!(std::isfinite(dt_ms) && dt_ms > 0.0))
        throw ValueError("EventProp: dt must be > 0 ms and finite, got " + format_number(dt_ms) + " ms", "dt");
    for (EventLayer& layer : network.layers())
        for (double& d : layer.delays) d = std::max(1.0, std::round(d / dt_ms)) * dt_ms;
}

}  // namespace neurodyn::learn
