#pragma once
// Excitation-inhibition balance of a neuron's inputs: the correlation between its
// excitatory and inhibitory input currents over time, the measure of "detailed balance"
// that inhibitory plasticity establishes in Vogels, Sprekeler, Zenke, Clopath & Gerstner
// (2011, Science 334:1569; the Vogels–Sprekeler rule of docs/plasticity.md): when the
// inhibitory weights mirror the excitatory ones, inhibition tracks every fluctuation of
// excitation and the two currents are strongly correlated; a global (unstructured)
// balance matches only their means. Plain arrays in, numbers out; ValueError for bad
// input. Definitions: docs/analysis.md and docs/plasticity.md.

#include <cstddef>
#include <span>
#include <vector>

namespace neurodyn::analysis {

struct CurrentCorrelation {
    std::vector<double> per_neuron;  // r of each neuron (column); NaN where a current is constant
    double mean = 0.0;               // the mean of the defined r (NaN if none is)
};

// Pearson correlation, per neuron, of its excitatory and inhibitory input over the
// samples [first_sample, end_sample) of two traces sampled every interval_ms:
//   r = sum (e_k - mean e)(i_k - mean i) / sqrt(sum (e_k - mean e)^2 sum (i_k - mean i)^2).
// `excitatory` and `inhibitory` are row-major [n_samples][n_neurons] (a recorded state
// trace); the inhibitory input is given as a magnitude, so that inhibition that tracks
// excitation gives r > 0 (-isyn_inh for the current-based models, whose inhibitory
// current is negative). With filter_tau_ms > 0 both are first low-pass filtered over the
// whole trace by the causal exponential filter
//   y_k = y_{k-1} + (x_k - y_{k-1}) (1 - exp(-interval / tau)),   y_0 = x_0,
// (a first-order synaptic or membrane filter) so that r compares the slow co-modulation
// rather than the individual synaptic events; samples before first_sample serve as the
// filter's warm-up. Cost O(samples x neurons).
CurrentCorrelation ei_current_correlation(std::span<const double> excitatory, std::span<const double> inhibitory,
                                          std::size_t n_samples, std::size_t n_neurons, double interval_ms,
                                          double filter_tau_ms, std::size_t first_sample, std::size_t end_sample);

}  // namespace neurodyn::analysis
