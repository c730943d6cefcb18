// neurodyn._core: the pybind11 bindings behind the `neurodyn` Python package.
//
// The Python side describes a network by calling the add_* methods of `Spec`, which
// fill a NetworkSpec; every addition is validated at once by NetworkSpec::validate()
// and undone if it fails (copy, apply, validate, commit), so errors name the call that
// caused them and carry the engine's messages and key paths. `Simulation` owns a built
// Simulator with in-memory recorders (spikes, state traces) and, optionally, an HDF5
// result file. run() releases the GIL and can be interrupted by Ctrl-C between steps.
//
// Python-facing conventions (docs/python.md): units as in the model file (ms, mV, nA,
// nF, uS, Hz); arrays out are NumPy arrays that own their memory.

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "numpy_arrays.hpp"
#include "neurodyn/analysis/spike_statistics.hpp"
#include "neurodyn/core/error.hpp"
#include "neurodyn/core/strings.hpp"
#include "neurodyn/engine/simulator.hpp"
#include "neurodyn/io/model_file.hpp"
#include "neurodyn/models/registry.hpp"
#include "neurodyn/network/spec.hpp"
#include "neurodyn/record/hdf5_recorder.hpp"
#include "neurodyn/record/spike_recorder.hpp"
#include "neurodyn/record/weight_trace_recorder.hpp"

namespace py = pybind11;
using namespace neurodyn;

namespace {

// ---- errors ------------------------------------------------------------------------

// The Python classes user errors become (defined in neurodyn/errors.py and handed over
// by set_error_classes when the package is imported). Until then, builtins are used.
struct ErrorClasses {
    PyObject* value = PyExc_ValueError;
    PyObject* key = PyExc_KeyError;
    PyObject* file = PyExc_OSError;
    PyObject* file_not_found = PyExc_FileNotFoundError;
    PyObject* memory = PyExc_MemoryError;
    PyObject* internal = PyExc_RuntimeError;
};
ErrorClasses g_errors;

// Raises `type(message)` with the entry's key path as attribute `key`.
void raise_python(PyObject* type, const std::string& message, const std::string& key) {
    py::object error = py::reinterpret_borrow<py::object>(type)(message);
    try {
        error.attr("key") = key.empty() ? py::object(py::none()) : py::object(py::str(key));
    } catch (const py::error_already_set&) {
        // builtins without a __dict__: the message alone
    }
    PyErr_SetObject(type, error.ptr());
}

void translate_exception(std::exception_ptr pointer) {
    try {
        if (pointer) std::rethrow_exception(pointer);
    } catch (const FileError& e) {
        const bool missing = std::strstr(e.what(), std::strerror(ENOENT)) != nullptr;
        raise_python(missing ? g_errors.file_not_found : g_errors.file, e.what(), e.key());
    } catch (const KeyError& e) {
        raise_python(g_errors.key, e.what(), e.key());
    } catch (const MemoryLimitError& e) {
        raise_python(g_errors.memory, e.what(), e.key());
    } catch (const Interrupted& e) {
        PyErr_SetString(PyExc_KeyboardInterrupt, e.what());
    } catch (const UserError& e) {  // ValueError and any other user error
        raise_python(g_errors.value, e.what(), e.key());
    } catch (const InternalError& e) {
        raise_python(g_errors.internal, std::string("internal error (please report it): ") + e.what(), "");
    }
}

// ---- conversions -------------------------------------------------------------------

std::string describe_object(py::handle object) {
    std::string repr = py::str(py::repr(object));
    if (repr.size() > 60) repr = repr.substr(0, 57) + "...";
    return std::string(py::str(py::type::of(object).attr("__name__"))) + " " + repr;
}

[[noreturn]] void type_error(const std::string& key, const std::string& expected, py::handle got) {
    throw ValueError(key + ": expected " + expected + ", got " + describe_object(got), key);
}

bool is_number(py::handle object) {
    if (py::isinstance<py::bool_>(object)) return false;
    if (PyFloat_Check(object.ptr()) || PyLong_Check(object.ptr())) return true;
    // NumPy scalars and 0-d arrays
    if (py::isinstance<py::array>(object)) return py::reinterpret_borrow<py::array>(object).ndim() == 0;
    return PyObject_HasAttrString(object.ptr(), "dtype") && PyNumber_Check(object.ptr());
}

// A NumPy array of float64, or an error naming `key`.
py::array_t<double, py::array::c_style | py::array::forcecast> as_double_array(py::handle object, const std::string& key,
                                                                                const std::string& expected) {
    if (py::isinstance<py::str>(object) || py::isinstance<py::bytes>(object) || py::isinstance<py::dict>(object))
        type_error(key, expected, object);
    py::array generic;
    try {
        generic = py::array::ensure(object);
    } catch (const py::error_already_set&) {
    }
    if (!generic) type_error(key, expected, object);
    const char kind = generic.dtype().kind();
    if (kind != 'f' && kind != 'i' && kind != 'u') type_error(key, expected, object);
    return py::array_t<double, py::array::c_style | py::array::forcecast>::ensure(generic);
}

std::vector<double> to_doubles(py::handle object, const std::string& key, const std::string& expected) {
    if (is_number(object)) return {py::cast<double>(object)};
    auto array = as_double_array(object, key, expected);
    return std::vector<double>(array.data(), array.data() + array.size());
}

double to_double(py::handle object, const std::string& key) {
    if (!is_number(object)) type_error(key, "a number", object);
    return py::cast<double>(object);
}

// A value for many elements: a number, an array (any shape, read row-major) or a
// Distribution.
ValueSpec to_value(py::handle object, const std::string& key) {
    static const std::string expected = "a number, an array of numbers or a distribution";
    if (py::isinstance<Distribution>(object)) return py::cast<Distribution>(object);
    if (is_number(object)) return ValueSpec(py::cast<double>(object));
    auto array = as_double_array(object, key, expected);
    if (array.ndim() == 0) return ValueSpec(*array.data());
    return ValueSpec(std::vector<double>(array.data(), array.data() + array.size()));
}

// Neuron or connection indices: integers >= 0 that fit 32 bits.
std::vector<std::uint32_t> to_indices(py::handle object, const std::string& key) {
    static const std::string expected = "a list or array of neuron indices";
    if (py::isinstance<py::str>(object)) type_error(key, expected, object);
    py::array generic;
    try {
        generic = py::array::ensure(object);
    } catch (const py::error_already_set&) {
    }
    if (!generic) type_error(key, expected, object);
    if (generic.size() == 0) return {};
    const char kind = generic.dtype().kind();
    if (kind != 'i' && kind != 'u') type_error(key, "integer indices", object);
    auto values = py::array_t<std::int64_t, py::array::c_style | py::array::forcecast>::ensure(generic);
    std::vector<std::uint32_t> out;
    out.reserve(static_cast<std::size_t>(values.size()));
    for (py::ssize_t i = 0; i < values.size(); ++i) {
        const std::int64_t v = values.data()[i];
        const std::string element = key + "[" + std::to_string(i) + "]";
        if (v < 0) throw ValueError(element + ": expected an integer >= 0, got " + std::to_string(v), element);
        if (v > std::numeric_limits<std::uint32_t>::max())
            throw ValueError(element + ": index " + std::to_string(v) + " is too large (indices are 32-bit, at most 4294967295)",
                             element);
        out.push_back(static_cast<std::uint32_t>(v));
    }
    return out;
}

std::vector<std::uint32_t> to_selection(py::handle object, const std::string& key) {
    if (object.is_none()) return {};
    auto neurons = to_indices(object, key);
    if (neurons.empty()) throw ValueError(key + ": selects no neurons; leave it out (None) to select all neurons", key);
    return neurons;
}

using neurodyn::bindings::to_numpy;

// ---- the spec ----------------------------------------------------------------------

// Applies `change` to the spec and validates it; undoes the change if that fails.
template <class Change, class Undo>
void transact(NetworkSpec& spec, Change&& change, Undo&& undo) {
    change();
    try {
        spec.validate();
    } catch (...) {
        undo();
        throw;
    }
}

// A parameter chosen by name (e.g. transfer = "relu"), with the model file's message.
ValueSpec to_choice(py::handle object, const std::string& key, const FieldInfo& field) {
    std::vector<std::string> names(field.choices.begin(), field.choices.end());
    if (!py::isinstance<py::str>(object)) type_error(key, "one of the names " + join(names), object);
    const std::string choice = py::cast<std::string>(object);
    const int index = field.choice_index(choice);
    if (index < 0)
        throw ValueError(key + ": unknown " + std::string(field.name) + " '" + choice + "'" + did_you_mean(choice, names) +
                             " (choices: " + join(names) + ")",
                         key);
    return ValueSpec(static_cast<double>(index));
}

const ModelInfo* model_or_null(const std::string& name) {
    for (const ModelInfo* model : all_models())
        if (model->name == name) return model;
    return nullptr;
}

std::size_t add_population(NetworkSpec& spec, const std::string& name, const std::string& model_name, std::int64_t size,
                           const py::dict& params, const py::dict& initial, const py::object& spike_times) {
    const std::string key = population_key(spec.populations.size());
    if (size < 0) throw ValueError(key + ".size: size must be >= 1, got " + std::to_string(size), key + ".size");
    PopulationSpec pop;
    pop.name = name;
    pop.model = model_name;
    pop.size = static_cast<std::uint64_t>(size);
    const ModelInfo* model = model_or_null(model_name);
    for (const auto& [k, v] : params) {
        const std::string param = py::cast<std::string>(py::str(k));
        const std::string pkey = key + ".params." + param;
        const int index = model ? model->param_index(param) : -1;
        if (index >= 0 && !model->params[static_cast<std::size_t>(index)].choices.empty())
            pop.params.emplace_back(param, to_choice(v, pkey, model->params[static_cast<std::size_t>(index)]));
        else if (!model && py::isinstance<py::str>(v))
            pop.params.emplace_back(param, ValueSpec(0.0));  // validate() reports the unknown model
        else
            pop.params.emplace_back(param, to_value(v, pkey));
    }
    for (const auto& [k, v] : initial) {
        const std::string state = py::cast<std::string>(py::str(k));
        pop.initial.emplace_back(state, to_value(v, key + ".initial." + state));
    }
    if (!spike_times.is_none()) {
        const std::string tkey = key + ".spike_times";
        static const std::string expected = "a list of spike times (ms) or one list per neuron";
        if (py::isinstance<py::str>(spike_times)) type_error(tkey, expected, spike_times);
        py::sequence outer;
        try {
            outer = py::reinterpret_borrow<py::sequence>(spike_times);
            (void)py::len(outer);
        } catch (const py::error_already_set&) {
            type_error(tkey, expected, spike_times);
        }
        bool nested = false;
        for (auto item : outer)
            if (!is_number(item)) nested = true;
        if (!nested) {
            pop.spike_times.push_back(to_doubles(spike_times, tkey, expected));
        } else {
            for (auto item : outer) pop.spike_times.push_back(is_number(item) ? std::vector<double>{py::cast<double>(item)}
                                                                              : to_doubles(item, tkey, expected));
        }
    }
    transact(spec, [&] { spec.populations.push_back(std::move(pop)); }, [&] { spec.populations.pop_back(); });
    return spec.populations.size() - 1;
}

SynapseSpec make_tsodyks_markram(double U, double tau_rec, double tau_facil) {
    SynapseSpec s;
    s.kind = SynapseSpec::Kind::tsodyks_markram;
    s.U = U;
    s.tau_rec = tau_rec;
    s.tau_facil = tau_facil;
    return s;
}

// neurodyn.rate_hebbian(...): the rule of a projection between rate units
// (models/rate_hebbian.hpp). Parameters that the rule does not have are refused; the
// step-dependent limits are checked when the network is built.
SynapseSpec make_rate_hebbian(const std::string& rule, double eta, std::optional<double> decay,
                              std::optional<double> tau_theta, std::optional<double> theta_initial, double w_min,
                              double w_max) {
    SynapseSpec s;
    s.kind = SynapseSpec::Kind::rate_hebbian;
    models::RateHebbianRule& r = s.rate_hebbian;
    const auto kind = models::find_rate_hebbian_kind(rule);
    if (!kind) throw KeyError("rate_hebbian: " + models::unknown_rate_hebbian_rule(rule), "rule");
    r.kind = *kind;
    const bool decays = r.kind == models::RateHebbianKind::hebb || r.kind == models::RateHebbianKind::anti_hebbian;
    auto refuse = [&](const char* field, bool given, const char* which) {
        if (given)
            throw ValueError(std::string("rate_hebbian: the ") + rule + " rule has no parameter " + field + " (only " +
                                 which + " have it)",
                             field);
    };
    refuse("decay", decay.has_value() && !decays, "hebb and anti_hebbian");
    refuse("tau_theta", tau_theta.has_value() && r.kind != models::RateHebbianKind::bcm, "bcm");
    refuse("theta_initial", theta_initial.has_value() && r.kind != models::RateHebbianKind::bcm, "bcm");
    r.eta = eta;
    r.decay = decay.value_or(r.decay);
    r.tau_theta = tau_theta.value_or(r.tau_theta);
    r.theta_initial = theta_initial.value_or(r.theta_initial);
    r.w_min = w_min;
    r.w_max = w_max;
    r.validate("rate_hebbian", 0.0);
    return s;
}

// neurodyn.stdp(...): PyNN's SpikePairRule + a weight dependence (docs/plasticity.md).
// The spec's validate() checks the values when the network is built.
SynapseSpec make_stdp(double tau_plus, double tau_minus, double A_plus, double A_minus, const std::string& weight_dependence,
                      double w_min, double w_max, double mu_plus, double mu_minus, const std::string& pairing,
                      double dendritic_delay_fraction) {
    SynapseSpec s;
    s.kind = SynapseSpec::Kind::stdp;
    s.timing = {tau_plus, tau_minus, A_plus, A_minus, models::SpikePairing::all_to_all};
    if (pairing == "nearest_symmetric")
        s.timing.pairing = models::SpikePairing::nearest_symmetric;
    else if (pairing != "all_to_all")
        throw ValueError("stdp: unknown pairing '" + pairing + "'" + did_you_mean(pairing, {"all_to_all", "nearest_symmetric"}) +
                             " (known: all_to_all, nearest_symmetric)",
                         "pairing");
    bool known = false;
    for (const auto kind : {models::WeightDependenceKind::additive, models::WeightDependenceKind::multiplicative,
                            models::WeightDependenceKind::gutig})
        if (weight_dependence == models::weight_dependence_name(kind)) {
            s.weight_dependence.kind = kind;
            known = true;
        }
    if (!known)
        throw ValueError("stdp: unknown weight_dependence '" + weight_dependence + "'" +
                             did_you_mean(weight_dependence, {"additive", "multiplicative", "gutig"}) +
                             " (known: additive, multiplicative, gutig)",
                         "weight_dependence");
    s.weight_dependence.w_min = w_min;
    s.weight_dependence.w_max = w_max;
    s.weight_dependence.mu_plus = mu_plus;
    s.weight_dependence.mu_minus = mu_minus;
    s.dendritic_delay_fraction = dendritic_delay_fraction;
    return s;
}

// neurodyn.stdp(timing=...): the parameters each timing rule takes, and those given
// (std::nullopt: left out). A parameter of another rule is an error naming it.
struct StdpArguments {
    std::string timing;
    std::optional<double> tau_plus, tau_minus, A_plus, A_minus;
    std::string weight_dependence;
    double w_min, w_max, mu_plus, mu_minus;
    std::optional<std::string> pairing;
    double dendritic_delay_fraction;
    std::optional<double> tau_x, tau_y, A2_plus, A3_plus, A2_minus, A3_minus;
    std::optional<double> eta, tau, rho0;
    std::optional<double> tau_c, b;
    std::string modulator;
};

SynapseSpec make_stdp_rule(const StdpArguments& a) {
    const std::vector<std::pair<const char*, bool>> given{
        {"tau_plus", a.tau_plus.has_value()}, {"tau_minus", a.tau_minus.has_value()}, {"A_plus", a.A_plus.has_value()},
        {"A_minus", a.A_minus.has_value()},   {"pairing", a.pairing.has_value()},     {"tau_x", a.tau_x.has_value()},
        {"tau_y", a.tau_y.has_value()},       {"A2_plus", a.A2_plus.has_value()},     {"A3_plus", a.A3_plus.has_value()},
        {"A2_minus", a.A2_minus.has_value()}, {"A3_minus", a.A3_minus.has_value()},   {"eta", a.eta.has_value()},
        {"tau", a.tau.has_value()},           {"rho0", a.rho0.has_value()},           {"tau_c", a.tau_c.has_value()},
        {"b", a.b.has_value()},               {"modulator", !a.modulator.empty()}};
    auto only = [&](const std::vector<std::string>& allowed) {
        for (const auto& [name, is_given] : given)
            if (is_given && std::find(allowed.begin(), allowed.end(), name) == allowed.end())
                throw ValueError("stdp: '" + std::string(name) + "' is not a parameter of timing='" + a.timing +
                                     "' (its parameters: " + join(allowed) + ")",
                                 name);
    };
    if (a.timing == "spike_pair") {
        only({"tau_plus", "tau_minus", "A_plus", "A_minus", "pairing", "modulator"});
        SynapseSpec s = make_stdp(a.tau_plus.value_or(20.0), a.tau_minus.value_or(20.0), a.A_plus.value_or(0.01),
                                  a.A_minus.value_or(0.01), a.weight_dependence, a.w_min, a.w_max, a.mu_plus, a.mu_minus,
                                  a.pairing.value_or("all_to_all"), a.dendritic_delay_fraction);
        s.modulator = a.modulator;
        return s;
    }
    // The triplet and Vogels–Sprekeler rules: amounts in weight units clipped to [w_min,
    // w_max] (the additive dependence's bounds; the spec refuses another dependence).
    SynapseSpec s = make_stdp(20.0, 20.0, 0.01, 0.01, a.weight_dependence, a.w_min, a.w_max, a.mu_plus, a.mu_minus,
                              "all_to_all", a.dendritic_delay_fraction);
    if (a.timing == "triplet") {
        only({"tau_plus", "tau_x", "tau_minus", "tau_y", "A2_plus", "A3_plus", "A2_minus", "A3_minus"});
        s.timing_kind = models::StdpTimingKind::triplet;
        models::TripletRule& r = s.triplet;
        r = {a.tau_plus.value_or(r.tau_plus), a.tau_x.value_or(r.tau_x),     a.tau_minus.value_or(r.tau_minus),
             a.tau_y.value_or(r.tau_y),       a.A2_plus.value_or(r.A2_plus), a.A3_plus.value_or(r.A3_plus),
             a.A2_minus.value_or(r.A2_minus), a.A3_minus.value_or(r.A3_minus)};
        return s;
    }
    if (a.timing == "vogels_sprekeler") {
        only({"eta", "tau", "rho0"});
        s.timing_kind = models::StdpTimingKind::vogels_sprekeler;
        models::VogelsSprekelerRule& r = s.vogels_sprekeler;
        r = {a.tau.value_or(r.tau), a.eta.value_or(r.eta), a.rho0.value_or(r.rho0)};
        return s;
    }
    if (a.timing == "dopamine") {
        only({"tau_plus", "tau_minus", "A_plus", "A_minus", "tau_c", "b", "modulator"});
        s.timing_kind = models::StdpTimingKind::dopamine;
        models::DopamineRule& r = s.dopamine;
        r = {a.tau_plus.value_or(r.tau_plus), a.tau_minus.value_or(r.tau_minus), a.A_plus.value_or(r.A_plus),
             a.A_minus.value_or(r.A_minus),   a.tau_c.value_or(r.tau_c),         a.b.value_or(r.b)};
        s.modulator = a.modulator;
        return s;
    }
    const std::vector<std::string> names{"spike_pair", "triplet", "vogels_sprekeler", "dopamine"};
    throw ValueError("stdp: unknown timing '" + a.timing + "'" + did_you_mean(a.timing, names) + " (known: " + join(names) +
                         ")",
                     "timing");
}

ConnectorSpec make_connector(ConnectorSpec::Kind kind) {
    ConnectorSpec c;
    c.kind = kind;
    return c;
}

// from_list: pairs as an (n, 2), (n, 3) or (n, 4) array [source, target, weight,
// delay], or separate sources/targets/weights/delays arrays.
ConnectorSpec make_from_list(const py::object& connections, const py::object& sources, const py::object& targets,
                             const py::object& weights, const py::object& delays) {
    const std::string key = "from_list";
    ConnectorSpec c = make_connector(ConnectorSpec::Kind::from_list);
    std::vector<std::uint32_t> pre, post;
    std::vector<double> w, d;
    if (!connections.is_none()) {
        if (!sources.is_none() || !targets.is_none())
            throw ValueError(key + ": give either connections or sources and targets, not both", key);
        auto array = as_double_array(connections, key + ".connections", "an array of [source, target(, weight(, delay))] rows");
        if (array.size() == 0) return c;
        if (array.ndim() != 2 || array.shape(1) < 2 || array.shape(1) > 4)
            throw ValueError(key + ".connections: expected rows of [source, target], [source, target, weight] or "
                                   "[source, target, weight, delay], got an array of shape " +
                                 std::string(py::str(py::tuple(py::cast(std::vector<py::ssize_t>(
                                     array.shape(), array.shape() + array.ndim()))))),
                             key + ".connections");
        const auto rows = array.shape(0), columns = array.shape(1);
        for (py::ssize_t r = 0; r < rows; ++r) {
            for (int col = 0; col < 2; ++col) {
                const double x = array.at(r, col);
                const std::string element = key + ".connections[" + std::to_string(r) + "]";
                if (!(x >= 0.0) || x != static_cast<double>(static_cast<std::uint64_t>(x)) || x > 4294967295.0)
                    throw ValueError(element + ": expected an index (an integer >= 0 of at most 32 bits), got " +
                                         format_number(x),
                                     element);
            }
            pre.push_back(static_cast<std::uint32_t>(array.at(r, 0)));
            post.push_back(static_cast<std::uint32_t>(array.at(r, 1)));
            if (columns >= 3) w.push_back(array.at(r, 2));
            if (columns >= 4) d.push_back(array.at(r, 3));
        }
    } else {
        if (sources.is_none() || targets.is_none())
            throw ValueError(key + ": needs connections, or both sources and targets", key);
        pre = to_indices(sources, key + ".sources");
        post = to_indices(targets, key + ".targets");
        if (pre.size() != post.size())
            throw ValueError(key + ": " + std::to_string(pre.size()) + " sources but " + std::to_string(post.size()) +
                                 " targets; they pair up one to one",
                             key);
        if (!weights.is_none()) w = to_doubles(weights, key + ".weights", "an array of weights");
        if (!delays.is_none()) d = to_doubles(delays, key + ".delays", "an array of delays (ms)");
    }
    for (std::size_t k = 0; k < pre.size(); ++k) c.pairs.emplace_back(pre[k], post[k]);
    c.list_weights = std::move(w);
    c.list_delays = std::move(d);
    return c;
}

std::size_t add_projection(NetworkSpec& spec, const std::string& source, const std::string& target,
                           const ConnectorSpec& connector, const py::object& weight, const py::object& delay,
                           const std::string& receptor, const SynapseSpec& synapse, const std::string& name) {
    const std::string key = projection_key(spec.projections.size());
    ProjectionSpec proj;
    proj.name = name.empty() ? source + "->" + target : name;
    proj.source = source;
    proj.target = target;
    proj.connector = connector;
    proj.receptor = receptor;
    proj.synapse = synapse;
    proj.weight = to_value(weight, key + ".weight");
    proj.delay = to_value(delay, key + ".delay");
    transact(spec, [&] { spec.projections.push_back(std::move(proj)); }, [&] { spec.projections.pop_back(); });
    return spec.projections.size() - 1;
}

StimulusSpec::Kind stimulus_kind(const std::string& name) {
    static const std::vector<std::pair<std::string, StimulusSpec::Kind>> kinds = {
        {"poisson", StimulusSpec::Kind::poisson},
        {"dc", StimulusSpec::Kind::dc},
        {"step_current", StimulusSpec::Kind::step_current},
        {"ac", StimulusSpec::Kind::ac},
        {"noisy_current", StimulusSpec::Kind::noisy_current}};
    std::vector<std::string> names;
    for (const auto& [n, kind] : kinds) {
        if (n == name) return kind;
        names.push_back(n);
    }
    throw KeyError("unknown stimulus type '" + name + "'" + did_you_mean(name, names) + " (types: " + join(names) + ")");
}

void apply_stimulus_fields(StimulusSpec& stim, const std::string& key, const py::dict& fields);

// A stimulus from keyword arguments named as in the model file's [[stimulus]] table
// (noisy_current's "dt" is the interval between draws).
std::size_t add_stimulus(NetworkSpec& spec, const std::string& kind, const std::string& target, const py::dict& fields) {
    const std::string key = stimulus_key(spec.stimuli.size());
    StimulusSpec stim;
    stim.kind = stimulus_kind(kind);
    stim.target = target;
    if (stim.kind == StimulusSpec::Kind::ac) {
        stim.amplitude = 1.0;
        stim.frequency = 10.0;
    }
    if (stim.kind == StimulusSpec::Kind::noisy_current) stim.stdev = 1.0;
    apply_stimulus_fields(stim, key, fields);
    transact(spec, [&] { spec.stimuli.push_back(std::move(stim)); }, [&] { spec.stimuli.pop_back(); });
    return spec.stimuli.size() - 1;
}

// Sets the fields of `stim` named in `fields` (None leaves a field as it is).
void apply_stimulus_fields(StimulusSpec& stim, const std::string& key, const py::dict& fields) {
    for (const auto& [k, v] : fields) {
        const std::string field = py::cast<std::string>(py::str(k));
        const std::string fkey = key + "." + field;
        if (v.is_none()) continue;
        if (field == "name") stim.name = py::cast<std::string>(py::str(v));
        else if (field == "neurons") stim.neurons = to_selection(v, fkey);
        else if (field == "rate") stim.rate = to_double(v, fkey);
        else if (field == "weight") stim.weight = to_double(v, fkey);
        else if (field == "receptor") stim.receptor = py::cast<std::string>(py::str(v));
        else if (field == "amplitude") stim.amplitude = to_double(v, fkey);
        else if (field == "times") stim.times = to_doubles(v, fkey, "an array of times (ms)");
        else if (field == "amplitudes") stim.amplitudes = to_doubles(v, fkey, "an array of currents (nA)");
        else if (field == "offset") stim.offset = to_double(v, fkey);
        else if (field == "frequency") stim.frequency = to_double(v, fkey);
        else if (field == "phase") stim.phase = to_double(v, fkey);
        else if (field == "mean") stim.mean = to_double(v, fkey);
        else if (field == "stdev") stim.stdev = to_double(v, fkey);
        else if (field == "dt") stim.interval = to_double(v, fkey);
        else if (field == "start") stim.start = to_double(v, fkey);
        else if (field == "stop") stim.stop = to_double(v, fkey);
        else throw KeyError(fkey + ": unknown stimulus field '" + field + "'", fkey);
    }
}

std::size_t add_recorder(NetworkSpec& spec, const std::string& kind, const std::string& population, const py::object& neurons,
                         const std::vector<std::string>& variables, double interval) {
    const std::string key = recorder_key(spec.recorders.size());
    RecorderSpec rec;
    if (kind == "spikes")
        rec.kind = RecorderSpec::Kind::spikes;
    else if (kind == "state")
        rec.kind = RecorderSpec::Kind::state;
    else
        throw KeyError(key + ".type: unknown recorder type '" + kind + "' (types: spikes, state)", key + ".type");
    rec.population = population;
    rec.neurons = to_selection(neurons, key + ".neurons");
    rec.variables = variables;
    rec.interval = interval;
    transact(spec, [&] { spec.recorders.push_back(std::move(rec)); }, [&] { spec.recorders.pop_back(); });
    return spec.recorders.size() - 1;
}

// Gives population `index` the homeostasis `type` with the values in `fields` (target_rate,
// eta, tau, interval, min, max; None leaves the default), as the model file's
// `homeostasis = { type = ..., ... }` (docs/plasticity.md); validated at once, undone if refused.
void set_homeostasis(NetworkSpec& spec, std::size_t index, const std::string& type, const py::dict& fields) {
    if (index >= spec.populations.size())
        throw KeyError("there is no population " + std::to_string(index) + " (the network has " +
                       std::to_string(spec.populations.size()) + ")");
    const std::string key = population_key(index) + ".homeostasis";
    HomeostasisSpec h;
    std::vector<std::string> names;
    for (const auto kind : {HomeostasisSpec::Kind::adaptive_threshold, HomeostasisSpec::Kind::intrinsic,
                            HomeostasisSpec::Kind::synaptic_scaling}) {
        names.push_back(homeostasis_kind_name(kind));
        if (type == names.back()) h.kind = kind;
    }
    if (h.kind == HomeostasisSpec::Kind::none)
        throw KeyError(key + ".type: unknown homeostasis type '" + type + "'" + did_you_mean(type, names) + " (known: " +
                           join(names) + ")",
                       key + ".type");
    const bool scaling = h.kind == HomeostasisSpec::Kind::synaptic_scaling;
    for (const auto& [k, v] : fields) {
        const std::string field = py::cast<std::string>(py::str(k));
        const std::string fkey = key + "." + field;
        if (v.is_none()) continue;
        const bool applies = field == "target_rate" || field == "eta" || field == "tau" ||
                             (field == "interval" && scaling) || ((field == "min" || field == "max") && !scaling);
        if (!applies)
            throw KeyError(fkey + ": '" + field + "' does not apply to homeostasis type '" + type + "' (its keys: " +
                               (scaling ? "target_rate, eta, tau, interval" : "target_rate, eta, tau, min, max") + ")",
                           fkey);
        const double value = to_double(v, fkey);
        if (field == "target_rate") h.target_rate = value;
        else if (field == "eta") h.eta = value;
        else if (field == "tau") h.tau = value;
        else if (field == "interval") h.interval = value;
        else if (field == "min") h.min = value;
        else h.max = value;
    }
    const HomeostasisSpec old = spec.populations[index].homeostasis;
    transact(spec, [&] { spec.populations[index].homeostasis = h; }, [&] { spec.populations[index].homeostasis = old; });
}

// A weights recorder (docs/plasticity.md): `projection` is a name (str) or an index.
std::size_t add_weight_recorder(NetworkSpec& spec, const py::object& projection, const py::object& synapses, double interval) {
    const std::string key = recorder_key(spec.recorders.size());
    RecorderSpec rec;
    rec.kind = RecorderSpec::Kind::weights;
    if (py::isinstance<py::str>(projection)) {
        rec.projection = py::cast<std::string>(projection);
    } else if (py::isinstance<py::int_>(projection) && !py::isinstance<py::bool_>(projection)) {
        const auto index = py::cast<std::int64_t>(projection);
        if (index < 0)
            throw KeyError(key + ".projection: there is no projection " + std::to_string(index), key + ".projection");
        rec.projection_index = index;
    } else {
        type_error(key + ".projection", "a projection, its name or its index", projection);
    }
    const std::string synapses_key = key + ".synapses";
    py::array generic;
    if (!py::isinstance<py::str>(synapses)) {
        try {
            generic = py::array::ensure(synapses);
        } catch (const py::error_already_set&) {
        }
    }
    if (!generic || (generic.size() > 0 && generic.dtype().kind() != 'i' && generic.dtype().kind() != 'u'))
        type_error(synapses_key, "a list or array of synapse indices (integers)", synapses);
    auto values = py::array_t<std::int64_t, py::array::c_style | py::array::forcecast>::ensure(generic);
    for (py::ssize_t i = 0; i < values.size(); ++i) {
        const std::int64_t v = values.data()[i];
        const std::string element = synapses_key + "[" + std::to_string(i) + "]";
        if (v < 0) throw ValueError(element + ": expected an integer >= 0, got " + std::to_string(v), element);
        rec.synapses.push_back(static_cast<std::uint64_t>(v));
    }
    rec.interval = interval;
    transact(spec, [&] { spec.recorders.push_back(std::move(rec)); }, [&] { spec.recorders.pop_back(); });
    return spec.recorders.size() - 1;
}

// ---- the simulation ----------------------------------------------------------------

// Keeps every sample of every state probe since the start.
class TraceRecorder final : public EpochObserver {
public:
    struct Trace {
        std::size_t recorder = 0;  // index of the spec's recorder
        std::vector<double> times;
        std::vector<double> values;  // row-major [sample][neuron]
    };

    explicit TraceRecorder(const Simulator& simulator) {
        const auto& recorders = simulator.spec().recorders;
        for (std::size_t r = 0; r < recorders.size(); ++r)
            if (recorders[r].kind == RecorderSpec::Kind::state)
                for (std::size_t v = 0; v < recorders[r].variables.size(); ++v) traces_.push_back({r, {}, {}});
        if (traces_.size() != simulator.state_probes().size())
            throw InternalError("state probes do not match the spec's state recorders");
    }

    void on_epoch(const Simulator& simulator, const EpochSpikes&) override {
        const auto& probes = simulator.state_probes();
        for (std::size_t i = 0; i < probes.size(); ++i) {
            traces_[i].times.insert(traces_[i].times.end(), probes[i].pending_times.begin(), probes[i].pending_times.end());
            traces_[i].values.insert(traces_[i].values.end(), probes[i].pending_values.begin(), probes[i].pending_values.end());
        }
    }

    const std::vector<Trace>& traces() const { return traces_; }

private:
    std::vector<Trace> traces_;
};

// The SIGINT handler installed while run() is in progress sets this run's flag.
std::atomic<std::atomic<bool>*> g_sigint_flag{nullptr};
extern "C" void on_sigint(int) {
    if (std::atomic<bool>* flag = g_sigint_flag.load()) flag->store(true);
}

class Simulation {
public:
    Simulation(const NetworkSpec& spec, std::size_t shards, double memory_limit_bytes, const std::string& output,
               const std::string& model_source, const std::string& model_text, std::size_t threads) {
        BuildOptions options;
        options.shards = shards;
        options.threads = threads;
        options.memory_limit_bytes = memory_limit_bytes;
        NetworkSpec copy = spec;
        {
            py::gil_scoped_release release;
            simulator_ = std::make_unique<Simulator>(std::move(copy), options);
        }
        spikes_ = std::make_unique<SpikeRecorder>(*simulator_);
        traces_ = std::make_unique<TraceRecorder>(*simulator_);
        simulator_->add_observer(spikes_.get());
        simulator_->add_observer(traces_.get());
        if (!simulator_->weight_probes().empty()) {
            weight_traces_ = std::make_unique<WeightTraceRecorder>(*simulator_);
            simulator_->add_observer(weight_traces_.get());
        }
        // Under mpirun rank 0 writes the result file: it observes every rank's spikes and
        // state samples. A file it cannot create stops every rank.
        output_path_ = output;
        std::exception_ptr failed;
        try {
            if (!output.empty() && simulator_->communicator().rank() == 0) {
                const auto& sim = simulator_->spec().simulation;
                ResultMetadata meta{sim.dt, sim.duration, sim.seed, model_source, model_text};
                output_ = std::make_unique<Hdf5Recorder>(output, *simulator_, meta);
                simulator_->add_observer(output_.get());
            }
        } catch (...) {
            failed = std::current_exception();
        }
        simulator_->communicator().agree(failed);
    }

    ~Simulation() {
        try {
            if (output_) output_->file().close();
        } catch (...) {
        }
    }

    py::dict run(double duration_ms, bool handle_sigint) {
        check_idle();
        std::atomic<bool> interrupt{false};
        RunControl control;
        control.interrupt = &interrupt;
        struct sigaction previous {};
        bool installed = false;
        if (handle_sigint && sigaction(SIGINT, nullptr, &previous) == 0 && previous.sa_handler != SIG_IGN) {
            struct sigaction action {};
            action.sa_handler = on_sigint;
            sigemptyset(&action.sa_mask);
            g_sigint_flag.store(&interrupt);
            installed = sigaction(SIGINT, &action, nullptr) == 0;
        }
        auto restore = [&] {
            if (installed) sigaction(SIGINT, &previous, nullptr);
            g_sigint_flag.store(nullptr);
            running_ = false;
        };
        running_ = true;
        RunResult result;
        try {
            py::gil_scoped_release release;
            result = simulator_->run(duration_ms, control);
        } catch (...) {
            restore();
            throw;
        }
        restore();
        run_seconds_ += result.wall_seconds;
        const bool interrupted = result.interrupted || interrupt.load();
        if (output_) write_output(!interrupted);
        if (interrupted) {
            const std::string message = "simulation interrupted at t = " + format_number(simulator_->time_ms()) +
                                        " ms; it can be continued with run()";
            PyErr_SetString(PyExc_KeyboardInterrupt, message.c_str());
            throw py::error_already_set();
        }
        py::dict out;
        out["steps"] = result.steps;
        out["wall_seconds"] = result.wall_seconds;
        return out;
    }

    py::tuple spikes(const std::string& population) const {
        check_idle();
        simulator_->population(population);  // KeyError for an unknown name
        const SpikeTrains& trains = spikes_->spikes(population);
        std::vector<double> times(trains.times_ms);
        std::vector<std::int64_t> ids(trains.ids.begin(), trains.ids.end());
        return py::make_tuple(to_numpy(std::move(times)), to_numpy(std::move(ids)));
    }

    // Homeostasis: current parameter values (v_thresh, i_offset move) and rate estimates.
    py::array_t<double> get_param(const std::string& population, const std::string& parameter) const {
        check_idle();
        return to_numpy(simulator_->get_param(population, parameter));
    }

    py::array_t<double> homeostasis_rates(const std::string& population) const {
        check_idle();
        return to_numpy(simulator_->homeostasis_rates(population));
    }

    py::array_t<double> get_state(const std::string& population, const std::string& variable) const {
        check_idle();
        return to_numpy(simulator_->get_state(population, variable));
    }

    void set_state(const std::string& population, const std::string& variable, const py::object& values) {
        check_idle();
        const PopulationLayout& pop = simulator_->population(population);
        const std::string what = "values of " + variable;
        std::vector<double> data;
        if (is_number(values)) {
            data.assign(pop.size, py::cast<double>(values));
        } else {
            auto array = as_double_array(values, "set_state", "a number or an array of " + std::to_string(pop.size) + " numbers");
            data.assign(array.data(), array.data() + array.size());
        }
        simulator_->set_state(population, variable, data);
    }

    std::vector<std::string> projection_names() const {
        check_idle();
        std::vector<std::string> names;
        for (const auto& projection : simulator_->spec().projections) names.push_back(projection.name);
        return names;
    }

    // The synapses of projection `index` as four arrays (source, target: population
    // indices; weight as the engine stores it; delay in ms, whole steps).
    py::dict connections(std::size_t index) const {
        check_idle();
        const auto synapses = simulator_->connections(index);
        std::vector<std::int64_t> sources(synapses.size()), targets(synapses.size());
        std::vector<double> weights(synapses.size()), delays(synapses.size());
        const double dt = simulator_->dt();
        for (std::size_t k = 0; k < synapses.size(); ++k) {
            sources[k] = synapses[k].source;
            targets[k] = synapses[k].target;
            weights[k] = synapses[k].weight;
            delays[k] = synapses[k].delay_steps * dt;
        }
        py::dict out;
        out["source"] = to_numpy(std::move(sources));
        out["target"] = to_numpy(std::move(targets));
        out["weight"] = to_numpy(std::move(weights));
        out["delay"] = to_numpy(std::move(delays));
        return out;
    }

    // The current weights of projection `index` (STDP: changed by the rule), in the
    // order of connections(index).
    py::array_t<double> weights(std::size_t index) {
        check_idle();
        return to_numpy(simulator_->weights(index));
    }

    // Dopamine rule: the eligibility traces, in the order of connections(index).
    py::array_t<double> eligibilities(std::size_t index) {
        check_idle();
        return to_numpy(simulator_->eligibilities(index));
    }

    // A release of `amount` into modulator `name` now (at = None) or at time `at` (ms,
    // not before now).
    void modulate(const std::string& name, double amount, std::optional<double> at) {
        check_idle();
        simulator_->modulate(name, amount, at.value_or(-1.0));
    }

    double modulator_value(const std::string& name) const { return simulator_->modulator_value(name); }

    void set_weights(std::size_t index, const py::object& values) {
        check_idle();
        const std::string key = "projection[" + std::to_string(index) + "].weight";
        auto array = as_double_array(values, key, "an array of one weight per synapse");
        std::vector<double> data(array.data(), array.data() + array.size());
        simulator_->set_weights(index, data);
    }

    void set_param(const std::string& population, const std::string& parameter, const py::object& values) {
        check_idle();
        const PopulationLayout& pop = simulator_->population(population);
        std::vector<double> data;
        if (is_number(values)) {
            data.assign(pop.size, py::cast<double>(values));
        } else {
            auto array = as_double_array(values, "set_param", "a number or an array of " + std::to_string(pop.size) + " numbers");
            data.assign(array.data(), array.data() + array.size());
        }
        simulator_->set_param(population, parameter, data);
    }

    // Changes the fields of stimulus `index` named in `fields` (as in add_stimulus).
    void set_stimulus(std::size_t index, const py::dict& fields) {
        check_idle();
        const auto& stimuli = simulator_->spec().stimuli;
        if (index >= stimuli.size())
            throw KeyError("there is no stimulus " + std::to_string(index) + " (the network has " +
                           std::to_string(stimuli.size()) + ")");
        StimulusSpec stim = stimuli[index];
        if (fields.contains("stop") && fields["stop"].is_none()) stim.stop = -1.0;  // None: until the end
        apply_stimulus_fields(stim, stimulus_key(index), fields);
        simulator_->set_stimulus(index, stim);
    }

    py::dict stimulus(std::size_t index) const {
        const auto& stimuli = simulator_->spec().stimuli;
        if (index >= stimuli.size())
            throw KeyError("there is no stimulus " + std::to_string(index) + " (the network has " +
                           std::to_string(stimuli.size()) + ")");
        const StimulusSpec& s = stimuli[index];
        py::dict out;
        out["kind"] = stimulus_kind_name(s.kind);
        out["name"] = s.name;
        out["target"] = s.target;
        out["rate"] = s.rate;
        out["weight"] = s.weight;
        out["amplitude"] = s.amplitude;
        out["times"] = s.times;
        out["amplitudes"] = s.amplitudes;
        out["offset"] = s.offset;
        out["frequency"] = s.frequency;
        out["phase"] = s.phase;
        out["mean"] = s.mean;
        out["stdev"] = s.stdev;
        out["dt"] = s.interval;
        out["start"] = s.start;
        out["stop"] = s.stop < 0 ? py::object(py::none()) : py::object(py::float_(s.stop));
        return out;
    }

    // (times, values [samples x neurons], neurons, unit) of every trace of `variable`
    // of `population`, one per state recorder that samples it.
    py::list traces(const std::string& population, const std::string& variable) const {
        check_idle();
        simulator_->population(population);
        py::list out;
        const auto& probes = simulator_->state_probes();
        const auto& traces = traces_->traces();
        for (std::size_t i = 0; i < probes.size(); ++i) {
            if (probes[i].population != population || probes[i].variable != variable) continue;
            const auto columns = static_cast<py::ssize_t>(probes[i].neurons.size());
            const auto rows = static_cast<py::ssize_t>(traces[i].times.size());
            std::vector<double> times(traces[i].times), values(traces[i].values);
            std::vector<std::int64_t> neurons(probes[i].neurons.begin(), probes[i].neurons.end());
            out.append(py::make_tuple(to_numpy(std::move(times)), to_numpy(std::move(values), {rows, columns}),
                                      to_numpy(std::move(neurons)), probes[i].unit, traces[i].recorder));
        }
        return out;
    }

    // The samples of the weights recorder that is recorder `recorder` of the spec:
    // (times, values [samples x synapses], synapses, projection index, unit).
    py::tuple weight_trace(std::size_t recorder) const {
        check_idle();
        const auto& probes = simulator_->weight_probes();
        for (std::size_t i = 0; i < probes.size(); ++i) {
            if (probes[i].recorder != recorder) continue;
            const auto& trace = weight_traces_->traces()[i];
            const auto rows = static_cast<py::ssize_t>(trace.times.size());
            const auto columns = static_cast<py::ssize_t>(probes[i].synapses.size());
            std::vector<double> times(trace.times), values(trace.values);
            std::vector<std::int64_t> synapses(probes[i].synapses.begin(), probes[i].synapses.end());
            return py::make_tuple(to_numpy(std::move(times)), to_numpy(std::move(values), {rows, columns}),
                                  to_numpy(std::move(synapses)), probes[i].projection,
                                  weight_unit(simulator_->spec(), probes[i].projection));
        }
        throw KeyError("recorder " + std::to_string(recorder) + " is not a weights recorder");
    }

    // (recorder index, projection index) of every weights recorder, in spec order.
    py::list weight_recorders() const {
        py::list out;
        for (const auto& probe : simulator_->weight_probes()) out.append(py::make_tuple(probe.recorder, probe.projection));
        return out;
    }

    py::list recorded_states() const {
        py::list out;
        for (const auto& probe : simulator_->state_probes()) out.append(py::make_tuple(probe.population, probe.variable));
        return out;
    }

    bool records_spikes(const std::string& population) const { return spikes_->records(population); }

    // How many neurons of `population` the spike recorders select (0 when none do).
    std::uint64_t spike_recorded_count(const std::string& population) const {
        const PopulationLayout& pop = simulator_->population(population);
        std::vector<bool> selected(pop.size, false);
        for (const auto& rec : simulator_->spec().recorders) {
            if (rec.kind != RecorderSpec::Kind::spikes || rec.population != population) continue;
            if (rec.neurons.empty()) return pop.size;
            for (const auto id : rec.neurons) selected[id] = true;
        }
        return static_cast<std::uint64_t>(std::count(selected.begin(), selected.end(), true));
    }

    py::list populations() const {
        py::list out;
        for (const auto& pop : simulator_->populations()) out.append(py::make_tuple(pop.name, pop.model, pop.size));
        return out;
    }

    py::dict spike_counts() const {
        check_idle();
        py::dict out;
        const auto counts = simulator_->spike_counts();
        const auto& pops = simulator_->populations();
        for (std::size_t p = 0; p < pops.size(); ++p) out[py::str(pops[p].name)] = p < counts.size() ? counts[p] : 0;
        return out;
    }

    py::dict phase_times() const {
        const PhaseTimes& phases = simulator_->phase_times();
        py::dict out;
        out["update"] = phases.update;
        out["input"] = phases.input;
        out["delivery"] = phases.delivery;
        out["exchange"] = phases.exchange;
        out["record"] = phases.record;
        return out;
    }

    void close() {
        check_idle();
        if (output_) {
            output_->file().close();
            output_.reset();
        }
    }

    const Simulator& simulator() const { return *simulator_; }
    double run_seconds() const { return run_seconds_; }
    std::string output_path() const { return output_path_; }
    void check_idle() const {
        if (running_) throw std::runtime_error("the simulation is running in another thread; wait for run() to return");
    }

private:
    void write_output(bool complete) {
        Hdf5ResultFile& file = output_->file();
        const Simulator& sim = *simulator_;
        file.set_summary("build_time_s", sim.build_seconds());
        file.set_summary("run_time_s", run_seconds_);
        file.set_summary("synapses", static_cast<double>(sim.synapse_count()));
        file.set_summary("peak_memory_mb", peak_resident_bytes() / 1e6);
        const auto counts = sim.spike_counts();
        for (std::size_t p = 0; p < sim.populations().size(); ++p) {
            const auto& pop = sim.populations()[p];
            const std::uint64_t n = p < counts.size() ? counts[p] : 0;
            file.set_summary(pop.name + ".rate_hz", analysis::mean_rate_hz(n, pop.size, sim.time_ms()));
            file.set_summary(pop.name + ".spikes", static_cast<double>(n));
        }
        output_->finish(sim, complete, complete ? "" : "interrupted by the user (SIGINT)");
    }

    std::unique_ptr<Simulator> simulator_;
    std::unique_ptr<SpikeRecorder> spikes_;
    std::unique_ptr<TraceRecorder> traces_;
    std::unique_ptr<WeightTraceRecorder> weight_traces_;  // only when there are weights recorders
    std::unique_ptr<Hdf5Recorder> output_;
    std::string output_path_;
    double run_seconds_ = 0.0;
    std::atomic<bool> running_{false};
};

py::dict model_description(const ModelInfo& model) {
    auto fields = [](std::span<const FieldInfo> list) {
        py::list out;
        for (const auto& f : list) {
            py::dict d;
            d["name"] = std::string(f.name);
            d["unit"] = std::string(f.unit);
            d["default"] = f.choices.empty() ? py::object(py::float_(f.default_value))
                                             : py::object(py::str(std::string(f.choices[static_cast<std::size_t>(f.default_value)])));
            d["bound"] = std::string(bound_text(f.bound));
            d["doc"] = std::string(f.doc);
            if (!f.choices.empty()) {
                py::list choices;
                for (const auto& c : f.choices) choices.append(std::string(c));
                d["choices"] = choices;
            }
            out.append(d);
        }
        return out;
    };
    py::dict d;
    d["name"] = std::string(model.name);
    d["doc"] = std::string(model.doc);
    d["params"] = fields(model.params);
    d["state"] = fields(model.state);
    d["receptors"] = model.port_names();
    d["weight_unit"] = std::string(port_kind_unit(model.port_kind));
    d["spike_source"] = model.spike_source;
    return d;
}

}  // namespace

void bind_analysis(py::module_& m);  // analysis.cpp: the submodule _core.analysis
void bind_reservoir(py::module_& m);  // reservoir.cpp: the submodule _core.reservoir
void bind_training(py::module_& m);   // training.cpp: the submodule _core.training
void bind_event_training(py::module_& m);  // event_training.cpp: EventProp and learnable delays
void bind_hebbian(py::module_& m);  // hebbian.cpp: the submodule _core.hebbian (rate-based Hebbian rules)

PYBIND11_MODULE(_core, m) {
    m.doc() = "neurodyn's C++ engine (use the `neurodyn` package rather than this module)";
    m.attr("__version__") = NEURODYN_VERSION;
    py::register_exception_translator(&translate_exception);
    bind_analysis(m);
    bind_reservoir(m);
    bind_training(m);
    bind_event_training(m);
    bind_hebbian(m);

    m.def(
        "set_error_classes",
        [](py::object value, py::object key, py::object file, py::object file_not_found, py::object memory,
           py::object internal) {
            // Kept for the life of the process.
            g_errors = {value.release().ptr(), key.release().ptr(),    file.release().ptr(),
                        file_not_found.release().ptr(), memory.release().ptr(), internal.release().ptr()};
        },
        "Sets the Python classes neurodyn's errors are raised as (done by the package).");

    // ---- values ----
    py::class_<Distribution>(m, "Distribution", "A random distribution, drawn independently per neuron or synapse.")
        .def_property_readonly("kind", [](const Distribution& d) { return distribution_kind_name(d.kind); })
        .def_readonly("low", &Distribution::low)
        .def_readonly("high", &Distribution::high)
        .def_readonly("mean", &Distribution::mean)
        .def_readonly("std", &Distribution::std)
        .def("__repr__", [](const Distribution& d) { return "neurodyn." + d.describe(); });
    m.def("uniform", &Distribution::uniform, py::arg("low"), py::arg("high"), "Uniform on [low, high).");
    m.def("normal", &Distribution::normal, py::arg("mean"), py::arg("std"), "Normal with mean and standard deviation.");
    m.def("normal_clipped", &Distribution::normal_clipped, py::arg("mean"), py::arg("std"),
          py::arg("low") = -std::numeric_limits<double>::infinity(), py::arg("high") = std::numeric_limits<double>::infinity(),
          "Normal, redrawn until inside [low, high] (PyNN's normal_clipped).");
    m.def("exponential", &Distribution::exponential, py::arg("mean"), "Exponential with that mean on [0, inf).");

    // ---- connectors and synapses ----
    py::class_<ConnectorSpec>(m, "Connector", "How the pairs of a projection are chosen.")
        .def_property_readonly("kind", [](const ConnectorSpec& c) { return connector_kind_name(c.kind); })
        .def_readonly("p", &ConnectorSpec::probability)
        .def_readonly("n", &ConnectorSpec::number)
        .def_readonly("allow_autapses", &ConnectorSpec::allow_autapses)
        .def_readonly("allow_multapses", &ConnectorSpec::allow_multapses)
        .def("__len__", [](const ConnectorSpec& c) { return c.pairs.size(); })
        .def("__repr__", [](const ConnectorSpec& c) {
            std::ostringstream out;
            out << "neurodyn." << connector_kind_name(c.kind) << "(";
            switch (c.kind) {
                case ConnectorSpec::Kind::fixed_probability: out << c.probability << ", "; break;
                case ConnectorSpec::Kind::fixed_number_pre:
                case ConnectorSpec::Kind::fixed_number_post:
                case ConnectorSpec::Kind::fixed_total_number: out << c.number << ", "; break;
                case ConnectorSpec::Kind::from_list: out << "<" << c.pairs.size() << " connections>)"; return out.str();
                default: break;
            }
            out << "allow_autapses=" << (c.allow_autapses ? "True" : "False");
            if (c.kind == ConnectorSpec::Kind::fixed_number_pre || c.kind == ConnectorSpec::Kind::fixed_number_post ||
                c.kind == ConnectorSpec::Kind::fixed_total_number)
                out << ", allow_multapses=" << (c.allow_multapses ? "True" : "False");
            out << ")";
            return out.str();
        });
    m.def(
        "all_to_all",
        [](bool autapses) {
            auto c = make_connector(ConnectorSpec::Kind::all_to_all);
            c.allow_autapses = autapses;
            return c;
        },
        py::arg("allow_autapses") = true);
    m.def("one_to_one", [] { return make_connector(ConnectorSpec::Kind::one_to_one); });
    m.def(
        "fixed_probability",
        [](double p, bool autapses) {
            auto c = make_connector(ConnectorSpec::Kind::fixed_probability);
            c.probability = p;
            c.allow_autapses = autapses;
            return c;
        },
        py::arg("p"), py::arg("allow_autapses") = true);
    auto fixed_number = [](ConnectorSpec::Kind kind) {
        return [kind](std::int64_t n, bool autapses, bool multapses) {
            if (n < 0) throw ValueError("connector.n: expected an integer >= 0, got " + std::to_string(n), "connector.n");
            auto c = make_connector(kind);
            c.number = static_cast<std::uint64_t>(n);
            c.allow_autapses = autapses;
            c.allow_multapses = multapses;
            return c;
        };
    };
    m.def("fixed_number_pre", fixed_number(ConnectorSpec::Kind::fixed_number_pre), py::arg("n"),
          py::arg("allow_autapses") = true, py::arg("allow_multapses") = false);
    m.def("fixed_number_post", fixed_number(ConnectorSpec::Kind::fixed_number_post), py::arg("n"),
          py::arg("allow_autapses") = true, py::arg("allow_multapses") = false);
    // Multapses by default: NEST's fixed_total_number has no other mode.
    m.def("fixed_total_number", fixed_number(ConnectorSpec::Kind::fixed_total_number), py::arg("n"),
          py::arg("allow_autapses") = true, py::arg("allow_multapses") = true);
    m.def("from_list", &make_from_list, py::arg("connections") = py::none(), py::kw_only(), py::arg("sources") = py::none(),
          py::arg("targets") = py::none(), py::arg("weights") = py::none(), py::arg("delays") = py::none());

    py::class_<SynapseSpec>(m, "Synapse", "The synapse type of a projection.")
        .def_property_readonly("kind",
                               [](const SynapseSpec& s) {
                                   switch (s.kind) {
                                       case SynapseSpec::Kind::static_synapse: return "static";
                                       case SynapseSpec::Kind::stdp: return "stdp";
                                       case SynapseSpec::Kind::rate_hebbian: return "rate_hebbian";
                                       case SynapseSpec::Kind::tsodyks_markram: break;
                                   }
                                   return "tsodyks_markram";
                               })
        .def_readonly("U", &SynapseSpec::U)
        .def_readonly("tau_rec", &SynapseSpec::tau_rec)
        .def_readonly("tau_facil", &SynapseSpec::tau_facil)
        .def_property_readonly("stdp_parameters",
                               [](const SynapseSpec& s) {
                                   py::dict d;
                                   d["timing"] = models::stdp_timing_name(s.timing_kind);
                                   d["w_min"] = s.weight_dependence.w_min;  // every rule's bounds
                                   d["w_max"] = s.weight_dependence.w_max;
                                   if (s.timing_kind == models::StdpTimingKind::triplet) {
                                       const auto& t = s.triplet;
                                       d["tau_plus"] = t.tau_plus;
                                       d["tau_x"] = t.tau_x;
                                       d["tau_minus"] = t.tau_minus;
                                       d["tau_y"] = t.tau_y;
                                       d["A2_plus"] = t.A2_plus;
                                       d["A3_plus"] = t.A3_plus;
                                       d["A2_minus"] = t.A2_minus;
                                       d["A3_minus"] = t.A3_minus;
                                       return d;
                                   }
                                   if (s.timing_kind == models::StdpTimingKind::dopamine) {
                                       const auto& t = s.dopamine;
                                       d["tau_plus"] = t.tau_plus;
                                       d["tau_minus"] = t.tau_minus;
                                       d["A_plus"] = t.A_plus;
                                       d["A_minus"] = t.A_minus;
                                       d["tau_c"] = t.tau_c;
                                       d["b"] = t.b;
                                       d["modulator"] = s.modulator;
                                       return d;
                                   }
                                   if (s.timing_kind == models::StdpTimingKind::vogels_sprekeler) {
                                       const auto& t = s.vogels_sprekeler;
                                       d["eta"] = t.eta;
                                       d["tau"] = t.tau;
                                       d["rho0"] = t.rho0;
                                       d["alpha"] = t.alpha();
                                       return d;
                                   }
                                   d["tau_plus"] = s.timing.tau_plus;
                                   d["tau_minus"] = s.timing.tau_minus;
                                   d["A_plus"] = s.timing.A_plus;
                                   d["A_minus"] = s.timing.A_minus;
                                   d["pairing"] = models::spike_pairing_name(s.timing.pairing);
                                   d["weight_dependence"] = models::weight_dependence_name(s.weight_dependence.kind);
                                   d["mu_plus"] = s.weight_dependence.mu_plus;
                                   d["mu_minus"] = s.weight_dependence.mu_minus;
                                   d["dendritic_delay_fraction"] = s.dendritic_delay_fraction;
                                   return d;
                               })
        .def_property_readonly("rate_hebbian_parameters",
                               [](const SynapseSpec& s) {
                                   const auto& r = s.rate_hebbian;
                                   py::dict d;
                                   d["rule"] = models::rate_hebbian_name(r.kind);
                                   d["eta"] = r.eta;
                                   d["decay"] = r.decay;
                                   d["tau_theta"] = r.tau_theta;
                                   d["theta_initial"] = r.theta_initial;
                                   d["w_min"] = r.w_min;
                                   d["w_max"] = r.w_max;
                                   return d;
                               })
        .def("__repr__", [](const SynapseSpec& s) {
            if (s.kind == SynapseSpec::Kind::static_synapse) return std::string("neurodyn.static_synapse()");
            if (s.kind == SynapseSpec::Kind::rate_hebbian) {
                const auto& r = s.rate_hebbian;
                std::string out = "neurodyn.rate_hebbian(rule='" + std::string(models::rate_hebbian_name(r.kind)) +
                                  "', eta=" + format_number(r.eta);
                if (r.kind == models::RateHebbianKind::hebb || r.kind == models::RateHebbianKind::anti_hebbian)
                    out += ", decay=" + format_number(r.decay);
                if (r.kind == models::RateHebbianKind::bcm)
                    out += ", tau_theta=" + format_number(r.tau_theta) + ", theta_initial=" + format_number(r.theta_initial);
                return out + ", w_min=" + format_number(r.w_min) + ", w_max=" + format_number(r.w_max) + ")";
            }
            if (s.kind == SynapseSpec::Kind::stdp && s.timing_kind == models::StdpTimingKind::triplet) {
                const auto& t = s.triplet;
                return "neurodyn.stdp(timing='triplet', tau_plus=" + format_number(t.tau_plus) + ", tau_x=" + format_number(t.tau_x) +
                       ", tau_minus=" + format_number(t.tau_minus) + ", tau_y=" + format_number(t.tau_y) +
                       ", A2_plus=" + format_number(t.A2_plus) + ", A3_plus=" + format_number(t.A3_plus) +
                       ", A2_minus=" + format_number(t.A2_minus) + ", A3_minus=" + format_number(t.A3_minus) +
                       ", w_min=" + format_number(s.weight_dependence.w_min) +
                       ", w_max=" + format_number(s.weight_dependence.w_max) + ")";
            }
            if (s.kind == SynapseSpec::Kind::stdp && s.timing_kind == models::StdpTimingKind::vogels_sprekeler) {
                const auto& t = s.vogels_sprekeler;
                return "neurodyn.stdp(timing='vogels_sprekeler', eta=" + format_number(t.eta) + ", tau=" + format_number(t.tau) +
                       ", rho0=" + format_number(t.rho0) + ", w_min=" + format_number(s.weight_dependence.w_min) +
                       ", w_max=" + format_number(s.weight_dependence.w_max) + ")";
            }
            if (s.kind == SynapseSpec::Kind::stdp) {
                const auto& t = s.timing;
                const auto& w = s.weight_dependence;
                std::string out = "neurodyn.stdp(tau_plus=" + format_number(t.tau_plus) + ", tau_minus=" +
                                  format_number(t.tau_minus) + ", A_plus=" + format_number(t.A_plus) + ", A_minus=" +
                                  format_number(t.A_minus) + ", weight_dependence='" +
                                  models::weight_dependence_name(w.kind) + "', w_min=" + format_number(w.w_min) +
                                  ", w_max=" + format_number(w.w_max);
                if (w.kind == models::WeightDependenceKind::gutig)
                    out += ", mu_plus=" + format_number(w.mu_plus) + ", mu_minus=" + format_number(w.mu_minus);
                return out + ", pairing='" + models::spike_pairing_name(t.pairing) + "')";
            }
            return "neurodyn.tsodyks_markram(U=" + format_number(s.U) + ", tau_rec=" + format_number(s.tau_rec) +
                   ", tau_facil=" + format_number(s.tau_facil) + ")";
        });
    m.def("static_synapse", [] { return SynapseSpec{}; });
    m.def("tsodyks_markram", &make_tsodyks_markram, py::arg("U") = 0.5, py::arg("tau_rec") = 100.0, py::arg("tau_facil") = 0.0);
    m.def("rate_hebbian", &make_rate_hebbian,
          "Hebbian plasticity between rate units, applied every step (docs/plasticity.md, 'Hebbian plasticity of rate "
          "projections'). rule: 'hebb' (dw/dt = eta (x y - decay w)), 'anti_hebbian' (-eta (x y + decay w)), 'oja' "
          "(eta y (x - y w)) or 'bcm' (eta x y (y - theta), tau_theta dtheta/dt = y^2 - theta); eta in 1/ms; weights "
          "clipped to [w_min, w_max]. Source and target must be rate units (LeakyRate).",
          py::arg("rule") = "oja", py::kw_only(), py::arg("eta") = 0.001, py::arg("decay") = py::none(),
          py::arg("tau_theta") = py::none(), py::arg("theta_initial") = py::none(),
          py::arg("w_min") = -std::numeric_limits<double>::infinity(),
          py::arg("w_max") = std::numeric_limits<double>::infinity());
    m.def(
        "stdp",
        [](const std::string& timing, std::optional<double> tau_plus, std::optional<double> tau_minus,
           std::optional<double> A_plus, std::optional<double> A_minus, const std::string& weight_dependence, double w_min,
           double w_max, double mu_plus, double mu_minus, std::optional<std::string> pairing, double dendritic_delay_fraction,
           std::optional<double> tau_x, std::optional<double> tau_y, std::optional<double> A2_plus,
           std::optional<double> A3_plus, std::optional<double> A2_minus, std::optional<double> A3_minus,
           std::optional<double> eta, std::optional<double> tau, std::optional<double> rho0, std::optional<double> tau_c,
           std::optional<double> b, const std::string& modulator) {
            return make_stdp_rule({timing, tau_plus, tau_minus, A_plus, A_minus, weight_dependence, w_min, w_max, mu_plus,
                                   mu_minus, pairing, dendritic_delay_fraction, tau_x, tau_y, A2_plus, A3_plus, A2_minus,
                                   A3_minus, eta, tau, rho0, tau_c, b, modulator});
        },
        "Spike-timing-dependent plasticity (docs/plasticity.md). timing='spike_pair' (default): PyNN's SpikePairRule "
        "(tau_plus=20, tau_minus=20, A_plus=0.01, A_minus=0.01, pairing) with an additive, multiplicative or gutig "
        "weight dependence. timing='triplet': Pfister & Gerstner's all-to-all triplet rule, NEST stdp_triplet_synapse "
        "(tau_plus=16.8, tau_x=101, tau_minus=33.7, tau_y=125, A2_plus=5e-10, A3_plus=6.2e-3, A2_minus=7e-3, "
        "A3_minus=2.3e-4). timing='vogels_sprekeler': Vogels et al. 2011 inhibitory plasticity, NEST "
        "vogels_sprekeler_synapse (eta=1e-3, tau=20, rho0=5 Hz; alpha = 2 rho0 tau). The triplet and "
        "vogels_sprekeler amplitudes are in weight units and weights are clipped to [w_min, w_max]. "
        "timing='dopamine': Izhikevich 2007's three-factor rule, NEST stdp_dopamine_synapse (tau_plus=20, "
        "tau_minus=20, A_plus=1, A_minus=1.5, tau_c=1000, b=0), read from `modulator` (a Network.modulator name); "
        "a spike_pair rule with a modulator scales its depression by the modulator's value.",
        py::kw_only(), py::arg("timing") = "spike_pair", py::arg("tau_plus") = py::none(), py::arg("tau_minus") = py::none(),
        py::arg("A_plus") = py::none(), py::arg("A_minus") = py::none(), py::arg("weight_dependence") = "additive",
        py::arg("w_min") = 0.0, py::arg("w_max") = 1.0, py::arg("mu_plus") = 0.5, py::arg("mu_minus") = 0.5,
        py::arg("pairing") = py::none(), py::arg("dendritic_delay_fraction") = 1.0, py::arg("tau_x") = py::none(),
        py::arg("tau_y") = py::none(), py::arg("A2_plus") = py::none(), py::arg("A3_plus") = py::none(),
        py::arg("A2_minus") = py::none(), py::arg("A3_minus") = py::none(), py::arg("eta") = py::none(),
        py::arg("tau") = py::none(), py::arg("rho0") = py::none(), py::arg("tau_c") = py::none(), py::arg("b") = py::none(),
        py::arg("modulator") = "");

    // ---- the spec ----
    py::class_<NetworkSpec>(m, "Spec", "A network description (NetworkSpec); filled by neurodyn.Network.")
        .def(py::init([](double dt, std::int64_t seed, double duration) {
                 if (seed < 0) throw ValueError("simulation.seed: expected an integer >= 0, got " + std::to_string(seed), "simulation.seed");
                 NetworkSpec spec;
                 spec.simulation.dt = dt;
                 spec.simulation.seed = static_cast<std::uint64_t>(seed);
                 spec.simulation.duration = duration;
                 spec.validate();
                 return spec;
             }),
             py::arg("dt"), py::arg("seed"), py::arg("duration"))
        .def_property_readonly("dt", [](const NetworkSpec& s) { return s.simulation.dt; })
        .def_property_readonly("seed", [](const NetworkSpec& s) { return s.simulation.seed; })
        .def_property_readonly("duration", [](const NetworkSpec& s) { return s.simulation.duration; })
        .def("set_seed",
             [](NetworkSpec& s, std::int64_t seed) {
                 if (seed < 0) throw ValueError("simulation.seed: expected an integer >= 0, got " + std::to_string(seed), "simulation.seed");
                 s.simulation.seed = static_cast<std::uint64_t>(seed);
             })
        .def("set_duration",
             [](NetworkSpec& s, double duration) {
                 const double old = s.simulation.duration;
                 transact(s, [&] { s.simulation.duration = duration; }, [&] { s.simulation.duration = old; });
             })
        .def("add_population", &add_population, py::arg("name"), py::arg("model"), py::arg("size"), py::arg("params"),
             py::arg("initial"), py::arg("spike_times"))
        .def("add_projection", &add_projection, py::arg("source"), py::arg("target"), py::arg("connector"), py::arg("weight"),
             py::arg("delay"), py::arg("receptor"), py::arg("synapse"), py::arg("name"))
        .def("add_stimulus", &add_stimulus, py::arg("kind"), py::arg("target"), py::arg("fields"))
        .def("add_recorder", &add_recorder, py::arg("kind"), py::arg("population"), py::arg("neurons"), py::arg("variables"),
             py::arg("interval"))
        .def("set_homeostasis", &set_homeostasis, py::arg("index"), py::arg("type"), py::arg("fields"))
        .def("add_weight_recorder", &add_weight_recorder, py::arg("projection"), py::arg("synapses"), py::arg("interval"))
        .def("add_modulator",
             [](NetworkSpec& s, const std::string& name, const std::vector<std::pair<std::string, double>>& sources, double tau,
                double baseline, double initial, const std::vector<double>& release_times,
                const std::vector<double>& release_amounts) {
                 ModulatorSpec m{name, sources, tau, baseline, initial, release_times, release_amounts};
                 transact(s, [&] { s.modulators.push_back(std::move(m)); }, [&] { s.modulators.pop_back(); });
             },
             py::arg("name"), py::arg("sources"), py::arg("tau"), py::arg("baseline"), py::arg("initial"),
             py::arg("release_times"), py::arg("release_amounts"))
        .def("validate", [](const NetworkSpec& s) { s.validate(); })
        .def("check", [](const NetworkSpec& s) { check_network(s); })
        .def("populations",
             [](const NetworkSpec& s) {
                 py::list out;
                 for (const auto& p : s.populations) out.append(py::make_tuple(p.name, p.model, p.size));
                 return out;
             })
        .def("projections",
             [](const NetworkSpec& s) {
                 py::list out;
                 for (const auto& p : s.projections) out.append(py::make_tuple(p.name, p.source, p.target, p.receptor));
                 return out;
             })
        .def_property_readonly("n_stimuli", [](const NetworkSpec& s) { return s.stimuli.size(); })
        .def_property_readonly("n_recorders", [](const NetworkSpec& s) { return s.recorders.size(); })
        .def("copy", [](const NetworkSpec& s) { return NetworkSpec(s); });

    m.def(
        "load_model_file", [](const std::string& path, std::optional<double> scale) { return load_model_file(path, scale); },
        py::arg("path"), py::arg("scale") = py::none(),
        "Reads and validates a TOML model file into a Spec.");
    m.def(
        "parse_model_text", [](const std::string& text, const std::string& name) { return parse_model_text(text, name); },
        py::arg("text"), py::arg("source_name") = "<string>");

    m.def(
        "mpi_rank", [] { return Communicator::world().rank(); },
        "This process's rank in a run started by mpirun (0 otherwise).");
    m.def(
        "mpi_size", [] { return Communicator::world().size(); },
        "The number of processes of a run started by mpirun (1 otherwise).");
    m.def("built_with_mpi", &Communicator::built_with_mpi, "Whether this build can run distributed under mpirun.");
    m.def("model_names", [] {
        std::vector<std::string> names;
        for (const ModelInfo* model : all_models()) names.emplace_back(model->name);
        return names;
    });
    m.def("describe_model", [](const std::string& name) { return model_description(find_model(name)); }, py::arg("name"));

    // ---- the simulation ----
    py::class_<Simulation>(m, "Simulation", "A built network (use neurodyn.Network.build()).")
        .def(py::init<const NetworkSpec&, std::size_t, double, const std::string&, const std::string&, const std::string&,
                      std::size_t>(),
             py::arg("spec"), py::arg("shards") = 1, py::arg("memory_limit_bytes") = 0.0, py::arg("output") = "",
             py::arg("model_source") = "python", py::arg("model_text") = "", py::arg("threads") = 1)
        .def("run", &Simulation::run, py::arg("duration"), py::arg("handle_sigint"))
        .def("spikes", &Simulation::spikes, py::arg("population"))
        .def("get_state", &Simulation::get_state, py::arg("population"), py::arg("variable"))
        .def("set_state", &Simulation::set_state, py::arg("population"), py::arg("variable"), py::arg("values"))
        .def("set_param", &Simulation::set_param, py::arg("population"), py::arg("parameter"), py::arg("values"))
        .def("get_param", &Simulation::get_param, py::arg("population"), py::arg("parameter"))
        .def("homeostasis_rates", &Simulation::homeostasis_rates, py::arg("population"))
        .def("connections", &Simulation::connections, py::arg("index"))
        .def("weights", &Simulation::weights, py::arg("index"))
        .def("set_weights", &Simulation::set_weights, py::arg("index"), py::arg("values"))
        .def("modulate", &Simulation::modulate, py::arg("name"), py::arg("amount"), py::arg("at"))
        .def("modulator_value", &Simulation::modulator_value, py::arg("name"))
        .def("eligibilities", &Simulation::eligibilities, py::arg("index"))
        .def("projection_names", &Simulation::projection_names)
        .def("set_stimulus", &Simulation::set_stimulus, py::arg("index"), py::arg("fields"))
        .def("stimulus", &Simulation::stimulus, py::arg("index"))
        .def("traces", &Simulation::traces, py::arg("population"), py::arg("variable"))
        .def("recorded_states", &Simulation::recorded_states)
        .def("weight_trace", &Simulation::weight_trace, py::arg("recorder"))
        .def("weight_recorders", &Simulation::weight_recorders)
        .def("records_spikes", &Simulation::records_spikes, py::arg("population"))
        .def("spike_recorded_count", &Simulation::spike_recorded_count, py::arg("population"))
        .def("populations", &Simulation::populations)
        .def("spike_counts", &Simulation::spike_counts)
        .def("phase_times", &Simulation::phase_times)
        .def("close", &Simulation::close)
        .def_property_readonly("output", &Simulation::output_path)
        .def_property_readonly("time", [](const Simulation& s) {
            s.check_idle();
            return s.simulator().time_ms();
        })
        .def_property_readonly("step", [](const Simulation& s) {
            s.check_idle();
            return s.simulator().current_step();
        })
        .def_property_readonly("dt", [](const Simulation& s) { return s.simulator().dt(); })
        .def_property_readonly("duration", [](const Simulation& s) { return s.simulator().spec().simulation.duration; })
        .def_property_readonly("seed", [](const Simulation& s) { return s.simulator().spec().simulation.seed; })
        .def_property_readonly("min_delay", [](const Simulation& s) {
            return ms_from_steps(s.simulator().min_delay_steps(), s.simulator().dt());
        })
        .def_property_readonly("synapse_count", [](const Simulation& s) { return s.simulator().synapse_count(); })
        .def_property_readonly("synapse_bytes", [](const Simulation& s) { return s.simulator().synapse_bytes(); })
        .def_property_readonly("synaptic_events", [](const Simulation& s) {
            s.check_idle();
            return s.simulator().synaptic_events();
        })
        .def_property_readonly("estimated_bytes", [](const Simulation& s) { return s.simulator().estimated_bytes(); })
        .def_property_readonly("build_seconds", [](const Simulation& s) { return s.simulator().build_seconds(); })
        .def_property_readonly("run_seconds", &Simulation::run_seconds)
        .def_property_readonly("spec", [](const Simulation& s) { return NetworkSpec(s.simulator().spec()); });
}
