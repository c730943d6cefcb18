#pragma once
// A layered (optionally recurrent) spiking network of IF_curr_exp / ALIF neurons for
// gradient training: surrogate-gradient backpropagation through time (bptt.cpp) and
// e-prop (eprop.cpp; Bellec et al. 2020). docs/training.md gives the equations.
//
// Time and connections follow the engine exactly, so that a trained network exported to
// neurodyn (SpikeSourceArray input, populations, projections with delay = dt) emits the
// same spikes:
//   - input spike of step t = a SpikeSourceArray spike at (t + 1) dt (emitted in step t);
//   - every connection has a delay of one step: spikes emitted in step t arrive at the end
//     of step t + 1, i.e. J_{t+1} = W^T s_t (+ R^T s_t for recurrent layers);
//   - each neuron follows models::LifTrainingStep / AlifTrainingStep (the engine's
//     IF_curr_exp / ALIF update with one signed synaptic current and no refractoriness).
// The output layer is IF_curr_exp: spiking for the spike-count losses, a non-spiking
// leaky readout (threshold never reached) for the membrane losses.
//
// Weights: W[l] is sources x targets (row j = the synapses of source j, so a spike adds
// one contiguous row), in nA, kept in one flat parameter vector with Adam.
//
// Mini-batches: samples are spread over a fixed number of gradient slots (sample b goes to
// slot b mod slots, in increasing b); OpenMP threads take whole slots and the slots are
// summed in order, so the gradient does not depend on the number of threads.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "neurodyn/models/alif.hpp"
#include "neurodyn/models/if_curr_exp.hpp"

namespace neurodyn::learn {

enum class TrainModel : std::uint8_t { lif, alif };

enum class TrainLoss : std::uint8_t {
    count_cross_entropy,           // softmax cross-entropy on the output spike counts
    max_membrane_cross_entropy,    // ... on the maxima over time of the readout membranes
    mean_membrane_cross_entropy,   // ... on the time averages of the readout membranes
    rate_mean_squared_error,       // MSE of the output rates (spikes per step) against targets
};

// Neuron parameters with IF_curr_exp / ALIF names and units (nF, ms, mV, nA).
struct TrainNeuronParams {
    double cm = 1.0;
    double tau_m = 20.0;
    double tau_syn = 5.0;  // tau_syn_E = tau_syn_I in the exported network
    double v_rest = 0.0;
    double v_reset = 0.0;
    double v_thresh = 1.0;
    double i_offset = 0.0;
    double tau_adapt = 200.0;  // ALIF only
    double beta = 1.0;         // ALIF only (mV)
};

struct TrainNetworkConfig {
    std::size_t inputs = 0;
    std::vector<std::size_t> hidden;  // sizes of the hidden layers, input side first
    std::size_t outputs = 0;          // classes
    TrainModel hidden_model = TrainModel::lif;
    bool recurrent = false;           // all-to-all recurrent weights in every hidden layer
    TrainNeuronParams hidden_params, output_params;
    double dt = 1.0;  // ms
    models::SpikeSurrogate surrogate;
    TrainLoss loss = TrainLoss::count_cross_entropy;
    double target_rate_on = 0.5, target_rate_off = 0.02;  // spikes per step (rate MSE only)
    double weight_scale = 1.0;  // initial weights: normal, sd = weight_scale / sqrt(fan-in) (nA)

    // Every field checked; ValueError naming the field and its value.
    void validate() const;
    bool output_spiking() const {
        return loss == TrainLoss::count_cross_entropy || loss == TrainLoss::rate_mean_squared_error;
    }
};

// One weight matrix inside the flat parameter vector.
struct TrainMatrix {
    std::string name;  // "W0" (input -> hidden 0), "W1", ..., "R0" (hidden 0 recurrent), ...
    std::size_t offset = 0, sources = 0, targets = 0;
};

// A batch: spikes[sample][step][input] as 0/1 bytes, labels[sample] in [0, outputs).
struct TrainBatch {
    std::span<const std::uint8_t> spikes;
    std::span<const std::int64_t> labels;  // may be empty for prediction
    std::size_t samples = 0, steps = 0;
};

struct TrainOutcome {
    double loss = 0.0;         // mean over the batch
    std::size_t correct = 0;   // samples whose largest output value is the label
};

// Everything one sample's forward pass produced.
struct TrainRecord {
    std::vector<std::vector<std::uint8_t>> spikes;  // per layer (hidden..., output): [step][neuron]
    std::vector<double> output_membrane;            // [step][output]: u_t of the output layer
    std::vector<double> output_values;              // what the loss sees (counts, maxima, means, rates)
};

class TrainNetwork {
public:
    // Validates `config` and draws the initial weights from `seed`.
    TrainNetwork(TrainNetworkConfig config, std::uint64_t seed);

    const TrainNetworkConfig& config() const { return config_; }
    std::span<double> parameters() { return parameters_; }
    std::span<const double> parameters() const { return parameters_; }
    const std::vector<TrainMatrix>& matrices() const { return matrices_; }
    std::size_t layer_count() const { return config_.hidden.size() + 1; }  // hidden + output
    std::size_t layer_size(std::size_t layer) const;

    // Mean loss and gradient (mean over samples) of the batch by surrogate BPTT.
    TrainOutcome bptt_gradient(const TrainBatch& batch, std::span<double> gradient, int threads) const;

    // The same by e-prop (one hidden layer, mean_membrane_cross_entropy): eligibility
    // traces per synapse, forward in time; the learning signal of hidden neuron j is
    // sum_k feedback[j][k] (p_k - y_k). `feedback` is hidden x outputs.
    TrainOutcome eprop_gradient(const TrainBatch& batch, std::span<const double> feedback, std::span<double> gradient,
                                int threads) const;

    // Output values (samples x outputs) of a batch; labels not needed.
    std::vector<double> output_values(const TrainBatch& batch, int threads) const;

    // One sample's complete forward pass.
    TrainRecord simulate(std::span<const std::uint8_t> spikes, std::size_t steps) const;

    // Checks a batch's shape and contents (spikes 0/1, labels in range); ValueError.
    void check_batch(const TrainBatch& batch, bool need_labels) const;

private:
    friend struct TrainWorkspace;
    TrainNetworkConfig config_;
    std::vector<double> parameters_;
    std::vector<TrainMatrix> matrices_;
    std::vector<std::size_t> feedforward_, recurrent_;  // per layer: index into matrices_ (recurrent: or npos)
    std::vector<models::LifTrainingStep> lif_steps_;    // per layer
    std::vector<models::AlifTrainingStep> alif_steps_;  // per layer (used when the layer is ALIF)
    std::vector<bool> layer_is_alif_;

public:
    // Internal (bptt.cpp, eprop.cpp): which matrix feeds a layer, and the layer's step.
    const TrainMatrix& feedforward(std::size_t layer) const { return matrices_[feedforward_[layer]]; }
    const TrainMatrix* recurrent(std::size_t layer) const;
    const models::LifTrainingStep& lif_step(std::size_t layer) const { return lif_steps_[layer]; }
    const models::AlifTrainingStep& alif_step(std::size_t layer) const { return alif_steps_[layer]; }
    bool is_alif(std::size_t layer) const { return layer_is_alif_[layer]; }
    bool is_spiking(std::size_t layer) const { return layer + 1 < layer_count() || config_.output_spiking(); }
};

// Number of gradient slots for a batch of `samples` (fixed, whatever the thread count).
std::size_t gradient_slots(std::size_t samples);

}  // namespace neurodyn::learn
