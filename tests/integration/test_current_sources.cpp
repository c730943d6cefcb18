// Current sources (PyNN's DCSource, StepCurrentSource, ACSource, NoisyCurrentSource)
// injected into leak-free neurons: with tau_m = 1e15 ms the membrane is a pure
// integrator, v_{n+1} = v_n + I_n dt / cm (the leak's contribution is dt/tau_m = 1e-16
// relative), so the recorded voltage reads back exactly the current of every step.

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <string>
#include <vector>

#include "neurodyn/core/error.hpp"
#include "neurodyn/engine/simulator.hpp"

using namespace neurodyn;

namespace {

constexpr double kDt = 0.1, kCm = 2.0;

NetworkSpec integrators(std::size_t size, double duration_ms, std::uint64_t seed = 1) {
    NetworkSpec spec;
    spec.simulation = {kDt, duration_ms, seed};
    spec.populations = {{"n",
                         "IF_curr_exp",
                         size,
                         {{"v_rest", 0.0}, {"v_reset", -1.0}, {"v_thresh", 1e12}, {"tau_m", 1e15}, {"cm", kCm}},
                         {{"v", 0.0}},
                         {}}};
    return spec;
}

// The current each step delivered to each neuron, recovered from v: one row per step.
std::vector<std::vector<double>> currents_per_step(const NetworkSpec& spec, std::size_t steps, std::size_t shards = 1) {
    Simulator sim(spec, BuildOptions{shards, 0.0});
    std::vector<std::vector<double>> currents;
    std::vector<double> before = sim.get_state("n", "v");
    for (std::size_t n = 0; n < steps; ++n) {
        sim.run(kDt);
        const std::vector<double> after = sim.get_state("n", "v");
        std::vector<double> row(after.size());
        for (std::size_t i = 0; i < after.size(); ++i) row[i] = (after[i] - before[i]) * kCm / kDt;
        currents.push_back(row);
        before = after;
    }
    return currents;
}

void expect_value_error(const NetworkSpec& spec, const std::string& key, const std::string& fragment) {
    try {
        spec.validate();
        FAIL() << "no error for " << key;
    } catch (const UserError& e) {
        EXPECT_EQ(e.key(), key);
        EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
    }
}

// Reading a current back through v loses about 1e-16 * |v| / (dt/cm) per step.
constexpr double kReadBackTolerance = 1e-9;

}  // namespace

TEST(CurrentSources, StepCurrentChangesAtItsTimesAndIsZeroBeforeTheFirst) {
    NetworkSpec spec = integrators(2, 30.0);
    StimulusSpec steps;
    steps.kind = StimulusSpec::Kind::step_current;
    steps.target = "n";
    steps.neurons = {1};
    steps.times = {5.0, 10.0, 20.0};
    steps.amplitudes = {0.4, -0.2, 0.1};
    spec.stimuli = {steps};
    const auto currents = currents_per_step(spec, 300);
    for (std::size_t n = 0; n < currents.size(); ++n) {
        // PyNN: zero until the first time, then each amplitude from its time on; step n
        // covers [n dt, (n + 1) dt) and carries the current at its start.
        const double t = static_cast<double>(n) * kDt;
        const double expected = t < 5.0 - 1e-9 ? 0.0 : t < 10.0 - 1e-9 ? 0.4 : t < 20.0 - 1e-9 ? -0.2 : 0.1;
        EXPECT_NEAR(currents[n][1], expected, kReadBackTolerance) << "step " << n;
        EXPECT_EQ(currents[n][0], 0.0) << "step " << n;
    }
}

TEST(CurrentSources, AcSourceIsTheSineOfAbsoluteTimeAtEachStepStart) {
    NetworkSpec spec = integrators(1, 50.0);
    StimulusSpec ac;
    ac.kind = StimulusSpec::Kind::ac;
    ac.target = "n";
    ac.amplitude = 0.3;
    ac.offset = 0.05;
    ac.frequency = 40.0;  // Hz: a 25 ms period, two periods in the run
    ac.phase = 90.0;      // degrees
    ac.start = 10.0;
    ac.stop = 40.0;
    spec.stimuli = {ac};
    const auto currents = currents_per_step(spec, 500);
    for (std::size_t n = 0; n < currents.size(); ++n) {
        const double t = static_cast<double>(n) * kDt;
        const bool on = n >= 100 && n < 400;
        const double expected = on ? 0.05 + 0.3 * std::sin(2.0 * std::numbers::pi * 40.0 * t / 1000.0 + std::numbers::pi / 2) : 0.0;
        EXPECT_NEAR(currents[n][0], expected, kReadBackTolerance) << "step " << n;
    }
}

TEST(CurrentSources, NoisyCurrentIsPiecewiseConstantWithTheRequestedMeanAndSpread) {
    constexpr std::size_t kNeurons = 200, kSteps = 500;  // 50 ms
    NetworkSpec spec = integrators(kNeurons, 50.0, 7);
    StimulusSpec noise;
    noise.kind = StimulusSpec::Kind::noisy_current;
    noise.target = "n";
    noise.mean = 0.2;
    noise.stdev = 0.5;
    noise.interval = 1.0;  // ms: a new value every 10 steps
    spec.stimuli = {noise};
    const auto currents = currents_per_step(spec, kSteps);
    std::vector<double> draws;
    for (std::size_t n = 0; n < kSteps; ++n)
        for (std::size_t i = 0; i < kNeurons; ++i) {
            if (n % 10 == 0)
                draws.push_back(currents[n][i]);
            else
                EXPECT_NEAR(currents[n][i], currents[n - 1][i], 2 * kReadBackTolerance) << "step " << n;
        }
    ASSERT_EQ(draws.size(), kNeurons * kSteps / 10);
    double sum = 0.0, sum_sq = 0.0;
    for (const double x : draws) sum += x;
    const double count = static_cast<double>(draws.size());
    const double mean = sum / count;
    for (const double x : draws) sum_sq += (x - mean) * (x - mean);
    const double variance = sum_sq / (count - 1.0);
    // 10^4 independent Gaussian draws: the sample mean has sd stdev/100 and the sample
    // variance sd stdev^2 sqrt(2/(N-1)); both are held to 4 sd.
    EXPECT_NEAR(mean, 0.2, 4.0 * 0.5 / std::sqrt(count));
    EXPECT_NEAR(variance, 0.25, 4.0 * 0.25 * std::sqrt(2.0 / (count - 1.0)));
    // Neighbouring neurons get different values (independent streams).
    EXPECT_NE(currents[0][0], currents[0][1]);
}

TEST(CurrentSources, NoiseIsTheSameForAnyNumberOfShardsAndFollowsTheSeed) {
    NetworkSpec spec = integrators(50, 5.0, 3);
    StimulusSpec noise;
    noise.kind = StimulusSpec::Kind::noisy_current;
    noise.target = "n";
    noise.stdev = 1.0;
    noise.neurons = {0, 7, 8, 31, 49};
    spec.stimuli = {noise};
    const auto one = currents_per_step(spec, 50, 1);
    EXPECT_EQ(one, currents_per_step(spec, 50, 3));
    spec.simulation.seed = 4;
    EXPECT_NE(one, currents_per_step(spec, 50, 1));
}

TEST(CurrentSources, InvalidParametersAreRefusedWithTheirKey) {
    NetworkSpec spec = integrators(1, 10.0);
    StimulusSpec steps;
    steps.kind = StimulusSpec::Kind::step_current;
    steps.target = "n";
    steps.times = {1.0, 2.0};
    steps.amplitudes = {0.1};
    spec.stimuli = {steps};
    expect_value_error(spec, "stimulus[0].amplitudes", "one amplitude per time, got 1 amplitudes for 2 times");
    spec.stimuli[0].amplitudes = {0.1, 0.2};
    spec.stimuli[0].times = {2.0, 2.02};
    expect_value_error(spec, "stimulus[0].times[1]", "times must increase by at least one step");
    spec.stimuli[0].times = {2.0, NAN};
    expect_value_error(spec, "stimulus[0].times[1]", "times must be finite and >= 0 ms");

    StimulusSpec ac;
    ac.kind = StimulusSpec::Kind::ac;
    ac.target = "n";
    ac.frequency = -1.0;
    spec.stimuli = {ac};
    expect_value_error(spec, "stimulus[0].frequency", "frequency must be >= 0 Hz, got -1");

    StimulusSpec noise;
    noise.kind = StimulusSpec::Kind::noisy_current;
    noise.target = "n";
    noise.stdev = -0.1;
    spec.stimuli = {noise};
    expect_value_error(spec, "stimulus[0].stdev", "stdev must be >= 0 nA, got -0.1");
    spec.stimuli[0].stdev = 0.1;
    spec.stimuli[0].interval = 0.25;
    expect_value_error(spec, "stimulus[0].dt", "dt must be a multiple of the simulation step 0.1 ms, got 0.25 ms");
}
