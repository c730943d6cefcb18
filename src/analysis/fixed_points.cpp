#include "neurodyn/analysis/fixed_points.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "matrix_helpers.hpp"
#include "neurodyn/core/error.hpp"

namespace neurodyn::analysis {

namespace {

struct Problem {
    const VectorField& f;
    const VectorFieldJacobian& jacobian;
    DynamicsKind kind;
    Eigen::Index n;

    // r(x) = F(x) - x (map) or F(x) (flow).
    Eigen::VectorXd residual(const Eigen::VectorXd& x) const {
        Eigen::VectorXd out(n);
        f(std::span<const double>(x.data(), static_cast<std::size_t>(n)),
          std::span<double>(out.data(), static_cast<std::size_t>(n)));
        if (kind == DynamicsKind::map) out -= x;
        return out;
    }
    // Jacobian of F (not of r), row-major from the user into a column-major matrix.
    Eigen::MatrixXd jacobian_of_f(const Eigen::VectorXd& x) const {
        detail::RowMatrix j(n, n);
        jacobian(std::span<const double>(x.data(), static_cast<std::size_t>(n)),
                 std::span<double>(j.data(), static_cast<std::size_t>(n * n)));
        return j;
    }
    Eigen::MatrixXd jacobian_of_residual(const Eigen::VectorXd& x) const {
        Eigen::MatrixXd j = jacobian_of_f(x);
        if (kind == DynamicsKind::map) j.diagonal().array() -= 1.0;
        return j;
    }
};

struct Minimum {
    Eigen::VectorXd x;
    double q;
};

// Levenberg–Marquardt on q(x) = 1/2 ||r(x)||^2: solve (J^T J + mu I) dx = -J^T r, accept
// the step if q decreases, and update mu by the gain ratio rho = actual / predicted
// decrease (Nielsen 1999: mu *= max(1/3, 1 - (2 rho - 1)^3) on success, mu *= nu, nu *= 2
// on failure; Madsen, Nielsen & Tingleff 2004, "Methods for non-linear least squares").
Minimum minimise(const Problem& pb, Eigen::VectorXd x, const FixedPointOptions& o, std::size_t start_index) {
    Eigen::VectorXd r = pb.residual(x);
    if (!r.allFinite())
        throw ValueError("initial_points: F is not finite at initial point " + std::to_string(start_index));
    double q = 0.5 * r.squaredNorm();
    Eigen::MatrixXd j = pb.jacobian_of_residual(x);
    if (!j.allFinite())
        throw ValueError("jacobian: not finite at initial point " + std::to_string(start_index));
    Eigen::MatrixXd a = j.transpose() * j;
    Eigen::VectorXd g = j.transpose() * r;
    double mu = 1e-3 * std::max(a.diagonal().maxCoeff(), 1e-12);
    double nu = 2.0;
    const Eigen::MatrixXd identity = Eigen::MatrixXd::Identity(pb.n, pb.n);
    for (std::size_t iter = 0; iter < o.max_iterations; ++iter) {
        if (q <= o.q_tolerance || g.cwiseAbs().maxCoeff() <= o.gradient_tolerance) break;
        const Eigen::VectorXd step = (a + mu * identity).ldlt().solve(-g);
        if (!step.allFinite() || step.norm() <= o.step_tolerance * (1.0 + x.norm())) break;
        const Eigen::VectorXd x_new = x + step;
        const Eigen::VectorXd r_new = pb.residual(x_new);
        const double q_new = r_new.allFinite() ? 0.5 * r_new.squaredNorm() : HUGE_VAL;
        const double predicted = 0.5 * step.dot(mu * step - g);
        const double rho = predicted > 0.0 ? (q - q_new) / predicted : -1.0;
        if (q_new < q && rho > 0.0) {
            x = x_new;
            r = r_new;
            q = q_new;
            j = pb.jacobian_of_residual(x);
            a = j.transpose() * j;
            g = j.transpose() * r;
            const double t = 2.0 * rho - 1.0;
            mu *= std::max(1.0 / 3.0, 1.0 - t * t * t);
            nu = 2.0;
        } else {
            mu *= nu;
            nu *= 2.0;
            if (!(mu < 1e300)) break;
        }
    }
    return {x, q};
}

}  // namespace

std::vector<FixedPoint> find_fixed_points(const VectorField& f, const VectorFieldJacobian& jacobian,
                                          std::span<const double> initial_points, std::size_t n_dims,
                                          const FixedPointOptions& options) {
    if (!f) throw ValueError("f: no function given");
    if (!jacobian) throw ValueError("jacobian: no function given");
    if (n_dims == 0) throw ValueError("n_dims must be >= 1");
    if (initial_points.empty() || initial_points.size() % n_dims != 0)
        throw ValueError("initial_points: size " + std::to_string(initial_points.size()) +
                         " is not a positive multiple of n_dims = " + std::to_string(n_dims));
    for (const double v : initial_points)
        if (!std::isfinite(v)) throw ValueError("initial_points must be finite (NaN or inf found)");
    if (options.max_iterations == 0) throw ValueError("options.max_iterations must be >= 1");
    if (!(options.merge_distance >= 0.0)) throw ValueError("options.merge_distance must be >= 0");
    const Problem pb{f, jacobian, options.kind, static_cast<Eigen::Index>(n_dims)};
    const std::size_t n_initial = initial_points.size() / n_dims;
    std::vector<Minimum> minima;
    minima.reserve(n_initial);
    for (std::size_t s = 0; s < n_initial; ++s) {
        const Eigen::VectorXd x0 = Eigen::Map<const Eigen::VectorXd>(initial_points.data() + s * n_dims, pb.n);
        Minimum m = minimise(pb, x0, options, s);
        if (m.q <= options.max_q) minima.push_back(std::move(m));
    }
    std::stable_sort(minima.begin(), minima.end(), [](const Minimum& a, const Minimum& b) { return a.q < b.q; });
    std::vector<FixedPoint> out;
    std::vector<Eigen::VectorXd> kept;
    for (const Minimum& m : minima) {
        bool merged = false;
        for (std::size_t k = 0; k < kept.size(); ++k) {
            if ((m.x - kept[k]).norm() <= options.merge_distance * (1.0 + kept[k].norm())) {
                ++out[k].count;
                merged = true;
                break;
            }
        }
        if (merged) continue;
        kept.push_back(m.x);
        FixedPoint p;
        p.x.assign(m.x.data(), m.x.data() + m.x.size());
        p.q = m.q;
        p.is_fixed_point = m.q <= options.fixed_point_q;
        p.count = 1;
        const Eigen::EigenSolver<Eigen::MatrixXd> eig(pb.jacobian_of_f(m.x), false);
        const Eigen::VectorXcd ev = eig.eigenvalues();
        p.eigenvalues.assign(ev.data(), ev.data() + ev.size());
        if (options.kind == DynamicsKind::map)
            std::stable_sort(p.eigenvalues.begin(), p.eigenvalues.end(),
                             [](const auto& a, const auto& b) { return std::abs(a) > std::abs(b); });
        else
            std::stable_sort(p.eigenvalues.begin(), p.eigenvalues.end(),
                             [](const auto& a, const auto& b) { return a.real() > b.real(); });
        out.push_back(std::move(p));
    }
    return out;
}

std::vector<FixedPoint> find_rate_network_fixed_points(std::span<const double> weights, std::span<const double> bias,
                                                       std::size_t n, std::span<const double> initial_points,
                                                       const FixedPointOptions& options) {
    const auto w = detail::as_matrix(weights, n, n, "weights");
    if (!bias.empty() && bias.size() != n)
        throw ValueError("bias: size " + std::to_string(bias.size()) + " != n = " + std::to_string(n) + " (or empty)");
    Eigen::VectorXd b = Eigen::VectorXd::Zero(static_cast<Eigen::Index>(n));
    for (std::size_t i = 0; i < bias.size(); ++i) {
        if (!std::isfinite(bias[i])) throw ValueError("bias must be finite (NaN or inf found)");
        b(static_cast<Eigen::Index>(i)) = bias[i];
    }
    const bool flow = options.kind == DynamicsKind::flow;
    const auto ni = static_cast<Eigen::Index>(n);
    // F(x) = tanh(W x + b) (map) or -x + tanh(W x + b) (flow);
    // dF/dx = diag(1 - tanh^2) W (minus I for the flow).
    VectorField f = [&](std::span<const double> x, std::span<double> out) {
        const Eigen::Map<const Eigen::VectorXd> xv(x.data(), ni);
        Eigen::Map<Eigen::VectorXd> ov(out.data(), ni);
        ov = (w * xv + b).array().tanh().matrix();
        if (flow) ov -= xv;
    };
    VectorFieldJacobian jac = [&](std::span<const double> x, std::span<double> out) {
        const Eigen::Map<const Eigen::VectorXd> xv(x.data(), ni);
        const Eigen::ArrayXd t = (w * xv + b).array().tanh();
        Eigen::Map<detail::RowMatrix> j(out.data(), ni, ni);
        j = (1.0 - t.square()).matrix().asDiagonal() * w;
        if (flow) j.diagonal().array() -= 1.0;
    };
    return find_fixed_points(f, jac, initial_points, n, options);
}

}  // namespace neurodyn::analysis
