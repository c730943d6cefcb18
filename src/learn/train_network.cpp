#include "neurodyn/learn/train_network.hpp"

#include <omp.h>

#include <cmath>
#include <exception>
#include <limits>
#include <string>

#include "neurodyn/core/error.hpp"
#include "neurodyn/core/random.hpp"
#include "neurodyn/core/strings.hpp"
#include "neurodyn/learn/loss.hpp"
#include "train_workspace.hpp"

namespace neurodyn::learn {

namespace {

constexpr std::size_t kNoMatrix = std::numeric_limits<std::size_t>::max();

[[noreturn]] void refuse(const std::string& field, const std::string& condition, double value) {
    throw ValueError("training: " + field + " must be " + condition + ", got " + format_number(value), field);
}

void check_neurons(const TrainNeuronParams& p, const std::string& layer, bool alif) {
    auto positive = [&](const char* name, double value, const char* unit) {
        if (!(std::isfinite(value) && value > 0.0)) refuse(layer + "." + name, std::string("> 0 ") + unit, value);
    };
    auto finite = [&](const char* name, double value) {
        if (!std::isfinite(value)) refuse(layer + "." + name, "finite", value);
    };
    positive("cm", p.cm, "nF");
    positive("tau_m", p.tau_m, "ms");
    positive("tau_syn", p.tau_syn, "ms");
    finite("v_rest", p.v_rest);
    finite("v_reset", p.v_reset);
    finite("v_thresh", p.v_thresh);
    finite("i_offset", p.i_offset);
    if (!(p.v_thresh > p.v_rest))
        refuse(layer + ".v_thresh", "> v_rest (" + format_number(p.v_rest) + " mV; the surrogate is scaled by v_thresh - v_rest)",
               p.v_thresh);
    if (!(p.v_reset < p.v_thresh))
        refuse(layer + ".v_reset", "< v_thresh (" + format_number(p.v_thresh) + " mV)", p.v_reset);
    if (alif) {
        positive("tau_adapt", p.tau_adapt, "ms");
        if (!(std::isfinite(p.beta) && p.beta >= 0.0)) refuse(layer + ".beta", ">= 0 mV", p.beta);
    }
}

}  // namespace

void TrainNetworkConfig::validate() const {
    if (inputs == 0) refuse("inputs", ">= 1", 0.0);
    if (outputs < 2) refuse("outputs", ">= 2 (classes)", static_cast<double>(outputs));
    for (std::size_t l = 0; l < hidden.size(); ++l)
        if (hidden[l] == 0) refuse("hidden[" + std::to_string(l) + "]", ">= 1 neurons", 0.0);
    if (recurrent && hidden.empty()) throw ValueError("training: recurrent = true needs at least one hidden layer", "recurrent");
    if (!(std::isfinite(dt) && dt > 0.0)) refuse("dt", "> 0 ms", dt);
    if (!(std::isfinite(surrogate.slope) && surrogate.slope > 0.0)) refuse("surrogate_slope", "> 0", surrogate.slope);
    if (!(std::isfinite(weight_scale) && weight_scale > 0.0)) refuse("weight_scale", "> 0", weight_scale);
    if (loss == TrainLoss::rate_mean_squared_error) {
        if (!(target_rate_on >= 0.0 && target_rate_on <= 1.0)) refuse("target_rate_on", "in [0, 1] spikes per step", target_rate_on);
        if (!(target_rate_off >= 0.0 && target_rate_off <= 1.0))
            refuse("target_rate_off", "in [0, 1] spikes per step", target_rate_off);
    }
    check_neurons(hidden_params, "hidden_params", hidden_model == TrainModel::alif);
    check_neurons(output_params, "output_params", false);
}

std::size_t gradient_slots(std::size_t samples) {
    // 16 slots keep 16 threads busy; more would only multiply the slot buffers.
    constexpr std::size_t kSlots = 16;
    return std::max<std::size_t>(1, std::min(samples, kSlots));
}

TrainNetwork::TrainNetwork(TrainNetworkConfig config, std::uint64_t seed) : config_(std::move(config)) {
    config_.validate();
    const std::size_t layers = layer_count();
    auto add_matrix = [&](std::string name, std::size_t sources, std::size_t targets) {
        matrices_.push_back({std::move(name), parameters_.size(), sources, targets});
        parameters_.resize(parameters_.size() + sources * targets);
        return matrices_.size() - 1;
    };
    for (std::size_t l = 0; l < layers; ++l) {
        const std::size_t sources = l == 0 ? config_.inputs : layer_size(l - 1);
        feedforward_.push_back(add_matrix("W" + std::to_string(l), sources, layer_size(l)));
    }
    for (std::size_t l = 0; l < layers; ++l) {
        const bool has = config_.recurrent && l + 1 < layers;
        recurrent_.push_back(has ? add_matrix("R" + std::to_string(l), layer_size(l), layer_size(l)) : kNoMatrix);
    }
    // Initial weights: independent normals, sd = weight_scale / sqrt(fan-in), fan-in
    // counting feedforward and recurrent sources of the target layer; one Philox stream per
    // matrix, so the weights depend on the seed only.
    for (std::size_t m = 0; m < matrices_.size(); ++m) {
        const TrainMatrix& matrix = matrices_[m];
        std::size_t fan_in = matrix.sources;
        for (std::size_t l = 0; l < layers; ++l)
            if (feedforward_[l] == m && recurrent_[l] != kNoMatrix) fan_in += layer_size(l);
            else if (recurrent_[l] == m) fan_in += matrices_[feedforward_[l]].sources;
        const double sd = config_.weight_scale / std::sqrt(static_cast<double>(fan_in));
        RandomStream stream(seed, random_domain(RandomPurpose::weight, kMaxRandomObjectId), static_cast<std::uint32_t>(m));
        for (std::size_t k = 0; k < matrix.sources * matrix.targets; ++k) parameters_[matrix.offset + k] = stream.normal(0.0, sd);
    }
    for (std::size_t l = 0; l < layers; ++l) {
        const bool output = l + 1 == layers;
        const TrainNeuronParams& p = output ? config_.output_params : config_.hidden_params;
        lif_steps_.push_back(models::LifTrainingStep::make(p.cm, p.tau_m, p.tau_syn, p.v_rest, p.v_reset, p.v_thresh,
                                                           p.i_offset, config_.dt));
        alif_steps_.push_back(models::AlifTrainingStep::make(p.cm, p.tau_m, p.tau_syn, p.v_rest, p.v_reset, p.v_thresh,
                                                             p.i_offset, p.tau_adapt, p.beta, config_.dt));
        layer_is_alif_.push_back(!output && config_.hidden_model == TrainModel::alif);
    }
}

std::size_t TrainNetwork::layer_size(std::size_t layer) const {
    return layer < config_.hidden.size() ? config_.hidden[layer] : config_.outputs;
}

const TrainMatrix* TrainNetwork::recurrent(std::size_t layer) const {
    return recurrent_[layer] == kNoMatrix ? nullptr : &matrices_[recurrent_[layer]];
}

void TrainNetwork::check_batch(const TrainBatch& batch, bool need_labels) const {
    if (batch.samples == 0) throw ValueError("training: the batch is empty", "x");
    if (batch.steps == 0) throw ValueError("training: spike trains must have >= 1 step, got 0", "x");
    if (batch.spikes.size() != batch.samples * batch.steps * config_.inputs)
        throw ValueError("training: spikes must have shape (samples, steps, " + std::to_string(config_.inputs) +
                             "), got " + std::to_string(batch.spikes.size()) + " values for " +
                             std::to_string(batch.samples) + " samples of " + std::to_string(batch.steps) + " steps",
                         "x");
    for (std::size_t k = 0; k < batch.spikes.size(); ++k)
        if (batch.spikes[k] > 1)
            throw ValueError("training: spikes must be 0 or 1, got " + std::to_string(batch.spikes[k]) + " at flat index " +
                                 std::to_string(k),
                             "x");
    if (!need_labels) return;
    if (batch.labels.size() != batch.samples)
        throw ValueError("training: " + std::to_string(batch.labels.size()) + " labels for " +
                             std::to_string(batch.samples) + " samples",
                         "y");
    for (std::size_t b = 0; b < batch.samples; ++b)
        if (batch.labels[b] < 0 || static_cast<std::size_t>(batch.labels[b]) >= config_.outputs)
            throw ValueError("training: labels must be in [0, " + std::to_string(config_.outputs) + "), got " +
                                 std::to_string(batch.labels[b]) + " for sample " + std::to_string(b),
                             "y");
}

// --- the forward pass ---------------------------------------------------------------------

void TrainWorkspace::start(const TrainNetwork& net, std::size_t sample_steps) {
    steps = sample_steps;
    const std::size_t layers = net.layer_count();
    v.resize(layers);
    i.resize(layers);
    a.resize(layers);
    input.resize(layers);
    u.resize(layers);
    threshold.resize(layers);
    s.resize(layers);
    for (std::size_t l = 0; l < layers; ++l) {
        const std::size_t n = net.layer_size(l);
        const TrainNeuronParams& p = l + 1 == layers ? net.config().output_params : net.config().hidden_params;
        v[l].assign(n, p.v_rest);
        i[l].assign(n, 0.0);
        a[l].assign(n, 0.0);
        input[l].assign(n, 0.0);
        u[l].resize(steps * n);
        s[l].resize(steps * n);
        if (net.is_alif(l)) threshold[l].resize(steps * n);
    }
}

namespace {
// J += rows of `matrix` for every source that spiked (spikes: one 0/1 byte per source).
inline void add_spiking_rows(const double* weights, std::size_t sources, std::size_t targets, const std::uint8_t* spikes,
                             double* input) {
    for (std::size_t j = 0; j < sources; ++j) {
        if (spikes[j] == 0) continue;
        const double* row = weights + j * targets;
        for (std::size_t k = 0; k < targets; ++k) input[k] += row[k];
    }
}
}  // namespace

void TrainWorkspace::forward_step(const TrainNetwork& net, const std::uint8_t* sample, std::size_t t) {
    const double* parameters = net.parameters().data();
    const std::size_t layers = net.layer_count();
    const std::size_t inputs = net.config().inputs;
    for (std::size_t l = 0; l < layers; ++l) {
        const std::size_t n = net.layer_size(l);
        double* in = input[l].data();
        std::fill(in, in + n, 0.0);
        // Spikes of step t - 1 arrive at the end of step t (one-step delays).
        if (t >= 1) {
            const TrainMatrix& w = net.feedforward(l);
            const std::uint8_t* source = l == 0 ? sample + (t - 1) * inputs : s[l - 1].data() + (t - 1) * w.sources;
            add_spiking_rows(parameters + w.offset, w.sources, n, source, in);
            if (const TrainMatrix* r = net.recurrent(l))
                add_spiking_rows(parameters + r->offset, n, n, s[l].data() + (t - 1) * n, in);
        }
        double* u_t = u[l].data() + t * n;
        std::uint8_t* s_t = s[l].data() + t * n;
        if (net.is_alif(l))
            net.alif_step(l).forward(n, v[l].data(), i[l].data(), a[l].data(), in, u_t, threshold[l].data() + t * n, s_t);
        else
            net.lif_step(l).forward(n, v[l].data(), i[l].data(), in, u_t, s_t, net.is_spiking(l));
    }
}

void TrainWorkspace::finish_values(const TrainNetwork& net) {
    const std::size_t out = net.layer_count() - 1;
    const std::size_t n = net.layer_size(out);
    values.assign(n, 0.0);
    max_step.assign(n, 0);
    const double inv_steps = 1.0 / static_cast<double>(steps);
    switch (net.config().loss) {
        case TrainLoss::count_cross_entropy:
        case TrainLoss::rate_mean_squared_error:
            for (std::size_t t = 0; t < steps; ++t)
                for (std::size_t k = 0; k < n; ++k) values[k] += s[out][t * n + k];
            if (net.config().loss == TrainLoss::rate_mean_squared_error)
                for (double& value : values) value *= inv_steps;
            break;
        case TrainLoss::max_membrane_cross_entropy:
            for (std::size_t k = 0; k < n; ++k) values[k] = u[out][k];
            for (std::size_t t = 1; t < steps; ++t)
                for (std::size_t k = 0; k < n; ++k)
                    if (u[out][t * n + k] > values[k]) {
                        values[k] = u[out][t * n + k];
                        max_step[k] = t;
                    }
            break;
        case TrainLoss::mean_membrane_cross_entropy:
            for (std::size_t t = 0; t < steps; ++t)
                for (std::size_t k = 0; k < n; ++k) values[k] += u[out][t * n + k];
            for (double& value : values) value *= inv_steps;
            break;
    }
}

double TrainWorkspace::loss(const TrainNetwork& net, std::size_t label) {
    value_gradient.resize(values.size());
    if (net.config().loss == TrainLoss::rate_mean_squared_error)
        return rate_mean_squared_error(values, label, net.config().target_rate_on, net.config().target_rate_off,
                                       value_gradient);
    return softmax_cross_entropy(values, label, value_gradient);
}

std::vector<double> TrainNetwork::output_values(const TrainBatch& batch, int threads) const {
    check_batch(batch, false);
    const std::size_t outputs = config_.outputs, sample_size = batch.steps * config_.inputs;
    std::vector<double> values(batch.samples * outputs);
    const std::size_t slots = gradient_slots(batch.samples);
    std::vector<TrainWorkspace> workspaces(slots);
#pragma omp parallel for num_threads(std::max(threads, 1)) schedule(dynamic, 1)
    for (std::size_t slot = 0; slot < slots; ++slot) {
        for (std::size_t b = slot; b < batch.samples; b += slots) {
            workspaces[slot].forward(*this, batch.spikes.data() + b * sample_size, batch.steps);
            std::copy(workspaces[slot].values.begin(), workspaces[slot].values.end(), values.begin() + b * outputs);
        }
    }
    return values;
}

TrainRecord TrainNetwork::simulate(std::span<const std::uint8_t> spikes, std::size_t steps) const {
    check_batch({spikes, {}, 1, steps}, false);
    TrainWorkspace work;
    work.forward(*this, spikes.data(), steps);
    TrainRecord record;
    record.spikes = work.s;
    record.output_membrane = work.u.back();
    record.output_values = work.values;
    return record;
}

}  // namespace neurodyn::learn
