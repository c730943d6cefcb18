#include "neurodyn/learn/trainer.hpp"

#include <string>

#include "neurodyn/core/error.hpp"

namespace neurodyn::learn {

namespace {
// e-prop's restrictions are checked before the network is built, so their message comes first.
TrainNetworkConfig checked(TrainNetworkConfig config, TrainAlgorithm algorithm) {
    if (algorithm == TrainAlgorithm::eprop) check_eprop_network(config);
    return config;
}
}  // namespace

TrainAlgorithm train_algorithm_from_name(std::string_view name) {
    if (name == "bptt") return TrainAlgorithm::bptt;
    if (name == "eprop") return TrainAlgorithm::eprop;
    throw ValueError("training algorithm must be 'bptt' or 'eprop', got '" + std::string(name) + "'", "algorithm");
}

Trainer::Trainer(TrainNetworkConfig config, AdamSettings adam, TrainAlgorithm algorithm, EpropFeedback feedback,
                 std::uint64_t seed)
    : network_(checked(std::move(config), algorithm), seed),
      adam_(network_.parameters().size(), adam),
      algorithm_(algorithm),
      feedback_(feedback),
      gradient_(network_.parameters().size()) {
    if (algorithm_ == TrainAlgorithm::eprop && feedback_ == EpropFeedback::random)
        random_feedback_ = eprop_random_feedback(network_, seed);
}

TrainOutcome Trainer::gradient(const TrainBatch& batch, std::vector<double>& gradient, int threads) const {
    gradient.assign(network_.parameters().size(), 0.0);
    if (algorithm_ == TrainAlgorithm::bptt) return network_.bptt_gradient(batch, gradient, threads);
    const std::vector<double> feedback = eprop_feedback(network_, feedback_, random_feedback_);
    return network_.eprop_gradient(batch, feedback, gradient, threads);
}

TrainOutcome Trainer::train_batch(const TrainBatch& batch, int threads) {
    const TrainOutcome outcome = gradient(batch, gradient_, threads);
    adam_.step(network_.parameters(), gradient_);
    return outcome;
}

}  // namespace neurodyn::learn
