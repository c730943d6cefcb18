// Ridge regression against independent references: the normal equations
// (Xc^T Xc + lambda I) W = Xc^T Yc solved by Gauss-Jordan elimination in long double
// (a different algorithm, in more precision, than the eigendecomposition the code
// uses), an exact linear model,
// brute-force refits for every cross-validation fold, and the Bayes-optimal lambda of a
// Gaussian linear model. Bad input names the argument.

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "neurodyn/core/error.hpp"
#include "neurodyn/core/random.hpp"
#include "neurodyn/learn/ridge.hpp"

using namespace neurodyn;
using namespace neurodyn::learn;

namespace {

std::vector<double> normals(std::size_t n, std::uint64_t seed, double mean = 0.0, double std = 1.0) {
    RandomStream stream(seed, 77, 0);
    std::vector<double> v(n);
    for (double& x : v) x = stream.normal(mean, std);
    return v;
}

// Ridge weights (p x q, row-major) from the normal equations, centred when asked,
// by Gauss-Jordan elimination with partial pivoting in long double.
std::vector<double> reference_weights(const std::vector<double>& x, const std::vector<double>& y, std::size_t n,
                                      std::size_t p, std::size_t q, double lambda, bool centre) {
    std::vector<long double> xm(x.begin(), x.end()), ym(y.begin(), y.end());
    if (centre) {
        for (std::size_t j = 0; j < p; ++j) {
            long double mean = 0;
            for (std::size_t i = 0; i < n; ++i) mean += xm[i * p + j] / n;
            for (std::size_t i = 0; i < n; ++i) xm[i * p + j] -= mean;
        }
        for (std::size_t o = 0; o < q; ++o) {
            long double mean = 0;
            for (std::size_t i = 0; i < n; ++i) mean += ym[i * q + o] / n;
            for (std::size_t i = 0; i < n; ++i) ym[i * q + o] -= mean;
        }
    }
    // [A | B] with A = X^T X + lambda I (p x p), B = X^T Y (p x q).
    const std::size_t width = p + q;
    std::vector<long double> a(p * width, 0.0L);
    for (std::size_t r = 0; r < p; ++r) {
        for (std::size_t c = 0; c < p; ++c)
            for (std::size_t i = 0; i < n; ++i) a[r * width + c] += xm[i * p + r] * xm[i * p + c];
        a[r * width + r] += lambda;
        for (std::size_t o = 0; o < q; ++o)
            for (std::size_t i = 0; i < n; ++i) a[r * width + p + o] += xm[i * p + r] * ym[i * q + o];
    }
    for (std::size_t c = 0; c < p; ++c) {
        std::size_t pivot = c;
        for (std::size_t r = c + 1; r < p; ++r)
            if (std::fabs(a[r * width + c]) > std::fabs(a[pivot * width + c])) pivot = r;
        for (std::size_t k = 0; k < width; ++k) std::swap(a[c * width + k], a[pivot * width + k]);
        for (std::size_t r = 0; r < p; ++r) {
            if (r == c) continue;
            const long double f = a[r * width + c] / a[c * width + c];
            for (std::size_t k = c; k < width; ++k) a[r * width + k] -= f * a[c * width + k];
        }
    }
    std::vector<double> w(p * q);
    for (std::size_t r = 0; r < p; ++r)
        for (std::size_t o = 0; o < q; ++o) w[r * q + o] = static_cast<double>(a[r * width + p + o] / a[r * width + r]);
    return w;
}

double max_abs_difference(const std::vector<double>& a, const std::vector<double>& b) {
    double d = 0.0;
    for (std::size_t i = 0; i < a.size(); ++i) d = std::max(d, std::fabs(a[i] - b[i]));
    return d;
}

}  // namespace

TEST(Ridge, EqualsAugmentedLeastSquares) {
    const std::size_t n = 120, p = 15, q = 3;
    auto x = normals(n * p, 1, 2.0, 1.5);  // a non-zero mean: the intercept must absorb it
    auto y = normals(n * q, 2, -1.0, 1.0);
    for (bool intercept : {true, false})
        for (double lambda : {1e-3, 0.5, 20.0}) {
            const RidgeFit fit = ridge_fit(x, y, n, p, q, lambda, intercept);
            const std::vector<double> reference = reference_weights(x, y, n, p, q, lambda, intercept);
            // Both solve a system of condition number < 1e3 here: agreement to 1e-10 is
            // rounding (eps * condition * a few), not a modelling tolerance.
            EXPECT_LT(max_abs_difference(fit.weights, reference), 1e-10) << "lambda " << lambda << " intercept " << intercept;
            if (!intercept) {
                for (double b : fit.intercept) EXPECT_EQ(b, 0.0);
            }
        }
}

TEST(Ridge, RecoversAnExactLinearModel) {
    // y = X w + b exactly, lambda = 0: the weights and intercept come back to rounding.
    const std::size_t n = 50, p = 4, q = 2;
    const auto x = normals(n * p, 3);
    const double w[p][q] = {{1.0, -2.0}, {0.5, 0.0}, {-3.0, 1.0}, {2.0, 0.25}};
    const double b[q] = {0.7, -1.3};
    std::vector<double> y(n * q);
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t o = 0; o < q; ++o) {
            y[i * q + o] = b[o];
            for (std::size_t j = 0; j < p; ++j) y[i * q + o] += x[i * p + j] * w[j][o];
        }
    const RidgeFit fit = ridge_fit(x, y, n, p, q, 0.0, true);
    for (std::size_t j = 0; j < p; ++j)
        for (std::size_t o = 0; o < q; ++o) EXPECT_NEAR(fit.weights[j * q + o], w[j][o], 1e-12);  // rounding
    for (std::size_t o = 0; o < q; ++o) EXPECT_NEAR(fit.intercept[o], b[o], 1e-12);
    const auto prediction = fit.predict(x, n);
    for (std::size_t k = 0; k < y.size(); ++k) EXPECT_NEAR(prediction[k], y[k], 1e-12);
}

TEST(Ridge, SingularDesignAtLambdaZeroGivesTheMinimumNormSolution) {
    // Two identical columns: the minimum-norm solution splits the weight equally.
    const std::size_t n = 30;
    const auto column = normals(n, 4);
    std::vector<double> x(n * 2), y(n);
    for (std::size_t i = 0; i < n; ++i) {
        x[2 * i] = x[2 * i + 1] = column[i];
        y[i] = 3.0 * column[i];
    }
    const RidgeFit fit = ridge_fit(x, y, n, 2, 1, 0.0, false);
    EXPECT_NEAR(fit.weights[0], 1.5, 1e-12);  // exact: 3 = 1.5 + 1.5, rounding only
    EXPECT_NEAR(fit.weights[1], 1.5, 1e-12);
}

TEST(RidgeCrossValidation, FoldErrorsEqualBruteForceRefits) {
    const std::size_t n = 103, p = 8, q = 2, folds = 5;  // 103: folds of unequal size (20 or 21)
    const auto x = normals(n * p, 5, 1.0, 2.0);
    auto y = normals(n * q, 6);
    for (std::size_t i = 0; i < n; ++i) y[i * q] += 2.0 * x[i * p] - x[i * p + 3];
    const std::vector<double> lambdas = {1e-4, 1e-2, 1.0, 100.0};
    for (bool intercept : {true, false}) {
        const auto cv = ridge_cross_validate(x, y, n, p, q, lambdas, folds, intercept);
        for (std::size_t f = 0; f < folds; ++f) {
            const std::size_t begin = f * n / folds, end = (f + 1) * n / folds;
            std::vector<double> xt, yt, xv, yv;
            for (std::size_t i = 0; i < n; ++i) {
                auto& xs = (i >= begin && i < end) ? xv : xt;
                auto& ys = (i >= begin && i < end) ? yv : yt;
                xs.insert(xs.end(), x.begin() + i * p, x.begin() + (i + 1) * p);
                ys.insert(ys.end(), y.begin() + i * q, y.begin() + (i + 1) * q);
            }
            for (std::size_t l = 0; l < lambdas.size(); ++l) {
                const RidgeFit fit = ridge_fit(xt, yt, n - (end - begin), p, q, lambdas[l], intercept);
                const auto prediction = fit.predict(xv, end - begin);
                double mse = 0.0;
                for (std::size_t k = 0; k < yv.size(); ++k) mse += (prediction[k] - yv[k]) * (prediction[k] - yv[k]);
                mse /= static_cast<double>(yv.size());
                // The CV path subtracts the fold's Gram matrix from the total: rounding of
                // order eps * ||X||^2 / ||Xc||^2, far below 1e-10 relative here.
                EXPECT_NEAR(cv.fold_mean_squared_error[f * lambdas.size() + l], mse, 1e-10 * mse)
                    << "fold " << f << " lambda " << lambdas[l];
            }
        }
        const RidgeFit refit = ridge_fit(x, y, n, p, q, cv.best_lambda, intercept);
        EXPECT_EQ(refit.weights, cv.fit.weights);  // the same computation: identical
    }
}

TEST(RidgeCrossValidation, PicksTheBayesOptimalLambda) {
    // w ~ N(0, tau^2 I), noise ~ N(0, sigma^2): the posterior mean, which minimises the
    // expected prediction error, is ridge with lambda* = sigma^2 / tau^2 = 25 here.
    // With n = 60 samples for p = 40 weights the choice matters (lambda -> 0 overfits).
    const std::size_t n = 60, p = 40;
    const double tau = 0.2, sigma = 1.0;
    std::vector<double> lambdas;
    for (int k = -8; k <= 16; ++k) lambdas.push_back(std::pow(10.0, k / 4.0));  // 1e-2 .. 1e4, 4 per decade
    // Averaged over 20 independent problems (each seed a new w and X): CV's choice from a
    // single small data set scatters, its log-average does not.
    double log_sum = 0.0;
    const int problems = 20;
    for (int s = 0; s < problems; ++s) {
        const auto x = normals(n * p, 100 + s);
        const auto w = normals(p, 200 + s, 0.0, tau);
        auto y = normals(n, 300 + s, 0.0, sigma);
        for (std::size_t i = 0; i < n; ++i)
            for (std::size_t j = 0; j < p; ++j) y[i] += x[i * p + j] * w[j];
        const auto cv = ridge_cross_validate(x, y, n, p, 1, lambdas, 10, false);
        log_sum += std::log10(cv.best_lambda);
    }
    const double mean_log_lambda = log_sum / problems;
    // lambda* = 25 (log10 = 1.40); CV's validation curve is flat near its minimum, so
    // half a decade either side is the accuracy the theory leaves room for.
    EXPECT_NEAR(mean_log_lambda, std::log10(sigma * sigma / (tau * tau)), 0.5);
}

TEST(Ridge, DeterministicForTheSameInput) {
    const std::size_t n = 40, p = 6;
    const auto x = normals(n * p, 7);
    const auto y = normals(n, 8);
    const std::vector<double> lambdas = {0.01, 1.0};
    const auto a = ridge_cross_validate(x, y, n, p, 1, lambdas, 4, true);
    const auto b = ridge_cross_validate(x, y, n, p, 1, lambdas, 4, true);
    EXPECT_EQ(a.fit.weights, b.fit.weights);
    EXPECT_EQ(a.mean_squared_error, b.mean_squared_error);
}

TEST(Ridge, BadInputNamesTheArgument) {
    const std::vector<double> x(20, 1.0), y(10, 1.0), lambdas = {1.0};
    auto message = [](auto&& call) {
        try {
            call();
        } catch (const ValueError& e) {
            return std::string(e.what());
        }
        return std::string("no error");
    };
    EXPECT_EQ(message([&] { ridge_fit(x, y, 10, 2, 1, -1.0); }), "ridge: lambda must be finite and >= 0, got -1");
    EXPECT_EQ(message([&] { ridge_fit(x, y, 10, 3, 1, 1.0); }),
              "ridge: x must hold samples x features = 10 x 3 values, got 20");
    EXPECT_EQ(message([&] { ridge_fit(x, y, 10, 2, 2, 1.0); }),
              "ridge: y must hold samples x outputs = 10 x 2 values (one row per sample of x), got 10");
    std::vector<double> bad = x;
    bad[3] = std::nan("");
    EXPECT_EQ(message([&] { ridge_fit(bad, y, 10, 2, 1, 1.0); }), "ridge: x must be finite, got nan");
    EXPECT_EQ(message([&] { ridge_cross_validate(x, y, 10, 2, 1, lambdas, 1); }),
              "ridge: folds must be in [2, samples = 10], got 1");
    EXPECT_EQ(message([&] { ridge_cross_validate(x, y, 10, 2, 1, lambdas, 11); }),
              "ridge: folds must be in [2, samples = 10], got 11");
    EXPECT_EQ(message([&] { ridge_cross_validate(x, y, 10, 2, 1, std::vector<double>{}, 2); }),
              "ridge: lambdas must hold at least one value, got none");
    EXPECT_EQ(message([&] { ridge_cross_validate(x, y, 10, 2, 1, std::vector<double>{1.0, -0.5}, 2); }),
              "ridge: lambda must be finite and >= 0, got -0.5");
}
