// Functional connectivity against known answers: exact correlations of constructed
// signals, the partial correlations of a linear Gaussian network, Granger causality
// with a known direction, and precision/recall/AUC on hand-made matrices.
// Statistical checks are at 4 sigma with fixed seeds (deterministic).

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "neurodyn/analysis/connectivity.hpp"
#include "neurodyn/core/error.hpp"
#include "neurodyn/core/random.hpp"

using namespace neurodyn;
using namespace neurodyn::analysis;

TEST(Correlation, ExactForLinearlyRelatedSignals) {
    // Columns: x, 2x + 1, -x, and a constant (NaN correlations, as numpy.corrcoef).
    const std::vector<double> x = {0.3, -1.2, 2.5, 0.7, 1.1, -0.4};
    std::vector<double> s;
    for (double v : x) s.insert(s.end(), {v, 2 * v + 1, -v, 4.0});
    const auto r = correlation_matrix(s, x.size(), 4);
    EXPECT_DOUBLE_EQ(r[0 * 4 + 0], 1.0);
    EXPECT_NEAR(r[0 * 4 + 1], 1.0, 1e-14);
    EXPECT_NEAR(r[0 * 4 + 2], -1.0, 1e-14);
    EXPECT_NEAR(r[1 * 4 + 2], -1.0, 1e-14);
    EXPECT_EQ(r[2 * 4 + 1], r[1 * 4 + 2]);
    EXPECT_TRUE(std::isnan(r[0 * 4 + 3]));
    EXPECT_TRUE(std::isnan(r[3 * 4 + 3]));
}

TEST(Correlation, RejectsBadInput) {
    EXPECT_THROW(correlation_matrix(std::vector<double>{1, 2, 3}, 2, 2), ValueError);  // size
    EXPECT_THROW(correlation_matrix(std::vector<double>{1, 2}, 1, 2), ValueError);     // one sample
    EXPECT_THROW(correlation_matrix(std::vector<double>{1, NAN, 3, 4}, 2, 2), ValueError);
    EXPECT_THROW(partial_correlation_matrix(std::vector<double>(6, 1.0), 2, 3), ValueError);  // T <= N
}

TEST(PartialCorrelation, LinearGaussianNetworkRecovered) {
    // x = B x + e, e ~ N(0, D), B strictly lower triangular (a DAG; each x_i drawn after
    // its parents). Precision P = (I - B)^T D^-1 (I - B), partial correlations
    // rho_ij = -P_ij / sqrt(P_ii P_jj) (Whittaker 1990). Edges 0 -> 1 -> 2 -> 3 and
    // 0 -> 3, node 4 isolated: P_ij != 0 only for pairs joined by an edge or sharing a
    // child (0 and 2, parents of 3), so P_13 = 0 although 1 and 3 are correlated. The
    // expected values are computed from B and D below. Sampling sd of a partial
    // correlation with k = n - 2 = 3 conditioning variables: (1 - rho^2) / sqrt(T - 3 - k)
    // (Fisher's z); tolerance 4 sd.
    constexpr int n = 5;
    const double b[n][n] = {{0, 0, 0, 0, 0}, {0.8, 0, 0, 0, 0}, {0, 0.6, 0, 0, 0}, {0.5, 0, 0.7, 0, 0}, {0, 0, 0, 0, 0}};
    const double d[n] = {1.0, 0.5, 1.0, 0.8, 2.0};
    // Expected precision.
    double ib[n][n], p[n][n];
    for (int i = 0; i < n; ++i)
        for (int j = 0; j < n; ++j) ib[i][j] = (i == j) - b[i][j];
    for (int i = 0; i < n; ++i)
        for (int j = 0; j < n; ++j) {
            p[i][j] = 0.0;
            for (int k = 0; k < n; ++k) p[i][j] += ib[k][i] * ib[k][j] / d[k];
        }
    const std::size_t T = 20000;
    RandomStream rng(31, 1, 0);
    std::vector<double> s(T * n);
    for (std::size_t t = 0; t < T; ++t)
        for (int i = 0; i < n; ++i) {
            double v = std::sqrt(d[i]) * rng.normal() + 3.0 * i;  // offsets: means must not matter
            for (int j = 0; j < i; ++j) v += b[i][j] * (s[t * n + j] - 3.0 * j);
            s[t * n + i] = v;
        }
    const auto rho = partial_correlation_matrix(s, T, n);
    const auto r = correlation_matrix(s, T, n);
    double max_z = 0.0;
    for (int i = 0; i < n; ++i)
        for (int j = 0; j < n; ++j) {
            const double expected = i == j ? 1.0 : -p[i][j] / std::sqrt(p[i][i] * p[j][j]);
            const double sd = (1.0 - expected * expected) / std::sqrt(static_cast<double>(T) - 3.0 - (n - 2));
            if (i != j) max_z = std::max(max_z, std::fabs(rho[i * n + j] - expected) / sd);
            EXPECT_NEAR(rho[i * n + j], expected, 4.0 * sd + 1e-12) << i << "," << j;
        }
    // Marginal correlations from Sigma = A D A^T, A = (I - B)^-1 = I + B + B^2 + B^3 + B^4
    // (B is nilpotent); sampling sd (1 - r^2) / sqrt(T), tolerance 4 sd.
    double a[n][n], bk[n][n];
    for (int i = 0; i < n; ++i)
        for (int j = 0; j < n; ++j) a[i][j] = bk[i][j] = (i == j);
    for (int power = 1; power < n; ++power) {
        double next[n][n];
        for (int i = 0; i < n; ++i)
            for (int j = 0; j < n; ++j) {
                next[i][j] = 0.0;
                for (int k = 0; k < n; ++k) next[i][j] += bk[i][k] * b[k][j];
            }
        for (int i = 0; i < n; ++i)
            for (int j = 0; j < n; ++j) bk[i][j] = next[i][j], a[i][j] += next[i][j];
    }
    double sigma[n][n];
    for (int i = 0; i < n; ++i)
        for (int j = 0; j < n; ++j) {
            sigma[i][j] = 0.0;
            for (int k = 0; k < n; ++k) sigma[i][j] += a[i][k] * d[k] * a[j][k];
        }
    for (int i = 0; i < n; ++i)
        for (int j = 0; j < n; ++j) {
            const double expected = sigma[i][j] / std::sqrt(sigma[i][i] * sigma[j][j]);
            EXPECT_NEAR(r[i * n + j], expected, 4.0 * (1.0 - expected * expected) / std::sqrt(double(T)) + 1e-12);
        }
    // The pair (1, 3) is correlated marginally (via 0 and 2) but not conditionally:
    // P_13 = 0 because 1 and 3 share neither an edge nor a child.
    EXPECT_DOUBLE_EQ(p[1][3], 0.0);
    EXPECT_GT(std::fabs(sigma[1][3] / std::sqrt(sigma[1][1] * sigma[3][3])), 0.3);
    EXPECT_GT(std::fabs(r[1 * n + 3]), 0.3);
    EXPECT_LT(std::fabs(rho[1 * n + 3]), 4.0 / std::sqrt(static_cast<double>(T) - 6.0));
    RecordProperty("max_partial_correlation_error_in_sd", std::to_string(max_z));
}

TEST(PartialCorrelation, SingularCovarianceRejected) {
    RandomStream rng(32, 1, 0);
    std::vector<double> s;
    for (int t = 0; t < 50; ++t) {
        const double a = rng.normal(), b = rng.normal();
        s.insert(s.end(), {a, b, a + b});  // linearly dependent
    }
    EXPECT_THROW(partial_correlation_matrix(s, 50, 3), ValueError);
}

namespace {

// x_t = 0.5 x_{t-1} + e_t, y_t = 0.5 y_{t-1} + c x_{t-1} + e'_t: x drives y, not back.
void coupled_ar(std::size_t T, double c, std::vector<double>& x, std::vector<double>& y, std::uint64_t seed) {
    RandomStream rng(seed, 1, 0);
    x.assign(T, 0.0);
    y.assign(T, 0.0);
    for (std::size_t t = 1; t < T; ++t) {
        x[t] = 0.5 * x[t - 1] + rng.normal();
        y[t] = 0.5 * y[t - 1] + c * x[t - 1] + rng.normal();
    }
}

}  // namespace

TEST(Granger, XDrivesYButNotBack) {
    std::vector<double> x, y;
    coupled_ar(5000, 0.4, x, y, 33);
    const GrangerResult xy = granger_causality(x, y, 2);
    const GrangerResult yx = granger_causality(y, x, 2);
    // x -> y: the full model is exactly the generating one; the residual variance falls
    // from Var(y_t | y past) to 1. Enormous F; p underflows towards 0.
    EXPECT_LT(xy.p_value, 1e-12);
    EXPECT_GT(xy.log_ratio, 0.05);
    // y -> x: under the null F ~ F(2, T - 7), so p is uniform: P(p < 1e-3) = 1e-3; and
    // T' G ~ chi^2_2 asymptotically, P(chi^2_2 > 20) = e^-10.
    EXPECT_GT(yx.p_value, 1e-3);
    EXPECT_LT(yx.log_ratio * static_cast<double>(yx.df2), 20.0);
    // F and the log-ratio describe the same residual sums: F = (e^G - 1) df2 / df1.
    EXPECT_NEAR(xy.f_statistic, std::expm1(xy.log_ratio) * xy.df2 / xy.df1, 1e-8 * xy.f_statistic);
    EXPECT_EQ(xy.df1, 2u);
    EXPECT_EQ(xy.df2, 5000u - 2u - 5u);
}

TEST(Granger, PValueMatchesFDistribution) {
    // The F(2, d2) survival function has the closed form (1 + 2 F / d2)^(-d2/2): the
    // incomplete-beta p-value must match it.
    std::vector<double> x, y;
    coupled_ar(400, 0.0, x, y, 34);
    const GrangerResult g = granger_causality(x, y, 2);
    const double d2 = static_cast<double>(g.df2);
    EXPECT_NEAR(g.p_value, std::pow(1.0 + 2.0 * g.f_statistic / d2, -d2 / 2.0), 1e-12);
}

TEST(Granger, MatrixMatchesPairwiseAndFindsTheDriver) {
    std::vector<double> x, y;
    coupled_ar(3000, 0.5, x, y, 35);
    RandomStream rng(36, 1, 0);
    std::vector<double> s;
    for (std::size_t t = 0; t < x.size(); ++t) s.insert(s.end(), {x[t], y[t], rng.normal()});
    const auto g = granger_causality_matrix(s, x.size(), 3, 3);
    EXPECT_NEAR(g[0 * 3 + 1], granger_causality(x, y, 3).log_ratio, 1e-12);
    EXPECT_NEAR(g[1 * 3 + 0], granger_causality(y, x, 3).log_ratio, 1e-12);
    EXPECT_EQ(g[0], 0.0);
    // Truth: only 0 -> 1. Under the null T' G ~ chi^2_3, so a threshold G >= 20 / T'
    // (P(chi^2_3 > 20) = 1.7e-4 per null pair) makes the inference exact here.
    const std::vector<double> truth = {0, 1, 0, 0, 0, 0, 0, 0, 0};
    const auto c = compare_connectivity(g, truth, 3, 20.0 / 3000.0);
    EXPECT_EQ(c.true_positives, 1u);
    EXPECT_EQ(c.false_positives, 0u);
    EXPECT_DOUBLE_EQ(c.f1, 1.0);
    EXPECT_DOUBLE_EQ(c.auc, 1.0);
    EXPECT_THROW(granger_causality(x, std::vector<double>(10, 0.0), 2), ValueError);
    EXPECT_THROW(granger_causality(x, y, 0), ValueError);
    EXPECT_THROW(granger_causality(std::vector<double>(6, 1.0), std::vector<double>(6, 1.0), 2), ValueError);
}

TEST(CompareConnectivity, HandMadeCasesExact) {
    // 3 x 3, diagonal ignored: 6 candidate edges. Truth edges: (0,1), (1,2).
    const std::vector<double> truth = {5, 1, 0,  //
                                       0, 5, -2,
                                       0, 0, 5};
    // Scores (off-diagonal): (0,1) .9 (0,2) .5 (1,0) .1 (1,2) .4 (2,0) .4 (2,1) 0.
    const std::vector<double> scores = {9, 0.9, 0.5,  //
                                        0.1, 9, 0.4,
                                        0.4, 0.0, 9};
    const auto c = compare_connectivity(scores, truth, 3, 0.45);
    // Predicted at >= 0.45: (0,1) TP, (0,2) FP; (1,2) FN; TN: (1,0), (2,0), (2,1).
    EXPECT_EQ(c.true_positives, 1u);
    EXPECT_EQ(c.false_positives, 1u);
    EXPECT_EQ(c.false_negatives, 1u);
    EXPECT_EQ(c.true_negatives, 3u);
    EXPECT_DOUBLE_EQ(c.precision, 0.5);
    EXPECT_DOUBLE_EQ(c.recall, 0.5);
    EXPECT_DOUBLE_EQ(c.f1, 0.5);
    // AUC: positives {.9, .4} vs negatives {.5, .1, .4, 0}: .9 beats all 4; .4 beats .1
    // and 0 and ties .4 (1/2): (4 + 2.5) / 8.
    EXPECT_DOUBLE_EQ(c.auc, 6.5 / 8.0);
    // Including the diagonal: the three 9s are true edges above threshold.
    const auto d = compare_connectivity(scores, truth, 3, 0.45, true);
    EXPECT_EQ(d.true_positives, 4u);
    // Perfect and inverted rankings; no predicted edge gives NaN precision.
    const std::vector<double> perfect = {0, 1, 0, 0, 0, 1, 0, 0, 0};
    EXPECT_DOUBLE_EQ(compare_connectivity(perfect, truth, 3, 0.5).auc, 1.0);
    std::vector<double> inverted(9);
    for (int i = 0; i < 9; ++i) inverted[i] = -perfect[i];
    EXPECT_DOUBLE_EQ(compare_connectivity(inverted, truth, 3, 0.5).auc, 0.0);
    const auto none = compare_connectivity(perfect, truth, 3, 2.0);
    EXPECT_TRUE(std::isnan(none.precision));
    EXPECT_DOUBLE_EQ(none.recall, 0.0);
    EXPECT_THROW(compare_connectivity(perfect, truth, 2, 0.5), ValueError);
    EXPECT_THROW(compare_connectivity(std::vector<double>(9, NAN), truth, 3, 0.5), ValueError);
}
