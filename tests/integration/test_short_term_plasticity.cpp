// Tsodyks–Markram synapses (PyNN's TsodyksMarkramSynapse) onto leak-free neurons with
// delta synapses: each arriving spike moves v by exactly w u_n x_n, so the recorded v
// reads back the efficacy of every spike. The reference is the recursion of Markram,
// Wang & Tsodyks (1998), as PyNN and NEST's tsodyks2_synapse define it:
//   u_1 = U, x_1 = 1,
//   u_{n+1} = U + u_n (1 - U) exp(-h/tau_facil),  x_{n+1} = 1 + (x_n - u_n x_n - 1) exp(-h/tau_rec),
// and, for depression alone, its closed form x_n = x_inf + (1 - x_inf) ((1 - U) e)^(n-1)
// with e = exp(-h/tau_rec) and x_inf = (1 - e) / (1 - (1 - U) e).

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "neurodyn/core/error.hpp"
#include "neurodyn/engine/simulator.hpp"
#include "neurodyn/io/model_file.hpp"

using namespace neurodyn;

namespace {

constexpr double kDt = 0.1;
constexpr double kWeight = 0.5;  // mV; exact in float, so only the efficacy is measured

NetworkSpec train_onto_integrators(const std::vector<double>& spike_times, SynapseSpec synapse, std::size_t targets = 1) {
    NetworkSpec spec;
    spec.simulation = {kDt, spike_times.back() + 5.0, 1};
    PopulationSpec source{"pre", "SpikeSourceArray", 1, {}, {}, {spike_times}};
    PopulationSpec target{"post",
                          "IF_curr_delta",
                          targets,
                          {{"v_rest", 0.0}, {"v_reset", -1.0}, {"v_thresh", 1e12}, {"tau_m", 1e15}},
                          {{"v", 0.0}},
                          {}};
    spec.populations = {source, target};
    ProjectionSpec projection;
    projection.source = "pre";
    projection.target = "post";
    projection.connector.kind = ConnectorSpec::Kind::all_to_all;
    projection.weight = kWeight;
    projection.delay = 1.0;
    projection.synapse = synapse;
    spec.projections = {projection};
    return spec;
}

// The jump of v of every target at each spike's arrival (spike time + 1 ms delay).
std::vector<std::vector<double>> measured_jumps(const NetworkSpec& spec, const std::vector<double>& spike_times,
                                                std::size_t shards = 1) {
    Simulator sim(spec, BuildOptions{shards, 0.0});
    std::vector<std::vector<double>> jumps;
    double now = 0.0;
    std::vector<double> before;
    for (const double t : spike_times) {
        const double arrival = t + 1.0;
        // Run to just before the arrival step ends, then across it.
        sim.run(arrival - kDt - now);
        before = sim.get_state("post", "v");
        sim.run(kDt);
        now = arrival;
        const auto after = sim.get_state("post", "v");
        std::vector<double> row(after.size());
        for (std::size_t i = 0; i < after.size(); ++i) row[i] = (after[i] - before[i]) / kWeight;
        jumps.push_back(row);
    }
    return jumps;
}

std::vector<double> recursion(const std::vector<double>& spike_times, const SynapseSpec& s) {
    std::vector<double> efficacy;
    long double u = s.U, x = 1.0L;
    for (std::size_t n = 0; n < spike_times.size(); ++n) {
        if (n > 0) {
            const long double h = spike_times[n] - spike_times[n - 1];
            const long double facilitation = s.tau_facil > 0 ? std::exp(-h / s.tau_facil) : 0.0L;
            const long double u_next = s.U + u * (1.0L - s.U) * facilitation;
            x = 1.0L + (x - u * x - 1.0L) * std::exp(-h / s.tau_rec);
            u = u_next;
        }
        efficacy.push_back(static_cast<double>(u * x));
    }
    return efficacy;
}

SynapseSpec tsodyks_markram(double U, double tau_rec, double tau_facil) {
    SynapseSpec s;
    s.kind = SynapseSpec::Kind::tsodyks_markram;
    s.U = U;
    s.tau_rec = tau_rec;
    s.tau_facil = tau_facil;
    return s;
}

// v is a sum of a few terms of order 0.5 mV: its rounding, read back through a
// difference, is ~1e-15 mV; 1e-12 leaves room and still catches any wrong step.
constexpr double kTolerance = 1e-12;

}  // namespace

TEST(ShortTermPlasticity, DepressionFollowsTheClosedFormOfARegularTrain) {
    std::vector<double> times;
    for (int n = 0; n < 12; ++n) times.push_back(10.0 + 20.0 * n);  // 50 Hz
    const SynapseSpec s = tsodyks_markram(0.5, 200.0, 0.0);
    const auto jumps = measured_jumps(train_onto_integrators(times, s), times);
    const double e = std::exp(-20.0 / 200.0);
    const double x_inf = (1.0 - e) / (1.0 - (1.0 - s.U) * e);
    for (std::size_t n = 0; n < times.size(); ++n) {
        const double x_n = x_inf + (1.0 - x_inf) * std::pow((1.0 - s.U) * e, static_cast<double>(n));
        EXPECT_NEAR(jumps[n][0], s.U * x_n, kTolerance) << "spike " << n;
    }
    EXPECT_LT(jumps.back()[0], 0.2 * jumps.front()[0]);  // strongly depressed at 50 Hz
}

TEST(ShortTermPlasticity, FacilitationAndIrregularIntervalsFollowTheRecursion) {
    const std::vector<double> times{5.0, 12.0, 15.5, 40.0, 41.0, 90.0, 300.0, 305.0};
    const SynapseSpec s = tsodyks_markram(0.1, 100.0, 500.0);  // facilitating (U small, tau_facil long)
    const auto jumps = measured_jumps(train_onto_integrators(times, s), times);
    const auto expected = recursion(times, s);
    for (std::size_t n = 0; n < times.size(); ++n) EXPECT_NEAR(jumps[n][0], expected[n], kTolerance) << "spike " << n;
    EXPECT_GT(jumps[2][0], jumps[0][0]);  // the third spike is facilitated
}

TEST(ShortTermPlasticity, EverySynapseOfASourceSharesItsStateAndShardsDoNotMatter) {
    const std::vector<double> times{5.0, 7.0, 9.0, 30.0};
    const SynapseSpec s = tsodyks_markram(0.3, 50.0, 20.0);
    const NetworkSpec spec = train_onto_integrators(times, s, 7);
    const auto one = measured_jumps(spec, times, 1);
    EXPECT_EQ(one, measured_jumps(spec, times, 3));
    const auto expected = recursion(times, s);
    for (std::size_t n = 0; n < times.size(); ++n)
        for (const double jump : one[n]) EXPECT_NEAR(jump, expected[n], kTolerance);
}

TEST(ShortTermPlasticity, InvalidParametersNameTheirKey) {
    const std::vector<double> times{5.0};
    for (const auto& [synapse, key, fragment] :
         {std::tuple{tsodyks_markram(0.0, 100.0, 0.0), "projection[0].synapse.U", "U must be in (0, 1], got 0"},
          std::tuple{tsodyks_markram(1.5, 100.0, 0.0), "projection[0].synapse.U", "U must be in (0, 1], got 1.5"},
          std::tuple{tsodyks_markram(0.5, 0.0, 0.0), "projection[0].synapse.tau_rec", "tau_rec must be > 0 ms, got 0"},
          std::tuple{tsodyks_markram(0.5, 100.0, -1.0), "projection[0].synapse.tau_facil",
                     "tau_facil must be >= 0 ms (0: no facilitation), got -1"}}) {
        try {
            train_onto_integrators(times, synapse).validate();
            ADD_FAILURE() << "no error for " << key;
        } catch (const ValueError& e) {
            EXPECT_EQ(e.key(), key);
            EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
        }
    }
}

TEST(ShortTermPlasticity, ModelFileReadsTheSynapseTable) {
    const std::string populations = R"([[population]]
name = "pre"
model = "SpikeSourceArray"
size = 1
spike_times = [5.0]

[[population]]
name = "post"
model = "IF_curr_exp"
size = 2

[[projection]]
source = "pre"
target = "post"
connector = { type = "all_to_all" }
weight = 0.1
)";
    const NetworkSpec spec =
        parse_model_text(populations + "synapse = { type = \"tsodyks_markram\", U = 0.2, tau_facil = 50.0 }\n", "stp.toml");
    const SynapseSpec& s = spec.projections[0].synapse;
    EXPECT_EQ(s.kind, SynapseSpec::Kind::tsodyks_markram);
    EXPECT_EQ(s.U, 0.2);
    EXPECT_EQ(s.tau_rec, 100.0);  // PyNN's default
    EXPECT_EQ(s.tau_facil, 50.0);
    try {
        parse_model_text(populations + "synapse = { type = \"tsodyks_markram\", tau_facill = 50.0 }\n", "stp.toml");
        ADD_FAILURE() << "misspelt key accepted";
    } catch (const KeyError& e) {
        EXPECT_EQ(e.key(), "projection[0].synapse.tau_facill");
        EXPECT_NE(std::string(e.what()).find("stp.toml:17:"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("did you mean 'tau_facil'?"), std::string::npos) << e.what();
    }
}
