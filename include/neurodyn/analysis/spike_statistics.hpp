#pragma once
// Statistics of spike trains given as plain arrays (times in ms, neuron ids), so they
// serve neurodyn's recordings and data from elsewhere alike.

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace neurodyn::analysis {

// Mean firing rate (Hz) of `n_neurons` neurons that emitted `n_spikes` over `duration_ms`.
double mean_rate_hz(std::size_t n_spikes, std::size_t n_neurons, double duration_ms);

// Coefficient of variation of the inter-spike intervals, per neuron, for neurons with
// at least `min_intervals` intervals; `times_ms` must be sorted in time.
struct IsiCv {
    double mean_cv = 0.0;         // average over the neurons that qualify; NaN if none
    std::size_t neurons_used = 0;  // how many qualified
};
IsiCv isi_cv(std::span<const double> times_ms, std::span<const std::uint32_t> ids, std::size_t n_neurons,
             std::size_t min_intervals = 2);

// Spike counts of the whole population in bins of `bin_ms` over [t_start, t_stop).
std::vector<double> population_histogram(std::span<const double> times_ms, double t_start_ms, double t_stop_ms,
                                         double bin_ms);

// Fano factor (variance / mean) of a series of counts; NaN if the mean is 0.
double fano_factor(std::span<const double> counts);

// Golomb's synchrony measure chi (Golomb 2007, Scholarpedia "Neuronal synchrony
// measures"): sqrt(Var_t[mean_i x_i(t)] / mean_i Var_t[x_i(t)]) for signals x_i(t)
// given row-major as [time][neuron]. About 1/sqrt(N) for independent signals, 1 for
// identical ones.
double synchrony_chi(std::span<const double> signals, std::size_t n_times, std::size_t n_neurons);

}  // namespace neurodyn::analysis
