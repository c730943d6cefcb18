// Triplet spike-timing-dependent plasticity (Pfister & Gerstner 2006, all-to-all; NEST
// stdp_triplet_synapse; docs/plasticity.md): the frequency dependence of the pairing
// protocol of Sjöström et al. (2001) against the closed form of the minimal model, a
// recurrent network against a brute-force replay of its recorded spikes, invariance
// under decomposition, the model file, and the error for each bad parameter.
//
// Spike times in the protocol are forced as in test_stdp.cpp: presynaptic
// SpikeSourceArrays, and postsynaptic IF_curr_delta neurons without leak that a static
// 100 mV input from a second SpikeSourceArray makes fire in the step it arrives; the
// plastic input (one spike of <= 10 mV between two forced spikes) stays below the 50 mV
// threshold and never adds a spike.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

#include "neurodyn/core/error.hpp"
#include "neurodyn/engine/simulator.hpp"
#include "integration/stdp_pairs.hpp"
#include "neurodyn/io/model_file.hpp"
#include "neurodyn/record/spike_recorder.hpp"

using namespace neurodyn;

namespace {

constexpr double kDt = 0.1;
constexpr double kDelay = 1.0;       // ms, the plastic projection's (dendritic) delay
constexpr double kDriveDelay = 1.0;  // ms, driver -> post
constexpr double kW0 = 5.0;          // mV, initial weight (exact as a float)
constexpr int kPairs = 60;           // Sjöström et al. 2001: 60 pairings per frequency

// Pfister & Gerstner (2006) Table 4, visual cortex, all-to-all minimal model: no pair
// potentiation (A2_plus = 0), no triplet depression (A3_minus = 0; tau_x then plays no part).
models::TripletRule minimal_visual_cortex() {
    models::TripletRule rule;
    rule.tau_plus = 16.8;
    rule.tau_minus = 33.7;
    rule.tau_y = 114.0;
    rule.tau_x = 101.0;
    rule.A2_plus = 0.0;
    rule.A3_plus = 6.5e-3;
    rule.A2_minus = 7.1e-3;
    rule.A3_minus = 0.0;
    return rule;
}

SynapseSpec triplet_synapse(const models::TripletRule& rule, double w_min = 0.0, double w_max = 10.0) {
    SynapseSpec s;
    s.kind = SynapseSpec::Kind::stdp;
    s.timing_kind = models::StdpTimingKind::triplet;
    s.triplet = rule;
    s.weight_dependence.kind = models::WeightDependenceKind::additive;
    s.weight_dependence.w_min = w_min;
    s.weight_dependence.w_max = w_max;
    return s;
}

// The forced-timing pairs network of stdp_pairs.hpp with this file's constants.
NetworkSpec pairs_network(const std::vector<std::vector<double>>& pre_times,
                          const std::vector<std::vector<double>>& post_times, const SynapseSpec& synapse, double duration) {
    return stdp_test::stdp_pairs_network(pre_times, post_times, synapse, duration, {kDt, kDelay, kDriveDelay, kW0, 50.0});
}

// Closed form of the minimal (and full) all-to-all model for n pairings at period T:
// presynaptic spikes at k T, postsynaptic ones reaching the synapse at k T + Δt, |Δt| < T.
// With q = exp(-T/tau), the traces at each spike are geometric sums:
//   r1 at the k-th post arrival  = sum_{j: jT < kT+Δt} exp(-((k-j)T + Δt)/tau_plus)
//   o2 just before it            = sum_{j<k} exp(-(k-j)T/tau_y)            = q_y (1 - q_y^k)/(1 - q_y)
//   o1 at the k-th pre spike     = sum_{j: jT+Δt < kT} exp(-((k-j)T - Δt)/tau_minus)
//   r2 just before it            = sum_{j<k} exp(-(k-j)T/tau_x)            = q_x (1 - q_x^k)/(1 - q_x)
// and, without clipping (additive), Δw = sum_k r1 (A2+ + A3+ o2) - sum_k o1 (A2- + A3- r2).
double pairing_protocol_change(const models::TripletRule& r, double period_ms, double delta_t_ms, int n) {
    auto geometric = [](double q, int k) { return q * (1.0 - std::pow(q, k)) / (1.0 - q); };  // sum_{m=1..k} q^m
    const double q_plus = std::exp(-period_ms / r.tau_plus), q_minus = std::exp(-period_ms / r.tau_minus);
    const double q_x = std::exp(-period_ms / r.tau_x), q_y = std::exp(-period_ms / r.tau_y);
    double change = 0.0;
    for (int k = 0; k < n; ++k) {
        // Pre spikes before the k-th arrival: j = 0..k for Δt > 0 (the same pair included), j = 0..k-1 for Δt < 0.
        const double r1 = delta_t_ms > 0 ? std::exp(-delta_t_ms / r.tau_plus) * (1.0 + geometric(q_plus, k))
                                         : std::exp(-delta_t_ms / r.tau_plus) * geometric(q_plus, k);
        const double o2 = geometric(q_y, k);
        // Post arrivals before the k-th pre spike: j = 0..k-1 for Δt > 0, j = 0..k for Δt < 0.
        const double o1 = delta_t_ms > 0 ? std::exp(delta_t_ms / r.tau_minus) * geometric(q_minus, k)
                                         : std::exp(delta_t_ms / r.tau_minus) * (1.0 + geometric(q_minus, k));
        const double r2 = geometric(q_x, k);
        change += r1 * (r.A2_plus + r.A3_plus * o2) - o1 * (r.A2_minus + r.A3_minus * r2);
    }
    return change;
}

long step_of(double t_ms) { return std::lround(t_ms / kDt) - 1; }  // a spike stamped t was emitted in this step

}  // namespace

// Sjöström et al. (2001): 60 pairings at Δt = +10 ms and -10 ms, at 0.1 to 50 Hz. The
// minimal triplet model gives depression at low frequency for both signs, potentiation
// at high frequency for both (Pfister & Gerstner 2006, fig. 5), and the engine's weight
// changes equal the closed form.
TEST(StdpTriplet, PairingProtocolFrequencyDependenceMatchesTheMinimalModel) {
    const std::vector<double> frequencies_hz{0.1, 10.0, 20.0, 40.0, 50.0};
    const std::vector<double> delta_ts_ms{10.0, -10.0};
    const double t0 = 100.0;  // ms, first presynaptic spike
    std::vector<std::vector<double>> pre, post;
    std::vector<double> periods, deltas;
    double duration = 0.0;
    for (double f : frequencies_hz)
        for (double dt_pair : delta_ts_ms) {
            const double period = 1000.0 / f;
            std::vector<double> pre_times, post_times;
            for (int k = 0; k < kPairs; ++k) {
                pre_times.push_back(t0 + k * period);
                post_times.push_back(t0 + k * period + dt_pair - kDelay);  // reaches the synapse at t_pre + Δt
            }
            duration = std::max(duration, pre_times.back() + 50.0);
            pre.push_back(pre_times);
            post.push_back(post_times);
            periods.push_back(period);
            deltas.push_back(dt_pair);
        }
    const models::TripletRule rule = minimal_visual_cortex();
    Simulator sim(pairs_network(pre, post, triplet_synapse(rule), duration));
    SpikeRecorder spikes(sim, true);
    sim.add_observer(&spikes);
    sim.run();
    // The post neurons fired exactly when driven, 60 times each.
    EXPECT_EQ(spikes.spikes("post").ids.size(), pre.size() * kPairs);
    const auto w = sim.weights(0);
    ASSERT_EQ(w.size(), pre.size());
    for (std::size_t i = 0; i < w.size(); ++i) {
        const double expected = pairing_protocol_change(rule, periods[i], deltas[i], kPairs);
        const double measured = w[i] - kW0;
        // Sums of ~60 products of exponentials in another order: 1e-9 relative is ~1e6 ulps;
        // plus 1e-13 absolute for w - w0 (~100 ulps of w0 = 5 mV) where the change is ~0.
        EXPECT_NEAR(measured, expected, 1e-9 * std::abs(expected) + 1e-13)
            << "f=" << 1000.0 / periods[i] << " Hz, dt=" << deltas[i] << " ms";
        std::printf("triplet pairing protocol: f = %5.1f Hz, dt = %+5.1f ms: dw = %+.6f (closed form %+.6f)\n",
                    1000.0 / periods[i], deltas[i], measured, expected);
    }
    // The shape of Sjöström et al.'s data and Pfister & Gerstner's fig. 5: for Δt = -10 ms
    // depression up to 20 Hz and potentiation at 40 and 50 Hz; for Δt = +10 ms no change at
    // 0.1 Hz (A2_plus = 0 and the slow trace o2 has decayed over 10 s) and potentiation
    // growing with the frequency from 10 Hz on; causal pairs above anti-causal ones.
    auto change = [&](double f, double dt_pair) {
        for (std::size_t i = 0; i < w.size(); ++i)
            if (std::abs(1000.0 / periods[i] - f) < 1e-9 && deltas[i] == dt_pair) return w[i] - kW0;
        return std::nan("");
    };
    for (double f : {0.1, 10.0, 20.0}) EXPECT_LT(change(f, -10.0), 0.0) << f;
    for (double f : {40.0, 50.0}) EXPECT_GT(change(f, -10.0), 0.0) << f;
    EXPECT_NEAR(change(0.1, 10.0), 0.0, 1e-13);  // as above: ~100 ulps of w0
    for (std::size_t f = 1; f < frequencies_hz.size(); ++f) {
        EXPECT_GT(change(frequencies_hz[f], 10.0), change(frequencies_hz[f - 1], 10.0)) << frequencies_hz[f];
        EXPECT_GT(change(frequencies_hz[f], 10.0), change(frequencies_hz[f], -10.0)) << frequencies_hz[f];
    }
}

namespace {

// A recurrent excitatory network with Poisson input and triplet STDP on E -> E with
// heterogeneous delays and multapses (the full visual-cortex model: all four terms).
NetworkSpec plastic_network(double duration) {
    NetworkSpec spec;
    spec.simulation = {kDt, duration, 42};
    spec.populations = {
        {"E", "IF_curr_exp", 60, {{"tau_refrac", 2.0}}, {{"v", Distribution::uniform(-65.0, -55.0)}}, {}},
    };
    ProjectionSpec ee;
    ee.name = "EE";
    ee.source = "E";
    ee.target = "E";
    ee.connector.kind = ConnectorSpec::Kind::fixed_number_pre;
    ee.connector.number = 12;
    ee.connector.allow_multapses = true;
    ee.weight = Distribution::uniform(0.05, 0.25);
    ee.delay = Distribution::uniform(0.5, 3.0);
    // Tau's: NEST's defaults (Table 4 visual cortex, full all-to-all model); amplitudes
    // chosen so that every term matters and most weights stay inside the bounds.
    models::TripletRule rule;
    rule.A2_plus = 5e-4;
    rule.A3_plus = 1.5e-3;
    rule.A2_minus = 1.75e-3;
    rule.A3_minus = 6e-4;
    ee.synapse = triplet_synapse(rule, 0.0, 0.3);
    spec.projections = {ee};
    StimulusSpec drive;
    drive.kind = StimulusSpec::Kind::poisson;
    drive.target = "E";
    drive.rate = 5000.0;
    drive.weight = 0.12;
    spec.stimuli = {drive};
    return spec;
}

// Independent reference: replays every spike at the synapse in time order with the four
// traces as sums over the earlier spikes. A post spike arriving in the step of a pre
// spike is applied first and is not paired with it (Δt = 0), as in the engine and NEST.
double replay(const SynapseSpec& s, double w, const std::vector<long>& pre_steps, const std::vector<long>& post_steps,
              long delay_steps, long last_step) {
    const models::TripletRule& r = s.triplet;
    const double w_min = s.weight_dependence.w_min, w_max = s.weight_dependence.w_max;
    struct Event {
        long step;
        int order;  // 0: post arrival, 1: pre spike
        long emitted;
    };
    std::vector<Event> events;
    for (long t : pre_steps) events.push_back({t, 1, t});
    for (long t : post_steps)
        if (t + delay_steps <= last_step) events.push_back({t + delay_steps, 0, t});
    std::sort(events.begin(), events.end(),
              [](const Event& a, const Event& b) { return a.step != b.step ? a.step < b.step : a.order < b.order; });
    for (const Event& e : events) {
        if (e.order == 0) {
            double r1 = 0.0, o2 = 0.0;
            for (long t : pre_steps)
                if (t < e.step) r1 += std::exp(-(e.step - t) * kDt / r.tau_plus);
            for (long t : post_steps)
                if (t < e.emitted) o2 += std::exp(-(e.emitted - t) * kDt / r.tau_y);
            if (r1 > 0) w = std::min(w + r1 * (r.A2_plus + r.A3_plus * o2), w_max);
        } else {
            double o1 = 0.0, r2 = 0.0;
            for (long t : post_steps)
                if (t + delay_steps < e.step) o1 += std::exp(-(e.step - t - delay_steps) * kDt / r.tau_minus);
            for (long t : pre_steps)
                if (t < e.step) r2 += std::exp(-(e.step - t) * kDt / r.tau_x);
            if (o1 > 0) w = std::max(w - o1 * (r.A2_minus + r.A3_minus * r2), w_min);
        }
    }
    return w;
}

}  // namespace

// In a network: the engine's weights equal a replay of every recorded spike (so the
// history pruning loses nothing, the slow traces included), and they move.
TEST(StdpTriplet, NetworkWeightsEqualAReplayOfTheRecordedSpikes) {
    const NetworkSpec spec = plastic_network(400.0);
    Simulator sim(spec);
    SpikeRecorder spikes(sim, true);
    sim.add_observer(&spikes);
    sim.run();
    const auto& trains = spikes.spikes("E");
    // The history is pruned after ~2 x (16 x 60 + 64) postsynaptic spikes: make sure it is.
    ASSERT_GT(trains.ids.size(), 2100u) << "too few spikes to exercise the rule and the pruning";
    std::vector<std::vector<long>> steps_of_neuron(60);
    for (std::size_t k = 0; k < trains.ids.size(); ++k) steps_of_neuron[trains.ids[k]].push_back(step_of(trains.times_ms[k]));
    const auto synapses = sim.connections(0);
    const auto w = sim.weights(0);
    ASSERT_EQ(w.size(), synapses.size());
    const long last = sim.current_step() - 1;
    std::size_t changed = 0, at_a_bound = 0;
    for (std::size_t k = 0; k < synapses.size(); ++k) {
        const auto& syn = synapses[k];
        const double expected = replay(spec.projections[0].synapse, syn.weight, steps_of_neuron[syn.source],
                                       steps_of_neuron[syn.target], syn.delay_steps, last);
        // Sums of up to ~100 exponentials in another order, with clipping in between:
        // 1e-12 of w_max allows ~1e3 ulps of w_max.
        ASSERT_NEAR(w[k], expected, 1e-12 * 0.3) << "synapse " << k;
        changed += w[k] != static_cast<double>(syn.weight);
        at_a_bound += w[k] == 0.0 || w[k] == 0.3;
    }
    EXPECT_GT(changed, synapses.size() * 9 / 10);
    std::printf("triplet network: %zu synapses, %zu changed, %zu at a bound, %zu post spikes\n", synapses.size(), changed,
                at_a_bound, trains.ids.size());
}

// The same weights and spikes for the same seed, for 1 and 3 shards, 1 and 2 threads,
// and a run split in two with a weight read in between.
TEST(StdpTriplet, DeterministicForAnyDecomposition) {
    const NetworkSpec spec = plastic_network(300.0);
    auto run = [&](std::size_t shards, std::size_t threads, bool split) {
        Simulator sim(spec, BuildOptions{shards, 0.0, threads});
        if (split) {
            sim.run(137.3);
            (void)sim.weights(0);
            sim.run(300.0 - 137.3);
        } else {
            sim.run();
        }
        return std::make_pair(sim.weights(0), sim.spike_counts());
    };
    const auto reference = run(1, 1, false);
    EXPECT_EQ(run(1, 1, false), reference);  // determinism
    EXPECT_EQ(run(3, 1, false), reference);
    EXPECT_EQ(run(2, 2, false), reference);
    EXPECT_EQ(run(3, 2, true), reference);
}

// Each bad parameter gives a ValueError whose key names it.
TEST(StdpTriplet, BadParametersAreRefusedNamingTheKey) {
    auto key_of = [](const std::function<void(NetworkSpec&)>& change) -> std::string {
        NetworkSpec spec = plastic_network(10.0);
        change(spec);
        try {
            Simulator sim(spec);
        } catch (const ValueError& e) {
            return e.key();
        }
        return "no error";
    };
    auto rule = [](NetworkSpec& s) -> models::TripletRule& { return s.projections[0].synapse.triplet; };
    EXPECT_EQ(key_of([](NetworkSpec&) {}), "no error");
    EXPECT_EQ(key_of([&](NetworkSpec& s) { rule(s).tau_plus = 0.0; }), "projection[0].synapse.timing.tau_plus");
    EXPECT_EQ(key_of([&](NetworkSpec& s) { rule(s).tau_x = -1.0; }), "projection[0].synapse.timing.tau_x");
    EXPECT_EQ(key_of([&](NetworkSpec& s) { rule(s).tau_minus = NAN; }), "projection[0].synapse.timing.tau_minus");
    EXPECT_EQ(key_of([&](NetworkSpec& s) { rule(s).tau_y = INFINITY; }), "projection[0].synapse.timing.tau_y");
    EXPECT_EQ(key_of([&](NetworkSpec& s) { rule(s).A2_plus = -1e-3; }), "projection[0].synapse.timing.A2_plus");
    EXPECT_EQ(key_of([&](NetworkSpec& s) { rule(s).A3_plus = NAN; }), "projection[0].synapse.timing.A3_plus");
    EXPECT_EQ(key_of([&](NetworkSpec& s) { rule(s).A2_minus = -1.0; }), "projection[0].synapse.timing.A2_minus");
    EXPECT_EQ(key_of([&](NetworkSpec& s) { rule(s).A3_minus = -1.0; }), "projection[0].synapse.timing.A3_minus");
    EXPECT_EQ(key_of([&](NetworkSpec& s) {
                  s.projections[0].synapse.weight_dependence.kind = models::WeightDependenceKind::multiplicative;
              }),
              "projection[0].synapse.weight_dependence");
    EXPECT_EQ(key_of([&](NetworkSpec& s) { s.projections[0].synapse.weight_dependence.w_max = 0.2; }),
              "projection[0].weight");
    // The message names the field, the rule and the value.
    try {
        NetworkSpec spec = plastic_network(10.0);
        rule(spec).tau_y = -5.0;
        Simulator sim(spec);
        FAIL() << "no error";
    } catch (const ValueError& e) {
        EXPECT_STREQ(e.what(), "projection[0].synapse.timing.tau_y: triplet rule tau_y must be > 0 ms, got -5");
    }
}

TEST(StdpTriplet, ModelFileTimingTable) {
    const std::string head(stdp_test::kModelFileHead);
    const NetworkSpec spec = parse_model_text(
        head + R"(synapse = { type = "stdp", timing = { type = "triplet", tau_plus = 16.8, tau_x = 101.0, tau_minus = 33.7, tau_y = 114.0, A2_plus = 0.0, A3_plus = 6.5e-3, A2_minus = 7.1e-3, A3_minus = 0.0 }, weight_dependence = { type = "additive", w_min = 0.0, w_max = 0.01 } }
)",
        "m.toml");
    const SynapseSpec& s = spec.projections[0].synapse;
    EXPECT_EQ(s.kind, SynapseSpec::Kind::stdp);
    EXPECT_EQ(s.timing_kind, models::StdpTimingKind::triplet);
    EXPECT_EQ(s.triplet.tau_plus, 16.8);
    EXPECT_EQ(s.triplet.tau_x, 101.0);
    EXPECT_EQ(s.triplet.tau_minus, 33.7);
    EXPECT_EQ(s.triplet.tau_y, 114.0);
    EXPECT_EQ(s.triplet.A2_plus, 0.0);
    EXPECT_EQ(s.triplet.A3_plus, 6.5e-3);
    EXPECT_EQ(s.triplet.A2_minus, 7.1e-3);
    EXPECT_EQ(s.triplet.A3_minus, 0.0);
    EXPECT_EQ(s.weight_dependence.w_max, 0.01);
    Simulator sim(spec);
    sim.run();
    EXPECT_EQ(sim.weights(0).size(), 6u);
    // Left-out keys take NEST's defaults.
    const NetworkSpec defaults = parse_model_text(
        head + R"(synapse = { type = "stdp", timing = { type = "triplet" }, weight_dependence = { type = "additive", w_max = 0.01 } }
)",
        "m.toml");
    EXPECT_EQ(defaults.projections[0].synapse.triplet.tau_y, 125.0);
    EXPECT_EQ(defaults.projections[0].synapse.triplet.A3_plus, 6.2e-3);

    auto message = [&](const std::string& synapse) -> std::string {
        try {
            Simulator sim(parse_model_text(head + synapse + "\n", "m.toml"));
        } catch (const UserError& e) {
            return e.what();
        }
        return "no error";
    };
    auto expect_contains = [](const std::string& text, const std::string& part) {
        EXPECT_NE(text.find(part), std::string::npos) << text;
    };
    const std::string additive = R"(weight_dependence = { type = "additive", w_max = 0.01 })";
    expect_contains(message(R"(synapse = { type = "stdp", timing = { type = "triplet", A_plus = 0.01 }, )" + additive + " }"),
                    "A_plus");
    expect_contains(message(R"(synapse = { type = "stdp", timing = { type = "triplet", A_plus = 0.01 }, )" + additive + " }"),
                    "m.toml:19:");
    expect_contains(message(R"(synapse = { type = "stdp", timing = { type = "triplet", tau_y = -2.0 }, )" + additive + " }"),
                    "projection[0].synapse.timing.tau_y: triplet rule tau_y must be > 0 ms, got -2");
    expect_contains(message(R"(synapse = { type = "stdp", timing = { type = "triplet" }, weight_dependence = { type = "gutig", w_max = 0.01 } })"),
                    "projection[0].synapse.weight_dependence: the triplet rule changes weights by amounts in weight units");
}
