// SpikeSourceGamma against gamma renewal statistics, determinism and its parameter checks.
//
// Statistical tests use fixed seeds and two-sided 4-sigma bounds of (near-)normal
// statistics: a false-failure probability of 6.3e-5 each, were the seed drawn at random.
// Sigma of each statistic is derived in its test.

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "models/reference.hpp"
#include "neurodyn/core/error.hpp"
#include "neurodyn/core/random.hpp"
#include "neurodyn/models/spike_source_gamma.hpp"

using namespace neurodyn;
using models::SpikeSourceGamma;
using test::GroupDriver;

namespace {

using Trains = std::vector<std::vector<std::int64_t>>;

constexpr std::uint32_t kDomain = random_domain(RandomPurpose::spike_source, 5);

struct GammaRun {
    std::size_t size = 200;
    std::uint64_t first = 0;
    double alpha = 4.0, beta_hz = 200.0, start_ms = 0.0, duration_ms = 1e10, dt = 0.1;
    std::int64_t steps = 100000;
    std::uint64_t seed = 77;
};

Trains run_gamma(const GammaRun& r) {
    SpikeSourceGamma group(r.size, r.first);
    group.set_random_domain(kDomain);
    for (std::size_t i = 0; i < r.size; ++i) {
        group.param(SpikeSourceGamma::alpha)[i] = r.alpha;
        group.param(SpikeSourceGamma::beta)[i] = r.beta_hz;
        group.param(SpikeSourceGamma::start)[i] = r.start_ms;
        group.param(SpikeSourceGamma::duration)[i] = r.duration_ms;
    }
    group.prepare(r.dt);
    GroupDriver driver(group);
    return driver.run(r.steps, r.seed);
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

TEST(SpikeSourceGamma, RateIsBetaOverAlphaWithinFourSigma) {
    // For a renewal process started at a renewal point (the first interval is a whole
    // gamma interval from `start`), the count in [0, T] has mean T/mu + (CV^2 - 1)/2 + o(1)
    // and variance CV^2 T / mu + O(1) (Cox, Renewal Theory, ch. 4), mu = 1000 alpha/beta ms,
    // CV^2 = 1/alpha. Here alpha = 4, beta = 200 Hz: 50 Hz, mu = 20 ms; T = 10 s and 200
    // neurons: mean 200 (500 - 0.375) = 99925, sigma = sqrt(200 * 0.25 * 500) = 158.
    // (A Poisson count, CV = 1, would have sigma 316: the test tells the two apart.)
    for (const double alpha : {1.0, 4.0, 9.0}) {
        GammaRun r;
        r.alpha = alpha;
        r.beta_hz = 50.0 * alpha;  // 50 Hz each time
        const Trains trains = run_gamma(r);
        const double T = 10000.0, mu = 1000.0 * r.alpha / r.beta_hz, cv2 = 1.0 / alpha;
        double count = 0.0;
        for (const auto& t : trains) count += static_cast<double>(t.size());
        const double mean = 200.0 * (T / mu + (cv2 - 1.0) / 2.0);
        const double sigma = std::sqrt(200.0 * cv2 * T / mu);
        EXPECT_NEAR(count, mean, 4.0 * sigma) << "alpha " << alpha;
    }
}

TEST(SpikeSourceGamma, IsiMeanAndCvMatchTheGammaDistribution) {
    // n intervals pooled over neurons (independent within and across trains). Mean: sd
    // mu CV / sqrt(n). CV: by the delta method on (mean, variance) with the gamma central
    // moments mu2 = k theta^2, mu3 = 2 k theta^3, mu4 = 3 k (k + 2) theta^4 (m = k theta),
    //   Var(CV) = (1/n) [mu2^2/m^4 + (mu4 - mu2^2)/(4 mu2 m^2) - mu3/m^3] = (k + 1) / (2 k^2 n),
    // which is 1/n for k = 1 (the Poisson test's formula). The grid stamps each spike at
    // its step's end, adding variance ~dt^2/6 to an interval: a CV shift of ~dt^2/(12 mu^2 CV)
    // ~ 1e-6 here, far below sigma (~3e-3).
    for (const double k : {1.0, 2.0, 4.0, 16.0}) {
        GammaRun r;
        r.alpha = k;
        r.beta_hz = 50.0 * k;
        const Trains trains = run_gamma(r);
        double sum = 0.0, sum_sq = 0.0;
        std::size_t n = 0;
        for (const auto& t : trains)
            for (std::size_t j = 1; j < t.size(); ++j) {
                const double isi = static_cast<double>(t[j] - t[j - 1]) * r.dt;
                sum += isi;
                sum_sq += isi * isi;
                ++n;
            }
        ASSERT_GT(n, 90000u);
        const double mean = sum / static_cast<double>(n);
        const double sd = std::sqrt(sum_sq / static_cast<double>(n) - mean * mean);
        const double mu = 1000.0 * k / r.beta_hz, cv = 1.0 / std::sqrt(k);
        const double dn = static_cast<double>(n);
        std::printf("alpha %g: mean ISI %.4f ms (expected %.4f), CV %.4f (expected %.4f, sigma %.2g)\n", k, mean, mu,
                    sd / mean, cv, std::sqrt((k + 1) / (2 * k * k * dn)));
        EXPECT_NEAR(mean, mu, 4.0 * mu * cv / std::sqrt(dn)) << "alpha " << k;
        EXPECT_NEAR(sd / mean, cv, 4.0 * std::sqrt((k + 1) / (2 * k * k * dn))) << "alpha " << k;
    }
}

TEST(SpikeSourceGamma, TrainsDependOnSeedAndNeuronIndexOnly) {
    GammaRun whole;
    whole.size = 20;
    whole.steps = 5000;
    GammaRun head = whole, tail = whole;
    head.size = 8;
    tail.size = 12;
    tail.first = 8;
    const Trains all = run_gamma(whole), a = run_gamma(head), b = run_gamma(tail);
    for (std::size_t i = 0; i < 8; ++i) EXPECT_EQ(a[i], all[i]) << "neuron " << i;
    for (std::size_t i = 0; i < 12; ++i) EXPECT_EQ(b[i], all[8 + i]) << "neuron " << 8 + i;
    EXPECT_EQ(run_gamma(whole), all);
    GammaRun other = whole;
    other.seed = whole.seed + 1;
    const Trains by_seed = run_gamma(other);
    for (std::size_t i = 0; i < 20; ++i) {
        ASSERT_FALSE(all[i].empty());
        EXPECT_NE(by_seed[i], all[i]) << "neuron " << i;
    }
}

TEST(SpikeSourceGamma, StartDurationAndZeroRate) {
    // Spikes only in [start, start + duration) = [100, 300) ms: steps 1000..2999 (a second
    // spike in one step needs an interval < dt: P = P(Gamma(4, 5 ms) < 0.1 ms) ~ (0.02)^4/24
    // ~ 7e-9 per interval, so none moves a spike out of the window).
    GammaRun r;
    r.size = 50;
    r.start_ms = 100.0;
    r.duration_ms = 200.0;
    r.steps = 4000;
    const Trains trains = run_gamma(r);
    std::size_t count = 0;
    for (const auto& t : trains)
        for (const std::int64_t s : t) {
            EXPECT_GE(s, 1000);
            EXPECT_LE(s, 2999);
            ++count;
        }
    EXPECT_GT(count, 300u);  // ~50 * (10 - 0.375) = 481 expected, sigma 11
    GammaRun silent = r;
    silent.beta_hz = 0.0;
    for (const auto& t : run_gamma(silent)) EXPECT_TRUE(t.empty());
}

TEST(SpikeSourceGamma, AlphaMustBeAnIntegerFrom1To1000) {
    const auto prepare_with_alpha = [](double alpha) {
        SpikeSourceGamma group(3, 4);
        group.param(SpikeSourceGamma::alpha)[1] = alpha;
        group.prepare(0.1);
    };
    expect_value_error([&] { prepare_with_alpha(2.5); },
                       "SpikeSourceGamma: alpha must be an integer in [1, 1000], got 2.5 (neuron 5)", "alpha");
    expect_value_error([&] { prepare_with_alpha(0.0); },
                       "SpikeSourceGamma: alpha must be an integer in [1, 1000], got 0 (neuron 5)", "alpha");
    expect_value_error([&] { prepare_with_alpha(-3.0); },
                       "SpikeSourceGamma: alpha must be an integer in [1, 1000], got -3 (neuron 5)", "alpha");
    expect_value_error([&] { prepare_with_alpha(1001.0); },
                       "SpikeSourceGamma: alpha must be an integer in [1, 1000], got 1001 (neuron 5)", "alpha");
    EXPECT_NO_THROW(prepare_with_alpha(1.0));
    EXPECT_NO_THROW(prepare_with_alpha(1000.0));
}
