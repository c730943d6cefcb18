// neurodyn._core.training: gradient training of spiking networks (include/neurodyn/learn/
// trainer.hpp, train_network.hpp) for Python. The Pythonic front end is
// python/neurodyn/training.py (docs/training.md).
//
// Spikes come in as (samples, steps, inputs) arrays of 0/1 (bool or any integer type;
// converted once to bytes), labels as integers. The heavy calls release the GIL. Bad
// input raises neurodyn::ValueError (NeurodynValueError in Python) naming the argument.

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cstdint>
#include <string>
#include <vector>

#include "neurodyn/core/error.hpp"
#include "neurodyn/learn/surrogate.hpp"
#include "neurodyn/learn/trainer.hpp"

namespace py = pybind11;
using namespace neurodyn;
using namespace neurodyn::learn;

namespace {

using Bytes = py::array_t<std::uint8_t, py::array::c_style | py::array::forcecast>;
using Labels = py::array_t<std::int64_t, py::array::c_style | py::array::forcecast>;
using Doubles = py::array_t<double, py::array::c_style | py::array::forcecast>;

[[noreturn]] void refuse(const std::string& argument, const std::string& what) {
    throw ValueError("training: " + argument + " " + what, argument);
}

template <class Table>
auto choice(const std::string& argument, const std::string& value, const Table& table) {
    std::string names;
    for (const auto& [name, e] : table) {
        if (value == name) return e;
        names += (names.empty() ? "'" : ", '") + std::string(name) + "'";
    }
    refuse(argument, "must be one of " + names + ", got '" + value + "'");
}

const std::pair<const char*, TrainLoss> kLosses[] = {
    {"count_ce", TrainLoss::count_cross_entropy},
    {"max_membrane_ce", TrainLoss::max_membrane_cross_entropy},
    {"mean_membrane_ce", TrainLoss::mean_membrane_cross_entropy},
    {"rate_mse", TrainLoss::rate_mean_squared_error},
};
const std::pair<const char*, TrainModel> kModels[] = {{"LIF", TrainModel::lif}, {"ALIF", TrainModel::alif}};

TrainNeuronParams neuron_params(const py::dict& given, const std::string& argument) {
    TrainNeuronParams p;
    const std::pair<const char*, double*> fields[] = {
        {"cm", &p.cm},         {"tau_m", &p.tau_m},       {"tau_syn", &p.tau_syn},     {"v_rest", &p.v_rest},
        {"v_reset", &p.v_reset}, {"v_thresh", &p.v_thresh}, {"i_offset", &p.i_offset}, {"tau_adapt", &p.tau_adapt},
        {"beta", &p.beta}};
    for (const auto& [key, value] : given) {
        const std::string name = py::str(key);
        bool known = false;
        for (const auto& [field, target] : fields)
            if (name == field) {
                *target = value.cast<double>();
                known = true;
            }
        if (!known)
            refuse(argument, "has an unknown parameter '" + name +
                                 "' (known: cm, tau_m, tau_syn, v_rest, v_reset, v_thresh, i_offset, tau_adapt, beta)");
    }
    return p;
}

TrainBatch batch_of(const Bytes& spikes, const Labels* labels, std::size_t inputs) {
    if (spikes.ndim() != 3)
        refuse("x", "must be a 3-D array (samples, steps, inputs) of spikes, got " + std::to_string(spikes.ndim()) +
                        " dimensions");
    TrainBatch batch;
    batch.samples = static_cast<std::size_t>(spikes.shape(0));
    batch.steps = static_cast<std::size_t>(spikes.shape(1));
    if (static_cast<std::size_t>(spikes.shape(2)) != inputs)
        refuse("x", "must have " + std::to_string(inputs) + " inputs (last axis), got " + std::to_string(spikes.shape(2)));
    batch.spikes = {spikes.data(), static_cast<std::size_t>(spikes.size())};
    if (labels != nullptr) {
        if (labels->ndim() != 1) refuse("y", "must be a 1-D array of labels");
        batch.labels = {labels->data(), static_cast<std::size_t>(labels->size())};
    }
    return batch;
}

py::dict weights_of(const TrainNetwork& net) {
    py::dict out;
    for (const TrainMatrix& m : net.matrices()) {
        py::array_t<double> array({static_cast<py::ssize_t>(m.sources), static_cast<py::ssize_t>(m.targets)});
        std::copy_n(net.parameters().data() + m.offset, m.sources * m.targets, array.mutable_data());
        out[py::str(m.name)] = array;
    }
    return out;
}

py::dict gradient_dict(const TrainNetwork& net, const std::vector<double>& gradient) {
    py::dict out;
    for (const TrainMatrix& m : net.matrices()) {
        py::array_t<double> array({static_cast<py::ssize_t>(m.sources), static_cast<py::ssize_t>(m.targets)});
        std::copy_n(gradient.data() + m.offset, m.sources * m.targets, array.mutable_data());
        out[py::str(m.name)] = array;
    }
    return out;
}

}  // namespace

void bind_training(py::module_& parent) {
    py::module_ m = parent.def_submodule("training", "Gradient training of spiking networks.");

    py::class_<Trainer>(m, "Trainer", "A spiking network with its optimiser (BPTT or e-prop, Adam).")
        .def(py::init([](std::size_t inputs, std::vector<std::size_t> hidden, std::size_t outputs, const std::string& model,
                         bool recurrent, const py::dict& hidden_params, const py::dict& output_params, double dt,
                         const std::string& surrogate, double surrogate_slope, const std::string& loss,
                         double target_rate_on, double target_rate_off, double weight_scale, const std::string& algorithm,
                         const std::string& feedback, double learning_rate, double beta1, double beta2, double epsilon,
                         std::uint64_t seed) {
                 TrainNetworkConfig config;
                 config.inputs = inputs;
                 config.hidden = std::move(hidden);
                 config.outputs = outputs;
                 config.hidden_model = choice("model", model, kModels);
                 config.recurrent = recurrent;
                 config.hidden_params = neuron_params(hidden_params, "hidden_params");
                 config.output_params = neuron_params(output_params, "output_params");
                 config.dt = dt;
                 config.surrogate = make_surrogate(surrogate, surrogate_slope);
                 config.loss = choice("loss", loss, kLosses);
                 config.target_rate_on = target_rate_on;
                 config.target_rate_off = target_rate_off;
                 config.weight_scale = weight_scale;
                 AdamSettings adam{learning_rate, beta1, beta2, epsilon};
                 adam.validate();
                 return Trainer(std::move(config), adam, train_algorithm_from_name(algorithm),
                                eprop_feedback_from_name(feedback), seed);
             }),
             py::arg("inputs"), py::arg("hidden"), py::arg("outputs"), py::arg("model") = "LIF",
             py::arg("recurrent") = false, py::arg("hidden_params") = py::dict(), py::arg("output_params") = py::dict(),
             py::arg("dt") = 1.0, py::arg("surrogate") = "fast_sigmoid", py::arg("surrogate_slope") = 5.0,
             py::arg("loss") = "count_ce", py::arg("target_rate_on") = 0.5, py::arg("target_rate_off") = 0.02,
             py::arg("weight_scale") = 1.0, py::arg("algorithm") = "bptt", py::arg("feedback") = "symmetric",
             py::arg("learning_rate") = 1e-3, py::arg("beta1") = 0.9, py::arg("beta2") = 0.999, py::arg("epsilon") = 1e-8,
             py::arg("seed") = 0)
        .def(
            "train_batch",
            [](Trainer& self, const Bytes& spikes, const Labels& labels, int threads) {
                const TrainBatch batch = batch_of(spikes, &labels, self.network().config().inputs);
                TrainOutcome outcome;
                {
                    py::gil_scoped_release release;
                    outcome = self.train_batch(batch, threads);
                }
                return py::make_tuple(outcome.loss, outcome.correct);
            },
            py::arg("x"), py::arg("y"), py::arg("threads") = 1,
            "One mini-batch: gradient (BPTT or e-prop) and an Adam step; returns (mean loss, correct count) before the step.")
        .def(
            "gradient",
            [](const Trainer& self, const Bytes& spikes, const Labels& labels, int threads) {
                const TrainBatch batch = batch_of(spikes, &labels, self.network().config().inputs);
                std::vector<double> gradient;
                TrainOutcome outcome;
                {
                    py::gil_scoped_release release;
                    outcome = self.gradient(batch, gradient, threads);
                }
                return py::make_tuple(outcome.loss, outcome.correct, gradient_dict(self.network(), gradient));
            },
            py::arg("x"), py::arg("y"), py::arg("threads") = 1,
            "(mean loss, correct count, {matrix name: dL/dW}) of a batch; the weights do not change.")
        .def(
            "output_values",
            [](const Trainer& self, const Bytes& spikes, int threads) {
                const TrainBatch batch = batch_of(spikes, nullptr, self.network().config().inputs);
                std::vector<double> values;
                {
                    py::gil_scoped_release release;
                    values = self.network().output_values(batch, threads);
                }
                py::array_t<double> out({static_cast<py::ssize_t>(batch.samples),
                                         static_cast<py::ssize_t>(self.network().config().outputs)});
                std::copy(values.begin(), values.end(), out.mutable_data());
                return out;
            },
            py::arg("x"), py::arg("threads") = 1, "Output values (samples x classes): counts, maxima, means or rates.")
        .def(
            "simulate",
            [](const Trainer& self, const Bytes& spikes) {
                if (spikes.ndim() != 2) refuse("x", "must be a 2-D array (steps, inputs) of one sample's spikes");
                const TrainNetwork& net = self.network();
                if (static_cast<std::size_t>(spikes.shape(1)) != net.config().inputs)
                    refuse("x", "must have " + std::to_string(net.config().inputs) + " inputs, got " +
                                    std::to_string(spikes.shape(1)));
                const auto steps = static_cast<std::size_t>(spikes.shape(0));
                const TrainRecord record = net.simulate({spikes.data(), static_cast<std::size_t>(spikes.size())}, steps);
                py::list layers;
                for (std::size_t l = 0; l < record.spikes.size(); ++l) {
                    py::array_t<bool> layer({static_cast<py::ssize_t>(steps), static_cast<py::ssize_t>(net.layer_size(l))});
                    std::copy(record.spikes[l].begin(), record.spikes[l].end(), layer.mutable_data());
                    layers.append(layer);
                }
                py::array_t<double> membrane({static_cast<py::ssize_t>(steps), static_cast<py::ssize_t>(net.config().outputs)});
                std::copy(record.output_membrane.begin(), record.output_membrane.end(), membrane.mutable_data());
                py::dict out;
                out["spikes"] = layers;
                out["output_membrane"] = membrane;
                out["output_values"] = py::array_t<double>(static_cast<py::ssize_t>(record.output_values.size()),
                                                           record.output_values.data());
                return out;
            },
            py::arg("x"),
            "One sample's forward pass: {'spikes': [(steps, n) bool per layer], 'output_membrane': (steps, classes), "
            "'output_values': (classes,)}.")
        .def("get_weights", [](const Trainer& self) { return weights_of(self.network()); },
             "{matrix name: (sources, targets) array in nA}: W0 (input -> hidden 0), ..., R0 (recurrent), ...")
        .def(
            "set_weights",
            [](Trainer& self, const py::dict& weights) {
                TrainNetwork& net = self.network();
                for (const auto& [key, value] : weights) {
                    const std::string name = py::str(key);
                    const TrainMatrix* found = nullptr;
                    for (const TrainMatrix& matrix : net.matrices())
                        if (matrix.name == name) found = &matrix;
                    if (found == nullptr) refuse("weights", "has an unknown matrix '" + name + "'");
                    const Doubles array = Doubles::ensure(value);
                    if (!array || array.ndim() != 2 || static_cast<std::size_t>(array.shape(0)) != found->sources ||
                        static_cast<std::size_t>(array.shape(1)) != found->targets)
                        refuse("weights", "'" + name + "' must have shape (" + std::to_string(found->sources) + ", " +
                                              std::to_string(found->targets) + ")");
                    for (py::ssize_t k = 0; k < array.size(); ++k)
                        if (!std::isfinite(array.data()[k])) refuse("weights", "'" + name + "' must be finite");
                    std::copy_n(array.data(), array.size(), net.parameters().data() + found->offset);
                }
            },
            py::arg("weights"), "Replaces the named matrices (same shapes as get_weights()).")
        .def_property(
            "learning_rate", [](Trainer& self) { return self.optimiser().settings().learning_rate; },
            [](Trainer& self, double value) { self.optimiser().set_learning_rate(value); })
        .def_property_readonly("random_feedback",
                               [](const Trainer& self) {
                                   const auto& b = self.random_feedback();
                                   return py::array_t<double>(static_cast<py::ssize_t>(b.size()), b.data());
                               })
        .def_property_readonly("parameter_count", [](const Trainer& self) { return self.network().parameters().size(); });
}
