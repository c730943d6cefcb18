#pragma once
// e-prop (Bellec et al. 2020, Nat. Commun. 11:3625): online training of a recurrent layer
// of LIF or ALIF neurons with a leaky readout, by eligibility traces per synapse and a
// learning signal per neuron. The gradient itself is TrainNetwork::eprop_gradient
// (train_network.hpp); this header gives the feedback matrices.
//
// Feedback: "symmetric" uses the readout weights (B = W_out, e-prop's symmetric variant);
// "random" a fixed random matrix (random e-prop), drawn from the seed.

#include <cstdint>
#include <string_view>
#include <vector>

#include "neurodyn/learn/train_network.hpp"

namespace neurodyn::learn {

enum class EpropFeedback : std::uint8_t { symmetric, random };

EpropFeedback eprop_feedback_from_name(std::string_view name);  // ValueError for others

// Random feedback (hidden x outputs): normal, sd = 1 / sqrt(hidden), independent of the
// initial weights (its own Philox stream).
std::vector<double> eprop_random_feedback(const TrainNetwork& net, std::uint64_t seed);

// The feedback to use now: a copy of W_out (symmetric) or `random_feedback`.
std::vector<double> eprop_feedback(const TrainNetwork& net, EpropFeedback kind, const std::vector<double>& random_feedback);

// ValueError unless the network is one e-prop trains: one hidden layer and the loss
// mean_membrane_cross_entropy (a leaky readout whose learning signal is known online).
void check_eprop_network(const TrainNetworkConfig& config);

}  // namespace neurodyn::learn
