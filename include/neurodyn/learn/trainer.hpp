#pragma once
// A TrainNetwork with its optimiser: one call per mini-batch computes the gradient (BPTT
// or e-prop) and takes an Adam step.

#include <cstdint>
#include <string_view>
#include <vector>

#include "neurodyn/learn/adam.hpp"
#include "neurodyn/learn/eprop.hpp"
#include "neurodyn/learn/train_network.hpp"

namespace neurodyn::learn {

enum class TrainAlgorithm : std::uint8_t { bptt, eprop };

TrainAlgorithm train_algorithm_from_name(std::string_view name);  // "bptt" | "eprop"

class Trainer {
public:
    Trainer(TrainNetworkConfig config, AdamSettings adam, TrainAlgorithm algorithm, EpropFeedback feedback,
            std::uint64_t seed);

    // Gradient of the batch and one Adam step; the outcome is the batch's loss and correct
    // count before the step.
    TrainOutcome train_batch(const TrainBatch& batch, int threads);
    // The gradient only (mean over the batch), parameters unchanged.
    TrainOutcome gradient(const TrainBatch& batch, std::vector<double>& gradient, int threads) const;

    TrainNetwork& network() { return network_; }
    const TrainNetwork& network() const { return network_; }
    Adam& optimiser() { return adam_; }
    TrainAlgorithm algorithm() const { return algorithm_; }
    const std::vector<double>& random_feedback() const { return random_feedback_; }

private:
    TrainNetwork network_;
    Adam adam_;
    TrainAlgorithm algorithm_;
    EpropFeedback feedback_;
    std::vector<double> random_feedback_;  // e-prop with random feedback only
    std::vector<double> gradient_;
};

}  // namespace neurodyn::learn
