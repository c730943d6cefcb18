// EventProp: the event-based forward pass and the adjoint backward pass
// (include/neurodyn/learn/eventprop.hpp has the equations; docs/eventprop.md derives them).

#include "neurodyn/learn/eventprop.hpp"

#include <algorithm>
#include <cmath>
#include <exception>
#include <limits>
#include <numeric>
#include <utility>

#include "neurodyn/core/error.hpp"
#include "neurodyn/core/random.hpp"
#include "neurodyn/core/strings.hpp"
#include "neurodyn/models/if_curr_exp.hpp"

namespace neurodyn::learn {

namespace {

[[noreturn]] void fail(const std::string& key, const std::string& message) {
    throw ValueError("EventProp: " + key + " " + message, key);
}

bool finite(double x) { return std::isfinite(x); }

// Everything the per-neuron loops need, in the units of the header (u = v - v_rest).
struct Constants {
    double tau_m, tau_syn, cm;
    double theta;    // v_thresh - v_rest, mV
    double u_reset;  // v_reset - v_rest, mV
    double duration;
    std::size_t max_spikes;
    double time_tolerance;  // ms: where root finding stops (a few ulp of the trial length)
};

// k(tau) of the header: the voltage (mV per nA/nF) a unit current decaying with tau_syn
// leaves after tau ms; symmetric in tau_m and tau_syn, so the adjoint uses it too.
double kernel(const Constants& c, double tau) {
    return models::current_to_voltage_propagator(tau, c.tau_m, c.tau_syn, 1.0);
}

struct State {
    double u, i;
};

State evolve(const Constants& c, State s, double tau) {
    return {s.u * std::exp(-tau / c.tau_m) + s.i / c.cm * kernel(c, tau), s.i * std::exp(-tau / c.tau_syn)};
}

double slope(const Constants& c, State s) { return -s.u / c.tau_m + s.i / c.cm; }

// Root in [lo, hi] of f, with f(lo) < 0 <= f(hi) and at most one root there; f returns
// (value, derivative). Newton steps, replaced by bisection whenever they leave the
// bracket: quadratic convergence near the root, never worse than bisection.
template <class F>
double bracketed_root(F&& f, double lo, double hi, double tolerance) {
    double x = hi;
    for (int iteration = 0; iteration < 200; ++iteration) {
        const auto [value, derivative] = f(x);
        if (value == 0.0) return x;
        if (value < 0.0)
            lo = x;
        else
            hi = x;
        double next = x - value / derivative;
        if (!(next > lo && next < hi)) next = 0.5 * (lo + hi);
        if (std::abs(next - x) <= tolerance || hi - lo <= tolerance) return next;
        x = next;
    }
    return 0.5 * (lo + hi);
}

// The time in [0, L] at which u' = 0 when u' > 0 at 0 and u' < 0 at L (u is a sum of two
// exponentials, so u' changes sign at most once).
double peak_time(const Constants& c, State s, double length) {
    auto minus_slope = [&](double tau) {
        const State e = evolve(c, s, tau);
        const double du = slope(c, e);
        return std::pair{-du, du / c.tau_m + e.i / (c.cm * c.tau_syn)};  // -u', -u''
    };
    return bracketed_root(minus_slope, 0.0, length, c.time_tolerance);
}

// First threshold crossing within (0, L] from a state below threshold, if any.
bool first_crossing(const Constants& c, State s, double length, double& tau) {
    const State end = evolve(c, s, length);
    double hi = length;
    if (end.u < c.theta) {
        // u ends below threshold: it crossed only if it rose to an interior maximum above it.
        if (!(slope(c, s) > 0.0 && slope(c, end) < 0.0)) return false;
        hi = peak_time(c, s, length);
        if (evolve(c, s, hi).u < c.theta) return false;
    }
    auto distance = [&](double t) {
        const State e = evolve(c, s, t);
        return std::pair{e.u - c.theta, slope(c, e)};
    };
    tau = bracketed_root(distance, 0.0, hi, c.time_tolerance);
    return true;
}

// A presynaptic spike arriving at a neuron: time (ms), weight (nA), presynaptic neuron,
// and the index of the spike among the presynaptic layer's spikes.
struct Arrival {
    double time;
    double weight;
    std::uint32_t input;
    std::uint32_t spike;
};

// The arrivals at `neuron` of layer `layer` (before the end of the trial), in time order;
// equal times keep (input, spike) order, so the sums are the same in every run.
void collect_arrivals(const EventLayer& layer, const EventLayerSpikes& pre, std::size_t neuron, double duration,
                      std::vector<Arrival>& out) {
    out.clear();
    const double* w = layer.weights.data() + neuron * layer.inputs;
    const double* d = layer.delays.data() + neuron * layer.inputs;
    for (std::size_t j = 0; j < layer.inputs; ++j) {
        for (std::size_t k = pre.offsets[j]; k < pre.offsets[j + 1]; ++k) {
            const double arrival = pre.times[k] + d[j];
            if (arrival < duration)
                out.push_back({arrival, w[j], static_cast<std::uint32_t>(j), static_cast<std::uint32_t>(k)});
        }
    }
    std::stable_sort(out.begin(), out.end(), [](const Arrival& a, const Arrival& b) { return a.time < b.time; });
}

// The forward pass of one neuron: appends its spikes (times, currents) or, for a leaky
// neuron, sets its maximum voltage.
void run_neuron(const Constants& c, const std::vector<Arrival>& arrivals, bool spiking, std::size_t layer,
                std::size_t neuron, EventLayerSpikes& out) {
    double t = 0.0;
    State s{0.0, 0.0};
    std::size_t count = 0;
    double vmax = 0.0, tmax = 0.0, imax = 0.0;
    auto advance_to = [&](double t_end) {
        while (t < t_end) {
            const double length = t_end - t;
            if (spiking) {
                double tau = 0.0;
                if (first_crossing(c, s, length, tau)) {
                    const double current = s.i * std::exp(-tau / c.tau_syn);
                    t = std::min(t + tau, t_end);
                    out.times.push_back(t);
                    out.currents.push_back(current);
                    s = {c.u_reset, current};
                    if (++count > c.max_spikes)
                        throw ValueError("EventProp: neuron " + std::to_string(neuron) + " of layer " +
                                             std::to_string(layer) + " fired more than max_spikes_per_neuron = " +
                                             std::to_string(c.max_spikes) +
                                             " spikes in one sample; lower the weights or raise the limit",
                                         "max_spikes_per_neuron");
                    continue;
                }
            }
            const State end = evolve(c, s, length);
            if (!spiking) {
                if (slope(c, s) > 0.0 && slope(c, end) < 0.0) {
                    const double tau = peak_time(c, s, length);
                    const State peak = evolve(c, s, tau);
                    if (peak.u > vmax) vmax = peak.u, tmax = t + tau, imax = peak.i;
                }
                if (end.u > vmax) vmax = end.u, tmax = t_end, imax = end.i;
            }
            s = end;
            t = t_end;
        }
    };
    for (const Arrival& a : arrivals) {
        advance_to(a.time);
        s.i += a.weight;
    }
    advance_to(c.duration);
    if (!spiking) {
        out.vmax.push_back(vmax);
        out.tmax.push_back(tmax);
        out.current_at_max.push_back(imax);
    }
}

// Gradient sinks of one neuron's backward pass.
struct NeuronGradients {
    double* weights;              // dL/dw, one per input of the neuron
    double* delays;               // dL/dd, one per input
    std::vector<double>* sources; // dL/dt of each presynaptic spike (accumulated)
};

// The adjoint of one neuron, from t = duration back to 0. `spike_gradient[k]`: dL/dt_k of
// its k-th spike from the loss and from the neurons it drives; `vmax_gradient`: dL/dvmax
// of a leaky neuron.
void backprop_neuron(const Constants& c, const std::vector<Arrival>& arrivals, bool spiking,
                     const EventLayerSpikes& own, std::size_t neuron, const double* spike_gradient,
                     double vmax_gradient, NeuronGradients g) {
    double t = c.duration, lambda_u = 0.0, lambda_i = 0.0;
    const std::size_t first_spike = own.offsets[neuron];
    std::ptrdiff_t k = static_cast<std::ptrdiff_t>(own.count(neuron)) - 1;
    std::ptrdiff_t a = static_cast<std::ptrdiff_t>(arrivals.size()) - 1;
    double tmax = 0.0, max_slope_before = 0.0;
    bool max_pending = false;
    if (!spiking && vmax_gradient != 0.0 && own.tmax[neuron] > 0.0) {
        tmax = own.tmax[neuron];
        // u' just before the maximum: what a later arrival there would add to vmax.
        max_slope_before = slope(c, {own.vmax[neuron], own.current_at_max[neuron]});
        max_pending = true;
        if (tmax >= c.duration) {
            lambda_u += vmax_gradient;
            max_pending = false;
        }
    }
    constexpr double none = -std::numeric_limits<double>::infinity();
    auto back_to = [&](double t_event) {
        const double tau = t - t_event;
        if (tau > 0.0) {
            lambda_i = lambda_i * std::exp(-tau / c.tau_syn) + lambda_u / c.cm * kernel(c, tau);
            lambda_u *= std::exp(-tau / c.tau_m);
        }
        t = t_event;
    };
    while (a >= 0 || k >= 0 || max_pending) {
        const double t_arrival = a >= 0 ? arrivals[static_cast<std::size_t>(a)].time : none;
        const double t_spike = k >= 0 ? own.times[first_spike + static_cast<std::size_t>(k)] : none;
        const double t_max = max_pending ? tmax : none;
        const double t_event = std::max({t_arrival, t_spike, t_max});
        back_to(t_event);
        // At equal times the forward pass crossed (spike or maximum) before the input
        // arrived, so in reverse the arrival comes first.
        if (t_arrival == t_event) {
            const Arrival& in = arrivals[static_cast<std::size_t>(a)];
            double arrival_gradient = in.weight * (lambda_i / c.tau_syn - lambda_u / c.cm);
            if (max_pending && t_arrival == tmax) arrival_gradient += vmax_gradient * max_slope_before;
            g.weights[in.input] += lambda_i;
            g.delays[in.input] += arrival_gradient;
            (*g.sources)[in.spike] += arrival_gradient;
            --a;
        } else if (t_spike == t_event) {
            const double current = own.currents[first_spike + static_cast<std::size_t>(k)];
            const double slope_before = -c.theta / c.tau_m + current / c.cm;
            const double slope_after = -c.u_reset / c.tau_m + current / c.cm;
            lambda_u = (lambda_u * slope_after - spike_gradient[k]) / slope_before;
            --k;
        } else {
            lambda_u += vmax_gradient;
            max_pending = false;
        }
    }
}

struct SampleResult {
    double loss = 0.0;
    std::int64_t prediction = -1;
    std::vector<std::vector<double>> weight_gradients, delay_gradients;
    std::vector<double> input_time_gradients;  // in the sample's own spike order
};

// The input spikes of one sample as a layer's spikes (per channel, ascending), and the
// position of each in the sample's own list.
EventLayerSpikes input_spikes(const EventSpikeData& data, std::size_t sample, std::vector<std::size_t>& order) {
    const std::size_t begin = data.offsets[sample], end = data.offsets[sample + 1];
    order.resize(end - begin);
    std::iota(order.begin(), order.end(), begin);
    std::stable_sort(order.begin(), order.end(), [&](std::size_t x, std::size_t y) {
        return data.ids[x] != data.ids[y] ? data.ids[x] < data.ids[y] : data.times[x] < data.times[y];
    });
    EventLayerSpikes in;
    in.offsets.assign(data.channels + 1, 0);
    for (std::size_t index : order) {
        in.times.push_back(data.times[index]);
        ++in.offsets[data.ids[index] + 1];
    }
    std::partial_sum(in.offsets.begin(), in.offsets.end(), in.offsets.begin());
    for (std::size_t& index : order) index -= begin;
    return in;
}

// Loss of one sample from its output layer; fills dL/dt of the output spikes or
// dL/dvmax of the leaky outputs.
double output_loss(const EventLoss& loss, const EventLayerSpikes& out, std::size_t outputs, double duration,
                   const EventTargets& targets, std::size_t sample, std::vector<double>& spike_gradient,
                   std::vector<double>& vmax_gradient, std::int64_t& prediction) {
    spike_gradient.assign(out.times.size(), 0.0);
    vmax_gradient.assign(outputs, 0.0);
    if (loss.kind == EventLossKind::max_voltage_cross_entropy) {
        const std::size_t label = static_cast<std::size_t>(targets.labels[sample]);
        const double top = *std::max_element(out.vmax.begin(), out.vmax.end());
        double sum = 0.0;
        for (double v : out.vmax) sum += std::exp(v - top);
        for (std::size_t k = 0; k < outputs; ++k) vmax_gradient[k] = std::exp(out.vmax[k] - top) / sum;
        vmax_gradient[label] -= 1.0;
        prediction = std::max_element(out.vmax.begin(), out.vmax.end()) - out.vmax.begin();
        return -(out.vmax[label] - top - std::log(sum));
    }
    // First-spike losses: a silent output counts as firing at the end of the trial.
    std::vector<double> first(outputs);
    prediction = -1;
    for (std::size_t k = 0; k < outputs; ++k) {
        first[k] = out.count(k) > 0 ? out.times[out.offsets[k]] : duration;
        if (out.count(k) > 0 && (prediction < 0 || first[k] < first[static_cast<std::size_t>(prediction)]))
            prediction = static_cast<std::int64_t>(k);
    }
    if (loss.kind == EventLossKind::first_spike_mse) {
        double value = 0.0;
        for (std::size_t k = 0; k < outputs; ++k) {
            const double error = first[k] - targets.times[sample * outputs + k];
            value += 0.5 * error * error;
            if (out.count(k) > 0) spike_gradient[out.offsets[k]] = error;
        }
        return value;
    }
    const std::size_t label = static_cast<std::size_t>(targets.labels[sample]);
    double top = -std::numeric_limits<double>::infinity();
    for (double t : first) top = std::max(top, -t / loss.tau0);
    double sum = 0.0;
    for (double t : first) sum += std::exp(-t / loss.tau0 - top);
    const double regulariser = std::exp(first[label] / loss.tau1);
    for (std::size_t k = 0; k < outputs; ++k) {
        if (out.count(k) == 0) continue;
        const double p = std::exp(-first[k] / loss.tau0 - top) / sum;
        double gradient = ((k == label ? 1.0 : 0.0) - p) / loss.tau0;
        if (k == label) gradient += loss.alpha / loss.tau1 * regulariser;
        spike_gradient[out.offsets[k]] = gradient;
    }
    return -(-first[label] / loss.tau0 - top - std::log(sum)) + loss.alpha * (regulariser - 1.0);
}

}  // namespace

void EventNeuronParams::validate() const {
    auto positive = [](const char* name, double value) {
        if (!(finite(value) && value > 0.0)) fail(name, "must be > 0 and finite, got " + format_number(value));
    };
    positive("cm", cm);
    positive("tau_m", tau_m);
    positive("tau_syn", tau_syn);
    for (auto [name, value] : {std::pair{"v_rest", v_rest}, {"v_reset", v_reset}, {"v_thresh", v_thresh}})
        if (!finite(value)) fail(name, "must be finite, got " + format_number(value));
    if (!(v_reset < v_thresh))
        fail("v_reset", "must be < v_thresh (" + format_number(v_thresh) + " mV), got " + format_number(v_reset) + " mV");
    if (!(v_rest < v_thresh))
        fail("v_rest", "must be < v_thresh (" + format_number(v_thresh) + " mV): a neuron at rest would fire, got " +
                           format_number(v_rest) + " mV");
}

void EventSpikeData::validate() const {
    if (offsets.empty() || offsets.front() != 0 || offsets.back() != times.size())
        fail("offsets", "must start at 0 and end at the number of spikes (" + std::to_string(times.size()) + ")");
    if (ids.size() != times.size())
        fail("ids", "must have one channel per spike time (" + std::to_string(times.size()) + "), got " +
                        std::to_string(ids.size()));
    for (std::size_t s = 0; s + 1 < offsets.size(); ++s)
        if (offsets[s + 1] < offsets[s]) fail("offsets", "must not decrease (sample " + std::to_string(s) + ")");
    for (std::size_t k = 0; k < times.size(); ++k) {
        if (!(finite(times[k]) && times[k] >= 0.0))
            fail("times", "must be finite and >= 0 ms, got " + format_number(times[k]) + " (spike " + std::to_string(k) + ")");
        if (ids[k] >= channels)
            fail("ids", "must be < the number of input channels (" + std::to_string(channels) + "), got " +
                            std::to_string(ids[k]) + " (spike " + std::to_string(k) + ")");
    }
}

void EventLoss::validate() const {
    if (!(finite(tau0) && tau0 > 0.0)) fail("tau0", "must be > 0 ms, got " + format_number(tau0));
    if (!(finite(tau1) && tau1 > 0.0)) fail("tau1", "must be > 0 ms, got " + format_number(tau1));
    if (!(finite(alpha) && alpha >= 0.0)) fail("alpha", "must be >= 0, got " + format_number(alpha));
}

EventNetwork::EventNetwork(std::size_t inputs, std::vector<std::size_t> layer_sizes, bool leaky_output,
                           EventNeuronParams params, double duration_ms, std::size_t max_spikes_per_neuron)
    : inputs_(inputs), params_(params), duration_(duration_ms), max_spikes_(max_spikes_per_neuron) {
    params_.validate();
    if (inputs == 0) fail("inputs", "must be >= 1, got 0");
    if (layer_sizes.empty()) fail("layer_sizes", "must name at least one layer (the outputs)");
    if (!(finite(duration_ms) && duration_ms > 0.0))
        fail("duration", "must be > 0 ms and finite, got " + format_number(duration_ms) + " ms");
    if (max_spikes_per_neuron == 0) fail("max_spikes_per_neuron", "must be >= 1, got 0");
    std::size_t previous = inputs;
    for (std::size_t l = 0; l < layer_sizes.size(); ++l) {
        if (layer_sizes[l] == 0) fail("layer_sizes", "layer " + std::to_string(l) + " must have >= 1 neuron, got 0");
        EventLayer layer;
        layer.inputs = previous;
        layer.neurons = layer_sizes[l];
        layer.spiking = !(leaky_output && l + 1 == layer_sizes.size());
        layer.weights.assign(layer.inputs * layer.neurons, 0.0);
        layer.delays.assign(layer.inputs * layer.neurons, 0.0);
        layers_.push_back(std::move(layer));
        previous = layer_sizes[l];
    }
}

void EventNetwork::initialize(std::uint64_t seed, std::span<const double> weight_mean,
                              std::span<const double> weight_std, double delay_low_ms, double delay_high_ms) {
    if (weight_mean.size() != layers_.size() || weight_std.size() != layers_.size())
        fail("weight_mean", "and weight_std need one value per layer (" + std::to_string(layers_.size()) + "), got " +
                                std::to_string(weight_mean.size()) + " and " + std::to_string(weight_std.size()));
    for (std::size_t l = 0; l < layers_.size(); ++l) {
        if (!finite(weight_mean[l])) fail("weight_mean", "must be finite, got " + format_number(weight_mean[l]));
        if (!(finite(weight_std[l]) && weight_std[l] >= 0.0))
            fail("weight_std", "must be >= 0 and finite, got " + format_number(weight_std[l]));
    }
    if (!(finite(delay_low_ms) && delay_low_ms >= 0.0))
        fail("delay_low", "must be >= 0 ms, got " + format_number(delay_low_ms) + " ms");
    if (!(finite(delay_high_ms) && delay_high_ms >= delay_low_ms))
        fail("delay_high", "must be >= delay_low (" + format_number(delay_low_ms) + " ms), got " +
                               format_number(delay_high_ms) + " ms");
    constexpr std::uint32_t kDomain = 0x45564e54;  // "EVNT": the EventProp initialisation streams
    for (std::size_t l = 0; l < layers_.size(); ++l) {
        RandomStream weights(seed, kDomain, static_cast<std::uint32_t>(2 * l));
        RandomStream delays(seed, kDomain, static_cast<std::uint32_t>(2 * l + 1));
        for (double& w : layers_[l].weights) w = weights.normal(weight_mean[l], weight_std[l]);
        for (double& d : layers_[l].delays) d = delays.uniform(delay_low_ms, delay_high_ms);
    }
}

void EventNetwork::validate() const {
    std::size_t previous = inputs_;
    for (std::size_t l = 0; l < layers_.size(); ++l) {
        const EventLayer& layer = layers_[l];
        const std::string key = "layers[" + std::to_string(l) + "]";
        if (layer.inputs != previous)
            fail(key + ".inputs", "must equal the size of the layer before (" + std::to_string(previous) + "), got " +
                                      std::to_string(layer.inputs));
        if (!layer.spiking && l + 1 != layers_.size()) fail(key + ".spiking", "must be true: only the output layer may be leaky");
        const std::size_t n = layer.inputs * layer.neurons;
        if (layer.weights.size() != n || layer.delays.size() != n)
            fail(key, "needs " + std::to_string(layer.neurons) + " x " + std::to_string(layer.inputs) +
                          " weights and delays, got " + std::to_string(layer.weights.size()) + " and " +
                          std::to_string(layer.delays.size()));
        for (std::size_t k = 0; k < n; ++k) {
            if (!finite(layer.weights[k]))
                fail(key + ".weights", "must be finite, got " + format_number(layer.weights[k]) + " at " + std::to_string(k));
            if (!(finite(layer.delays[k]) && layer.delays[k] >= 0.0))
                fail(key + ".delays", "must be >= 0 ms and finite, got " + format_number(layer.delays[k]) + " ms at " +
                                          std::to_string(k));
        }
        previous = layer.neurons;
    }
}

namespace {

Constants constants_of(const EventNeuronParams& p, double duration, std::size_t max_spikes) {
    return {p.tau_m,
            p.tau_syn,
            p.cm,
            p.v_thresh - p.v_rest,
            p.v_reset - p.v_rest,
            duration,
            max_spikes,
            4.0 * std::numeric_limits<double>::epsilon() * std::max(1.0, duration)};
}

}  // namespace

std::vector<EventLayerSpikes> EventNetwork::forward(const EventSpikeData& data, std::size_t sample) const {
    const Constants c = constants_of(params_, duration_, max_spikes_);
    std::vector<std::size_t> order;
    const EventLayerSpikes in = input_spikes(data, sample, order);
    std::vector<EventLayerSpikes> out(layers_.size());
    std::vector<Arrival> arrivals;
    for (std::size_t l = 0; l < layers_.size(); ++l) {
        const EventLayer& layer = layers_[l];
        const EventLayerSpikes& pre = l == 0 ? in : out[l - 1];
        EventLayerSpikes& spikes = out[l];
        spikes.offsets.assign(1, 0);
        for (std::size_t i = 0; i < layer.neurons; ++i) {
            collect_arrivals(layer, pre, i, duration_, arrivals);
            run_neuron(c, arrivals, layer.spiking, l, i, spikes);
            spikes.offsets.push_back(spikes.times.size());
        }
    }
    return out;
}

EventBatchResult EventNetwork::evaluate(const EventSpikeData& data, std::span<const std::size_t> samples,
                                        const EventTargets& targets, const EventLoss& loss, bool gradients,
                                        int threads) const {
    validate();
    loss.validate();
    data.validate();
    if (data.channels != inputs_)
        fail("inputs", "the data have " + std::to_string(data.channels) + " channels but the network has " +
                           std::to_string(inputs_) + " inputs");
    if (threads < 1) fail("threads", "must be >= 1, got " + std::to_string(threads));
    if (samples.empty()) fail("samples", "must not be empty");
    for (std::size_t s : samples)
        if (s >= data.samples())
            fail("samples", "index " + std::to_string(s) + " is out of range (the data have " +
                                std::to_string(data.samples()) + " samples)");
    const EventLayer& output = layers_.back();
    const bool leaky = !output.spiking;
    if (loss.kind == EventLossKind::max_voltage_cross_entropy && !leaky)
        fail("loss", "max_voltage_cross_entropy needs a leaky (non-spiking) output layer");
    if (loss.kind != EventLossKind::max_voltage_cross_entropy && leaky)
        fail("loss", "first-spike losses need a spiking output layer");
    const bool needs_labels = loss.kind != EventLossKind::first_spike_mse;
    if (needs_labels || !targets.labels.empty()) {
        if (targets.labels.size() != data.samples())
            fail("labels", "need one label per sample (" + std::to_string(data.samples()) + "), got " +
                               std::to_string(targets.labels.size()));
        for (std::size_t s : samples)
            if (targets.labels[s] < 0 || static_cast<std::size_t>(targets.labels[s]) >= output.neurons)
                fail("labels", "must be in [0, " + std::to_string(output.neurons) + "), got " +
                                   std::to_string(targets.labels[s]) + " (sample " + std::to_string(s) + ")");
    }
    if (loss.kind == EventLossKind::first_spike_mse) {
        if (targets.times.size() != data.samples() * output.neurons)
            fail("target_times", "need samples x outputs = " + std::to_string(data.samples() * output.neurons) +
                                     " values, got " + std::to_string(targets.times.size()));
        for (double t : targets.times)
            if (!finite(t)) fail("target_times", "must be finite, got " + format_number(t));
    }

    const Constants c = constants_of(params_, duration_, max_spikes_);
    std::vector<SampleResult> results(samples.size());
    std::vector<std::exception_ptr> errors(samples.size());

    auto run_sample = [&](std::size_t position) {
        const std::size_t sample = samples[position];
        SampleResult& r = results[position];
        std::vector<std::size_t> order;
        const EventLayerSpikes in = input_spikes(data, sample, order);
        std::vector<EventLayerSpikes> out(layers_.size());
        std::vector<Arrival> arrivals;
        for (std::size_t l = 0; l < layers_.size(); ++l) {
            out[l].offsets.assign(1, 0);
            for (std::size_t i = 0; i < layers_[l].neurons; ++i) {
                collect_arrivals(layers_[l], l == 0 ? in : out[l - 1], i, duration_, arrivals);
                run_neuron(c, arrivals, layers_[l].spiking, l, i, out[l]);
                out[l].offsets.push_back(out[l].times.size());
            }
        }
        std::vector<double> spike_gradient, vmax_gradient;
        r.loss = output_loss(loss, out.back(), output.neurons, duration_, targets, sample, spike_gradient,
                             vmax_gradient, r.prediction);
        if (!gradients) return;
        r.weight_gradients.resize(layers_.size());
        r.delay_gradients.resize(layers_.size());
        for (std::size_t l = layers_.size(); l-- > 0;) {
            const EventLayer& layer = layers_[l];
            r.weight_gradients[l].assign(layer.weights.size(), 0.0);
            r.delay_gradients[l].assign(layer.delays.size(), 0.0);
            const EventLayerSpikes& pre = l == 0 ? in : out[l - 1];
            std::vector<double> source_gradient(pre.times.size(), 0.0);
            for (std::size_t i = 0; i < layer.neurons; ++i) {
                collect_arrivals(layer, pre, i, duration_, arrivals);
                backprop_neuron(c, arrivals, layer.spiking, out[l], i, spike_gradient.data() + out[l].offsets[i],
                                leaky ? vmax_gradient[i] : 0.0,
                                {r.weight_gradients[l].data() + i * layer.inputs,
                                 r.delay_gradients[l].data() + i * layer.inputs, &source_gradient});
            }
            if (l > 0) {
                spike_gradient = std::move(source_gradient);
            } else {
                r.input_time_gradients.assign(order.size(), 0.0);
                for (std::size_t k = 0; k < order.size(); ++k) r.input_time_gradients[order[k]] = source_gradient[k];
            }
        }
    };

#pragma omp parallel for schedule(dynamic) num_threads(threads)
    for (std::ptrdiff_t position = 0; position < static_cast<std::ptrdiff_t>(samples.size()); ++position) {
        try {
            run_sample(static_cast<std::size_t>(position));
        } catch (...) {
            errors[static_cast<std::size_t>(position)] = std::current_exception();
        }
    }
    for (const std::exception_ptr& error : errors)
        if (error) std::rethrow_exception(error);

    // Sums in sample order: the same result for any number of threads.
    EventBatchResult result;
    const double scale = 1.0 / static_cast<double>(samples.size());
    if (gradients) {
        for (const EventLayer& layer : layers_) {
            result.gradients.weights.emplace_back(layer.weights.size(), 0.0);
            result.gradients.delays.emplace_back(layer.delays.size(), 0.0);
        }
    }
    for (std::size_t position = 0; position < samples.size(); ++position) {
        const SampleResult& r = results[position];
        result.loss += r.loss * scale;
        result.predictions.push_back(r.prediction);
        if (!targets.labels.empty() && r.prediction == targets.labels[samples[position]]) ++result.correct;
        if (!gradients) continue;
        for (std::size_t l = 0; l < layers_.size(); ++l) {
            for (std::size_t k = 0; k < r.weight_gradients[l].size(); ++k) {
                result.gradients.weights[l][k] += r.weight_gradients[l][k] * scale;
                result.gradients.delays[l][k] += r.delay_gradients[l][k] * scale;
            }
        }
    }
    if (gradients && samples.size() == 1) result.gradients.input_times = std::move(results[0].input_time_gradients);
    return result;
}

}  // namespace neurodyn::learn
