#include "neurodyn/io/model_file.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <limits>
#include <optional>
#include <sstream>
#include <tuple>
#include <utility>
#include <vector>

#include "neurodyn/core/error.hpp"
#include "neurodyn/core/strings.hpp"
#include "neurodyn/models/registry.hpp"

// The reader checks only what is particular to TOML: node types, unknown and missing
// keys, type names, NaN/inf literals and integer ranges. Everything about the network
// itself (ranges, references, relations) is checked once, by NetworkSpec::validate();
// its errors are given the file position of the key they name.

namespace neurodyn {

namespace {

using KeyList = std::vector<std::string>;

constexpr std::uint64_t kMaxIndex = std::numeric_limits<std::uint32_t>::max();

std::string child_key(const std::string& key, std::string_view name) {
    return key.empty() ? std::string(name) : key + "." + std::string(name);
}

std::string element_key(const std::string& key, std::size_t index) { return key + "[" + std::to_string(index) + "]"; }

// One level up a key path: "a.b[2].c" -> "a.b[2]" -> "a.b" -> "a" -> "".
std::string parent_key(const std::string& key) {
    if (key.empty()) return {};
    const std::size_t cut = key.back() == ']' ? key.rfind('[') : key.rfind('.');
    return cut == std::string::npos ? std::string{} : key.substr(0, cut);
}

bool contains(const KeyList& list, std::string_view name) {
    return std::find(list.begin(), list.end(), name) != list.end();
}

// "string 'big'", "integer -3", "a table": what a node holds, for type errors.
std::string describe(const toml::node& node) {
    switch (node.type()) {
        case toml::node_type::string: {
            std::string text = node.as_string()->get();
            if (text.size() > 40) text = text.substr(0, 37) + "...";
            return "string '" + text + "'";
        }
        case toml::node_type::integer: return "integer " + std::to_string(node.as_integer()->get());
        case toml::node_type::floating_point: return "floating-point " + format_number(node.as_floating_point()->get());
        case toml::node_type::boolean: return std::string("boolean ") + (node.as_boolean()->get() ? "true" : "false");
        case toml::node_type::table: return "a table";
        case toml::node_type::array: return "an array";
        case toml::node_type::date: return "a date";
        case toml::node_type::time: return "a time";
        case toml::node_type::date_time: return "a date-time";
        case toml::node_type::none: break;
    }
    return "nothing";
}

// Rethrows `error` as its own class with a new message and the same key.
[[noreturn]] void rethrow_with_message(const UserError& error, const std::string& message) {
    if (dynamic_cast<const ValueError*>(&error)) throw ValueError(message, error.key());
    if (dynamic_cast<const KeyError*>(&error)) throw KeyError(message, error.key());
    if (dynamic_cast<const FileError*>(&error)) throw FileError(message, error.key());
    if (dynamic_cast<const MemoryLimitError*>(&error)) throw MemoryLimitError(message, error.key());
    if (dynamic_cast<const Interrupted*>(&error)) throw Interrupted(message, error.key());
    throw UserError(message, error.key());
}

// The keys a table accepts when its keys depend on a type name it holds (a connector's
// `type`, a distribution's `distribution`): those of that type besides the common ones.
struct KindKeys {
    std::string name;
    KeyList keys;
    KeyList required;
};

const std::vector<KindKeys>& connector_kinds() {
    static const std::vector<KindKeys> kinds{
        {"all_to_all", {"allow_autapses"}, {}},
        {"one_to_one", {}, {}},
        {"fixed_probability", {"p", "allow_autapses"}, {"p"}},
        {"fixed_number_pre", {"n", "allow_autapses", "allow_multapses"}, {"n"}},
        {"fixed_number_post", {"n", "allow_autapses", "allow_multapses"}, {"n"}},
        {"from_list", {"connections"}, {"connections"}},
        {"fixed_total_number", {"n", "allow_autapses", "allow_multapses"}, {"n"}},
    };
    return kinds;
}

const std::vector<KindKeys>& synapse_kinds() {
    static const std::vector<KindKeys> kinds{
        {"static", {}, {}},
        {"tsodyks_markram", {"U", "tau_rec", "tau_facil"}, {}},
        {"stdp", {"timing", "weight_dependence", "dendritic_delay_fraction", "modulator"}, {"timing", "weight_dependence"}},
        {"rate_hebbian", {"rule", "eta", "decay", "tau_theta", "theta_initial", "w_min", "w_max"}, {"rule"}},
    };
    return kinds;
}

// The parts of an stdp synapse (docs/plasticity.md).
const std::vector<KindKeys>& stdp_timing_kinds() {
    static const std::vector<KindKeys> kinds{
        {"spike_pair", {"tau_plus", "tau_minus", "A_plus", "A_minus", "pairing"}, {}},
        {"triplet", {"tau_plus", "tau_x", "tau_minus", "tau_y", "A2_plus", "A3_plus", "A2_minus", "A3_minus"}, {}},
        {"vogels_sprekeler", {"tau", "eta", "rho0"}, {}},
        {"dopamine", {"tau_plus", "tau_minus", "A_plus", "A_minus", "tau_c", "b"}, {}},
    };
    return kinds;
}

const std::vector<KindKeys>& stdp_weight_dependence_kinds() {
    static const std::vector<KindKeys> kinds{
        {"additive", {"w_min", "w_max"}, {}},
        {"multiplicative", {"w_min", "w_max"}, {}},
        {"gutig", {"w_min", "w_max", "mu_plus", "mu_minus"}, {}},
    };
    return kinds;
}

const std::vector<KindKeys>& stimulus_kinds() {
    static const std::vector<KindKeys> kinds{
        {"poisson", {"rate", "weight", "receptor"}, {}},
        {"dc", {"amplitude"}, {}},
        {"step_current", {"times", "amplitudes"}, {"times", "amplitudes"}},
        {"ac", {"amplitude", "offset", "frequency", "phase"}, {}},
        {"noisy_current", {"mean", "stdev", "dt"}, {}},
    };
    return kinds;
}

const std::vector<KindKeys>& recorder_kinds() {
    static const std::vector<KindKeys> kinds{
        {"spikes", {}, {}},
        {"state", {"variables", "interval"}, {}},
        {"weights", {"projection", "synapses", "interval"}, {"projection", "synapses", "interval"}},
    };
    return kinds;
}

const std::vector<KindKeys>& distribution_kinds() {
    static const std::vector<KindKeys> kinds{
        {"uniform", {"low", "high"}, {"low", "high"}},
        {"normal", {"mean", "std"}, {"mean", "std"}},
        {"normal_clipped", {"mean", "std", "low", "high"}, {"mean", "std", "low", "high"}},
        {"exponential", {"mean"}, {"mean"}},
    };
    return kinds;
}

// Shape of a weight or delay matrix: rows are source neurons, columns target neurons.
struct MatrixShape {
    std::uint64_t sources = 0;
    std::uint64_t targets = 0;
};

class ModelFileReader {
public:
    ModelFileReader(const toml::table& root, const std::string& source_name, std::optional<double> scale_override)
        : root_(root), source_name_(source_name), scale_override_(scale_override) {}

    NetworkSpec read() {
        check_keys(root_, "", "at the top level of the file",
                   {"simulation", "network", "population", "projection", "stimulus", "record", "modulator"});
        if (const toml::node* node = root_.get("simulation")) read_simulation(as_table(*node, "simulation"));
        double scale = 1.0;
        if (const toml::node* node = root_.get("network")) scale = read_network(as_table(*node, "network"));
        for_each_table("population", [&](const toml::table& t, const std::string& key) { read_population(t, key); });
        for_each_table("modulator", [&](const toml::table& t, const std::string& key) { read_modulator(t, key); });
        for_each_table("projection", [&](const toml::table& t, const std::string& key) { read_projection(t, key); });
        for_each_table("stimulus", [&](const toml::table& t, const std::string& key) { read_stimulus(t, key); });
        for_each_table("record", [&](const toml::table& t, const std::string& key) { read_recorder(t, key); });
        try {
            // The file's sizes are checked as written, so that an error names what the
            // file says; then the network is scaled and checked again as it will be built.
            if (scale_override_ || scale != 1.0) spec_.validate();
            apply_scale(spec_, scale_override_.value_or(scale));
            spec_.validate();
        } catch (const UserError& error) {
            rethrow_with_message(error, position_of(error.key()) + error.what());
        }
        return std::move(spec_);
    }

private:
    const toml::table& root_;
    const std::string& source_name_;
    std::optional<double> scale_override_;
    NetworkSpec spec_;

    // ---- positions and errors --------------------------------------------------

    std::string position(const toml::source_position& where) const {
        // toml++ counts lines and columns from 1; 0 means "unknown" (never for parsed nodes).
        return source_name_ + ":" + std::to_string(std::max<std::uint32_t>(where.line, 1)) + ":" +
               std::to_string(std::max<std::uint32_t>(where.column, 1)) + ": ";
    }

    // "file:line:col: " of the entry a validate() key names, or of the nearest enclosing
    // entry present in the file when the value was left at its default.
    std::string position_of(std::string key) const {
        while (!key.empty()) {
            if (const toml::node* node = toml::at_path(root_, key).node()) return position(node->source().begin);
            key = parent_key(key);
        }
        return position(root_.source().begin);
    }

    template <class Error>
    [[noreturn]] void fail(const toml::source_region& where, const std::string& key, const std::string& problem) const {
        throw Error(position(where.begin) + (key.empty() ? "" : key + ": ") + problem, key);
    }

    [[noreturn]] void type_error(const toml::node& node, const std::string& key, std::string_view expected) const {
        std::string problem = "expected " + std::string(expected) + ", got " + describe(node);
        fail<ValueError>(node.source(), key, problem);
    }

    // ---- keys ------------------------------------------------------------------

    // Every key of `table` must be in `allowed`; `where` says which table it is.
    void check_keys(const toml::table& table, const std::string& key, std::string_view where,
                    const KeyList& allowed) const {
        for (const auto& [name, node] : table) {
            if (contains(allowed, name.str())) continue;
            const std::string suggestion = did_you_mean(name.str(), allowed);
            fail<KeyError>(name.source(), child_key(key, name.str()),
                           "unknown key '" + std::string(name.str()) + "' " + std::string(where) +
                               (suggestion.empty() ? " (known keys: " + join(allowed) + ")" : suggestion));
        }
    }

    const toml::node& required(const toml::table& table, const std::string& key, std::string_view name,
                               const std::string& hint = {}) const {
        if (const toml::node* node = table.get(name)) return *node;
        fail<KeyError>(table.source(), key, "missing required key '" + std::string(name) + "'" + hint);
    }

    // Reads the type name of a table whose accepted keys depend on it and checks its
    // keys against that type; `what` names the kind of type ("connector type").
    const KindKeys& read_kind(const toml::table& table, const std::string& key, std::string_view where,
                              std::string_view type_key, std::string_view what, const KeyList& common,
                              const std::vector<KindKeys>& kinds) const {
        KeyList all_keys = common;
        KeyList names;
        for (const KindKeys& kind : kinds) {
            names.push_back(kind.name);
            for (const auto& k : kind.keys)
                if (!contains(all_keys, k)) all_keys.push_back(k);
        }
        // Unknown keys first, so that a misspelt type key is reported as a typo.
        check_keys(table, key, where, all_keys);
        const std::string type_path = child_key(key, type_key);
        const std::string name = read_string(
            required(table, key, type_key, " (" + std::string(what) + "s: " + join(names) + ")"), type_path);
        const auto found = std::find_if(kinds.begin(), kinds.end(), [&](const KindKeys& k) { return k.name == name; });
        if (found == kinds.end())
            fail<KeyError>(table.get(type_key)->source(), type_path,
                           "unknown " + std::string(what) + " '" + name + "'" + did_you_mean(name, names) +
                               " (known: " + join(names) + ")");
        KeyList own = common;
        own.insert(own.end(), found->keys.begin(), found->keys.end());
        for (const auto& [k, node] : table)
            if (!contains(own, k.str()))
                fail<KeyError>(k.source(), child_key(key, k.str()),
                               "key '" + std::string(k.str()) + "' does not apply to " + std::string(what) + " '" +
                                   name + "' (its keys: " + join(own) + ")");
        for (const auto& k : found->required) required(table, key, k, " for " + std::string(what) + " '" + name + "'");
        return *found;
    }

    template <class ReadOne>
    void for_each_table(const std::string& name, ReadOne&& read_one) {
        const toml::node* node = root_.get(name);
        if (!node) return;
        const toml::array* array = node->as_array();
        if (!array) type_error(*node, name, "an array of tables (one [[" + name + "]] section each)");
        for (std::size_t i = 0; i < array->size(); ++i) {
            const std::string key = element_key(name, i);
            read_one(as_table((*array)[i], key), key);
        }
    }

    // ---- scalars ---------------------------------------------------------------

    const toml::table& as_table(const toml::node& node, const std::string& key) const {
        if (const toml::table* table = node.as_table()) return *table;
        type_error(node, key, "a table");
    }

    const toml::array& as_array(const toml::node& node, const std::string& key, std::string_view expected) const {
        if (const toml::array* array = node.as_array()) return *array;
        type_error(node, key, expected);
    }

    std::string read_string(const toml::node& node, const std::string& key) const {
        if (const auto* value = node.as_string()) return value->get();
        type_error(node, key, "a string");
    }

    bool read_bool(const toml::node& node, const std::string& key) const {
        if (const auto* value = node.as_boolean()) return value->get();
        type_error(node, key, "a boolean (true or false)");
    }

    // A float or an integer; NaN is refused everywhere, infinity unless `allow_infinite`.
    double read_number(const toml::node& node, const std::string& key, bool allow_infinite = false) const {
        double value = 0.0;
        if (const auto* integer = node.as_integer())
            value = static_cast<double>(integer->get());
        else if (const auto* floating = node.as_floating_point())
            value = floating->get();
        else
            type_error(node, key, "a number");
        if (std::isnan(value) || (std::isinf(value) && !allow_infinite))
            fail<ValueError>(node.source(), key, "expected a finite number, got " + format_number(value));
        return value;
    }

    std::int64_t read_integer(const toml::node& node, const std::string& key) const {
        if (const auto* integer = node.as_integer()) return integer->get();
        if (const auto* floating = node.as_floating_point();
            floating && std::isfinite(floating->get()) && std::trunc(floating->get()) == floating->get())
            fail<ValueError>(node.source(), key,
                             "expected an integer, got floating-point " + format_number(floating->get()) +
                                 " (write it without a decimal point or exponent)");
        type_error(node, key, "an integer");
    }

    std::uint64_t read_count(const toml::node& node, const std::string& key) const {
        const std::int64_t value = read_integer(node, key);
        if (value < 0) fail<ValueError>(node.source(), key, "expected an integer >= 0, got " + std::to_string(value));
        return static_cast<std::uint64_t>(value);
    }

    // A neuron index: stored as 32 bits in the engine.
    std::uint32_t read_index(const toml::node& node, const std::string& key) const {
        const std::uint64_t value = read_count(node, key);
        if (value > kMaxIndex)
            fail<ValueError>(node.source(), key,
                             "index " + std::to_string(value) + " is too large (indices are 32-bit, at most " +
                                 std::to_string(kMaxIndex) + ")");
        return static_cast<std::uint32_t>(value);
    }

    double read_optional_number(const toml::table& table, const std::string& key, std::string_view name,
                                double fallback) const {
        const toml::node* node = table.get(name);
        return node ? read_number(*node, child_key(key, name)) : fallback;
    }

    // ---- composite values ------------------------------------------------------

    Distribution read_distribution(const toml::table& table, const std::string& key) const {
        const KindKeys& kind = read_kind(table, key, "in a distribution table", "distribution", "distribution",
                                         {"distribution"}, distribution_kinds());
        auto number = [&](std::string_view name, bool allow_infinite = false) {
            return read_number(*table.get(name), child_key(key, name), allow_infinite);
        };
        if (kind.name == "uniform") return Distribution::uniform(number("low"), number("high"));
        if (kind.name == "normal") return Distribution::normal(number("mean"), number("std"));
        if (kind.name == "exponential") return Distribution::exponential(number("mean"));
        // normal_clipped may be clipped on one side only: low = -inf or high = inf.
        return Distribution::normal_clipped(number("mean"), number("std"), number("low", true), number("high", true));
    }

    std::vector<double> read_numbers(const toml::array& array, const std::string& key) const {
        std::vector<double> values;
        values.reserve(array.size());
        for (std::size_t i = 0; i < array.size(); ++i) values.push_back(read_number(array[i], element_key(key, i)));
        return values;
    }

    // A constant, a distribution table or one number per element. With `matrix` set
    // (weights and delays), an array may also be given as rows, one per source neuron;
    // `matrix` holds the expected shape when both populations are known.
    ValueSpec read_value(const toml::node& node, const std::string& key, bool allow_matrix = false,
                         std::optional<MatrixShape> shape = std::nullopt) const {
        if (node.is_number()) return read_number(node, key);
        if (const toml::table* table = node.as_table()) return read_distribution(*table, key);
        const toml::array* array = node.as_array();
        if (!array)
            type_error(node, key,
                       allow_matrix ? "a number, a distribution table or an array (flat or one row per source neuron)"
                                    : "a number, a distribution table or an array with one number per neuron");
        if (!allow_matrix || array->empty() || !(*array)[0].is_array()) return read_numbers(*array, key);

        if (shape && array->size() != shape->sources)
            fail<ValueError>(node.source(), key,
                             "has " + std::to_string(array->size()) + " rows, expected one per source neuron (" +
                                 std::to_string(shape->sources) + ")");
        std::vector<double> values;
        std::size_t row_length = 0;
        for (std::size_t i = 0; i < array->size(); ++i) {
            const std::string row_key = element_key(key, i);
            const toml::array& row = as_array((*array)[i], row_key, "a row of numbers (as the first row)");
            const std::vector<double> row_values = read_numbers(row, row_key);
            if (i == 0) row_length = row_values.size();
            if (shape && row_values.size() != shape->targets)
                fail<ValueError>(row.source(), row_key,
                                 "row has " + std::to_string(row_values.size()) +
                                     " values, expected one per target neuron (" + std::to_string(shape->targets) +
                                     ")");
            if (row_values.size() != row_length)
                fail<ValueError>(row.source(), row_key,
                                 "row has " + std::to_string(row_values.size()) + " values but row 0 has " +
                                     std::to_string(row_length));
            values.insert(values.end(), row_values.begin(), row_values.end());
        }
        return values;
    }

    // name -> value pairs of a params or initial table; the names are checked against
    // the model by validate().
    std::vector<std::pair<std::string, ValueSpec>> read_value_table(const toml::node& node,
                                                                    const std::string& key) const {
        std::vector<std::pair<std::string, ValueSpec>> values;
        for (const auto& [name, value] : as_table(node, key))
            values.emplace_back(std::string(name.str()), read_value(value, child_key(key, name.str())));
        return values;
    }

    const PopulationSpec* find_population(const std::string& name) const {
        const int index = spec_.population_index(name);
        return index < 0 ? nullptr : &spec_.populations[static_cast<std::size_t>(index)];
    }

    // A list of indices, or a range table { start = 0, stop = N, step = 1 } (stop exclusive).
    std::vector<std::uint32_t> read_neurons(const toml::node& node, const std::string& key,
                                            const std::string& population) const {
        std::vector<std::uint32_t> neurons;
        if (const toml::array* list = node.as_array()) {
            for (std::size_t i = 0; i < list->size(); ++i)
                neurons.push_back(read_index((*list)[i], element_key(key, i)));
            if (neurons.empty())
                fail<ValueError>(node.source(), key, "selects no neurons; leave the key out to select all neurons");
            return neurons;
        }
        const toml::table* range = node.as_table();
        if (!range) type_error(node, key, "a list of neuron indices or a range table { start, stop, step }");
        check_keys(*range, key, "in a neuron range", {"start", "stop", "step"});
        const std::uint64_t start = range->get("start") ? read_index(*range->get("start"), child_key(key, "start")) : 0;
        const std::string stop_key = child_key(key, "stop");
        const toml::node& stop_node = required(*range, key, "stop", " (the range is start <= i < stop)");
        const std::uint64_t stop = read_count(stop_node, stop_key);
        if (stop > kMaxIndex + 1)
            fail<ValueError>(stop_node.source(), stop_key,
                             "stop " + std::to_string(stop) + " is too large (indices are 32-bit, at most " +
                                 std::to_string(kMaxIndex) + ")");
        const std::uint64_t step = range->get("step") ? read_count(*range->get("step"), child_key(key, "step")) : 1;
        if (step == 0)
            fail<ValueError>(range->get("step")->source(), child_key(key, "step"), "step must be >= 1, got 0");
        if (stop <= start)
            fail<ValueError>(node.source(), key,
                             "range selects no neurons: stop (" + std::to_string(stop) + ") must be > start (" +
                                 std::to_string(start) + "); leave the key out to select all neurons");
        // Expand only up to the first index outside the population, so that a stop far
        // too large is reported by validate() as that out-of-range index instead of
        // allocating billions of indices. When the population is unknown, validate()
        // rejects the reference before it looks at the indices.
        const PopulationSpec* target = find_population(population);
        if (target == nullptr || target->size > kMaxIndex + 1) return neurons;
        for (std::uint64_t i = start; i < stop; i += step) {
            neurons.push_back(static_cast<std::uint32_t>(i));
            if (i >= target->size) break;
        }
        return neurons;
    }

    // One list of spike times shared by all neurons, or one list per neuron (ms).
    std::vector<std::vector<double>> read_spike_times(const toml::node& node, const std::string& key) const {
        const toml::array& array =
            as_array(node, key, "an array of spike times (ms), or an array of such arrays, one per neuron");
        if (array.empty()) return {};
        if (!array[0].is_array()) return {read_numbers(array, key)};
        std::vector<std::vector<double>> lists;
        for (std::size_t i = 0; i < array.size(); ++i) {
            const std::string list_key = element_key(key, i);
            lists.push_back(read_numbers(
                as_array(array[i], list_key, "an array of spike times (ms), as the first entry"), list_key));
        }
        return lists;
    }

    // ---- sections --------------------------------------------------------------

    void read_simulation(const toml::table& table) {
        const std::string key = "simulation";
        check_keys(table, key, "in [simulation]", {"dt", "duration", "seed"});
        SimulationSpec& sim = spec_.simulation;
        sim.dt = read_optional_number(table, key, "dt", sim.dt);
        sim.duration = read_optional_number(table, key, "duration", sim.duration);
        if (const toml::node* seed = table.get("seed")) sim.seed = read_count(*seed, "simulation.seed");
    }

    // [network]: settings of the network as a whole. Returns its scale (1 when left out).
    double read_network(const toml::table& table) const {
        const std::string key = "network";
        check_keys(table, key, "in [network]", {"scale"});
        const toml::node* node = table.get("scale");
        if (!node) return 1.0;
        const double scale = read_number(*node, "network.scale");
        if (!(scale > 0.0))
            fail<ValueError>(node->source(), "network.scale", "scale must be > 0, got " + format_number(scale));
        return scale;
    }

    // A parameter chosen by name, e.g. transfer = "tanh": stored as the name's index.
    ValueSpec read_choice(const toml::node& node, const std::string& key, const FieldInfo& field) const {
        std::vector<std::string> names(field.choices.begin(), field.choices.end());
        const auto* text = node.as_string();
        if (!text) type_error(node, key, "one of the names " + join(names));
        const std::string choice = text->get();
        const int index = field.choice_index(choice);
        if (index < 0)
            fail<ValueError>(node.source(), key,
                             "unknown " + std::string(field.name) + " '" + choice + "'" + did_you_mean(choice, names) +
                                 " (choices: " + join(names) + ")");
        return ValueSpec(static_cast<double>(index));
    }

    void read_population(const toml::table& table, const std::string& key) {
        check_keys(table, key, "in [[population]]",
                   {"name", "model", "size", "params", "initial", "spike_times", "homeostasis"});
        PopulationSpec pop;
        pop.name = read_string(required(table, key, "name"), child_key(key, "name"));
        pop.model = read_string(required(table, key, "model"), child_key(key, "model"));
        pop.size = read_count(required(table, key, "size"), child_key(key, "size"));
        if (const toml::node* node = table.get("params")) {
            const std::string params_key = child_key(key, "params");
            const ModelInfo* model = nullptr;
            for (const ModelInfo* candidate : all_models())
                if (candidate->name == pop.model) model = candidate;
            for (const auto& [name, value] : as_table(*node, params_key)) {
                const std::string value_key = child_key(params_key, name.str());
                const int index = model ? model->param_index(name.str()) : -1;
                if (index >= 0 && !model->params[static_cast<std::size_t>(index)].choices.empty())
                    pop.params.emplace_back(std::string(name.str()),
                                            read_choice(value, value_key, model->params[static_cast<std::size_t>(index)]));
                else
                    pop.params.emplace_back(std::string(name.str()), read_value(value, value_key));
            }
        }
        if (const toml::node* node = table.get("initial"))
            pop.initial = read_value_table(*node, child_key(key, "initial"));
        if (const toml::node* node = table.get("spike_times"))
            pop.spike_times = read_spike_times(*node, child_key(key, "spike_times"));
        if (const toml::node* node = table.get("homeostasis"))
            pop.homeostasis = read_homeostasis(*node, child_key(key, "homeostasis"));
        spec_.populations.push_back(std::move(pop));
    }

    // `homeostasis = { type = "adaptive_threshold", target_rate = 5.0, eta = 0.1, tau = 1000.0 }`
    // (docs/plasticity.md); target_rate and eta are required, the rest has defaults.
    HomeostasisSpec read_homeostasis(const toml::node& node, const std::string& key) const {
        static const std::vector<KindKeys> kinds{
            {"adaptive_threshold", {"target_rate", "eta", "tau", "min", "max"}, {"target_rate", "eta"}},
            {"intrinsic", {"target_rate", "eta", "tau", "min", "max"}, {"target_rate", "eta"}},
            {"synaptic_scaling", {"target_rate", "eta", "tau", "interval"}, {"target_rate", "eta"}},
        };
        const toml::table& table = as_table(node, key);
        const KindKeys& kind = read_kind(table, key, "in a homeostasis table", "type", "homeostasis type", {"type"}, kinds);
        HomeostasisSpec h;
        for (const auto candidate : {HomeostasisSpec::Kind::adaptive_threshold, HomeostasisSpec::Kind::intrinsic,
                                     HomeostasisSpec::Kind::synaptic_scaling})
            if (kind.name == homeostasis_kind_name(candidate)) h.kind = candidate;
        h.target_rate = read_number(*table.get("target_rate"), child_key(key, "target_rate"));
        h.eta = read_number(*table.get("eta"), child_key(key, "eta"));
        h.tau = read_optional_number(table, key, "tau", h.tau);
        h.interval = read_optional_number(table, key, "interval", h.interval);
        h.min = read_optional_number(table, key, "min", h.min);
        h.max = read_optional_number(table, key, "max", h.max);
        return h;
    }

    ConnectorSpec read_connector(const toml::node& node, const std::string& key) const {
        const toml::table& table = as_table(node, key);
        const KindKeys& kind = read_kind(table, key, "in a connector", "type", "connector type",
                                         {"type", "allow_autapses", "allow_multapses"}, connector_kinds());
        ConnectorSpec c;
        for (auto k : {ConnectorSpec::Kind::all_to_all, ConnectorSpec::Kind::one_to_one,
                       ConnectorSpec::Kind::fixed_probability, ConnectorSpec::Kind::fixed_number_pre,
                       ConnectorSpec::Kind::fixed_number_post, ConnectorSpec::Kind::from_list,
                       ConnectorSpec::Kind::fixed_total_number})
            if (connector_kind_name(k) == kind.name) c.kind = k;
        // NEST's fixed_total_number draws with replacement (it has no other mode), and the
        // Potjans-Diesmann model relies on it: multapses are its default.
        c.allow_multapses = c.kind == ConnectorSpec::Kind::fixed_total_number;
        if (const toml::node* p = table.get("p")) c.probability = read_number(*p, child_key(key, "p"));
        if (const toml::node* n = table.get("n")) c.number = read_count(*n, child_key(key, "n"));
        if (const toml::node* a = table.get("allow_autapses"))
            c.allow_autapses = read_bool(*a, child_key(key, "allow_autapses"));
        if (const toml::node* m = table.get("allow_multapses"))
            c.allow_multapses = read_bool(*m, child_key(key, "allow_multapses"));
        if (const toml::node* list = table.get("connections"))
            read_connection_list(*list, child_key(key, "connections"), c);
        return c;
    }

    // [[i, j], ...], [[i, j, weight], ...] or [[i, j, weight, delay], ...]: one form for all.
    void read_connection_list(const toml::node& node, const std::string& key, ConnectorSpec& c) const {
        const toml::array& list = as_array(node, key, "an array of connections [source, target(, weight(, delay))]");
        std::size_t form = 0;
        for (std::size_t k = 0; k < list.size(); ++k) {
            const std::string entry_key = element_key(key, k);
            const toml::array& entry = as_array(list[k], entry_key,
                                                "a connection [source, target], [source, target, weight] or "
                                                "[source, target, weight, delay]");
            if (entry.size() < 2 || entry.size() > 4)
                fail<ValueError>(entry.source(), entry_key,
                                 "a connection has 2 to 4 entries [source, target(, weight(, delay))], got " +
                                     std::to_string(entry.size()));
            if (k == 0) form = entry.size();
            if (entry.size() != form)
                fail<ValueError>(entry.source(), entry_key,
                                 "has " + std::to_string(entry.size()) + " entries but connection 0 has " +
                                     std::to_string(form) + "; every connection must have the same form");
            c.pairs.emplace_back(read_index(entry[0], element_key(entry_key, 0)),
                                 read_index(entry[1], element_key(entry_key, 1)));
            if (form >= 3) c.list_weights.push_back(read_number(entry[2], element_key(entry_key, 2)));
            if (form == 4) c.list_delays.push_back(read_number(entry[3], element_key(entry_key, 3)));
        }
    }

    // `synapse = { type = "tsodyks_markram", U = 0.5, tau_rec = 100.0, tau_facil = 0.0 }`;
    // PyNN's defaults for the keys left out.
    SynapseSpec read_synapse(const toml::node& node, const std::string& key) const {
        const toml::table& table = as_table(node, key);
        const KindKeys& kind = read_kind(table, key, "in a synapse", "type", "synapse type", {"type"}, synapse_kinds());
        SynapseSpec synapse;
        if (kind.name == "tsodyks_markram") synapse.kind = SynapseSpec::Kind::tsodyks_markram;
        if (kind.name == "stdp") {
            synapse.kind = SynapseSpec::Kind::stdp;
            read_stdp(table, key, synapse);
            return synapse;
        }
        if (kind.name == "rate_hebbian") {
            synapse.kind = SynapseSpec::Kind::rate_hebbian;
            read_rate_hebbian(table, key, synapse.rate_hebbian);
            return synapse;
        }
        synapse.U = read_optional_number(table, key, "U", synapse.U);
        synapse.tau_rec = read_optional_number(table, key, "tau_rec", synapse.tau_rec);
        synapse.tau_facil = read_optional_number(table, key, "tau_facil", synapse.tau_facil);
        return synapse;
    }

    // `synapse = { type = "stdp", timing = { type = "spike_pair", ... }, weight_dependence =
    // { type = "additive", ... } }`; PyNN's defaults for the numbers left out.
    void read_stdp(const toml::table& table, const std::string& key, SynapseSpec& synapse) const {
        const std::string timing_key = child_key(key, "timing");
        const toml::table& timing = as_table(*table.get("timing"), timing_key);
        const KindKeys& timing_kind = read_kind(timing, timing_key, "in an stdp timing dependence", "type",
                                                "timing dependence", {"type"}, stdp_timing_kinds());
        for (const auto candidate : {models::StdpTimingKind::spike_pair, models::StdpTimingKind::triplet,
                                     models::StdpTimingKind::vogels_sprekeler, models::StdpTimingKind::dopamine})
            if (timing_kind.name == models::stdp_timing_name(candidate)) synapse.timing_kind = candidate;
        // Each rule reads its own keys (read_kind has refused the others).
        switch (synapse.timing_kind) {
            case models::StdpTimingKind::spike_pair: read_spike_pair(timing, timing_key, synapse.timing); break;
            case models::StdpTimingKind::triplet: read_triplet(timing, timing_key, synapse.triplet); break;
            case models::StdpTimingKind::vogels_sprekeler:
                read_vogels_sprekeler(timing, timing_key, synapse.vogels_sprekeler);
                break;
            case models::StdpTimingKind::dopamine: read_dopamine(timing, timing_key, synapse.dopamine); break;
        }
        read_weight_dependence(table, key, synapse);
        if (const toml::node* modulator = table.get("modulator"))
            synapse.modulator = read_string(*modulator, child_key(key, "modulator"));
    }

    // `synapse = { type = "rate_hebbian", rule = "oja", eta = 0.001, w_min = -1.0, ... }`;
    // each rule takes only its own parameters.
    void read_rate_hebbian(const toml::table& table, const std::string& key, models::RateHebbianRule& rule) const {
        const std::string rule_key = child_key(key, "rule");
        const toml::node& name = *table.get("rule");
        const std::string rule_name = read_string(name, rule_key);
        const auto kind = models::find_rate_hebbian_kind(rule_name);
        if (!kind) fail<KeyError>(name.source(), rule_key, models::unknown_rate_hebbian_rule(rule_name));
        rule.kind = *kind;
        const bool decays = rule.kind == models::RateHebbianKind::hebb || rule.kind == models::RateHebbianKind::anti_hebbian;
        const bool bcm = rule.kind == models::RateHebbianKind::bcm;
        for (const auto& [field, allowed, which] : {std::tuple{"decay", decays, "hebb and anti_hebbian"},
                                                    std::tuple{"tau_theta", bcm, "bcm"},
                                                    std::tuple{"theta_initial", bcm, "bcm"}})
            if (const toml::node* node = table.get(field); node && !allowed)
                fail<KeyError>(node->source(), child_key(key, field),
                               "the " + std::string(models::rate_hebbian_name(rule.kind)) + " rule has no parameter " +
                                   field + " (only " + which + " have it)");
        rule.eta = read_optional_number(table, key, "eta", rule.eta);
        rule.decay = read_optional_number(table, key, "decay", rule.decay);
        rule.tau_theta = read_optional_number(table, key, "tau_theta", rule.tau_theta);
        rule.theta_initial = read_optional_number(table, key, "theta_initial", rule.theta_initial);
        if (const toml::node* node = table.get("w_min")) rule.w_min = read_number(*node, child_key(key, "w_min"), true);
        if (const toml::node* node = table.get("w_max")) rule.w_max = read_number(*node, child_key(key, "w_max"), true);
    }

    // `timing = { type = "dopamine", tau_plus = 20.0, A_plus = 1.0, ... }`; NEST's
    // stdp_dopamine_synapse defaults for the keys left out.
    void read_dopamine(const toml::table& timing, const std::string& timing_key, models::DopamineRule& rule) const {
        rule.tau_plus = read_optional_number(timing, timing_key, "tau_plus", rule.tau_plus);
        rule.tau_minus = read_optional_number(timing, timing_key, "tau_minus", rule.tau_minus);
        rule.A_plus = read_optional_number(timing, timing_key, "A_plus", rule.A_plus);
        rule.A_minus = read_optional_number(timing, timing_key, "A_minus", rule.A_minus);
        rule.tau_c = read_optional_number(timing, timing_key, "tau_c", rule.tau_c);
        rule.b = read_optional_number(timing, timing_key, "b", rule.b);
    }

    // [[modulator]]: name, sources = { population = jump per spike, ... }, tau, baseline,
    // initial, release_times, release_amounts.
    void read_modulator(const toml::table& table, const std::string& key) {
        check_keys(table, key, "in [[modulator]]",
                   {"name", "sources", "tau", "baseline", "initial", "release_times", "release_amounts"});
        ModulatorSpec m;
        m.name = read_string(required(table, key, "name"), child_key(key, "name"));
        if (const toml::node* sources = table.get("sources")) {
            const std::string sources_key = child_key(key, "sources");
            for (const auto& [population, weight] : as_table(*sources, sources_key))
                m.sources.emplace_back(std::string(population.str()),
                                       read_number(weight, child_key(sources_key, std::string(population.str()))));
        }
        m.tau = read_optional_number(table, key, "tau", m.tau);
        m.baseline = read_optional_number(table, key, "baseline", m.baseline);
        m.initial = read_optional_number(table, key, "initial", m.initial);
        if (const toml::node* times = table.get("release_times")) {
            const std::string times_key = child_key(key, "release_times");
            m.release_times = read_numbers(as_array(*times, times_key, "an array of times (ms)"), times_key);
        }
        if (const toml::node* amounts = table.get("release_amounts")) {
            const std::string amounts_key = child_key(key, "release_amounts");
            m.release_amounts = read_numbers(as_array(*amounts, amounts_key, "an array of amounts"), amounts_key);
        }
        spec_.modulators.push_back(std::move(m));
    }

    // `timing = { type = "triplet", tau_plus = 16.8, ... }`; NEST's defaults for the keys left out.
    void read_triplet(const toml::table& timing, const std::string& timing_key, models::TripletRule& rule) const {
        rule.tau_plus = read_optional_number(timing, timing_key, "tau_plus", rule.tau_plus);
        rule.tau_x = read_optional_number(timing, timing_key, "tau_x", rule.tau_x);
        rule.tau_minus = read_optional_number(timing, timing_key, "tau_minus", rule.tau_minus);
        rule.tau_y = read_optional_number(timing, timing_key, "tau_y", rule.tau_y);
        rule.A2_plus = read_optional_number(timing, timing_key, "A2_plus", rule.A2_plus);
        rule.A3_plus = read_optional_number(timing, timing_key, "A3_plus", rule.A3_plus);
        rule.A2_minus = read_optional_number(timing, timing_key, "A2_minus", rule.A2_minus);
        rule.A3_minus = read_optional_number(timing, timing_key, "A3_minus", rule.A3_minus);
    }

    // `timing = { type = "vogels_sprekeler", tau = 20.0, eta = 0.001, rho0 = 5.0 }`.
    void read_vogels_sprekeler(const toml::table& timing, const std::string& timing_key,
                               models::VogelsSprekelerRule& rule) const {
        rule.tau = read_optional_number(timing, timing_key, "tau", rule.tau);
        rule.eta = read_optional_number(timing, timing_key, "eta", rule.eta);
        rule.rho0 = read_optional_number(timing, timing_key, "rho0", rule.rho0);
    }

    void read_spike_pair(const toml::table& timing, const std::string& timing_key, models::SpikePairRule& rule) const {
        rule.tau_plus = read_optional_number(timing, timing_key, "tau_plus", rule.tau_plus);
        rule.tau_minus = read_optional_number(timing, timing_key, "tau_minus", rule.tau_minus);
        rule.A_plus = read_optional_number(timing, timing_key, "A_plus", rule.A_plus);
        rule.A_minus = read_optional_number(timing, timing_key, "A_minus", rule.A_minus);
        if (const toml::node* pairing = timing.get("pairing")) {
            const std::string pairing_key = child_key(timing_key, "pairing");
            const std::string name = read_string(*pairing, pairing_key);
            const KeyList names{"all_to_all", "nearest_symmetric"};
            if (name == "all_to_all")
                rule.pairing = models::SpikePairing::all_to_all;
            else if (name == "nearest_symmetric")
                rule.pairing = models::SpikePairing::nearest_symmetric;
            else
                fail<ValueError>(pairing->source(), pairing_key,
                                 "unknown spike pairing '" + name + "'" + did_you_mean(name, names) + " (known: " +
                                     join(names) + ")");
        }
    }

    void read_weight_dependence(const toml::table& table, const std::string& key, SynapseSpec& synapse) const {
        const std::string dependence_key = child_key(key, "weight_dependence");
        const toml::table& dependence = as_table(*table.get("weight_dependence"), dependence_key);
        const KindKeys& dependence_kind = read_kind(dependence, dependence_key, "in an stdp weight dependence", "type",
                                                    "weight dependence", {"type"}, stdp_weight_dependence_kinds());
        models::WeightDependence& wd = synapse.weight_dependence;
        for (const auto candidate : {models::WeightDependenceKind::additive, models::WeightDependenceKind::multiplicative,
                                     models::WeightDependenceKind::gutig})
            if (dependence_kind.name == models::weight_dependence_name(candidate)) wd.kind = candidate;
        wd.w_min = read_optional_number(dependence, dependence_key, "w_min", wd.w_min);
        wd.w_max = read_optional_number(dependence, dependence_key, "w_max", wd.w_max);
        wd.mu_plus = read_optional_number(dependence, dependence_key, "mu_plus", wd.mu_plus);
        wd.mu_minus = read_optional_number(dependence, dependence_key, "mu_minus", wd.mu_minus);
        synapse.dendritic_delay_fraction =
            read_optional_number(table, key, "dendritic_delay_fraction", synapse.dendritic_delay_fraction);
    }

    void read_projection(const toml::table& table, const std::string& key) {
        check_keys(table, key, "in [[projection]]",
                   {"name", "source", "target", "receptor", "weight", "delay", "connector", "synapse"});
        ProjectionSpec proj;
        if (const toml::node* name = table.get("name")) proj.name = read_string(*name, child_key(key, "name"));
        proj.source = read_string(required(table, key, "source"), child_key(key, "source"));
        proj.target = read_string(required(table, key, "target"), child_key(key, "target"));
        proj.connector = read_connector(required(table, key, "connector"), child_key(key, "connector"));
        if (const toml::node* receptor = table.get("receptor"))
            proj.receptor = read_string(*receptor, child_key(key, "receptor"));
        std::optional<MatrixShape> shape;
        const PopulationSpec* source = find_population(proj.source);
        const PopulationSpec* target = find_population(proj.target);
        if (source && target) shape = MatrixShape{source->size, target->size};
        if (const toml::node* weight = table.get("weight"))
            proj.weight = read_value(*weight, child_key(key, "weight"), true, shape);
        if (const toml::node* delay = table.get("delay"))
            proj.delay = read_value(*delay, child_key(key, "delay"), true, shape);
        if (const toml::node* synapse = table.get("synapse")) proj.synapse = read_synapse(*synapse, child_key(key, "synapse"));
        spec_.projections.push_back(std::move(proj));
    }

    void read_stimulus(const toml::table& table, const std::string& key) {
        const KindKeys& kind = read_kind(table, key, "in [[stimulus]]", "type", "stimulus type",
                                         {"type", "name", "target", "neurons", "start", "stop"}, stimulus_kinds());
        StimulusSpec stim;
        for (const auto candidate : {StimulusSpec::Kind::poisson, StimulusSpec::Kind::dc, StimulusSpec::Kind::step_current,
                                     StimulusSpec::Kind::ac, StimulusSpec::Kind::noisy_current})
            if (stimulus_kind_name(candidate) == kind.name) stim.kind = candidate;
        if (const toml::node* name = table.get("name")) stim.name = read_string(*name, child_key(key, "name"));
        stim.target = read_string(required(table, key, "target"), child_key(key, "target"));
        if (const toml::node* neurons = table.get("neurons"))
            stim.neurons = read_neurons(*neurons, child_key(key, "neurons"), stim.target);
        stim.rate = read_optional_number(table, key, "rate", stim.rate);
        stim.weight = read_optional_number(table, key, "weight", stim.weight);
        if (const toml::node* receptor = table.get("receptor"))
            stim.receptor = read_string(*receptor, child_key(key, "receptor"));
        // PyNN's defaults where they differ from the spec's zeros: ACSource amplitude 1 nA
        // at 10 Hz, NoisyCurrentSource stdev 1 nA.
        if (kind.name == "ac") {
            stim.amplitude = 1.0;
            stim.frequency = 10.0;
        }
        if (kind.name == "noisy_current") stim.stdev = 1.0;
        stim.amplitude = read_optional_number(table, key, "amplitude", stim.amplitude);
        if (const toml::node* times = table.get("times")) {
            const std::string times_key = child_key(key, "times");
            stim.times = read_numbers(as_array(*times, times_key, "an array of times (ms)"), times_key);
        }
        if (const toml::node* amplitudes = table.get("amplitudes")) {
            const std::string amplitudes_key = child_key(key, "amplitudes");
            stim.amplitudes =
                read_numbers(as_array(*amplitudes, amplitudes_key, "an array of amplitudes (nA)"), amplitudes_key);
        }
        stim.offset = read_optional_number(table, key, "offset", stim.offset);
        stim.frequency = read_optional_number(table, key, "frequency", stim.frequency);
        stim.phase = read_optional_number(table, key, "phase", stim.phase);
        stim.mean = read_optional_number(table, key, "mean", stim.mean);
        stim.stdev = read_optional_number(table, key, "stdev", stim.stdev);
        stim.interval = read_optional_number(table, key, "dt", stim.interval);
        stim.start = read_optional_number(table, key, "start", stim.start);
        // In the spec a negative stop stands for "until the end"; in the file that is
        // said by leaving the key out, so a negative stop here is a mistake.
        if (const toml::node* stop = table.get("stop")) {
            stim.stop = read_number(*stop, child_key(key, "stop"));
            if (stim.stop < 0.0)
                fail<ValueError>(
                    stop->source(), child_key(key, "stop"),
                    "stop must be >= 0 ms, got " + format_number(stim.stop) + " (leave it out to run until the end)");
        }
        spec_.stimuli.push_back(std::move(stim));
    }

    void read_recorder(const toml::table& table, const std::string& key) {
        const KindKeys& kind = read_kind(table, key, "in [[record]]", "type", "record type",
                                         {"type", "population", "neurons"}, recorder_kinds());
        if (kind.name == "weights") return read_weight_recorder(table, key);
        RecorderSpec rec;
        rec.kind = kind.name == "state" ? RecorderSpec::Kind::state : RecorderSpec::Kind::spikes;
        rec.population = read_string(required(table, key, "population"), child_key(key, "population"));
        if (const toml::node* neurons = table.get("neurons"))
            rec.neurons = read_neurons(*neurons, child_key(key, "neurons"), rec.population);
        if (const toml::node* variables = table.get("variables")) {
            const std::string vkey = child_key(key, "variables");
            const toml::array& names = as_array(*variables, vkey, "an array of state variable names");
            for (std::size_t i = 0; i < names.size(); ++i)
                rec.variables.push_back(read_string(names[i], element_key(vkey, i)));
        }
        rec.interval = read_optional_number(table, key, "interval", rec.interval);
        spec_.recorders.push_back(std::move(rec));
    }

    // { type = "weights", projection = "E->E" (or its index), synapses = [...], interval = 10.0 }
    void read_weight_recorder(const toml::table& table, const std::string& key) {
        for (const auto& [name, node] : table)
            if (name.str() == "population" || name.str() == "neurons")
                fail<KeyError>(name.source(), child_key(key, name.str()),
                               "key '" + std::string(name.str()) +
                                   "' does not apply to record type 'weights' (its keys: type, projection, synapses, "
                                   "interval)");
        RecorderSpec rec;
        rec.kind = RecorderSpec::Kind::weights;
        const std::string projection_key_path = child_key(key, "projection");
        const toml::node& projection = *table.get("projection");
        if (projection.is_integer())
            rec.projection_index = static_cast<std::int64_t>(read_count(projection, projection_key_path));
        else if (projection.is_string())
            rec.projection = read_string(projection, projection_key_path);
        else
            type_error(projection, projection_key_path, "a projection name (a string) or index (an integer)");
        const std::string synapses_key = child_key(key, "synapses");
        const toml::array& synapses =
            as_array(*table.get("synapses"), synapses_key, "an array of synapse indices (in the order of the weights)");
        for (std::size_t i = 0; i < synapses.size(); ++i) rec.synapses.push_back(read_count(synapses[i], element_key(synapses_key, i)));
        rec.interval = read_number(*table.get("interval"), child_key(key, "interval"));
        spec_.recorders.push_back(std::move(rec));
    }
};

}  // namespace

NetworkSpec parse_model_text(std::string_view text, const std::string& source_name,
                             std::optional<double> scale_override) {
    toml::table root;
    try {
        root = toml::parse(text, std::string_view(source_name));
    } catch (const toml::parse_error& error) {
        const toml::source_position where = error.source().begin;
        throw ValueError(source_name + ":" + std::to_string(std::max<std::uint32_t>(where.line, 1)) + ":" +
                         std::to_string(std::max<std::uint32_t>(where.column, 1)) +
                         ": TOML syntax error: " + std::string(error.description()));
    }
    return ModelFileReader(root, source_name, scale_override).read();
}

NetworkSpec load_model_file(const std::filesystem::path& path, std::optional<double> scale_override) {
    const std::string name = path.string();
    std::error_code status_error;
    if (std::filesystem::is_directory(path, status_error))
        throw FileError("cannot read model file '" + name + "': it is a directory");
    std::ifstream file(path, std::ios::binary);
    if (!file) {
        const int code = errno;
        throw FileError("cannot read model file '" + name + "': " + (code ? std::strerror(code) : "cannot open it"));
    }
    std::ostringstream contents;
    contents << file.rdbuf();
    if (file.bad()) throw FileError("cannot read model file '" + name + "': read error");
    return parse_model_text(contents.str(), name, scale_override);
}

}  // namespace neurodyn
