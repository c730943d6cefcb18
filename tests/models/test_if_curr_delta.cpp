// IF_curr_delta against its closed-form solution: exact traces under DC and voltage
// jumps, the jump itself, threshold crossing by a jump, and input discarded while
// refractory (NEST iaf_psc_delta, Brunel 2000).
//
// Tolerance of the traces: as for IF_curr_exp (see test_if_curr_exp.cpp), the update is
// exact and its error is rounding only, damped by exp(-dt/tau_m) per step: at most
// ~1e-14 mV per step times tau_m/dt <= 2000, i.e. < 1e-10 mV. Asserted: 1e-9 mV.

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "models/reference.hpp"
#include "neurodyn/models/if_curr_delta.hpp"

using namespace neurodyn;
using models::IfCurrDelta;
using test::GroupDriver;

namespace {

constexpr double kTraceToleranceMv = 1e-9;

struct Jump {
    double time_ms;  // arrival; a multiple of 0.5 ms, on the grid of every dt swept
    std::size_t port;
    double weight_mV;
};

}  // namespace

TEST(IfCurrDelta, TraceWithDcAndJumpsMatchesClosedForm) {
    // v(t) = v_rest + R I (1 - e^{-t/tau_m}) + (v0 - v_rest) e^{-t/tau_m} + sum_{t_a <= t} w_a e^{-(t - t_a)/tau_m}
    struct Neuron {
        double cm, tau_m, i_offset, injected, v0;
    };
    const std::vector<Neuron> neurons{
        {1.0, 20.0, 0.3, 0.0, -65.0},
        {0.25, 10.0, 0.0, 0.2, -70.0},
        {2.0, 5.0, -0.4, 0.1, -58.0},
    };
    const std::vector<Jump> jumps{{1.0, 0, 2.5}, {3.5, 1, -1.25}, {3.5, 0, 0.5}, {10.0, 0, 4.0}, {30.0, 1, -3.0}};
    for (const double dt : {0.01, 0.1, 0.5}) {
        SCOPED_TRACE("dt = " + std::to_string(dt) + " ms");
        IfCurrDelta group(neurons.size(), 0);
        GroupDriver driver(group);
        for (std::size_t i = 0; i < neurons.size(); ++i) {
            group.param(IfCurrDelta::cm)[i] = neurons[i].cm;
            group.param(IfCurrDelta::tau_m)[i] = neurons[i].tau_m;
            group.param(IfCurrDelta::i_offset)[i] = neurons[i].i_offset;
            group.param(IfCurrDelta::v_thresh)[i] = 100.0;  // subthreshold test
            group.state(IfCurrDelta::v)[i] = neurons[i].v0;
            driver.injected()[i] = neurons[i].injected;
        }
        group.prepare(dt);
        const std::int64_t steps = std::llround(80.0 / dt);
        double max_error = 0.0;
        for (std::int64_t s = 0; s < steps; ++s) {
            for (const Jump& j : jumps)
                if (std::llround(j.time_ms / dt) - 1 == s)
                    for (std::size_t i = 0; i < neurons.size(); ++i) driver.input(j.port)[i] += j.weight_mV;
            ASSERT_TRUE(driver.step().empty());
            for (std::size_t i = 0; i < neurons.size(); ++i) {
                const Neuron& n = neurons[i];
                long double expected = test::lif_relaxation(static_cast<long double>(s + 1) * dt, n.v0, -65.0L, n.tau_m,
                                                            n.cm, static_cast<long double>(n.i_offset) + n.injected);
                for (const Jump& j : jumps) {
                    const std::int64_t since = s - (std::llround(j.time_ms / dt) - 1);  // steps since arrival
                    if (since >= 0) expected += j.weight_mV * std::exp(-static_cast<long double>(since) * dt / n.tau_m);
                }
                max_error =
                    std::max(max_error, static_cast<double>(std::fabs(group.state(IfCurrDelta::v)[i] - expected)));
            }
        }
        EXPECT_LE(max_error, kTraceToleranceMv);
    }
}

TEST(IfCurrDelta, VoltageJumpsByTheWeightInTheStepOfArrival) {
    constexpr double dt = 0.1, tau_m = 20.0;
    IfCurrDelta group(3, 0);
    GroupDriver driver(group);
    group.prepare(dt);
    for (int s = 0; s < 5; ++s) driver.step();
    // At rest and undriven, v stays exactly at v_rest.
    for (std::size_t i = 0; i < 3; ++i) EXPECT_EQ(group.state(IfCurrDelta::v)[i], -65.0);
    driver.input(0)[0] = 2.5;   // excitatory
    driver.input(1)[1] = -1.5;  // inhibitory: negative weights
    driver.input(0)[2] = 3.0;   // both ports in one step add up
    driver.input(1)[2] = -1.0;
    ASSERT_TRUE(driver.step().empty());
    // From rest the decay term is zero, so the jump is exact.
    EXPECT_DOUBLE_EQ(group.state(IfCurrDelta::v)[0], -62.5);
    EXPECT_DOUBLE_EQ(group.state(IfCurrDelta::v)[1], -66.5);
    EXPECT_DOUBLE_EQ(group.state(IfCurrDelta::v)[2], -63.0);
    driver.step();  // then it decays with tau_m
    EXPECT_DOUBLE_EQ(group.state(IfCurrDelta::v)[0], -65.0 + 2.5 * std::exp(-dt / tau_m));
    EXPECT_DOUBLE_EQ(group.state(IfCurrDelta::v)[1], -65.0 - 1.5 * std::exp(-dt / tau_m));
}

TEST(IfCurrDelta, JumpReachingThresholdFiresInTheStepOfArrival) {
    // v_thresh - v_rest = 15 mV: a jump of exactly 15 mV reaches threshold (v >= v_thresh
    // fires), one 1e-9 mV short of it does not.
    IfCurrDelta group(2, 0);
    GroupDriver driver(group);
    group.prepare(0.1);
    for (int s = 0; s < 7; ++s) driver.step();
    driver.input(0)[0] = 15.0;
    driver.input(0)[1] = 15.0 - 1e-9;
    const auto fired = driver.step();  // step 7: stamped 0.8 ms
    ASSERT_EQ(fired.size(), 1u);
    EXPECT_EQ(fired[0], 0u);
    EXPECT_EQ(group.state(IfCurrDelta::v)[0], -65.0);  // reset
    EXPECT_LT(group.state(IfCurrDelta::v)[1], -50.0);
}

TEST(IfCurrDelta, InputArrivingWhileRefractoryIsDiscarded) {
    // Both neurons fire on a 20 mV kick in step 4 and are clamped for round(2/0.1) = 20
    // steps (5..24). Neuron 0 also receives +5 mV in every clamped step: all of it must be
    // lost, so its trace equals neuron 1's bit for bit. Input in step 25, the first
    // integrating step, counts for both.
    constexpr double dt = 0.1;
    IfCurrDelta group(2, 0);
    GroupDriver driver(group);
    for (std::size_t i = 0; i < 2; ++i) {
        group.param(IfCurrDelta::tau_refrac)[i] = 2.0;
        group.param(IfCurrDelta::v_reset)[i] = -70.0;
        group.param(IfCurrDelta::i_offset)[i] = 0.5;  // R I = 10 mV: v_inf = -55 mV, below threshold
    }
    group.prepare(dt);
    for (std::int64_t s = 0; s < 60; ++s) {
        if (s == 4) driver.input(0)[0] = driver.input(0)[1] = 20.0;
        if (s >= 5 && s <= 24) driver.input(0)[0] = 5.0;
        if (s == 25) driver.input(0)[0] = driver.input(0)[1] = 3.0;
        const auto fired = driver.step();
        SCOPED_TRACE("step " + std::to_string(s));
        if (s == 4) {
            EXPECT_EQ(fired.size(), 2u);
        } else {
            EXPECT_TRUE(fired.empty());
        }
        EXPECT_EQ(group.state(IfCurrDelta::v)[0], group.state(IfCurrDelta::v)[1]);
        if (s >= 4 && s <= 24) {
            EXPECT_EQ(group.state(IfCurrDelta::v)[0], -70.0);
        }
        if (s == 25) {
            // One step of relaxation from v_reset, plus the 3 mV that arrived.
            const double expected =
                static_cast<double>(test::lif_relaxation(dt, -70.0L, -65.0L, 20.0L, 1.0L, 0.5L)) + 3.0;
            EXPECT_NEAR(group.state(IfCurrDelta::v)[1], expected, 1e-12);
        }
    }
}

TEST(IfCurrDelta, HomogeneousFastPathIsTheGeneralPathBitForBit) {
    const auto configure = [](IfCurrDelta& g) {
        for (std::size_t i = 0; i < g.size(); ++i) {
            g.param(IfCurrDelta::cm)[i] = 0.5;
            g.param(IfCurrDelta::tau_m)[i] = 15.0;
            g.param(IfCurrDelta::tau_refrac)[i] = 1.0;
            g.param(IfCurrDelta::v_reset)[i] = -68.0;
            g.param(IfCurrDelta::i_offset)[i] = 0.9;  // R I = 13.5 mV: input makes it fire
        }
    };
    for (const std::size_t perturbed : {IfCurrDelta::tau_m, IfCurrDelta::v_rest, IfCurrDelta::tau_refrac})
        test::expect_fast_path_matches_general_path<IfCurrDelta>(configure, perturbed, 0.1, 2000, 2.0);
}
