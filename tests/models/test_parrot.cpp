// Parrot through the Simulator: a parrot's spikes are its sources' spikes shifted by the
// delay of the connection, one output spike per step whatever the number of inputs, none
// for inputs whose sum is <= 0; relayed Poisson trains are the source trains shifted.

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "neurodyn/engine/simulator.hpp"
#include "neurodyn/models/parrot.hpp"
#include "neurodyn/record/spike_recorder.hpp"

using namespace neurodyn;

namespace {

ProjectionSpec projection(const std::string& source, const std::string& target, ConnectorSpec::Kind kind, double weight,
                          double delay) {
    ProjectionSpec p;
    p.source = source;
    p.target = target;
    p.connector.kind = kind;
    p.weight = weight;
    p.delay = delay;
    return p;
}

struct Raster {
    std::vector<double> times;
    std::vector<std::uint32_t> ids;
};

std::map<std::string, Raster> simulate(const NetworkSpec& spec) {
    Simulator sim(spec);
    SpikeRecorder recorder(sim, true);
    sim.add_observer(&recorder);
    sim.run();
    std::map<std::string, Raster> out;
    for (const auto& pop : sim.populations()) {
        const auto& s = recorder.spikes(pop.name);
        out[pop.name] = {s.times_ms, s.ids};
    }
    return out;
}

// Spike times of neuron `id` in a raster.
std::vector<double> train(const Raster& r, std::uint32_t id) {
    std::vector<double> t;
    for (std::size_t k = 0; k < r.ids.size(); ++k)
        if (r.ids[k] == id) t.push_back(r.times[k]);
    return t;
}

// Stamps are multiples of dt computed as step * dt: compared to 1e-9 ms.
void expect_same_times(const std::vector<double>& a, const std::vector<double>& b, const std::string& what) {
    ASSERT_EQ(a.size(), b.size()) << what;
    for (std::size_t k = 0; k < a.size(); ++k) EXPECT_NEAR(a[k], b[k], 1e-9) << what << ", spike " << k;
}

}  // namespace

TEST(Parrot, RepeatsItsSourcesAfterTheDelay) {
    // Three sources, one_to_one into three parrots with delay 1.5 ms, and the parrots into
    // a second layer with delay 0.1 ms (one step, the shortest possible).
    NetworkSpec spec;
    spec.simulation = {0.1, 30.0, 3};
    spec.populations = {
        {"src", "SpikeSourceArray", 3, {}, {}, {{1.0, 2.0, 2.1, 10.0}, {0.1, 5.5}, {}}},
        {"parrot", "Parrot", 3, {}, {}, {}},
        {"relay", "Parrot", 3, {}, {}, {}},
    };
    spec.projections = {projection("src", "parrot", ConnectorSpec::Kind::one_to_one, 1.0, 1.5),
                        projection("parrot", "relay", ConnectorSpec::Kind::one_to_one, 0.5, 0.1)};
    const auto rasters = simulate(spec);
    const std::vector<std::vector<double>> expected{{2.5, 3.5, 3.6, 11.5}, {1.6, 7.0}, {}};
    for (std::uint32_t i = 0; i < 3; ++i) {
        const auto source = train(rasters.at("src"), i);
        ASSERT_EQ(source.size(), expected[i].size());
        for (std::size_t k = 0; k < source.size(); ++k) EXPECT_NEAR(source[k] + 1.5, expected[i][k], 1e-9);
        expect_same_times(train(rasters.at("parrot"), i), expected[i], "parrot " + std::to_string(i));
        std::vector<double> relayed = expected[i];
        for (double& t : relayed) t += 0.1;
        expect_same_times(train(rasters.at("relay"), i), relayed, "relay " + std::to_string(i));
    }
}

TEST(Parrot, OneSpikePerStepAndNoneForNonPositiveInput) {
    // Parrot 0 gets two sources that fire together (one output spike per step); parrot 1
    // gets +1 and -1 in the same step (sum 0: silent) and -1 alone (silent); parrot 2 gets
    // +1 at 4 ms and a sum of +0.5 at 6 ms.
    NetworkSpec spec;
    spec.simulation = {0.1, 20.0, 3};
    spec.populations = {
        {"a", "SpikeSourceArray", 1, {}, {}, {{2.0, 6.0}}},
        {"b", "SpikeSourceArray", 1, {}, {}, {{2.0, 4.0, 6.0}}},
        {"parrot", "Parrot", 3, {}, {}, {}},
    };
    ConnectorSpec::Kind list = ConnectorSpec::Kind::from_list;
    ProjectionSpec from_a = projection("a", "parrot", list, 0.0, 1.0);
    from_a.connector.pairs = {{0, 0}, {0, 1}, {0, 2}};
    from_a.connector.list_weights = {1.0, 1.0, -0.5};
    ProjectionSpec from_b = projection("b", "parrot", list, 0.0, 1.0);
    from_b.connector.pairs = {{0, 0}, {0, 1}, {0, 2}};
    from_b.connector.list_weights = {2.0, -1.0, 1.0};
    spec.projections = {from_a, from_b};
    const auto rasters = simulate(spec);
    const Raster& parrot = rasters.at("parrot");
    expect_same_times(train(parrot, 0), {3.0, 5.0, 7.0}, "parrot 0");
    expect_same_times(train(parrot, 1), {}, "parrot 1");
    expect_same_times(train(parrot, 2), {3.0, 5.0, 7.0}, "parrot 2");
}

TEST(Parrot, RelaysPoissonTrainsShiftedByTheDelay) {
    // 50 Poisson sources at 40 Hz for 1 s relayed one_to_one with delay 2.3 ms: each
    // parrot's train is its source's train + 2.3 ms, up to the end of the run (the
    // source's spikes in the last 2.3 ms have not arrived yet). Two source spikes in one
    // step (probability ~ (rate dt)^2 / 2 per step: a few in the run) arrive together and
    // give one parrot spike (docs/models.md): the expected train has each step once.
    NetworkSpec spec;
    spec.simulation = {0.1, 1000.0, 11};
    spec.populations = {{"src", "SpikeSourcePoisson", 50, {{"rate", 40.0}}, {}, {}},
                        {"parrot", "Parrot", 50, {}, {}, {}}};
    spec.projections = {projection("src", "parrot", ConnectorSpec::Kind::one_to_one, 1.0, 2.3)};
    const auto rasters = simulate(spec);
    std::size_t relayed = 0;
    for (std::uint32_t i = 0; i < 50; ++i) {
        std::vector<double> expected;
        for (const double t : train(rasters.at("src"), i))
            if (t + 2.3 <= 1000.0 + 1e-9 && (expected.empty() || t + 2.3 > expected.back() + 1e-9))
                expected.push_back(t + 2.3);
        expect_same_times(train(rasters.at("parrot"), i), expected, "parrot " + std::to_string(i));
        relayed += expected.size();
    }
    EXPECT_GT(relayed, 1500u);  // ~2000 expected
}

TEST(Parrot, HasOnePortNoParametersAndNoState) {
    const ModelInfo& info = models::Parrot::kInfo;
    EXPECT_EQ(info.name, "Parrot");
    EXPECT_EQ(info.port_names(), std::vector<std::string>{"excitatory"});
    EXPECT_TRUE(info.params.empty());
    EXPECT_TRUE(info.state.empty());
    EXPECT_FALSE(info.spike_source);
}
