#pragma once
// Functional connectivity from signals (rates, binned counts, membrane potentials) given
// row-major as [time][signal], and the comparison of an inferred connectivity against
// the true one of a simulated network. Matrices are returned row-major, n x n.
//
// References
//   Whittaker (1990) Graphical Models in Applied Multivariate Statistics — partial
//     correlation from the precision matrix.
//   Granger (1969) Econometrica 37:424; Geweke (1982) JASA 77:304 — Granger causality as
//     the log-ratio of residual variances of nested autoregressions.
//   Fawcett (2006) Pattern Recogn Lett 27:861 — ROC AUC as the Mann–Whitney probability.

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace neurodyn::analysis {

// Pearson correlation matrix R_ij = C_ij / sqrt(C_ii C_jj), C the sample covariance of
// the columns of `signals` ([n_times][n_signals]). Entries involving a constant signal
// are NaN (as numpy.corrcoef). Cost O(T N^2), memory O(N^2) (the data are centred in
// blocks, not copied).
std::vector<double> correlation_matrix(std::span<const double> signals, std::size_t n_times, std::size_t n_signals);

// Partial-correlation matrix: the correlation of signals i and j given all others,
//   rho_ij = -P_ij / sqrt(P_ii P_jj),  P = C^-1 (the precision matrix),  rho_ii = 1.
// Needs n_times > n_signals and a non-singular covariance (else ValueError).
std::vector<double> partial_correlation_matrix(std::span<const double> signals, std::size_t n_times,
                                               std::size_t n_signals);

// Bivariate Granger causality source -> target (Granger 1969; Geweke 1982) with
// autoregressive order p: least-squares fits (with intercept) over t = p..T-1 of
//   restricted: y_t = c + sum_k a_k y_{t-k} + e_t
//   full:       y_t = c + sum_k a_k y_{t-k} + sum_k b_k x_{t-k} + e'_t
// F = ((RSS_r - RSS_f) / p) / (RSS_f / (T - p - 2p - 1)), with p-value from the F(p,
// T - 3p - 1) distribution; log_ratio = ln(RSS_r / RSS_f) (Geweke's measure, >= 0, ~0
// when the source adds nothing).
struct GrangerResult {
    double f_statistic = 0.0;
    double p_value = 1.0;
    double log_ratio = 0.0;
    std::size_t df1 = 0, df2 = 0;
};
GrangerResult granger_causality(std::span<const double> source, std::span<const double> target, std::size_t order);

// Pairwise (bivariate) Granger log-ratios for all ordered pairs of columns of
// `signals` ([n_times][n_signals]): G[i * n + j] = log_ratio of i -> j, G_ii = 0. The
// restricted model of each target is fitted once. Cost O(N^2 T p^2).
std::vector<double> granger_causality_matrix(std::span<const double> signals, std::size_t n_times,
                                             std::size_t n_signals, std::size_t order);

// Inferred scores against the true connectivity (both n x n row-major). An edge is
// true where truth != 0 and predicted where score >= threshold (pass |scores| to treat
// signs alike). Diagonal entries are left out unless include_diagonal.
//   precision = TP / (TP + FP), recall = TP / (TP + FN), F1 = 2 TP / (2 TP + FP + FN)
// (NaN where a denominator is 0). auc is the ROC area over all thresholds: the
// probability that a random true edge scores above a random non-edge, ties counted 1/2
// (Mann–Whitney U / (n_pos n_neg)); NaN when either class is empty. O(E log E).
struct ConnectivityComparison {
    std::size_t true_positives = 0, false_positives = 0, false_negatives = 0, true_negatives = 0;
    double precision = 0.0, recall = 0.0, f1 = 0.0, auc = 0.0;
};
ConnectivityComparison compare_connectivity(std::span<const double> scores, std::span<const double> truth,
                                            std::size_t n, double threshold, bool include_diagonal = false);

}  // namespace neurodyn::analysis
