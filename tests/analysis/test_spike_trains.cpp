// Spike-train statistics against cases with known answers: Poisson processes (CV = LV =
// Fano = 1, zero count correlation), gamma processes of order k (CV = 1/sqrt(k), LV =
// 3/(2k + 1)), regular trains (CV = LV = Fano = 0), shared-input pairs (count correlation
// c/r), brute-force correlograms, and the rate kernels' area and moments.
//
// Statistical checks use fixed seeds and two-sided 4-sigma bounds (false-failure
// probability about 6e-5 each, were the seed drawn at random); sigma is derived at each.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <numeric>
#include <string>
#include <vector>

#include "neurodyn/analysis/spike_trains.hpp"
#include "neurodyn/core/error.hpp"
#include "neurodyn/core/random.hpp"

using namespace neurodyn;
using namespace neurodyn::analysis;

namespace {

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

// A renewal process with gamma(k) intervals of mean 1000 / rate_hz ms (k = 1: Poisson).
std::vector<double> gamma_train(int k, double rate_hz, double duration_ms, std::uint64_t seed, std::uint32_t entity) {
    RandomStream rng(seed, 2, entity);
    const double mean_stage = 1000.0 / rate_hz / k;
    auto interval = [&] {
        double s = 0.0;
        for (int i = 0; i < k; ++i) s += rng.exponential(mean_stage);
        return s;
    };
    std::vector<double> t;
    // Start in equilibrium enough: discard the first interval's origin effect by a random offset.
    for (double now = rng.uniform(0.0, 1000.0 / rate_hz); now < duration_ms; now += interval()) t.push_back(now);
    return t;
}

// Population of n trains, flattened in time order (as a recorder gives them).
struct Flat {
    std::vector<double> times;
    std::vector<std::uint32_t> ids;
};
Flat flatten(const std::vector<std::vector<double>>& trains) {
    Flat f;
    std::vector<std::pair<double, std::uint32_t>> all;
    for (std::size_t i = 0; i < trains.size(); ++i)
        for (double t : trains[i]) all.emplace_back(t, static_cast<std::uint32_t>(i));
    std::sort(all.begin(), all.end());
    for (auto& [t, i] : all) {
        f.times.push_back(t);
        f.ids.push_back(i);
    }
    return f;
}

SpikeTrains group(const std::vector<std::vector<double>>& trains) {
    const Flat f = flatten(trains);
    return group_by_neuron(f.times, f.ids, trains.size());
}

struct Summary {
    double mean = 0.0, sd = 0.0;
    std::size_t n = 0;
};
Summary summarise(const std::vector<double>& values) {
    Summary s;
    for (double v : values)
        if (!std::isnan(v)) {
            s.mean += v;
            ++s.n;
        }
    s.mean /= static_cast<double>(s.n);
    for (double v : values)
        if (!std::isnan(v)) s.sd += (v - s.mean) * (v - s.mean);
    s.sd = std::sqrt(s.sd / static_cast<double>(s.n - 1));
    return s;
}

}  // namespace

TEST(GroupByNeuron, SortsAnyOrderAndChecksInput) {
    const std::vector<double> times = {5.0, 1.0, 3.0, 2.0, 4.0};
    const std::vector<std::uint32_t> ids = {0, 2, 0, 0, 2};
    const auto trains = group_by_neuron(times, ids, 3);
    ASSERT_EQ(trains.n_neurons(), 3u);
    EXPECT_EQ(std::vector<double>(trains.train(0).begin(), trains.train(0).end()), (std::vector<double>{2.0, 3.0, 5.0}));
    EXPECT_TRUE(trains.train(1).empty());
    EXPECT_EQ(std::vector<double>(trains.train(2).begin(), trains.train(2).end()), (std::vector<double>{1.0, 4.0}));
    expect_value_error([&] { group_by_neuron(times, ids, 2); },
                       "group_by_neuron: ids must be < n_neurons (2); element 1 is 2", "ids");
    expect_value_error([&] { group_by_neuron(times, std::vector<std::uint32_t>{0}, 3); },
                       "group_by_neuron: ids must have as many elements as times_ms (5), got 1", "ids");
    auto with_nan = times;
    with_nan[2] = std::nan("");
    expect_value_error([&] { group_by_neuron(with_nan, ids, 3); },
                       "group_by_neuron: times_ms must be finite; element 2 is nan", "times_ms");
}

TEST(Rates, PerNeuronAndPerPopulation) {
    const auto trains = group({{10.0, 20.0, 30.0, 1500.0}, {}, {100.0, 999.9}});
    const auto rates = firing_rates_hz(trains, 0.0, 1000.0);  // [0, 1 s): 1500 ms is outside
    EXPECT_EQ(rates, (std::vector<double>{3.0, 0.0, 2.0}));
    const std::vector<std::uint32_t> population = {0, 0, 1};
    const auto pops = population_rates_hz(rates, population, 3);
    EXPECT_DOUBLE_EQ(pops[0], 1.5);
    EXPECT_DOUBLE_EQ(pops[1], 2.0);
    EXPECT_TRUE(std::isnan(pops[2]));  // no neuron
    expect_value_error([&] { firing_rates_hz(trains, 5.0, 5.0); },
                       "firing_rates_hz: t_stop_ms must be > t_start_ms (5), got 5", "t_stop_ms");
    expect_value_error([&] { population_rates_hz(rates, population, 1); },
                       "population_rates_hz: population_of must be < n_populations (1); element 2 is 1", "population_of");
}

TEST(RateKernels, UnitAreaAndKnownMoments) {
    // Weights are bin integrals of the kernel, so the discrete moments equal the
    // continuous ones up to the bin rounding and the cut:
    //   gaussian: variance s^2 (1 - 10 phi(5) - 2 Q(5)) / (1 - 2 Q(5)) + bin^2/12: the cut
    //             at 5 s removes the tails' share of the variance, 10 phi(5) = 1.49e-5 of
    //             it, and rounding to bin centres adds a uniform(bin) error. The rest of
    //             the discretisation error is O(exp(-2 pi^2 s^2 / bin^2)), nil, but for
    //             the two half bins at the cut: O(25 s^2 x phi(5) x bin / s) = 1e-8. Bound 1e-7.
    //   exponential: mean bin / (2 sinh(bin / 2 tau)) (exact sum of the geometric series)
    //             = tau (1 - 1.7e-5) at bin/tau = 0.02; the cut at 12 tau shifts it by
    //             -e^-12 x 11 tau = -7e-5 tau. Bound 1e-4 tau.
    //   alpha:    mean 2 tau; the cut at 15 tau: 16 e^-15 x 13 tau = 6e-5 tau; rounding
    //             O((bin/tau)^2) = 4e-4 relative at most. Bound 1e-3 tau.
    //   box:      width 5 bins: five weights of 1/5 centred on lag 0.
    const double bin = 0.1;
    auto moments = [&](const DiscreteKernel& k, double& area, double& mean, double& variance) {
        area = mean = variance = 0.0;
        for (std::size_t j = 0; j < k.weights.size(); ++j) {
            const double lag = (static_cast<double>(j) - static_cast<double>(k.origin)) * bin;
            area += k.weights[j];
            mean += lag * k.weights[j];
        }
        for (std::size_t j = 0; j < k.weights.size(); ++j) {
            const double lag = (static_cast<double>(j) - static_cast<double>(k.origin)) * bin;
            variance += (lag - mean) * (lag - mean) * k.weights[j];
        }
    };
    double area, mean, variance;
    moments(make_rate_kernel(RateKernel::gaussian, 3.0, bin), area, mean, variance);
    EXPECT_NEAR(area, 1.0, 1e-14);
    EXPECT_NEAR(mean, 0.0, 1e-14);
    const double phi5 = std::exp(-12.5) / std::sqrt(2.0 * std::numbers::pi), q5 = 0.5 * std::erfc(5.0 / std::sqrt(2.0));
    EXPECT_NEAR(variance, 9.0 * (1.0 - 10.0 * phi5 - 2.0 * q5) / (1.0 - 2.0 * q5) + bin * bin / 12.0, 1e-7);
    moments(make_rate_kernel(RateKernel::exponential, 5.0, bin), area, mean, variance);
    EXPECT_NEAR(mean, 5.0, 5e-4);
    moments(make_rate_kernel(RateKernel::alpha, 5.0, bin), area, mean, variance);
    EXPECT_NEAR(mean, 10.0, 5e-3);
    const auto box = make_rate_kernel(RateKernel::box, 0.5, bin);
    ASSERT_EQ(box.weights.size(), 5u);
    EXPECT_EQ(box.origin, 2u);
    for (double w : box.weights) EXPECT_NEAR(w, 0.2, 1e-15);
    expect_value_error([&] { make_rate_kernel(RateKernel::box, -1.0, bin); },
                       "make_rate_kernel: width_ms must be a finite number > 0, got -1", "width_ms");
}

TEST(PopulationRate, SingleSpikeResponseAndPoissonMean) {
    // One spike of one neuron: the rate trace is the kernel / bin, so its integral is
    // 1 spike. The Gaussian of sd 5 ms (501 weights of 0.1 ms) and the exponential of 1 ms
    // (121) take the FFT path, the box of 2 ms (20) and the alpha of 0.2 ms (31) the direct
    // one: all must equal the kernel weights at their lags (to FFT rounding, 1e-12 relative).
    const double bin = 0.1;
    const std::vector<double> spike = {500.05};
    for (auto [kind, width] : {std::pair{RateKernel::gaussian, 5.0}, std::pair{RateKernel::exponential, 1.0},
                               std::pair{RateKernel::box, 2.0}, std::pair{RateKernel::alpha, 0.2}}) {
        const auto rate = population_rate_hz(spike, 1, 0.0, 1000.0, bin, kind, width);
        ASSERT_EQ(rate.size(), 10000u);
        const auto k = make_rate_kernel(kind, width, bin);
        double integral = 0.0;
        for (double r : rate) integral += r * bin / 1000.0;
        EXPECT_NEAR(integral, 1.0, 1e-12);
        for (std::size_t j = 0; j < k.weights.size(); ++j) {
            const std::size_t b = 5000 + j - k.origin;
            EXPECT_NEAR(rate[b], k.weights[j] / (bin / 1000.0), 1e-12 * 1e4) << "lag " << j;
        }
    }
    // 100 Poisson neurons at 20 Hz for 10 s: the mean of the rate trace away from the edges
    // is 20 Hz; it is (spikes in the middle 8 s) / (100 x 8 s) up to kernel edge terms,
    // Poisson with sd sqrt(16000) / 800 = 0.16 Hz: bound 4 sd = 0.64 Hz.
    std::vector<double> times;
    for (std::uint32_t i = 0; i < 100; ++i)
        for (double t : gamma_train(1, 20.0, 10000.0, 31, i)) times.push_back(t);
    for (auto kind : {RateKernel::box, RateKernel::gaussian, RateKernel::exponential, RateKernel::alpha}) {
        const auto rate = population_rate_hz(times, 100, 0.0, 10000.0, 1.0, kind, 10.0);
        const double middle = std::accumulate(rate.begin() + 1000, rate.begin() + 9000, 0.0) / 8000.0;
        EXPECT_NEAR(middle, 20.0, 0.64);
    }
    expect_value_error([&] { population_rate_hz(spike, 1, 0.0, 1000.0, 0.0, RateKernel::box, 1.0); },
                       "population_rate_hz: bin_ms must be a finite number > 0, got 0", "bin_ms");
}

TEST(Isi, HistogramOfARegularTrain) {
    std::vector<double> regular;
    for (int k = 0; k < 11; ++k) regular.push_back(10.0 * k + 0.5);
    const auto trains = group({regular, {0.0, 300.0}});
    const auto h = isi_histogram(trains, 1.0, 100.0);
    ASSERT_EQ(h.counts.size(), 100u);
    EXPECT_EQ(h.n_intervals, 11u);
    EXPECT_EQ(h.n_beyond, 1u);  // the 300 ms interval
    EXPECT_EQ(h.counts[10], 10.0);
    EXPECT_EQ(std::accumulate(h.counts.begin(), h.counts.end(), 0.0), 10.0);
    // A regular train has CV = LV = 0; the second neuron has too few intervals.
    const auto cv = isi_cv_per_neuron(trains);
    const auto lv = local_variation(trains);
    EXPECT_NEAR(cv[0], 0.0, 1e-12);
    EXPECT_NEAR(lv[0], 0.0, 1e-12);
    EXPECT_TRUE(std::isnan(cv[1]));
    EXPECT_TRUE(std::isnan(lv[1]));
    expect_value_error([&] { isi_histogram(trains, 1.0, std::nan("")); },
                       "isi_histogram: max_ms must be a finite number > 0, got nan", "max_ms");
}

TEST(Irregularity, PoissonAndGammaCvAndLv) {
    // 200 neurons, 20 Hz, 50 s: ~1000 intervals each. Known: CV = 1/sqrt(k), LV = 3/(2k+1).
    // The neuron estimates are independent, so their mean has standard error sd / sqrt(200)
    // with sd measured across neurons (~0.03 for CV, ~0.04 for LV); bound 4 standard errors.
    // LV is unbiased for a renewal process (each term has the expectation 3/(2k+1)/3 x 3);
    // the CV's ratio bias is O(CV / n) = 0.001 < 1 standard error, added to the bound.
    for (int k : {1, 4}) {
        std::vector<std::vector<double>> trains;
        for (std::uint32_t i = 0; i < 200; ++i) trains.push_back(gamma_train(k, 20.0, 50000.0, 40 + k, i));
        const auto grouped = group(trains);
        const auto cv = summarise(isi_cv_per_neuron(grouped));
        const auto lv = summarise(local_variation(grouped));
        ASSERT_EQ(cv.n, 200u);
        EXPECT_NEAR(cv.mean, 1.0 / std::sqrt(k), 4.0 * cv.sd / std::sqrt(200.0) + 0.001) << "k = " << k;
        EXPECT_NEAR(lv.mean, 3.0 / (2.0 * k + 1.0), 4.0 * lv.sd / std::sqrt(200.0)) << "k = " << k;
        // The tolerances are tight enough to tell the orders apart.
        EXPECT_LT(4.0 * cv.sd / std::sqrt(200.0), 0.05);
    }
}

TEST(Fano, PoissonCountsAndRegularTrain) {
    // 100 Poisson neurons, 20 Hz, 200 s, windows of 100 ms: W = 2000 windows of mean
    // mu = 2. Var(F) = 2/(W - 1) + 1/(mu W) (the variance of a sample variance, with the
    // Poisson excess kurtosis 1/mu): sd 0.035 per neuron, 0.0035 for the mean of 100;
    // bound 4 sd = 0.014.
    std::vector<std::vector<double>> trains;
    for (std::uint32_t i = 0; i < 100; ++i) trains.push_back(gamma_train(1, 20.0, 200000.0, 50, i));
    const auto fano = fano_factors(group(trains), 0.0, 200000.0, 100.0);
    EXPECT_NEAR(finite_mean(fano), 1.0, 0.014);
    // A regular train with a whole number of spikes per window: F = 0; a silent neuron: NaN.
    std::vector<double> regular;
    for (int k = 0; k < 1000; ++k) regular.push_back(5.0 + 10.0 * k);
    const auto exact = fano_factors(group({regular, {}}), 0.0, 10000.0, 100.0);
    EXPECT_EQ(exact[0], 0.0);
    EXPECT_TRUE(std::isnan(exact[1]));
    expect_value_error([&] { fano_factors(group({regular}), 0.0, 100.0, -1.0); },
                       "fano_factors: window_ms must be a finite number > 0, got -1", "window_ms");
}

TEST(CountCorrelation, IndependentAndSharedInput) {
    // Shared input: each train is its own Poisson process at r - c plus a common one at c,
    // so the counts in any bin have covariance c and variance r: rho = c / r = 0.4.
    // B = 20000 bins of 50 ms; sd of Pearson's r about (1 - rho^2) / sqrt(B) = 0.0059;
    // bound 4 sd = 0.024.
    const double duration = 1.0e6, r = 20.0, c = 8.0;
    const auto common = gamma_train(1, c, duration, 60, 0);
    auto a = gamma_train(1, r - c, duration, 60, 1), b = gamma_train(1, r - c, duration, 60, 2);
    a.insert(a.end(), common.begin(), common.end());
    b.insert(b.end(), common.begin(), common.end());
    std::sort(a.begin(), a.end());
    std::sort(b.begin(), b.end());
    EXPECT_NEAR(count_correlation(a, b, 0.0, duration, 50.0), c / r, 0.024);

    // Independent Poisson neurons, 20 Hz, 100 s, bins of 50 ms (B = 2000): each r has mean
    // ~0 and sd 1/sqrt(B) = 0.022; the 190 pairs of 20 neurons are pairwise uncorrelated
    // under independence, so their mean has sd 1/sqrt(190 B) = 0.0016 (bound 4 sd = 0.0065)
    // and their sample sd is 0.022 within 4 x 0.022/sqrt(2 x 190) = 0.0046.
    std::vector<std::vector<double>> trains;
    for (std::uint32_t i = 0; i < 20; ++i) trains.push_back(gamma_train(1, 20.0, 100000.0, 61, i));
    const auto grouped = group(trains);
    std::vector<std::uint32_t> sample(20);
    std::iota(sample.begin(), sample.end(), 0u);
    const auto matrix = count_correlation_matrix(grouped, sample, 0.0, 100000.0, 50.0);
    std::vector<double> off_diagonal;
    for (std::size_t i = 0; i < 20; ++i) {
        EXPECT_DOUBLE_EQ(matrix[i * 20 + i], 1.0);
        for (std::size_t j = i + 1; j < 20; ++j) {
            EXPECT_NEAR(matrix[i * 20 + j], count_correlation(trains[i], trains[j], 0.0, 100000.0, 50.0), 1e-12);
            EXPECT_EQ(matrix[i * 20 + j], matrix[j * 20 + i]);
            off_diagonal.push_back(matrix[i * 20 + j]);
        }
    }
    const auto s = summarise(off_diagonal);
    EXPECT_NEAR(s.mean, 0.0, 0.0065);
    EXPECT_NEAR(s.sd, 1.0 / std::sqrt(2000.0), 0.0046);
    // A silent neuron has constant counts: NaN row and column.
    const auto with_silent = count_correlation_matrix(group({trains[0], {}}), std::vector<std::uint32_t>{0, 1}, 0.0,
                                                      100000.0, 50.0);
    EXPECT_DOUBLE_EQ(with_silent[0], 1.0);
    EXPECT_TRUE(std::isnan(with_silent[1]) && std::isnan(with_silent[3]));
    expect_value_error([&] { count_correlation_matrix(grouped, std::vector<std::uint32_t>{20}, 0.0, 1000.0, 50.0); },
                       "count_correlation_matrix: neurons must be < the number of neurons (20); element 0 is 20", "neurons");
    expect_value_error([&] { count_correlation(a, b, 0.0, 100.0, 60.0); },
                       "count_correlation: bin_ms leaves fewer than 2 whole bins in the window, got 60", "bin_ms");
}

TEST(CrossCorrelogram, MatchesBruteForceAndFindsADelay) {
    const double duration = 200000.0, bin = 1.0, max_lag = 50.0;
    const auto a = gamma_train(1, 30.0, duration, 70, 0);
    auto b = gamma_train(1, 30.0, duration, 70, 1);
    // b also fires 3 ms after each spike of a (a monosynaptic-like delay).
    for (double t : a) b.push_back(t + 3.0);
    std::sort(b.begin(), b.end());
    const auto cc = cross_correlogram(a, b, bin, max_lag, 0.0, duration + 3.0);
    ASSERT_EQ(cc.values.size(), 101u);
    // Brute force over all pairs: the same counts exactly.
    std::vector<double> brute(101, 0.0);
    for (double ta : a)
        for (double tb : b) {
            const double m = std::floor((tb - ta) / bin + 0.5) + 50.0;
            if (m >= 0.0 && m < 101.0) brute[static_cast<std::size_t>(m)] += 1.0;
        }
    EXPECT_EQ(cc.values, brute);
    const auto peak = std::max_element(cc.values.begin(), cc.values.end()) - cc.values.begin();
    EXPECT_EQ(cc.lags_ms[static_cast<std::size_t>(peak)], 3.0);
    // Normalised by the independence expectation, the bins away from the delay average 1:
    // each holds about n_a n_b bin / T = 6000 x 12000 / 200000 = 360 counts, Poisson, so the
    // mean of the 100 other bins has relative sd 1 / sqrt(100 x 360) = 0.0053; bound 4 sd.
    const auto normalised = cross_correlogram(a, b, bin, max_lag, 0.0, duration + 3.0, CorrelogramNorm::independence);
    double sum = 0.0;
    for (std::size_t m = 0; m < 101; ++m)
        if (m != static_cast<std::size_t>(peak)) sum += normalised.values[m];
    EXPECT_NEAR(sum / 100.0, 1.0, 0.021);
    const auto conditional = cross_correlogram(a, b, bin, max_lag, 0.0, duration + 3.0, CorrelogramNorm::rate_hz);
    EXPECT_DOUBLE_EQ(conditional.values[0], cc.values[0] / (a.size() * bin / 1000.0));
    expect_value_error([&] { cross_correlogram(b, a, 0.0, max_lag, 0.0, duration); },
                       "cross_correlogram: bin_ms must be a finite number > 0, got 0", "bin_ms");
    expect_value_error([&] { cross_correlogram(std::vector<double>{3.0, 1.0}, a, bin, max_lag, 0.0, duration); },
                       "cross_correlogram: a_ms must be sorted ascending; element 1 (1) is below the one before (3)",
                       "a_ms");
}
