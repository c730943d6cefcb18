// Rate reservoirs, spectral radius, and states from spikes (include/neurodyn/learn/reservoir.hpp).
#include "neurodyn/learn/reservoir.hpp"

#include <Eigen/Dense>

#include <algorithm>
#include <cmath>
#include <complex>
#include <numeric>

#include "neurodyn/core/error.hpp"
#include "neurodyn/core/strings.hpp"
#include "neurodyn/core/random.hpp"

namespace neurodyn::learn {

namespace {


[[noreturn]] void fail(const std::string& where, const std::string& argument, const std::string& what) {
    throw ValueError(where + ": " + argument + " " + what, argument);
}

void check_size(const char* where, const char* argument, std::size_t size, std::size_t expected,
                const std::string& shape) {
    if (size != expected)
        fail(where, argument,
             "must hold " + shape + " = " + std::to_string(expected) + " values, got " + std::to_string(size));
}

void check_finite(const char* where, const char* argument, std::span<const double> values) {
    for (double v : values)
        if (!std::isfinite(v)) fail(where, argument, "must be finite, got " + format_number(v));
}

// Random streams of the learn layer: their own domain tags (above core's RandomPurpose
// values), so a reservoir seeded like a network draws numbers unrelated to it.
constexpr std::uint32_t kReservoirMatrixDomain = 0x52u << 24;
constexpr std::uint32_t kArnoldiStartDomain = (0x52u << 24) | 1u;

}  // namespace

// --- CsrMatrix ---------------------------------------------------------------------------

void CsrMatrix::multiply(std::span<const double> x, std::span<double> y) const {
    check_size("CsrMatrix::multiply", "x", x.size(), columns, "columns");
    check_size("CsrMatrix::multiply", "y", y.size(), rows, "rows");
    for (std::size_t i = 0; i < rows; ++i) {
        double sum = 0.0;
        for (std::size_t k = row_start[i]; k < row_start[i + 1]; ++k) sum += value[k] * x[column[k]];
        y[i] = sum;
    }
}

void CsrMatrix::scale(double factor) {
    for (double& v : value) v *= factor;
}

std::vector<double> CsrMatrix::to_dense() const {
    std::vector<double> dense(rows * columns, 0.0);
    for (std::size_t i = 0; i < rows; ++i)
        for (std::size_t k = row_start[i]; k < row_start[i + 1]; ++k) dense[i * columns + column[k]] = value[k];
    return dense;
}

CsrMatrix CsrMatrix::from_triplets(std::size_t rows, std::size_t columns, std::span<const std::int64_t> row,
                                   std::span<const std::int64_t> column, std::span<const double> value) {
    const char* where = "sparse matrix";
    if (column.size() != row.size()) fail(where, "column", "must have one entry per row index (" +
                                                               std::to_string(row.size()) + "), got " +
                                                               std::to_string(column.size()));
    if (value.size() != row.size()) fail(where, "value", "must have one entry per row index (" +
                                                             std::to_string(row.size()) + "), got " +
                                                             std::to_string(value.size()));
    if (columns > std::size_t{0xFFFFFFFFu}) fail(where, "columns", "must fit in 32 bits, got " + std::to_string(columns));
    check_finite(where, "value", value);
    for (std::size_t k = 0; k < row.size(); ++k) {
        if (row[k] < 0 || static_cast<std::size_t>(row[k]) >= rows)
            fail(where, "row", "indices must be in [0, " + std::to_string(rows) + "), got " + std::to_string(row[k]));
        if (column[k] < 0 || static_cast<std::size_t>(column[k]) >= columns)
            fail(where, "column",
                 "indices must be in [0, " + std::to_string(columns) + "), got " + std::to_string(column[k]));
    }
    std::vector<std::size_t> order(row.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    // Stable: repeated pairs are summed in the order given, so the sum is reproducible.
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        return row[a] != row[b] ? row[a] < row[b] : column[a] < column[b];
    });
    CsrMatrix matrix;
    matrix.rows = rows;
    matrix.columns = columns;
    matrix.row_start.assign(rows + 1, 0);
    for (std::size_t k = 0; k < order.size(); ++k) {
        const std::size_t e = order[k];
        const bool repeat = k > 0 && row[order[k - 1]] == row[e] && column[order[k - 1]] == column[e];
        if (repeat) {
            matrix.value.back() += value[e];
            continue;
        }
        matrix.column.push_back(static_cast<std::uint32_t>(column[e]));
        matrix.value.push_back(value[e]);
        ++matrix.row_start[static_cast<std::size_t>(row[e]) + 1];
    }
    for (std::size_t i = 0; i < rows; ++i) matrix.row_start[i + 1] += matrix.row_start[i];
    return matrix;
}

CsrMatrix random_sparse(std::size_t rows, std::size_t columns, std::size_t per_row, WeightDistribution distribution,
                        std::uint64_t seed, bool allow_diagonal) {
    const char* where = "random sparse matrix";
    if (rows == 0) fail(where, "rows", "must be >= 1, got 0");
    if (columns == 0) fail(where, "columns", "must be >= 1, got 0");
    if (rows > std::size_t{0xFFFFFFFFu} || columns > std::size_t{0xFFFFFFFFu})
        fail(where, "rows", "and columns must fit in 32 bits");
    // Without the diagonal, a row of a square matrix has one candidate column fewer.
    const bool skip_diagonal = !allow_diagonal && rows == columns;
    const std::size_t candidates = columns - (skip_diagonal ? 1 : 0);
    if (per_row > candidates)
        fail(where, "per_row", "must be <= " + std::to_string(candidates) + " (the columns a row can use" +
                                   std::string(skip_diagonal ? " without its diagonal" : "") + "), got " +
                                   std::to_string(per_row));
    CsrMatrix matrix;
    matrix.rows = rows;
    matrix.columns = columns;
    matrix.row_start.resize(rows + 1);
    matrix.column.reserve(rows * per_row);
    matrix.value.reserve(rows * per_row);
    std::vector<std::uint8_t> taken(candidates, 0);
    std::vector<std::uint32_t> chosen;
    chosen.reserve(per_row);
    matrix.row_start[0] = 0;
    for (std::size_t i = 0; i < rows; ++i) {
        RandomStream stream(seed, kReservoirMatrixDomain, static_cast<std::uint32_t>(i));
        // Floyd's algorithm: per_row distinct candidates out of `candidates`, O(per_row).
        chosen.clear();
        for (std::size_t j = candidates - per_row; j < candidates; ++j) {
            auto t = static_cast<std::uint32_t>(stream.below(j + 1));
            if (taken[t]) t = static_cast<std::uint32_t>(j);
            taken[t] = 1;
            chosen.push_back(t);
        }
        for (std::uint32_t c : chosen) taken[c] = 0;
        std::sort(chosen.begin(), chosen.end());
        for (std::uint32_t c : chosen) {
            const std::uint32_t col = (skip_diagonal && c >= i) ? c + 1 : c;
            matrix.column.push_back(col);
            matrix.value.push_back(distribution == WeightDistribution::normal ? stream.normal()
                                                                              : stream.uniform(-1.0, 1.0));
        }
        matrix.row_start[i + 1] = matrix.column.size();
    }
    return matrix;
}

// --- spectral radius -----------------------------------------------------------------------

namespace {
void check_square(const CsrMatrix& matrix, const char* where) {
    if (matrix.rows != matrix.columns)
        fail(where, "matrix", "must be square, got " + std::to_string(matrix.rows) + " x " +
                                  std::to_string(matrix.columns));
    if (matrix.rows == 0) fail(where, "matrix", "must have at least one row");
}
}  // namespace

SpectralRadius spectral_radius_dense(const CsrMatrix& matrix) {
    check_square(matrix, "spectral radius");
    const auto n = static_cast<Eigen::Index>(matrix.rows);
    const std::vector<double> dense = matrix.to_dense();
    const Eigen::Map<const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>> a(dense.data(), n, n);
    Eigen::EigenSolver<Eigen::MatrixXd> solver(a, /*computeEigenvectors=*/false);
    if (solver.info() != Eigen::Success) throw InternalError("spectral radius: the eigenvalue iteration did not converge");
    SpectralRadius result;
    result.value = solver.eigenvalues().cwiseAbs().maxCoeff();
    return result;
}

SpectralRadius spectral_radius_arnoldi(const CsrMatrix& matrix, std::size_t krylov_dimension, double tolerance,
                                       std::size_t max_restarts, std::uint64_t seed) {
    check_square(matrix, "spectral radius");
    if (krylov_dimension < 2) fail("spectral radius", "krylov_dimension", "must be >= 2, got " + std::to_string(krylov_dimension));
    if (!(tolerance > 0.0)) fail("spectral radius", "tolerance", "must be > 0, got " + format_number(tolerance));
    const auto n = static_cast<Eigen::Index>(matrix.rows);
    const auto m = static_cast<Eigen::Index>(std::min<std::size_t>(krylov_dimension, matrix.rows));
    SpectralRadius result;
    result.converged = false;
    if (matrix.nonzeros() == 0) {
        result.converged = true;
        return result;
    }
    Eigen::VectorXd start(n);
    RandomStream stream(seed, kArnoldiStartDomain, 0);
    for (Eigen::Index i = 0; i < n; ++i) start[i] = stream.normal();
    Eigen::MatrixXd basis(n, m + 1);
    Eigen::MatrixXd hessenberg(m + 1, m);
    Eigen::VectorXd w(n);
    for (std::size_t restart = 0; restart <= max_restarts; ++restart) {
        result.iterations = restart;
        basis.setZero();
        hessenberg.setZero();
        basis.col(0) = start / start.norm();
        Eigen::Index size = m;
        bool invariant = false;
        for (Eigen::Index j = 0; j < m; ++j) {
            matrix.multiply({basis.col(j).data(), matrix.rows}, {w.data(), matrix.rows});
            // Gram-Schmidt twice ("twice is enough", Giraud et al. 2005): keeps the basis
            // orthogonal to rounding even when w nearly lies in the Krylov space.
            for (int pass = 0; pass < 2; ++pass)
                for (Eigen::Index i = 0; i <= j; ++i) {
                    const double h = basis.col(i).dot(w);
                    hessenberg(i, j) += h;
                    w -= h * basis.col(i);
                }
            const double norm = w.norm();
            hessenberg(j + 1, j) = norm;
            if (norm <= 1e-12 * hessenberg.col(j).norm()) {  // an invariant subspace: exact eigenvalues
                size = j + 1;
                invariant = true;
                break;
            }
            basis.col(j + 1) = w / norm;
        }
        Eigen::EigenSolver<Eigen::MatrixXd> solver(hessenberg.topLeftCorner(size, size), true);
        if (solver.info() != Eigen::Success) throw InternalError("spectral radius: Arnoldi's Hessenberg eigenproblem failed");
        Eigen::Index lead = 0;
        solver.eigenvalues().cwiseAbs().maxCoeff(&lead);
        const std::complex<double> lambda = solver.eigenvalues()[lead];
        Eigen::VectorXcd y = solver.eigenvectors().col(lead);
        y /= y.norm();
        result.value = std::abs(lambda);
        // ||A V y - lambda V y|| = h(size, size-1) |y_last| for a Ritz pair.
        const double residual = invariant ? 0.0 : hessenberg(size, size - 1) * std::abs(y[size - 1]);
        result.residual = result.value > 0.0 ? residual / result.value : residual;
        if (invariant || result.residual < tolerance) {
            result.converged = true;
            return result;
        }
        // Restart from the leading Ritz vector; for a complex pair, Re + Im spans both.
        const Eigen::VectorXcd ritz = basis.leftCols(size).cast<std::complex<double>>() * y;
        start = ritz.real() + ritz.imag();
    }
    return result;
}

// --- transfer functions -------------------------------------------------------------------------

Transfer transfer_from_name(std::string_view name) {
    if (name == "tanh") return Transfer::tanh;
    if (name == "sigmoid") return Transfer::sigmoid;
    if (name == "relu") return Transfer::relu;
    if (name == "linear") return Transfer::linear;
    throw KeyError("reservoir: unknown transfer '" + std::string(name) + "' (choices: tanh, sigmoid, relu, linear)",
                   "transfer");
}

std::string_view transfer_name(Transfer transfer) {
    switch (transfer) {
        case Transfer::tanh: return "tanh";
        case Transfer::sigmoid: return "sigmoid";
        case Transfer::relu: return "relu";
        case Transfer::linear: return "linear";
    }
    return "?";
}

// --- RateReservoir ----------------------------------------------------------------------------

RateReservoir::RateReservoir(CsrMatrix recurrent, std::vector<double> input_weights, std::size_t inputs,
                             std::vector<double> bias, double leak, Transfer transfer, double gain,
                             std::vector<double> feedback_weights, std::size_t feedbacks, CsrMatrix inhibitory)
    : units_(recurrent.rows), inputs_(inputs), feedbacks_(feedbacks), recurrent_(std::move(recurrent)),
      inhibitory_(std::move(inhibitory)), input_weights_(std::move(input_weights)), bias_(std::move(bias)),
      feedback_weights_(std::move(feedback_weights)), leak_(leak), gain_(gain), transfer_(transfer) {
    const char* where = "reservoir";
    if (units_ == 0) fail(where, "recurrent", "must have at least one row (unit)");
    if (recurrent_.columns != units_)
        fail(where, "recurrent", "must be square (units x units), got " + std::to_string(recurrent_.rows) + " x " +
                                     std::to_string(recurrent_.columns));
    check_finite(where, "recurrent", recurrent_.value);
    if (!(leak > 0.0 && leak <= 1.0)) fail(where, "leak", "must be in (0, 1], got " + format_number(leak));
    if (!std::isfinite(gain)) fail(where, "gain", "must be finite, got " + format_number(gain));
    check_size(where, "input_weights", input_weights_.size(), units_ * inputs_, "units x inputs");
    check_finite(where, "input_weights", input_weights_);
    check_size(where, "bias", bias_.size(), units_, "units");
    check_finite(where, "bias", bias_);
    check_size(where, "feedback_weights", feedback_weights_.size(), units_ * feedbacks_, "units x feedbacks");
    check_finite(where, "feedback_weights", feedback_weights_);
    if (inhibitory_.rows == 0) {
        inhibitory_.rows = inhibitory_.columns = units_;
        inhibitory_.row_start.assign(units_ + 1, 0);
    }
    if (inhibitory_.rows != units_ || inhibitory_.columns != units_)
        fail(where, "inhibitory", "must be units x units = " + std::to_string(units_) + " x " + std::to_string(units_) +
                                      ", got " + std::to_string(inhibitory_.rows) + " x " +
                                      std::to_string(inhibitory_.columns));
    check_finite(where, "inhibitory", inhibitory_.value);
    inhibitory_gain_.assign(units_, 1.0);
    x_.assign(units_, 0.0);
    r_.assign(units_, 0.0);
    drive_.assign(units_, 0.0);
    inhibition_.assign(units_, 0.0);
    apply_transfer();
}

void RateReservoir::apply_transfer() {
    const std::size_t n = units_;
    const double g = gain_;
    double* __restrict r = r_.data();
    const double* __restrict x = x_.data();
    switch (transfer_) {
        case Transfer::tanh:
            for (std::size_t i = 0; i < n; ++i) r[i] = std::tanh(g * x[i]);
            break;
        case Transfer::sigmoid:
            for (std::size_t i = 0; i < n; ++i) r[i] = 1.0 / (1.0 + std::exp(-g * x[i]));
            break;
        case Transfer::relu:
            for (std::size_t i = 0; i < n; ++i) r[i] = std::max(0.0, g * x[i]);
            break;
        case Transfer::linear:
            for (std::size_t i = 0; i < n; ++i) r[i] = g * x[i];
            break;
    }
}

void RateReservoir::set_x(std::span<const double> x) {
    check_size("reservoir", "x", x.size(), units_, "units");
    check_finite("reservoir", "x", x);
    x_.assign(x.begin(), x.end());
    apply_transfer();
}

void RateReservoir::set_inhibitory_gain(std::span<const double> gain) {
    check_size("reservoir", "inhibitory_gain", gain.size(), units_, "units");
    for (double g : gain)
        if (!(g >= 0.0) || !std::isfinite(g))
            fail("reservoir", "inhibitory_gain", "must be finite and >= 0, got " + format_number(g));
    inhibitory_gain_.assign(gain.begin(), gain.end());
}

CsrMatrix RateReservoir::effective_recurrent() const {
    std::vector<std::int64_t> rows, columns;
    std::vector<double> values;
    for (const CsrMatrix* m : {&recurrent_, &inhibitory_})
        for (std::size_t i = 0; i < units_; ++i)
            for (std::size_t k = m->row_start[i]; k < m->row_start[i + 1]; ++k) {
                rows.push_back(static_cast<std::int64_t>(i));
                columns.push_back(m->column[k]);
                values.push_back(m == &inhibitory_ ? inhibitory_gain_[i] * m->value[k] : m->value[k]);
            }
    return CsrMatrix::from_triplets(units_, units_, rows, columns, values);
}

void RateReservoir::step(const double* input, const double* feedback) {
    // Recurrent input from r[n-1] (every connection has one step of delay).
    recurrent_.multiply(r_, drive_);
    if (inhibitory_.nonzeros() > 0) {
        inhibitory_.multiply(r_, inhibition_);
        for (std::size_t i = 0; i < units_; ++i) drive_[i] += inhibitory_gain_[i] * inhibition_[i];
    }
    for (std::size_t i = 0; i < units_; ++i) {
        const double* w_in = input_weights_.data() + i * inputs_;
        double sum = bias_[i];
        for (std::size_t j = 0; j < inputs_; ++j) sum += w_in[j] * input[j];
        if (feedback != nullptr) {
            const double* w_fb = feedback_weights_.data() + i * feedbacks_;
            for (std::size_t j = 0; j < feedbacks_; ++j) sum += w_fb[j] * feedback[j];
        }
        drive_[i] += sum;
    }
    // x <- (1 - a) x + a drive: LeakyRate's exact step for an input held over the step.
    const double keep = 1.0 - leak_;
    for (std::size_t i = 0; i < units_; ++i) x_[i] = keep * x_[i] + leak_ * drive_[i];
    apply_transfer();
}

namespace {
void check_run_input(std::span<const double> input, std::size_t steps, std::size_t inputs) {
    check_size("reservoir", "input", input.size(), steps * inputs, "steps x inputs");
    check_finite("reservoir", "input", input);
}
}  // namespace

std::vector<double> RateReservoir::run(std::span<const double> input, std::size_t steps,
                                       std::span<const double> feedback) {
    check_run_input(input, steps, inputs_);
    if (!feedback.empty()) {
        check_size("reservoir", "feedback", feedback.size(), steps * feedbacks_, "steps x feedbacks");
        check_finite("reservoir", "feedback", feedback);
    }
    std::vector<double> states(steps * units_);
    for (std::size_t n = 0; n < steps; ++n) {
        step(input.data() + n * inputs_, feedback.empty() ? nullptr : feedback.data() + n * feedbacks_);
        std::copy(r_.begin(), r_.end(), states.begin() + static_cast<std::ptrdiff_t>(n * units_));
    }
    return states;
}

std::vector<double> RateReservoir::run_force(std::span<const double> input, std::size_t steps,
                                             RecursiveLeastSquares& rls, std::span<const double> target,
                                             std::size_t update_every) {
    check_run_input(input, steps, inputs_);
    const std::size_t outputs = rls.outputs();
    if (rls.inputs() != units_)
        fail("FORCE", "readout", "must read the " + std::to_string(units_) + " units, but it has " +
                                     std::to_string(rls.inputs()) + " inputs");
    if (outputs != feedbacks_)
        fail("FORCE", "feedback_weights", "must feed back the readout's " + std::to_string(outputs) +
                                              " outputs, but the reservoir has " + std::to_string(feedbacks_) +
                                              " feedback inputs");
    if (update_every == 0) fail("FORCE", "update_every", "must be >= 1, got 0");
    if (!target.empty()) {
        check_size("FORCE", "target", target.size(), steps * outputs, "steps x outputs");
        check_finite("FORCE", "target", target);
    }
    std::vector<double> z(outputs, 0.0);
    rls.predict(r_, z);  // the readout of the state before the first step
    std::vector<double> result(steps * outputs);
    for (std::size_t n = 0; n < steps; ++n) {
        step(input.data() + n * inputs_, z.data());
        if (!target.empty() && (n + 1) % update_every == 0) rls.update(r_, target.subspan(n * outputs, outputs));
        rls.predict(r_, z);
        std::copy(z.begin(), z.end(), result.begin() + static_cast<std::ptrdiff_t>(n * outputs));
    }
    return result;
}

std::vector<double> RateReservoir::adapt_inhibition(std::span<const double> input, std::size_t steps,
                                                    std::span<const double> target_rate, double learning_rate) {
    check_run_input(input, steps, inputs_);
    check_size("E/I adaptation", "target_rate", target_rate.size(), units_, "units");
    check_finite("E/I adaptation", "target_rate", target_rate);
    if (!(learning_rate > 0.0) || !std::isfinite(learning_rate))
        fail("E/I adaptation", "learning_rate", "must be finite and > 0, got " + format_number(learning_rate));
    if (inhibitory_.nonzeros() == 0)
        fail("E/I adaptation", "inhibitory", "connections are needed (a reservoir with inhibitory units), got none");
    std::vector<double> deviation(steps);
    for (std::size_t n = 0; n < steps; ++n) {
        step(input.data() + n * inputs_, nullptr);
        double total = 0.0;
        for (std::size_t i = 0; i < units_; ++i) {
            const double error = r_[i] - target_rate[i];
            inhibitory_gain_[i] = std::max(0.0, inhibitory_gain_[i] + learning_rate * error);
            total += std::abs(error);
        }
        deviation[n] = total / static_cast<double>(units_);
    }
    return deviation;
}

// --- states from spikes ---------------------------------------------------------------------

namespace {
void check_spikes(const char* where, std::span<const double> times, std::span<const std::int64_t> ids,
                  std::size_t neurons) {
    if (ids.size() != times.size())
        fail(where, "ids", "must have one entry per spike time (" + std::to_string(times.size()) + "), got " +
                               std::to_string(ids.size()));
    for (std::size_t k = 0; k < times.size(); ++k) {
        if (!std::isfinite(times[k])) fail(where, "times", "must be finite, got " + format_number(times[k]));
        if (k > 0 && times[k] < times[k - 1])
            fail(where, "times", "must be non-decreasing (as recorded), got " + format_number(times[k]) + " after " +
                                     format_number(times[k - 1]));
        if (ids[k] < 0 || static_cast<std::size_t>(ids[k]) >= neurons)
            fail(where, "ids", "must be in [0, " + std::to_string(neurons) + "), got " + std::to_string(ids[k]));
    }
}
}  // namespace

std::vector<double> filtered_spike_traces(std::span<const double> times_ms, std::span<const std::int64_t> ids,
                                          std::size_t neurons, double tau_ms, std::span<const double> sample_times_ms) {
    const char* where = "spike traces";
    check_spikes(where, times_ms, ids, neurons);
    if (!(tau_ms > 0.0) || !std::isfinite(tau_ms)) fail(where, "tau", "must be finite and > 0 ms, got " + format_number(tau_ms));
    for (std::size_t s = 0; s < sample_times_ms.size(); ++s) {
        if (!std::isfinite(sample_times_ms[s])) fail(where, "sample_times", "must be finite, got " + format_number(sample_times_ms[s]));
        if (s > 0 && sample_times_ms[s] < sample_times_ms[s - 1])
            fail(where, "sample_times", "must be non-decreasing, got " + format_number(sample_times_ms[s]) + " after " +
                                            format_number(sample_times_ms[s - 1]));
    }
    // Each neuron's trace is kept as (value at its last spike, time of that spike) and
    // decayed to a sample time only when read: O(spikes + samples x neurons).
    std::vector<double> trace(neurons, 0.0), last(neurons, 0.0);
    std::vector<double> states(sample_times_ms.size() * neurons);
    std::size_t k = 0;
    for (std::size_t s = 0; s < sample_times_ms.size(); ++s) {
        const double now = sample_times_ms[s];
        for (; k < times_ms.size() && times_ms[k] <= now; ++k) {
            const auto i = static_cast<std::size_t>(ids[k]);
            trace[i] = trace[i] * std::exp(-(times_ms[k] - last[i]) / tau_ms) + 1.0;
            last[i] = times_ms[k];
        }
        double* row = states.data() + s * neurons;
        for (std::size_t i = 0; i < neurons; ++i) row[i] = trace[i] * std::exp(-(now - last[i]) / tau_ms);
    }
    return states;
}

std::vector<double> windowed_spike_counts(std::span<const double> times_ms, std::span<const std::int64_t> ids,
                                          std::size_t neurons, std::span<const double> window_start_ms,
                                          std::span<const double> window_end_ms) {
    const char* where = "spike counts";
    check_spikes(where, times_ms, ids, neurons);
    if (window_end_ms.size() != window_start_ms.size())
        fail(where, "window_end", "must have one entry per window start (" + std::to_string(window_start_ms.size()) +
                                      "), got " + std::to_string(window_end_ms.size()));
    std::vector<double> counts(window_start_ms.size() * neurons, 0.0);
    for (std::size_t w = 0; w < window_start_ms.size(); ++w) {
        const double start = window_start_ms[w], end = window_end_ms[w];
        if (!(end >= start)) fail(where, "window_end", "must be >= its start, got [" + format_number(start) + ", " + format_number(end) + ")");
        const auto first = std::lower_bound(times_ms.begin(), times_ms.end(), start) - times_ms.begin();
        const auto stop = std::lower_bound(times_ms.begin(), times_ms.end(), end) - times_ms.begin();
        double* row = counts.data() + w * neurons;
        for (auto k = first; k < stop; ++k) row[ids[static_cast<std::size_t>(k)]] += 1.0;
    }
    return counts;
}

}  // namespace neurodyn::learn
