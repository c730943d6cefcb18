// Recursive least squares and FORCE: RLS after one pass equals ridge regression with
// lambda = alpha (an exact identity), the forgetting factor, FORCE learning of a
// periodic target (a sum of sines, Sussillo & Abbott 2009) by a chaotic rate reservoir
// whose readout is fed back, determinism, and errors.

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <vector>

#include "neurodyn/core/error.hpp"
#include "neurodyn/core/random.hpp"
#include "neurodyn/learn/force.hpp"
#include "neurodyn/learn/reservoir.hpp"
#include "neurodyn/learn/ridge.hpp"

using namespace neurodyn;
using namespace neurodyn::learn;

namespace {

std::vector<double> normals(std::size_t n, std::uint64_t seed) {
    RandomStream stream(seed, 78, 0);
    std::vector<double> v(n);
    for (double& x : v) x = stream.normal();
    return v;
}

// The periodic target: four harmonics of a 240 ms period (the shape of Sussillo &
// Abbott's Fig. 2 target), amplitude about 1.
double target_at(double t_ms) {
    const double w = 2.0 * std::numbers::pi / 240.0;
    return 0.6 * (std::sin(w * t_ms) + 0.5 * std::sin(2 * w * t_ms) + std::sin(3 * w * t_ms) / 6.0 +
                  std::sin(4 * w * t_ms) / 3.0);
}

struct ForceRun {
    std::vector<double> trained_output, test_output, test_target, weights;
};

// N = 300 units, in-degree 30, weights g N(0, 1)/sqrt(30) with g = 1.5 (chaotic without
// feedback, as in Sussillo & Abbott), tau = 10 ms, dt = 1 ms, feedback weights U(-1, 1).
ForceRun force_run(std::uint64_t seed, std::size_t train_periods = 40) {
    const std::size_t units = 300, per_row = 30;
    CsrMatrix recurrent = random_sparse(units, units, per_row, WeightDistribution::normal, seed);
    recurrent.scale(1.5 / std::sqrt(static_cast<double>(per_row)));
    RandomStream stream(seed, 79, 0);
    std::vector<double> feedback(units), x0(units);
    for (double& w : feedback) w = stream.uniform(-1.0, 1.0);
    for (double& x : x0) x = 0.5 * stream.normal();
    const double leak = 1.0 - std::exp(-1.0 / 10.0);
    RateReservoir reservoir(recurrent, {}, 0, std::vector<double>(units, 0.0), leak, Transfer::tanh, 1.0, feedback, 1);
    reservoir.set_x(x0);
    RecursiveLeastSquares rls(units, 1, 1.0);
    const std::size_t train_steps = 240 * train_periods, test_steps = 240 * 5;
    std::vector<double> target(train_steps);
    for (std::size_t n = 0; n < train_steps; ++n) target[n] = target_at(static_cast<double>(n + 1));
    ForceRun run;
    run.trained_output = reservoir.run_force({}, train_steps, rls, target, 2);
    run.test_output = reservoir.run_force({}, test_steps, rls);  // learning off
    for (std::size_t n = 0; n < test_steps; ++n) run.test_target.push_back(target_at(static_cast<double>(train_steps + n + 1)));
    run.weights = rls.weights();
    return run;
}

}  // namespace

TEST(RecursiveLeastSquares, OnePassEqualsRidgeWithLambdaAlpha) {
    // P(0) = I/alpha makes W after n updates the minimiser of ||X W - Y||^2 + alpha ||W||^2
    // exactly (the matrix inversion lemma applied n times).
    const std::size_t n = 200, p = 12, q = 2;
    const auto x = normals(n * p, 1);
    auto y = normals(n * q, 2);
    for (std::size_t i = 0; i < n; ++i) y[i * q + 1] += x[i * p] - 2.0 * x[i * p + 5];
    for (double alpha : {0.1, 1.0, 30.0}) {
        RecursiveLeastSquares rls(p, q, alpha);
        std::vector<double> error(q);
        for (std::size_t i = 0; i < n; ++i)
            rls.update(std::span(x).subspan(i * p, p), std::span(y).subspan(i * q, q), error);
        const RidgeFit ridge = ridge_fit(x, y, n, p, q, alpha, false);
        for (std::size_t j = 0; j < p; ++j)
            for (std::size_t o = 0; o < q; ++o)
                // 200 rank-one updates accumulate rounding of a few eps * condition (< 1e2).
                EXPECT_NEAR(rls.weights()[o * p + j], ridge.weights[j * q + o], 1e-10) << "alpha " << alpha;
        EXPECT_EQ(rls.updates(), n);
    }
}

TEST(RecursiveLeastSquares, ForgettingIsExponentiallyWeightedLeastSquares) {
    // The target weight jumps from +1 to -1 halfway. With forgetting l, RLS minimises
    // sum_k l^(n-k) (w x_k - y_k)^2 + alpha l^n w^2, whose one-weight solution is
    // sum l^(n-k) x_k y_k / (sum l^(n-k) x_k^2 + alpha l^n): checked to rounding. With
    // l = 0.95 (a memory of about 20 samples) the estimate follows the jump; without
    // forgetting it settles between the two halves.
    const std::size_t n = 400;
    const auto x = normals(n, 3);
    const double forgetting = 0.95, alpha = 1.0;
    RecursiveLeastSquares forgetful(1, 1, alpha, forgetting), stubborn(1, 1, alpha, 1.0);
    long double numerator = 0.0L, denominator = alpha;
    for (std::size_t i = 0; i < n; ++i) {
        const double target = (i < n / 2 ? 1.0 : -1.0) * x[i];
        forgetful.update(std::span(x).subspan(i, 1), std::span(&target, 1));
        stubborn.update(std::span(x).subspan(i, 1), std::span(&target, 1));
        numerator = forgetting * numerator + static_cast<long double>(x[i]) * target;
        denominator = forgetting * denominator + static_cast<long double>(x[i]) * x[i];
    }
    // 400 updates of a scalar recursion: rounding of a few hundred eps.
    EXPECT_NEAR(forgetful.weights()[0], static_cast<double>(numerator / denominator), 1e-12);
    // The first half's weight in the sum is 0.95^200 ~ 3.5e-5: the estimate is -1 to 1e-3.
    EXPECT_NEAR(forgetful.weights()[0], -1.0, 1e-3);
    // Without forgetting: the least-squares compromise of both halves, near 0.
    EXPECT_LT(std::fabs(stubborn.weights()[0]), 0.3);
}

TEST(Force, LearnsASumOfSinesWithFeedback) {
    const ForceRun run = force_run(11);
    double error = 0.0, power = 0.0;
    for (std::size_t n = 0; n < run.test_output.size(); ++n) {
        error += std::pow(run.test_output[n] - run.test_target[n], 2);
        power += run.test_target[n] * run.test_target[n];
    }
    const double nrmse = std::sqrt(error / power);
    std::printf("FORCE sum of sines: test NRMSE %.4f over 5 periods after learning stopped\n", nrmse);
    // Sussillo & Abbott report the trained output indistinguishable from the target by
    // eye; 0.1 (10% of the target's RMS) is far above that and far below the 1.0 of an
    // untrained or drifting readout.
    EXPECT_LT(nrmse, 0.1);
}

TEST(Force, DeterministicForASeed) {
    // Short runs (4 periods of training): determinism does not need a trained readout.
    const ForceRun a = force_run(5, 4), b = force_run(5, 4), c = force_run(6, 4);
    EXPECT_EQ(a.test_output, b.test_output);
    EXPECT_EQ(a.weights, b.weights);
    EXPECT_NE(a.weights, c.weights);
}

TEST(RecursiveLeastSquares, BadInputNamesTheArgument) {
    auto message = [](auto&& call) {
        try {
            call();
        } catch (const ValueError& e) {
            return std::string(e.what());
        }
        return std::string("no error");
    };
    EXPECT_EQ(message([] { RecursiveLeastSquares(3, 1, 0.0); }), "RLS: alpha must be finite and > 0, got 0");
    EXPECT_EQ(message([] { RecursiveLeastSquares(3, 1, -1.0); }), "RLS: alpha must be finite and > 0, got -1");
    EXPECT_EQ(message([] { RecursiveLeastSquares(3, 1, 1.0, 1.5); }), "RLS: forgetting must be in (0, 1], got 1.5");
    EXPECT_EQ(message([] { RecursiveLeastSquares(0, 1, 1.0); }), "RLS: inputs must be >= 1, got 0");
    RecursiveLeastSquares rls(3, 2, 1.0);
    const std::vector<double> r(4, 1.0), target(2, 0.0);
    EXPECT_EQ(message([&] { rls.update(r, target); }), "RLS: r must hold 3 values, got 4");
    EXPECT_EQ(message([&] { rls.update(std::span(r).first(3), std::span(target).first(1)); }),
              "RLS: target must hold 2 values, got 1");
    // A readout that does not match the reservoir it is fed back into.
    CsrMatrix recurrent = random_sparse(5, 5, 2, WeightDistribution::normal, 1);
    RateReservoir reservoir(recurrent, {}, 0, std::vector<double>(5, 0.0), 1.0, Transfer::tanh, 1.0,
                            std::vector<double>(5, 1.0), 1);
    EXPECT_EQ(message([&] { reservoir.run_force({}, 10, rls); }),
              "FORCE: readout must read the 5 units, but it has 3 inputs");
}
