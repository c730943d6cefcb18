#pragma once
// EventProp (Wunderlich & Pehle 2021, Sci. Rep. 11:12829): exact gradients of a loss of
// spike times or membrane voltages for feed-forward networks of leaky integrate-and-fire
// neurons with exponentially decaying current synapses (the IF_curr_exp dynamics) and
// per-synapse transmission delays. docs/eventprop.md derives the equations below.
//
// Forward pass, in continuous time (no time step). With u = v - v_rest (mV) and
// I (nA) the synaptic current of a neuron, between input arrivals
//     du/dt = -u/tau_m + I/cm,    dI/dt = -I/tau_syn,
// so over a time tau from (u0, I0)
//     u(tau) = u0 exp(-tau/tau_m) + (I0/cm) k(tau),   I(tau) = I0 exp(-tau/tau_syn),
//     k(tau) = (exp(-tau/tau_m) - exp(-tau/tau_syn)) / (1/tau_syn - 1/tau_m)
// (models::current_to_voltage_propagator, the IF_curr_exp propagator). A spike of
// presynaptic neuron j at t arrives at t + d_ij and adds w_ij to I. A spiking neuron
// fires when u reaches theta = v_thresh - v_rest, located by safeguarded Newton
// iteration on the closed form to rounding error, and u is reset to v_reset - v_rest
// (no refractory period). A non-spiking ("leaky") output layer integrates the same
// equations without threshold and reports the maximum of u over [0, duration].
//
// Backward pass, in reverse time. The adjoints lambda_u = dL/du(t), lambda_I = dL/dI(t)
// obey dlambda_u/dt = lambda_u/tau_m, dlambda_I/dt = lambda_I/tau_syn - lambda_u/cm,
// integrated in closed form between events (the same kernel k, with the roles of the
// time constants exchanged). At the events:
//   input arrival s = t_j + d_ij:  dL/dw_ij += lambda_I(s),
//                                  dL/ds     = w_ij (lambda_I(s)/tau_syn - lambda_u(s)/cm),
//                                  dL/dd_ij += dL/ds, and dL/dt_j += dL/ds (backpropagation);
//   own spike t_k (u' before/after the reset: udot_minus/plus):
//        lambda_u <- (lambda_u udot_plus - dL/dt_k) / udot_minus,
//   maximum of a leaky output:    lambda_u <- lambda_u + dL/dvmax.
// The gradient is exact wherever the spike count does not change with the parameters.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace neurodyn::learn {

// The neuron parameters, named and in the units of IF_curr_exp (tau_syn is both
// tau_syn_E and tau_syn_I). Shared by every neuron of the network.
struct EventNeuronParams {
    double cm = 1.0;          // nF
    double tau_m = 20.0;      // ms
    double tau_syn = 5.0;     // ms
    double v_rest = -65.0;    // mV
    double v_reset = -65.0;   // mV, < v_thresh
    double v_thresh = -50.0;  // mV
    void validate() const;    // ValueError naming the parameter and its value
};

// One layer of synapses and the neurons they drive. Matrices are row-major
// [neuron][input]: weights in nA, delays in ms (>= 0).
struct EventLayer {
    std::size_t inputs = 0, neurons = 0;
    bool spiking = true;  // false: leaky integrators whose maximum voltage is read out
    std::vector<double> weights;
    std::vector<double> delays;
};

// Input spike trains of many samples, flattened: the spikes of sample s are
// times/channels[offsets[s], offsets[s+1]) (any order; times in ms, >= 0).
struct EventSpikeData {
    std::size_t channels = 0;
    std::vector<double> times;
    std::vector<std::uint32_t> ids;
    std::vector<std::size_t> offsets{0};
    std::size_t samples() const { return offsets.size() - 1; }
    void validate() const;
};

// The spikes of one layer in one sample: per neuron, ascending times, and the synaptic
// current at each spike (the backward pass needs u' just before and after it).
struct EventLayerSpikes {
    std::vector<std::size_t> offsets;  // neurons + 1
    std::vector<double> times;         // ms
    std::vector<double> currents;      // nA, I at the spike
    // Leaky layers: the maximum of v - v_rest over [0, duration] (mV; 0 at t = 0),
    // its time (ms) and the current just before it (nA).
    std::vector<double> vmax, tmax, current_at_max;
    std::size_t count(std::size_t neuron) const { return offsets[neuron + 1] - offsets[neuron]; }
};

enum class EventLossKind {
    first_spike_cross_entropy,  // -log softmax(-t/tau0)[label] + alpha (exp(t_label/tau1) - 1)
    first_spike_mse,            // 1/2 sum_k (t_k - target_k)^2
    max_voltage_cross_entropy,  // -log softmax(vmax)[label], vmax in mV above v_rest
};

struct EventLoss {
    EventLossKind kind = EventLossKind::first_spike_cross_entropy;
    double tau0 = 2.0;   // ms, softmax temperature of the first-spike cross-entropy
    double tau1 = 20.0;  // ms, time scale of the early-spike regulariser
    double alpha = 0.0;  // weight of the early-spike regulariser (0: off)
    void validate() const;
};

// Targets of a data set: labels (one per sample) for the cross-entropies, target
// first-spike times (samples x outputs, ms) for the MSE.
struct EventTargets {
    std::vector<std::int64_t> labels;
    std::vector<double> times;
};

struct EventGradients {
    std::vector<std::vector<double>> weights, delays;  // per layer, shaped as the layer
    std::vector<double> input_times;  // dL/d(input spike time), per input spike (single-sample calls)
};

struct EventBatchResult {
    double loss = 0.0;                       // mean over the samples
    std::vector<std::int64_t> predictions;   // per sample; -1: no output spike
    std::size_t correct = 0;                 // predictions equal to the label (cross-entropies)
    EventGradients gradients;                // mean over the samples (when asked for)
};

class EventNetwork {
public:
    // `layer_sizes`: neurons per layer (hidden layers, then outputs); the last layer is
    // leaky (non-spiking) when `leaky_output`. `duration_ms`: the trial length T.
    EventNetwork(std::size_t inputs, std::vector<std::size_t> layer_sizes, bool leaky_output,
                 EventNeuronParams params, double duration_ms, std::size_t max_spikes_per_neuron = 1000);

    // Weights ~ normal(mean, std) per layer (nA), delays ~ uniform[low, high) (ms);
    // counter-based streams keyed by (seed, layer), so the result depends on the seed only.
    void initialize(std::uint64_t seed, std::span<const double> weight_mean, std::span<const double> weight_std,
                    double delay_low_ms, double delay_high_ms);

    std::size_t inputs() const { return inputs_; }
    double duration() const { return duration_; }
    const EventNeuronParams& params() const { return params_; }
    std::size_t max_spikes_per_neuron() const { return max_spikes_; }
    std::vector<EventLayer>& layers() { return layers_; }
    const std::vector<EventLayer>& layers() const { return layers_; }
    void validate() const;  // shapes, finite weights, delays >= 0

    // The spikes of every layer for one sample.
    std::vector<EventLayerSpikes> forward(const EventSpikeData& data, std::size_t sample) const;

    // Loss, predictions and (with `gradients`) the mean gradient over `samples`.
    // Samples run on `threads` OpenMP threads; each sample's gradient goes into its own
    // buffer and the buffers are summed in sample order, so the result does not depend on
    // the number of threads. With a single sample, input-time gradients are returned too.
    EventBatchResult evaluate(const EventSpikeData& data, std::span<const std::size_t> samples,
                              const EventTargets& targets, const EventLoss& loss, bool gradients,
                              int threads = 1) const;

private:
    std::size_t inputs_;
    EventNeuronParams params_;
    double duration_;
    std::size_t max_spikes_;
    std::vector<EventLayer> layers_;
};

}  // namespace neurodyn::learn
