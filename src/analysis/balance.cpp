#include "neurodyn/analysis/balance.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "input_checks.hpp"

namespace neurodyn::analysis {

CurrentCorrelation ei_current_correlation(std::span<const double> excitatory, std::span<const double> inhibitory,
                                          std::size_t n_samples, std::size_t n_neurons, double interval_ms,
                                          double filter_tau_ms, std::size_t first_sample, std::size_t end_sample) {
    constexpr const char* kFunction = "ei_current_correlation";
    using detail::fail;
    using detail::str;
    if (n_neurons == 0) fail(kFunction, "n_neurons", "must be >= 1, got 0");
    if (excitatory.size() != n_samples * n_neurons)
        fail(kFunction, "excitatory",
             "must hold n_samples x n_neurons = " + str(n_samples) + " x " + str(n_neurons) + " values, got " +
                 str(excitatory.size()));
    if (inhibitory.size() != excitatory.size())
        fail(kFunction, "inhibitory",
             "must have the shape of excitatory (" + str(n_samples) + " x " + str(n_neurons) + "), got " +
                 str(inhibitory.size()) + " values");
    detail::require_positive(kFunction, "interval_ms", interval_ms);
    if (!(filter_tau_ms >= 0.0) || !std::isfinite(filter_tau_ms))
        fail(kFunction, "filter_tau_ms", "must be a finite time >= 0 ms (0: no filter), got " + str(filter_tau_ms));
    if (end_sample > n_samples)
        fail(kFunction, "end_sample", "must be <= n_samples (" + str(n_samples) + "), got " + str(end_sample));
    if (end_sample < first_sample + 2)
        fail(kFunction, "end_sample",
             "must leave at least 2 samples after first_sample (" + str(first_sample) + "), got " + str(end_sample));
    detail::require_all_finite(kFunction, "excitatory", excitatory);
    detail::require_all_finite(kFunction, "inhibitory", inhibitory);

    // One pass per neuron over its column: filter, then the sums of the correlation in
    // the window, centred on the window's first value to keep the sums well conditioned.
    const double keep = filter_tau_ms > 0.0 ? std::exp(-interval_ms / filter_tau_ms) : 0.0;
    CurrentCorrelation out;
    out.per_neuron.assign(n_neurons, std::numeric_limits<double>::quiet_NaN());
    double sum_r = 0.0;
    std::size_t defined = 0;
    for (std::size_t j = 0; j < n_neurons; ++j) {
        double e = excitatory[j], i = inhibitory[j];
        double e0 = 0.0, i0 = 0.0, se = 0.0, si = 0.0, see = 0.0, sii = 0.0, sei = 0.0;
        for (std::size_t k = 0; k < end_sample; ++k) {
            // y_k = keep y_{k-1} + (1 - keep) x_k, written as an update of y.
            e += (excitatory[k * n_neurons + j] - e) * (1.0 - keep);
            i += (inhibitory[k * n_neurons + j] - i) * (1.0 - keep);
            if (k < first_sample) continue;
            if (k == first_sample) e0 = e, i0 = i;
            const double de = e - e0, di = i - i0;
            se += de;
            si += di;
            see += de * de;
            sii += di * di;
            sei += de * di;
        }
        const double n = static_cast<double>(end_sample - first_sample);
        const double cov = sei - se * si / n, var_e = see - se * se / n, var_i = sii - si * si / n;
        if (var_e > 0.0 && var_i > 0.0) {
            out.per_neuron[j] = std::clamp(cov / std::sqrt(var_e * var_i), -1.0, 1.0);
            sum_r += out.per_neuron[j];
            ++defined;
        }
    }
    out.mean = defined ? sum_r / static_cast<double>(defined) : std::numeric_limits<double>::quiet_NaN();
    return out;
}

}  // namespace neurodyn::analysis
