#pragma once
// Statistics of spike trains: rates, ISI distributions, irregularity (CV, LV), count
// variability (Fano factor), spike-count correlations and cross-correlograms.
//
// Input is plain arrays: spike times in ms and neuron ids (uint32), in any order. Group
// them once with group_by_neuron (O(spikes + neurons)) and pass the result to the
// measures, which are single passes over it. Bad input (mismatched sizes, an id out of
// range, NaN, an empty window, a bin width <= 0) raises neurodyn::ValueError naming the
// argument. Definitions and references: docs/analysis.md.

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace neurodyn::analysis {

// Spike trains grouped by neuron, as compressed rows: the spikes of neuron i, sorted in
// time, are times_ms[offsets[i] .. offsets[i + 1]).
struct SpikeTrains {
    std::vector<double> times_ms;
    std::vector<std::size_t> offsets;  // n_neurons + 1 entries

    std::size_t n_neurons() const noexcept { return offsets.empty() ? 0 : offsets.size() - 1; }
    std::size_t n_spikes() const noexcept { return times_ms.size(); }
    std::span<const double> train(std::size_t neuron) const {
        return {times_ms.data() + offsets[neuron], offsets[neuron + 1] - offsets[neuron]};
    }
};

// Counting sort by id (stable), then each train is sorted in time if it is not already
// (it is when the input was sorted in time, the usual case). ids[k] < n_neurons; times finite.
SpikeTrains group_by_neuron(std::span<const double> times_ms, std::span<const std::uint32_t> ids,
                            std::size_t n_neurons);

// ---- rates ----------------------------------------------------------------------------

// Rate of each neuron (Hz): its spikes in [t_start, t_stop) / (t_stop - t_start).
std::vector<double> firing_rates_hz(const SpikeTrains& trains, double t_start_ms, double t_stop_ms);

// Mean rate of each population (Hz): the average of neuron_rates_hz over the neurons i with
// population_of[i] == p, p < n_populations; NaN for a population with no neuron.
std::vector<double> population_rates_hz(std::span<const double> neuron_rates_hz,
                                        std::span<const std::uint32_t> population_of, std::size_t n_populations);

// Kernels for the time-resolved rate, each of unit area; `width_ms` is
//   box:         the full width w        k(t) = 1/w on [-w/2, w/2)
//   gaussian:    the standard deviation  k(t) = exp(-t^2 / 2 s^2) / (s sqrt(2 pi)), cut at 5 s
//   exponential: the time constant tau   k(t) = exp(-t / tau) / tau for t >= 0 (causal), cut at 12 tau
//   alpha:       the time constant tau   k(t) = t exp(-t / tau) / tau^2 for t >= 0 (causal), cut at 15 tau
enum class RateKernel { box, gaussian, exponential, alpha };

// A kernel on the bin grid: weights[j] applies at lag (j - origin) bins and is the kernel's
// integral over that bin, [(j - origin - 1/2) bin, (j - origin + 1/2) bin); the weights are
// renormalised to sum to 1 after the cut.
struct DiscreteKernel {
    std::vector<double> weights;
    std::size_t origin = 0;
};
DiscreteKernel make_rate_kernel(RateKernel kernel, double width_ms, double bin_ms);

// Time-resolved population rate (Hz per neuron) in bins of bin_ms over [t_start, t_stop):
// the spike count histogram convolved with the kernel, divided by n_neurons * bin (s).
// Spikes outside the window are ignored (zero padding at the edges). Direct convolution
// for short kernels, FFT convolution (O(B log B)) for long ones. `times_ms` in any order.
std::vector<double> population_rate_hz(std::span<const double> times_ms, std::size_t n_neurons, double t_start_ms,
                                       double t_stop_ms, double bin_ms, RateKernel kernel, double width_ms);

// ---- intervals and irregularity -------------------------------------------------------

// Histogram of the inter-spike intervals of all neurons, pooled: counts[b] is the number
// of intervals in [b bin_ms, (b + 1) bin_ms), b < ceil(max_ms / bin_ms); longer ones are
// counted in n_beyond.
struct IsiHistogram {
    double bin_ms = 0.0;
    std::vector<double> counts;
    std::size_t n_intervals = 0;  // all intervals, including n_beyond
    std::size_t n_beyond = 0;
};
IsiHistogram isi_histogram(const SpikeTrains& trains, double bin_ms, double max_ms);

// Coefficient of variation of each neuron's ISIs, CV = sd / mean (sd with n - 1); NaN for
// neurons with fewer than max(min_intervals, 2) intervals.
std::vector<double> isi_cv_per_neuron(const SpikeTrains& trains, std::size_t min_intervals = 2);

// Local variation (Shinomoto, Shima & Tanji 2003, Neural Comput 15:2823), per neuron:
//   LV = 3/(n - 1) sum_{i=1}^{n-1} ((I_i - I_{i+1}) / (I_i + I_{i+1}))^2
// over the n consecutive intervals I_i; 1 for Poisson, 3/(2k + 1) for a gamma process of
// order k, 0 for a regular train. NaN with fewer than max(min_intervals, 2) intervals.
std::vector<double> local_variation(const SpikeTrains& trains, std::size_t min_intervals = 2);

// Fano factor of each neuron's spike counts in consecutive windows of window_ms from
// t_start (floor((t_stop - t_start) / window_ms) whole windows): sample variance (n - 1)
// over mean; NaN for a neuron with no spike in them or fewer than 2 windows.
std::vector<double> fano_factors(const SpikeTrains& trains, double t_start_ms, double t_stop_ms, double window_ms);

// The mean of the values that are not NaN (NaN if none), for summarising the above.
double finite_mean(std::span<const double> values);

// ---- correlations ---------------------------------------------------------------------

// Pearson correlation of the spike counts of two trains (sorted) in bins of bin_ms over
// [t_start, t_stop); NaN if either count series is constant.
double count_correlation(std::span<const double> a_ms, std::span<const double> b_ms, double t_start_ms,
                         double t_stop_ms, double bin_ms);

// The k x k matrix (row-major) of count correlations of the neurons listed (a sample,
// usually: the cost is O(k^2 B) for B bins, plus one pass over their spikes). The diagonal
// is 1 (NaN for a neuron whose counts are constant, as are its row and column).
std::vector<double> count_correlation_matrix(const SpikeTrains& trains, std::span<const std::uint32_t> neurons,
                                             double t_start_ms, double t_stop_ms, double bin_ms);

// Cross-correlogram of b relative to a: counts of the lags t_b - t_a in bins of width
// bin_ms centred on the lags m bin_ms, m = -M..M with M = round(max_lag_ms / bin_ms).
// Computed by a sorted merge: O(n_a + n_b + pairs within the lag range). Both trains
// sorted; the window [t_start, t_stop) (which should contain all spikes) is the recording
// time T used by the normalisations:
//   counts:         the raw counts
//   rate_hz:        counts / (n_a bin): the rate of b conditional on a spike of a at lag 0
//   independence:   counts / E, E = n_a n_b bin (T - |lag|) / T^2, the expectation for
//                   independent stationary trains: 1 means no correlation at that lag.
enum class CorrelogramNorm { counts, rate_hz, independence };
struct Correlogram {
    std::vector<double> lags_ms;  // bin centres
    std::vector<double> values;
};
Correlogram cross_correlogram(std::span<const double> a_ms, std::span<const double> b_ms, double bin_ms,
                              double max_lag_ms, double t_start_ms, double t_stop_ms,
                              CorrelogramNorm norm = CorrelogramNorm::counts);

}  // namespace neurodyn::analysis
