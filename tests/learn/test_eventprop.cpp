// EventProp (learn/eventprop.hpp): the event-based forward pass against the closed form,
// its gradients against central finite differences of the exact loss (weights, delays,
// input spike times; every loss), determinism, and the errors for bad input.

#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <limits>
#include <numeric>
#include <vector>

#include "neurodyn/core/error.hpp"
#include "neurodyn/core/random.hpp"
#include "neurodyn/learn/event_training.hpp"
#include "neurodyn/learn/eventprop.hpp"
#include "neurodyn/models/if_curr_exp.hpp"

using namespace neurodyn;
using namespace neurodyn::learn;

namespace {

constexpr double kDuration = 60.0;  // ms

// `samples` samples of one spike per channel at uniform times in [0, 20) ms, plus a second
// spike on every other channel.
EventSpikeData random_inputs(std::size_t channels, std::size_t samples, std::uint64_t seed) {
    EventSpikeData data;
    data.channels = channels;
    RandomStream stream(seed, 1, 0);
    for (std::size_t s = 0; s < samples; ++s) {
        for (std::size_t c = 0; c < channels; ++c) {
            data.times.push_back(stream.uniform(0.0, 20.0));
            data.ids.push_back(static_cast<std::uint32_t>(c));
            if (c % 2 == 0) {
                data.times.push_back(stream.uniform(20.0, 30.0));
                data.ids.push_back(static_cast<std::uint32_t>(c));
            }
        }
        data.offsets.push_back(data.times.size());
    }
    return data;
}

EventNetwork make_network(bool leaky, std::uint64_t seed) {
    EventNetwork net(6, {10, 3}, leaky, EventNeuronParams{}, kDuration);
    const double mean[] = {3.0, 3.0}, std[] = {2.0, 1.5};
    net.initialize(seed, mean, std, 0.0, 4.0);
    return net;
}

std::size_t total_spikes(const EventNetwork& net, const EventSpikeData& data, std::span<const std::size_t> samples) {
    std::size_t n = 0;
    for (std::size_t s : samples)
        for (const EventLayerSpikes& layer : net.forward(data, s)) n += layer.times.size();
    return n;
}

struct FiniteDifferenceReport {
    std::size_t checked = 0, skipped = 0;
    double worst_relative = 0.0;
};

// Central differences of the loss along each parameter that `get` exposes, compared with
// `analytic`. A parameter whose +-h perturbation changes the number of spikes is skipped:
// there the loss jumps and has no derivative (EventProp's gradient is exact only where the
// spike count is fixed).
//
// Tolerance: the central difference has truncation error h^2/6 |L'''| (about 1e-10 for
// h = 1e-5 and O(1) third derivatives) and rounding error (loss rounding plus the root
// finder's 4 ulp of the trial length, about 5e-14 ms of spike time) / h, about 5e-9;
// 1e-5 of the gradient's scale leaves three orders of magnitude for unlucky curvature.
FiniteDifferenceReport check_gradients(const std::function<double&(std::size_t)>& get, std::size_t count,
                                       const std::vector<double>& analytic, const std::function<double()>& loss,
                                       const std::function<std::size_t()>& spikes, double h) {
    FiniteDifferenceReport report;
    double scale = 0.0;
    for (double g : analytic) scale = std::max(scale, std::abs(g));
    const std::size_t base_spikes = spikes();
    for (std::size_t k = 0; k < count; ++k) {
        double& p = get(k);
        const double original = p;
        p = original + h;
        const double plus = loss();
        const std::size_t plus_spikes = spikes();
        p = original - h;
        const double minus = loss();
        const std::size_t minus_spikes = spikes();
        p = original;
        if (plus_spikes != base_spikes || minus_spikes != base_spikes) {
            ++report.skipped;
            continue;
        }
        const double fd = (plus - minus) / (2.0 * h);
        const double error = std::abs(fd - analytic[k]) / std::max(std::abs(analytic[k]), 1e-3 * scale);
        report.worst_relative = std::max(report.worst_relative, error);
        ++report.checked;
        EXPECT_LE(error, 1e-5) << "parameter " << k << ": analytic " << analytic[k] << ", finite difference " << fd;
    }
    return report;
}

struct Case {
    EventNetwork net;
    EventSpikeData data;
    EventTargets targets;
    EventLoss loss;
    std::vector<std::size_t> samples;
};

void check_all_gradients(Case& c, const char* name) {
    const EventBatchResult result = c.net.evaluate(c.data, c.samples, c.targets, c.loss, true);
    auto loss = [&] { return c.net.evaluate(c.data, c.samples, c.targets, c.loss, false).loss; };
    auto spikes = [&] { return total_spikes(c.net, c.data, c.samples); };
    std::size_t checked = 0, skipped = 0;
    double worst = 0.0;
    for (std::size_t l = 0; l < c.net.layers().size(); ++l) {
        auto& layer = c.net.layers()[l];
        const auto w = check_gradients([&](std::size_t k) -> double& { return layer.weights[k]; }, layer.weights.size(),
                                       result.gradients.weights[l], loss, spikes, 1e-5);
        const auto d = check_gradients([&](std::size_t k) -> double& { return layer.delays[k]; }, layer.delays.size(),
                                       result.gradients.delays[l], loss, spikes, 1e-5);
        checked += w.checked + d.checked;
        skipped += w.skipped + d.skipped;
        worst = std::max({worst, w.worst_relative, d.worst_relative});
    }
    if (c.samples.size() == 1) {
        const auto t = check_gradients([&](std::size_t k) -> double& { return c.data.times[c.data.offsets[c.samples[0]] + k]; },
                                       result.gradients.input_times.size(), result.gradients.input_times, loss, spikes,
                                       1e-5);
        checked += t.checked;
        skipped += t.skipped;
        worst = std::max(worst, t.worst_relative);
    }
    std::printf("[%s] loss %.6g: %zu gradients checked, %zu skipped (spike count changed), worst relative error %.2e\n",
                name, result.loss, checked, skipped, worst);
    // Most parameters must be checkable, or the test would pass vacuously.
    EXPECT_GT(checked, 4 * skipped);
    EXPECT_GT(checked, 100u);
}

}  // namespace

TEST(EventProp, SpikeTimeIsTheThresholdCrossingOfTheClosedForm) {
    // One input spike of w at t0 onto one neuron: u(t) = w/cm k(t - t0), k the IF_curr_exp
    // propagator; the spike is at its first crossing of theta = 15 mV.
    EventNetwork net(1, {1}, false, EventNeuronParams{}, 100.0);
    net.layers()[0].weights = {6.0};
    net.layers()[0].delays = {1.5};
    EventSpikeData data;
    data.channels = 1;
    data.times = {2.0};
    data.ids = {0};
    data.offsets = {0, 1};
    const auto spikes = net.forward(data, 0);
    ASSERT_EQ(spikes[0].times.size(), 1u);
    const double t = spikes[0].times[0];
    auto u = [](double tau) { return 6.0 * models::current_to_voltage_propagator(tau, 20.0, 5.0, 1.0); };
    // Exact to rounding: theta = 15 mV and u' ~ 1 mV/ms, so 1e-12 mV is ~1e-12 ms of time.
    EXPECT_NEAR(u(t - 3.5), 15.0, 1e-12);
    // The first crossing: u is below threshold 1e-9 ms earlier (u' > 0.1 mV/ms there).
    EXPECT_LT(u(t - 3.5 - 1e-9), 15.0);
    EXPECT_GT(t, 3.5);
    // The current at the spike is w exp(-(t - 3.5)/tau_syn).
    EXPECT_NEAR(spikes[0].currents[0], 6.0 * std::exp(-(t - 3.5) / 5.0), 1e-14);
}

TEST(EventProp, LeakyMaximumIsThePeakOfTheClosedForm) {
    // Non-spiking: vmax of one PSP is at t* = ln(tau_m/tau_syn)/(1/tau_syn - 1/tau_m) after arrival.
    EventNetwork net(1, {1}, true, EventNeuronParams{}, 100.0);
    net.layers()[0].weights = {2.0};
    EventSpikeData data;
    data.channels = 1;
    data.times = {10.0};
    data.ids = {0};
    data.offsets = {0, 1};
    const auto out = net.forward(data, 0);
    const double peak = std::log(4.0) / (1.0 / 5.0 - 1.0 / 20.0);
    // The time of a maximum is determined to ~sqrt(eps) relative (u' ~ (t - t*) near it):
    // 1e-6 ms; the value to rounding.
    EXPECT_NEAR(out[0].tmax[0], 10.0 + peak, 1e-6);
    EXPECT_NEAR(out[0].vmax[0], 2.0 * models::current_to_voltage_propagator(peak, 20.0, 5.0, 1.0), 1e-12);
}

TEST(EventProp, FirstSpikeCrossEntropyGradientsMatchFiniteDifferences) {
    Case c{make_network(false, 11), random_inputs(6, 1, 5), {{2}, {}}, {EventLossKind::first_spike_cross_entropy, 2.0, 20.0, 0.01}, {0}};
    check_all_gradients(c, "first-spike CE, one sample");
}

TEST(EventProp, BatchGradientIsTheMeanAndMatchesFiniteDifferences) {
    Case c{make_network(false, 12), random_inputs(6, 3, 6), {{0, 1, 2}, {}}, {EventLossKind::first_spike_cross_entropy}, {0, 1, 2}};
    check_all_gradients(c, "first-spike CE, batch of 3");
}

TEST(EventProp, FirstSpikeMseGradientsMatchFiniteDifferences) {
    Case c{make_network(false, 13), random_inputs(6, 1, 7), {{}, {12.0, 15.0, 18.0}}, {EventLossKind::first_spike_mse}, {0}};
    check_all_gradients(c, "first-spike MSE");
}

TEST(EventProp, MaxVoltageGradientsMatchFiniteDifferences) {
    Case c{make_network(true, 14), random_inputs(6, 1, 8), {{1}, {}}, {EventLossKind::max_voltage_cross_entropy}, {0}};
    // Mixed signs, so some output maxima sit at an inhibitory arrival (a kink of u).
    for (double& w : c.net.layers()[1].weights) w -= 2.0;
    check_all_gradients(c, "max-voltage CE");
}

TEST(EventProp, SameSeedSameResultForAnyNumberOfThreads) {
    EventNetwork a = make_network(false, 21), b = make_network(false, 21);
    EXPECT_EQ(a.layers()[0].weights, b.layers()[0].weights);
    EXPECT_EQ(a.layers()[1].delays, b.layers()[1].delays);
    const EventNetwork other = make_network(false, 22);
    EXPECT_NE(a.layers()[0].weights, other.layers()[0].weights);
    const EventSpikeData data = random_inputs(6, 8, 9);
    const EventTargets targets{{0, 1, 2, 0, 1, 2, 0, 1}, {}};
    std::vector<std::size_t> samples(8);
    std::iota(samples.begin(), samples.end(), 0);
    const EventLoss loss{};
    const auto one = a.evaluate(data, samples, targets, loss, true, 1);
    const auto two = a.evaluate(data, samples, targets, loss, true, 2);
    EXPECT_EQ(one.loss, two.loss);  // bitwise: per-sample buffers summed in sample order
    EXPECT_EQ(one.predictions, two.predictions);
    EXPECT_EQ(one.gradients.weights, two.gradients.weights);
    EXPECT_EQ(one.gradients.delays, two.gradients.delays);
    // Training is deterministic too.
    EventTrainingSettings settings;
    settings.learn_delays = true;
    settings.max_delay = 10.0;
    EventTrainer ta(a, settings), tb(b, settings);
    for (int step = 0; step < 3; ++step) {
        ta.step(data, samples, targets, loss, 1);
        tb.step(data, samples, targets, loss, 2);
    }
    EXPECT_EQ(a.layers()[0].weights, b.layers()[0].weights);
    EXPECT_EQ(a.layers()[1].delays, b.layers()[1].delays);
    for (double d : a.layers()[0].delays) {
        EXPECT_GE(d, 0.0);
        EXPECT_LE(d, 10.0);
    }
}

TEST(EventProp, DelaysRoundToTheGridWithAtLeastOneStep) {
    EventNetwork net(2, {1}, false, EventNeuronParams{}, 10.0);
    net.layers()[0].delays = {0.0, 2.26};
    round_delays_to_grid(net, 0.1);
    EXPECT_DOUBLE_EQ(net.layers()[0].delays[0], 0.1);
    EXPECT_DOUBLE_EQ(net.layers()[0].delays[1], 23 * 0.1);
    EXPECT_THROW(round_delays_to_grid(net, 0.0), ValueError);
}

namespace {
template <class F>
void expect_error(F&& f, const std::string& key, const std::string& fragment) {
    try {
        f();
        ADD_FAILURE() << "no error; expected one about " << key;
    } catch (const ValueError& e) {
        EXPECT_EQ(e.key(), key) << e.what();
        EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
    }
}
}  // namespace

TEST(EventProp, BadParametersGiveErrorsNamingThem) {
    auto with = [](auto change) {
        EventNeuronParams p;
        change(p);
        return [p] { EventNetwork(2, {1}, false, p, 10.0); };
    };
    expect_error(with([](auto& p) { p.tau_m = 0.0; }), "tau_m", "tau_m must be > 0");
    expect_error(with([](auto& p) { p.tau_syn = -1.0; }), "tau_syn", "got -1");
    expect_error(with([](auto& p) { p.cm = std::nan(""); }), "cm", "cm must be > 0");
    expect_error(with([](auto& p) { p.v_reset = -40.0; }), "v_reset", "must be < v_thresh (-50 mV), got -40 mV");
    expect_error(with([](auto& p) { p.v_rest = -50.0; }), "v_rest", "must be < v_thresh");
    expect_error([] { EventNetwork(2, {1}, false, {}, 0.0); }, "duration", "got 0");
    expect_error([] { EventNetwork(0, {1}, false, {}, 10.0); }, "inputs", ">= 1");
    expect_error([] { EventNetwork(2, {3, 0}, false, {}, 10.0); }, "layer_sizes", "layer 1");
    expect_error([] { EventNetwork(2, {1}, false, {}, 10.0, 0); }, "max_spikes_per_neuron", ">= 1");

    EventNetwork net = make_network(false, 1);
    EventSpikeData data = random_inputs(6, 2, 1);
    const std::vector<std::size_t> samples{0, 1};
    const EventTargets targets{{0, 1}, {}};
    const EventLoss loss{};
    expect_error([&] { EventNetwork n = net; n.layers()[0].delays[3] = -1.0; n.evaluate(data, samples, targets, loss, false); },
                 "layers[0].delays", "must be >= 0 ms");
    expect_error([&] { EventNetwork n = net; n.layers()[1].weights[0] = INFINITY; n.evaluate(data, samples, targets, loss, false); },
                 "layers[1].weights", "finite");
    expect_error([&] { net.evaluate(data, samples, {{0, 3}, {}}, loss, false); }, "labels", "must be in [0, 3), got 3");
    expect_error([&] { net.evaluate(data, samples, {{0}, {}}, loss, false); }, "labels", "one label per sample");
    expect_error([&] { net.evaluate(data, std::vector<std::size_t>{5}, targets, loss, false); }, "samples", "out of range");
    expect_error([&] { net.evaluate(data, samples, targets, {EventLossKind::max_voltage_cross_entropy}, false); },
                 "loss", "leaky");
    expect_error([&] { net.evaluate(data, samples, targets, {EventLossKind::first_spike_cross_entropy, 0.0}, false); },
                 "tau0", "> 0");
    expect_error([&] { net.evaluate(data, samples, targets, {EventLossKind::first_spike_mse}, false); }, "target_times",
                 "samples x outputs");
    expect_error([&] { net.evaluate(data, samples, targets, loss, false, 0); }, "threads", ">= 1");
    expect_error([&] { EventSpikeData bad = data; bad.ids[0] = 6; net.evaluate(bad, samples, targets, loss, false); },
                 "ids", "< the number of input channels (6), got 6");
    expect_error([&] { EventSpikeData bad = data; bad.times[1] = -0.5; net.evaluate(bad, samples, targets, loss, false); },
                 "times", "got -0.5");
    expect_error([&] { EventSpikeData bad = data; bad.channels = 5; bad.ids.assign(bad.ids.size(), 0);
                       net.evaluate(bad, samples, targets, loss, false); }, "inputs", "5 channels");
    // A runaway neuron is stopped with the limit named, not left to fire forever.
    expect_error([&] { EventNetwork n(1, {1}, false, {}, 100.0, 5); n.layers()[0].weights = {1e4};
                       EventSpikeData one; one.channels = 1; one.times = {1.0}; one.ids = {0}; one.offsets = {0, 1};
                       n.forward(one, 0); }, "max_spikes_per_neuron", "fired more than");
    EventTrainingSettings settings;
    settings.learn_delays = true;
    settings.min_delay = 2.0;
    settings.max_delay = 1.0;
    expect_error([&] { EventTrainer t(net, settings); }, "max_delay", "must be >= min_delay (2 ms), got 1 ms");
    settings = {};
    settings.weights.learning_rate = 0.0;
    expect_error([&] { EventTrainer t(net, settings); }, "learning_rate", "> 0");
}
