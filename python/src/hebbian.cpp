// neurodyn._core.hebbian: the learn layer's rate-based Hebbian rules (Hebb with decay,
// Oja, Oja's subspace rule, Sanger's GHA, BCM), Földiák's anti-Hebbian network and the
// HLOP Hebbian subspace with its orthogonal projection (learn/hebbian.hpp) for Python.
//
// Thin bindings in the style of reservoir.cpp: NumPy arrays in (float64, C order; other
// arrays are converted once by forcecast), NumPy arrays out, the sample loops in C++
// with the GIL released. neurodyn::ValueError/KeyError become NeurodynValueError/
// NeurodynKeyError through the module's exception translator (core.cpp). The Pythonic
// front end is python/neurodyn/hebbian.py (docs/plasticity.md).

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "numpy_arrays.hpp"
#include "neurodyn/core/error.hpp"
#include "neurodyn/learn/hebbian.hpp"

namespace py = pybind11;
using namespace neurodyn;
using namespace neurodyn::learn;

namespace {

using Doubles = py::array_t<double, py::array::c_style | py::array::forcecast>;
using neurodyn::bindings::to_numpy;

std::span<const double> span_of(const Doubles& a) { return {a.data(), static_cast<std::size_t>(a.size())}; }

struct Matrix {
    std::span<const double> data;
    std::size_t rows = 0, columns = 0;
};

Matrix matrix_of(const Doubles& a, const std::string& where, const std::string& argument) {
    if (a.ndim() != 2)
        throw ValueError(where + ": " + argument + " must be a 2-D array (samples x values), got " +
                             std::to_string(a.ndim()) + " dimensions",
                         argument);
    return {span_of(a), static_cast<std::size_t>(a.shape(0)), static_cast<std::size_t>(a.shape(1))};
}

std::span<const double> vector_of(const Doubles& a, const std::string& where, const std::string& argument) {
    if (a.ndim() != 1)
        throw ValueError(where + ": " + argument + " must be a 1-D array (one sample), got " + std::to_string(a.ndim()) +
                             " dimensions",
                         argument);
    return span_of(a);
}

// Samples x inputs with the layer's number of inputs.
Matrix samples_of(const Doubles& x, const std::string& where, std::size_t inputs) {
    const Matrix m = matrix_of(x, where, "x");
    if (m.columns != inputs)
        throw ValueError(where + ": x must have " + std::to_string(inputs) + " columns (one per input), got " +
                             std::to_string(m.columns),
                         "x");
    return m;
}

py::array_t<double> rows_of(std::vector<double>&& values, std::size_t rows, std::size_t columns) {
    return to_numpy(std::move(values), {static_cast<py::ssize_t>(rows), static_cast<py::ssize_t>(columns)});
}

py::array_t<double> copy_rows(const std::vector<double>& values, std::size_t rows, std::size_t columns) {
    return rows_of(std::vector<double>(values), rows, columns);
}

constexpr const char* kLayer = "Hebbian layer";
constexpr const char* kNetwork = "anti-Hebbian network";
constexpr const char* kSubspace = "Hebbian subspace";

}  // namespace

void bind_hebbian(py::module_& parent) {
    py::module_ m = parent.def_submodule(
        "hebbian", "Rate-based Hebbian plasticity: Hebb, Oja, subspace, GHA, BCM, Foldiak, HLOP projection.");

    py::class_<HebbianLayer>(m, "HebbianLayer", "A dense layer y = W x with a Hebbian rule (learn/hebbian.hpp).")
        .def(py::init([](std::size_t inputs, std::size_t outputs, const std::string& rule, double eta, double decay,
                         double tau_theta, double theta_initial, double w_min, double w_max, std::uint64_t seed,
                         double initial_scale) {
                 HebbianParams params;
                 params.rule = hebbian_rule_from_name(rule);
                 params.eta = eta;
                 params.decay = decay;
                 params.tau_theta = tau_theta;
                 params.theta_initial = theta_initial;
                 params.w_min = w_min;
                 params.w_max = w_max;
                 return HebbianLayer(inputs, outputs, params, seed, initial_scale);
             }),
             py::arg("inputs"), py::arg("outputs"), py::arg("rule"), py::arg("eta"), py::arg("decay"),
             py::arg("tau_theta"), py::arg("theta_initial"), py::arg("w_min"), py::arg("w_max"), py::arg("seed"),
             py::arg("initial_scale"))
        .def(
            "respond",
            [](const HebbianLayer& layer, const Doubles& x) {
                const Matrix xm = samples_of(x, kLayer, layer.inputs());
                std::vector<double> y;
                {
                    py::gil_scoped_release release;
                    y = layer.respond(xm.data, xm.rows);
                }
                return rows_of(std::move(y), xm.rows, layer.outputs());
            },
            py::arg("x"), "y = W x for every row of x (samples x inputs).")
        .def(
            "step",
            [](HebbianLayer& layer, const Doubles& x, py::object post) {
                std::vector<double> y(layer.outputs());
                if (post.is_none()) {
                    layer.step(vector_of(x, kLayer, "x"), {}, y);
                } else {
                    const Doubles p = post.cast<Doubles>();
                    layer.step(vector_of(x, kLayer, "x"), vector_of(p, kLayer, "post"), y);
                }
                return to_numpy(std::move(y));
            },
            py::arg("x"), py::arg("post") = py::none(), "One update with sample x; returns the y it used.")
        .def(
            "train",
            [](HebbianLayer& layer, const Doubles& x, py::object post, std::size_t epochs, bool shuffle) {
                const Matrix xm = samples_of(x, kLayer, layer.inputs());
                std::vector<double> y;
                if (post.is_none()) {
                    py::gil_scoped_release release;
                    y = layer.train(xm.data, xm.rows, {}, epochs, shuffle);
                } else {
                    const Doubles p = post.cast<Doubles>();
                    const Matrix pm = matrix_of(p, kLayer, "post");
                    py::gil_scoped_release release;
                    y = layer.train(xm.data, xm.rows, pm.data, epochs, shuffle);
                }
                return rows_of(std::move(y), xm.rows, layer.outputs());
            },
            py::arg("x"), py::arg("post") = py::none(), py::arg("epochs") = 1, py::arg("shuffle") = false,
            "One update per row of x, for `epochs` passes; returns the y of the last pass (samples x outputs).")
        .def_property(
            "weights", [](const HebbianLayer& l) { return copy_rows(l.weights(), l.outputs(), l.inputs()); },
            [](HebbianLayer& l, const Doubles& w) { l.set_weights(span_of(w)); })
        .def_property(
            "theta", [](const HebbianLayer& l) { return to_numpy(std::vector<double>(l.theta())); },
            [](HebbianLayer& l, const Doubles& t) { l.set_theta(span_of(t)); })
        .def_property_readonly("rule", [](const HebbianLayer& l) { return std::string(hebbian_rule_name(l.params().rule)); })
        .def_property_readonly("eta", [](const HebbianLayer& l) { return l.params().eta; })
        .def_property_readonly("decay", [](const HebbianLayer& l) { return l.params().decay; })
        .def_property_readonly("tau_theta", [](const HebbianLayer& l) { return l.params().tau_theta; })
        .def_property_readonly("w_min", [](const HebbianLayer& l) { return l.params().w_min; })
        .def_property_readonly("w_max", [](const HebbianLayer& l) { return l.params().w_max; })
        .def_property_readonly("inputs", &HebbianLayer::inputs)
        .def_property_readonly("outputs", &HebbianLayer::outputs)
        .def_property_readonly("updates", &HebbianLayer::updates);

    py::class_<AntiHebbianNetwork>(m, "AntiHebbianNetwork",
                                   "Foldiak's network: Oja feedforward, anti-Hebbian lateral weights, y = W x + L y.")
        .def(py::init<std::size_t, std::size_t, double, double, std::uint64_t, double>(), py::arg("inputs"),
             py::arg("outputs"), py::arg("eta_forward"), py::arg("eta_lateral"), py::arg("seed"),
             py::arg("initial_scale"))
        .def(
            "respond",
            [](const AntiHebbianNetwork& net, const Doubles& x) {
                const Matrix xm = samples_of(x, kNetwork, net.inputs());
                std::vector<double> y;
                {
                    py::gil_scoped_release release;
                    y = net.respond(xm.data, xm.rows);
                }
                return rows_of(std::move(y), xm.rows, net.outputs());
            },
            py::arg("x"), "y = (I - L)^-1 W x for every row of x.")
        .def(
            "step",
            [](AntiHebbianNetwork& net, const Doubles& x) {
                std::vector<double> y(net.outputs());
                net.step(vector_of(x, kNetwork, "x"), y);
                return to_numpy(std::move(y));
            },
            py::arg("x"))
        .def(
            "train",
            [](AntiHebbianNetwork& net, const Doubles& x, std::size_t epochs, bool shuffle) {
                const Matrix xm = samples_of(x, kNetwork, net.inputs());
                std::vector<double> y;
                {
                    py::gil_scoped_release release;
                    y = net.train(xm.data, xm.rows, epochs, shuffle);
                }
                return rows_of(std::move(y), xm.rows, net.outputs());
            },
            py::arg("x"), py::arg("epochs") = 1, py::arg("shuffle") = false)
        .def_property(
            "forward_weights",
            [](const AntiHebbianNetwork& n) { return copy_rows(n.forward_weights(), n.outputs(), n.inputs()); },
            [](AntiHebbianNetwork& n, const Doubles& w) { n.set_forward_weights(span_of(w)); })
        .def_property(
            "lateral_weights",
            [](const AntiHebbianNetwork& n) { return copy_rows(n.lateral_weights(), n.outputs(), n.outputs()); },
            [](AntiHebbianNetwork& n, const Doubles& w) { n.set_lateral_weights(span_of(w)); })
        .def_property_readonly("filters",
                               [](const AntiHebbianNetwork& n) { return rows_of(n.filters(), n.outputs(), n.inputs()); })
        .def_property_readonly("eta_forward", &AntiHebbianNetwork::eta_forward)
        .def_property_readonly("eta_lateral", &AntiHebbianNetwork::eta_lateral)
        .def_property_readonly("inputs", &AntiHebbianNetwork::inputs)
        .def_property_readonly("outputs", &AntiHebbianNetwork::outputs)
        .def_property_readonly("updates", &AntiHebbianNetwork::updates);

    py::class_<HebbianSubspace>(m, "HebbianSubspace", "HLOP's Hebbian principal-subspace circuit and projection.")
        .def(py::init<std::size_t, double, std::uint64_t>(), py::arg("inputs"), py::arg("eta"), py::arg("seed"))
        .def(
            "learn",
            [](HebbianSubspace& s, const Doubles& x, std::size_t new_components, std::size_t epochs, bool shuffle) {
                const Matrix xm = samples_of(x, kSubspace, s.inputs());
                py::gil_scoped_release release;
                s.learn(xm.data, xm.rows, new_components, epochs, shuffle);
            },
            py::arg("x"), py::arg("new_components"), py::arg("epochs") = 1, py::arg("shuffle") = false)
        .def(
            "project_out",
            [](const HebbianSubspace& s, const Doubles& g) {
                const Matrix gm = matrix_of(g, kSubspace, "matrix");
                if (gm.columns != s.inputs())
                    throw ValueError(std::string(kSubspace) + ": matrix must have " + std::to_string(s.inputs()) +
                                         " columns (one per input), got " + std::to_string(gm.columns),
                                     "matrix");
                std::vector<double> projected(gm.data.begin(), gm.data.end());
                {
                    py::gil_scoped_release release;
                    s.project_out(projected, gm.rows);
                }
                return rows_of(std::move(projected), gm.rows, gm.columns);
            },
            py::arg("matrix"), "A copy of matrix (rows x inputs) with every row replaced by g - (g H^T) H.")
        .def(
            "respond",
            [](const HebbianSubspace& s, const Doubles& x) {
                const Matrix xm = samples_of(x, kSubspace, s.inputs());
                std::vector<double> y;
                {
                    py::gil_scoped_release release;
                    y = s.respond(xm.data, xm.rows);
                }
                return rows_of(std::move(y), xm.rows, s.components());
            },
            py::arg("x"))
        .def_property_readonly("weights",
                               [](const HebbianSubspace& s) { return copy_rows(s.weights(), s.components(), s.inputs()); })
        .def(
            "set_weights",
            [](HebbianSubspace& s, const Doubles& w, std::size_t frozen_components) {
                const Matrix wm = matrix_of(w, kSubspace, "weights");
                if (wm.columns != s.inputs())
                    throw ValueError(std::string(kSubspace) + ": weights must have " + std::to_string(s.inputs()) +
                                         " columns (one per input), got " + std::to_string(wm.columns),
                                     "weights");
                s.set_weights(wm.data, wm.rows, frozen_components);
            },
            py::arg("weights"), py::arg("frozen_components"))
        .def_property_readonly("components", &HebbianSubspace::components)
        .def_property_readonly("frozen_components", &HebbianSubspace::frozen_components)
        .def_property_readonly("eta", &HebbianSubspace::eta)
        .def_property_readonly("inputs", &HebbianSubspace::inputs)
        .def_property_readonly("updates", &HebbianSubspace::updates);
}
