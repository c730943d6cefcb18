#include "neurodyn/analysis/spike_statistics.hpp"

#include <cmath>
#include <limits>

namespace neurodyn::analysis {

double mean_rate_hz(std::size_t n_spikes, std::size_t n_neurons, double duration_ms) {
    if (n_neurons == 0 || !(duration_ms > 0.0)) return 0.0;
    return static_cast<double>(n_spikes) / static_cast<double>(n_neurons) / (duration_ms / 1000.0);
}

IsiCv isi_cv(std::span<const double> times_ms, std::span<const std::uint32_t> ids, std::size_t n_neurons,
             std::size_t min_intervals) {
    // One pass: per neuron, running sums of intervals and their squares.
    std::vector<double> last(n_neurons, std::numeric_limits<double>::quiet_NaN());
    std::vector<double> sum(n_neurons, 0.0), sum_sq(n_neurons, 0.0);
    std::vector<std::size_t> count(n_neurons, 0);
    for (std::size_t k = 0; k < times_ms.size(); ++k) {
        const std::uint32_t i = ids[k];
        if (i >= n_neurons) continue;
        if (!std::isnan(last[i])) {
            const double isi = times_ms[k] - last[i];
            sum[i] += isi;
            sum_sq[i] += isi * isi;
            ++count[i];
        }
        last[i] = times_ms[k];
    }
    IsiCv result;
    double total = 0.0;
    for (std::size_t i = 0; i < n_neurons; ++i) {
        if (count[i] < std::max<std::size_t>(min_intervals, 2)) continue;
        const double n = static_cast<double>(count[i]);
        const double mean = sum[i] / n;
        const double variance = std::max(0.0, (sum_sq[i] - n * mean * mean) / (n - 1.0));
        total += std::sqrt(variance) / mean;
        ++result.neurons_used;
    }
    result.mean_cv = result.neurons_used ? total / static_cast<double>(result.neurons_used)
                                         : std::numeric_limits<double>::quiet_NaN();
    return result;
}

std::vector<double> population_histogram(std::span<const double> times_ms, double t_start_ms, double t_stop_ms,
                                         double bin_ms) {
    const auto bins = static_cast<std::size_t>(std::max(0.0, std::ceil((t_stop_ms - t_start_ms) / bin_ms - 1e-9)));
    std::vector<double> counts(bins, 0.0);
    for (const double t : times_ms) {
        if (t < t_start_ms || t >= t_stop_ms) continue;
        const auto b = static_cast<std::size_t>((t - t_start_ms) / bin_ms);
        if (b < bins) counts[b] += 1.0;
    }
    return counts;
}

double fano_factor(std::span<const double> counts) {
    if (counts.size() < 2) return std::numeric_limits<double>::quiet_NaN();
    double mean = 0.0;
    for (double c : counts) mean += c;
    mean /= static_cast<double>(counts.size());
    if (mean == 0.0) return std::numeric_limits<double>::quiet_NaN();
    double variance = 0.0;
    for (double c : counts) variance += (c - mean) * (c - mean);
    variance /= static_cast<double>(counts.size() - 1);
    return variance / mean;
}

double synchrony_chi(std::span<const double> signals, std::size_t n_times, std::size_t n_neurons) {
    if (n_times < 2 || n_neurons == 0) return std::numeric_limits<double>::quiet_NaN();
    std::vector<double> mean_i(n_neurons, 0.0), sq_i(n_neurons, 0.0);
    double mean_pop = 0.0, sq_pop = 0.0;
    for (std::size_t t = 0; t < n_times; ++t) {
        double pop = 0.0;
        for (std::size_t i = 0; i < n_neurons; ++i) {
            const double x = signals[t * n_neurons + i];
            mean_i[i] += x;
            sq_i[i] += x * x;
            pop += x;
        }
        pop /= static_cast<double>(n_neurons);
        mean_pop += pop;
        sq_pop += pop * pop;
    }
    const double T = static_cast<double>(n_times);
    const double var_pop = sq_pop / T - (mean_pop / T) * (mean_pop / T);
    double mean_var = 0.0;
    for (std::size_t i = 0; i < n_neurons; ++i) mean_var += sq_i[i] / T - (mean_i[i] / T) * (mean_i[i] / T);
    mean_var /= static_cast<double>(n_neurons);
    if (!(mean_var > 0.0)) return std::numeric_limits<double>::quiet_NaN();
    return std::sqrt(std::max(0.0, var_pop) / mean_var);
}

}  // namespace neurodyn::analysis
