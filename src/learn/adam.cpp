#include "neurodyn/learn/adam.hpp"

#include <cmath>
#include <string>

#include "neurodyn/core/error.hpp"
#include "neurodyn/core/strings.hpp"

namespace neurodyn::learn {

namespace {
void require(bool ok, const char* field, const char* condition, double value) {
    if (!ok)
        throw ValueError(std::string("Adam: ") + field + " must be " + condition + ", got " + format_number(value), field);
}
}  // namespace

void AdamSettings::validate() const {
    require(std::isfinite(learning_rate) && learning_rate > 0.0, "learning_rate", "> 0", learning_rate);
    require(beta1 >= 0.0 && beta1 < 1.0, "beta1", "in [0, 1)", beta1);
    require(beta2 >= 0.0 && beta2 < 1.0, "beta2", "in [0, 1)", beta2);
    require(std::isfinite(epsilon) && epsilon > 0.0, "epsilon", "> 0", epsilon);
}

Adam::Adam(std::size_t parameter_count, AdamSettings settings)
    : settings_(settings), first_moment_(parameter_count, 0.0), second_moment_(parameter_count, 0.0) {
    settings_.validate();
}

void Adam::set_learning_rate(double learning_rate) {
    AdamSettings changed = settings_;
    changed.learning_rate = learning_rate;
    changed.validate();
    settings_ = changed;
}

void Adam::step(std::span<double> parameters, std::span<const double> gradient) {
    if (parameters.size() != first_moment_.size() || gradient.size() != first_moment_.size())
        throw InternalError("Adam::step: " + std::to_string(parameters.size()) + " parameters and " +
                            std::to_string(gradient.size()) + " gradients for an optimiser of " +
                            std::to_string(first_moment_.size()));
    ++steps_;
    const double b1 = settings_.beta1, b2 = settings_.beta2;
    const double correction1 = 1.0 - std::pow(b1, static_cast<double>(steps_));
    const double correction2 = 1.0 - std::pow(b2, static_cast<double>(steps_));
    const double step_size = settings_.learning_rate / correction1;
    const double root_correction2 = std::sqrt(correction2);
    double* m = first_moment_.data();
    double* v = second_moment_.data();
    for (std::size_t k = 0; k < parameters.size(); ++k) {
        const double g = gradient[k];
        m[k] = b1 * m[k] + (1.0 - b1) * g;
        v[k] = b2 * v[k] + (1.0 - b2) * g * g;
        // PyTorch's form: denominator sqrt(v)/sqrt(1 - b2^t) + eps.
        parameters[k] -= step_size * m[k] / (std::sqrt(v[k]) / root_correction2 + settings_.epsilon);
    }
}

}  // namespace neurodyn::learn
