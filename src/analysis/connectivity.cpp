#include "neurodyn/analysis/connectivity.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <string>

#include "matrix_helpers.hpp"
#include "neurodyn/core/error.hpp"

namespace neurodyn::analysis {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::vector<double> to_row_major(const Eigen::MatrixXd& m) {
    std::vector<double> out(static_cast<std::size_t>(m.size()));
    Eigen::Map<detail::RowMatrix>(out.data(), m.rows(), m.cols()) = m;
    return out;
}

// Continued fraction of the regularised incomplete beta function (modified Lentz;
// Press et al., Numerical Recipes, sec. 6.4).
double beta_continued_fraction(double a, double b, double x) {
    constexpr double kTiny = 1e-300;
    double c = 1.0, d = 1.0 - (a + b) * x / (a + 1.0);
    if (std::fabs(d) < kTiny) d = kTiny;
    d = 1.0 / d;
    double h = d;
    for (int m = 1; m <= 1000; ++m) {
        const double m2 = 2.0 * m;
        double aa = m * (b - m) * x / ((a + m2 - 1.0) * (a + m2));
        d = 1.0 + aa * d;
        if (std::fabs(d) < kTiny) d = kTiny;
        c = 1.0 + aa / c;
        if (std::fabs(c) < kTiny) c = kTiny;
        d = 1.0 / d;
        h *= d * c;
        aa = -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1.0));
        d = 1.0 + aa * d;
        if (std::fabs(d) < kTiny) d = kTiny;
        c = 1.0 + aa / c;
        if (std::fabs(c) < kTiny) c = kTiny;
        d = 1.0 / d;
        const double delta = d * c;
        h *= delta;
        if (std::fabs(delta - 1.0) < 1e-15) break;
    }
    return h;
}

// I_x(a, b), the regularised incomplete beta function.
double incomplete_beta(double a, double b, double x) {
    if (x <= 0.0) return 0.0;
    if (x >= 1.0) return 1.0;
    const double front =
        std::exp(std::lgamma(a + b) - std::lgamma(a) - std::lgamma(b) + a * std::log(x) + b * std::log1p(-x));
    if (x < (a + 1.0) / (a + b + 2.0)) return front * beta_continued_fraction(a, b, x) / a;
    return 1.0 - front * beta_continued_fraction(b, a, 1.0 - x) / b;
}

// P(F > f) for F ~ F(d1, d2): I_{d2/(d2 + d1 f)}(d2/2, d1/2).
double f_survival(double f, double d1, double d2) {
    if (!(f > 0.0)) return 1.0;
    return incomplete_beta(0.5 * d2, 0.5 * d1, d2 / (d2 + d1 * f));
}

// Residual sum of squares of the least-squares fit of y on the columns of x (QR with
// column pivoting, so collinear regressors do not break it).
double residual_sum_of_squares(const Eigen::MatrixXd& x, const Eigen::VectorXd& y) {
    const Eigen::VectorXd beta = x.colPivHouseholderQr().solve(y);
    return (y - x * beta).squaredNorm();
}

// Lagged design: column 0 the intercept, then for each series s in `series` its values
// at t - 1 .. t - p for t = p .. T-1.
template <class Column>
void fill_lags(Eigen::MatrixXd& design, Eigen::Index first_col, const Column& series, std::size_t order) {
    const Eigen::Index rows = design.rows();
    for (std::size_t k = 1; k <= order; ++k)
        for (Eigen::Index r = 0; r < rows; ++r)
            design(r, first_col + static_cast<Eigen::Index>(k - 1)) =
                series(r + static_cast<Eigen::Index>(order) - static_cast<Eigen::Index>(k));
}

void check_order(std::size_t order, std::size_t n_times) {
    if (order == 0) throw ValueError("order must be >= 1, got 0");
    if (n_times <= 3 * order + 1 + 1)
        throw ValueError("Granger causality of order " + std::to_string(order) + " needs more than " +
                         std::to_string(3 * order + 2) + " time points, got " + std::to_string(n_times));
}

GrangerResult granger_from_rss(double rss_r, double rss_f, std::size_t order, std::size_t rows) {
    GrangerResult g;
    g.df1 = order;
    g.df2 = rows - 2 * order - 1;
    if (!(rss_f > 0.0)) {  // the full model fits exactly
        g.f_statistic = rss_r > 0.0 ? std::numeric_limits<double>::infinity() : 0.0;
        g.p_value = rss_r > 0.0 ? 0.0 : 1.0;
        g.log_ratio = rss_r > 0.0 ? std::numeric_limits<double>::infinity() : 0.0;
        return g;
    }
    const double d1 = static_cast<double>(g.df1), d2 = static_cast<double>(g.df2);
    g.f_statistic = std::max(0.0, (rss_r - rss_f) / d1 / (rss_f / d2));
    g.p_value = f_survival(g.f_statistic, d1, d2);
    g.log_ratio = std::max(0.0, std::log(rss_r / rss_f));
    return g;
}

}  // namespace

std::vector<double> correlation_matrix(std::span<const double> signals, std::size_t n_times, std::size_t n_signals) {
    const auto x = detail::as_matrix(signals, n_times, n_signals, "signals", 2);
    const Eigen::MatrixXd c = detail::covariance(x);
    const Eigen::Index n = c.rows();
    Eigen::MatrixXd r(n, n);
    for (Eigen::Index i = 0; i < n; ++i)
        for (Eigen::Index j = 0; j < n; ++j) {
            const double denom = std::sqrt(c(i, i) * c(j, j));
            r(i, j) = denom > 0.0 ? (i == j ? 1.0 : std::clamp(c(i, j) / denom, -1.0, 1.0)) : kNaN;
        }
    return to_row_major(r);
}

std::vector<double> partial_correlation_matrix(std::span<const double> signals, std::size_t n_times,
                                               std::size_t n_signals) {
    const auto x = detail::as_matrix(signals, n_times, n_signals, "signals", 2);
    if (n_times <= n_signals)
        throw ValueError("partial correlations need n_times > n_signals (the covariance is singular otherwise), got " +
                         std::to_string(n_times) + " <= " + std::to_string(n_signals));
    const Eigen::MatrixXd c = detail::covariance(x);
    // Scale to the correlation matrix first: the precision of R has the same partial
    // correlations and a better condition number.
    const Eigen::VectorXd sd = c.diagonal().cwiseSqrt();
    if ((sd.array() <= 0.0).any()) throw ValueError("signals: a constant signal has no partial correlation");
    const Eigen::MatrixXd r = sd.cwiseInverse().asDiagonal() * c * sd.cwiseInverse().asDiagonal();
    const Eigen::LDLT<Eigen::MatrixXd> ldlt(r);
    const double min_d = ldlt.vectorD().minCoeff(), max_d = ldlt.vectorD().maxCoeff();
    if (ldlt.info() != Eigen::Success || !(min_d > 1e-12 * max_d))
        throw ValueError("signals: the covariance matrix is singular (linearly dependent signals); partial "
                         "correlations are undefined");
    const Eigen::MatrixXd p = ldlt.solve(Eigen::MatrixXd::Identity(r.rows(), r.cols()));
    const Eigen::Index n = p.rows();
    Eigen::MatrixXd rho(n, n);
    for (Eigen::Index i = 0; i < n; ++i)
        for (Eigen::Index j = 0; j < n; ++j)
            rho(i, j) = i == j ? 1.0 : std::clamp(-p(i, j) / std::sqrt(p(i, i) * p(j, j)), -1.0, 1.0);
    return to_row_major(rho);
}

GrangerResult granger_causality(std::span<const double> source, std::span<const double> target, std::size_t order) {
    if (source.size() != target.size())
        throw ValueError("source and target must have the same length, got " + std::to_string(source.size()) + " and " +
                         std::to_string(target.size()));
    check_order(order, target.size());
    const auto x = detail::as_matrix(source, source.size(), 1, "source");
    const auto y = detail::as_matrix(target, target.size(), 1, "target");
    const auto rows = static_cast<Eigen::Index>(target.size() - order);
    const auto p = static_cast<Eigen::Index>(order);
    Eigen::MatrixXd full(rows, 1 + 2 * p);
    full.col(0).setOnes();
    fill_lags(full, 1, y.col(0), order);
    fill_lags(full, 1 + p, x.col(0), order);
    const Eigen::VectorXd response = y.col(0).tail(rows);
    const double rss_r = residual_sum_of_squares(full.leftCols(1 + p), response);
    const double rss_f = residual_sum_of_squares(full, response);
    return granger_from_rss(rss_r, rss_f, order, static_cast<std::size_t>(rows));
}

std::vector<double> granger_causality_matrix(std::span<const double> signals, std::size_t n_times,
                                             std::size_t n_signals, std::size_t order) {
    const auto x = detail::as_matrix(signals, n_times, n_signals, "signals", 2);
    check_order(order, n_times);
    const auto rows = static_cast<Eigen::Index>(n_times - order);
    const auto p = static_cast<Eigen::Index>(order);
    const auto n = static_cast<Eigen::Index>(n_signals);
    Eigen::MatrixXd g = Eigen::MatrixXd::Zero(n, n);
    Eigen::MatrixXd design(rows, 1 + 2 * p);
    design.col(0).setOnes();
    for (Eigen::Index j = 0; j < n; ++j) {
        fill_lags(design, 1, x.col(j), order);
        const Eigen::VectorXd response = x.col(j).tail(rows);
        const double rss_r = residual_sum_of_squares(design.leftCols(1 + p), response);
        for (Eigen::Index i = 0; i < n; ++i) {
            if (i == j) continue;
            fill_lags(design, 1 + p, x.col(i), order);
            g(i, j) = granger_from_rss(rss_r, residual_sum_of_squares(design, response), order,
                                       static_cast<std::size_t>(rows))
                          .log_ratio;
        }
    }
    return to_row_major(g);
}

ConnectivityComparison compare_connectivity(std::span<const double> scores, std::span<const double> truth,
                                            std::size_t n, double threshold, bool include_diagonal) {
    if (n == 0) throw ValueError("n must be >= 1");
    if (scores.size() != n * n)
        throw ValueError("scores: size " + std::to_string(scores.size()) + " != n x n = " + std::to_string(n * n));
    if (truth.size() != n * n)
        throw ValueError("truth: size " + std::to_string(truth.size()) + " != n x n = " + std::to_string(n * n));
    if (std::isnan(threshold)) throw ValueError("threshold must not be NaN");
    ConnectivityComparison out;
    std::vector<std::pair<double, bool>> entries;  // (score, is a true edge)
    entries.reserve(n * n);
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = 0; j < n; ++j) {
            if (i == j && !include_diagonal) continue;
            const double s = scores[i * n + j], t = truth[i * n + j];
            if (std::isnan(s)) throw ValueError("scores must not contain NaN (entry " + std::to_string(i) + ", " + std::to_string(j) + ")");
            if (std::isnan(t)) throw ValueError("truth must not contain NaN (entry " + std::to_string(i) + ", " + std::to_string(j) + ")");
            const bool edge = t != 0.0, predicted = s >= threshold;
            if (edge && predicted) ++out.true_positives;
            else if (!edge && predicted) ++out.false_positives;
            else if (edge) ++out.false_negatives;
            else ++out.true_negatives;
            entries.emplace_back(s, edge);
        }
    const double tp = static_cast<double>(out.true_positives), fp = static_cast<double>(out.false_positives),
                 fn = static_cast<double>(out.false_negatives);
    out.precision = tp + fp > 0.0 ? tp / (tp + fp) : kNaN;
    out.recall = tp + fn > 0.0 ? tp / (tp + fn) : kNaN;
    out.f1 = 2.0 * tp + fp + fn > 0.0 ? 2.0 * tp / (2.0 * tp + fp + fn) : kNaN;
    // AUC = (sum of ranks of positives - n_pos (n_pos + 1) / 2) / (n_pos n_neg), mid-ranks for ties.
    std::sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    double rank_sum = 0.0, n_pos = 0.0;
    for (std::size_t i = 0; i < entries.size();) {
        std::size_t j = i;
        while (j < entries.size() && entries[j].first == entries[i].first) ++j;
        const double mid_rank = 0.5 * static_cast<double>(i + 1 + j);  // ranks i+1 .. j
        for (std::size_t k = i; k < j; ++k)
            if (entries[k].second) rank_sum += mid_rank, n_pos += 1.0;
        i = j;
    }
    const double n_neg = static_cast<double>(entries.size()) - n_pos;
    out.auc = n_pos > 0.0 && n_neg > 0.0 ? (rank_sum - n_pos * (n_pos + 1.0) / 2.0) / (n_pos * n_neg) : kNaN;
    return out;
}

}  // namespace neurodyn::analysis
