// Surrogate-gradient backpropagation through time for TrainNetwork.
//
// The backward pass runs the models' adjoint steps (models::LifTrainingStep::backward,
// AlifTrainingStep::backward) from the last step to the first. Per layer it carries
// dL/dv, dL/di (and dL/da) of the state after the step, and dL/ds of the step's spikes
// through the paths that leave the layer. Since J_t = W^T s^{source}_{t-1} + R^T s_{t-1}
// enters i_{t+1} = P11 i_t + J_t, dL/dJ_t = dL/di_{t+1}, which gives
//   dL/dW[j][:] += dL/di_{t+1}  for every source j that spiked in step t - 1,
//   dL/ds^{source}_{t-1}[j] += W[j][:] . dL/di_{t+1}   (and the same with R),
// the latter collected for step t - 1 before the layer's step t is undone.

#include <algorithm>
#include <exception>
#include <vector>

#include "neurodyn/learn/loss.hpp"
#include "neurodyn/learn/train_network.hpp"
#include "train_workspace.hpp"

namespace neurodyn::learn {

namespace {

struct Adjoints {
    std::vector<std::vector<double>> v, i, a, spike_now, spike_before, membrane;

    void start(const TrainNetwork& net) {
        const std::size_t layers = net.layer_count();
        for (auto* field : {&v, &i, &a, &spike_now, &spike_before, &membrane}) {
            field->resize(layers);
            for (std::size_t l = 0; l < layers; ++l) (*field)[l].assign(net.layer_size(l), 0.0);
        }
    }
};

// dL/dW rows of the sources that spiked, and dL/d(source spikes) = W . dL/dJ.
void backward_through_weights(const double* weights, double* gradient, std::size_t sources, std::size_t targets,
                              const std::uint8_t* source_spikes, const double* d_input, double* d_source_spikes) {
    for (std::size_t j = 0; j < sources; ++j) {
        const double* row = weights + j * targets;
        if (d_source_spikes != nullptr) {
            double sum = 0.0;
            for (std::size_t k = 0; k < targets; ++k) sum += row[k] * d_input[k];
            d_source_spikes[j] += sum;
        }
        if (source_spikes[j] != 0) {
            double* grad_row = gradient + j * targets;
            for (std::size_t k = 0; k < targets; ++k) grad_row[k] += d_input[k];
        }
    }
}

// Adds one sample's gradient (after work.forward and work.loss) to `gradient`.
void backward_sample(const TrainNetwork& net, const TrainWorkspace& work, const std::uint8_t* sample, Adjoints& adj,
                     double* gradient) {
    adj.start(net);
    const std::size_t layers = net.layer_count(), out = layers - 1, steps = work.steps;
    const std::size_t outputs = net.layer_size(out);
    const double* parameters = net.parameters().data();
    const TrainLoss loss = net.config().loss;
    const double inv_steps = 1.0 / static_cast<double>(steps);
    const std::vector<double>& g = work.value_gradient;
    for (std::size_t t = steps; t-- > 0;) {
        // The loss's own dependence on step t of the output layer.
        switch (loss) {
            case TrainLoss::count_cross_entropy:
                for (std::size_t k = 0; k < outputs; ++k) adj.spike_now[out][k] += g[k];
                break;
            case TrainLoss::rate_mean_squared_error:
                for (std::size_t k = 0; k < outputs; ++k) adj.spike_now[out][k] += g[k] * inv_steps;
                break;
            case TrainLoss::mean_membrane_cross_entropy:
                for (std::size_t k = 0; k < outputs; ++k) adj.membrane[out][k] = g[k] * inv_steps;
                break;
            case TrainLoss::max_membrane_cross_entropy:
                for (std::size_t k = 0; k < outputs; ++k) adj.membrane[out][k] = work.max_step[k] == t ? g[k] : 0.0;
                break;
        }
        for (std::size_t l = 0; l < layers; ++l) {
            const std::size_t n = net.layer_size(l);
            if (t >= 1) {
                const double* d_input = adj.i[l].data();  // dL/di_{t+1} = dL/dJ_t
                const TrainMatrix& w = net.feedforward(l);
                const std::uint8_t* source = l == 0 ? sample + (t - 1) * w.sources : work.s[l - 1].data() + (t - 1) * w.sources;
                backward_through_weights(parameters + w.offset, gradient + w.offset, w.sources, n, source, d_input,
                                         l == 0 ? nullptr : adj.spike_before[l - 1].data());
                if (const TrainMatrix* r = net.recurrent(l))
                    backward_through_weights(parameters + r->offset, gradient + r->offset, n, n,
                                             work.s[l].data() + (t - 1) * n, d_input, adj.spike_before[l].data());
            }
            const double* u_t = work.u[l].data() + t * n;
            const std::uint8_t* s_t = work.s[l].data() + t * n;
            if (net.is_alif(l)) {
                net.alif_step(l).backward(n, net.config().surrogate, u_t, work.threshold[l].data() + t * n, s_t,
                                          adj.spike_now[l].data(), adj.v[l].data(), adj.i[l].data(), adj.a[l].data());
            } else {
                const bool readout = !net.is_spiking(l);
                net.lif_step(l).backward(n, net.config().surrogate, u_t, s_t, readout ? nullptr : adj.spike_now[l].data(),
                                         l == out ? adj.membrane[l].data() : nullptr, adj.v[l].data(), adj.i[l].data());
            }
        }
        std::swap(adj.spike_now, adj.spike_before);
        for (auto& layer : adj.spike_before) std::fill(layer.begin(), layer.end(), 0.0);
    }
}

}  // namespace

TrainOutcome TrainNetwork::bptt_gradient(const TrainBatch& batch, std::span<double> gradient, int threads) const {
    check_batch(batch, true);
    std::fill(gradient.begin(), gradient.end(), 0.0);
    const std::size_t slots = gradient_slots(batch.samples), sample_size = batch.steps * config_.inputs;
    std::vector<std::vector<double>> slot_gradient(slots);
    std::vector<double> losses(batch.samples);
    std::vector<std::uint8_t> correct(batch.samples);
    std::vector<std::exception_ptr> errors(slots);
#pragma omp parallel for num_threads(std::max(threads, 1)) schedule(dynamic, 1)
    for (std::size_t slot = 0; slot < slots; ++slot) {
        try {
            slot_gradient[slot].assign(parameters_.size(), 0.0);
            TrainWorkspace work;
            Adjoints adj;
            for (std::size_t b = slot; b < batch.samples; b += slots) {
                const std::uint8_t* sample = batch.spikes.data() + b * sample_size;
                work.forward(*this, sample, batch.steps);
                const auto label = static_cast<std::size_t>(batch.labels[b]);
                losses[b] = work.loss(*this, label);
                correct[b] = argmax(work.values) == label;
                backward_sample(*this, work, sample, adj, slot_gradient[slot].data());
            }
        } catch (...) {
            errors[slot] = std::current_exception();
        }
    }
    return finish_batch(errors, slot_gradient, losses, correct, gradient);
}

}  // namespace neurodyn::learn
