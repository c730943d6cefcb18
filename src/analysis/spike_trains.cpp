#include "neurodyn/analysis/spike_trains.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "input_checks.hpp"
#include "neurodyn/analysis/fft.hpp"

namespace neurodyn::analysis {

using detail::fail;
using detail::str;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Whole bins of width `bin` in [t_start, t_stop) (a last partial bin is dropped).
std::size_t whole_bins(double t_start, double t_stop, double bin) {
    return static_cast<std::size_t>(std::floor((t_stop - t_start) / bin + 1e-9));
}

// Bins covering [t_start, t_stop), the last one possibly partial.
std::size_t covering_bins(double t_start, double t_stop, double bin) {
    return static_cast<std::size_t>(std::max(0.0, std::ceil((t_stop - t_start) / bin - 1e-9)));
}

// Counts of a sorted train in `n_bins` bins of `bin` from t_start.
void bin_counts(std::span<const double> train, double t_start, double bin, std::size_t n_bins, double* out) {
    std::fill(out, out + n_bins, 0.0);
    const double t_end = t_start + static_cast<double>(n_bins) * bin;
    auto it = std::lower_bound(train.begin(), train.end(), t_start);
    for (; it != train.end() && *it < t_end; ++it) {
        const auto b = static_cast<std::size_t>((*it - t_start) / bin);
        if (b < n_bins) out[b] += 1.0;
    }
}

// Centre a series in place; returns its sum of squares about the mean.
double centre(double* x, std::size_t n) {
    double mean = 0.0;
    for (std::size_t i = 0; i < n; ++i) mean += x[i];
    mean /= static_cast<double>(n);
    double ss = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
        x[i] -= mean;
        ss += x[i] * x[i];
    }
    return ss;
}

}  // namespace

SpikeTrains group_by_neuron(std::span<const double> times_ms, std::span<const std::uint32_t> ids,
                            std::size_t n_neurons) {
    constexpr const char* f = "group_by_neuron";
    if (times_ms.size() != ids.size())
        fail(f, "ids", "must have as many elements as times_ms (" + std::to_string(times_ms.size()) + "), got " +
                           std::to_string(ids.size()));
    SpikeTrains trains;
    trains.offsets.assign(n_neurons + 1, 0);
    for (std::size_t k = 0; k < ids.size(); ++k) {
        if (ids[k] >= n_neurons)
            fail(f, "ids", "must be < n_neurons (" + std::to_string(n_neurons) + "); element " + std::to_string(k) +
                               " is " + std::to_string(ids[k]));
        if (!std::isfinite(times_ms[k]))
            fail(f, "times_ms", "must be finite; element " + std::to_string(k) + " is " + str(times_ms[k]));
        ++trains.offsets[ids[k] + 1];
    }
    for (std::size_t i = 0; i < n_neurons; ++i) trains.offsets[i + 1] += trains.offsets[i];
    std::vector<std::size_t> next(trains.offsets.begin(), trains.offsets.end() - 1);
    trains.times_ms.resize(times_ms.size());
    for (std::size_t k = 0; k < ids.size(); ++k) trains.times_ms[next[ids[k]]++] = times_ms[k];
    for (std::size_t i = 0; i < n_neurons; ++i) {
        auto first = trains.times_ms.begin() + static_cast<std::ptrdiff_t>(trains.offsets[i]);
        auto last = trains.times_ms.begin() + static_cast<std::ptrdiff_t>(trains.offsets[i + 1]);
        if (!std::is_sorted(first, last)) std::sort(first, last);
    }
    return trains;
}

std::vector<double> firing_rates_hz(const SpikeTrains& trains, double t_start_ms, double t_stop_ms) {
    detail::require_window("firing_rates_hz", t_start_ms, t_stop_ms);
    const double seconds = (t_stop_ms - t_start_ms) / 1000.0;
    std::vector<double> rates(trains.n_neurons());
    for (std::size_t i = 0; i < rates.size(); ++i) {
        const auto train = trains.train(i);
        const auto first = std::lower_bound(train.begin(), train.end(), t_start_ms);
        const auto last = std::lower_bound(first, train.end(), t_stop_ms);
        rates[i] = static_cast<double>(last - first) / seconds;
    }
    return rates;
}

std::vector<double> population_rates_hz(std::span<const double> neuron_rates_hz,
                                        std::span<const std::uint32_t> population_of, std::size_t n_populations) {
    constexpr const char* f = "population_rates_hz";
    if (population_of.size() != neuron_rates_hz.size())
        fail(f, "population_of",
             "must have as many elements as neuron_rates_hz (" + std::to_string(neuron_rates_hz.size()) + "), got " +
                 std::to_string(population_of.size()));
    std::vector<double> sum(n_populations, 0.0), count(n_populations, 0.0);
    for (std::size_t i = 0; i < population_of.size(); ++i) {
        if (population_of[i] >= n_populations)
            fail(f, "population_of",
                 "must be < n_populations (" + std::to_string(n_populations) + "); element " + std::to_string(i) +
                     " is " + std::to_string(population_of[i]));
        if (!std::isfinite(neuron_rates_hz[i]))
            fail(f, "neuron_rates_hz", "must be finite; element " + std::to_string(i) + " is " + str(neuron_rates_hz[i]));
        sum[population_of[i]] += neuron_rates_hz[i];
        count[population_of[i]] += 1.0;
    }
    for (std::size_t p = 0; p < n_populations; ++p) sum[p] = count[p] > 0.0 ? sum[p] / count[p] : kNaN;
    return sum;
}

DiscreteKernel make_rate_kernel(RateKernel kernel, double width_ms, double bin_ms) {
    constexpr const char* f = "make_rate_kernel";
    detail::require_positive(f, "width_ms", width_ms);
    detail::require_positive(f, "bin_ms", bin_ms);
    // cdf(t): the kernel's integral from -infinity to t; support [lo, hi] after the cut.
    double lo = 0.0, hi = 0.0;
    auto cdf = [&](double t) -> double {
        switch (kernel) {
            case RateKernel::box:
                return std::clamp((t + 0.5 * width_ms) / width_ms, 0.0, 1.0);
            case RateKernel::gaussian:
                return 0.5 * std::erfc(-t / (width_ms * std::sqrt(2.0)));
            case RateKernel::exponential:
                return t <= 0.0 ? 0.0 : -std::expm1(-t / width_ms);
            case RateKernel::alpha:
                return t <= 0.0 ? 0.0 : 1.0 - std::exp(-t / width_ms) * (1.0 + t / width_ms);
        }
        return 0.0;
    };
    switch (kernel) {
        case RateKernel::box: lo = -0.5 * width_ms; hi = 0.5 * width_ms; break;
        case RateKernel::gaussian: lo = -5.0 * width_ms; hi = 5.0 * width_ms; break;
        case RateKernel::exponential: lo = 0.0; hi = 12.0 * width_ms; break;
        case RateKernel::alpha: lo = 0.0; hi = 15.0 * width_ms; break;
        default: fail(f, "kernel", "is not a known RateKernel");
    }
    // Lags j with bin [(j - 1/2) bin, (j + 1/2) bin) overlapping [lo, hi].
    const auto j_lo = static_cast<std::ptrdiff_t>(std::floor(lo / bin_ms + 0.5));
    const auto j_hi = static_cast<std::ptrdiff_t>(std::ceil(hi / bin_ms - 0.5));
    DiscreteKernel result;
    result.origin = static_cast<std::size_t>(-j_lo);
    double total = 0.0;
    for (std::ptrdiff_t j = j_lo; j <= j_hi; ++j) {
        const double a = std::max(lo, (static_cast<double>(j) - 0.5) * bin_ms);
        const double b = std::min(hi, (static_cast<double>(j) + 0.5) * bin_ms);
        const double w = b > a ? cdf(b) - cdf(a) : 0.0;
        result.weights.push_back(w);
        total += w;
    }
    for (double& w : result.weights) w /= total;
    return result;
}

std::vector<double> population_rate_hz(std::span<const double> times_ms, std::size_t n_neurons, double t_start_ms,
                                       double t_stop_ms, double bin_ms, RateKernel kernel, double width_ms) {
    constexpr const char* f = "population_rate_hz";
    detail::require_window(f, t_start_ms, t_stop_ms);
    detail::require_positive(f, "bin_ms", bin_ms);
    if (n_neurons == 0) fail(f, "n_neurons", "must be >= 1, got 0");
    const DiscreteKernel k = make_rate_kernel(kernel, width_ms, bin_ms);
    const std::size_t n_bins = covering_bins(t_start_ms, t_stop_ms, bin_ms);
    std::vector<double> counts(n_bins, 0.0);
    for (std::size_t s = 0; s < times_ms.size(); ++s) {
        const double t = times_ms[s];
        if (std::isnan(t)) fail(f, "times_ms", "must not contain NaN; element " + std::to_string(s) + " is NaN");
        if (t < t_start_ms || t >= t_stop_ms) continue;
        const auto b = static_cast<std::size_t>((t - t_start_ms) / bin_ms);
        if (b < n_bins) counts[b] += 1.0;
    }
    const double scale = 1.0 / (static_cast<double>(n_neurons) * bin_ms / 1000.0);
    const std::size_t K = k.weights.size();
    const auto origin = static_cast<std::ptrdiff_t>(k.origin);
    std::vector<double> rate(n_bins, 0.0);
    if (K <= 64) {
        // rate[b] = sum_j w[j] counts[b - (j - origin)]
        for (std::size_t b = 0; b < n_bins; ++b) {
            double sum = 0.0;
            for (std::size_t j = 0; j < K; ++j) {
                const std::ptrdiff_t src = static_cast<std::ptrdiff_t>(b) - (static_cast<std::ptrdiff_t>(j) - origin);
                if (src >= 0 && src < static_cast<std::ptrdiff_t>(n_bins)) sum += k.weights[j] * counts[static_cast<std::size_t>(src)];
            }
            rate[b] = sum * scale;
        }
        return rate;
    }
    // Linear convolution y = counts * w by FFT (length >= n_bins + K - 1); rate[b] = y[b + origin].
    const std::size_t L = next_power_of_two(n_bins + K - 1);
    const FftPlan plan(L);
    std::vector<Complex> x(L, Complex{}), w(L, Complex{});
    for (std::size_t b = 0; b < n_bins; ++b) x[b] = counts[b];
    for (std::size_t j = 0; j < K; ++j) w[j] = k.weights[j];
    plan.forward(x);
    plan.forward(w);
    for (std::size_t i = 0; i < L; ++i) x[i] *= w[i];
    plan.inverse(x);
    for (std::size_t b = 0; b < n_bins; ++b) rate[b] = x[b + k.origin].real() * scale;
    return rate;
}

IsiHistogram isi_histogram(const SpikeTrains& trains, double bin_ms, double max_ms) {
    constexpr const char* f = "isi_histogram";
    detail::require_positive(f, "bin_ms", bin_ms);
    detail::require_positive(f, "max_ms", max_ms);
    IsiHistogram h;
    h.bin_ms = bin_ms;
    const std::size_t n_bins = covering_bins(0.0, max_ms, bin_ms);
    h.counts.assign(n_bins, 0.0);
    for (std::size_t i = 0; i < trains.n_neurons(); ++i) {
        const auto train = trains.train(i);
        for (std::size_t k = 1; k < train.size(); ++k) {
            const double isi = train[k] - train[k - 1];
            ++h.n_intervals;
            const auto b = static_cast<std::size_t>(isi / bin_ms);
            if (b < n_bins)
                h.counts[b] += 1.0;
            else
                ++h.n_beyond;
        }
    }
    return h;
}

std::vector<double> isi_cv_per_neuron(const SpikeTrains& trains, std::size_t min_intervals) {
    const std::size_t needed = std::max<std::size_t>(min_intervals, 2);
    std::vector<double> cv(trains.n_neurons(), kNaN);
    for (std::size_t i = 0; i < cv.size(); ++i) {
        const auto train = trains.train(i);
        if (train.size() < needed + 1) continue;
        const double n = static_cast<double>(train.size() - 1);
        const double mean = (train.back() - train.front()) / n;
        double ss = 0.0;  // two-pass: sum of squared deviations from the known mean
        for (std::size_t k = 1; k < train.size(); ++k) {
            const double d = train[k] - train[k - 1] - mean;
            ss += d * d;
        }
        if (mean > 0.0) cv[i] = std::sqrt(ss / (n - 1.0)) / mean;
    }
    return cv;
}

std::vector<double> local_variation(const SpikeTrains& trains, std::size_t min_intervals) {
    const std::size_t needed = std::max<std::size_t>(min_intervals, 2);
    std::vector<double> lv(trains.n_neurons(), kNaN);
    for (std::size_t i = 0; i < lv.size(); ++i) {
        const auto train = trains.train(i);
        if (train.size() < needed + 1) continue;
        double sum = 0.0;
        std::size_t terms = 0;
        double previous = train[1] - train[0];
        for (std::size_t k = 2; k < train.size(); ++k) {
            const double isi = train[k] - train[k - 1];
            const double total = previous + isi;
            if (total > 0.0) {
                const double r = (previous - isi) / total;
                sum += r * r;
            }
            ++terms;
            previous = isi;
        }
        lv[i] = 3.0 * sum / static_cast<double>(terms);
    }
    return lv;
}

std::vector<double> fano_factors(const SpikeTrains& trains, double t_start_ms, double t_stop_ms, double window_ms) {
    constexpr const char* f = "fano_factors";
    detail::require_window(f, t_start_ms, t_stop_ms);
    detail::require_positive(f, "window_ms", window_ms);
    const std::size_t n_windows = whole_bins(t_start_ms, t_stop_ms, window_ms);
    std::vector<double> fano(trains.n_neurons(), kNaN);
    if (n_windows < 2) return fano;
    const double t_end = t_start_ms + static_cast<double>(n_windows) * window_ms;
    const double W = static_cast<double>(n_windows);
    for (std::size_t i = 0; i < fano.size(); ++i) {
        const auto train = trains.train(i);
        // Spikes are sorted, so the counts of one window come as a run: one pass.
        double sum = 0.0, sum_sq = 0.0, run = 0.0;
        std::size_t window = std::numeric_limits<std::size_t>::max();
        for (auto it = std::lower_bound(train.begin(), train.end(), t_start_ms); it != train.end() && *it < t_end; ++it) {
            const auto w = std::min(static_cast<std::size_t>((*it - t_start_ms) / window_ms), n_windows - 1);
            if (w != window) {
                sum_sq += run * run;
                run = 0.0;
                window = w;
            }
            run += 1.0;
            sum += 1.0;
        }
        sum_sq += run * run;
        if (sum == 0.0) continue;
        const double mean = sum / W;
        const double variance = (sum_sq - sum * mean) / (W - 1.0);
        fano[i] = variance / mean;
    }
    return fano;
}

double finite_mean(std::span<const double> values) {
    double sum = 0.0;
    std::size_t n = 0;
    for (double v : values)
        if (!std::isnan(v)) {
            sum += v;
            ++n;
        }
    return n ? sum / static_cast<double>(n) : kNaN;
}

double count_correlation(std::span<const double> a_ms, std::span<const double> b_ms, double t_start_ms,
                         double t_stop_ms, double bin_ms) {
    constexpr const char* f = "count_correlation";
    detail::require_window(f, t_start_ms, t_stop_ms);
    detail::require_positive(f, "bin_ms", bin_ms);
    detail::require_sorted(f, "a_ms", a_ms);
    detail::require_sorted(f, "b_ms", b_ms);
    const std::size_t n_bins = whole_bins(t_start_ms, t_stop_ms, bin_ms);
    if (n_bins < 2) fail(f, "bin_ms", "leaves fewer than 2 whole bins in the window, got " + str(bin_ms));
    std::vector<double> x(n_bins), y(n_bins);
    bin_counts(a_ms, t_start_ms, bin_ms, n_bins, x.data());
    bin_counts(b_ms, t_start_ms, bin_ms, n_bins, y.data());
    const double sx = centre(x.data(), n_bins), sy = centre(y.data(), n_bins);
    if (sx == 0.0 || sy == 0.0) return kNaN;
    double sxy = 0.0;
    for (std::size_t b = 0; b < n_bins; ++b) sxy += x[b] * y[b];
    return sxy / std::sqrt(sx * sy);
}

std::vector<double> count_correlation_matrix(const SpikeTrains& trains, std::span<const std::uint32_t> neurons,
                                             double t_start_ms, double t_stop_ms, double bin_ms) {
    constexpr const char* f = "count_correlation_matrix";
    detail::require_window(f, t_start_ms, t_stop_ms);
    detail::require_positive(f, "bin_ms", bin_ms);
    const std::size_t k = neurons.size(), n_bins = whole_bins(t_start_ms, t_stop_ms, bin_ms);
    if (n_bins < 2) fail(f, "bin_ms", "leaves fewer than 2 whole bins in the window, got " + str(bin_ms));
    for (std::size_t i = 0; i < k; ++i)
        if (neurons[i] >= trains.n_neurons())
            fail(f, "neurons", "must be < the number of neurons (" + std::to_string(trains.n_neurons()) + "); element " +
                                   std::to_string(i) + " is " + std::to_string(neurons[i]));
    // Centred counts, one row per neuron, scaled to unit norm: r_ij is then a dot product.
    std::vector<double> rows(k * n_bins);
    std::vector<bool> constant(k, false);
    for (std::size_t i = 0; i < k; ++i) {
        double* row = rows.data() + i * n_bins;
        bin_counts(trains.train(neurons[i]), t_start_ms, bin_ms, n_bins, row);
        const double ss = centre(row, n_bins);
        if (ss == 0.0) {
            constant[i] = true;
            continue;
        }
        const double inv = 1.0 / std::sqrt(ss);
        for (std::size_t b = 0; b < n_bins; ++b) row[b] *= inv;
    }
    std::vector<double> r(k * k, kNaN);
    for (std::size_t i = 0; i < k; ++i) {
        if (constant[i]) continue;
        r[i * k + i] = 1.0;
        const double* ri = rows.data() + i * n_bins;
        for (std::size_t j = i + 1; j < k; ++j) {
            if (constant[j]) continue;
            const double* rj = rows.data() + j * n_bins;
            double dot = 0.0;
            for (std::size_t b = 0; b < n_bins; ++b) dot += ri[b] * rj[b];
            r[i * k + j] = r[j * k + i] = dot;
        }
    }
    return r;
}

Correlogram cross_correlogram(std::span<const double> a_ms, std::span<const double> b_ms, double bin_ms,
                              double max_lag_ms, double t_start_ms, double t_stop_ms, CorrelogramNorm norm) {
    constexpr const char* f = "cross_correlogram";
    detail::require_positive(f, "bin_ms", bin_ms);
    detail::require_finite(f, "max_lag_ms", max_lag_ms);
    if (max_lag_ms < 0.0) fail(f, "max_lag_ms", "must be >= 0, got " + str(max_lag_ms));
    detail::require_window(f, t_start_ms, t_stop_ms);
    detail::require_sorted(f, "a_ms", a_ms);
    detail::require_sorted(f, "b_ms", b_ms);
    const auto M = static_cast<std::size_t>(std::llround(max_lag_ms / bin_ms));
    const std::size_t n_bins = 2 * M + 1;
    Correlogram c;
    c.lags_ms.resize(n_bins);
    c.values.assign(n_bins, 0.0);
    for (std::size_t m = 0; m < n_bins; ++m) c.lags_ms[m] = (static_cast<double>(m) - static_cast<double>(M)) * bin_ms;
    const double reach = (static_cast<double>(M) + 0.5) * bin_ms;  // lags in [-reach, reach)
    std::size_t first = 0;
    for (const double ta : a_ms) {
        while (first < b_ms.size() && b_ms[first] < ta - reach) ++first;
        for (std::size_t j = first; j < b_ms.size() && b_ms[j] < ta + reach; ++j) {
            const double bin = std::floor((b_ms[j] - ta) / bin_ms + 0.5) + static_cast<double>(M);
            if (bin >= 0.0 && bin < static_cast<double>(n_bins)) c.values[static_cast<std::size_t>(bin)] += 1.0;
        }
    }
    const double T = t_stop_ms - t_start_ms;
    const double na = static_cast<double>(a_ms.size()), nb = static_cast<double>(b_ms.size());
    for (std::size_t m = 0; m < n_bins; ++m) {
        switch (norm) {
            case CorrelogramNorm::counts: break;
            case CorrelogramNorm::rate_hz: c.values[m] = na > 0.0 ? c.values[m] / (na * bin_ms / 1000.0) : kNaN; break;
            case CorrelogramNorm::independence: {
                const double expected = na * nb * bin_ms * std::max(0.0, T - std::abs(c.lags_ms[m])) / (T * T);
                c.values[m] = expected > 0.0 ? c.values[m] / expected : kNaN;
                break;
            }
        }
    }
    return c;
}

}  // namespace neurodyn::analysis
