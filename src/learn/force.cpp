// Recursive least squares for FORCE learning (include/neurodyn/learn/force.hpp).
#include "neurodyn/learn/force.hpp"

#include <cmath>
#include <string>

#include "neurodyn/core/error.hpp"
#include "neurodyn/core/strings.hpp"

namespace neurodyn::learn {

namespace {
[[noreturn]] void fail(const std::string& argument, const std::string& what) {
    throw ValueError("RLS: " + argument + " " + what, argument);
}
void check_size(const char* argument, std::size_t size, std::size_t expected) {
    if (size != expected)
        fail(argument, "must hold " + std::to_string(expected) + " values, got " + std::to_string(size));
}
}  // namespace

RecursiveLeastSquares::RecursiveLeastSquares(std::size_t inputs, std::size_t outputs, double alpha, double forgetting)
    : inputs_(inputs), outputs_(outputs), forgetting_(forgetting) {
    if (inputs == 0) fail("inputs", "must be >= 1, got 0");
    if (outputs == 0) fail("outputs", "must be >= 1, got 0");
    if (!(alpha > 0.0) || !std::isfinite(alpha)) fail("alpha", "must be finite and > 0, got " + format_number(alpha));
    if (!(forgetting > 0.0 && forgetting <= 1.0)) fail("forgetting", "must be in (0, 1], got " + format_number(forgetting));
    weights_.assign(outputs * inputs, 0.0);
    p_.assign(inputs * inputs, 0.0);
    for (std::size_t i = 0; i < inputs; ++i) p_[i * inputs + i] = 1.0 / alpha;
    k_.assign(inputs, 0.0);
    error_.assign(outputs, 0.0);
}

void RecursiveLeastSquares::set_weights(std::span<const double> weights) {
    check_size("weights", weights.size(), outputs_ * inputs_);
    weights_.assign(weights.begin(), weights.end());
}

void RecursiveLeastSquares::predict(std::span<const double> r, std::span<double> z) const {
    check_size("r", r.size(), inputs_);
    check_size("z", z.size(), outputs_);
    for (std::size_t o = 0; o < outputs_; ++o) {
        const double* w = weights_.data() + o * inputs_;
        double sum = 0.0;
        for (std::size_t i = 0; i < inputs_; ++i) sum += w[i] * r[i];
        z[o] = sum;
    }
}

void RecursiveLeastSquares::update(std::span<const double> r, std::span<const double> target, std::span<double> error) {
    check_size("target", target.size(), outputs_);
    if (!error.empty()) check_size("error", error.size(), outputs_);
    predict(r, error_);
    for (std::size_t o = 0; o < outputs_; ++o) error_[o] -= target[o];
    // k = P r (P is symmetric, so row i of P times r).
    double r_k = 0.0;
    for (std::size_t i = 0; i < inputs_; ++i) {
        const double* row = p_.data() + i * inputs_;
        double sum = 0.0;
        for (std::size_t j = 0; j < inputs_; ++j) sum += row[j] * r[j];
        k_[i] = sum;
        r_k += r[i] * sum;
    }
    const double c = 1.0 / (forgetting_ + r_k);
    const double inverse_forgetting = 1.0 / forgetting_;
    for (std::size_t i = 0; i < inputs_; ++i) {
        double* row = p_.data() + i * inputs_;
        const double ck_i = c * k_[i];
        for (std::size_t j = 0; j < inputs_; ++j) row[j] = (row[j] - ck_i * k_[j]) * inverse_forgetting;
    }
    // P_new r = c k (with forgetting too: (P - c k k^T) r / l = (k - c k r_k) / l = c k).
    for (std::size_t o = 0; o < outputs_; ++o) {
        double* w = weights_.data() + o * inputs_;
        const double step = error_[o] * c;
        for (std::size_t i = 0; i < inputs_; ++i) w[i] -= step * k_[i];
    }
    if (!error.empty())
        for (std::size_t o = 0; o < outputs_; ++o) error[o] = error_[o];
    ++updates_;
}

}  // namespace neurodyn::learn
