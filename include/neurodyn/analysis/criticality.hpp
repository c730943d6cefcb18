#pragma once
// Criticality of population activity: neuronal avalanches, their power-law statistics,
// and the branching ratio. Plain arrays in (spike times in ms, binned counts), numbers
// out; the analysis layer depends only on core.
//
// References
//   Beggs & Plenz (2003) J Neurosci 23:11167 — avalanches, bin width = mean inter-event
//     interval of the pooled activity, branching parameter sigma.
//   Clauset, Shalizi & Newman (2009) SIAM Rev 51:661 — discrete power law with x_min:
//     maximum-likelihood exponent, x_min by Kolmogorov–Smirnov minimisation, Vuong's
//     likelihood-ratio test against alternatives.
//   Vuong (1989) Econometrica 57:307 — the normalised log-likelihood-ratio test.
//   Wilting & Priesemann (2018) Nat Commun 9:2325 — multistep-regression (MR) estimator
//     of the branching ratio, consistent under subsampling.

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace neurodyn::analysis {

// ---------------------------------------------------------------- avalanches

// Mean inter-event interval (ms) of the pooled spike train of the whole population:
// (t_max - t_min) / (n_spikes - 1). Beggs & Plenz (2003) use it as the avalanche bin
// width. Order of `times_ms` does not matter. Needs >= 2 spikes spanning a positive time.
double mean_inter_event_interval_ms(std::span<const double> times_ms);

// Avalanches: maximal runs of consecutive non-empty bins of the population activity,
// bounded by empty bins (Beggs & Plenz 2003). size = number of events (spikes) in the
// run, duration = number of bins. Runs that touch the first or the last bin are
// incomplete (their start or end was not observed) and are left out.
struct Avalanches {
    std::vector<std::uint64_t> sizes;
    std::vector<std::uint64_t> durations;  // in bins
    double bin_ms = 0.0;                   // bin width used (0 when built from counts)
};

// From counts per bin (non-negative integers given as doubles, e.g. the output of
// population_histogram); non-integer counts are rejected.
Avalanches avalanches_from_counts(std::span<const double> counts);

// From spike times (ms) of a whole population in [t_start_ms, t_stop_ms): bins of
// `bin_ms` (if bin_ms == 0, the mean inter-event interval of the spikes inside the
// window, as Beggs & Plenz 2003). One pass over the spikes.
Avalanches avalanches_from_spikes(std::span<const double> times_ms, double t_start_ms, double t_stop_ms,
                                  double bin_ms = 0.0);

// ---------------------------------------------------------------- power laws

// Discrete power law on x >= x_min (Clauset et al. 2009, eq. 2.4):
//   p(x) = x^-alpha / zeta(alpha, x_min),  zeta(a, q) = sum_{k>=0} (k + q)^-a  (Hurwitz).
// The exponent is the exact maximum-likelihood estimate (root of the score
// -n zeta'(alpha, x_min)/zeta(alpha, x_min) - sum ln x_i = 0, found by bisection to 1e-10).
// With x_min = 0 it is chosen among the smallest `max_candidates` distinct data values
// (those leaving at least `min_tail` points in the tail) to minimise the
// Kolmogorov–Smirnov distance between the empirical and the fitted CDF of the tail
// (Clauset et al. 2009, sec. 3.3).
struct PowerLawFit {
    double alpha = 0.0;         // maximum-likelihood exponent
    double alpha_stderr = 0.0;  // (alpha - 1) / sqrt(n_tail)  (Clauset et al. 2009, eq. 3.2)
    std::uint64_t x_min = 0;
    std::size_t n_tail = 0;       // data points >= x_min
    double ks_distance = 0.0;     // max |S_data(x) - P(x)| over integers x >= x_min
    double log_likelihood = 0.0;  // of the tail under the fit
};
// `data`: positive integers (avalanche sizes or durations). Cost O(n log n) plus, when
// x_min is searched, O(min(D, max_candidates) D) for D distinct values.
PowerLawFit fit_discrete_power_law(std::span<const std::uint64_t> data, std::uint64_t x_min = 0,
                                   std::size_t min_tail = 10, std::size_t max_candidates = 1000);

// Hurwitz zeta function zeta(s, q) = sum_{k>=0} (k + q)^-s for s > 1, q > 0, by the
// Euler–Maclaurin formula (terms summed directly up to q + N >= 20 + s, then 7
// Bernoulli corrections; relative error below 3e-14 for 1 < s <= 30 against mpmath).
// The normaliser of the discrete power law.
double hurwitz_zeta(double s, double q);

// Vuong's test of two non-nested models fitted to the same tail (Clauset et al. 2009,
// sec. 5.1): R = sum_i [ln p_powerlaw(x_i) - ln p_alt(x_i)], normalised by
// sigma sqrt(n) where sigma^2 is the variance of the pointwise differences;
// two-sided p = erfc(|R| / (sigma sqrt(2 n))). R > 0 favours the power law, R < 0 the
// alternative; a large p (say > 0.1) means the data cannot tell them apart.
struct LikelihoodRatioTest {
    double log_likelihood_ratio = 0.0;  // R
    double normalized_ratio = 0.0;      // R / (sigma sqrt(n))
    double p_value = 1.0;
};
// The alternatives are fitted by maximum likelihood on the same tail x >= x_min, as
// discrete distributions truncated at x_min:
//   exponential: p(x) = (1 - e^-lambda) e^{-lambda (x - x_min)},
//                lambda = ln(1 + 1/mean(x - x_min)) (closed-form MLE);
//   lognormal:   p(x) ∝ Phi((ln(x + 1/2) - mu)/sigma) - Phi((ln(x - 1/2) - mu)/sigma),
//                normalised over x >= x_min; (mu, sigma) by Nelder–Mead.
struct PowerLawComparison {
    LikelihoodRatioTest vs_exponential;
    LikelihoodRatioTest vs_lognormal;
    double exponential_lambda = 0.0;
    double lognormal_mu = 0.0;
    double lognormal_sigma = 0.0;
};
PowerLawComparison compare_power_law(std::span<const std::uint64_t> data, const PowerLawFit& fit);

// ---------------------------------------------------------------- branching ratio

// Naive branching ratio: mean number of descendants per ancestor,
//   m = sum_{t: A_t > 0} A_{t+1} / sum_{t: A_t > 0} A_t,
// over consecutive bins of the activity A_t (Beggs & Plenz 2003's sigma pooled over all
// bins). Consistent for a fully observed branching process without external drive;
// biased under subsampling (Wilting & Priesemann 2018) and, with an external drive h,
// by about h / <A>. NaN when the activity is all zero.
double branching_ratio_naive(std::span<const double> activity);

// Multistep-regression estimator (Wilting & Priesemann 2018): for k = 1..k_max the
// linear-regression slope of A_{t+k} on A_t, r_k = Cov(A_t, A_{t+k}) / Var(A_t), then a
// least-squares fit r_k = b m^k. Under binomial subsampling r_k = b m^k with b < 1, so
// m is recovered while r_1 (the conventional regression estimator) is biased by b.
// m is searched on [1e-4, 1.5] (profile least squares over b, grid then golden section).
struct MultistepRegression {
    double m = 0.0;              // branching ratio
    double b = 0.0;              // amplitude (= 1 when fully sampled)
    double tau_bins = 0.0;       // autocorrelation time -1 / ln m in bins (inf if m >= 1)
    std::vector<double> slopes;  // r_k, k = 1..k_max
};
MultistepRegression branching_ratio_mr(std::span<const double> activity, std::size_t k_max = 40);

}  // namespace neurodyn::analysis
