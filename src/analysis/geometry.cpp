#include "neurodyn/analysis/geometry.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
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

Eigen::MatrixXd centred(const detail::ConstRowMap& x) { return x.rowwise() - x.colwise().mean(); }

// Squared Euclidean distances between rows, from the Gram matrix of the centred rows
// (centring changes no distance and keeps the cancellation in |a|^2 + |b|^2 - 2 a.b small).
Eigen::MatrixXd squared_distances(const detail::ConstRowMap& x) {
    const Eigen::MatrixXd c = centred(x);
    const Eigen::MatrixXd g = c * c.transpose();
    const Eigen::VectorXd sq = g.diagonal();
    Eigen::MatrixXd d2 = (-2.0 * g).colwise() + sq;
    d2.rowwise() += sq.transpose();
    d2 = d2.cwiseMax(0.0);
    d2.diagonal().setZero();
    return d2;
}

// H K H with H = I - 11^T/n: subtract row and column means, add the grand mean.
Eigen::MatrixXd double_centre(const Eigen::MatrixXd& k) {
    const Eigen::VectorXd row_mean = k.rowwise().mean();
    const Eigen::RowVectorXd col_mean = k.colwise().mean();
    const double grand = k.mean();
    Eigen::MatrixXd out = k.colwise() - row_mean;
    out.rowwise() -= col_mean;
    out.array() += grand;
    return out;
}

double kernel_alignment(const Eigen::MatrixXd& kc, const Eigen::MatrixXd& lc) {
    const double nk = kc.norm(), nl = lc.norm();
    if (!(nk > 0.0) || !(nl > 0.0)) return kNaN;  // a constant representation
    return (kc.array() * lc.array()).sum() / (nk * nl);
}

// Mid-ranks (1-based) of v, ties averaged.
std::vector<double> ranks(const std::vector<double>& v) {
    std::vector<std::size_t> order(v.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return v[a] < v[b]; });
    std::vector<double> r(v.size());
    for (std::size_t i = 0; i < order.size();) {
        std::size_t j = i;
        while (j < order.size() && v[order[j]] == v[order[i]]) ++j;
        for (std::size_t k = i; k < j; ++k) r[order[k]] = 0.5 * static_cast<double>(i + 1 + j);
        i = j;
    }
    return r;
}

void check_same_samples(std::span<const double> x, std::span<const double> y, std::size_t n, std::size_t p,
                        std::size_t q) {
    if (n < 2) throw ValueError("n_samples must be >= 2, got " + std::to_string(n));
    if (x.size() != n * p)
        throw ValueError("x: size " + std::to_string(x.size()) + " != n_samples x p = " + std::to_string(n * p));
    if (y.size() != n * q)
        throw ValueError("y: size " + std::to_string(y.size()) + " != n_samples x q = " + std::to_string(n * q));
}

}  // namespace

Pca pca(std::span<const double> data, std::size_t n_samples, std::size_t n_features, std::size_t n_components) {
    const auto x = detail::as_matrix(data, n_samples, n_features, "data", 2);
    const std::size_t rank = std::min(n_samples, n_features);
    if (n_components > rank)
        throw ValueError("n_components must be <= min(n_samples, n_features) = " + std::to_string(rank) + ", got " +
                         std::to_string(n_components));
    if (n_components == 0) n_components = rank;
    const auto p = static_cast<Eigen::Index>(n_features);
    const auto nc = static_cast<Eigen::Index>(n_components);
    Pca out;
    out.n_features = n_features;
    out.n_components = n_components;
    Eigen::VectorXd eigenvalues;  // descending, length rank
    Eigen::MatrixXd vectors(p, nc);
    double total = 0.0;
    const Eigen::VectorXd mean = x.colwise().mean().transpose();
    if (n_samples >= n_features) {
        const Eigen::MatrixXd c = detail::covariance(x);
        total = c.trace();
        const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(c);
        eigenvalues = eig.eigenvalues().reverse();
        vectors = eig.eigenvectors().rowwise().reverse().leftCols(nc);
    } else {
        const Eigen::MatrixXd xc = centred(x);
        const Eigen::MatrixXd g = xc * xc.transpose() / static_cast<double>(n_samples - 1);
        total = g.trace();
        const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(g);
        eigenvalues = eig.eigenvalues().reverse();
        const Eigen::MatrixXd u = eig.eigenvectors().rowwise().reverse();
        const double floor = 1e-12 * std::max(eigenvalues(0), 0.0);
        for (Eigen::Index k = 0; k < nc; ++k) {
            if (eigenvalues(k) > floor) {
                vectors.col(k) = xc.transpose() * u.col(k);
                vectors.col(k).normalize();
            } else {
                vectors.col(k).setZero();
            }
        }
    }
    eigenvalues = eigenvalues.cwiseMax(0.0);
    for (Eigen::Index k = 0; k < nc; ++k) {  // sign: the largest-magnitude entry positive
        Eigen::Index arg = 0;
        vectors.col(k).cwiseAbs().maxCoeff(&arg);
        if (vectors(arg, k) < 0.0) vectors.col(k) *= -1.0;
    }
    out.mean.assign(mean.data(), mean.data() + mean.size());
    out.explained_variance.assign(eigenvalues.data(), eigenvalues.data() + eigenvalues.size());
    out.explained_variance_ratio.resize(out.explained_variance.size());
    for (std::size_t k = 0; k < out.explained_variance.size(); ++k)
        out.explained_variance_ratio[k] = total > 0.0 ? out.explained_variance[k] / total : kNaN;
    out.components = to_row_major(vectors.transpose());
    return out;
}

std::vector<double> pca_transform(const Pca& fit, std::span<const double> data, std::size_t n_samples) {
    if (fit.n_features == 0 || fit.components.size() != fit.n_components * fit.n_features ||
        fit.mean.size() != fit.n_features)
        throw ValueError("pca: not a fitted Pca (its sizes do not match)");
    const auto x = detail::as_matrix(data, n_samples, fit.n_features, "data");
    const Eigen::Map<const Eigen::RowVectorXd> mean(fit.mean.data(), static_cast<Eigen::Index>(fit.n_features));
    const detail::ConstRowMap v(fit.components.data(), static_cast<Eigen::Index>(fit.n_components),
                                static_cast<Eigen::Index>(fit.n_features));
    const Eigen::MatrixXd scores = (x.rowwise() - mean) * v.transpose();
    return to_row_major(scores);
}

double participation_ratio(std::span<const double> eigenvalues) {
    if (eigenvalues.empty()) throw ValueError("eigenvalues is empty");
    double s = 0.0, s2 = 0.0;
    for (const double l : eigenvalues) {
        if (!std::isfinite(l) || l < 0.0)
            throw ValueError("eigenvalues must be finite and >= 0 (covariance eigenvalues), got " + std::to_string(l));
        s += l;
        s2 += l * l;
    }
    return s2 > 0.0 ? s * s / s2 : kNaN;
}

double participation_ratio(std::span<const double> data, std::size_t n_samples, std::size_t n_features) {
    const auto x = detail::as_matrix(data, n_samples, n_features, "data", 2);
    Eigen::MatrixXd c;
    if (n_samples >= n_features) {
        c = detail::covariance(x);
    } else {  // same non-zero eigenvalues
        const Eigen::MatrixXd xc = centred(x);
        c = xc * xc.transpose() / static_cast<double>(n_samples - 1);
    }
    const double f2 = c.squaredNorm();
    return f2 > 0.0 ? c.trace() * c.trace() / f2 : kNaN;
}

std::vector<double> representational_dissimilarity(std::span<const double> data, std::size_t n_conditions,
                                                   std::size_t n_features, RdmMetric metric) {
    const auto x = detail::as_matrix(data, n_conditions, n_features, "data");
    const auto n = static_cast<Eigen::Index>(n_conditions);
    Eigen::MatrixXd d(n, n);
    if (metric == RdmMetric::euclidean) {
        d = squared_distances(x).cwiseSqrt();
    } else {
        if (n_features < 2) throw ValueError("correlation distance needs n_features >= 2, got " + std::to_string(n_features));
        Eigen::MatrixXd z = x.colwise() - x.rowwise().mean();  // centre each pattern across features
        Eigen::VectorXd norms = z.rowwise().norm();
        for (Eigen::Index i = 0; i < n; ++i)
            if (norms(i) > 0.0) z.row(i) /= norms(i);
        d = Eigen::MatrixXd::Ones(n, n) - z * z.transpose();
        d = d.cwiseMax(0.0).cwiseMin(2.0);
        for (Eigen::Index i = 0; i < n; ++i) {
            if (norms(i) > 0.0) continue;
            d.row(i).setConstant(kNaN);
            d.col(i).setConstant(kNaN);
        }
        d.diagonal().setZero();
    }
    return to_row_major(d);
}

double compare_rdms(std::span<const double> rdm_a, std::span<const double> rdm_b, std::size_t n) {
    if (n < 3) throw ValueError("compare_rdms needs n >= 3 conditions, got " + std::to_string(n));
    if (rdm_a.size() != n * n) throw ValueError("rdm_a: size " + std::to_string(rdm_a.size()) + " != n x n");
    if (rdm_b.size() != n * n) throw ValueError("rdm_b: size " + std::to_string(rdm_b.size()) + " != n x n");
    std::vector<double> a, b;
    a.reserve(n * (n - 1) / 2), b.reserve(n * (n - 1) / 2);
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = i + 1; j < n; ++j) {
            if (!std::isfinite(rdm_a[i * n + j]) || !std::isfinite(rdm_b[i * n + j]))
                throw ValueError("rdm_a and rdm_b must be finite above the diagonal (NaN at " + std::to_string(i) + ", " +
                                 std::to_string(j) + ")");
            a.push_back(rdm_a[i * n + j]);
            b.push_back(rdm_b[i * n + j]);
        }
    const std::vector<double> ra = ranks(a), rb = ranks(b);
    const double m = 0.5 * static_cast<double>(ra.size() + 1);  // mean rank
    double sab = 0.0, saa = 0.0, sbb = 0.0;
    for (std::size_t k = 0; k < ra.size(); ++k) {
        sab += (ra[k] - m) * (rb[k] - m);
        saa += (ra[k] - m) * (ra[k] - m);
        sbb += (rb[k] - m) * (rb[k] - m);
    }
    return saa > 0.0 && sbb > 0.0 ? sab / std::sqrt(saa * sbb) : kNaN;
}

double cka_linear(std::span<const double> x, std::span<const double> y, std::size_t n_samples, std::size_t p,
                  std::size_t q) {
    check_same_samples(x, y, n_samples, p, q);
    const Eigen::MatrixXd xc = centred(detail::as_matrix(x, n_samples, p, "x", 2));
    const Eigen::MatrixXd yc = centred(detail::as_matrix(y, n_samples, q, "y", 2));
    const double n = static_cast<double>(n_samples), dp = static_cast<double>(p), dq = static_cast<double>(q);
    if (n * (dp * dq + dp * dp + dq * dq) <= n * n * (dp + dq)) {
        const double nx = (xc.transpose() * xc).norm(), ny = (yc.transpose() * yc).norm();
        if (!(nx > 0.0) || !(ny > 0.0)) return kNaN;
        return (yc.transpose() * xc).squaredNorm() / (nx * ny);
    }
    return kernel_alignment(xc * xc.transpose(), yc * yc.transpose());
}

double cka_rbf(std::span<const double> x, std::span<const double> y, std::size_t n_samples, std::size_t p,
               std::size_t q, double sigma_fraction) {
    check_same_samples(x, y, n_samples, p, q);
    if (!(sigma_fraction > 0.0) || !std::isfinite(sigma_fraction))
        throw ValueError("sigma_fraction must be > 0, got " + std::to_string(sigma_fraction));
    auto kernel = [&](std::span<const double> data, std::size_t cols, const char* name) {
        Eigen::MatrixXd d2 = squared_distances(detail::as_matrix(data, n_samples, cols, name, 2));
        std::vector<double> upper;
        upper.reserve(n_samples * (n_samples - 1) / 2);
        for (Eigen::Index i = 0; i < d2.rows(); ++i)
            for (Eigen::Index j = i + 1; j < d2.cols(); ++j) upper.push_back(d2(i, j));
        // Median distance (the median of squared distances, square-rooted; for an even
        // count the upper middle value).
        auto mid = upper.begin() + static_cast<std::ptrdiff_t>(upper.size() / 2);
        std::nth_element(upper.begin(), mid, upper.end());
        const double median = std::sqrt(*mid);
        if (!(median > 0.0))
            throw ValueError(std::string(name) + ": the median distance between samples is 0; the RBF bandwidth is undefined");
        const double sigma = sigma_fraction * median;
        return double_centre((-d2 / (2.0 * sigma * sigma)).array().exp().matrix());
    };
    return kernel_alignment(kernel(x, p, "x"), kernel(y, q, "y"));
}

}  // namespace neurodyn::analysis
