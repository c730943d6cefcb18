#pragma once
// Each model describes its parameters and state once, as a table; the registry, the
// model-file schema, validation, recordable names and the docs are derived from it.

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace neurodyn {

class NeuronGroup;

// The range a parameter may take; checked before anything is built.
enum class Bound : std::uint8_t {
    any,           // any finite number
    positive,      // > 0
    non_negative,  // >= 0
};

struct FieldInfo {
    std::string_view name;
    std::string_view unit;  // PyNN units: ms, mV, nA, nF, uS, Hz
    double default_value;
    Bound bound;
    std::string_view doc;
    // A parameter chosen by name (e.g. transfer = "tanh"): the value is the index of the
    // name here, given in model files as the name. Empty for numeric fields.
    std::span<const std::string_view> choices{};

    // The index of `choice`, or -1 when it is not one of `choices`.
    int choice_index(std::string_view choice) const;
};

// What a receptor port's weights mean, which fixes their unit and sign rule.
enum class PortKind : std::uint8_t {
    current,      // nA, a jump of an exponentially decaying current; any sign
    conductance,  // uS, a jump of a conductance; must be >= 0
    voltage,      // mV, an instantaneous jump of the membrane potential; any sign
    rate,         // dimensionless input of a rate neuron, held over the step; any sign
};

struct ModelInfo {
    std::string_view name;
    std::string_view doc;
    std::span<const FieldInfo> params;
    std::span<const FieldInfo> state;     // initial values default to `default_value`
    std::span<const std::string_view> ports;  // receptor ports, e.g. "excitatory", "inhibitory"
    PortKind port_kind;
    bool spike_source;  // a source has no inputs and no dynamics of its own
    // Makes a group for `size` neurons whose first neuron has index `first` in its
    // population (the index keys the neuron's random streams).
    std::unique_ptr<NeuronGroup> (*create)(std::size_t size, std::uint64_t first);

    int param_index(std::string_view field) const;  // -1 when absent
    int state_index(std::string_view field) const;
    int port_index(std::string_view port) const;
    std::vector<std::string> param_names() const;
    std::vector<std::string> state_names() const;
    std::vector<std::string> port_names() const;
};

std::string_view bound_text(Bound bound);  // "> 0", ">= 0", ""
std::string_view port_kind_unit(PortKind kind);

}  // namespace neurodyn
