// Population geometry against known answers: PCA against NumPy's SVD (stored
// reference, tests/analysis/reference/make_pca.py) and closed forms, the participation
// ratio of isotropic data, RDMs and their comparison, and the invariances of CKA.

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "neurodyn/analysis/geometry.hpp"
#include "neurodyn/core/error.hpp"
#include "neurodyn/core/random.hpp"

using namespace neurodyn;
using namespace neurodyn::analysis;

namespace {

std::vector<std::vector<double>> read_csv(const std::string& name) {
    std::ifstream in(std::string(NEURODYN_SOURCE_DIR) + "/tests/analysis/reference/" + name);
    EXPECT_TRUE(in.good()) << name;
    std::vector<std::vector<double>> rows;
    for (std::string line; std::getline(in, line);) {
        std::vector<double> row;
        std::stringstream ss(line);
        for (std::string cell; std::getline(ss, cell, ',');) row.push_back(std::stod(cell));
        rows.push_back(row);
    }
    return rows;
}

std::vector<double> flatten(const std::vector<std::vector<double>>& rows) {
    std::vector<double> out;
    for (const auto& r : rows) out.insert(out.end(), r.begin(), r.end());
    return out;
}

std::vector<double> gaussian(std::size_t n, std::size_t p, std::uint64_t seed) {
    RandomStream rng(seed, 1, 0);
    std::vector<double> x(n * p);
    for (double& v : x) v = rng.normal();
    return x;
}

// Random orthogonal p x p matrix (Gram–Schmidt on Gaussian columns), row-major.
std::vector<double> random_orthogonal(std::size_t p, std::uint64_t seed) {
    std::vector<double> q = gaussian(p, p, seed);  // columns q[i * p + k], k = column
    for (std::size_t k = 0; k < p; ++k) {
        for (int pass = 0; pass < 2; ++pass)  // re-orthogonalise once for accuracy
            for (std::size_t j = 0; j < k; ++j) {
                double dot = 0.0;
                for (std::size_t i = 0; i < p; ++i) dot += q[i * p + k] * q[i * p + j];
                for (std::size_t i = 0; i < p; ++i) q[i * p + k] -= dot * q[i * p + j];
            }
        double norm = 0.0;
        for (std::size_t i = 0; i < p; ++i) norm += q[i * p + k] * q[i * p + k];
        for (std::size_t i = 0; i < p; ++i) q[i * p + k] /= std::sqrt(norm);
    }
    return q;
}

// c * X Q + shift (X: n x p, Q: p x p).
std::vector<double> transform(const std::vector<double>& x, std::size_t n, std::size_t p, const std::vector<double>& q,
                              double c, double shift = 0.0) {
    std::vector<double> y(n * p, 0.0);
    for (std::size_t s = 0; s < n; ++s)
        for (std::size_t j = 0; j < p; ++j) {
            double v = 0.0;
            for (std::size_t k = 0; k < p; ++k) v += x[s * p + k] * q[k * p + j];
            y[s * p + j] = c * v + shift;
        }
    return y;
}

void check_against_numpy(const std::string& name, std::size_t usable_components) {
    const auto data_rows = read_csv("pca_" + name + "_data.csv");
    const auto ref = read_csv("pca_" + name + "_reference.csv");
    ASSERT_FALSE(data_rows.empty());
    const std::size_t n = data_rows.size(), p = data_rows[0].size();
    const Pca fit = pca(flatten(data_rows), n, p);
    ASSERT_EQ(fit.explained_variance.size(), ref.size());
    ASSERT_EQ(fit.n_components, std::min(n, p));
    double total_ratio = 0.0;
    for (std::size_t k = 0; k < ref.size(); ++k) {
        // Eigenvalues: LAPACK's SVD and Eigen's symmetric solver agree to ~1e-13
        // relative to the largest eigenvalue (backward-stable both).
        EXPECT_NEAR(fit.explained_variance[k], ref[k][0], 1e-11 * ref[0][0]) << name << " k " << k;
        total_ratio += fit.explained_variance_ratio[k];
        if (k >= usable_components) continue;
        // Eigenvectors: error ~ eps * lambda_max / gap; the gaps here are > 1% of
        // lambda_max, so 1e-9 is ample.
        for (std::size_t j = 0; j < p; ++j)
            EXPECT_NEAR(fit.components[k * p + j], ref[k][1 + j], 1e-9) << name << " k " << k << " j " << j;
    }
    EXPECT_NEAR(total_ratio, 1.0, 1e-12);
}

}  // namespace

TEST(Pca, MatchesNumpySvdTallCovariancePath) { check_against_numpy("tall", 6); }

TEST(Pca, MatchesNumpySvdWideGramPath) {
    // 12 samples: the 12th eigenvalue is 0 (centring), its direction arbitrary.
    check_against_numpy("wide", 11);
}

TEST(Pca, ClosedFormOnConstructedCovarianceAndScores) {
    // Samples +-a e1, +-b e2, +-c e3 (a = 3, b = 2, c = 1) in 3-D: mean 0, covariance
    // diag(2a^2, 2b^2, 2c^2) / 5, components the unit axes.
    const double a = 3.0, b = 2.0, c = 1.0;
    const std::vector<double> x = {a, 0, 0, -a, 0, 0, 0, b, 0, 0, -b, 0, 0, 0, c, 0, 0, -c};
    const Pca fit = pca(x, 6, 3, 2);
    ASSERT_EQ(fit.components.size(), 6u);
    EXPECT_NEAR(fit.explained_variance[0], 2 * a * a / 5, 1e-14);
    EXPECT_NEAR(fit.explained_variance[1], 2 * b * b / 5, 1e-14);
    EXPECT_NEAR(fit.explained_variance[2], 2 * c * c / 5, 1e-14);
    EXPECT_NEAR(fit.explained_variance_ratio[0], 9.0 / 14.0, 1e-14);
    EXPECT_NEAR(fit.components[0], 1.0, 1e-14);
    EXPECT_NEAR(fit.components[3 + 1], 1.0, 1e-14);
    const auto scores = pca_transform(fit, x, 6);
    ASSERT_EQ(scores.size(), 12u);
    EXPECT_NEAR(scores[0], a, 1e-14);   // sample 0 on component 0
    EXPECT_NEAR(scores[2 * 2 + 1], b, 1e-14);  // sample 2 = (0, b, 0) on component 1
    EXPECT_NEAR(scores[3 * 2 + 1], -b, 1e-14);
}

TEST(Pca, RejectsBadInput) {
    EXPECT_THROW(pca(std::vector<double>{1, 2, 3}, 1, 3), ValueError);
    EXPECT_THROW(pca(std::vector<double>{1, 2, 3, 4}, 2, 3), ValueError);
    EXPECT_THROW(pca(std::vector<double>{1, 2, NAN, 4}, 2, 2), ValueError);
    EXPECT_THROW(pca(std::vector<double>{1, 2, 3, 4}, 2, 2, 3), ValueError);
    EXPECT_THROW(pca_transform(Pca{}, std::vector<double>{1.0}, 1), ValueError);
}

TEST(ParticipationRatio, IsotropicDataGiveTheDimension) {
    // Exactly isotropic: +-e_i in d = 7 dimensions, covariance (2 / 13) I: PR = 7.
    const std::size_t d = 7;
    std::vector<double> x(2 * d * d, 0.0);
    for (std::size_t i = 0; i < d; ++i) {
        x[(2 * i) * d + i] = 1.0;
        x[(2 * i + 1) * d + i] = -1.0;
    }
    EXPECT_NEAR(participation_ratio(x, 2 * d, d), 7.0, 1e-12);
    EXPECT_DOUBLE_EQ(participation_ratio(std::vector<double>{2, 2, 2}), 3.0);
    EXPECT_DOUBLE_EQ(participation_ratio(std::vector<double>{5, 0, 0}), 1.0);
    EXPECT_DOUBLE_EQ(participation_ratio(std::vector<double>{3, 1}), 16.0 / 10.0);
    // Gaussian isotropic samples, d = 10, n = 20000: E tr C = d, E tr C^2 = d + d(d+1)/(n-1),
    // so PR ~ d / (1 + (d+1)/(n-1)) = 9.99450. Over 20 other seeds: mean 9.99457, sd
    // 0.00134; tolerance 0.006 (> 4 sd).
    const std::size_t n = 20000, p = 10;
    const auto g = gaussian(n, p, 41);
    const double expected = 10.0 / (1.0 + 11.0 / (n - 1.0));
    EXPECT_NEAR(participation_ratio(g, n, p), expected, 0.006);
    // Same value from the PCA eigenvalues, and through the Gram path (n < p).
    const Pca fit = pca(g, n, p);
    EXPECT_NEAR(participation_ratio(fit.explained_variance), participation_ratio(g, n, p), 1e-10);
    const auto wide = gaussian(8, 30, 42);
    EXPECT_NEAR(participation_ratio(pca(wide, 8, 30).explained_variance), participation_ratio(wide, 8, 30), 1e-10);
    EXPECT_THROW(participation_ratio(std::vector<double>{}), ValueError);
    EXPECT_THROW(participation_ratio(std::vector<double>{1, -1}), ValueError);
}

TEST(Rdm, KnownDistances) {
    // Patterns: x, 2x + 3 (correlation distance 0), -x (distance 2).
    const std::vector<double> x = {1, 2, 4, 8};
    std::vector<double> data;
    for (double v : x) data.push_back(v);
    for (double v : x) data.push_back(2 * v + 3);
    for (double v : x) data.push_back(-v);
    const auto r = representational_dissimilarity(data, 3, 4, RdmMetric::correlation);
    EXPECT_NEAR(r[0 * 3 + 1], 0.0, 1e-14);
    EXPECT_NEAR(r[0 * 3 + 2], 2.0, 1e-14);
    EXPECT_EQ(r[1 * 3 + 0], r[0 * 3 + 1]);
    EXPECT_EQ(r[4], 0.0);
    // Euclidean: a 3-4-5 triangle.
    const std::vector<double> tri = {0, 0, 3, 0, 3, 4};
    const auto e = representational_dissimilarity(tri, 3, 2, RdmMetric::euclidean);
    EXPECT_NEAR(e[0 * 3 + 1], 3.0, 1e-14);
    EXPECT_NEAR(e[0 * 3 + 2], 5.0, 1e-14);
    EXPECT_NEAR(e[1 * 3 + 2], 4.0, 1e-14);
    EXPECT_THROW(representational_dissimilarity(tri, 3, 3), ValueError);
}

TEST(Rdm, InvariancesAndSpearmanComparison) {
    const std::size_t n = 12, p = 9;
    const auto x = gaussian(n, p, 43);
    const auto q = random_orthogonal(p, 44);
    // Euclidean RDM: invariant to rotations and translations, scales with isotropic scaling.
    const auto base = representational_dissimilarity(x, n, p, RdmMetric::euclidean);
    const auto moved = representational_dissimilarity(transform(x, n, p, q, 2.5, 1.0), n, p, RdmMetric::euclidean);
    for (std::size_t k = 0; k < n * n; ++k) EXPECT_NEAR(moved[k], 2.5 * base[k], 1e-12);
    // Correlation RDM: invariant to scaling and shifting the patterns.
    const auto rc = representational_dissimilarity(x, n, p);
    std::vector<double> scaled(x);
    for (double& v : scaled) v = 3.0 * v - 7.0;
    const auto rc3 = representational_dissimilarity(scaled, n, p);
    for (std::size_t k = 0; k < n * n; ++k) EXPECT_NEAR(rc3[k], rc[k], 1e-12);
    // Spearman comparison: 1 against itself and against any monotone transform, -1
    // against the reversed order.
    EXPECT_NEAR(compare_rdms(base, moved, n), 1.0, 1e-14);
    std::vector<double> squared(base), negated(base);
    for (std::size_t k = 0; k < n * n; ++k) squared[k] = base[k] * base[k], negated[k] = -base[k];
    EXPECT_NEAR(compare_rdms(base, squared, n), 1.0, 1e-14);
    EXPECT_NEAR(compare_rdms(base, negated, n), -1.0, 1e-14);
    // Ties get mid-ranks: upper triangles (1, 2, 3) and (1, 1, 2) -> ranks (1, 2, 3) and
    // (1.5, 1.5, 3): r = 1.5 / sqrt(2 * 1.5).
    const std::vector<double> a = {0, 1, 2, 1, 0, 3, 2, 3, 0}, b = {0, 1, 1, 1, 0, 2, 1, 2, 0};
    EXPECT_NEAR(compare_rdms(a, b, 3), 1.5 / std::sqrt(3.0), 1e-14);
    EXPECT_THROW(compare_rdms(a, b, 2), ValueError);
    std::vector<double> bad(a);
    bad[1] = NAN;
    EXPECT_THROW(compare_rdms(bad, b, 3), ValueError);
}

TEST(Cka, LinearInvariancesAndClosedForm) {
    const std::size_t n = 200, p = 6;
    const auto x = gaussian(n, p, 45);
    const auto q = random_orthogonal(p, 46);
    const auto y = transform(x, n, p, q, 0.3, 5.0);  // rotated, scaled, shifted
    EXPECT_NEAR(cka_linear(x, x, n, p, p), 1.0, 1e-14);
    EXPECT_NEAR(cka_linear(x, y, n, p, p), 1.0, 1e-12);
    // Invariant as a similarity: CKA(X, Z) = CKA(X Q c, Z) for another representation Z.
    const auto z = gaussian(n, 4, 47);
    EXPECT_NEAR(cka_linear(x, z, n, p, 4), cka_linear(y, z, n, p, 4), 1e-12);
    // Independent representations: CKA is biased upwards at finite n (the biased HSIC
    // estimator); over 20 other seeds at this size: 0.025 +- 0.008 (sd). Bound: mean + 4 sd.
    EXPECT_LT(cka_linear(x, z, n, p, 4), 0.06);
    // Closed form: X with orthogonal centred columns of squared norms s1 = 2, s2 = 8
    // (samples +-e1, +-2 e2); Y = first column: CKA = s1^2 / (s1 sqrt(s1^2 + s2^2))
    // = 2 / sqrt(68).
    const std::vector<double> xs = {1, 0, -1, 0, 0, 2, 0, -2}, ys = {1, -1, 0, 0};
    EXPECT_NEAR(cka_linear(xs, ys, 4, 2, 1), 2.0 / std::sqrt(68.0), 1e-14);
    // Feature-space and Gram-matrix paths agree: zero columns change nothing, and 100 of
    // them switch to the Gram path (n = 4 < p).
    std::vector<double> padded;
    for (std::size_t s = 0; s < 4; ++s) {
        padded.insert(padded.end(), {xs[2 * s], xs[2 * s + 1]});
        padded.insert(padded.end(), 100, 0.0);
    }
    EXPECT_NEAR(cka_linear(padded, ys, 4, 102, 1), 2.0 / std::sqrt(68.0), 1e-14);
    EXPECT_THROW(cka_linear(x, z, n, p, 5), ValueError);
    EXPECT_THROW(cka_linear(x, z, 1, p, 4), ValueError);
}

TEST(Cka, RbfInvariancesAndLinearLimit) {
    const std::size_t n = 150, p = 5;
    const auto x = gaussian(n, p, 48);
    const auto y = transform(x, n, p, random_orthogonal(p, 49), 4.0, -2.0);
    const auto z = gaussian(n, 3, 50);
    EXPECT_NEAR(cka_rbf(x, x, n, p, p), 1.0, 1e-14);
    // sigma is a fraction of the median distance, so rotation, isotropic scaling and
    // translation leave the kernel matrix unchanged (up to rounding).
    EXPECT_NEAR(cka_rbf(x, y, n, p, p), 1.0, 1e-12);
    EXPECT_NEAR(cka_rbf(x, z, n, p, 3, 0.8), cka_rbf(y, z, n, p, 3, 0.8), 1e-12);
    // Independent: 0.117 +- 0.008 (sd over 20 other seeds at this size; the biased HSIC
    // estimator); bound mean + 4 sd, far below the 1 of identical representations.
    EXPECT_LT(cka_rbf(x, z, n, p, 3), 0.15);
    // sigma >> distances: exp(-d^2 / 2 sigma^2) ~ 1 - d^2 / 2 sigma^2, and the centred
    // -d^2/2 is the centred linear Gram matrix, so RBF CKA tends to linear CKA with
    // error O(d^2 / sigma^2) ~ 1e-6 at sigma = 1000 x the median.
    const auto w = transform(x, n, p, random_orthogonal(p, 51), 1.0);
    std::vector<double> partial(n * 2);
    for (std::size_t s = 0; s < n; ++s) partial[2 * s] = x[s * p], partial[2 * s + 1] = x[s * p + 1] + x[s * p + 2];
    EXPECT_NEAR(cka_rbf(w, partial, n, p, 2, 1000.0), cka_linear(w, partial, n, p, 2), 1e-4);
    EXPECT_THROW(cka_rbf(x, z, n, p, 3, 0.0), ValueError);
    EXPECT_THROW(cka_rbf(std::vector<double>(n * p, 1.0), z, n, p, 3), ValueError);  // median distance 0
}
