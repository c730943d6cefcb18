#pragma once
// Losses of spiking classifiers on one sample's output values (spike counts, membrane
// maxima or means, rates): each returns the loss and writes dLoss/dvalue.

#include <cstddef>
#include <cstdint>
#include <span>

namespace neurodyn::learn {

// Softmax cross-entropy: L = -log softmax(z)[label]; dL/dz = softmax(z) - onehot(label).
// Stable for any finite z (the maximum is subtracted first). `label` must be in range.
double softmax_cross_entropy(std::span<const double> logits, std::size_t label, std::span<double> gradient);

// Mean squared error between rates and targets (target_on for the label, target_off for
// the others): L = mean_k (r_k - target_k)^2; dL/dr_k = 2 (r_k - target_k) / K.
double rate_mean_squared_error(std::span<const double> rates, std::size_t label, double target_on,
                               double target_off, std::span<double> gradient);

// Index of the largest value (the first one on ties).
std::size_t argmax(std::span<const double> values);

}  // namespace neurodyn::learn
