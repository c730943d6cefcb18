#include "neurodyn/models/neuron_group.hpp"

#include <algorithm>
#include <cmath>

#include "neurodyn/core/error.hpp"
#include "neurodyn/core/strings.hpp"

namespace neurodyn {

namespace {
template <class Range, class Name>
int index_of(const Range& range, Name name_of, std::string_view wanted) {
    int i = 0;
    for (const auto& item : range) {
        if (name_of(item) == wanted) return i;
        ++i;
    }
    return -1;
}
}  // namespace

int FieldInfo::choice_index(std::string_view choice) const {
    for (std::size_t c = 0; c < choices.size(); ++c)
        if (choices[c] == choice) return static_cast<int>(c);
    return -1;
}

int ModelInfo::param_index(std::string_view field) const {
    return index_of(params, [](const FieldInfo& f) { return f.name; }, field);
}
int ModelInfo::state_index(std::string_view field) const {
    return index_of(state, [](const FieldInfo& f) { return f.name; }, field);
}
int ModelInfo::port_index(std::string_view port) const {
    return index_of(ports, [](std::string_view p) { return p; }, port);
}
std::vector<std::string> ModelInfo::param_names() const {
    std::vector<std::string> names;
    for (const auto& f : params) names.emplace_back(f.name);
    return names;
}
std::vector<std::string> ModelInfo::state_names() const {
    std::vector<std::string> names;
    for (const auto& f : state) names.emplace_back(f.name);
    return names;
}
std::vector<std::string> ModelInfo::port_names() const {
    std::vector<std::string> names;
    for (auto p : ports) names.emplace_back(p);
    return names;
}

std::string_view bound_text(Bound bound) {
    switch (bound) {
        case Bound::positive: return "> 0";
        case Bound::non_negative: return ">= 0";
        case Bound::any: return "finite";
    }
    return "";
}

std::string_view port_kind_unit(PortKind kind) {
    switch (kind) {
        case PortKind::current: return "nA";
        case PortKind::conductance: return "uS";
        case PortKind::voltage: return "mV";
        case PortKind::rate: return "1";
    }
    return "";
}

NeuronGroup::NeuronGroup(const ModelInfo& info, std::size_t size, std::uint64_t first)
    : info_(info), size_(size), first_(first), refractory_left_(size, 0) {
    params_.reserve(info.params.size());
    for (const auto& field : info.params) params_.emplace_back(size, field.default_value);
    state_.reserve(info.state.size());
    for (const auto& field : info.state) state_.emplace_back(size, field.default_value);
}

void NeuronGroup::fail(std::string_view field, std::string_view condition, double value, std::size_t neuron) const {
    std::string unit;
    const int p = info_.param_index(field);
    if (p >= 0 && !info_.params[p].unit.empty()) unit = " " + std::string(info_.params[p].unit);
    std::string message = std::string(info_.name) + ": " + std::string(field) + " must be " + std::string(condition) +
                          ", got " + format_number(value) + unit;
    if (size_ > 1) message += " (neuron " + std::to_string(first_ + neuron) + ")";
    throw ValueError(message, std::string(field));
}

void NeuronGroup::prepare(double dt_ms) {
    for (std::size_t p = 0; p < info_.params.size(); ++p) {
        const FieldInfo& field = info_.params[p];
        const std::string unit = field.unit.empty() ? "" : " " + std::string(field.unit);
        if (!field.choices.empty()) {
            for (std::size_t i = 0; i < size_; ++i) {
                const double v = params_[p][i];
                if (!(v >= 0.0 && v < static_cast<double>(field.choices.size()) && v == std::floor(v))) {
                    std::string options;
                    for (std::size_t c = 0; c < field.choices.size(); ++c)
                        options += (c ? ", " : "") + std::string(field.choices[c]) + " (" + std::to_string(c) + ")";
                    fail(field.name, "one of " + options, v, i);
                }
            }
            continue;
        }
        for (std::size_t i = 0; i < size_; ++i) {
            const double v = params_[p][i];
            if (!std::isfinite(v)) fail(field.name, "a finite number", v, i);
            if (field.bound == Bound::positive && !(v > 0.0)) fail(field.name, "> 0" + unit, v, i);
            if (field.bound == Bound::non_negative && !(v >= 0.0)) fail(field.name, ">= 0" + unit, v, i);
        }
    }
    for (std::size_t s = 0; s < info_.state.size(); ++s) {
        const FieldInfo& field = info_.state[s];
        const std::string unit = field.unit.empty() ? "" : " " + std::string(field.unit);
        for (std::size_t i = 0; i < size_; ++i) {
            const double v = state_[s][i];
            const bool bad = !std::isfinite(v) || (field.bound == Bound::positive && !(v > 0.0)) ||
                             (field.bound == Bound::non_negative && !(v >= 0.0));
            if (!bad) continue;
            const std::string condition = !std::isfinite(v) ? "a finite number" : std::string(bound_text(field.bound)) + unit;
            std::string message = std::string(info_.name) + ": initial " + std::string(field.name) + " must be " +
                                  condition + ", got " + format_number(v) + unit;
            if (size_ > 1) message += " (neuron " + std::to_string(first_ + i) + ")";
            throw ValueError(message, std::string(field.name));
        }
    }
    check_relations();
    homogeneous_ = !params_per_neuron_;
    for (const auto& column : params_)
        if (std::find_if(column.begin(), column.end(), [&](double x) { return x != column.front(); }) != column.end())
            homogeneous_ = false;
    precompute(dt_ms);
}

std::int32_t refractory_steps(double tau_refrac_ms, double dt_ms) {
    return static_cast<std::int32_t>(std::llround(tau_refrac_ms / dt_ms));
}

}  // namespace neurodyn
