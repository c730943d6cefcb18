// Synchrony and oscillation measures against cases with known answers: SciPy's Welch
// spectrum, a sinusoidally modulated Poisson population, phase-locked and independent
// oscillators (Kuramoto), identical and independent trains (STTC), a signal whose 80 Hz
// amplitude follows the 6 Hz phase (PAC), and 1/f^a noise (aperiodic exponent).
//
// Statistical checks use fixed seeds and two-sided 4-sigma bounds (false-failure
// probability about 6e-5 each, were the seed drawn at random); sigma is derived at each.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <numbers>
#include <sstream>
#include <string>
#include <vector>

#include "neurodyn/analysis/fft.hpp"
#include "neurodyn/analysis/oscillations.hpp"
#include "neurodyn/core/error.hpp"
#include "neurodyn/core/random.hpp"

using namespace neurodyn;
using namespace neurodyn::analysis;

namespace {

constexpr double kPi = std::numbers::pi;

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

std::vector<double> poisson_train(double rate_hz, double duration_ms, std::uint64_t seed, std::uint32_t entity) {
    RandomStream rng(seed, 3, entity);
    std::vector<double> t;
    for (double now = rng.exponential(1000.0 / rate_hz); now < duration_ms; now += rng.exponential(1000.0 / rate_hz))
        t.push_back(now);
    return t;
}

SpikeTrains from_trains(const std::vector<std::vector<double>>& trains) {
    std::vector<double> times;
    std::vector<std::uint32_t> ids;
    for (std::size_t i = 0; i < trains.size(); ++i)
        for (double t : trains[i]) {
            times.push_back(t);
            ids.push_back(static_cast<std::uint32_t>(i));
        }
    return group_by_neuron(times, ids, trains.size());
}

std::vector<double> read_column(const std::string& path) {
    std::ifstream in(path);
    EXPECT_TRUE(in) << "cannot read " << path;
    std::vector<double> x;
    for (double v; in >> v;) x.push_back(v);
    return x;
}

}  // namespace

// ---- Welch ------------------------------------------------------------------------------

TEST(Welch, MatchesScipy) {
    const std::string dir = std::string(NEURODYN_SOURCE_DIR) + "/tests/analysis/reference/";
    const auto x = read_column(dir + "welch_signal.csv");
    ASSERT_EQ(x.size(), 3000u);
    std::ifstream in(dir + "welch_reference.csv");
    ASSERT_TRUE(in);
    struct Row {
        int c;
        double fs;
        std::size_t nperseg, noverlap;
        double f, p;
    };
    std::vector<Row> rows;
    for (std::string line; std::getline(in, line);) {
        if (line.empty() || line[0] == '#' || line[0] == 'c') continue;
        std::replace(line.begin(), line.end(), ',', ' ');
        std::istringstream s(line);
        Row r;
        s >> r.c >> r.fs >> r.nperseg >> r.noverlap >> r.f >> r.p;
        rows.push_back(r);
    }
    ASSERT_GT(rows.size(), 500u);
    int cases = 0;
    for (std::size_t i = 0; i < rows.size();) {
        std::size_t end = i;
        while (end < rows.size() && rows[end].c == rows[i].c) ++end;
        const auto spectrum = welch_psd(x, rows[i].fs, rows[i].nperseg, rows[i].noverlap);
        ASSERT_EQ(spectrum.power.size(), end - i) << "case " << rows[i].c;
        double worst = 0.0;
        for (std::size_t k = 0; k < end - i; ++k) {
            EXPECT_NEAR(spectrum.frequencies_hz[k], rows[i + k].f, 1e-12 * rows[i].fs);
            worst = std::max(worst, std::abs(spectrum.power[k] - rows[i + k].p) / rows[i + k].p);
        }
        // SciPy's and our rounding differ by at most 3e-14 relative (measured; summation
        // order); the bound is 1e-10. A wrong scaling, window or segmenting is O(1).
        EXPECT_LT(worst, 1e-10) << "case " << rows[i].c << " nperseg " << rows[i].nperseg;
        ++cases;
        i = end;
    }
    EXPECT_EQ(cases, 5);
}

TEST(Welch, IntegratesToTheVarianceOfWhiteNoise) {
    // Parseval: summed over 0..fs/2 the density times df is the variance, sigma^2 = 4.
    // The estimate is a weighted mean of ~N = 65536 squared N(0, 4) samples: relative
    // sd sqrt(2 / (0.9 N)) = 0.0058 (the Hann weights with 50% overlap vary between 0.5
    // and 1: effective N about 0.9 N); the per-segment mean removal biases it by
    // -(2/3) / nperseg = -0.0026. Bound: 4 sd + bias = 0.026 relative.
    RandomStream rng(5, 1, 1);
    std::vector<double> x(65536);
    for (double& v : x) v = rng.normal(0.0, 2.0);
    const auto spectrum = welch_psd(x, 500.0);
    EXPECT_EQ(spectrum.frequencies_hz.size(), 129u);
    EXPECT_EQ(spectrum.segments, 511u);
    EXPECT_NEAR(band_power(spectrum, 0.0, 250.0) / 4.0, 1.0, 0.026);
}

TEST(Welch, RejectsBadInput) {
    const std::vector<double> x(100, 1.0);
    expect_value_error([&] { welch_psd({}, 1000.0); }, "welch_psd: x is empty", "x");
    expect_value_error([&] { welch_psd(x, 0.0); }, "welch_psd: fs_hz must be a finite number > 0, got 0", "fs_hz");
    expect_value_error([&] { welch_psd(x, 1000.0, 50, 50); }, "welch_psd: noverlap must be < nperseg (50), got 50",
                       "noverlap");
    auto bad = x;
    bad[3] = std::nan("");
    expect_value_error([&] { welch_psd(bad, 1000.0); }, "welch_psd: x must be finite; element 3 is nan", "x");
    const auto spectrum = welch_psd(x, 1000.0, 50);
    expect_value_error([&] { peak_frequency(spectrum, 501.0, 600.0); },
                       "peak_frequency: f_low_hz to f_high_hz ([501, 600] Hz) contains no frequency of the spectrum",
                       "f_low_hz");
}

TEST(PopulationSpectrum, PeaksAtTheModulationFrequency) {
    // 200 neurons firing as inhomogeneous Poisson processes with rate
    // 20 (1 + 0.5 sin(2 pi 40 t)) Hz for 20 s (thinning of a 30 Hz process). The population
    // rate's spectrum: a line of power (20 x 0.5)^2 / 2 = 50 Hz^2 at 40 Hz (density about
    // 50 / (1.5 df) = 34 Hz^2/Hz with the Hann window's 1.5-bin width) over a white floor of
    // 2 x 20 / 200 = 0.2 Hz^2/Hz (shot noise of the population rate). The peak must be in the
    // bin nearest 40 Hz (df = 0.98 Hz) and stand far above the median of the spectrum.
    const double f_mod = 40.0, duration = 20000.0;
    std::vector<double> times;
    for (std::uint32_t i = 0; i < 200; ++i) {
        RandomStream rng(11, 4, i);
        for (double t = rng.exponential(1000.0 / 30.0); t < duration; t += rng.exponential(1000.0 / 30.0)) {
            const double rate = 20.0 * (1.0 + 0.5 * std::sin(2.0 * kPi * f_mod * t / 1000.0));
            if (rng.uniform() * 30.0 < rate) times.push_back(t);
        }
    }
    const auto spectrum = population_spectrum(times, 200, 0.0, duration, 1.0, 1024);
    const double df = spectrum.frequencies_hz[1];
    const auto peak = peak_frequency(spectrum, 2.0, 500.0);
    EXPECT_LE(std::abs(peak.frequency_hz - f_mod), df / 2.0);
    auto sorted = spectrum.power;
    std::nth_element(sorted.begin(), sorted.begin() + sorted.size() / 2, sorted.end());
    const double median = sorted[sorted.size() / 2];
    EXPECT_NEAR(median, 0.2, 0.05);  // the shot-noise floor (chi^2 scatter of the median ~ 5%)
    EXPECT_GT(peak.power, 50.0 * median);
    // An unmodulated population has no such peak.
    std::vector<double> flat;
    for (std::uint32_t i = 0; i < 200; ++i)
        for (double t : poisson_train(20.0, duration, 12, i)) flat.push_back(t);
    const auto flat_spectrum = population_spectrum(flat, 200, 0.0, duration, 1.0, 1024);
    EXPECT_LT(peak_frequency(flat_spectrum, 2.0, 500.0).power, 3.0 * median);
}

// ---- Kuramoto ---------------------------------------------------------------------------

TEST(Kuramoto, ExactForTwoRegularTrains) {
    // Two trains of period 100 ms, the second a quarter (half) period later: a constant
    // phase difference of pi/2 (pi), so R = |1 + exp(i pi/2)| / 2 = cos(pi/4) (and 0)
    // wherever both phases are defined.
    std::vector<double> a, quarter, half;
    for (int k = 0; k < 50; ++k) {
        a.push_back(100.0 * k);
        quarter.push_back(100.0 * k + 25.0);
        half.push_back(100.0 * k + 50.0);
    }
    const auto r1 = kuramoto_order(from_trains({a, quarter}), 0.0, 5000.0, 1.0);
    const auto r2 = kuramoto_order(from_trains({a, half}), 0.0, 5000.0, 1.0);
    EXPECT_NEAR(r1.mean_r, std::cos(kPi / 4.0), 1e-12);
    EXPECT_NEAR(r2.mean_r, 0.0, 1e-12);
    EXPECT_TRUE(std::isnan(r1.r[10]));  // only the first train has a phase at 10.5 ms
    EXPECT_EQ(r1.times_ms[10], 10.5);
}

TEST(Kuramoto, LockedVersusIndependentOscillators) {
    // 100 oscillators of period 100 ms (spike times jittered by sd 2 ms).
    // Locked (same phase): phase noise sd 2 pi x 2 / 100 = 0.126 rad, E[cos] = exp(-0.126^2/2)
    // = 0.992; each interval's linear phase averages two spikes' jitter, so R is about
    // 0.99 (measured over 40 seeds: at least 0.9946): bound > 0.97.
    // Independent (random phases and periods 90-110 ms): E[R^2] = 1/N = 0.01, E[R] =
    // sqrt(pi / 4N) = 0.089 (Rayleigh). Measured over 40 seeds: time mean 0.095, sd 0.0065
    // (0.088 without the first and last ~100 ms, where few phases are defined and R is
    // large). Bound: 0.089 +- 0.03, which holds the measured mean +- 4 sd.
    const std::size_t n = 100;
    const double duration = 20000.0;
    std::vector<std::vector<double>> locked(n), independent(n);
    for (std::uint32_t i = 0; i < n; ++i) {
        RandomStream rng(3, 5, i);
        for (double t = 100.0; t < duration; t += 100.0) locked[i].push_back(t + rng.normal(0.0, 2.0));
        std::sort(locked[i].begin(), locked[i].end());
        const double period = rng.uniform(90.0, 110.0);
        for (double t = rng.uniform(0.0, period); t < duration; t += period)
            independent[i].push_back(t + rng.normal(0.0, 2.0));
        std::sort(independent[i].begin(), independent[i].end());
    }
    const double r_locked = kuramoto_order(from_trains(locked), 0.0, duration, 1.0).mean_r;
    const double r_independent = kuramoto_order(from_trains(independent), 0.0, duration, 1.0).mean_r;
    EXPECT_GT(r_locked, 0.97);
    EXPECT_NEAR(r_independent, std::sqrt(kPi / (4.0 * n)), 0.03);
}

namespace {

// The Kuramoto model dtheta_i/dt = omega_i + (K/N) sum_j sin(theta_j - theta_i) for N
// oscillators with Gaussian natural frequencies (mean 10 Hz, sd 1 Hz), integrated by Euler
// at 0.1 ms from uniform random phases; oscillator i "spikes" each time theta_i crosses a
// multiple of 2 pi. Returns the spike trains and the true order parameter
// |mean exp(i theta)| averaged over [t_from, duration) ms.
struct KuramotoRun {
    std::vector<std::vector<double>> spikes_ms;
    double true_order = 0.0;
};

KuramotoRun simulate_kuramoto(std::size_t n, double coupling_per_s, double duration_ms, double t_from_ms) {
    const double dt_s = 1e-4;
    std::vector<double> omega(n), theta(n), last_cycle(n, 0.0);
    RandomStream rng(11, 9, 0);
    for (std::size_t i = 0; i < n; ++i) {
        omega[i] = 2.0 * kPi * rng.normal(10.0, 1.0);
        theta[i] = 2.0 * kPi * rng.uniform();
    }
    KuramotoRun run;
    run.spikes_ms.resize(n);
    double order_sum = 0.0;
    std::size_t order_samples = 0;
    const auto steps = static_cast<std::size_t>(duration_ms / (dt_s * 1000.0));
    for (std::size_t step = 0; step < steps; ++step) {
        double re = 0.0, im = 0.0;
        for (const double th : theta) {
            re += std::cos(th);
            im += std::sin(th);
        }
        re /= static_cast<double>(n);
        im /= static_cast<double>(n);
        const double t_ms = static_cast<double>(step) * dt_s * 1000.0;
        if (t_ms >= t_from_ms) {
            order_sum += std::hypot(re, im);
            ++order_samples;
        }
        // (K/N) sum_j sin(theta_j - theta_i) = K (im cos theta_i - re sin theta_i)
        for (std::size_t i = 0; i < n; ++i) {
            theta[i] += dt_s * (omega[i] + coupling_per_s * (im * std::cos(theta[i]) - re * std::sin(theta[i])));
            const double cycle = std::floor(theta[i] / (2.0 * kPi));
            if (cycle > last_cycle[i] && step > 0) run.spikes_ms[i].push_back(t_ms + dt_s * 1000.0);
            last_cycle[i] = cycle;
        }
    }
    run.true_order = order_sum / static_cast<double>(order_samples);
    return run;
}

}  // namespace

TEST(Kuramoto, OrderFromSpikesFollowsTheKuramotoModelAcrossCriticalCoupling) {
    // For Gaussian frequencies of sd sigma the critical coupling is K_c = 2 / (pi g(0)) =
    // sqrt(8/pi) sigma (Kuramoto 1984; Strogatz 2000, Physica D 143:1): 2 pi x 1.596 per s
    // here. Above it (K = 3 K_c) a macroscopic cluster locks and r is large; below it
    // (K = K_c / 2) the population stays incoherent and r ~ sqrt(pi/(4N)) = 0.063 for
    // N = 200. The spike-derived phase interpolates linearly between crossings, which
    // is the true phase to within the modulation of each oscillator's speed by the
    // coupling: the two order parameters agree to 0.05 in both states (measured 0.978
    // against 0.977 locked, 0.129 against 0.107 incoherent: below K_c a finite population
    // keeps partial, transient clusters), far closer than the gap between the states.
    const std::size_t n = 200;
    const double k_c = std::sqrt(8.0 / kPi) * 2.0 * kPi * 1.0;
    const double duration = 3000.0, from = 1000.0;
    for (const double factor : {3.0, 0.5}) {
        const KuramotoRun run = simulate_kuramoto(n, factor * k_c, duration, from);
        const double from_spikes = kuramoto_order(from_trains(run.spikes_ms), from, duration, 1.0).mean_r;
        std::printf("K = %.1f K_c: order from spikes %.4f, true %.4f\n", factor, from_spikes, run.true_order);
        EXPECT_NEAR(from_spikes, run.true_order, 0.05) << "K = " << factor << " K_c";
        if (factor > 1.0)
            EXPECT_GT(from_spikes, 0.8);
        else
            EXPECT_LT(from_spikes, 4.0 / std::sqrt(static_cast<double>(n)));
    }
}

// ---- STTC -------------------------------------------------------------------------------

TEST(Sttc, OneForIdenticalAndNearZeroForIndependentTrains) {
    const double duration = 100000.0, dt = 5.0;
    const auto a = poisson_train(10.0, duration, 21, 0);
    EXPECT_DOUBLE_EQ(sttc(a, a, dt, 0.0, duration), 1.0);
    // Every spike of a shifted copy (2 ms < dt) is still within dt: P_A = P_B = 1, STTC = 1.
    auto shifted = a;
    for (double& t : shifted) t += 2.0;
    EXPECT_DOUBLE_EQ(sttc(a, shifted, dt, 0.0, duration + 2.0), 1.0);
    // Independent 10 Hz trains, 100 s: T_B = 1 - exp(-2 dt r) = 0.095; P_A is a binomial
    // fraction of N_A = 1000 spikes with mean T_B, sd sqrt(T_B (1 - T_B) / N_A) = 0.0093;
    // each term (P_A - T_B) / (1 - P_A T_B) has slope 1 / (1 - T_B^2) = 1.01 there, so
    // sd(STTC) <= 0.0094 (the two terms at most perfectly correlated). Mean of 100 pairs:
    // sd 0.00094, bound 4 sd = 0.0038. The spread across pairs must match too.
    std::vector<double> values;
    for (std::uint32_t p = 0; p < 100; ++p)
        values.push_back(sttc(poisson_train(10.0, duration, 22, 2 * p), poisson_train(10.0, duration, 22, 2 * p + 1),
                              dt, 0.0, duration));
    double mean = 0.0, ss = 0.0;
    for (double v : values) mean += v;
    mean /= 100.0;
    for (double v : values) ss += (v - mean) * (v - mean);
    EXPECT_NEAR(mean, 0.0, 0.0038);
    EXPECT_LT(std::sqrt(ss / 99.0), 0.0094 * 1.4);  // sample sd of 100: +40% is > 4 sigma
    // Trains that avoid each other: b's spikes fall midway between a's (period 100 ms).
    std::vector<double> ra, rb;
    for (int k = 0; k < 100; ++k) {
        ra.push_back(100.0 * k + 10.0);
        rb.push_back(100.0 * k + 60.0);
    }
    EXPECT_LT(sttc(ra, rb, dt, 0.0, 10000.0), -0.05);
    EXPECT_TRUE(std::isnan(sttc({}, a, dt, 0.0, duration)));
    expect_value_error([&] { sttc(a, a, 0.0, 0.0, duration); }, "sttc: dt_ms must be a finite number > 0, got 0",
                       "dt_ms");
    expect_value_error([&] { sttc(std::vector<double>{2.0, 1.0}, a, dt, 0.0, duration); },
                       "sttc: a_ms must be sorted ascending; element 1 (1) is below the one before (2)", "a_ms");
}

// ---- filtering, Hilbert, PAC ------------------------------------------------------------

TEST(Filtering, HilbertAndBandpassOfSinusoids) {
    // Whole numbers of cycles in the window, so the DFT is exact: the analytic signal of
    // cos(w t + p) is exp(i (w t + p)), and a band-pass keeps exactly the component inside.
    const std::size_t n = 1000;  // fs = 1000 Hz, 1 s
    std::vector<double> x(n), slow(n);
    for (std::size_t i = 0; i < n; ++i) {
        const double t = static_cast<double>(i) / 1000.0;
        slow[i] = std::cos(2.0 * kPi * 7.0 * t + 0.4);
        x[i] = slow[i] + 0.3 * std::sin(2.0 * kPi * 90.0 * t);
    }
    const auto z = analytic_signal(slow);
    const auto y = bandpass_fft(x, 1000.0, 4.0, 10.0);
    for (std::size_t i = 0; i < n; ++i) {
        const double phase = 2.0 * kPi * 7.0 * static_cast<double>(i) / 1000.0 + 0.4;
        EXPECT_NEAR(z[i].real(), std::cos(phase), 1e-12);
        EXPECT_NEAR(z[i].imag(), std::sin(phase), 1e-12);
        EXPECT_NEAR(y[i], slow[i], 1e-12);
    }
    expect_value_error([&] { bandpass_fft(x, 1000.0, 10.0, 4.0); },
                       "bandpass_fft: f_high_hz must be > f_low_hz (10), got 4", "f_high_hz");
}

TEST(ModulationIndex, ExtremesAndErrors) {
    // All amplitude in one phase bin: H = 0, MI = 1. Amplitude independent of phase with
    // every bin equally filled: P uniform, MI = 0.
    std::vector<double> phase, one_bin, flat;
    for (int i = 0; i < 1800; ++i) {
        phase.push_back(-kPi + (i % 18 + 0.5) * 2.0 * kPi / 18.0);
        one_bin.push_back(i % 18 == 4 ? 2.0 : 0.0);
        flat.push_back(3.0);
    }
    EXPECT_NEAR(modulation_index(phase, one_bin).modulation_index, 1.0, 1e-15);
    EXPECT_NEAR(modulation_index(phase, flat).modulation_index, 0.0, 1e-15);
    expect_value_error([&] { modulation_index(phase, std::vector<double>(3, 1.0)); },
                       "modulation_index: amplitude must have as many elements as phase (1800), got 3", "amplitude");
    expect_value_error([&] { modulation_index(phase, flat, 1); }, "modulation_index: n_bins must be >= 2, got 1",
                       "n_bins");
}

TEST(PhaseAmplitudeCoupling, KnownModulationAndShuffledControl) {
    // x = sin(2 pi 6 t + 0.1) + 0.5 (1 + m cos(2 pi 6 t + 0.1)) sin(2 pi 80 t), 20 s at 1 kHz
    // (whole cycles: the FFT filters are exact). The 4-8 Hz band keeps the first term, whose
    // analytic phase is theta = 2 pi 6 t + 0.1 - pi/2; the 60-100 Hz band keeps the AM
    // carrier and both sidebands, whose envelope is 0.5 (1 - m sin theta). The expected MI
    // is computed here from those closed forms on the same samples (no filtering).
    const std::size_t n = 20000;
    const double m = 0.5;
    std::vector<double> x(n);
    std::vector<double> expected_sum(18, 0.0), expected_count(18, 0.0);
    for (std::size_t i = 0; i < n; ++i) {
        const double t = static_cast<double>(i) / 1000.0;
        x[i] = std::sin(2 * kPi * 6 * t + 0.1) + 0.5 * (1 + m * std::cos(2 * kPi * 6 * t + 0.1)) * std::sin(2 * kPi * 80 * t);
        double theta = std::fmod(2 * kPi * 6 * t + 0.1 - kPi / 2 + 3 * kPi, 2 * kPi) - kPi;  // in [-pi, pi)
        const auto bin = std::min<std::size_t>(17, static_cast<std::size_t>((theta + kPi) / (2 * kPi) * 18));
        expected_sum[bin] += 0.5 * (1 - m * std::sin(theta));
        expected_count[bin] += 1;
    }
    double total = 0.0, entropy = 0.0;
    for (int j = 0; j < 18; ++j) total += expected_sum[j] / expected_count[j];
    for (int j = 0; j < 18; ++j) {
        const double p = expected_sum[j] / expected_count[j] / total;
        entropy -= p * std::log(p);
    }
    const double expected_mi = (std::log(18.0) - entropy) / std::log(18.0);
    const auto pac = phase_amplitude_coupling(x, 1000.0, 4.0, 8.0, 60.0, 100.0);
    EXPECT_NEAR(pac.modulation_index, expected_mi, 1e-9 * expected_mi);
    EXPECT_GT(expected_mi, 0.01);

    // With noise (sd 0.5) the coupling must stand far above a shuffled control: the
    // amplitude samples randomly permuted (20 times), which keeps their distribution and
    // breaks any relation to the phase. (A circular time shift, the usual control for
    // recordings, keeps a strictly periodic coupling like this one.) A permuted control's
    // MI is the bias of 18 bin means of ~1100 samples: about (17 / 2) CV^2 / (N ln 18)
    // ~ 1e-5 here; noise in the 60-100 Hz band (variance 0.02) lowers the coupled MI by
    // flattening the envelope, by less than half.
    RandomStream rng(9, 6, 0);
    for (double& v : x) v += rng.normal(0.0, 0.5);
    const auto slow = analytic_signal(bandpass_fft(x, 1000.0, 4.0, 8.0));
    const auto fast = analytic_signal(bandpass_fft(x, 1000.0, 60.0, 100.0));
    std::vector<double> phase(n), amplitude(n);
    for (std::size_t i = 0; i < n; ++i) {
        phase[i] = std::arg(slow[i]);
        amplitude[i] = std::abs(fast[i]);
    }
    const double coupled = modulation_index(phase, amplitude).modulation_index;
    double largest_control = 0.0;
    auto shuffled = amplitude;
    for (int s = 0; s < 20; ++s) {
        for (std::size_t i = n - 1; i > 0; --i) std::swap(shuffled[i], shuffled[rng.below(i + 1)]);
        largest_control = std::max(largest_control, modulation_index(phase, shuffled).modulation_index);
    }
    EXPECT_GT(coupled, 0.5 * expected_mi);
    EXPECT_LT(largest_control, 1e-3);
    EXPECT_GT(coupled, 10.0 * largest_control);
}

// ---- aperiodic exponent ----------------------------------------------------------------

TEST(Aperiodic, ExactPowerLawsFixedAndKnee) {
    PowerSpectrum s;
    for (int k = 0; k <= 500; ++k) {
        const double f = k * 0.5;
        s.frequencies_hz.push_back(f);
        s.power.push_back(f > 0 ? std::pow(10.0, 2.5) / std::pow(f, 1.7) : 1.0);
    }
    const auto fixed = fit_aperiodic(s, 1.0, 200.0);
    EXPECT_NEAR(fixed.exponent, 1.7, 1e-12);
    EXPECT_NEAR(fixed.offset, 2.5, 1e-12);
    EXPECT_NEAR(fixed.r_squared, 1.0, 1e-12);
    for (std::size_t k = 1; k < s.power.size(); ++k) {
        const double f = s.frequencies_hz[k];
        s.power[k] = std::pow(10.0, 3.0) / (25.0 + std::pow(f, 2.2));  // knee at 25^(1/2.2) = 4.3 Hz
    }
    const auto knee = fit_aperiodic(s, 1.0, 200.0, AperiodicMode::knee);
    EXPECT_NEAR(knee.exponent, 2.2, 1e-6);
    EXPECT_NEAR(knee.knee, 25.0, 1e-4);
    EXPECT_NEAR(knee.offset, 3.0, 1e-6);
    // The fixed model cannot follow the bend: its exponent is biased low.
    EXPECT_LT(fit_aperiodic(s, 1.0, 200.0).exponent, 2.1);
}

TEST(Aperiodic, RecoversTheExponentOfSynthesisedNoise) {
    // 1/f^a noise, a = 1.5: white Gaussian noise, its DFT scaled by f^(-a/2), transformed
    // back; 2^17 samples at 1 kHz; Welch with nperseg 1024 (df = 0.98 Hz), fit 5-200 Hz.
    // The OLS stderr treats the 199 log-powers as independent, but Hann-windowed bins are
    // correlated with their neighbours (power correlation 4/9 at lag 1, 1/36 at lag 2),
    // which inflates the slope variance by about 1 + 2 (4/9 + 1/36) = 1.94: the sampling
    // sd is about 1.4 x stderr (measured over 200 seeds: sd 0.0083 = 1.45 x the mean
    // stderr 0.0057; mean exponent 1.5016, a leakage bias of 0.2 sd). Bound: 4 x 1.5 x stderr.
    const std::size_t n = 1 << 17;
    const double a = 1.5, fs = 1000.0;
    for (std::uint32_t seed : {1u, 2u, 3u}) {
        RandomStream rng(seed, 7, 0);
        std::vector<Complex> z(n);
        for (auto& c : z) c = rng.normal();
        FftPlan plan(n);
        plan.forward(z);
        z[0] = 0.0;
        for (std::size_t k = 1; k < n; ++k) {
            const double index = k <= n / 2 ? static_cast<double>(k) : static_cast<double>(n - k);
            z[k] *= std::pow(index * fs / static_cast<double>(n), -a / 2.0);
        }
        plan.inverse(z);
        std::vector<double> x(n);
        for (std::size_t i = 0; i < n; ++i) x[i] = z[i].real();
        const auto fit = fit_aperiodic(welch_psd(x, fs, 1024), 5.0, 200.0);
        EXPECT_NEAR(fit.exponent, a, 4.0 * 1.5 * fit.exponent_stderr) << "seed " << seed;
        EXPECT_LT(fit.exponent_stderr, 0.02);
        EXPECT_EQ(fit.n_points, 199u);  // bins 6..204 of 0.98 Hz
    }
}

TEST(Aperiodic, RejectsBadInput) {
    PowerSpectrum s{{0.0, 1.0, 2.0, 3.0}, {1.0, 1.0, 0.0, 1.0}, 1};
    expect_value_error([&] { fit_aperiodic(s, 1.0, 3.0); },
                       "fit_aperiodic: spectrum must have finite power > 0 in the fit range; at 2 Hz it is 0", "spectrum");
    expect_value_error([&] { fit_aperiodic(s, 3.0, 1.0); }, "fit_aperiodic: f_high_hz must be > f_low_hz (3), got 1",
                       "f_high_hz");
    s.power[2] = 1.0;
    expect_value_error([&] { fit_aperiodic(s, 1.0, 2.0); },
                       "fit_aperiodic: f_low_hz to f_high_hz holds 2 frequencies > 0; need at least 3", "f_low_hz");
}
