// Spike-timing-dependent plasticity (docs/plasticity.md): the window of one spike pair
// against its analytic curve for every weight dependence and pairing scheme, triplets
// that separate all-to-all from nearest-neighbour pairing, bounds, a network against a
// brute-force replay of its recorded spikes, invariance under decomposition, reading
// and setting weights, and the error for each bad parameter.
//
// Spike times are forced: presynaptic SpikeSourceArrays, and postsynaptic IF_curr_delta
// neurons without leak that a separate static input (a 100 mV jump from a second
// SpikeSourceArray) makes fire in the step it arrives; the plastic input (weights <=
// 0.01 mV, a few spikes) stays far below the 1 mV threshold and never adds a spike.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
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
constexpr double kW0 = 0.005;        // mV, initial weight (its float is used below)

SynapseSpec stdp_synapse(models::WeightDependenceKind kind, models::SpikePairing pairing, double A_plus = 0.01,
                         double A_minus = 0.012) {
    SynapseSpec s;
    s.kind = SynapseSpec::Kind::stdp;
    s.timing.tau_plus = 16.8;
    s.timing.tau_minus = 33.7;
    s.timing.A_plus = A_plus;
    s.timing.A_minus = A_minus;
    s.timing.pairing = pairing;
    s.weight_dependence.kind = kind;
    s.weight_dependence.w_min = 0.0;
    s.weight_dependence.w_max = 0.01;
    s.weight_dependence.mu_plus = 0.4;
    s.weight_dependence.mu_minus = 0.7;
    return s;
}

// The forced-timing pairs network of stdp_pairs.hpp with this file's constants.
NetworkSpec pairs_network(const std::vector<std::vector<double>>& pre_times,
                          const std::vector<std::vector<double>>& post_times, const SynapseSpec& synapse, double duration) {
    return stdp_test::stdp_pairs_network(pre_times, post_times, synapse, duration, {kDt, kDelay, kDriveDelay, kW0, 1.0});
}

double facilitate(const SynapseSpec& s, double w, double amount) { return s.weight_dependence.facilitate(w, amount); }
double depress(const SynapseSpec& s, double w, double amount) { return s.weight_dependence.depress(w, amount); }

// Independent reference: the weight after replaying every pairing in time order at the
// synapse, with the traces as sums over spikes (all-to-all) or the nearest spike.
// Post spikes reach the synapse kDelay after they are emitted; one that arrives in the
// step of a presynaptic spike is applied before it and is not paired with it (Δt = 0).
double replay(const SynapseSpec& s, double w, std::vector<long> pre_steps, std::vector<long> post_steps, long delay_steps,
              long last_step) {
    struct Event {
        long step;
        int order;  // 0: post arrival, 1: pre spike (arrivals first in a step)
    };
    std::vector<Event> events;
    for (long t : pre_steps) events.push_back({t, 1});
    for (long t : post_steps)
        if (t + delay_steps <= last_step) events.push_back({t + delay_steps, 0});
    std::stable_sort(events.begin(), events.end(),
                     [](const Event& a, const Event& b) { return a.step != b.step ? a.step < b.step : a.order < b.order; });
    const bool nearest = s.timing.pairing == models::SpikePairing::nearest_symmetric;
    for (const Event& e : events) {
        double trace = 0.0;
        if (e.order == 0) {  // potentiation by earlier presynaptic spikes
            for (long t : pre_steps)
                if (t < e.step) trace = nearest ? std::exp(-(e.step - t) * kDt / s.timing.tau_plus)
                                                : trace + std::exp(-(e.step - t) * kDt / s.timing.tau_plus);
            if (trace > 0) w = facilitate(s, w, s.timing.A_plus * trace);
        } else {  // depression by earlier postsynaptic arrivals
            for (long t : post_steps)
                if (t + delay_steps < e.step)
                    trace = nearest ? std::exp(-(e.step - t - delay_steps) * kDt / s.timing.tau_minus)
                                    : trace + std::exp(-(e.step - t - delay_steps) * kDt / s.timing.tau_minus);
            if (trace > 0) w = depress(s, w, s.timing.A_minus * trace);
        }
    }
    return w;
}

long step_of(double t_ms) { return std::lround(t_ms / kDt) - 1; }  // a spike stamped t was emitted in this step

const std::vector<models::WeightDependenceKind> kKinds{models::WeightDependenceKind::additive,
                                                       models::WeightDependenceKind::multiplicative,
                                                       models::WeightDependenceKind::gutig};
const std::vector<models::SpikePairing> kPairings{models::SpikePairing::all_to_all,
                                                  models::SpikePairing::nearest_symmetric};

}  // namespace

// One pair per synapse, Δt = t_post + d - t_pre from -100 to 100 ms in 1 ms steps
// (2 ms apart from 10 ms on): the weight change equals the closed form
//   Δt > 0: facilitate(w0, A_plus e^{-Δt/tau_plus}),  Δt < 0: depress(w0, A_minus e^{Δt/tau_minus}),  0: none.
TEST(Stdp, WindowOfOnePairMatchesTheClosedForm) {
    std::vector<long> offsets;  // Δt in steps
    for (long k = -1000; k <= 1000; k += 10) offsets.push_back(k);
    const double t_pre = 120.0;
    std::vector<std::vector<double>> pre, post;
    for (long k : offsets) {
        pre.push_back({t_pre});
        post.push_back({t_pre + k * kDt - kDelay});
    }
    for (auto kind : kKinds)
        for (auto pairing : kPairings) {
            const SynapseSpec s = stdp_synapse(kind, pairing);
            Simulator sim(pairs_network(pre, post, s, 240.0));
            SpikeRecorder spikes(sim, true);
            sim.add_observer(&spikes);
            sim.run();
            // The post neurons fired exactly when driven, once each.
            const SpikeTrains& fired = spikes.spikes("post");
            ASSERT_EQ(fired.ids.size(), offsets.size());
            for (std::size_t k = 0; k < fired.ids.size(); ++k)
                EXPECT_EQ(step_of(fired.times_ms[k]), step_of(post[fired.ids[k]][0]));
            const auto w = sim.weights(0);
            ASSERT_EQ(w.size(), offsets.size());
            const double w0 = static_cast<float>(kW0);
            for (std::size_t i = 0; i < offsets.size(); ++i) {
                const double delta_t = static_cast<double>(offsets[i]) * kDt;
                const double expected = delta_t > 0   ? facilitate(s, w0, s.timing.A_plus * std::exp(-delta_t / s.timing.tau_plus))
                                        : delta_t < 0 ? depress(s, w0, s.timing.A_minus * std::exp(delta_t / s.timing.tau_minus))
                                                      : w0;
                // Double rounding of one exp and one multiply-add: 1e-12 of w_max is ~1e5 ulps.
                EXPECT_NEAR(w[i], expected, 1e-12 * s.weight_dependence.w_max)
                    << models::weight_dependence_name(kind) << " " << models::spike_pairing_name(pairing) << " dt=" << delta_t;
            }
            // The curve has its shape: potentiation for Δt > 0, depression for Δt < 0.
            EXPECT_GT(w[offsets.size() / 2 + 1], w0);
            EXPECT_LT(w[offsets.size() / 2 - 1], w0);
            EXPECT_EQ(w[offsets.size() / 2], w0);
        }
}

// pre-pre-post and post-post-pre triplets: all-to-all pairs the lone spike with both
// others, nearest-neighbour only with the nearer one (Morrison et al. 2008, fig. 7A).
TEST(Stdp, TripletsSeparateAllToAllFromNearestNeighbour) {
    const double a = 50.0, b = 60.0, c = 75.0;  // ms, arrival times at the synapse
    // synapse 0: pre a, pre b, post arrives c;  synapse 1: post arrives a, post arrives b, pre c
    const std::vector<std::vector<double>> pre{{a, b}, {c}};
    const std::vector<std::vector<double>> post{{c - kDelay}, {a - kDelay, b - kDelay}};
    for (auto pairing : kPairings) {
        const SynapseSpec s = stdp_synapse(models::WeightDependenceKind::additive, pairing);
        Simulator sim(pairs_network(pre, post, s, 100.0));
        sim.run();
        const auto w = sim.weights(0);
        const double w0 = static_cast<float>(kW0), w_max = s.weight_dependence.w_max;
        const double near_plus = std::exp(-(c - b) / s.timing.tau_plus), far_plus = std::exp(-(c - a) / s.timing.tau_plus);
        const double near_minus = std::exp(-(c - b) / s.timing.tau_minus), far_minus = std::exp(-(c - a) / s.timing.tau_minus);
        const bool all = pairing == models::SpikePairing::all_to_all;
        // Additive: Δw = ±A w_max x (sum of the paired exponentials); rounding as above.
        EXPECT_NEAR(w[0], w0 + s.timing.A_plus * w_max * (all ? near_plus + far_plus : near_plus), 1e-12 * w_max);
        EXPECT_NEAR(w[1], w0 - s.timing.A_minus * w_max * (all ? near_minus + far_minus : near_minus), 1e-12 * w_max);
    }
}

// Trains of many pairs: the weights stay in [w_min, w_max] and reach the bound that the
// additive rule drives them to; a replay of every pairing gives the same weights.
TEST(Stdp, WeightsStayWithinTheBounds) {
    // Pairs 40 ms apart, 3 ms within a pair: the pair's own pairing dominates.
    std::vector<double> pre_up, post_up, pre_down, post_down;
    for (int k = 0; k < 25; ++k) {
        pre_up.push_back(10.0 + 40.0 * k);
        post_up.push_back(10.0 + 40.0 * k + 3.0 - kDelay);  // pre leads by 3 ms: potentiation
        pre_down.push_back(10.0 + 40.0 * k + 3.0);
        post_down.push_back(10.0 + 40.0 * k - kDelay);  // post leads: depression
    }
    for (auto kind : kKinds) {
        SynapseSpec s = stdp_synapse(kind, models::SpikePairing::all_to_all, 0.3, 0.3);
        s.weight_dependence.w_min = 0.001;
        Simulator sim(pairs_network({pre_up, pre_down}, {post_up, post_down}, s, 1020.0));
        sim.run();
        const auto w = sim.weights(0);
        for (double x : w) {
            EXPECT_GE(x, s.weight_dependence.w_min);
            EXPECT_LE(x, s.weight_dependence.w_max);
        }
        if (kind == models::WeightDependenceKind::additive) {
            EXPECT_EQ(w[0], s.weight_dependence.w_max);  // clipped exactly
            EXPECT_EQ(w[1], s.weight_dependence.w_min);
        }
        const long d = std::lround(kDelay / kDt), last = std::lround(1020.0 / kDt) - 1;
        auto steps = [](const std::vector<double>& times) {
            std::vector<long> out;
            for (double t : times) out.push_back(step_of(t));
            return out;
        };
        const double w0 = static_cast<float>(kW0);
        // Sums of up to 40 exponentials in another order than the engine's recursive trace.
        EXPECT_NEAR(w[0], replay(s, w0, steps(pre_up), steps(post_up), d, last), 1e-12 * s.weight_dependence.w_max);
        EXPECT_NEAR(w[1], replay(s, w0, steps(pre_down), steps(post_down), d, last), 1e-12 * s.weight_dependence.w_max);
    }
}

namespace {

// A recurrent excitatory network with Poisson input, STDP on E -> E with heterogeneous
// delays and multapses, plus a static inhibitory projection.
NetworkSpec plastic_network(models::WeightDependenceKind kind, models::SpikePairing pairing, double duration = 400.0) {
    NetworkSpec spec;
    spec.simulation = {kDt, duration, 42};
    spec.populations = {
        {"E", "IF_curr_exp", 60, {{"tau_refrac", 2.0}}, {{"v", Distribution::uniform(-65.0, -55.0)}}, {}},
        {"I", "IF_curr_exp", 15, {}, {}, {}},
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
    ee.synapse = stdp_synapse(kind, pairing, 0.02, 0.021);
    ee.synapse.weight_dependence.w_max = 0.3;
    ProjectionSpec ei;
    ei.source = "E";
    ei.target = "I";
    ei.connector.kind = ConnectorSpec::Kind::fixed_probability;
    ei.connector.probability = 0.2;
    ei.weight = 0.3;
    ProjectionSpec ie = ei;
    ie.source = "I";
    ie.target = "E";
    ie.receptor = "inhibitory";
    ie.weight = 0.4;
    spec.projections = {ee, ei, ie};
    StimulusSpec drive;
    drive.kind = StimulusSpec::Kind::poisson;
    drive.target = "E";
    drive.rate = 6000.0;
    drive.weight = 0.12;
    StimulusSpec drive_i = drive;
    drive_i.target = "I";
    spec.stimuli = {drive, drive_i};
    return spec;
}

}  // namespace

// In a network: the engine's weights equal a replay of every recorded pairing (so the
// history pruning loses nothing), and they move (the test would notice a frozen rule).
TEST(Stdp, NetworkWeightsEqualAReplayOfTheRecordedSpikes) {
    for (auto kind : kKinds)
        for (auto pairing : kPairings) {
            const NetworkSpec spec = plastic_network(kind, pairing);
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
            std::size_t changed = 0;
            for (std::size_t k = 0; k < synapses.size(); ++k) {
                const auto& syn = synapses[k];
                const double expected =
                    replay(spec.projections[0].synapse, syn.weight, steps_of_neuron[syn.source], steps_of_neuron[syn.target],
                           syn.delay_steps, last);
                // Sums of up to ~100 exponentials in another order, with nonlinear
                // updates in between: 1e-12 of w_max allows ~1e3 ulps of w_max.
                ASSERT_NEAR(w[k], expected, 1e-12 * 0.3) << "synapse " << k;
                changed += w[k] != static_cast<double>(syn.weight);
            }
            EXPECT_GT(changed, synapses.size() * 9 / 10);
        }
}

// The same weights and spikes for 1 and 3 shards, 1 and 2 threads, and a run split in
// two with a weight read in between (which applies pending potentiation early).
TEST(Stdp, DecompositionAndReadsDoNotChangeTheResult) {
    const NetworkSpec spec = plastic_network(models::WeightDependenceKind::multiplicative, models::SpikePairing::all_to_all, 300.0);
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

TEST(Stdp, SetWeightsReplacesTheWeightsFromNowOn) {
    const NetworkSpec spec = plastic_network(models::WeightDependenceKind::additive, models::SpikePairing::all_to_all, 200.0);
    Simulator a(spec), b(spec, BuildOptions{3, 0.0});
    a.run(100.0);
    b.run(100.0);
    auto w = a.weights(0);
    for (double& x : w) x = 0.3 - x;  // mirrored within [0, 0.3]
    a.set_weights(0, w);
    b.set_weights(0, w);
    EXPECT_EQ(a.weights(0), w);
    a.run(100.0);
    b.run(100.0);
    EXPECT_EQ(a.weights(0), b.weights(0));
    EXPECT_NE(a.weights(0), w);
    // Errors, and nothing changes then.
    const auto before = a.weights(0);
    EXPECT_THROW(a.set_weights(0, std::vector<double>(w.size() + 1, 0.1)), ValueError);
    auto out_of_bounds = before;
    out_of_bounds[3] = 0.31;
    try {
        a.set_weights(0, out_of_bounds);
        FAIL() << "no error";
    } catch (const ValueError& e) {
        EXPECT_NE(std::string(e.what()).find("weight 3 of projection[0] ('EE') must lie in [w_min, w_max] = [0, 0.3], got 0.31"),
                  std::string::npos)
            << e.what();
    }
    EXPECT_THROW(a.set_weights(1, std::vector<double>(a.connections(1).size(), 0.1)), ValueError);  // static
    EXPECT_THROW(a.set_weights(7, w), KeyError);
    EXPECT_EQ(a.weights(0), before);
    // A static projection's weights are its fixed ones.
    EXPECT_EQ(a.weights(1).size(), a.connections(1).size());
    EXPECT_EQ(a.weights(1)[0], a.connections(1)[0].weight);
}

// Each bad parameter gives a ValueError whose key names it.
TEST(Stdp, BadParametersAreRefusedNamingTheKey) {
    auto key_of = [](const std::function<void(NetworkSpec&)>& change) -> std::string {
        NetworkSpec spec = plastic_network(models::WeightDependenceKind::gutig, models::SpikePairing::all_to_all);
        change(spec);
        try {
            Simulator sim(spec);
        } catch (const ValueError& e) {
            return e.key();
        }
        return "no error";
    };
    auto syn = [](NetworkSpec& s) -> SynapseSpec& { return s.projections[0].synapse; };
    EXPECT_EQ(key_of([&](NetworkSpec& s) { syn(s).timing.tau_plus = 0.0; }), "projection[0].synapse.timing.tau_plus");
    EXPECT_EQ(key_of([&](NetworkSpec& s) { syn(s).timing.tau_minus = -1.0; }), "projection[0].synapse.timing.tau_minus");
    EXPECT_EQ(key_of([&](NetworkSpec& s) { syn(s).timing.A_plus = -0.1; }), "projection[0].synapse.timing.A_plus");
    EXPECT_EQ(key_of([&](NetworkSpec& s) { syn(s).timing.A_minus = NAN; }), "projection[0].synapse.timing.A_minus");
    EXPECT_EQ(key_of([&](NetworkSpec& s) { syn(s).weight_dependence.w_max = 0.0; }),
              "projection[0].synapse.weight_dependence.w_max");
    EXPECT_EQ(key_of([&](NetworkSpec& s) { syn(s).weight_dependence.w_min = 0.3; }),
              "projection[0].synapse.weight_dependence.w_min");
    EXPECT_EQ(key_of([&](NetworkSpec& s) { syn(s).weight_dependence.mu_plus = -1.0; }),
              "projection[0].synapse.weight_dependence.mu_plus");
    EXPECT_EQ(key_of([&](NetworkSpec& s) { syn(s).weight_dependence.mu_minus = INFINITY; }),
              "projection[0].synapse.weight_dependence.mu_minus");
    EXPECT_EQ(key_of([&](NetworkSpec& s) { syn(s).dendritic_delay_fraction = 0.5; }),
              "projection[0].synapse.dendritic_delay_fraction");
    EXPECT_EQ(key_of([&](NetworkSpec& s) { s.projections[0].weight = 0.5; }), "projection[0].weight");
    // Drawn weights are checked per synapse when built.
    EXPECT_EQ(key_of([&](NetworkSpec& s) { s.projections[0].weight = Distribution::uniform(0.2, 0.4); }),
              "projection[0].weight");
    // Rate units neither send nor receive spikes.
    EXPECT_EQ(key_of([&](NetworkSpec& s) {
                  s.populations.push_back({"R", "LeakyRate", 5, {}, {}, {}});
                  s.projections[0].target = "R";
                  s.projections[0].receptor = "excitatory";
              }),
              "projection[0].synapse");
}

TEST(Stdp, ModelFileSynapseTable) {
    const std::string head(stdp_test::kModelFileHead);
    const NetworkSpec spec = parse_model_text(head + R"(synapse = { type = "stdp", timing = { type = "spike_pair", tau_plus = 15.0, tau_minus = 30.0, A_plus = 0.02, A_minus = 0.025, pairing = "nearest_symmetric" }, weight_dependence = { type = "gutig", w_min = 0.001, w_max = 0.01, mu_plus = 0.3, mu_minus = 0.6 } }
)",
                                                 "m.toml");
    const SynapseSpec& s = spec.projections[0].synapse;
    EXPECT_EQ(s.kind, SynapseSpec::Kind::stdp);
    EXPECT_EQ(s.timing.tau_plus, 15.0);
    EXPECT_EQ(s.timing.tau_minus, 30.0);
    EXPECT_EQ(s.timing.A_plus, 0.02);
    EXPECT_EQ(s.timing.A_minus, 0.025);
    EXPECT_EQ(s.timing.pairing, models::SpikePairing::nearest_symmetric);
    EXPECT_EQ(s.weight_dependence.kind, models::WeightDependenceKind::gutig);
    EXPECT_EQ(s.weight_dependence.w_min, 0.001);
    EXPECT_EQ(s.weight_dependence.w_max, 0.01);
    EXPECT_EQ(s.weight_dependence.mu_plus, 0.3);
    EXPECT_EQ(s.weight_dependence.mu_minus, 0.6);
    Simulator sim(spec);
    sim.run();
    EXPECT_EQ(sim.weights(0).size(), 6u);

    auto message = [&](const std::string& synapse) -> std::string {
        try {
            parse_model_text(head + synapse + "\n", "m.toml");
        } catch (const UserError& e) {
            return e.what();
        }
        return "no error";
    };
    auto expect_contains = [](const std::string& text, const std::string& part) {
        EXPECT_NE(text.find(part), std::string::npos) << text;
    };
    const std::string additive = R"(weight_dependence = { type = "additive", w_max = 0.01 })";
    expect_contains(message(R"(synapse = { type = "stdp", timing = { type = "spike_pair", pairing = "nearest" }, )" + additive + " }"),
                    "m.toml:19:");
    expect_contains(message(R"(synapse = { type = "stdp", timing = { type = "spike_pair", pairing = "nearest" }, )" + additive + " }"),
                    "projection[0].synapse.timing.pairing: unknown spike pairing 'nearest'");
    expect_contains(message(R"(synapse = { type = "stdp", timing = { type = "spike_pair", tau_plus = -2.0 }, )" + additive + " }"),
                    "projection[0].synapse.timing.tau_plus: SpikePairRule tau_plus must be > 0 ms, got -2");
    expect_contains(message(R"(synapse = { type = "stdp", timing = { type = "spike_pair", tau_plus = -2.0 }, )" + additive + " }"),
                    "m.toml:19:");
    expect_contains(message(R"(synapse = { type = "stdp", timing = { type = "quadruplet" }, )" + additive + " }"),
                    "unknown timing dependence 'quadruplet'");
    expect_contains(message(R"(synapse = { type = "stdp", timing = { type = "spike_pair" } })"),
                    "missing required key 'weight_dependence'");
    expect_contains(message(R"(synapse = { type = "stdp", timing = { type = "spike_pair" }, weight_dependence = { type = "additive", mu_plus = 1.0 } })"),
                    "key 'mu_plus' does not apply to weight dependence 'additive'");
    expect_contains(message(R"(synapse = { type = "stdp", timing = { type = "spike_pair" }, weight_dependence = { type = "additive", w_max = 0.001 } })"),
                    "projection[0].weight: the initial weight 0.004 of an stdp synapse must lie in [w_min, w_max] = [0, 0.001]");
}
