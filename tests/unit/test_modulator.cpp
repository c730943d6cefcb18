// ModulatorSignal (engine/modulator.hpp): jumps from source spikes and releases, the
// exponential relaxation between them, pruning. Expected values are the closed form
// n = baseline + (n_jump - baseline) e^{-(t - t_jump)/tau}, to 1e-14 relative (a few
// roundings of exp and sums).

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "neurodyn/engine/modulator.hpp"

namespace neurodyn {
namespace {

constexpr double kDt = 0.1;

ModulatorSpec spec_with(double tau, double baseline, double initial, std::vector<double> times = {},
                        std::vector<double> amounts = {}) {
    ModulatorSpec spec;
    spec.name = "DA";
    spec.tau = tau;
    spec.baseline = baseline;
    spec.initial = initial;
    spec.release_times = std::move(times);
    spec.release_amounts = std::move(amounts);
    return spec;
}

TEST(Modulator, RelaxesFromItsInitialValueTowardsTheBaseline) {
    ModulatorSignal m(spec_with(50.0, 0.2, 1.0), kDt, {0.0});
    // Step 99 ends at t = 10 ms.
    EXPECT_NEAR(m.value_at_step(99), 0.2 + 0.8 * std::exp(-10.0 / 50.0), 1e-14);
}

TEST(Modulator, SpikesOfSourcesAndReleasesJumpAtTheEndOfTheirStep) {
    // Population 0 is a source (0.5 per spike), population 1 is not.
    ModulatorSignal m(spec_with(20.0, 0.0, 0.0, {3.0}, {1.0}), kDt, {0.5, 0.0});
    const std::vector<Step> steps{9, 9, 19, 29};
    const std::vector<std::uint32_t> populations{0, 0, 1, 0};
    m.add_epoch(0, 40, steps, populations);
    ASSERT_EQ(m.jumps().size(), 2u);  // step 9 (two spikes), step 29 (the release at 3 ms and a spike)
    EXPECT_EQ(m.jumps()[0].step, 9);
    EXPECT_DOUBLE_EQ(m.jumps()[0].value_after, 1.0);
    EXPECT_EQ(m.jumps()[1].step, 29);
    // The release at 3 ms and the spike recorded at 3 ms (step 29) act together.
    const double at_3ms = std::exp(-2.0 / 20.0) + 1.0 + 0.5;
    EXPECT_NEAR(m.jumps()[1].value_after, at_3ms, 1e-14);
    EXPECT_NEAR(m.value_at_step(39), at_3ms * std::exp(-1.0 / 20.0), 1e-14);
}

TEST(Modulator, ReleasesAddedLaterAndPruning) {
    ModulatorSignal m(spec_with(10.0, 0.0, 0.0), kDt, {1.0});
    m.release(50, 2.0);
    m.add_epoch(0, 20, {}, {});
    EXPECT_TRUE(m.jumps().empty());  // not due yet
    m.add_epoch(20, 60, {}, {});
    ASSERT_EQ(m.jumps().size(), 1u);
    EXPECT_EQ(m.jumps()[0].step, 50);
    m.add_epoch(60, 100, std::vector<Step>{70}, std::vector<std::uint32_t>{0});
    ASSERT_EQ(m.jumps().size(), 2u);
    const double before = m.value_at_step(80);
    EXPECT_TRUE(m.prune(80));  // keeps the last jump at or before step 80
    EXPECT_EQ(m.jumps().size(), 1u);
    EXPECT_DOUBLE_EQ(m.value_at_step(80), before);
    EXPECT_FALSE(m.prune(80));
}

}  // namespace
}  // namespace neurodyn
