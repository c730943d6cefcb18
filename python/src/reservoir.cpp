// neurodyn._core.reservoir: the learn layer's reservoir computing (ridge readouts, RLS
// and FORCE, the rate-reservoir stepper, spectral radius, states from spikes) for
// Python.
//
// Thin bindings in the style of analysis.cpp: NumPy arrays in (float64 / int64, C order;
// other arrays are converted once by forcecast), NumPy arrays out, heavy loops with the
// GIL released. neurodyn::ValueError becomes neurodyn.NeurodynValueError through the
// module's exception translator (core.cpp). The Pythonic front end is
// python/neurodyn/reservoir.py (docs/computing.md).

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "numpy_arrays.hpp"
#include "neurodyn/core/error.hpp"
#include "neurodyn/learn/force.hpp"
#include "neurodyn/learn/reservoir.hpp"
#include "neurodyn/learn/ridge.hpp"

namespace py = pybind11;
using namespace neurodyn;
using namespace neurodyn::learn;

namespace {

using Doubles = py::array_t<double, py::array::c_style | py::array::forcecast>;
using Int64s = py::array_t<std::int64_t, py::array::c_style | py::array::forcecast>;

std::span<const double> span_of(const Doubles& a) { return {a.data(), static_cast<std::size_t>(a.size())}; }
std::span<const std::int64_t> span_of(const Int64s& a) { return {a.data(), static_cast<std::size_t>(a.size())}; }

using neurodyn::bindings::to_numpy;

struct Matrix {
    std::span<const double> data;
    std::size_t rows = 0, columns = 0;
};
Matrix matrix_of(const Doubles& a, const std::string& where, const std::string& argument) {
    if (a.ndim() != 2)
        throw ValueError(where + ": " + argument + " must be a 2-D array, got " + std::to_string(a.ndim()) +
                             " dimensions",
                         argument);
    return {span_of(a), static_cast<std::size_t>(a.shape(0)), static_cast<std::size_t>(a.shape(1))};
}

CsrMatrix csr_of(std::size_t n, const Int64s& rows, const Int64s& columns, const Doubles& values) {
    return CsrMatrix::from_triplets(n, n, span_of(rows), span_of(columns), span_of(values));
}

py::tuple triplets(const CsrMatrix& m) {
    std::vector<std::int64_t> rows, columns;
    rows.reserve(m.nonzeros());
    for (std::size_t i = 0; i < m.rows; ++i)
        for (std::size_t k = m.row_start[i]; k < m.row_start[i + 1]; ++k) rows.push_back(static_cast<std::int64_t>(i));
    columns.assign(m.column.begin(), m.column.end());
    std::vector<double> values = m.value;
    return py::make_tuple(to_numpy(std::move(rows)), to_numpy(std::move(columns)), to_numpy(std::move(values)));
}

py::array_t<double> rows_of(std::vector<double>&& values, std::size_t rows, std::size_t columns) {
    return to_numpy(std::move(values), {static_cast<py::ssize_t>(rows), static_cast<py::ssize_t>(columns)});
}

py::dict fit_dict(RidgeFit&& fit) {
    py::dict d;
    const std::size_t p = fit.features, q = fit.outputs;
    d["weights"] = rows_of(std::move(fit.weights), p, q);
    d["intercept"] = to_numpy(std::move(fit.intercept));
    d["lambda"] = fit.lambda;
    return d;
}

// Inputs of a reservoir run: steps x inputs (a reservoir without inputs takes an
// array of shape (steps, 0)).
Matrix run_input(const Doubles& input, const RateReservoir& reservoir) {
    const Matrix m = matrix_of(input, "reservoir", "input");
    if (m.columns != reservoir.inputs())
        throw ValueError("reservoir: input must have " + std::to_string(reservoir.inputs()) +
                             " columns (one per input), got " + std::to_string(m.columns),
                         "input");
    return m;
}

}  // namespace

void bind_reservoir(py::module_& parent) {
    py::module_ m = parent.def_submodule("reservoir", "Reservoir computing: echo-state networks, readouts, FORCE.");

    m.def(
        "ridge_fit",
        [](const Doubles& x, const Doubles& y, double lambda, bool fit_intercept) {
            const Matrix xm = matrix_of(x, "ridge", "x"), ym = matrix_of(y, "ridge", "y");
            if (ym.rows != xm.rows)
                throw ValueError("ridge: y must have one row per sample of x (" + std::to_string(xm.rows) + "), got " +
                                     std::to_string(ym.rows),
                                 "y");
            RidgeFit fit;
            {
                py::gil_scoped_release release;
                fit = ridge_fit(xm.data, ym.data, xm.rows, xm.columns, ym.columns, lambda, fit_intercept);
            }
            return fit_dict(std::move(fit));
        },
        py::arg("x"), py::arg("y"), py::arg("lam"), py::arg("fit_intercept") = true,
        "Closed-form ridge regression: {'weights' (features x outputs), 'intercept', 'lambda'}.");

    m.def(
        "ridge_cv",
        [](const Doubles& x, const Doubles& y, const Doubles& lambdas, std::size_t folds, bool fit_intercept) {
            const Matrix xm = matrix_of(x, "ridge", "x"), ym = matrix_of(y, "ridge", "y");
            if (ym.rows != xm.rows)
                throw ValueError("ridge: y must have one row per sample of x (" + std::to_string(xm.rows) + "), got " +
                                     std::to_string(ym.rows),
                                 "y");
            RidgeCrossValidation cv;
            {
                py::gil_scoped_release release;
                cv = ridge_cross_validate(xm.data, ym.data, xm.rows, xm.columns, ym.columns, span_of(lambdas), folds,
                                          fit_intercept);
            }
            py::dict d = fit_dict(std::move(cv.fit));
            d["best_lambda"] = cv.best_lambda;
            d["lambdas"] = to_numpy(std::move(cv.lambdas));
            d["mse"] = to_numpy(std::move(cv.mean_squared_error));
            const std::size_t grid = static_cast<std::size_t>(lambdas.size());
            d["fold_mse"] = rows_of(std::move(cv.fold_mean_squared_error), cv.folds, grid);
            return d;
        },
        py::arg("x"), py::arg("y"), py::arg("lambdas"), py::arg("folds"), py::arg("fit_intercept") = true,
        "k-fold (contiguous) cross-validated ridge over a lambda grid, refitted with the best lambda.");

    py::class_<RecursiveLeastSquares>(m, "RLS", "Recursive least squares (FORCE's rule); P(0) = I / alpha.")
        .def(py::init<std::size_t, std::size_t, double, double>(), py::arg("inputs"), py::arg("outputs"),
             py::arg("alpha"), py::arg("forgetting") = 1.0)
        .def(
            "update",
            [](RecursiveLeastSquares& rls, const Doubles& r, const Doubles& targets) {
                // r: (steps, inputs), targets: (steps, outputs); one update per row.
                const Matrix rm = matrix_of(r, "RLS", "r"), tm = matrix_of(targets, "RLS", "target");
                if (tm.rows != rm.rows)
                    throw ValueError("RLS: target must have one row per row of r (" + std::to_string(rm.rows) +
                                         "), got " + std::to_string(tm.rows),
                                     "target");
                if (rm.columns != rls.inputs())
                    throw ValueError("RLS: r must have " + std::to_string(rls.inputs()) + " columns, got " +
                                         std::to_string(rm.columns),
                                     "r");
                if (tm.columns != rls.outputs())
                    throw ValueError("RLS: target must have " + std::to_string(rls.outputs()) + " columns, got " +
                                         std::to_string(tm.columns),
                                     "target");
                std::vector<double> errors(rm.rows * rls.outputs());
                {
                    py::gil_scoped_release release;
                    for (std::size_t k = 0; k < rm.rows; ++k)
                        rls.update(rm.data.subspan(k * rm.columns, rm.columns), tm.data.subspan(k * tm.columns, tm.columns),
                                   std::span(errors).subspan(k * rls.outputs(), rls.outputs()));
                }
                return rows_of(std::move(errors), rm.rows, rls.outputs());
            },
            py::arg("r"), py::arg("targets"), "One RLS step per row; returns the errors before each update.")
        .def_property(
            "weights",
            [](const RecursiveLeastSquares& rls) {
                std::vector<double> w = rls.weights();
                return rows_of(std::move(w), rls.outputs(), rls.inputs());
            },
            [](RecursiveLeastSquares& rls, const Doubles& w) { rls.set_weights(span_of(w)); })
        .def_property_readonly("inputs", &RecursiveLeastSquares::inputs)
        .def_property_readonly("outputs", &RecursiveLeastSquares::outputs)
        .def_property_readonly("updates", &RecursiveLeastSquares::updates);

    m.def(
        "random_sparse",
        [](std::size_t rows, std::size_t columns, std::size_t per_row, const std::string& distribution,
           std::uint64_t seed, bool allow_diagonal) {
            WeightDistribution d;
            if (distribution == "normal")
                d = WeightDistribution::normal;
            else if (distribution == "uniform")
                d = WeightDistribution::uniform;
            else
                throw KeyError("random sparse matrix: unknown distribution '" + distribution +
                                   "' (choices: normal, uniform)",
                               "distribution");
            CsrMatrix matrix;
            {
                py::gil_scoped_release release;
                matrix = random_sparse(rows, columns, per_row, d, seed, allow_diagonal);
            }
            return triplets(matrix);
        },
        py::arg("rows"), py::arg("columns"), py::arg("per_row"), py::arg("distribution"), py::arg("seed"),
        py::arg("allow_diagonal") = false, "(rows, columns, values) of a random matrix with per_row entries per row.");

    m.def(
        "spectral_radius",
        [](std::size_t n, const Int64s& rows, const Int64s& columns, const Doubles& values, const std::string& method,
           std::size_t krylov_dimension, double tolerance, std::size_t max_restarts) {
            const CsrMatrix matrix = csr_of(n, rows, columns, values);
            SpectralRadius result;
            {
                py::gil_scoped_release release;
                if (method == "dense")
                    result = spectral_radius_dense(matrix);
                else if (method == "arnoldi")
                    result = spectral_radius_arnoldi(matrix, krylov_dimension, tolerance, max_restarts);
                else
                    throw KeyError("spectral radius: unknown method '" + method + "' (choices: dense, arnoldi)",
                                   "method");
            }
            py::dict d;
            d["value"] = result.value;
            d["residual"] = result.residual;
            d["iterations"] = result.iterations;
            d["converged"] = result.converged;
            return d;
        },
        py::arg("n"), py::arg("rows"), py::arg("columns"), py::arg("values"), py::arg("method") = "dense",
        py::arg("krylov_dimension") = 64, py::arg("tolerance") = 1e-6, py::arg("max_restarts") = 300);

    py::class_<RateReservoir>(m, "RateReservoir", "The leaky rate-reservoir stepper (learn/reservoir.hpp).")
        .def(py::init([](std::size_t units, const Int64s& rows, const Int64s& columns, const Doubles& values,
                         const Doubles& input_weights, const Doubles& bias, double leak, const std::string& transfer,
                         double gain, const Doubles& feedback_weights, const Int64s& inhibitory_rows,
                         const Int64s& inhibitory_columns, const Doubles& inhibitory_values) {
                 const Matrix w_in = matrix_of(input_weights, "reservoir", "input_weights");
                 const Matrix w_fb = matrix_of(feedback_weights, "reservoir", "feedback_weights");
                 if (w_in.rows != units)
                     throw ValueError("reservoir: input_weights must have one row per unit (" + std::to_string(units) +
                                          "), got " + std::to_string(w_in.rows),
                                      "input_weights");
                 if (w_fb.rows != units)
                     throw ValueError("reservoir: feedback_weights must have one row per unit (" +
                                          std::to_string(units) + "), got " + std::to_string(w_fb.rows),
                                      "feedback_weights");
                 return RateReservoir(csr_of(units, rows, columns, values),
                                      std::vector<double>(w_in.data.begin(), w_in.data.end()), w_in.columns,
                                      std::vector<double>(bias.data(), bias.data() + bias.size()), leak,
                                      transfer_from_name(transfer), gain,
                                      std::vector<double>(w_fb.data.begin(), w_fb.data.end()), w_fb.columns,
                                      csr_of(units, inhibitory_rows, inhibitory_columns, inhibitory_values));
             }),
             py::arg("units"), py::arg("rows"), py::arg("columns"), py::arg("values"), py::arg("input_weights"),
             py::arg("bias"), py::arg("leak"), py::arg("transfer"), py::arg("gain"), py::arg("feedback_weights"),
             py::arg("inhibitory_rows"), py::arg("inhibitory_columns"), py::arg("inhibitory_values"))
        .def("copy", [](const RateReservoir& r) { return RateReservoir(r); })
        .def(
            "run",
            [](RateReservoir& r, const Doubles& input, py::object feedback) {
                const Matrix u = run_input(input, r);
                std::vector<double> states;
                if (feedback.is_none()) {
                    py::gil_scoped_release release;
                    states = r.run(u.data, u.rows);
                } else {
                    const Doubles fb = feedback.cast<Doubles>();
                    const Matrix f = matrix_of(fb, "reservoir", "feedback");
                    py::gil_scoped_release release;
                    states = r.run(u.data, u.rows, f.data);
                }
                return rows_of(std::move(states), u.rows, r.units());
            },
            py::arg("input"), py::arg("feedback") = py::none(), "States r (steps x units) for input (steps x inputs).")
        .def(
            "run_force",
            [](RateReservoir& r, const Doubles& input, RecursiveLeastSquares& rls, py::object target,
               std::size_t update_every) {
                const Matrix u = run_input(input, r);
                std::vector<double> z;
                if (target.is_none()) {
                    py::gil_scoped_release release;
                    z = r.run_force(u.data, u.rows, rls, {}, update_every);
                } else {
                    const Doubles t = target.cast<Doubles>();
                    const Matrix tm = matrix_of(t, "FORCE", "target");
                    py::gil_scoped_release release;
                    z = r.run_force(u.data, u.rows, rls, tm.data, update_every);
                }
                return rows_of(std::move(z), u.rows, rls.outputs());
            },
            py::arg("input"), py::arg("rls"), py::arg("target") = py::none(), py::arg("update_every") = 1)
        .def(
            "adapt_inhibition",
            [](RateReservoir& r, const Doubles& input, const Doubles& target_rate, double learning_rate) {
                const Matrix u = run_input(input, r);
                std::vector<double> deviation;
                {
                    py::gil_scoped_release release;
                    deviation = r.adapt_inhibition(u.data, u.rows, span_of(target_rate), learning_rate);
                }
                return to_numpy(std::move(deviation));
            },
            py::arg("input"), py::arg("target_rate"), py::arg("learning_rate"))
        .def_property(
            "x", [](const RateReservoir& r) { return to_numpy(std::vector<double>(r.x())); },
            [](RateReservoir& r, const Doubles& x) { r.set_x(span_of(x)); })
        .def_property_readonly("r", [](const RateReservoir& r) { return to_numpy(std::vector<double>(r.r())); })
        .def_property(
            "inhibitory_gain", [](const RateReservoir& r) { return to_numpy(std::vector<double>(r.inhibitory_gain())); },
            [](RateReservoir& r, const Doubles& g) { r.set_inhibitory_gain(span_of(g)); })
        .def_property_readonly("units", &RateReservoir::units)
        .def_property_readonly("inputs", &RateReservoir::inputs)
        .def_property_readonly("feedbacks", &RateReservoir::feedbacks)
        .def("effective_recurrent", [](const RateReservoir& r) { return triplets(r.effective_recurrent()); });

    m.def(
        "filtered_spike_traces",
        [](const Doubles& times, const Int64s& ids, std::size_t neurons, double tau_ms, const Doubles& sample_times) {
            std::vector<double> states;
            {
                py::gil_scoped_release release;
                states = filtered_spike_traces(span_of(times), span_of(ids), neurons, tau_ms, span_of(sample_times));
            }
            return rows_of(std::move(states), static_cast<std::size_t>(sample_times.size()), neurons);
        },
        py::arg("times"), py::arg("ids"), py::arg("neurons"), py::arg("tau_ms"), py::arg("sample_times"));

    m.def(
        "windowed_spike_counts",
        [](const Doubles& times, const Int64s& ids, std::size_t neurons, const Doubles& starts, const Doubles& ends) {
            std::vector<double> counts;
            {
                py::gil_scoped_release release;
                counts = windowed_spike_counts(span_of(times), span_of(ids), neurons, span_of(starts), span_of(ends));
            }
            return rows_of(std::move(counts), static_cast<std::size_t>(starts.size()), neurons);
        },
        py::arg("times"), py::arg("ids"), py::arg("neurons"), py::arg("window_start"), py::arg("window_end"));
}
