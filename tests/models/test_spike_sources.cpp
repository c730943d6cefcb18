// SpikeSourcePoisson against Poisson statistics, determinism and its time window;
// SpikeSourceArray against its grid rule and its errors.
//
// Statistical tests use fixed seeds and two-sided 4-sigma bounds of a (near-)normal
// statistic: a false-failure probability of 6.3e-5 each, were the seed drawn at random.

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "models/reference.hpp"
#include "neurodyn/core/error.hpp"
#include "neurodyn/core/random.hpp"
#include "neurodyn/models/spike_source_array.hpp"
#include "neurodyn/models/spike_source_poisson.hpp"

using namespace neurodyn;
using models::SpikeSourceArray;
using models::SpikeSourcePoisson;
using test::GroupDriver;

namespace {

using Trains = std::vector<std::vector<std::int64_t>>;  // per neuron, the steps in which it fired

constexpr std::uint32_t kDomain = random_domain(RandomPurpose::spike_source, 3);

struct PoissonRun {
    std::size_t size = 100;
    std::uint64_t first = 0;
    double rate_hz = 50.0, start_ms = 0.0, duration_ms = 1e10, dt = 0.1;
    std::int64_t steps = 10000;
    std::uint64_t seed = 2024;
    std::uint32_t domain = kDomain;
};

Trains run_poisson(const PoissonRun& r) {
    SpikeSourcePoisson group(r.size, r.first);
    group.set_random_domain(r.domain);
    for (std::size_t i = 0; i < r.size; ++i) {
        group.param(SpikeSourcePoisson::rate)[i] = r.rate_hz;
        group.param(SpikeSourcePoisson::start)[i] = r.start_ms;
        group.param(SpikeSourcePoisson::duration)[i] = r.duration_ms;
    }
    group.prepare(r.dt);
    GroupDriver driver(group);
    return driver.run(r.steps, r.seed);
}

std::size_t total_spikes(const Trains& trains) {
    std::size_t n = 0;
    for (const auto& t : trains) n += t.size();
    return n;
}

Trains run_array(std::size_t size, std::uint64_t first, const std::vector<std::vector<double>>& times, double dt,
                 std::int64_t steps) {
    SpikeSourceArray group(size, first);
    group.set_spike_times(times);
    group.prepare(dt);
    GroupDriver driver(group);
    return driver.run(steps);
}

template <class F>
void expect_value_error(F&& f, const std::string& message, const std::string& key) {
    try {
        f();
        ADD_FAILURE() << "no ValueError; expected: " << message;
    } catch (const ValueError& e) {
        EXPECT_EQ(std::string(e.what()), message);
        EXPECT_EQ(e.key(), key);
    }
}

}  // namespace

// ---------------------------------------------------------------- SpikeSourcePoisson

TEST(SpikeSourcePoisson, CountOverTIsPoissonWithinFourSigma) {
    // N = 1000 neurons at 20 Hz for T = 1 s: the total count is Poisson with mean
    // N r T = 20000 (sd 141); per-neuron counts have variance = mean, so the dispersion
    // sum (c_i - c_mean)^2 / c_mean is chi^2 with N - 1 degrees of freedom: mean 999, sd
    // sqrt(2 * 999) = 44.7 (near-normal at this many degrees of freedom).
    PoissonRun r;
    r.size = 1000;
    r.rate_hz = 20.0;
    r.steps = 10000;  // 1000 ms
    const Trains trains = run_poisson(r);
    const double mean = 1000.0 * 20.0 * 1.0;
    const double count = static_cast<double>(total_spikes(trains));
    EXPECT_NEAR(count, mean, 4.0 * std::sqrt(mean));
    const double per_neuron = count / 1000.0;
    double dispersion = 0.0;
    for (const auto& t : trains) dispersion += std::pow(static_cast<double>(t.size()) - per_neuron, 2) / per_neuron;
    EXPECT_NEAR(dispersion, 999.0, 4.0 * std::sqrt(2.0 * 999.0));
}

TEST(SpikeSourcePoisson, RatesAbove1OverDtKeepTheirCountAsRepeatedEvents) {
    // 25 kHz at dt = 0.1 ms is 2.5 spikes per step: all of a step's spikes are emitted in
    // it (repeated ids), so the count over T stays Poisson with mean N r T = 10 x 25000 x
    // 0.1 = 25000 (sd 158), and the counts per step follow Poisson(2.5): P(0) = e^-2.5.
    PoissonRun r;
    r.size = 10;
    r.rate_hz = 25000.0;
    r.steps = 1000;  // 100 ms
    const Trains trains = run_poisson(r);
    const double mean = 10.0 * 25000.0 * 0.1;
    EXPECT_NEAR(static_cast<double>(total_spikes(trains)), mean, 4.0 * std::sqrt(mean));
    // Steps without a spike, over 10 x 1000 neuron-steps: binomial with p = e^-2.5 = 0.082.
    std::size_t empty_steps = 0;
    for (const auto& train : trains) {
        std::vector<int> per_step(1000, 0);
        for (const std::int64_t step : train) ++per_step[static_cast<std::size_t>(step)];
        for (const int count : per_step) empty_steps += count == 0;
    }
    const double p0 = std::exp(-2.5), n = 10000.0;
    EXPECT_NEAR(static_cast<double>(empty_steps), n * p0, 4.0 * std::sqrt(n * p0 * (1.0 - p0)));
}

TEST(SpikeSourcePoisson, IsiCoefficientOfVariationIsOneWithinItsSamplingError) {
    // For n exponential intervals the sample CV has, by the delta method on (mean, variance)
    // with central moments mu2 = m^2, mu3 = 2 m^3, mu4 = 9 m^4,
    //   Var(CV) = (1/n) [mu2/m^2 + (mu4 - mu2^2)/(4 mu2 m^2) - mu3/m^3] = (1/n) [1 + 2 - 2] = 1/n,
    // so the tolerance is 4/sqrt(n) (~0.018 for the ~50000 intervals pooled here; intervals
    // of different neurons are independent and identically distributed). The grid adds
    // ~dt^2/6 to the interval variance (stamps rounded up to the step end): a CV shift of
    // dt^2/(12 ISI^2) ~ 2e-6, and the mean interval 1000/r has sd (1000/r)/sqrt(n).
    PoissonRun r;  // 100 neurons, 50 Hz
    r.steps = 100000;  // 10 s
    const Trains trains = run_poisson(r);
    double sum = 0.0, sum_sq = 0.0;
    std::size_t n = 0;
    for (const auto& t : trains)
        for (std::size_t k = 1; k < t.size(); ++k) {
            const double isi = static_cast<double>(t[k] - t[k - 1]) * r.dt;
            sum += isi;
            sum_sq += isi * isi;
            ++n;
        }
    ASSERT_GT(n, 40000u);
    const double mean = sum / static_cast<double>(n);
    const double sd = std::sqrt(sum_sq / static_cast<double>(n) - mean * mean);
    EXPECT_NEAR(mean, 20.0, 4.0 * 20.0 / std::sqrt(static_cast<double>(n)));
    EXPECT_NEAR(sd / mean, 1.0, 4.0 / std::sqrt(static_cast<double>(n)));
}

TEST(SpikeSourcePoisson, NeuronsFireIndependently) {
    // All trains differ, and neurons 2k and 2k+1 fire in the same step no more often than
    // chance: per step each fires with p = 1 - exp(-r dt), so the coincidences of the
    // 50 disjoint pairs over S steps are Binomial(50 S, p^2) ~ Poisson(125) (sd 11).
    // Neurons sharing one stream would give 50 S p = 25000.
    PoissonRun r;  // 100 neurons, 50 Hz
    r.steps = 100000;
    const Trains trains = run_poisson(r);
    for (std::size_t i = 0; i < trains.size(); ++i)
        for (std::size_t j = i + 1; j < trains.size(); ++j) ASSERT_NE(trains[i], trains[j]) << i << " vs " << j;
    std::size_t coincidences = 0;
    for (std::size_t k = 0; k + 1 < trains.size(); k += 2) {
        const auto& a = trains[k];
        const auto& b = trains[k + 1];
        std::size_t x = 0, y = 0;
        while (x < a.size() && y < b.size()) {
            if (a[x] == b[y]) {
                ++coincidences;
                ++x;
                ++y;
            } else if (a[x] < b[y]) {
                ++x;
            } else {
                ++y;
            }
        }
    }
    const double p = -std::expm1(-r.rate_hz * r.dt / 1000.0);
    const double expected = 50.0 * static_cast<double>(r.steps) * p * p;
    EXPECT_NEAR(static_cast<double>(coincidences), expected, 4.0 * std::sqrt(expected));
}

TEST(SpikeSourcePoisson, SameSeedSameTrainsOtherSeedOrPopulationOtherTrains) {
    PoissonRun r;
    r.size = 20;
    r.steps = 10000;  // ~50 spikes per neuron: two independent trains never coincide
    const Trains reference = run_poisson(r);
    EXPECT_EQ(run_poisson(r), reference);
    PoissonRun other_seed = r;
    other_seed.seed = r.seed + 1;
    PoissonRun other_domain = r;
    other_domain.domain = random_domain(RandomPurpose::spike_source, 4);
    const Trains by_seed = run_poisson(other_seed), by_domain = run_poisson(other_domain);
    for (std::size_t i = 0; i < r.size; ++i) {
        ASSERT_FALSE(reference[i].empty());
        EXPECT_NE(by_seed[i], reference[i]) << "neuron " << i;
        EXPECT_NE(by_domain[i], reference[i]) << "neuron " << i;
    }
}

TEST(SpikeSourcePoisson, TrainsDependOnTheNeuronIndexNotOnTheGroupSplit) {
    // A population split into groups (shards) must produce the same train for each neuron.
    PoissonRun whole;
    whole.size = 20;
    whole.steps = 5000;
    PoissonRun head = whole, tail = whole;
    head.size = 7;
    tail.size = 13;
    tail.first = 7;
    const Trains all = run_poisson(whole), a = run_poisson(head), b = run_poisson(tail);
    for (std::size_t i = 0; i < 7; ++i) EXPECT_EQ(a[i], all[i]) << "neuron " << i;
    for (std::size_t i = 0; i < 13; ++i) EXPECT_EQ(b[i], all[7 + i]) << "neuron " << 7 + i;
}

TEST(SpikeSourcePoisson, StartAndDurationAreHonoured) {
    // Spikes lie in [start, start + duration) = [100, 300) ms and are stamped at the end
    // of their step, so exactly the steps 1000..2999 may fire. The count in the window is
    // Poisson(N r duration) = 800 (4 sd = 113). At 20 Hz a second spike in one step (moved
    // to the next, possibly past the window) has probability ~(r dt)^2/2 = 2e-6 per
    // neuron-step: about 4e-4 for the last step of all 200 neurons. The first and last
    // spikes of the population fall within 5 ms of the window's ends (the population fires
    // at 4 /ms: probability of a 5 ms gap at either end e^-20).
    PoissonRun r;
    r.size = 200;
    r.rate_hz = 20.0;
    r.start_ms = 100.0;
    r.duration_ms = 200.0;
    r.steps = 4000;
    const Trains trains = run_poisson(r);
    std::int64_t earliest = r.steps, latest = -1;
    for (const auto& t : trains)
        for (const std::int64_t s : t) {
            EXPECT_GE(s, 1000);
            EXPECT_LE(s, 2999);
            earliest = std::min(earliest, s);
            latest = std::max(latest, s);
        }
    EXPECT_NEAR(static_cast<double>(total_spikes(trains)), 800.0, 4.0 * std::sqrt(800.0));
    EXPECT_LT(earliest, 1050);
    EXPECT_GE(latest, 2950);
}

TEST(SpikeSourcePoisson, RateZeroOrDurationZeroGivesNoSpike) {
    SpikeSourcePoisson group(3, 0);
    group.set_random_domain(kDomain);
    group.param(SpikeSourcePoisson::rate)[0] = 0.0;
    group.param(SpikeSourcePoisson::rate)[1] = 1000.0;
    group.param(SpikeSourcePoisson::duration)[1] = 0.0;
    group.param(SpikeSourcePoisson::rate)[2] = 1000.0;  // a control that does fire
    group.prepare(0.1);
    GroupDriver driver(group);
    const Trains trains = driver.run(20000, 5);
    EXPECT_TRUE(trains[0].empty());
    EXPECT_TRUE(trains[1].empty());
    EXPECT_GT(trains[2].size(), 1000u);  // ~2000 expected
}

// ---------------------------------------------------------------- SpikeSourceArray

TEST(SpikeSourceArray, SpikeInTheStepEndingAtTheRoundedTime) {
    // dt = 0.1 ms: a time s fires in step round(s/dt) - 1, stamped round(s/dt) dt.
    // 2.34 -> 2.3, 7.449 -> 7.4, 7.46 -> 7.5, 0.06 -> 0.1 (the first step), 5.0 -> 5.0.
    const Trains trains = run_array(1, 0, {{1.0, 2.34, 5.0, 0.06, 7.449, 7.46}}, 0.1, 100);
    EXPECT_EQ(trains[0], (std::vector<std::int64_t>{0, 9, 22, 49, 73, 74}));
    // The same times at dt = 0.25 ms: 1.0 -> 4, 2.34 -> 9, 5.0 -> 20, 7.449 -> 30, 7.46 -> 30
    // (shares a grid point: moved to the next step), and 0.06 rounds to 0: rejected below.
    const Trains coarse = run_array(1, 0, {{1.0, 2.34, 5.0, 7.449, 7.46}}, 0.25, 40);
    EXPECT_EQ(coarse[0], (std::vector<std::int64_t>{3, 8, 19, 29, 30}));
}

TEST(SpikeSourceArray, TimesOnOneGridPointFireInConsecutiveSteps) {
    const Trains trains = run_array(4, 0, {{1.0, 1.02}, {1.0, 1.0, 1.0}, {1.0, 1.0, 1.1}, {1.1, 1.0}}, 0.1, 30);
    EXPECT_EQ(trains[0], (std::vector<std::int64_t>{9, 10}));
    EXPECT_EQ(trains[1], (std::vector<std::int64_t>{9, 10, 11}));
    EXPECT_EQ(trains[2], (std::vector<std::int64_t>{9, 10, 11}));  // no spike lost, one per step
    EXPECT_EQ(trains[3], (std::vector<std::int64_t>{9, 10}));      // unsorted input is sorted
}

TEST(SpikeSourceArray, SharedAndPerNeuronLists) {
    const Trains shared = run_array(3, 0, {{0.5, 1.5}}, 0.1, 20);
    for (const auto& t : shared) EXPECT_EQ(t, (std::vector<std::int64_t>{4, 14}));
    const Trains own = run_array(3, 0, {{0.5}, {}, {1.5, 0.2}}, 0.1, 20);
    EXPECT_EQ(own[0], (std::vector<std::int64_t>{4}));
    EXPECT_TRUE(own[1].empty());
    EXPECT_EQ(own[2], (std::vector<std::int64_t>{1, 14}));
}

TEST(SpikeSourceArray, RejectsWrongNumberOfListsAndBadTimes) {
    const auto rejected = [](const std::vector<std::vector<double>>& times, const std::string& message) {
        SpikeSourceArray group(3, 10);
        expect_value_error([&] { group.set_spike_times(times); }, "SpikeSourceArray: " + message, "spike_times");
    };
    const std::string wrong_count = "spike_times needs one list shared by all neurons or one per neuron (3), got ";
    rejected({{1.0}, {2.0}}, wrong_count + "2");
    rejected({}, wrong_count + "0");
    rejected({{1.0}, {2.0}, {3.0, -1.0}}, "spike time -1 ms is not a finite time >= 0 (neuron 12)");
    rejected({{1.0}, {std::nan("")}, {3.0}}, "spike time NaN ms is not a finite time >= 0 (neuron 11)");
    rejected({{HUGE_VAL}}, "spike time inf ms is not a finite time >= 0 (neuron 10)");
    rejected({{-0.5e-300}}, "spike time -5e-301 ms is not a finite time >= 0 (neuron 10)");
}

TEST(SpikeSourceArray, RejectsTimesBeforeTheFirstStepEnds) {
    // 0 and 0.04 ms round to grid point 0, which no step ends at; 0.06 rounds to 0.1 (accepted above).
    for (const double t : {0.0, 0.04}) {
        SpikeSourceArray group(2, 0);
        group.set_spike_times({{1.0}, {2.0, t}});
        expect_value_error([&] { group.prepare(0.1); },
                           "SpikeSourceArray: spike time " + std::string(t == 0.0 ? "0" : "0.04") +
                               " ms is earlier than the first step's end (dt = 0.1 ms) (neuron 1)",
                           "spike_times");
    }
}

TEST(SpikeSourcePoisson, ARateChangeBetweenRunsContinuesTheStreamInsteadOfReplayingIt) {
    // After a parameter change the engine re-prepares the group and restarts its trains
    // at the current time. The new intervals must come from fresh draws: a replay of the
    // first draws would give the first intervals again, scaled by the rate ratio.
    SpikeSourcePoisson group(1, 0);
    group.set_random_domain(kDomain);
    group.param(SpikeSourcePoisson::rate)[0] = 50.0;
    group.prepare(0.1);
    GroupDriver driver(group);
    const auto before = driver.run(20000, 7)[0];  // 2 s
    group.param(SpikeSourcePoisson::rate)[0] = 100.0;
    group.prepare(0.1);
    group.restart_at(2000.0);
    const auto after = driver.run(20000, 7)[0];
    ASSERT_GE(before.size(), 6u);
    ASSERT_GE(after.size(), 6u);
    int replayed = 0;
    for (std::size_t k = 0; k + 1 < 6; ++k) {
        const double first_interval = static_cast<double>(before[k + 1] - before[k]) / 2.0;
        const double new_interval = static_cast<double>(after[k + 1] - after[k]);
        replayed += std::abs(first_interval - new_interval) <= 1.0;  // within a step
    }
    EXPECT_LT(replayed, 3);  // fresh draws agree with the scaled old ones only by chance
}
