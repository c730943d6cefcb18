#pragma once
// A value given for many elements at once (neurons or synapses): one constant, one
// number per element, or a random distribution drawn independently per element.
// Parameters, initial values, weights and delays are all described this way.

#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "neurodyn/core/random.hpp"

namespace neurodyn {

struct Distribution {
    enum class Kind {
        uniform,         // low, high: uniform on [low, high)
        normal,          // mean, std
        normal_clipped,  // mean, std, redrawn until inside [low, high] (PyNN's normal_clipped)
        exponential,     // mean (= 1/rate), on [0, inf)
    };
    Kind kind = Kind::uniform;
    double low = 0.0;
    double high = 1.0;
    double mean = 0.0;
    double std = 1.0;

    static Distribution uniform(double low, double high) { return {Kind::uniform, low, high, 0.0, 0.0}; }
    static Distribution normal(double mean, double std) {
        return {Kind::normal, -std::numeric_limits<double>::infinity(), std::numeric_limits<double>::infinity(), mean, std};
    }
    static Distribution normal_clipped(double mean, double std, double low, double high) {
        return {Kind::normal_clipped, low, high, mean, std};
    }
    static Distribution exponential(double mean) {
        return {Kind::exponential, 0.0, std::numeric_limits<double>::infinity(), mean, 0.0};
    }

    // Throws ValueError naming `key` when the distribution's own parameters are invalid.
    void validate(const std::string& key) const;
    // Smallest and largest value the distribution can produce.
    double support_min() const;
    double support_max() const;
    double draw(RandomStream& stream) const;
    std::string describe() const;
};

std::string distribution_kind_name(Distribution::Kind kind);

class ValueSpec {
public:
    ValueSpec() = default;
    ValueSpec(double constant) : value_(constant) {}  // NOLINT: a number is the common case
    ValueSpec(std::vector<double> per_element) : value_(std::move(per_element)) {}  // NOLINT
    ValueSpec(Distribution distribution) : value_(distribution) {}  // NOLINT

    bool is_constant() const { return std::holds_alternative<double>(value_); }
    bool is_array() const { return std::holds_alternative<std::vector<double>>(value_); }
    bool is_distribution() const { return std::holds_alternative<Distribution>(value_); }
    double constant() const { return std::get<double>(value_); }
    const std::vector<double>& array() const { return std::get<std::vector<double>>(value_); }
    const Distribution& distribution() const { return std::get<Distribution>(value_); }

    // Checks shape (an array must have `expected_size` entries when that is nonzero),
    // NaN and the distribution's parameters; throws ValueError naming `key`.
    void validate(const std::string& key, std::size_t expected_size) const;
    // Smallest / largest value this spec can produce (for range checks before drawing).
    double min_possible() const;
    double max_possible() const;

    // Values for elements [first, first + out.size()); distribution draws use the stream
    // (seed, domain, entity = element index, draws from `stream_index` << 32) so an
    // element's value does not depend on which other elements are materialised with it,
    // and values given different `stream_index` are independent.
    void fill(std::span<double> out, std::uint64_t first, std::uint64_t seed, std::uint32_t domain,
              std::uint32_t stream_index = 0) const;
    // One value for element `index` drawing from `stream` if random.
    double value_at(std::uint64_t index, RandomStream& stream) const;

    std::string describe() const;

private:
    std::variant<double, std::vector<double>, Distribution> value_ = 0.0;
};

}  // namespace neurodyn
