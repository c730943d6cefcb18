// Rate-based Hebbian rules (include/neurodyn/learn/hebbian.hpp) against theory:
// Oja's rule finds the top eigenvector of a known covariance, the subspace rule and
// Sanger's GHA the top-k subspace (GHA in order), each within the stationary
// fluctuation that the learning rate predicts; Hebb with decay follows its closed form
// exactly; BCM becomes selective with theta = <y^2> at the analytic fixed point;
// Földiák's anti-Hebbian lateral weights decorrelate the outputs; HLOP's projection
// leaves an old task's outputs unchanged while the unprojected update changes them.
// Then determinism, batch = steps, and one error per bad argument.
//
// Stationary fluctuations (used for the tolerances below). Near a fixed point where
// unit j has converged to eigenvector e_j (eigenvalue l_j), its weight along another
// eigenvector e_i follows, to first order in eta,
//     a <- (1 - eta (l_j - l_i)) a + eta x_j x_i,     Var(x_j x_i) = l_j l_i (Gaussian x)
// an AR(1) process with stationary variance eta l_j l_i / (2 |l_j - l_i|). The sum of
// sin^2 of the angles to the target is then a weighted chi-square variable with mean
//     S = eta sum_(pairs) l_j l_i / (2 |l_j - l_i|).
// A weighted chi-square exceeds 6 times its mean with probability < 1e-4 even when one
// term dominates (P(chi2_1 > 15) = 1.1e-4), so each tolerance is 6 S: one false
// failure in 10^4 seeds.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <set>
#include <string>
#include <vector>

#include "neurodyn/core/error.hpp"
#include "neurodyn/core/random.hpp"
#include "neurodyn/learn/hebbian.hpp"

using namespace neurodyn;
using namespace neurodyn::learn;

namespace {

double dot(const double* a, const double* b, std::size_t n) {
    double sum = 0.0;
    for (std::size_t i = 0; i < n; ++i) sum += a[i] * b[i];
    return sum;
}

// Orthonormal rows spanning the same space as `rows` (k x n), by modified Gram-Schmidt.
std::vector<double> orthonormal_rows(std::vector<double> rows, std::size_t k, std::size_t n) {
    for (std::size_t r = 0; r < k; ++r) {
        double* v = rows.data() + r * n;
        for (std::size_t q = 0; q < r; ++q) {
            const double* u = rows.data() + q * n;
            const double c = dot(u, v, n);
            for (std::size_t i = 0; i < n; ++i) v[i] -= c * u[i];
        }
        const double norm = std::sqrt(dot(v, v, n));
        for (std::size_t i = 0; i < n; ++i) v[i] /= norm;
    }
    return rows;
}

// A zero-mean Gaussian with covariance sum_i variance_i e_i e_i^T along a random
// orthonormal basis e (rows of `basis`, strongest first).
struct Gaussian {
    std::size_t dim = 0;
    std::vector<double> variances, basis;

    std::vector<double> samples(std::size_t count, std::uint64_t seed) const {
        RandomStream stream(seed, 4242, 1);
        std::vector<double> x(count * dim, 0.0);
        for (std::size_t s = 0; s < count; ++s)
            for (std::size_t i = 0; i < dim; ++i) {
                const double z = std::sqrt(variances[i]) * stream.normal();
                for (std::size_t j = 0; j < dim; ++j) x[s * dim + j] += z * basis[i * dim + j];
            }
        return x;
    }
    // sum over the first k eigenvectors of ||projection onto span(rows)||^2 subtracted
    // from k: the sum of sin^2 of the k principal angles between span(rows) and the top-k
    // eigenvectors (rows: k x dim, any basis of their span).
    double subspace_sin2(const std::vector<double>& rows, std::size_t k) const {
        const std::vector<double> q = orthonormal_rows(rows, k, dim);
        double captured = 0.0;
        for (std::size_t e = 0; e < k; ++e)
            for (std::size_t r = 0; r < k; ++r) {
                const double c = dot(basis.data() + e * dim, q.data() + r * dim, dim);
                captured += c * c;
            }
        return static_cast<double>(k) - captured;
    }
    // sin^2 of the angle between row r of `rows` and eigenvector e.
    double sin2(const std::vector<double>& rows, std::size_t r, std::size_t e) const {
        const double* w = rows.data() + r * dim;
        const double c = dot(w, basis.data() + e * dim, dim);
        return 1.0 - c * c / dot(w, w, dim);
    }
    // S of the header for the pairs (j in units, i not in `converged_to`).
    double expected_sin2(double eta, const std::vector<std::size_t>& units, const std::vector<std::size_t>& others) const {
        double s = 0.0;
        for (std::size_t j : units)
            for (std::size_t i : others)
                s += eta * variances[j] * variances[i] / (2.0 * std::fabs(variances[j] - variances[i]));
        return s;
    }
};

Gaussian make_gaussian(std::vector<double> variances, std::uint64_t seed) {
    Gaussian g;
    g.dim = variances.size();
    g.variances = std::move(variances);
    RandomStream stream(seed, 4242, 0);
    std::vector<double> raw(g.dim * g.dim);
    for (double& v : raw) v = stream.normal();
    g.basis = orthonormal_rows(std::move(raw), g.dim, g.dim);
    return g;
}

std::vector<std::size_t> range(std::size_t begin, std::size_t end) {
    std::vector<std::size_t> r;
    for (std::size_t i = begin; i < end; ++i) r.push_back(i);
    return r;
}

// A spectrum with gaps of at least 0.5 between the top components.
const std::vector<double> kSpectrum{4.0, 2.5, 1.5, 0.8, 0.5, 0.35, 0.25, 0.15};

HebbianParams rule_params(HebbianRule rule, double eta) {
    HebbianParams p;
    p.rule = rule;
    p.eta = eta;
    return p;
}

}  // namespace

// ---- Oja, subspace rule, GHA ------------------------------------------------------------

TEST(HebbianOja, SingleUnitConvergesToTheTopEigenvector) {
    const Gaussian g = make_gaussian(kSpectrum, 1);
    const double eta = 5e-4;
    // Transient: the angle decays at rate eta (l1 - l2) = 7.5e-4 per sample; 40000
    // samples are 30 time constants, so only the stationary fluctuation is left.
    const std::size_t samples = 40000;
    const auto x = g.samples(samples, 2);
    HebbianLayer layer(g.dim, 1, rule_params(HebbianRule::oja, eta), 3);
    layer.train(x, samples);
    const double sin2 = g.sin2(layer.weights(), 0, 0);
    const double expected = g.expected_sin2(eta, {0}, range(1, g.dim));
    const double norm = std::sqrt(dot(layer.weights().data(), layer.weights().data(), g.dim));
    std::printf("oja: 1 - |cos| = %.3g (tolerance %.3g), sin^2 = %.3g vs theory mean %.3g, |w| = %.5f\n",
                1.0 - std::sqrt(1.0 - sin2), 3.0 * expected, sin2, expected, norm);
    // 1 - |cos| = sin^2 / 2 + O(sin^4): the 6 S bound of the header on sin^2.
    EXPECT_LT(1.0 - std::sqrt(1.0 - sin2), 3.0 * expected);
    // |w|^2 -> 1 + O(eta): the mean drift eta^2 l1 (tr C - l1) against the restoring
    // rate 2 eta l1 leaves |w|^2 - 1 = eta (tr C - l1) / 2 = 1.5e-3; ten times that.
    EXPECT_NEAR(norm, 1.0, 0.015);
}

TEST(HebbianOja, SubspaceRuleFindsTheTopThreeSubspaceWithOrthonormalRows) {
    const Gaussian g = make_gaussian(kSpectrum, 4);
    const double eta = 5e-4;
    const std::size_t k = 3, samples = 60000;  // slowest rate eta (l3 - l4) = 3.5e-4: 21 time constants
    const auto x = g.samples(samples, 5);
    HebbianLayer layer(g.dim, k, rule_params(HebbianRule::oja_subspace, eta), 6);
    layer.train(x, samples);
    const double sin2 = g.subspace_sin2(layer.weights(), k);
    const double expected = g.expected_sin2(eta, range(0, k), range(k, g.dim));
    double worst_gram = 0.0;  // max |W W^T - I|
    for (std::size_t a = 0; a < k; ++a)
        for (std::size_t b = 0; b < k; ++b) {
            const double gram = dot(layer.weights().data() + a * g.dim, layer.weights().data() + b * g.dim, g.dim);
            worst_gram = std::max(worst_gram, std::fabs(gram - (a == b ? 1.0 : 0.0)));
        }
    std::printf("oja subspace: sum sin^2 = %.3g (tolerance %.3g), max |W W^T - I| = %.3g\n", sin2, 6.0 * expected,
                worst_gram);
    EXPECT_LT(sin2, 6.0 * expected);  // the 6 S bound of the header
    // W W^T = I + O(eta tr C) as |w| for one unit; ten times eta tr C = 5e-3.
    EXPECT_LT(worst_gram, 0.05);
}

TEST(HebbianOja, SangerFindsTheComponentsInOrder) {
    const Gaussian g = make_gaussian(kSpectrum, 7);
    const double eta = 5e-4;
    const std::size_t k = 3, samples = 80000;  // slowest ordering rate eta (l3 - l4): 28 time constants
    const auto x = g.samples(samples, 8);
    HebbianLayer layer(g.dim, k, rule_params(HebbianRule::sanger, eta), 9);
    layer.train(x, samples);
    for (std::size_t r = 0; r < k; ++r) {
        std::vector<std::size_t> others;
        for (std::size_t i = 0; i < g.dim; ++i)
            if (i != r) others.push_back(i);
        const double sin2 = g.sin2(layer.weights(), r, r);
        // Row r's pairs with the rows above it (j < r) are the ones it inherits by staying
        // orthogonal to their fluctuations; the pairs below it are Oja's. Both are in S.
        const double tolerance = 6.0 * g.expected_sin2(eta, {r}, others);
        std::printf("sanger: row %zu sin^2 to e_%zu = %.3g (tolerance %.3g)\n", r, r, sin2, tolerance);
        EXPECT_LT(sin2, tolerance) << "row " << r;
    }
}

TEST(HebbianOja, OneOutputOjaSubspaceAndSangerAreTheSameRule) {
    // With one output, y y^T W = y^2 w and LT[y y^T] W = y^2 w: three spellings of Oja 1982.
    const Gaussian g = make_gaussian(kSpectrum, 10);
    const auto x = g.samples(2000, 11);
    std::vector<std::vector<double>> weights;
    for (HebbianRule rule : {HebbianRule::oja, HebbianRule::oja_subspace, HebbianRule::sanger}) {
        HebbianLayer layer(g.dim, 1, rule_params(rule, 1e-3), 12);
        layer.train(x, 2000);
        weights.push_back(layer.weights());
    }
    // Only the order of the floating-point operations differs: rounding, 2000 updates
    // of relative error ~1e-16 each, amplified by at most the contraction of Oja's map.
    for (std::size_t i = 0; i < g.dim; ++i) {
        EXPECT_NEAR(weights[1][i], weights[0][i], 1e-12);
        EXPECT_NEAR(weights[2][i], weights[0][i], 1e-12);
    }
}

// ---- Hebb with decay ---------------------------------------------------------------------

TEST(HebbianDecay, GivenPostActivityFollowsTheClosedFormToTheFixedPoint) {
    // For fixed x and y: W <- (1 - eta lambda) W + eta y x^T, so
    //     W_n = W* + (1 - eta lambda)^n (W_0 - W*),   W* = y x^T / lambda.
    HebbianParams p = rule_params(HebbianRule::hebb, 0.01);
    p.decay = 0.5;
    const std::size_t n = 5, k = 2;
    HebbianLayer layer(n, k, p, 13);
    const std::vector<double> w0 = layer.weights();
    const std::vector<double> x{0.3, -1.0, 0.5, 2.0, 0.1}, y{1.5, -0.7};
    for (std::size_t steps : {100u, 900u, 9000u}) {
        while (layer.updates() < steps) layer.step(x, y);
        const double shrink = std::pow(1.0 - p.eta * p.decay, static_cast<double>(steps));
        for (std::size_t o = 0; o < k; ++o)
            for (std::size_t i = 0; i < n; ++i) {
                const double fixed = y[o] * x[i] / p.decay;
                // Rounding only: one relative error of 1e-16 per update on values of size
                // |W*| < 7, 9000 updates: < 1e-11.
                EXPECT_NEAR(layer.weights()[o * n + i], fixed + shrink * (w0[o * n + i] - fixed), 1e-11);
            }
    }
    // 9000 updates are 45 time constants 1 / (eta lambda): the fixed point within 7 e^-45.
    EXPECT_NEAR(layer.weights()[0 * n + 3], 1.5 * 2.0 / 0.5, 1e-12);
}

TEST(HebbianDecay, OwnActivityGrowsAlongXAndDecaysAcrossIt) {
    // With y = W x and fixed x: W <- W (I + eta (x x^T - lambda I)), so with P = x x^T / |x|^2
    //     W_n = W_0 [ (1 + eta (|x|^2 - lambda))^n P + (1 - eta lambda)^n (I - P) ]:
    // the part along x grows when |x|^2 > lambda, is neutral at |x|^2 = lambda, decays below.
    const std::size_t n = 4, k = 3, steps = 400;
    const std::vector<double> x{0.5, -0.5, 1.0, 0.2};  // |x|^2 = 1.54
    const double x2 = dot(x.data(), x.data(), n);
    for (double decay : {1.0, x2, 2.5}) {
        HebbianParams p = rule_params(HebbianRule::hebb, 0.005);
        p.decay = decay;
        HebbianLayer layer(n, k, p, 14);
        const std::vector<double> w0 = layer.weights();
        for (std::size_t s = 0; s < steps; ++s) layer.step(x);
        const double along = std::pow(1.0 + p.eta * (x2 - decay), static_cast<double>(steps));
        const double across = std::pow(1.0 - p.eta * decay, static_cast<double>(steps));
        for (std::size_t o = 0; o < k; ++o) {
            const double w0x = dot(w0.data() + o * n, x.data(), n) / x2;
            for (std::size_t i = 0; i < n; ++i) {
                const double parallel = w0x * x[i];
                const double expected = along * parallel + across * (w0[o * n + i] - parallel);
                EXPECT_NEAR(layer.weights()[o * n + i], expected, 1e-12) << "decay " << decay;  // rounding
            }
        }
    }
}

TEST(HebbianDecay, BoundsClipEveryWeight) {
    HebbianParams p = rule_params(HebbianRule::hebb, 0.05);
    p.decay = 0.1;
    p.w_min = -0.25;
    p.w_max = 0.5;
    HebbianLayer layer(3, 2, p, 15);
    const std::vector<double> x{1.0, -1.0, 0.2}, y{1.0, 1.0};
    for (int s = 0; s < 2000; ++s) layer.step(x, y);
    // The unbounded fixed point y x^T / lambda is (10, -10, 2) per row: clipped to the bounds.
    for (std::size_t o = 0; o < 2; ++o) {
        EXPECT_EQ(layer.weights()[o * 3 + 0], 0.5);
        EXPECT_EQ(layer.weights()[o * 3 + 1], -0.25);
        EXPECT_EQ(layer.weights()[o * 3 + 2], 0.5);
    }
}

// ---- BCM -----------------------------------------------------------------------------------

namespace {

// K = 3 non-negative, overlapping, linearly independent patterns of unit norm in 6 inputs.
std::vector<double> bcm_patterns() {
    std::vector<double> p{1.0, 0.8, 0.2, 0.0, 0.3, 0.1,   //
                          0.1, 0.7, 1.0, 0.4, 0.0, 0.2,   //
                          0.3, 0.0, 0.3, 1.0, 0.9, 0.2};
    for (std::size_t k = 0; k < 3; ++k) {
        const double norm = std::sqrt(dot(p.data() + 6 * k, p.data() + 6 * k, 6));
        for (std::size_t i = 0; i < 6; ++i) p[6 * k + i] /= norm;
    }
    return p;
}

// Samples drawing one of the K patterns with probability 1/K each.
std::vector<double> bcm_samples(const std::vector<double>& patterns, std::size_t count, std::uint64_t seed) {
    RandomStream stream(seed, 4243, 0);
    std::vector<double> x(count * 6);
    for (std::size_t s = 0; s < count; ++s) {
        const std::size_t k = stream.below(3);
        std::copy(patterns.begin() + 6 * k, patterns.begin() + 6 * k + 6, x.begin() + 6 * s);
    }
    return x;
}

}  // namespace

TEST(HebbianBcm, BecomesSelectiveWithThetaAtTheMeanSquaredResponse) {
    // Fixed points of dw = eta x y (y - theta), theta = <y^2>, for K linearly independent
    // patterns of probability 1/K: every response is 0 or theta, and theta = <y^2> =
    // theta^2 / K for one winner, so theta = K and the winner responds K. Only the
    // selective fixed points (one winner) are stable (Intrator & Cooper 1992).
    const auto patterns = bcm_patterns();
    const double K = 3.0;
    HebbianParams p = rule_params(HebbianRule::bcm, 0.01);
    // The threshold must move faster than the weights: a response relaxes towards theta
    // at eta |x|^2 y / K = eta per update (|x| = 1, y = K, its pattern shown 1/K of the
    // time), i.e. over T = 1 / eta = 100 updates; theta over tau = 20.
    p.tau_theta = 20.0;
    std::set<std::size_t> winners;
    for (std::uint64_t seed = 1; seed <= 6; ++seed) {
        HebbianLayer layer(6, 1, p, seed, 0.3);
        // Selectivity emerges within ~10 T; the last 20000 updates (200 T) are averaged.
        const std::size_t samples = 60000, window = 20000;
        const auto x = bcm_samples(patterns, samples, 100 + seed);
        layer.train(std::span(x).first(6 * (samples - window)), samples - window);
        const double theta_start = layer.theta()[0];
        double theta_sum = 0.0, y2_sum = 0.0;
        std::vector<double> response(1), pattern_response(3, 0.0);  // window means
        for (std::size_t s = samples - window; s < samples; ++s) {
            theta_sum += layer.theta()[0];
            for (std::size_t k = 0; k < 3; ++k)
                pattern_response[k] += dot(layer.weights().data(), patterns.data() + 6 * k, 6) / window;
            layer.step(std::span(x).subspan(6 * s, 6), {}, response);
            y2_sum += response[0] * response[0];
        }
        const double theta_mean = theta_sum / window, y2_mean = y2_sum / window;
        const std::size_t winner = static_cast<std::size_t>(
            std::max_element(pattern_response.begin(), pattern_response.end()) - pattern_response.begin());
        winners.insert(winner);
        std::printf("bcm seed %llu: mean responses %.3f %.3f %.3f, <theta> = %.4f, <y^2> = %.4f\n",
                    static_cast<unsigned long long>(seed), pattern_response[0], pattern_response[1],
                    pattern_response[2], theta_mean, y2_mean);
        // theta is the exponential average of y^2: summing theta' - theta = (y^2 - theta) / tau
        // over the window gives <theta> - <y^2> = -tau (theta_end - theta_start) / window
        // exactly (rounding: 20000 sums of values ~ 9).
        EXPECT_NEAR(theta_mean - y2_mean, -p.tau_theta * (layer.theta()[0] - theta_start) / window, 1e-9);
        // theta, y^2 and the winner's response at the fixed point K. y^2 is K^2 with
        // probability 1/K, else 0: variance K^2 (K - 1) = 18, so theta (an average over
        // tau) has std sqrt(18 / (2 tau - 1)) = 0.68 = 0.23 K, and the winner's response, which
        // follows theta over T, sqrt(tau / (tau + T)) of that: 0.09 K. Their window means
        // (20000 updates, correlation times tau, T) scatter by < 0.01 K, but the fluctuations
        // shift them at second order: (0.23)^2 = 5 %. Tolerance 10 % of K.
        EXPECT_NEAR(theta_mean, K, 0.1 * K) << "seed " << seed;
        EXPECT_NEAR(y2_mean, K, 0.1 * K) << "seed " << seed;
        // Selective: the winner near K, the losers near 0 (pinned by the restoring force
        // -eta theta y of BCM below threshold; same tolerance).
        for (std::size_t k = 0; k < 3; ++k) {
            if (k == winner)
                EXPECT_NEAR(pattern_response[k], K, 0.1 * K) << "seed " << seed;
            else
                EXPECT_NEAR(pattern_response[k], 0.0, 0.1 * K) << "seed " << seed << " pattern " << k;
        }
    }
    // Which pattern wins depends on the initial weights: symmetry breaking, not the
    // patterns' geometry alone.
    EXPECT_GE(winners.size(), 2u);
}

// ---- Földiák ---------------------------------------------------------------------------

namespace {
// Correlation matrix of y = F x for x of covariance C (F: k x n): F C F^T, normalised.
std::vector<double> output_correlation(const Gaussian& g, const std::vector<double>& f, std::size_t k) {
    const std::size_t n = g.dim;
    std::vector<double> proj(k * n);  // F e_i sqrt(l_i)
    for (std::size_t r = 0; r < k; ++r)
        for (std::size_t i = 0; i < n; ++i)
            proj[r * n + i] = dot(f.data() + r * n, g.basis.data() + i * n, n) * std::sqrt(g.variances[i]);
    std::vector<double> cov(k * k);
    for (std::size_t a = 0; a < k; ++a)
        for (std::size_t b = 0; b < k; ++b) cov[a * k + b] = dot(proj.data() + a * n, proj.data() + b * n, n);
    std::vector<double> corr(k * k);
    for (std::size_t a = 0; a < k; ++a)
        for (std::size_t b = 0; b < k; ++b) corr[a * k + b] = cov[a * k + b] / std::sqrt(cov[a * k + a] * cov[b * k + b]);
    return corr;
}
double worst_off_diagonal(const std::vector<double>& corr, std::size_t k) {
    double worst = 0.0;
    for (std::size_t a = 0; a < k; ++a)
        for (std::size_t b = 0; b < k; ++b)
            if (a != b) worst = std::max(worst, std::fabs(corr[a * k + b]));
    return worst;
}
}  // namespace

TEST(HebbianFoldiak, LateralAntiHebbianWeightsDecorrelateTheOutputs) {
    const Gaussian g = make_gaussian(kSpectrum, 20);
    const std::size_t k = 3;
    // Lateral learning 5 times faster than feedforward learning (slower lateral
    // learning oscillates); eta_lateral sets the stationary noise of the correlations.
    const double eta_forward = 2e-5, eta_lateral = 1e-4;
    AntiHebbianNetwork net(g.dim, k, eta_forward, eta_lateral, 21, 0.5);
    // A correlated start: every unit also reads the top eigenvector (exact output
    // covariance F C F^T).
    std::vector<double> w0 = net.forward_weights();
    for (std::size_t o = 0; o < k; ++o)
        for (std::size_t i = 0; i < g.dim; ++i) w0[o * g.dim + i] += 0.5 * g.basis[i];
    net.set_forward_weights(w0);
    const double before = worst_off_diagonal(output_correlation(g, net.filters(), k), k);
    // Feedforward convergence rate eta_f (l3 - l4) = 1.4e-5: 400000 samples are 5.6 time
    // constants of the slowest mode, 21 of the ordering of the top one.
    const std::size_t samples = 400000;
    const auto x = g.samples(samples, 22);
    net.train(x, samples);
    const auto filters = net.filters();
    const double after = worst_off_diagonal(output_correlation(g, filters, k), k);
    const double sin2 = g.subspace_sin2(filters, k);
    const double expected = g.expected_sin2(eta_forward, range(0, k), range(k, g.dim));
    std::printf("foldiak: max |corr| before %.3f, after %.4f; subspace sum sin^2 = %.3g (theory %.3g)\n", before,
                after, sin2, expected);
    EXPECT_GT(before, 0.5);
    // A lateral weight L_ij is an AR(1) process around its fixed point: restoring rate
    // eta_l (C_ii + C_jj), noise eta_l y_i y_j of variance eta_l^2 C_ii C_jj; the
    // correlation it leaves has std sqrt(eta_l (C_ii + C_jj) / 2) <= sqrt(eta_l l_1) = 0.02
    // (C_ii <= l_1 = 4). Four sigma: 0.08.
    EXPECT_LT(after, 4.0 * std::sqrt(eta_lateral * kSpectrum[0]));
    // And the filters span the principal subspace (Földiák 1989): the 6 S bound of the
    // header with the feedforward rate, plus what is left of the transient: sum sin^2 <= 3
    // at the start, decaying as e^(-2 eta_f (l3 - l4) samples) = e^-11.2.
    const double transient = 3.0 * std::exp(-2.0 * eta_forward * (kSpectrum[2] - kSpectrum[3]) * samples);
    EXPECT_LT(sin2, 6.0 * expected + transient);
}

// ---- HLOP ----------------------------------------------------------------------------------

namespace {

struct SubspaceTask {
    std::size_t dim = 20;
    std::vector<double> basis;  // k x dim orthonormal rows: the task's activity subspace
    std::vector<double> scales;
    double noise = 0.01;

    std::vector<double> samples(std::size_t count, std::uint64_t seed, bool with_noise = true) const {
        RandomStream stream(seed, 4244, 0);
        const std::size_t k = scales.size();
        std::vector<double> x(count * dim, 0.0);
        for (std::size_t s = 0; s < count; ++s) {
            for (std::size_t c = 0; c < k; ++c) {
                const double z = scales[c] * stream.normal();
                for (std::size_t i = 0; i < dim; ++i) x[s * dim + i] += z * basis[c * dim + i];
            }
            if (with_noise)
                for (std::size_t i = 0; i < dim; ++i) x[s * dim + i] += noise * stream.normal();
        }
        return x;
    }
};

// Tasks A and B on 20 inputs: A's activity spans e_0..e_3 of a random basis, B's spans
// e_2..e_5 (two directions shared with A, two new).
std::pair<SubspaceTask, SubspaceTask> two_tasks() {
    const Gaussian g = make_gaussian(std::vector<double>(20, 1.0), 30);
    SubspaceTask a, b;
    a.basis.assign(g.basis.begin(), g.basis.begin() + 4 * 20);
    b.basis.assign(g.basis.begin() + 2 * 20, g.basis.begin() + 6 * 20);
    a.scales = {2.0, 1.5, 1.2, 1.0};
    b.scales = {1.0, 1.0, 1.0, 1.0};
    return {a, b};
}

double frobenius(const std::vector<double>& m) { return std::sqrt(dot(m.data(), m.data(), m.size())); }

}  // namespace

TEST(HebbianSubspaceHlop, ProjectedUpdatesLeaveTheOldTaskUnchanged) {
    const auto [task_a, task_b] = two_tasks();
    const std::size_t n = 20, outputs = 3;
    HebbianSubspace hlop(n, 0.005, 31);
    const std::size_t samples = 20000;  // rate eta * 1.0^2 = 5e-3 for the weakest direction: 100 time constants
    hlop.learn(task_a.samples(samples, 32), samples, 4);

    // A readout V (outputs x n) trained on task B by gradient descent on ||V b - t||^2,
    // once with every gradient projected out of A's subspace, once plainly.
    RandomStream stream(33, 4245, 0);
    std::vector<double> v0(outputs * n), v_target(outputs * n);
    for (double& w : v0) w = stream.normal(0.0, 1.0 / std::sqrt(double(n)));
    for (double& w : v_target) w = stream.normal(0.0, 1.0 / std::sqrt(double(n)));
    const auto b_train = task_b.samples(4000, 34);
    const auto a_test = task_a.samples(500, 35, false);  // A's activity itself (noise-free)

    auto a_outputs = [&](const std::vector<double>& v) {
        std::vector<double> y(500 * outputs);
        for (std::size_t s = 0; s < 500; ++s)
            for (std::size_t o = 0; o < outputs; ++o) y[s * outputs + o] = dot(v.data() + o * n, a_test.data() + s * n, n);
        return y;
    };
    auto train_b = [&](bool project) {
        std::vector<double> v = v0, gradient(outputs * n);
        const double learning_rate = 0.05;
        for (std::size_t s = 0; s < 4000; ++s) {
            const double* b = b_train.data() + s * n;
            for (std::size_t o = 0; o < outputs; ++o) {
                const double error = dot(v.data() + o * n, b, n) - dot(v_target.data() + o * n, b, n);
                for (std::size_t i = 0; i < n; ++i) gradient[o * n + i] = error * b[i];
            }
            if (project) hlop.project_out(gradient, outputs);
            for (std::size_t i = 0; i < v.size(); ++i) v[i] -= learning_rate * gradient[i];
        }
        return v;
    };
    const auto y_before = a_outputs(v0);
    auto relative_change = [&](const std::vector<double>& v) {
        auto y = a_outputs(v);
        for (std::size_t i = 0; i < y.size(); ++i) y[i] -= y_before[i];
        return frobenius(y) / frobenius(y_before);
    };
    const auto v_projected = train_b(true), v_plain = train_b(false);
    std::vector<double> dv(v0.size());
    for (std::size_t i = 0; i < v0.size(); ++i) dv[i] = v_projected[i] - v0[i];

    // The leak of the projector on A's subspace: eps^2 = sum over A's basis u of
    // ||(I - H^T H) u||^2 (the Frobenius norm of (I - H^T H) U_A^T).
    std::vector<double> leak = task_a.basis;
    hlop.project_out(leak, 4);
    const double eps = frobenius(leak);
    // Why the change is small: with P = H^T H, dV a = dV (I - P) a + dV P a, so for the
    // task-A activity A (samples as rows)
    //     |dV A^T|_F <= |dV|_F |(I - P) A^T|_F + |dV P|_F |A^T|_F,
    // the first term the leak of the projector on A's activity, the second what is left of
    // the update inside the learnt subspace (dV = -M (I - P) for the summed raw gradients
    // M, so dV P = -M (P - P^2): zero for orthonormal rows of H).
    std::vector<double> a_leak = a_test;
    hlop.project_out(a_leak, 500);
    std::vector<double> dv_inside = dv, dv_outside = dv;
    hlop.project_out(dv_outside, outputs);
    for (std::size_t i = 0; i < dv.size(); ++i) dv_inside[i] -= dv_outside[i];
    const double bound = (frobenius(dv) * frobenius(a_leak) + frobenius(dv_inside) * frobenius(a_test)) /
                         frobenius(y_before);
    const double change_projected = relative_change(v_projected), change_plain = relative_change(v_plain);
    std::printf("hlop: task-A output change %.3g with projection (bound %.3g) vs %.3g without; leak eps = %.3g, "
                "|dV| = %.3g\n",
                change_projected, bound, change_plain, eps, frobenius(dv));
    // eps^2 is the sum of sin^2 of the principal angles (plus |H H^T - I|, smaller): A's
    // rows fluctuate only through the noise (sigma = 0.01 per input), S = eta sigma^2 / 2
    // per pair (A direction, noise direction), 4 x 16 pairs: S = 1.6e-5, eps ~ 4e-3.
    // The 6 S bound of the header: eps < sqrt(6 S) = 0.01.
    EXPECT_LT(eps, 0.01);
    EXPECT_LE(change_projected, bound * (1.0 + 1e-9));  // the inequality above (rounding margin)
    // The first term dominates: |(I - P) A^T|_F ~ eps |A^T|_F / 2 (eps sums over A's four
    // directions, each carrying about a quarter of A's variance), and the random readout
    // V0 (3 x 20, entries of variance 1/20) has a gain |V0 A^T|_F / |A^T|_F ~ sqrt(3/20)
    // = 0.4, so the bound is ~ |dV|_F eps / 0.8 = 0.6 x 0.01 / 0.8 = 0.0075 at the eps
    // tolerance. Tolerance 0.02, against an O(1) change without projection.
    EXPECT_LT(change_projected, 0.02);
    EXPECT_GT(change_plain, 0.3);
    // Learning still happens in the complement: the projected update is not zero.
    EXPECT_GT(frobenius(dv), 0.3);
}

TEST(HebbianSubspaceHlop, ASecondTaskAddsOrthogonalComponentsAndFreezesTheFirst) {
    const auto [task_a, task_b] = two_tasks();
    HebbianSubspace hlop(20, 0.005, 36);
    hlop.learn(task_a.samples(20000, 37), 20000, 4);
    const std::vector<double> h_a = hlop.weights();
    // B shares two directions with A; two new lateral neurons learn the other two.
    hlop.learn(task_b.samples(20000, 38), 20000, 2);
    ASSERT_EQ(hlop.components(), 6u);
    EXPECT_EQ(hlop.frozen_components(), 4u);
    const std::vector<double>& h = hlop.weights();
    for (std::size_t i = 0; i < h_a.size(); ++i) ASSERT_EQ(h[i], h_a[i]);  // frozen bit for bit
    // The six rows span A + B (e_0..e_5): Gaussian::subspace_sin2 with that basis.
    Gaussian union_basis;
    union_basis.dim = 20;
    union_basis.basis = make_gaussian(std::vector<double>(20, 1.0), 30).basis;
    const double sin2 = union_basis.subspace_sin2(h, 6);
    double cross = 0.0;  // max |<old row, new row>|
    for (std::size_t a = 0; a < 4; ++a)
        for (std::size_t b = 4; b < 6; ++b) cross = std::max(cross, std::fabs(dot(h.data() + a * 20, h.data() + b * 20, 20)));
    std::printf("hlop task B: sum sin^2 to A+B = %.3g, max |old . new| = %.3g\n", sin2, cross);
    // Same noise argument as the test above: O(eta sigma^2) = 5e-7 per pair; 1e-4 leaves
    // room for the first block's own error, which the second inherits.
    EXPECT_LT(sin2, 1e-4);
    EXPECT_LT(cross, 0.01);
}

// ---- determinism, batch = steps --------------------------------------------------------------

TEST(HebbianDeterminism, SameSeedSameWeightsAndBatchEqualsSteps) {
    const Gaussian g = make_gaussian(kSpectrum, 40);
    const auto x = g.samples(3000, 41);
    auto run_layer = [&](std::uint64_t seed) {
        HebbianLayer layer(g.dim, 3, rule_params(HebbianRule::sanger, 1e-3), seed);
        layer.train(x, 3000, {}, 2, true);
        return layer.weights();
    };
    EXPECT_EQ(run_layer(5), run_layer(5));
    EXPECT_NE(run_layer(5), run_layer(6));
    auto run_network = [&](std::uint64_t seed) {
        AntiHebbianNetwork net(g.dim, 3, 1e-4, 5e-4, seed);
        net.train(x, 3000, 2, true);
        std::vector<double> w = net.forward_weights();
        w.insert(w.end(), net.lateral_weights().begin(), net.lateral_weights().end());
        return w;
    };
    EXPECT_EQ(run_network(5), run_network(5));
    EXPECT_NE(run_network(5), run_network(6));
    auto run_subspace = [&](std::uint64_t seed) {
        HebbianSubspace s(g.dim, 1e-3, seed);
        s.learn(x, 3000, 2, 2, true);
        return s.weights();
    };
    EXPECT_EQ(run_subspace(5), run_subspace(5));
    EXPECT_NE(run_subspace(5), run_subspace(6));

    // train() is step() in a loop, bit for bit (unshuffled), responses included.
    HebbianParams p = rule_params(HebbianRule::bcm, 1e-3);
    HebbianLayer batch(g.dim, 2, p, 7), online(g.dim, 2, p, 7);
    const auto y_batch = batch.train(x, 3000);
    std::vector<double> y(2);
    for (std::size_t s = 0; s < 3000; ++s) {
        online.step(std::span(x).subspan(s * g.dim, g.dim), {}, y);
        ASSERT_EQ(y[0], y_batch[2 * s]);
        ASSERT_EQ(y[1], y_batch[2 * s + 1]);
    }
    EXPECT_EQ(batch.weights(), online.weights());
    EXPECT_EQ(batch.theta(), online.theta());
}

// ---- errors ----------------------------------------------------------------------------------

namespace {
template <class Error, class F>
void expect_error(F&& f, const std::string& key, const std::string& fragment) {
    try {
        f();
        ADD_FAILURE() << "no error; expected one about " << key;
    } catch (const Error& e) {
        EXPECT_EQ(e.key(), key) << e.what();
        EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
    }
}
}  // namespace

TEST(HebbianErrors, EachBadArgumentIsNamed) {
    auto params = [](auto change) {
        HebbianParams p;
        change(p);
        return p;
    };
    const double nan = std::numeric_limits<double>::quiet_NaN();
    expect_error<ValueError>([&] { HebbianLayer(4, 2, params([](HebbianParams& p) { p.eta = -0.1; }), 1); }, "eta",
                             "eta must be finite and > 0, got -0.1");
    expect_error<ValueError>([&] { HebbianLayer(4, 2, params([](HebbianParams& p) { p.eta = 0.0; }), 1); }, "eta", "> 0");
    expect_error<ValueError>([&] { HebbianLayer(4, 2, params([&](HebbianParams& p) { p.eta = nan; }), 1); }, "eta", "got NaN");
    expect_error<ValueError>([&] { HebbianLayer(4, 2, params([](HebbianParams& p) { p.decay = -1.0; }), 1); }, "decay",
                             "got -1");
    for (double tau : {0.0, -5.0, 0.5})
        expect_error<ValueError>([&] { HebbianLayer(4, 2, params([&](HebbianParams& p) { p.tau_theta = tau; }), 1); },
                                 "tau_theta", "must be finite and >= 1");
    expect_error<ValueError>([&] { HebbianLayer(4, 2, params([](HebbianParams& p) { p.theta_initial = -1.0; }), 1); },
                             "theta_initial", ">= 0");
    expect_error<ValueError>(
        [&] {
            HebbianLayer(4, 2, params([](HebbianParams& p) {
                             p.w_min = 1.0;
                             p.w_max = 0.5;
                         }),
                         1);
        },
        "w_max", "must be >= w_min = 1, got 0.5");
    expect_error<ValueError>([&] { HebbianLayer(4, 2, params([&](HebbianParams& p) { p.w_min = nan; }), 1); }, "w_min",
                             "got NaN");
    expect_error<ValueError>([&] { HebbianLayer(0, 2, HebbianParams{}, 1); }, "inputs", "must be >= 1, got 0");
    expect_error<ValueError>([&] { HebbianLayer(4, 0, HebbianParams{}, 1); }, "outputs", "must be >= 1, got 0");
    expect_error<ValueError>([&] { HebbianLayer(4, 2, HebbianParams{}, 1, -1.0); }, "initial_scale", ">= 0");
    expect_error<KeyError>([&] { hebbian_rule_from_name("ojja"); }, "rule", "did you mean 'oja'");

    HebbianLayer layer(4, 2, HebbianParams{}, 1);
    const std::vector<double> x{1.0, 2.0, 3.0, 4.0};
    expect_error<ValueError>([&] { layer.step(std::vector<double>{1.0, 2.0}); }, "x", "must hold inputs = 4 values, got 2");
    expect_error<ValueError>([&] { layer.step(std::vector<double>{1.0, nan, 0.0, 0.0}); }, "x",
                             "must be finite, got NaN at row 0, column 1");
    expect_error<ValueError>([&] { layer.step(x, std::vector<double>{1.0, 1.0}); }, "post", "rule 'oja'");
    expect_error<ValueError>([&] { layer.train(x, 2); }, "x", "samples x inputs = 2 x 4 = 8 values, got 4");
    expect_error<ValueError>([&] { layer.train(x, 0); }, "samples", "must be >= 1, got 0");
    expect_error<ValueError>([&] { layer.train(x, 1, {}, 0); }, "epochs", "must be >= 1, got 0");
    expect_error<ValueError>([&] { layer.set_weights(x); }, "weights", "outputs x inputs = 2 x 4 = 8 values, got 4");
    expect_error<ValueError>([&] { layer.set_theta(std::vector<double>{1.0, -1.0}); }, "theta", ">= 0");
    EXPECT_EQ(layer.updates(), 0u);  // no failed call changed the layer

    HebbianLayer hebb(4, 2, params([](HebbianParams& p) { p.rule = HebbianRule::hebb; }), 1);
    expect_error<ValueError>([&] { hebb.step(x, std::vector<double>{1.0, nan}); }, "post", "must be finite");
    expect_error<ValueError>([&] { hebb.train(x, 1, std::vector<double>{1.0}); }, "post",
                             "samples x outputs = 1 x 2 = 2 values, got 1");
    // Plain Hebb on its own activity, no decay, |x|^2 = 30: W grows by (1 + 0.01 * 30) per
    // update and overflows after ~2700 updates.
    expect_error<ValueError>(
        [&] {
            for (int s = 0; s < 5000; ++s) hebb.step(x);
        },
        "eta", "the weights diverged");

    expect_error<ValueError>([&] { AntiHebbianNetwork(4, 2, -1e-3, 1e-3, 1); }, "eta_forward", "got -0.001");
    expect_error<ValueError>([&] { AntiHebbianNetwork(4, 2, 1e-3, 0.0, 1); }, "eta_lateral", "got 0");
    AntiHebbianNetwork net(4, 2, 1e-3, 1e-3, 1);
    expect_error<ValueError>([&] { net.set_lateral_weights(std::vector<double>{0.5, 0.1, 0.1, 0.0}); },
                             "lateral_weights", "zero diagonal");
    net.set_lateral_weights(std::vector<double>{0.0, 1.0, 1.0, 0.0});  // I - L singular
    expect_error<ValueError>([&] { net.step(x); }, "eta_lateral", "I - L is singular");

    expect_error<ValueError>([&] { HebbianSubspace(4, -0.5, 1); }, "eta", "got -0.5");
    HebbianSubspace subspace(4, 1e-3, 1);
    expect_error<ValueError>([&] { subspace.learn(x, 1, 0); }, "new_components", "first task");
    expect_error<ValueError>([&] { subspace.learn(x, 1, 5); }, "new_components", "at most inputs = 4");
    subspace.learn(x, 1, 2);
    std::vector<double> gradient(6, 1.0);
    expect_error<ValueError>([&] { subspace.project_out(gradient, 2); }, "matrix", "rows x inputs = 2 x 4 = 8 values, got 6");
}
