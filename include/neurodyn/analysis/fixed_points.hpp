#pragma once
// Fixed points and slow points of rate networks, the method used to reverse-engineer
// trained recurrent networks (Sussillo & Barak 2013, Neural Comput 25:626).
//
// For a map x -> F(x) the residual is r(x) = F(x) - x, for a flow dx/dt = F(x) it is
// r(x) = F(x); the "speed" q(x) = 1/2 ||r(x)||^2 is minimised from many initial points
// by Levenberg–Marquardt (Levenberg 1944; Marquardt 1963; damping updated as in Nielsen
// 1999). Minima with q = 0 are fixed points; minima with small q > 0 are slow points
// (e.g. the ghost of a saddle-node). At each point the eigenvalues of the Jacobian of F
// are returned: a fixed point of a map is stable when all |lambda| < 1, of a flow when
// all Re lambda < 0.

#include <complex>
#include <cstddef>
#include <functional>
#include <span>
#include <vector>

namespace neurodyn::analysis {

enum class DynamicsKind { map, flow };

// F: writes F(x) into `out` (both of length n_dims).
using VectorField = std::function<void(std::span<const double> x, std::span<double> out)>;
// Jacobian of F: writes dF_i/dx_j into `out[i * n_dims + j]`.
using VectorFieldJacobian = std::function<void(std::span<const double> x, std::span<double> out)>;

struct FixedPointOptions {
    DynamicsKind kind = DynamicsKind::map;
    std::size_t max_iterations = 500;    // Levenberg–Marquardt iterations per initial point
    double q_tolerance = 1e-20;          // stop when q <= this (a fixed point)
    double gradient_tolerance = 1e-12;   // stop when max |grad q| <= this (a slow point)
    double step_tolerance = 1e-14;       // stop when ||dx|| <= this (1 + ||x||)
    double max_q = 1e300;                // keep only minima with q <= max_q
    double fixed_point_q = 1e-16;        // points with q <= this are flagged as fixed points
    double merge_distance = 1e-6;        // points closer than this (1 + ||x||) are one point
};

struct FixedPoint {
    std::vector<double> x;
    double q = 0.0;
    bool is_fixed_point = false;  // q <= options.fixed_point_q
    std::size_t count = 0;        // initial points that ended here
    // Eigenvalues of the Jacobian of F at x, sorted by descending |lambda| (map) or by
    // descending real part (flow).
    std::vector<std::complex<double>> eigenvalues;
};

// Minimises q from each row of `initial_points` ([n_initial][n_dims]), drops minima with
// q > max_q, merges duplicates (keeping the lowest q) and returns them sorted by q.
std::vector<FixedPoint> find_fixed_points(const VectorField& f, const VectorFieldJacobian& jacobian,
                                          std::span<const double> initial_points, std::size_t n_dims,
                                          const FixedPointOptions& options = {});

// The same for the rate network F(x) = tanh(W x + b) (W row-major n x n), as a map
// (x -> F(x)) or as the flow dx/dt = -x + F(x) (options.kind), with its exact Jacobian.
// Data in, data out: usable from Python without callbacks.
std::vector<FixedPoint> find_rate_network_fixed_points(std::span<const double> weights, std::span<const double> bias,
                                                       std::size_t n, std::span<const double> initial_points,
                                                       const FixedPointOptions& options = {});

}  // namespace neurodyn::analysis
