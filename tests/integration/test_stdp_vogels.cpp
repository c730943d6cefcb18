// Inhibitory spike-timing-dependent plasticity of Vogels, Sprekeler et al. (2011; NEST
// vogels_sprekeler_synapse; docs/plasticity.md): the pair window and the constant
// depression against their closed forms, a population driven by Poisson excitation whose
// plastic inhibition brings it to the target rate from above and from below, invariance
// under decomposition, the model file, and the error for each bad parameter.

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

#include "neurodyn/core/error.hpp"
#include "neurodyn/engine/simulator.hpp"
#include "integration/stdp_pairs.hpp"
#include "neurodyn/io/model_file.hpp"

using namespace neurodyn;

namespace {

constexpr double kDt = 0.1;
constexpr double kDelay = 1.0;       // ms, the plastic projection's (dendritic) delay
constexpr double kDriveDelay = 1.0;  // ms, driver -> post

SynapseSpec vogels_synapse(double eta, double tau, double rho0, double w_min, double w_max) {
    SynapseSpec s;
    s.kind = SynapseSpec::Kind::stdp;
    s.timing_kind = models::StdpTimingKind::vogels_sprekeler;
    s.vogels_sprekeler = {tau, eta, rho0};
    s.weight_dependence.kind = models::WeightDependenceKind::additive;
    s.weight_dependence.w_min = w_min;
    s.weight_dependence.w_max = w_max;
    return s;
}

// The forced-timing pairs network of stdp_pairs.hpp with this file's constants.
NetworkSpec pairs_network(const std::vector<std::vector<double>>& pre_times,
                          const std::vector<std::vector<double>>& post_times, const SynapseSpec& synapse, double w0,
                          double duration) {
    return stdp_test::stdp_pairs_network(pre_times, post_times, synapse, duration, {kDt, kDelay, kDriveDelay, w0, 50.0});
}

}  // namespace

// One pre spike and one post spike per synapse at Δt = t_post + d - t_pre from -60 to
// +60 ms: the symmetric window eta exp(-|Δt|/tau) on top of the constant depression
// -eta alpha of the one presynaptic spike (Δt = 0: no pair, as in NEST).
TEST(StdpVogels, SymmetricWindowAndConstantDepressionMatchTheClosedForm) {
    const double eta = 0.01, tau = 20.0, rho0 = 5.0, w0 = 0.5;  // mV; w0 exact in float
    const SynapseSpec s = vogels_synapse(eta, tau, rho0, 0.0, 1.0);
    std::vector<long> offsets;  // Δt in steps
    for (long k = -600; k <= 600; k += 20) offsets.push_back(k);
    const double t_pre = 100.0;
    std::vector<std::vector<double>> pre, post;
    for (long k : offsets) {
        pre.push_back({t_pre});
        post.push_back({t_pre + k * kDt - kDelay});
    }
    Simulator sim(pairs_network(pre, post, s, w0, 200.0));
    sim.run();
    const auto w = sim.weights(0);
    ASSERT_EQ(w.size(), offsets.size());
    const double alpha = 2.0 * rho0 * tau * 1e-3;
    EXPECT_DOUBLE_EQ(s.vogels_sprekeler.alpha(), 0.2);  // 2 x 5 Hz x 20 ms
    for (std::size_t i = 0; i < offsets.size(); ++i) {
        const double delta_t = static_cast<double>(offsets[i]) * kDt;
        const double expected = w0 - eta * alpha + (offsets[i] != 0 ? eta * std::exp(-std::abs(delta_t) / tau) : 0.0);
        // One exp and two additions: 1e-15 of w_max is a few ulps.
        EXPECT_NEAR(w[i], expected, 4e-16) << "dt=" << delta_t;
    }
    // Symmetric: the same change for +Δt and -Δt.
    for (std::size_t i = 0; i < offsets.size() / 2; ++i) EXPECT_NEAR(w[i], w[offsets.size() - 1 - i], 4e-16);
    // Negative bounds (NEST's negative Wmax, inhibition onto current-based neurons): the
    // magnitude follows the same rule, so every weight is the mirror image.
    Simulator negative(pairs_network(pre, post, vogels_synapse(eta, tau, rho0, -1.0, 0.0), -w0, 200.0));
    negative.run();
    const auto w_negative = negative.weights(0);
    for (std::size_t i = 0; i < offsets.size(); ++i) EXPECT_EQ(w_negative[i], -w[i]) << i;
}

namespace {

constexpr std::size_t kExcitatory = 100;
constexpr std::size_t kInhibitory = 800;         // Poisson sources
constexpr std::size_t kInhibitoryInDegree = 400;  // plastic inhibitory synapses per neuron
constexpr double kInhibitoryRate = 10.0;          // Hz
constexpr double kTarget = 5.0;                   // Hz, rho0
constexpr double kDuration = 40000.0;             // ms
constexpr double kMeasured = 20000.0;             // ms, the last part, where the rate is measured

// The bound of the inhibitory weights' magnitude: a few times the weight that balances the drive.
double weight_bound(const std::string& model) { return (model == "IF_cond_exp" ? 0.3 : 1.0) * 50.0 / kInhibitoryInDegree; }

// kExcitatory neurons of `model` driven by Poisson excitation (alone they fire at ~30-40
// Hz), each receiving kInhibitoryInDegree plastic inhibitory synapses from Poisson sources.
NetworkSpec balance_network(const std::string& model, double w0, double duration_ms) {
    NetworkSpec spec;
    spec.simulation = {kDt, duration_ms, 2011};
    const bool conductance = model == "IF_cond_exp";
    spec.populations = {
        {"E", model, kExcitatory, {}, {{"v", Distribution::uniform(-65.0, -55.0)}}, {}},
        {"I", "SpikeSourcePoisson", kInhibitory, {{"rate", kInhibitoryRate}}, {}, {}},
    };
    ProjectionSpec ie;
    ie.source = "I";
    ie.target = "E";
    ie.receptor = "inhibitory";
    ie.connector.kind = ConnectorSpec::Kind::fixed_number_pre;
    ie.connector.number = kInhibitoryInDegree;
    ie.weight = w0;
    ie.delay = 1.0;
    // eta = 1% of the bound: the weights settle within ~15 s from either side.
    // Conductances are >= 0; inhibitory currents < 0 (NEST's negative Wmax).
    const double bound = weight_bound(model);
    ie.synapse = conductance ? vogels_synapse(0.01 * bound, 20.0, kTarget, 0.0, bound)
                             : vogels_synapse(0.01 * bound, 20.0, kTarget, -bound, 0.0);
    spec.projections = {ie};
    StimulusSpec drive;
    drive.kind = StimulusSpec::Kind::poisson;
    drive.target = "E";
    drive.rate = 10000.0;
    drive.weight = conductance ? 0.0015 : 0.025;
    spec.stimuli = {drive};
    return spec;
}

struct Rates {
    double first_hz;     // population mean rate over the first 2 s
    double measured_hz;  // over the last kMeasured ms
};

Rates run_balance(const std::string& model, double w0) {
    Simulator sim(balance_network(model, w0, kDuration));
    sim.run(2000.0);
    const std::uint64_t first = sim.spike_counts()[0];
    sim.run(kDuration - kMeasured - 2000.0);
    const std::uint64_t before = sim.spike_counts()[0];
    sim.run(kMeasured);
    const std::uint64_t last = sim.spike_counts()[0] - before;
    return {static_cast<double>(first) / kExcitatory / 2.0, static_cast<double>(last) / kExcitatory / (kMeasured * 1e-3)};
}

}  // namespace

// Vogels et al. (2011) fig. 1: plastic inhibition brings the rate of neurons driven by
// excitation to rho0 = 5 Hz, from above (no inhibition at first: ~30-40 Hz) and from
// below (strong inhibition at first: < 1 Hz), for current- and conductance-based neurons.
//
// Tolerance 0.5 Hz (10%): (a) Poisson counting noise of the measured rate: ~10^4 spikes
// in the last 20 s, 4 sigma = 4%, 0.2 Hz; (b) the fixed point lies above rho0 because
// each inhibitory spike lowers the postsynaptic rate just after it, removing pairs that
// the rule counts (a bias proportional to one synapse's weight, 1/K: measured ~0.8 Hz
// with K = 50 synapses per neuron, so ~0.1 Hz with K = 400); (c) the population rate
// still wanders with the weights (shared sources): ~0.3 Hz in 2 s windows, ~0.1 Hz over 20 s.
TEST(StdpVogels, PlasticInhibitionBringsTheRateToTheTarget) {
    for (const std::string model : {"IF_curr_exp", "IF_cond_exp"}) {
        const double bound = weight_bound(model);
        const double sign = model == "IF_cond_exp" ? 1.0 : -1.0;
        const Rates from_above = run_balance(model, 0.0);
        const Rates from_below = run_balance(model, sign * 0.5 * bound);
        std::printf("%s: from above %.2f Hz (first 2 s) -> %.3f Hz (last 20 s); from below %.2f Hz -> %.3f Hz\n",
                    model.c_str(), from_above.first_hz, from_above.measured_hz, from_below.first_hz, from_below.measured_hz);
        // The starts are far from the target (so the test would notice a frozen rule).
        EXPECT_GT(from_above.first_hz, 4.0 * kTarget) << model;
        EXPECT_LT(from_below.first_hz, 0.2 * kTarget) << model;
        EXPECT_NEAR(from_above.measured_hz, kTarget, 0.5) << model;
        EXPECT_NEAR(from_below.measured_hz, kTarget, 0.5) << model;
    }
}

// The same weights and spikes for the same seed, for 1 and 3 shards, 1 and 2 threads,
// and a run split in two with a weight read in between.
TEST(StdpVogels, DeterministicForAnyDecomposition) {
    const NetworkSpec spec = balance_network("IF_curr_exp", 0.0, 1000.0);
    auto run = [&](std::size_t shards, std::size_t threads, bool split) {
        Simulator sim(spec, BuildOptions{shards, 0.0, threads});
        if (split) {
            sim.run(437.3);
            (void)sim.weights(0);
            sim.run(1000.0 - 437.3);
        } else {
            sim.run();
        }
        return std::make_pair(sim.weights(0), sim.spike_counts());
    };
    const auto reference = run(1, 1, false);
    EXPECT_NE(reference.first, std::vector<double>(reference.first.size(), 0.0));  // the weights moved
    EXPECT_EQ(run(1, 1, false), reference);  // determinism
    EXPECT_EQ(run(3, 1, false), reference);
    EXPECT_EQ(run(2, 2, false), reference);
    EXPECT_EQ(run(3, 2, true), reference);
}

// Each bad parameter gives a ValueError whose key names it.
TEST(StdpVogels, BadParametersAreRefusedNamingTheKey) {
    auto key_of = [](const std::function<void(NetworkSpec&)>& change) -> std::string {
        NetworkSpec spec = balance_network("IF_curr_exp", -0.01, 10.0);
        change(spec);
        try {
            Simulator sim(spec);
        } catch (const ValueError& e) {
            return e.key();
        }
        return "no error";
    };
    auto syn = [](NetworkSpec& s) -> SynapseSpec& { return s.projections[0].synapse; };
    EXPECT_EQ(key_of([](NetworkSpec&) {}), "no error");
    EXPECT_EQ(key_of([&](NetworkSpec& s) { syn(s).vogels_sprekeler.tau = 0.0; }), "projection[0].synapse.timing.tau");
    EXPECT_EQ(key_of([&](NetworkSpec& s) { syn(s).vogels_sprekeler.eta = -1e-3; }), "projection[0].synapse.timing.eta");
    EXPECT_EQ(key_of([&](NetworkSpec& s) { syn(s).vogels_sprekeler.rho0 = NAN; }), "projection[0].synapse.timing.rho0");
    EXPECT_EQ(key_of([&](NetworkSpec& s) { syn(s).weight_dependence.kind = models::WeightDependenceKind::gutig; }),
              "projection[0].synapse.weight_dependence");
    // Bounds that straddle 0, or are inverted.
    EXPECT_EQ(key_of([&](NetworkSpec& s) { syn(s).weight_dependence.w_max = 0.1; }),
              "projection[0].synapse.weight_dependence.w_min");
    EXPECT_EQ(key_of([&](NetworkSpec& s) { syn(s).weight_dependence.w_min = 0.5; }),
              "projection[0].synapse.weight_dependence.w_min");
    EXPECT_EQ(key_of([&](NetworkSpec& s) { syn(s).weight_dependence.w_max = INFINITY; }),
              "projection[0].synapse.weight_dependence.w_max");
    // An initial weight outside the bounds.
    EXPECT_EQ(key_of([&](NetworkSpec& s) { s.projections[0].weight = 0.01; }), "projection[0].weight");
    // Conductances must be >= 0: negative bounds onto IF_cond_exp are refused with the weight.
    EXPECT_EQ(key_of([&](NetworkSpec& s) { s.populations[0].model = "IF_cond_exp"; }), "projection[0].weight");
    try {
        NetworkSpec spec = balance_network("IF_curr_exp", -0.01, 10.0);
        syn(spec).vogels_sprekeler.rho0 = -5.0;
        Simulator sim(spec);
        FAIL() << "no error";
    } catch (const ValueError& e) {
        EXPECT_STREQ(e.what(), "projection[0].synapse.timing.rho0: vogels_sprekeler rule rho0 must be a finite rate >= 0 Hz, got -5");
    }
}

TEST(StdpVogels, ModelFileTimingTable) {
    const std::string head = R"(
[simulation]
dt = 0.1
duration = 10.0
[[population]]
name = "a"
model = "SpikeSourcePoisson"
size = 3
params = { rate = 20.0 }
[[population]]
name = "b"
model = "IF_curr_exp"
size = 2
[[projection]]
source = "a"
target = "b"
receptor = "inhibitory"
weight = -0.1
connector = { type = "all_to_all" }
)";
    const NetworkSpec spec = parse_model_text(
        head + R"(synapse = { type = "stdp", timing = { type = "vogels_sprekeler", tau = 20.0, eta = 0.01, rho0 = 3.0 }, weight_dependence = { type = "additive", w_min = -1.0, w_max = 0.0 } }
)",
        "m.toml");
    const SynapseSpec& s = spec.projections[0].synapse;
    EXPECT_EQ(s.timing_kind, models::StdpTimingKind::vogels_sprekeler);
    EXPECT_EQ(s.vogels_sprekeler.tau, 20.0);
    EXPECT_EQ(s.vogels_sprekeler.eta, 0.01);
    EXPECT_EQ(s.vogels_sprekeler.rho0, 3.0);
    EXPECT_DOUBLE_EQ(s.vogels_sprekeler.alpha(), 0.12);  // NEST's default alpha: 2 x 3 Hz x 20 ms
    EXPECT_EQ(s.weight_dependence.w_min, -1.0);
    Simulator sim(spec);
    sim.run();
    EXPECT_EQ(sim.weights(0).size(), 6u);

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
    const std::string bounds = R"(weight_dependence = { type = "additive", w_min = -1.0, w_max = 0.0 })";
    expect_contains(message(R"(synapse = { type = "stdp", timing = { type = "vogels_sprekeler", alpha = 0.12 }, )" + bounds + " }"),
                    "alpha");
    expect_contains(message(R"(synapse = { type = "stdp", timing = { type = "vogels_sprekeler", alpha = 0.12 }, )" + bounds + " }"),
                    "m.toml:20:");
    expect_contains(message(R"(synapse = { type = "stdp", timing = { type = "vogels_sprekeler", tau = -1.0 }, )" + bounds + " }"),
                    "projection[0].synapse.timing.tau: vogels_sprekeler rule tau must be > 0 ms, got -1");
    expect_contains(message(R"(synapse = { type = "stdp", timing = { type = "vogels_sprekeler" }, weight_dependence = { type = "additive", w_min = -1.0, w_max = 1.0 } })"),
                    "must not straddle 0");
}
