// Rate-based Hebbian rules, Földiák's anti-Hebbian network and HLOP's Hebbian subspace
// (include/neurodyn/learn/hebbian.hpp; docs/plasticity.md, "Rate-based Hebbian rules").
#include "neurodyn/learn/hebbian.hpp"

#include <Eigen/Dense>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>

#include "neurodyn/core/error.hpp"
#include "neurodyn/core/random.hpp"
#include "neurodyn/core/strings.hpp"

namespace neurodyn::learn {

namespace {

using RowMatrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

// Private random domains ("HEBI", "HEBS"): initial weights (entity: block of rows) and
// sample orders (entity: epoch), so that a layer is a pure function of its seed and the
// sequence of calls made on it.
constexpr std::uint32_t kInitialWeightDomain = 0x48454249u;
constexpr std::uint32_t kShuffleDomain = 0x48454253u;

// Below this reciprocal condition number, (I - L) y = W x is solved with no correct
// digit left in double precision (1 / eps = 4.5e15; 1e-12 keeps a margin of 1e3).
constexpr double kSingularReciprocalCondition = 1e-12;

[[noreturn]] void fail(const char* where, const std::string& argument, const std::string& what) {
    throw ValueError(std::string(where) + ": " + argument + " " + what, argument);
}

void check_count(const char* where, const char* argument, std::size_t value) {
    if (value == 0) fail(where, argument, "must be >= 1, got 0");
}

void check_rate(const char* where, const char* argument, double value) {
    if (!(value > 0.0) || !std::isfinite(value)) fail(where, argument, "must be finite and > 0, got " + format_number(value));
}

void check_size(const char* where, const char* argument, std::size_t size, std::size_t expected,
                const std::string& shape) {
    if (size != expected)
        fail(where, argument,
             "must hold " + shape + " = " + std::to_string(expected) + " values, got " + std::to_string(size));
}

// Every value finite; the message says where (row, column) the first bad one is.
void check_finite(const char* where, const char* argument, std::span<const double> values, std::size_t columns) {
    for (std::size_t i = 0; i < values.size(); ++i)
        if (!std::isfinite(values[i]))
            fail(where, argument,
                 "must be finite, got " + format_number(values[i]) + " at row " + std::to_string(i / columns) +
                     ", column " + std::to_string(i % columns));
}

void check_samples(const char* where, std::span<const double> x, std::size_t samples, std::size_t inputs) {
    check_count(where, "samples", samples);
    check_size(where, "x", x.size(), samples * inputs,
               "samples x inputs = " + std::to_string(samples) + " x " + std::to_string(inputs));
    check_finite(where, "x", x, inputs);
}

void check_epochs(const char* where, std::size_t epochs) { check_count(where, "epochs", epochs); }

// W entries N(0, (scale / sqrt(inputs))^2), from the stream of (seed, entity).
void draw_weights(std::span<double> weights, std::size_t inputs, double scale, std::uint64_t seed,
                  std::uint32_t entity) {
    RandomStream stream(seed, kInitialWeightDomain, entity);
    const double spread = scale / std::sqrt(static_cast<double>(inputs));
    for (double& w : weights) w = stream.normal(0.0, spread);
}

// The order of one epoch: 0..samples-1, or a Fisher-Yates permutation of it drawn from
// the stream of (seed, epoch number).
void epoch_order(std::vector<std::size_t>& order, bool shuffle, std::uint64_t seed, std::size_t& shuffled_epochs) {
    std::iota(order.begin(), order.end(), std::size_t{0});
    if (!shuffle) return;
    RandomStream stream(seed, kShuffleDomain, static_cast<std::uint32_t>(shuffled_epochs++));
    for (std::size_t i = order.size(); i > 1; --i) std::swap(order[i - 1], order[stream.below(i)]);
}

[[noreturn]] void diverged(const char* where, std::size_t update, const char* remedy) {
    throw ValueError(std::string(where) + ": the response became non-finite at update " + std::to_string(update) +
                         " (the weights diverged); " + remedy,
                     "eta");
}

void clip(std::span<double> weights, double low, double high) {
    for (double& w : weights) w = std::min(std::max(w, low), high);
}

}  // namespace

// ---- rules -------------------------------------------------------------------------------

HebbianRule hebbian_rule_from_name(std::string_view name) {
    if (name == "hebb") return HebbianRule::hebb;
    if (name == "oja") return HebbianRule::oja;
    if (name == "oja_subspace") return HebbianRule::oja_subspace;
    if (name == "sanger" || name == "gha") return HebbianRule::sanger;
    if (name == "bcm") return HebbianRule::bcm;
    const std::vector<std::string> choices{"hebb", "oja", "oja_subspace", "sanger", "gha", "bcm"};
    throw KeyError("Hebbian layer: unknown rule '" + std::string(name) + "'" + did_you_mean(name, choices) +
                       " (choices: " + join(choices) + ")",
                   "rule");
}

std::string_view hebbian_rule_name(HebbianRule rule) {
    switch (rule) {
        case HebbianRule::hebb: return "hebb";
        case HebbianRule::oja: return "oja";
        case HebbianRule::oja_subspace: return "oja_subspace";
        case HebbianRule::sanger: return "sanger";
        case HebbianRule::bcm: return "bcm";
    }
    throw InternalError("hebbian_rule_name: unknown rule value");
}

void HebbianParams::validate() const {
    constexpr const char* where = "Hebbian layer";
    check_rate(where, "eta", eta);
    if (!(decay >= 0.0) || !std::isfinite(decay)) fail(where, "decay", "must be finite and >= 0, got " + format_number(decay));
    // An exponential average with a time constant below one update would overshoot
    // (theta += (y^2 - theta) / tau moves past y^2 when 1 / tau > 1).
    if (!(tau_theta >= 1.0) || !std::isfinite(tau_theta))
        fail(where, "tau_theta", "must be finite and >= 1 (updates), got " + format_number(tau_theta));
    if (!(theta_initial >= 0.0) || !std::isfinite(theta_initial))
        fail(where, "theta_initial", "must be finite and >= 0 (an average of y^2), got " + format_number(theta_initial));
    if (std::isnan(w_min) || w_min == std::numeric_limits<double>::infinity())
        fail(where, "w_min", "must be a number below +inf, got " + format_number(w_min));
    if (std::isnan(w_max) || w_max == -std::numeric_limits<double>::infinity())
        fail(where, "w_max", "must be a number above -inf, got " + format_number(w_max));
    if (w_min > w_max)
        fail(where, "w_max", "must be >= w_min = " + format_number(w_min) + ", got " + format_number(w_max));
}

// ---- HebbianLayer ------------------------------------------------------------------------

HebbianLayer::HebbianLayer(std::size_t inputs, std::size_t outputs, const HebbianParams& params, std::uint64_t seed,
                           double initial_scale)
    : inputs_(inputs), outputs_(outputs), params_(params), seed_(seed) {
    constexpr const char* where = "Hebbian layer";
    check_count(where, "inputs", inputs);
    check_count(where, "outputs", outputs);
    params.validate();
    if (!(initial_scale >= 0.0) || !std::isfinite(initial_scale))
        fail(where, "initial_scale", "must be finite and >= 0, got " + format_number(initial_scale));
    weights_.resize(outputs * inputs);
    draw_weights(weights_, inputs, initial_scale, seed, 0);
    clip(weights_, params.w_min, params.w_max);
    theta_.assign(outputs, params.theta_initial);
    y_.assign(outputs, 0.0);
    residual_.assign(inputs, 0.0);
}

void HebbianLayer::set_weights(std::span<const double> weights) {
    check_size("Hebbian layer", "weights", weights.size(), outputs_ * inputs_,
               "outputs x inputs = " + std::to_string(outputs_) + " x " + std::to_string(inputs_));
    check_finite("Hebbian layer", "weights", weights, inputs_);
    weights_.assign(weights.begin(), weights.end());
}

void HebbianLayer::set_theta(std::span<const double> theta) {
    check_size("Hebbian layer", "theta", theta.size(), outputs_, "outputs");
    for (double t : theta)
        if (!(t >= 0.0) || !std::isfinite(t))
            fail("Hebbian layer", "theta", "must be finite and >= 0, got " + format_number(t));
    theta_.assign(theta.begin(), theta.end());
}

void HebbianLayer::respond(std::span<const double> x, std::span<double> y) const {
    check_size("Hebbian layer", "x", x.size(), inputs_, "inputs");
    check_size("Hebbian layer", "y", y.size(), outputs_, "outputs");
    for (std::size_t o = 0; o < outputs_; ++o) {
        const double* w = weights_.data() + o * inputs_;
        double sum = 0.0;
        for (std::size_t i = 0; i < inputs_; ++i) sum += w[i] * x[i];
        y[o] = sum;
    }
}

std::vector<double> HebbianLayer::respond(std::span<const double> x, std::size_t samples) const {
    check_samples("Hebbian layer", x, samples, inputs_);
    std::vector<double> y(samples * outputs_);
    for (std::size_t s = 0; s < samples; ++s)
        respond(x.subspan(s * inputs_, inputs_), std::span(y).subspan(s * outputs_, outputs_));
    return y;
}

void HebbianLayer::update(const double* x, const double* post, double* response) {
    const std::size_t n = inputs_, k = outputs_;
    const double eta = params_.eta;
    double* y = y_.data();
    double* w_all = weights_.data();
    if (post != nullptr) {
        std::copy(post, post + k, y);
    } else {
        for (std::size_t o = 0; o < k; ++o) {
            const double* w = w_all + o * n;
            double sum = 0.0;
            for (std::size_t i = 0; i < n; ++i) sum += w[i] * x[i];
            y[o] = sum;
        }
    }
    for (std::size_t o = 0; o < k; ++o)
        if (!std::isfinite(y[o])) diverged("Hebbian layer", updates_, "lower eta, or add decay or bounds");

    switch (params_.rule) {
        case HebbianRule::hebb: {
            // W <- (1 - eta decay) W + eta y x^T
            const double keep = 1.0 - eta * params_.decay;
            for (std::size_t o = 0; o < k; ++o) {
                double* w = w_all + o * n;
                const double gain = eta * y[o];
                for (std::size_t i = 0; i < n; ++i) w[i] = keep * w[i] + gain * x[i];
            }
            break;
        }
        case HebbianRule::oja: {
            // W_o <- W_o + eta y_o (x - y_o W_o): each unit normalises its own weights.
            for (std::size_t o = 0; o < k; ++o) {
                double* w = w_all + o * n;
                const double gain = eta * y[o];
                const double y_o = y[o];
                for (std::size_t i = 0; i < n; ++i) w[i] += gain * (x[i] - y_o * w[i]);
            }
            break;
        }
        case HebbianRule::oja_subspace: {
            // eta (y x^T - y y^T W) = eta y r^T with the residual r = x - W^T y.
            double* r = residual_.data();
            std::copy(x, x + n, r);
            for (std::size_t o = 0; o < k; ++o) {
                const double* w = w_all + o * n;
                const double y_o = y[o];
                for (std::size_t i = 0; i < n; ++i) r[i] -= y_o * w[i];
            }
            for (std::size_t o = 0; o < k; ++o) {
                double* w = w_all + o * n;
                const double gain = eta * y[o];
                for (std::size_t i = 0; i < n; ++i) w[i] += gain * r[i];
            }
            break;
        }
        case HebbianRule::sanger: {
            // Row o sees the residual of the rows 0..o: r_o = x - sum_{j<=o} y_j W_j (old
            // weights), built row by row; row o is updated only after its own term has
            // been subtracted, and rows below it are still the old ones.
            double* r = residual_.data();
            std::copy(x, x + n, r);
            for (std::size_t o = 0; o < k; ++o) {
                double* w = w_all + o * n;
                const double y_o = y[o];
                const double gain = eta * y_o;
                for (std::size_t i = 0; i < n; ++i) {
                    r[i] -= y_o * w[i];
                    w[i] += gain * r[i];
                }
            }
            break;
        }
        case HebbianRule::bcm: {
            // dW_o = eta y_o (y_o - theta_o) x with the threshold before this sample;
            // then theta_o moves towards y_o^2 (an exponential average over tau_theta updates).
            const double rate = 1.0 / params_.tau_theta;
            for (std::size_t o = 0; o < k; ++o) {
                double* w = w_all + o * n;
                const double y_o = y[o];
                const double gain = eta * y_o * (y_o - theta_[o]);
                for (std::size_t i = 0; i < n; ++i) w[i] += gain * x[i];
                theta_[o] += (y_o * y_o - theta_[o]) * rate;
            }
            break;
        }
    }
    if (params_.w_min > -std::numeric_limits<double>::infinity() ||
        params_.w_max < std::numeric_limits<double>::infinity())
        clip(weights_, params_.w_min, params_.w_max);
    if (response != nullptr) std::copy(y, y + k, response);
    ++updates_;
}

namespace {
void check_post_allowed(HebbianRule rule) {
    if (rule != HebbianRule::hebb && rule != HebbianRule::bcm)
        fail("Hebbian layer", "post",
             "must be empty for rule '" + std::string(hebbian_rule_name(rule)) +
                 "' (its convergence rests on y = W x); only 'hebb' and 'bcm' take a given post-synaptic activity");
}
}  // namespace

void HebbianLayer::step(std::span<const double> x, std::span<const double> post, std::span<double> response) {
    constexpr const char* where = "Hebbian layer";
    check_size(where, "x", x.size(), inputs_, "inputs");
    check_finite(where, "x", x, inputs_);
    if (!post.empty()) {
        check_post_allowed(params_.rule);
        check_size(where, "post", post.size(), outputs_, "outputs");
        check_finite(where, "post", post, outputs_);
    }
    if (!response.empty()) check_size(where, "response", response.size(), outputs_, "outputs");
    update(x.data(), post.empty() ? nullptr : post.data(), response.empty() ? nullptr : response.data());
}

std::vector<double> HebbianLayer::train(std::span<const double> x, std::size_t samples, std::span<const double> post,
                                        std::size_t epochs, bool shuffle) {
    constexpr const char* where = "Hebbian layer";
    check_samples(where, x, samples, inputs_);
    check_epochs(where, epochs);
    if (!post.empty()) {
        check_post_allowed(params_.rule);
        check_size(where, "post", post.size(), samples * outputs_,
                   "samples x outputs = " + std::to_string(samples) + " x " + std::to_string(outputs_));
        check_finite(where, "post", post, outputs_);
    }
    std::vector<double> responses(samples * outputs_);
    std::vector<std::size_t> order(samples);
    for (std::size_t epoch = 0; epoch < epochs; ++epoch) {
        epoch_order(order, shuffle, seed_, shuffled_epochs_);
        for (std::size_t s : order)
            update(x.data() + s * inputs_, post.empty() ? nullptr : post.data() + s * outputs_,
                   responses.data() + s * outputs_);
    }
    return responses;
}

// ---- AntiHebbianNetwork ------------------------------------------------------------------

namespace {
constexpr const char* kNetwork = "anti-Hebbian network";

// y = (I - L)^-1 drive for a k x k lateral matrix L (row-major); false when I - L is
// numerically singular.
bool solve_lateral(std::span<const double> lateral, std::size_t k, const double* drive, double* y) {
    Eigen::Map<const RowMatrix> l(lateral.data(), static_cast<Eigen::Index>(k), static_cast<Eigen::Index>(k));
    const Eigen::PartialPivLU<Eigen::MatrixXd> lu(Eigen::MatrixXd::Identity(l.rows(), l.cols()) - l);
    if (!(lu.rcond() > kSingularReciprocalCondition)) return false;
    Eigen::Map<Eigen::VectorXd>(y, static_cast<Eigen::Index>(k)) =
        lu.solve(Eigen::Map<const Eigen::VectorXd>(drive, static_cast<Eigen::Index>(k)));
    return true;
}

[[noreturn]] void singular_lateral(std::size_t updates) {
    throw ValueError(std::string(kNetwork) + ": I - L is singular after " + std::to_string(updates) +
                         " updates (the lateral weights grew too large); lower eta_lateral",
                     "eta_lateral");
}

void check_zero_diagonal(std::span<const double> lateral, std::size_t k) {
    for (std::size_t i = 0; i < k; ++i)
        if (lateral[i * k + i] != 0.0)
            fail(kNetwork, "lateral_weights",
                 "must have a zero diagonal (no self-connection), got " + format_number(lateral[i * k + i]) +
                     " at row " + std::to_string(i));
}
}  // namespace

AntiHebbianNetwork::AntiHebbianNetwork(std::size_t inputs, std::size_t outputs, double eta_forward, double eta_lateral,
                                       std::uint64_t seed, double initial_scale)
    : inputs_(inputs), outputs_(outputs), eta_forward_(eta_forward), eta_lateral_(eta_lateral), seed_(seed) {
    check_count(kNetwork, "inputs", inputs);
    check_count(kNetwork, "outputs", outputs);
    check_rate(kNetwork, "eta_forward", eta_forward);
    check_rate(kNetwork, "eta_lateral", eta_lateral);
    if (!(initial_scale >= 0.0) || !std::isfinite(initial_scale))
        fail(kNetwork, "initial_scale", "must be finite and >= 0, got " + format_number(initial_scale));
    forward_.resize(outputs * inputs);
    draw_weights(forward_, inputs, initial_scale, seed, 0);
    lateral_.assign(outputs * outputs, 0.0);
    drive_.assign(outputs, 0.0);
    y_.assign(outputs, 0.0);
}

void AntiHebbianNetwork::set_forward_weights(std::span<const double> weights) {
    check_size(kNetwork, "forward_weights", weights.size(), outputs_ * inputs_,
               "outputs x inputs = " + std::to_string(outputs_) + " x " + std::to_string(inputs_));
    check_finite(kNetwork, "forward_weights", weights, inputs_);
    forward_.assign(weights.begin(), weights.end());
}

void AntiHebbianNetwork::set_lateral_weights(std::span<const double> weights) {
    check_size(kNetwork, "lateral_weights", weights.size(), outputs_ * outputs_,
               "outputs x outputs = " + std::to_string(outputs_) + " x " + std::to_string(outputs_));
    check_finite(kNetwork, "lateral_weights", weights, outputs_);
    check_zero_diagonal(weights, outputs_);
    lateral_.assign(weights.begin(), weights.end());
}

std::vector<double> AntiHebbianNetwork::filters() const {
    Eigen::Map<const RowMatrix> w(forward_.data(), static_cast<Eigen::Index>(outputs_),
                                  static_cast<Eigen::Index>(inputs_));
    Eigen::Map<const RowMatrix> l(lateral_.data(), static_cast<Eigen::Index>(outputs_),
                                  static_cast<Eigen::Index>(outputs_));
    const Eigen::PartialPivLU<Eigen::MatrixXd> lu(Eigen::MatrixXd::Identity(l.rows(), l.cols()) - l);
    if (!(lu.rcond() > kSingularReciprocalCondition)) singular_lateral(updates_);
    const RowMatrix f = lu.solve(Eigen::MatrixXd(w));
    return {f.data(), f.data() + f.size()};
}

void AntiHebbianNetwork::respond(std::span<const double> x, std::span<double> y) const {
    check_size(kNetwork, "x", x.size(), inputs_, "inputs");
    check_size(kNetwork, "y", y.size(), outputs_, "outputs");
    std::vector<double> drive(outputs_);
    for (std::size_t o = 0; o < outputs_; ++o) {
        const double* w = forward_.data() + o * inputs_;
        double sum = 0.0;
        for (std::size_t i = 0; i < inputs_; ++i) sum += w[i] * x[i];
        drive[o] = sum;
    }
    if (!solve_lateral(lateral_, outputs_, drive.data(), y.data())) singular_lateral(updates_);
}

std::vector<double> AntiHebbianNetwork::respond(std::span<const double> x, std::size_t samples) const {
    check_samples(kNetwork, x, samples, inputs_);
    // One solve for all samples: y^T = x^T F^T with the filters F = (I - L)^-1 W.
    const std::vector<double> f = filters();
    Eigen::Map<const RowMatrix> fm(f.data(), static_cast<Eigen::Index>(outputs_), static_cast<Eigen::Index>(inputs_));
    Eigen::Map<const RowMatrix> xm(x.data(), static_cast<Eigen::Index>(samples), static_cast<Eigen::Index>(inputs_));
    const RowMatrix y = xm * fm.transpose();
    return {y.data(), y.data() + y.size()};
}

void AntiHebbianNetwork::update(const double* x, double* response) {
    const std::size_t n = inputs_, k = outputs_;
    for (std::size_t o = 0; o < k; ++o) {
        const double* w = forward_.data() + o * n;
        double sum = 0.0;
        for (std::size_t i = 0; i < n; ++i) sum += w[i] * x[i];
        drive_[o] = sum;
    }
    double* y = y_.data();
    if (!solve_lateral(lateral_, k, drive_.data(), y)) singular_lateral(updates_);
    for (std::size_t o = 0; o < k; ++o)
        if (!std::isfinite(y[o])) diverged(kNetwork, updates_, "lower eta_forward");
    // Feedforward: Oja's rule per unit, W_o += eta_f y_o (x - y_o W_o).
    for (std::size_t o = 0; o < k; ++o) {
        double* w = forward_.data() + o * n;
        const double gain = eta_forward_ * y[o];
        const double y_o = y[o];
        for (std::size_t i = 0; i < n; ++i) w[i] += gain * (x[i] - y_o * w[i]);
    }
    // Lateral: anti-Hebbian off the diagonal, L_ij -= eta_l y_i y_j (symmetric, so L stays symmetric).
    for (std::size_t i = 0; i < k; ++i) {
        double* l = lateral_.data() + i * k;
        const double gain = eta_lateral_ * y[i];
        for (std::size_t j = 0; j < k; ++j)
            if (j != i) l[j] -= gain * y[j];
    }
    if (response != nullptr) std::copy(y, y + k, response);
    ++updates_;
}

void AntiHebbianNetwork::step(std::span<const double> x, std::span<double> response) {
    check_size(kNetwork, "x", x.size(), inputs_, "inputs");
    check_finite(kNetwork, "x", x, inputs_);
    if (!response.empty()) check_size(kNetwork, "response", response.size(), outputs_, "outputs");
    update(x.data(), response.empty() ? nullptr : response.data());
}

std::vector<double> AntiHebbianNetwork::train(std::span<const double> x, std::size_t samples, std::size_t epochs,
                                              bool shuffle) {
    check_samples(kNetwork, x, samples, inputs_);
    check_epochs(kNetwork, epochs);
    std::vector<double> responses(samples * outputs_);
    std::vector<std::size_t> order(samples);
    for (std::size_t epoch = 0; epoch < epochs; ++epoch) {
        epoch_order(order, shuffle, seed_, shuffled_epochs_);
        for (std::size_t s : order) update(x.data() + s * inputs_, responses.data() + s * outputs_);
    }
    return responses;
}

// ---- HebbianSubspace ---------------------------------------------------------------------

namespace {
constexpr const char* kSubspace = "Hebbian subspace";
}

HebbianSubspace::HebbianSubspace(std::size_t inputs, double eta, std::uint64_t seed)
    : inputs_(inputs), eta_(eta), seed_(seed) {
    check_count(kSubspace, "inputs", inputs);
    check_rate(kSubspace, "eta", eta);
    residual_.assign(inputs, 0.0);
}

void HebbianSubspace::set_weights(std::span<const double> weights, std::size_t components,
                                  std::size_t frozen_components) {
    if (components > inputs_)
        fail(kSubspace, "components",
             "must be <= inputs = " + std::to_string(inputs_) + ", got " + std::to_string(components));
    if (frozen_components > components)
        fail(kSubspace, "frozen_components",
             "must be <= components = " + std::to_string(components) + ", got " + std::to_string(frozen_components));
    check_size(kSubspace, "weights", weights.size(), components * inputs_,
               "components x inputs = " + std::to_string(components) + " x " + std::to_string(inputs_));
    check_finite(kSubspace, "weights", weights, inputs_);
    weights_.assign(weights.begin(), weights.end());
    components_ = components;
    frozen_ = frozen_components;
    y_.assign(components, 0.0);
}

void HebbianSubspace::learn(std::span<const double> x, std::size_t samples, std::size_t new_components,
                            std::size_t epochs, bool shuffle) {
    check_samples(kSubspace, x, samples, inputs_);
    check_epochs(kSubspace, epochs);
    if (components_ + new_components > inputs_)
        fail(kSubspace, "new_components",
             "must leave at most inputs = " + std::to_string(inputs_) + " components in all (" +
                 std::to_string(components_) + " already), got " + std::to_string(new_components));
    if (components_ == 0 && new_components == 0)
        fail(kSubspace, "new_components", "must be >= 1 for the first task (there is no block to train yet), got 0");
    if (new_components > 0) {
        // The new lateral neurons start with random rows of norm near 1; the earlier
        // rows (already converged) are frozen from now on.
        frozen_ = components_;
        weights_.resize((components_ + new_components) * inputs_);
        draw_weights(std::span(weights_).subspan(components_ * inputs_), inputs_, 1.0, seed_,
                     static_cast<std::uint32_t>(blocks_++));
        components_ += new_components;
        y_.assign(components_, 0.0);
    }
    const std::size_t n = inputs_, k = components_;
    double* h = weights_.data();
    double* y = y_.data();
    double* r = residual_.data();
    std::vector<std::size_t> order(samples);
    for (std::size_t epoch = 0; epoch < epochs; ++epoch) {
        epoch_order(order, shuffle, seed_, shuffled_epochs_);
        for (std::size_t s : order) {
            const double* xs = x.data() + s * n;
            // y = H x over every lateral neuron; r = x - H^T y, the part of x they do
            // not reconstruct.
            std::copy(xs, xs + n, r);
            for (std::size_t c = 0; c < k; ++c) {
                const double* row = h + c * n;
                double sum = 0.0;
                for (std::size_t i = 0; i < n; ++i) sum += row[i] * xs[i];
                y[c] = sum;
                if (!std::isfinite(sum)) diverged(kSubspace, updates_, "lower eta");
            }
            for (std::size_t c = 0; c < k; ++c) {
                const double* row = h + c * n;
                const double y_c = y[c];
                for (std::size_t i = 0; i < n; ++i) r[i] -= y_c * row[i];
            }
            // Only the newest block learns: dH_c = eta y_c r.
            for (std::size_t c = frozen_; c < k; ++c) {
                double* row = h + c * n;
                const double gain = eta_ * y[c];
                for (std::size_t i = 0; i < n; ++i) row[i] += gain * r[i];
            }
            ++updates_;
        }
    }
}

void HebbianSubspace::project_out(std::span<double> matrix, std::size_t rows) const {
    check_size(kSubspace, "matrix", matrix.size(), rows * inputs_,
               "rows x inputs = " + std::to_string(rows) + " x " + std::to_string(inputs_));
    check_finite(kSubspace, "matrix", matrix, inputs_);
    const std::size_t n = inputs_;
    std::vector<double> coefficients(components_);
    for (std::size_t row_index = 0; row_index < rows; ++row_index) {
        double* g = matrix.data() + row_index * n;
        // c = H g, then g -= H^T c.
        for (std::size_t c = 0; c < components_; ++c) {
            const double* h = weights_.data() + c * n;
            double sum = 0.0;
            for (std::size_t i = 0; i < n; ++i) sum += h[i] * g[i];
            coefficients[c] = sum;
        }
        for (std::size_t c = 0; c < components_; ++c) {
            const double* h = weights_.data() + c * n;
            const double coefficient = coefficients[c];
            for (std::size_t i = 0; i < n; ++i) g[i] -= coefficient * h[i];
        }
    }
}

std::vector<double> HebbianSubspace::respond(std::span<const double> x, std::size_t samples) const {
    check_samples(kSubspace, x, samples, inputs_);
    std::vector<double> y(samples * components_);
    for (std::size_t s = 0; s < samples; ++s) {
        const double* xs = x.data() + s * inputs_;
        for (std::size_t c = 0; c < components_; ++c) {
            const double* h = weights_.data() + c * inputs_;
            double sum = 0.0;
            for (std::size_t i = 0; i < inputs_; ++i) sum += h[i] * xs[i];
            y[s * components_ + c] = sum;
        }
    }
    return y;
}

}  // namespace neurodyn::learn
