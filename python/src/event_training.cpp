// neurodyn._core.event_training: EventProp and learnable synaptic delays
// (include/neurodyn/learn/eventprop.hpp, event_training.hpp) for Python.
//
// Thin bindings: NumPy arrays in and out, dicts for results; evaluation and training
// steps run with the GIL released. Bad input raises neurodyn::ValueError, which the
// module's exception translator (core.cpp) turns into neurodyn.NeurodynValueError with
// the C++ message. The Pythonic front end is python/neurodyn/eventprop.py
// (docs/eventprop.md).

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "neurodyn/core/error.hpp"
#include "neurodyn/learn/event_training.hpp"
#include "neurodyn/learn/eventprop.hpp"

namespace py = pybind11;
using namespace neurodyn;
using namespace neurodyn::learn;

namespace {

using Doubles = py::array_t<double, py::array::c_style | py::array::forcecast>;
using Int64s = py::array_t<std::int64_t, py::array::c_style | py::array::forcecast>;

std::vector<double> to_vector(const Doubles& a) { return {a.data(), a.data() + a.size()}; }

py::array_t<double> matrix(const std::vector<double>& values, std::size_t rows, std::size_t columns) {
    py::array_t<double> out({static_cast<py::ssize_t>(rows), static_cast<py::ssize_t>(columns)});
    std::copy(values.begin(), values.end(), out.mutable_data());
    return out;
}

py::array_t<double> vector_of(const std::vector<double>& values) {
    py::array_t<double> out(static_cast<py::ssize_t>(values.size()));
    std::copy(values.begin(), values.end(), out.mutable_data());
    return out;
}

EventLossKind loss_kind(const std::string& name) {
    if (name == "first_spike_cross_entropy") return EventLossKind::first_spike_cross_entropy;
    if (name == "first_spike_mse") return EventLossKind::first_spike_mse;
    if (name == "max_voltage_cross_entropy") return EventLossKind::max_voltage_cross_entropy;
    throw ValueError("EventProp: loss must be 'first_spike_cross_entropy', 'first_spike_mse' or "
                     "'max_voltage_cross_entropy', got '" + name + "'",
                     "loss");
}

EventLoss make_loss(const std::string& kind, double tau0, double tau1, double alpha) {
    EventLoss loss{loss_kind(kind), tau0, tau1, alpha};
    loss.validate();
    return loss;
}

EventTargets make_targets(const Int64s& labels, const Doubles& target_times) {
    EventTargets t;
    t.labels.assign(labels.data(), labels.data() + labels.size());
    t.times = to_vector(target_times);
    return t;
}

std::vector<std::size_t> sample_indices(const Int64s& samples) {
    std::vector<std::size_t> out;
    for (py::ssize_t k = 0; k < samples.size(); ++k) {
        if (samples.data()[k] < 0)
            throw ValueError("EventProp: samples must be >= 0, got " + std::to_string(samples.data()[k]), "samples");
        out.push_back(static_cast<std::size_t>(samples.data()[k]));
    }
    return out;
}

EventSpikeData make_data(const Doubles& times, const Int64s& ids, const Int64s& offsets, std::size_t channels) {
    EventSpikeData data;
    data.channels = channels;
    data.times = to_vector(times);
    data.ids.reserve(static_cast<std::size_t>(ids.size()));
    for (py::ssize_t k = 0; k < ids.size(); ++k) {
        const std::int64_t id = ids.data()[k];
        if (id < 0 || static_cast<std::uint64_t>(id) >= channels)
            throw ValueError("EventProp: ids must be < the number of input channels (" + std::to_string(channels) +
                                 ") and >= 0, got " + std::to_string(id) + " (spike " + std::to_string(k) + ")",
                             "ids");
        data.ids.push_back(static_cast<std::uint32_t>(id));
    }
    data.offsets.clear();
    for (py::ssize_t k = 0; k < offsets.size(); ++k) {
        if (offsets.data()[k] < 0) throw ValueError("EventProp: offsets must be >= 0", "offsets");
        data.offsets.push_back(static_cast<std::size_t>(offsets.data()[k]));
    }
    data.validate();
    return data;
}

py::dict batch_result(const EventBatchResult& r, const EventNetwork& net, bool gradients) {
    py::dict out;
    out["loss"] = r.loss;
    out["predictions"] = py::array_t<std::int64_t>(static_cast<py::ssize_t>(r.predictions.size()), r.predictions.data());
    out["correct"] = r.correct;
    if (gradients) {
        py::list weights, delays;
        for (std::size_t l = 0; l < net.layers().size(); ++l) {
            const EventLayer& layer = net.layers()[l];
            weights.append(matrix(r.gradients.weights[l], layer.neurons, layer.inputs));
            delays.append(matrix(r.gradients.delays[l], layer.neurons, layer.inputs));
        }
        out["weights"] = weights;
        out["delays"] = delays;
        out["input_times"] = vector_of(r.gradients.input_times);
    }
    return out;
}

EventLayer& layer_at(EventNetwork& net, std::size_t l) {
    if (l >= net.layers().size())
        throw ValueError("EventProp: layer " + std::to_string(l) + " does not exist (the network has " +
                             std::to_string(net.layers().size()) + " layers)",
                         "layer");
    return net.layers()[l];
}

void set_matrix(EventNetwork& net, std::size_t l, const Doubles& values, bool delays) {
    EventLayer& layer = layer_at(net, l);
    const char* what = delays ? "delays" : "weights";
    if (values.ndim() != 2 || static_cast<std::size_t>(values.shape(0)) != layer.neurons ||
        static_cast<std::size_t>(values.shape(1)) != layer.inputs)
        throw ValueError("EventProp: " + std::string(what) + " of layer " + std::to_string(l) + " must have shape (" +
                             std::to_string(layer.neurons) + ", " + std::to_string(layer.inputs) + ")",
                         what);
    std::vector<double> copy = to_vector(values);
    EventNetwork trial = net;
    (delays ? trial.layers()[l].delays : trial.layers()[l].weights) = copy;
    trial.validate();  // refuses NaN weights and negative delays, and leaves `net` unchanged
    (delays ? layer.delays : layer.weights) = std::move(copy);
}

}  // namespace

void bind_event_training(py::module_& parent) {
    py::module_ m = parent.def_submodule("event_training", "EventProp and learnable synaptic delays.");

    py::class_<EventSpikeData>(m, "SpikeData")
        .def(py::init(&make_data), py::arg("times"), py::arg("ids"), py::arg("offsets"), py::arg("channels"))
        .def_property_readonly("samples", &EventSpikeData::samples)
        .def_readonly("channels", &EventSpikeData::channels);

    py::class_<EventNetwork>(m, "EventNetwork")
        .def(py::init([](std::size_t inputs, std::vector<std::size_t> sizes, bool leaky, py::dict params,
                         double duration, std::size_t max_spikes) {
                 EventNeuronParams p;
                 for (auto [key, value] : params) {
                     const std::string name = py::str(key);
                     const double v = value.cast<double>();
                     if (name == "cm") p.cm = v;
                     else if (name == "tau_m") p.tau_m = v;
                     else if (name == "tau_syn") p.tau_syn = v;
                     else if (name == "v_rest") p.v_rest = v;
                     else if (name == "v_reset") p.v_reset = v;
                     else if (name == "v_thresh") p.v_thresh = v;
                     else
                         throw KeyError("EventProp: unknown neuron parameter '" + name +
                                            "' (known: cm, tau_m, tau_syn, v_rest, v_reset, v_thresh)",
                                        name);
                 }
                 return EventNetwork(inputs, std::move(sizes), leaky, p, duration, max_spikes);
             }),
             py::arg("inputs"), py::arg("layer_sizes"), py::arg("leaky_output"), py::arg("params"),
             py::arg("duration"), py::arg("max_spikes_per_neuron") = 1000)
        .def("initialize",
             [](EventNetwork& net, std::uint64_t seed, std::vector<double> mean, std::vector<double> std, double low,
                double high) { net.initialize(seed, mean, std, low, high); },
             py::arg("seed"), py::arg("weight_mean"), py::arg("weight_std"), py::arg("delay_low"),
             py::arg("delay_high"))
        .def_property_readonly("inputs", &EventNetwork::inputs)
        .def_property_readonly("duration", &EventNetwork::duration)
        .def_property_readonly("layer_count", [](const EventNetwork& net) { return net.layers().size(); })
        .def_property_readonly("layer_sizes",
                               [](const EventNetwork& net) {
                                   std::vector<std::size_t> sizes;
                                   for (const auto& layer : net.layers()) sizes.push_back(layer.neurons);
                                   return sizes;
                               })
        .def_property_readonly("leaky_output", [](const EventNetwork& net) { return !net.layers().back().spiking; })
        .def_property_readonly("max_spikes_per_neuron", &EventNetwork::max_spikes_per_neuron)
        .def_property_readonly("params",
                               [](const EventNetwork& net) {
                                   const EventNeuronParams& p = net.params();
                                   py::dict d;
                                   d["cm"] = p.cm;
                                   d["tau_m"] = p.tau_m;
                                   d["tau_syn"] = p.tau_syn;
                                   d["v_rest"] = p.v_rest;
                                   d["v_reset"] = p.v_reset;
                                   d["v_thresh"] = p.v_thresh;
                                   return d;
                               })
        .def("weights", [](EventNetwork& net, std::size_t l) {
            const EventLayer& layer = layer_at(net, l);
            return matrix(layer.weights, layer.neurons, layer.inputs);
        })
        .def("delays", [](EventNetwork& net, std::size_t l) {
            const EventLayer& layer = layer_at(net, l);
            return matrix(layer.delays, layer.neurons, layer.inputs);
        })
        .def("set_weights", [](EventNetwork& net, std::size_t l, const Doubles& w) { set_matrix(net, l, w, false); })
        .def("set_delays", [](EventNetwork& net, std::size_t l, const Doubles& d) { set_matrix(net, l, d, true); })
        .def("copy", [](const EventNetwork& net) { return EventNetwork(net); })
        .def("round_delays_to_grid", [](EventNetwork& net, double dt) { round_delays_to_grid(net, dt); })
        .def(
            "forward",
            [](const EventNetwork& net, const EventSpikeData& data, std::size_t sample) {
                if (sample >= data.samples())
                    throw ValueError("EventProp: sample " + std::to_string(sample) + " is out of range (" +
                                         std::to_string(data.samples()) + " samples)",
                                     "sample");
                if (data.channels != net.inputs())
                    throw ValueError("EventProp: the data have " + std::to_string(data.channels) +
                                         " channels but the network has " + std::to_string(net.inputs()) + " inputs",
                                     "inputs");
                std::vector<EventLayerSpikes> layers;
                {
                    py::gil_scoped_release release;
                    layers = net.forward(data, sample);
                }
                py::list out;
                for (const EventLayerSpikes& layer : layers) {
                    std::vector<std::int64_t> ids;
                    for (std::size_t n = 0; n + 1 < layer.offsets.size(); ++n)
                        for (std::size_t k = layer.offsets[n]; k < layer.offsets[n + 1]; ++k)
                            ids.push_back(static_cast<std::int64_t>(n));
                    py::dict d;
                    d["times"] = vector_of(layer.times);
                    d["ids"] = py::array_t<std::int64_t>(static_cast<py::ssize_t>(ids.size()), ids.data());
                    d["vmax"] = vector_of(layer.vmax);
                    d["tmax"] = vector_of(layer.tmax);
                    out.append(d);
                }
                return out;
            },
            py::arg("data"), py::arg("sample"))
        .def(
            "evaluate",
            [](const EventNetwork& net, const EventSpikeData& data, const Int64s& samples, const Int64s& labels,
               const Doubles& target_times, const std::string& loss, double tau0, double tau1, double alpha,
               bool gradients, int threads) {
                const EventLoss l = make_loss(loss, tau0, tau1, alpha);
                const EventTargets targets = make_targets(labels, target_times);
                const std::vector<std::size_t> indices = sample_indices(samples);
                EventBatchResult r;
                {
                    py::gil_scoped_release release;
                    r = net.evaluate(data, indices, targets, l, gradients, threads);
                }
                return batch_result(r, net, gradients);
            },
            py::arg("data"), py::arg("samples"), py::arg("labels"), py::arg("target_times"), py::arg("loss"),
            py::arg("tau0"), py::arg("tau1"), py::arg("alpha"), py::arg("gradients"), py::arg("threads") = 1);

    // The trainer keeps a reference to the network: keep_alive holds it for the trainer's life.
    py::class_<EventTrainer>(m, "Trainer")
        .def(py::init([](EventNetwork& net, double learning_rate, bool learn_delays, double delay_learning_rate,
                         double min_delay, double max_delay, double beta1, double beta2, double epsilon) {
                 EventTrainingSettings s;
                 s.weights = {learning_rate, beta1, beta2, epsilon};
                 s.learn_delays = learn_delays;
                 s.delays = {delay_learning_rate, beta1, beta2, epsilon};
                 s.min_delay = min_delay;
                 s.max_delay = max_delay;
                 return std::make_unique<EventTrainer>(net, s);
             }),
             py::arg("network"), py::arg("learning_rate"), py::arg("learn_delays"), py::arg("delay_learning_rate"),
             py::arg("min_delay"), py::arg("max_delay"), py::arg("beta1") = 0.9, py::arg("beta2") = 0.999,
             py::arg("epsilon") = 1e-8, py::keep_alive<1, 2>())
        .def_property_readonly("steps_taken", &EventTrainer::steps_taken)
        .def(
            "step",
            [](EventTrainer& trainer, const EventNetwork& net, const EventSpikeData& data, const Int64s& samples,
               const Int64s& labels, const Doubles& target_times, const std::string& loss, double tau0, double tau1,
               double alpha, int threads) {
                const EventLoss l = make_loss(loss, tau0, tau1, alpha);
                const EventTargets targets = make_targets(labels, target_times);
                const std::vector<std::size_t> indices = sample_indices(samples);
                EventBatchResult r;
                {
                    py::gil_scoped_release release;
                    r = trainer.step(data, indices, targets, l, threads);
                }
                return batch_result(r, net, false);
            },
            py::arg("network"), py::arg("data"), py::arg("samples"), py::arg("labels"), py::arg("target_times"),
            py::arg("loss"), py::arg("tau0"), py::arg("tau1"), py::arg("alpha"), py::arg("threads") = 1);
}
