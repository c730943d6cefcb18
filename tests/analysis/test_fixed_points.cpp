// Fixed and slow points against known answers: a 2-D linear flow and map (closed-form
// fixed point and eigenvalues), tanh rate networks x -> tanh(W x) with W small (a
// contraction: only x = 0) and large (several fixed points in symmetric pairs, exact
// for W = 2 I), and the slow point of the ghost of a saddle-node, dx/dt = x^2 + eps.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <complex>
#include <vector>

#include "neurodyn/analysis/fixed_points.hpp"
#include "neurodyn/core/error.hpp"
#include "neurodyn/core/random.hpp"

using namespace neurodyn;
using namespace neurodyn::analysis;

namespace {

std::vector<double> grid_2d(double lo, double hi, int k) {
    std::vector<double> out;
    for (int i = 0; i < k; ++i)
        for (int j = 0; j < k; ++j) out.insert(out.end(), {lo + (hi - lo) * i / (k - 1), lo + (hi - lo) * j / (k - 1)});
    return out;
}

// x* > 0 with x* = tanh(g x*), by fixed-point iteration (a contraction near x*).
double tanh_root(double g) {
    double x = 1.0;
    for (int i = 0; i < 200; ++i) x = std::tanh(g * x);
    return x;
}

bool contains(const std::vector<FixedPoint>& points, const std::vector<double>& x, double tol) {
    return std::any_of(points.begin(), points.end(), [&](const FixedPoint& p) {
        double d = 0.0;
        for (std::size_t i = 0; i < x.size(); ++i) d = std::max(d, std::fabs(p.x[i] - x[i]));
        return d < tol;
    });
}

}  // namespace

TEST(FixedPoints, LinearFlowAndMapClosedForm) {
    // dx/dt = A x - c, A = [[-1, 2], [-2, -1]] (eigenvalues -1 +- 2i), c = (1, 3):
    // x* = A^-1 c = (-7/5, -1/5).
    const VectorField flow = [](std::span<const double> x, std::span<double> f) {
        f[0] = -x[0] + 2 * x[1] - 1;
        f[1] = -2 * x[0] - x[1] - 3;
    };
    const VectorFieldJacobian jac = [](std::span<const double>, std::span<double> j) {
        j[0] = -1, j[1] = 2, j[2] = -2, j[3] = -1;
    };
    FixedPointOptions o;
    o.kind = DynamicsKind::flow;
    const auto points = find_fixed_points(flow, jac, grid_2d(-3, 3, 3), 2, o);
    ASSERT_EQ(points.size(), 1u);
    EXPECT_NEAR(points[0].x[0], -1.4, 1e-12);
    EXPECT_NEAR(points[0].x[1], -0.2, 1e-12);
    EXPECT_TRUE(points[0].is_fixed_point);
    EXPECT_EQ(points[0].count, 9u);  // every start converged to it
    ASSERT_EQ(points[0].eigenvalues.size(), 2u);
    for (const auto& l : points[0].eigenvalues) {
        EXPECT_NEAR(l.real(), -1.0, 1e-12);
        EXPECT_NEAR(std::fabs(l.imag()), 2.0, 1e-12);
    }
    // The map x -> M x + c, M = [[0.5, 0.2], [0, -0.3]]: x* = (I - M)^-1 c with
    // I - M = [[0.5, -0.2], [0, 1.3]] -> x*_2 = c_2 / 1.3, x*_1 = (c_1 + 0.2 x*_2) / 0.5.
    const VectorField map = [](std::span<const double> x, std::span<double> f) {
        f[0] = 0.5 * x[0] + 0.2 * x[1] + 1;
        f[1] = -0.3 * x[1] + 3;
    };
    const VectorFieldJacobian mjac = [](std::span<const double>, std::span<double> j) {
        j[0] = 0.5, j[1] = 0.2, j[2] = 0, j[3] = -0.3;
    };
    const auto mp = find_fixed_points(map, mjac, grid_2d(-3, 3, 3), 2);
    ASSERT_EQ(mp.size(), 1u);
    EXPECT_NEAR(mp[0].x[1], 3 / 1.3, 1e-12);
    EXPECT_NEAR(mp[0].x[0], (1 + 0.2 * 3 / 1.3) / 0.5, 1e-12);
    // Sorted by descending |lambda|: 0.5, then -0.3.
    EXPECT_NEAR(mp[0].eigenvalues[0].real(), 0.5, 1e-14);
    EXPECT_NEAR(mp[0].eigenvalues[1].real(), -0.3, 1e-14);
}

TEST(FixedPoints, TanhNetworkSmallWeightsOnlyOrigin) {
    // W_ij ~ N(0, 0.3^2 / N), N = 10: ||W||_2 <= ||W||_F < 1 is checked, so x -> tanh(W x)
    // is a contraction (|tanh'| <= 1) and x = 0 is its only fixed point (Banach).
    const std::size_t n = 10;
    RandomStream rng(61, 1, 0);
    std::vector<double> w(n * n);
    double frob = 0.0;
    for (double& v : w) v = 0.3 / std::sqrt(double(n)) * rng.normal(), frob += v * v;
    ASSERT_LT(std::sqrt(frob), 1.0);
    std::vector<double> init(50 * n);
    for (double& v : init) v = rng.uniform(-2.0, 2.0);
    const auto points = find_rate_network_fixed_points(w, {}, n, init);
    ASSERT_EQ(points.size(), 1u);
    EXPECT_EQ(points[0].count, 50u);
    for (double v : points[0].x) EXPECT_NEAR(v, 0.0, 1e-9);
    // At 0 the Jacobian is W itself: stable, |lambda| < 1, sorted by modulus.
    EXPECT_LT(std::abs(points[0].eigenvalues.front()), 1.0);
    for (std::size_t k = 1; k < n; ++k)
        EXPECT_GE(std::abs(points[0].eigenvalues[k - 1]), std::abs(points[0].eigenvalues[k]) - 1e-15);
}

TEST(FixedPoints, TanhNetworkLargeWeightsSymmetricPairs) {
    // W = 2 I in 2-D: each coordinate solves x = tanh(2x), so the 9 fixed points are
    // {0, +-x*}^2 with x* = 0.9575; Jacobian diag(2 (1 - x_i^2)): 2 at 0 (unstable),
    // 2 (1 - x*^2) = 0.166 at +-x* (stable).
    const double xs = tanh_root(2.0);
    const std::vector<double> w = {2, 0, 0, 2};
    const auto points = find_rate_network_fixed_points(w, {}, 2, grid_2d(-1.7, 1.7, 8));
    ASSERT_EQ(points.size(), 9u);
    for (double a : {-xs, 0.0, xs})
        for (double b : {-xs, 0.0, xs}) EXPECT_TRUE(contains(points, {a, b}, 1e-9)) << a << " " << b;
    for (const auto& p : points) {
        EXPECT_TRUE(p.is_fixed_point);
        std::vector<double> expected = {2 * (1 - p.x[0] * p.x[0]), 2 * (1 - p.x[1] * p.x[1])};
        std::sort(expected.rbegin(), expected.rend());
        EXPECT_NEAR(p.eigenvalues[0].real(), expected[0], 1e-9);
        EXPECT_NEAR(p.eigenvalues[1].real(), expected[1], 1e-9);
    }
    // The flow dx/dt = -x + tanh(W x) has the same fixed points; its Jacobian is the map's
    // minus I.
    FixedPointOptions o;
    o.kind = DynamicsKind::flow;
    const auto flow_points = find_rate_network_fixed_points(w, {}, 2, grid_2d(-1.7, 1.7, 8), o);
    ASSERT_EQ(flow_points.size(), 9u);
    EXPECT_TRUE(contains(flow_points, {xs, -xs}, 1e-9));
    for (const auto& p : flow_points) {
        std::vector<double> expected = {2 * (1 - p.x[0] * p.x[0]) - 1, 2 * (1 - p.x[1] * p.x[1]) - 1};
        std::sort(expected.rbegin(), expected.rend());  // flow: by descending real part
        EXPECT_NEAR(p.eigenvalues[0].real(), expected[0], 1e-9);
        EXPECT_NEAR(p.eigenvalues[1].real(), expected[1], 1e-9);
    }

    // A random symmetric network with gain 2 (W_ij = W_ji ~ N(0, 4 / N), N = 10): its
    // largest eigenvalue (~4) exceeds 1, so 0 is unstable and non-zero fixed points
    // branch off it (for symmetric W many do; an asymmetric W of this gain may have only
    // slow points besides 0). tanh is odd, so fixed and slow points come in pairs x, -x.
    const std::size_t n = 10;
    RandomStream rng(62, 1, 0);
    std::vector<double> wr(n * n);
    for (double& v : wr) v = 2.0 / std::sqrt(double(n)) * rng.normal();
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t k = 0; k < i; ++k) wr[i * n + k] = wr[k * n + i];
    std::vector<double> init(200 * n);
    for (double& v : init) v = rng.uniform(-1.0, 1.0);
    const auto rp = find_rate_network_fixed_points(wr, {}, n, init);
    std::size_t fixed = 0;
    for (const auto& p : rp) {
        std::vector<double> neg(p.x);
        for (double& v : neg) v = -v;
        EXPECT_TRUE(contains(rp, neg, 1e-6)) << "q " << p.q;
        fixed += p.is_fixed_point;
    }
    EXPECT_GE(fixed, 3u);
    EXPECT_TRUE(contains(rp, std::vector<double>(n, 0.0), 1e-9));
    RecordProperty("random_gain2_points", std::to_string(rp.size()));
    RecordProperty("random_gain2_fixed", std::to_string(fixed));
}

TEST(FixedPoints, SlowPointOfSaddleNodeGhost) {
    // dx/dt = x^2 + eps has no fixed point for eps > 0; q = (x^2 + eps)^2 / 2 is smallest
    // at x = 0 with q = eps^2 / 2: a slow point (Sussillo & Barak 2013), with F'(0) = 0.
    const double eps = 0.01;
    const VectorField f = [&](std::span<const double> x, std::span<double> out) { out[0] = x[0] * x[0] + eps; };
    const VectorFieldJacobian j = [](std::span<const double> x, std::span<double> out) { out[0] = 2 * x[0]; };
    FixedPointOptions o;
    o.kind = DynamicsKind::flow;
    const std::vector<double> init = {-2.0, -0.5, 0.3, 1.0, 3.0};
    const auto points = find_fixed_points(f, j, init, 1, o);
    ASSERT_EQ(points.size(), 1u);
    EXPECT_FALSE(points[0].is_fixed_point);
    EXPECT_NEAR(points[0].x[0], 0.0, 1e-7);
    EXPECT_NEAR(points[0].q, eps * eps / 2, 1e-12);
    EXPECT_NEAR(points[0].eigenvalues[0].real(), 0.0, 1e-6);
    // With max_q below eps^2 / 2 the slow point is dropped.
    o.max_q = 1e-6;
    EXPECT_TRUE(find_fixed_points(f, j, init, 1, o).empty());
}

TEST(FixedPoints, RejectsBadInput) {
    const VectorField f = [](std::span<const double> x, std::span<double> out) { out[0] = x[0]; };
    const VectorFieldJacobian j = [](std::span<const double>, std::span<double> out) { out[0] = 1; };
    EXPECT_THROW(find_fixed_points(f, j, std::vector<double>{}, 1), ValueError);
    EXPECT_THROW(find_fixed_points(f, j, std::vector<double>{1, 2, 3}, 2), ValueError);
    EXPECT_THROW(find_fixed_points(f, j, std::vector<double>{NAN}, 1), ValueError);
    EXPECT_THROW(find_fixed_points(VectorField{}, j, std::vector<double>{1}, 1), ValueError);
    const VectorField nan_f = [](std::span<const double>, std::span<double> out) { out[0] = NAN; };
    EXPECT_THROW(find_fixed_points(nan_f, j, std::vector<double>{1}, 1), ValueError);
    EXPECT_THROW(find_rate_network_fixed_points(std::vector<double>{1, 0, 0}, {}, 2, std::vector<double>{0, 0}),
                 ValueError);
    EXPECT_THROW(find_rate_network_fixed_points(std::vector<double>{1, 0, 0, 1}, std::vector<double>{1}, 2,
                                                std::vector<double>{0, 0}),
                 ValueError);
}
