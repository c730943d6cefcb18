#pragma once
// Recursive least squares (RLS), the learning rule of FORCE (Sussillo & Abbott 2009,
// Neuron 63:544): an online linear readout z = W r whose weights follow the running
// least-squares solution with P the running inverse of the (regularised) correlation
// matrix of r:
//     e- = W r - f                    error before the update
//     k  = P r,   c = 1 / (forgetting + r^T k)
//     P <- (P - c k k^T) / forgetting
//     W <- W - e- (P r)^T             (P r after the update equals c k)
// P starts at I / alpha: alpha is the regulariser (Sussillo & Abbott: alpha = 1 to 100
// for N = 1000 units), the RLS equivalent of ridge's lambda.

#include <cstddef>
#include <span>
#include <vector>

namespace neurodyn::learn {

class RecursiveLeastSquares {
public:
    // `inputs` readout inputs (reservoir units), `outputs` readout outputs;
    // alpha > 0; forgetting in (0, 1] (1: no forgetting, as in FORCE).
    RecursiveLeastSquares(std::size_t inputs, std::size_t outputs, double alpha, double forgetting = 1.0);

    // z = W r (outputs values).
    void predict(std::span<const double> r, std::span<double> z) const;
    // One RLS step towards `target` for input r; writes the error before the update
    // (W r - target) into `error` (outputs values) when it is not empty.
    void update(std::span<const double> r, std::span<const double> target, std::span<double> error = {});

    std::size_t inputs() const { return inputs_; }
    std::size_t outputs() const { return outputs_; }
    const std::vector<double>& weights() const { return weights_; }  // outputs x inputs, row-major
    void set_weights(std::span<const double> weights);
    const std::vector<double>& inverse_correlation() const { return p_; }  // P, inputs x inputs
    std::size_t updates() const { return updates_; }

private:
    std::size_t inputs_, outputs_;
    double forgetting_;
    std::vector<double> weights_, p_;
    std::vector<double> k_, error_;  // scratch
    std::size_t updates_ = 0;
};

}  // namespace neurodyn::learn
