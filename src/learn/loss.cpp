#include "neurodyn/learn/loss.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "neurodyn/core/error.hpp"

namespace neurodyn::learn {

double softmax_cross_entropy(std::span<const double> logits, std::size_t label, std::span<double> gradient) {
    if (label >= logits.size() || gradient.size() != logits.size())
        throw InternalError("softmax_cross_entropy: label " + std::to_string(label) + " for " +
                            std::to_string(logits.size()) + " classes");
    const double largest = *std::max_element(logits.begin(), logits.end());
    double sum = 0.0;
    for (std::size_t k = 0; k < logits.size(); ++k) {
        gradient[k] = std::exp(logits[k] - largest);
        sum += gradient[k];
    }
    for (double& g : gradient) g /= sum;
    const double loss = -(logits[label] - largest - std::log(sum));
    gradient[label] -= 1.0;
    return loss;
}

double rate_mean_squared_error(std::span<const double> rates, std::size_t label, double target_on,
                               double target_off, std::span<double> gradient) {
    if (label >= rates.size() || gradient.size() != rates.size())
        throw InternalError("rate_mean_squared_error: label " + std::to_string(label) + " for " +
                            std::to_string(rates.size()) + " classes");
    const double classes = static_cast<double>(rates.size());
    double loss = 0.0;
    for (std::size_t k = 0; k < rates.size(); ++k) {
        const double error = rates[k] - (k == label ? target_on : target_off);
        loss += error * error;
        gradient[k] = 2.0 * error / classes;
    }
    return loss / classes;
}

std::size_t argmax(std::span<const double> values) {
    return static_cast<std::size_t>(std::max_element(values.begin(), values.end()) - values.begin());
}

}  // namespace neurodyn::learn
