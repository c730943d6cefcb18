// Ridge regression: closed form and k-fold cross-validation (include/neurodyn/learn/ridge.hpp).
#include "neurodyn/learn/ridge.hpp"

#include <Eigen/Dense>

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>
#include <string>

#include "neurodyn/core/error.hpp"

namespace neurodyn::learn {

namespace {

using RowMatrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using ConstRowMap = Eigen::Map<const RowMatrix>;

std::string number(double value) {
    std::ostringstream text;
    text << value;
    return text.str();
}

[[noreturn]] void fail(const std::string& argument, const std::string& what) {
    throw ValueError("ridge: " + argument + " " + what, argument);
}

void check_data(std::span<const double> x, std::span<const double> y, std::size_t samples, std::size_t features,
                std::size_t outputs) {
    if (samples == 0) fail("samples", "must be >= 1, got 0");
    if (features == 0) fail("features", "must be >= 1, got 0");
    if (outputs == 0) fail("outputs", "must be >= 1, got 0");
    if (x.size() != samples * features)
        fail("x", "must hold samples x features = " + std::to_string(samples) + " x " + std::to_string(features) +
                      " values, got " + std::to_string(x.size()));
    if (y.size() != samples * outputs)
        fail("y", "must hold samples x outputs = " + std::to_string(samples) + " x " + std::to_string(outputs) +
                      " values (one row per sample of x), got " + std::to_string(y.size()));
    for (double v : x)
        if (!std::isfinite(v)) fail("x", "must be finite, got " + number(v));
    for (double v : y)
        if (!std::isfinite(v)) fail("y", "must be finite, got " + number(v));
}

void check_lambda(double lambda) {
    if (!(lambda >= 0.0) || !std::isfinite(lambda)) fail("lambda", "must be finite and >= 0, got " + number(lambda));
}

// 1 / (d + lambda) with the pseudo-inverse convention for lambda = 0 on a singular G.
Eigen::VectorXd shrinkage(const Eigen::VectorXd& eigenvalues, double lambda) {
    const double largest = eigenvalues.size() ? std::max(eigenvalues.maxCoeff(), 0.0) : 0.0;
    const double cutoff = largest * static_cast<double>(eigenvalues.size()) * std::numeric_limits<double>::epsilon();
    Eigen::VectorXd factor(eigenvalues.size());
    for (Eigen::Index i = 0; i < eigenvalues.size(); ++i) {
        const double d = std::max(eigenvalues[i], 0.0);  // G is positive semi-definite; clip rounding
        factor[i] = (lambda == 0.0 && d <= cutoff) ? 0.0 : 1.0 / (d + lambda);
    }
    return factor;
}

RidgeFit fit_centred(const RowMatrix& xc, const RowMatrix& yc, double lambda) {
    Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eigen(xc.transpose() * xc);
    if (eigen.info() != Eigen::Success) throw InternalError("ridge: eigendecomposition of the Gram matrix failed");
    const Eigen::MatrixXd& v = eigen.eigenvectors();
    const Eigen::MatrixXd projected = v.transpose() * (xc.transpose() * yc);
    const RowMatrix weights = v * (shrinkage(eigen.eigenvalues(), lambda).asDiagonal() * projected);
    RidgeFit fit;
    fit.features = static_cast<std::size_t>(xc.cols());
    fit.outputs = static_cast<std::size_t>(yc.cols());
    fit.weights.assign(weights.data(), weights.data() + weights.size());
    fit.intercept.assign(fit.outputs, 0.0);
    fit.lambda = lambda;
    return fit;
}

RidgeFit fit_all(std::span<const double> x, std::span<const double> y, std::size_t samples, std::size_t features,
                 std::size_t outputs, double lambda, bool fit_intercept) {
    const ConstRowMap xm(x.data(), static_cast<Eigen::Index>(samples), static_cast<Eigen::Index>(features));
    const ConstRowMap ym(y.data(), static_cast<Eigen::Index>(samples), static_cast<Eigen::Index>(outputs));
    if (!fit_intercept) return fit_centred(xm, ym, lambda);
    const Eigen::RowVectorXd x_mean = xm.colwise().mean();
    const Eigen::RowVectorXd y_mean = ym.colwise().mean();
    const RowMatrix xc = xm.rowwise() - x_mean;
    const RowMatrix yc = ym.rowwise() - y_mean;
    RidgeFit fit = fit_centred(xc, yc, lambda);
    const Eigen::Map<const RowMatrix> weights(fit.weights.data(), static_cast<Eigen::Index>(features),
                                              static_cast<Eigen::Index>(outputs));
    const Eigen::RowVectorXd intercept = y_mean - x_mean * weights;
    fit.intercept.assign(intercept.data(), intercept.data() + intercept.size());
    return fit;
}

}  // namespace

std::vector<double> RidgeFit::predict(std::span<const double> x, std::size_t samples) const {
    if (x.size() != samples * features)
        fail("x", "must hold samples x features = " + std::to_string(samples) + " x " + std::to_string(features) +
                      " values, got " + std::to_string(x.size()));
    const ConstRowMap xm(x.data(), static_cast<Eigen::Index>(samples), static_cast<Eigen::Index>(features));
    const ConstRowMap w(weights.data(), static_cast<Eigen::Index>(features), static_cast<Eigen::Index>(outputs));
    const Eigen::Map<const Eigen::RowVectorXd> b(intercept.data(), static_cast<Eigen::Index>(outputs));
    RowMatrix prediction = (xm * w).rowwise() + b;
    return {prediction.data(), prediction.data() + prediction.size()};
}

RidgeFit ridge_fit(std::span<const double> x, std::span<const double> y, std::size_t samples, std::size_t features,
                   std::size_t outputs, double lambda, bool fit_intercept) {
    check_data(x, y, samples, features, outputs);
    check_lambda(lambda);
    return fit_all(x, y, samples, features, outputs, lambda, fit_intercept);
}

RidgeCrossValidation ridge_cross_validate(std::span<const double> x, std::span<const double> y, std::size_t samples,
                                          std::size_t features, std::size_t outputs, std::span<const double> lambdas,
                                          std::size_t folds, bool fit_intercept) {
    check_data(x, y, samples, features, outputs);
    if (lambdas.empty()) fail("lambdas", "must hold at least one value, got none");
    for (double lambda : lambdas) check_lambda(lambda);
    if (folds < 2 || folds > samples)
        fail("folds", "must be in [2, samples = " + std::to_string(samples) + "], got " + std::to_string(folds));

    const auto n = static_cast<Eigen::Index>(samples);
    const auto p = static_cast<Eigen::Index>(features);
    const auto q = static_cast<Eigen::Index>(outputs);
    // Centre on the global means first: the per-fold centring below works with sums, and
    // sums of uncentred data would cancel digits when the means are large.
    RowMatrix xg = ConstRowMap(x.data(), n, p);
    RowMatrix yg = ConstRowMap(y.data(), n, q);
    if (fit_intercept) {
        xg.rowwise() -= xg.colwise().mean();
        yg.rowwise() -= yg.colwise().mean();
    }
    // Training sets are "all minus one fold", so their Gram matrices and cross products
    // are the totals minus the fold's: one pass over the data for all folds.
    const Eigen::MatrixXd gram_all = xg.transpose() * xg;
    const Eigen::MatrixXd cross_all = xg.transpose() * yg;
    const Eigen::VectorXd x_sum_all = xg.colwise().sum().transpose();
    const Eigen::VectorXd y_sum_all = yg.colwise().sum().transpose();

    RidgeCrossValidation result;
    result.lambdas.assign(lambdas.begin(), lambdas.end());
    result.folds = folds;
    result.fold_mean_squared_error.assign(folds * lambdas.size(), 0.0);
    result.mean_squared_error.assign(lambdas.size(), 0.0);
    for (std::size_t fold = 0; fold < folds; ++fold) {
        // Contiguous blocks whose sizes differ by at most one.
        const auto begin = static_cast<Eigen::Index>(fold * samples / folds);
        const auto end = static_cast<Eigen::Index>((fold + 1) * samples / folds);
        const auto held = end - begin;
        const auto kept = n - held;
        const auto xv = xg.middleRows(begin, held);
        const auto yv = yg.middleRows(begin, held);
        Eigen::MatrixXd gram = gram_all - xv.transpose() * xv;
        Eigen::MatrixXd cross = cross_all - xv.transpose() * yv;
        Eigen::VectorXd x_mean = Eigen::VectorXd::Zero(p), y_mean = Eigen::VectorXd::Zero(q);
        if (fit_intercept) {
            x_mean = (x_sum_all - xv.colwise().sum().transpose()) / static_cast<double>(kept);
            y_mean = (y_sum_all - yv.colwise().sum().transpose()) / static_cast<double>(kept);
            gram -= static_cast<double>(kept) * x_mean * x_mean.transpose();
            cross -= static_cast<double>(kept) * x_mean * y_mean.transpose();
        }
        Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eigen(gram);
        if (eigen.info() != Eigen::Success) throw InternalError("ridge: eigendecomposition of a fold's Gram matrix failed");
        const Eigen::MatrixXd& v = eigen.eigenvectors();
        const Eigen::MatrixXd projected_cross = v.transpose() * cross;                        // p x q
        const Eigen::MatrixXd projected_x = (xv.rowwise() - x_mean.transpose()) * v;          // held x p
        const RowMatrix y_target = yv.rowwise() - y_mean.transpose();
        for (std::size_t l = 0; l < lambdas.size(); ++l) {
            const Eigen::MatrixXd prediction =
                projected_x * (shrinkage(eigen.eigenvalues(), lambdas[l]).asDiagonal() * projected_cross);
            const double mse = (y_target - prediction).squaredNorm() / static_cast<double>(held * q);
            result.fold_mean_squared_error[fold * lambdas.size() + l] = mse;
            result.mean_squared_error[l] += mse / static_cast<double>(folds);
        }
    }
    std::size_t best = 0;
    for (std::size_t l = 1; l < lambdas.size(); ++l) {
        const double mse = result.mean_squared_error[l], best_mse = result.mean_squared_error[best];
        if (mse < best_mse || (mse == best_mse && lambdas[l] > lambdas[best])) best = l;
    }
    result.best_lambda = lambdas[best];
    result.fit = fit_all(x, y, samples, features, outputs, result.best_lambda, fit_intercept);
    return result;
}

}  // namespace neurodyn::learn
