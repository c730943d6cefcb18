// e-prop for TrainNetwork: one hidden layer (optionally recurrent, LIF or ALIF) and a
// leaky readout trained on the cross-entropy of its time-averaged membranes.
//
// For a synapse j -> k of the hidden layer the eligibility vector is the derivative of the
// neuron's state (v, i, a) with respect to the weight through the neuron's own dynamics
// only (models::LifTrainingStep / AlifTrainingStep), propagated forward in time:
//   e^i_{t+1} = P11 e^i_t + z^j_{t-1}                         (shared by all targets of j)
//   m_t       = P22 e^v_t + P21 e^i_t                          (= d u_t / d W_jk)
//   h_t       = psi_t (m_t - beta P_a e^a_t)                   (= d s_t / d W_jk, the eligibility trace)
//   e^v_{t+1} = (1 - s_t) m_t,    e^a_{t+1} = P_a e^a_t + h_t  (e^a = 0 for LIF)
// with psi_t the surrogate derivative (per unit of mV). The readout's logits are
// mean_t u^out_t, linear in the hidden spikes: d logit_o / d s_{k,t} = W_out[k][o] c_t,
// where c_t (the readout's impulse response summed over the remaining steps, divided by T)
// is known before the sample starts. So
//   dL/dW_jk = L_k sum_t c_t h_t,    L_k = sum_o B[k][o] (p_o - y_o)  (the learning signal)
// with sum_t c_t h_t accumulated online and the error known at the end of the sample.
// With B = W_out and no recurrent weights this is exactly the BPTT gradient (tested);
// with recurrence, e-prop drops the paths through other neurons (its approximation).

#include "neurodyn/learn/eprop.hpp"

#include <algorithm>
#include <cmath>
#include <exception>
#include <string>

#include "neurodyn/core/error.hpp"
#include "neurodyn/core/random.hpp"
#include "neurodyn/learn/loss.hpp"
#include "train_workspace.hpp"

namespace neurodyn::learn {

EpropFeedback eprop_feedback_from_name(std::string_view name) {
    if (name == "symmetric") return EpropFeedback::symmetric;
    if (name == "random") return EpropFeedback::random;
    throw ValueError("e-prop feedback must be 'symmetric' or 'random', got '" + std::string(name) + "'", "feedback");
}

void check_eprop_network(const TrainNetworkConfig& config) {
    if (config.hidden.size() != 1)
        throw ValueError("e-prop trains networks with exactly one hidden layer, got " + std::to_string(config.hidden.size()),
                         "hidden");
    if (config.loss != TrainLoss::mean_membrane_cross_entropy)
        throw ValueError("e-prop needs loss = 'mean_membrane_ce' (a leaky readout whose learning signal is known online)",
                         "loss");
}

std::vector<double> eprop_random_feedback(const TrainNetwork& net, std::uint64_t seed) {
    const std::size_t hidden = net.layer_size(0), outputs = net.config().outputs;
    std::vector<double> feedback(hidden * outputs);
    // Domain apart from the weights' streams (TrainNetwork uses kMaxRandomObjectId).
    RandomStream stream(seed, random_domain(RandomPurpose::weight, kMaxRandomObjectId - 1), 0);
    const double sd = 1.0 / std::sqrt(static_cast<double>(hidden));
    for (double& value : feedback) value = stream.normal(0.0, sd);
    return feedback;
}

std::vector<double> eprop_feedback(const TrainNetwork& net, EpropFeedback kind, const std::vector<double>& random_feedback) {
    if (kind == EpropFeedback::random) return random_feedback;
    const TrainMatrix& readout = net.feedforward(1);
    const auto first = net.parameters().begin() + static_cast<std::ptrdiff_t>(readout.offset);
    return {first, first + static_cast<std::ptrdiff_t>(readout.sources * readout.targets)};
}

namespace {

struct Eligibility {
    std::vector<double> current;   // e^i per source
    std::vector<double> voltage;   // e^v per synapse [source][target]
    std::vector<double> adapt;     // e^a per synapse (ALIF)
    std::vector<double> summed;    // sum_t c_t h_t per synapse
    std::vector<double> readout;   // sum_t c_t s_{k,t} per hidden neuron
    std::vector<double> psi;       // surrogate derivative of the current step, per hidden neuron
};

// c_t for t in [0, steps): d(mean_t u^out_t) / dJ^out_{t+1} for a unit input, from the
// readout's adjoint with dL/du_t = 1/T (zero for the last two steps: their spikes arrive
// after the end).
std::vector<double> readout_sensitivity(const models::LifTrainingStep& readout, std::size_t steps) {
    std::vector<double> d_current(steps + 1, 0.0);  // dL/di_t
    double d_voltage = 0.0, d_i = 0.0;
    const double per_step = 1.0 / static_cast<double>(steps);
    for (std::size_t t = steps; t-- > 0;) {
        const double du = d_voltage + per_step;
        d_voltage = du * readout.p22;
        d_i = du * readout.p21 + d_i * readout.p11;
        d_current[t] = d_i;
    }
    std::vector<double> c(steps, 0.0);
    for (std::size_t t = 0; t + 2 < steps; ++t) c[t] = d_current[t + 2];
    return c;
}

}  // namespace

TrainOutcome TrainNetwork::eprop_gradient(const TrainBatch& batch, std::span<const double> feedback,
                                          std::span<double> gradient, int threads) const {
    check_eprop_network(config_);
    check_batch(batch, true);
    const std::size_t hidden = layer_size(0), outputs = config_.outputs, inputs = config_.inputs;
    if (feedback.size() != hidden * outputs)
        throw ValueError("e-prop: feedback must have " + std::to_string(hidden) + " x " + std::to_string(outputs) +
                             " values, got " + std::to_string(feedback.size()),
                         "feedback");
    std::fill(gradient.begin(), gradient.end(), 0.0);
    const TrainMatrix& w_in = feedforward(0);
    const TrainMatrix& w_out = feedforward(1);
    const TrainMatrix* w_rec = recurrent(0);
    const std::size_t sources = inputs + (w_rec != nullptr ? hidden : 0);
    const std::vector<double> c = readout_sensitivity(lif_step(1), batch.steps);
    const bool alif = is_alif(0);
    const models::LifTrainingStep& lif = alif ? alif_step(0).lif : lif_step(0);
    const double beta_decay = alif ? alif_step(0).beta * alif_step(0).p_adapt : 0.0;
    const double p_adapt = alif ? alif_step(0).p_adapt : 0.0;
    const double inv_height = 1.0 / lif.threshold_height;
    const models::SpikeSurrogate surrogate = config_.surrogate;

    const std::size_t slots = gradient_slots(batch.samples), sample_size = batch.steps * inputs;
    std::vector<std::vector<double>> slot_gradient(slots);
    std::vector<double> losses(batch.samples);
    std::vector<std::uint8_t> correct(batch.samples);
    std::vector<std::exception_ptr> errors(slots);
#pragma omp parallel for num_threads(std::max(threads, 1)) schedule(dynamic, 1)
    for (std::size_t slot = 0; slot < slots; ++slot) {
        try {
            std::vector<double>& grad = slot_gradient[slot];
            grad.assign(parameters_.size(), 0.0);
            TrainWorkspace work;
            Eligibility e;
            std::vector<double> signal(hidden);
            for (std::size_t b = slot; b < batch.samples; b += slots) {
                const std::uint8_t* sample = batch.spikes.data() + b * sample_size;
                e.current.assign(sources, 0.0);
                e.voltage.assign(sources * hidden, 0.0);
                e.adapt.assign(alif ? sources * hidden : 0, 0.0);
                e.summed.assign(sources * hidden, 0.0);
                e.readout.assign(hidden, 0.0);
                e.psi.resize(hidden);
                work.start(*this, batch.steps);
                for (std::size_t t = 0; t < batch.steps; ++t) {
                    work.forward_step(*this, sample, t);
                    const double* u_t = work.u[0].data() + t * hidden;
                    const std::uint8_t* s_t = work.s[0].data() + t * hidden;
                    for (std::size_t k = 0; k < hidden; ++k) {
                        const double threshold = alif ? work.threshold[0][t * hidden + k] : lif.v_thresh;
                        e.psi[k] = surrogate.derivative((u_t[k] - threshold) * inv_height) * inv_height;
                    }
                    const double c_t = c[t];
                    for (std::size_t j = 0; j < sources; ++j) {
                        const double trace = e.current[j];
                        double* ev = e.voltage.data() + j * hidden;
                        double* acc = e.summed.data() + j * hidden;
                        if (alif) {
                            double* ea = e.adapt.data() + j * hidden;
                            for (std::size_t k = 0; k < hidden; ++k) {
                                const double m = lif.p22 * ev[k] + lif.p21 * trace;
                                const double h = e.psi[k] * (m - beta_decay * ea[k]);
                                ev[k] = (1.0 - s_t[k]) * m;
                                ea[k] = p_adapt * ea[k] + h;
                                acc[k] += c_t * h;
                            }
                        } else {
                            for (std::size_t k = 0; k < hidden; ++k) {
                                const double m = lif.p22 * ev[k] + lif.p21 * trace;
                                ev[k] = (1.0 - s_t[k]) * m;
                                acc[k] += c_t * e.psi[k] * m;
                            }
                        }
                    }
                    // e^i_{t+1} = P11 e^i_t + z_{t-1}: the spikes that arrive at the end of step t.
                    for (std::size_t j = 0; j < sources; ++j) {
                        double spiked = 0.0;
                        if (t >= 1)
                            spiked = j < inputs ? sample[(t - 1) * inputs + j]
                                                : work.s[0][(t - 1) * hidden + (j - inputs)];
                        e.current[j] = lif.p11 * e.current[j] + spiked;
                    }
                    for (std::size_t k = 0; k < hidden; ++k) e.readout[k] += c_t * s_t[k];
                }
                work.finish_values(*this);
                const auto label = static_cast<std::size_t>(batch.labels[b]);
                losses[b] = work.loss(*this, label);
                correct[b] = argmax(work.values) == label;
                const std::vector<double>& error = work.value_gradient;  // p - y
                for (std::size_t k = 0; k < hidden; ++k) {
                    double sum = 0.0;
                    for (std::size_t o = 0; o < outputs; ++o) sum += feedback[k * outputs + o] * error[o];
                    signal[k] = sum;
                }
                for (std::size_t j = 0; j < sources; ++j) {
                    double* g = grad.data() + (j < inputs ? w_in.offset + j * hidden : w_rec->offset + (j - inputs) * hidden);
                    const double* acc = e.summed.data() + j * hidden;
                    for (std::size_t k = 0; k < hidden; ++k) g[k] += signal[k] * acc[k];
                }
                for (std::size_t k = 0; k < hidden; ++k) {
                    double* g = grad.data() + w_out.offset + k * outputs;
                    for (std::size_t o = 0; o < outputs; ++o) g[o] += error[o] * e.readout[k];
                }
            }
        } catch (...) {
            errors[slot] = std::current_exception();
        }
    }
    return finish_batch(errors, slot_gradient, losses, correct, gradient);
}

}  // namespace neurodyn::learn
