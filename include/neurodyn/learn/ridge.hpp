#pragma once
// Ridge regression readouts: the closed form, and k-fold cross-validation over a grid
// of regularisation strengths from one eigendecomposition per fold.
//
// Matrices are row-major spans: x is samples x features, y is samples x outputs, the
// weights are features x outputs. With an intercept, x and y are centred on the
// training means and the intercept is not penalised (scikit-learn's convention):
//     W = argmin ||(Y - 1 b^T) - X W||^2 + lambda ||W||^2,   b = mean(Y) - mean(X) W.
// Solution: with the centred Gram matrix G = Xc^T Xc = V diag(d) V^T,
//     W(lambda) = V diag(1 / (d + lambda)) V^T Xc^T Yc,
// so every lambda of a grid costs one matrix product once V is known. For lambda = 0 a
// singular G gives the minimum-norm solution (eigenvalues below d_max * p * eps are
// treated as zero, as numpy.linalg.lstsq's rcond does with singular values).

#include <cstddef>
#include <span>
#include <vector>

namespace neurodyn::learn {

struct RidgeFit {
    std::size_t features = 0, outputs = 0;
    std::vector<double> weights;    // features x outputs, row-major
    std::vector<double> intercept;  // outputs (zeros without an intercept)
    double lambda = 0.0;

    // predictions (samples x outputs) of x (samples x features)
    std::vector<double> predict(std::span<const double> x, std::size_t samples) const;
};

// The closed-form fit for one lambda >= 0.
RidgeFit ridge_fit(std::span<const double> x, std::span<const double> y, std::size_t samples, std::size_t features,
                   std::size_t outputs, double lambda, bool fit_intercept = true);

struct RidgeCrossValidation {
    RidgeFit fit;                      // refitted on all samples with best_lambda
    double best_lambda = 0.0;
    std::vector<double> lambdas;       // the grid, as given
    std::vector<double> mean_squared_error;  // per lambda: validation MSE averaged over folds and outputs
    std::vector<double> fold_mean_squared_error;  // folds x lambdas
    std::size_t folds = 0;
};

// k-fold cross-validation over `lambdas` (each >= 0) with `folds` contiguous blocks of
// samples (2 <= folds <= samples; contiguous because reservoir states are time series
// and shuffled folds would leak neighbouring samples into validation). The lambda with
// the lowest mean validation MSE wins; ties go to the larger lambda.
RidgeCrossValidation ridge_cross_validate(std::span<const double> x, std::span<const double> y, std::size_t samples,
                                          std::size_t features, std::size_t outputs, std::span<const double> lambdas,
                                          std::size_t folds, bool fit_intercept = true);

}  // namespace neurodyn::learn
