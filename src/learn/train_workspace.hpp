#pragma once
// Private to src/learn: the per-sample state, records and adjoints of a TrainNetwork's
// forward and backward passes (one workspace per gradient slot, reused across samples).

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <span>
#include <vector>

#include "neurodyn/learn/train_network.hpp"

namespace neurodyn::learn {

struct TrainWorkspace {
    std::size_t steps = 0;
    // Per layer: state, the input arriving at the end of the current step, records.
    std::vector<std::vector<double>> v, i, a, input;
    std::vector<std::vector<double>> u, threshold;  // [step][neuron]; threshold for ALIF layers
    std::vector<std::vector<std::uint8_t>> s;       // [step][neuron]
    std::vector<double> values;                     // output values seen by the loss
    std::vector<std::size_t> max_step;              // max-membrane loss: step of each maximum
    std::vector<double> value_gradient;             // dL/dvalues

    void start(const TrainNetwork& net, std::size_t sample_steps);
    // Advances every layer through step t (input spikes of this sample: [step][input]).
    void forward_step(const TrainNetwork& net, const std::uint8_t* sample, std::size_t t);
    void forward(const TrainNetwork& net, const std::uint8_t* sample, std::size_t sample_steps) {
        start(net, sample_steps);
        for (std::size_t t = 0; t < sample_steps; ++t) forward_step(net, sample, t);
        finish_values(net);
    }
    // Output values from the records (counts, maxima, means or rates).
    void finish_values(const TrainNetwork& net);
    // Loss of the current values for `label`; fills value_gradient.
    double loss(const TrainNetwork& net, std::size_t label);
};

// The end of a batch computed in `slots` parts: rethrows the first error of a part, sums
// the parts' gradients into `gradient` in slot order (fixed, whatever thread computed
// them: results do not depend on the thread count), divides by the number of samples,
// and returns the mean loss and the count of correct samples.
inline TrainOutcome finish_batch(const std::vector<std::exception_ptr>& errors,
                                 const std::vector<std::vector<double>>& slot_gradient,
                                 const std::vector<double>& losses, const std::vector<std::uint8_t>& correct,
                                 std::span<double> gradient) {
    for (const auto& error : errors)
        if (error) std::rethrow_exception(error);
    TrainOutcome outcome;
    for (const auto& part : slot_gradient)
        for (std::size_t k = 0; k < gradient.size(); ++k) gradient[k] += part[k];
    const double inv_samples = 1.0 / static_cast<double>(losses.size());
    for (double& value : gradient) value *= inv_samples;
    for (std::size_t b = 0; b < losses.size(); ++b) {
        outcome.loss += losses[b];
        outcome.correct += correct[b];
    }
    outcome.loss *= inv_samples;
    return outcome;
}

}  // namespace neurodyn::learn
