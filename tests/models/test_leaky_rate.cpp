// LeakyRate: its exact update against the closed form, its four transfer functions, the
// transmission of rates through delayed synapses in a network, and its errors.

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "neurodyn/core/error.hpp"
#include "neurodyn/engine/simulator.hpp"
#include "neurodyn/io/model_file.hpp"
#include "neurodyn/models/leaky_rate.hpp"
#include "reference.hpp"

using namespace neurodyn;
using models::LeakyRate;

namespace {

constexpr double kDt = 0.1;

double transfer_of(int kind, double z) {
    switch (kind) {
        case LeakyRate::tanh_transfer: return std::tanh(z);
        case LeakyRate::sigmoid_transfer: return 1.0 / (1.0 + std::exp(-z));
        case LeakyRate::relu_transfer: return std::max(0.0, z);
        default: return z;
    }
}

}  // namespace

TEST(LeakyRate, ConstantDriveRelaxesExactlyAndEveryTransferIsApplied) {
    for (int kind = 0; kind < 4; ++kind) {
        SCOPED_TRACE(std::string(LeakyRate::kTransfers[static_cast<std::size_t>(kind)]));
        LeakyRate unit(1, 0);
        unit.param(LeakyRate::tau)[0] = 7.0;
        unit.param(LeakyRate::transfer)[0] = kind;
        unit.param(LeakyRate::gain)[0] = 1.5;
        unit.param(LeakyRate::bias)[0] = -0.8;
        unit.state(LeakyRate::x)[0] = 2.0;
        unit.prepare(kDt);
        EXPECT_DOUBLE_EQ(unit.state(LeakyRate::r)[0], transfer_of(kind, 1.5 * 2.0));  // r of the initial x
        test::GroupDriver driver(unit);
        for (int n = 1; n <= 400; ++n) {
            driver.step();
            // x(t) = bias + (x0 - bias) exp(-t/tau): the update is exact for a constant
            // drive, so only rounding (~1e-15 per step) separates the two.
            const long double t = n * static_cast<long double>(kDt);
            const double exact = static_cast<double>(-0.8L + (2.0L + 0.8L) * std::exp(-t / 7.0L));
            ASSERT_NEAR(unit.state(LeakyRate::x)[0], exact, 1e-12) << "step " << n;
            ASSERT_DOUBLE_EQ(unit.state(LeakyRate::r)[0], transfer_of(kind, 1.5 * unit.state(LeakyRate::x)[0]));
        }
    }
}

TEST(LeakyRate, RatesTravelThroughDelayedSynapsesAndShardsDoNotMatter) {
    // A (driven by its bias) -> B with weight 0.5 and delay 1 ms = 10 steps. The output of
    // A after step n is B's input during step n + 10.
    NetworkSpec spec;
    spec.simulation = {kDt, 30.0, 1};
    spec.populations = {{"A", "LeakyRate", 3, {{"tau", 5.0}, {"bias", 1.0}}, {}, {}},
                        {"B", "LeakyRate", 2, {{"tau", 2.0}, {"transfer", 3.0}}, {}, {}}};
    ProjectionSpec projection;
    projection.source = "A";
    projection.target = "B";
    projection.receptor = "input";
    projection.connector.kind = ConnectorSpec::Kind::all_to_all;
    projection.weight = 0.5;
    projection.delay = 1.0;
    spec.projections = {projection};

    const double decay_a = std::exp(-kDt / 5.0), decay_b = std::exp(-kDt / 2.0);
    std::vector<double> r_a;  // A's output after each step
    double x_a = 0.0, x_b = 0.0;
    std::vector<double> expected_b;
    for (int n = 0; n < 300; ++n) {
        const double input_b = n >= 10 ? 3 * 0.5 * r_a[static_cast<std::size_t>(n - 10)] : 0.0;  // three A units
        x_a = 1.0 + (x_a - 1.0) * decay_a;
        x_b = input_b + (x_b - input_b) * decay_b;
        r_a.push_back(std::tanh(x_a));
        expected_b.push_back(x_b);
    }
    std::vector<std::vector<double>> traces;
    for (const std::size_t shards : {1u, 2u}) {
        Simulator sim(spec, BuildOptions{shards, 0.0});
        std::vector<double> trace;
        for (int n = 0; n < 300; ++n) {
            sim.run(kDt);
            trace.push_back(sim.get_state("B", "x")[1]);
            // Three equal inputs summed: a few ulp from the reference's order of addition.
            ASSERT_NEAR(trace.back(), expected_b[static_cast<std::size_t>(n)], 1e-13) << "step " << n;
        }
        traces.push_back(trace);
    }
    EXPECT_EQ(traces[0], traces[1]);
}

TEST(LeakyRate, TransferIsChosenByNameInModelFiles) {
    const std::string head = "[[population]]\nname = \"R\"\nmodel = \"LeakyRate\"\nsize = 2\n";
    const NetworkSpec spec = parse_model_text(head + "params = { transfer = \"relu\", tau = 3.0 }\n", "rate.toml");
    Simulator sim(spec);
    EXPECT_EQ(sim.get_state("R", "r").size(), 2u);
    for (const auto& [name, value] : spec.populations[0].params) {
        if (name == "transfer") {
            EXPECT_EQ(value.describe(), ValueSpec(2.0).describe());  // relu is choice 2
        }
    }
    try {
        parse_model_text(head + "params = { transfer = \"tanhh\" }\n", "rate.toml");
        ADD_FAILURE() << "unknown transfer accepted";
    } catch (const ValueError& e) {
        EXPECT_EQ(e.key(), "population[0].params.transfer");
        EXPECT_NE(std::string(e.what()).find("rate.toml:5:"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("unknown transfer 'tanhh'; did you mean 'tanh'? (choices: tanh, sigmoid, relu, linear)"),
                  std::string::npos)
            << e.what();
    }
}

TEST(LeakyRate, InvalidTransferAndSpikeRecordersAreRefused) {
    LeakyRate unit(1, 0);
    unit.param(LeakyRate::transfer)[0] = 7.0;
    try {
        unit.prepare(kDt);
        ADD_FAILURE() << "transfer 7 accepted";
    } catch (const ValueError& e) {
        EXPECT_STREQ(e.what(),
                     "LeakyRate: transfer must be one of tanh (0), sigmoid (1), relu (2), linear (3), got 7");
    }
    NetworkSpec spec;
    spec.populations = {{"R", "LeakyRate", 2, {}, {}, {}}};
    RecorderSpec spikes;
    spikes.population = "R";
    spec.recorders = {spikes};
    try {
        spec.validate();
        ADD_FAILURE() << "spike recorder on rate units accepted";
    } catch (const ValueError& e) {
        EXPECT_EQ(e.key(), "record[0].type");
        EXPECT_NE(std::string(e.what()).find("emits no spikes"), std::string::npos) << e.what();
    }
}
