#include "neurodyn/core/value.hpp"

#include <algorithm>
#include <cmath>

#include "neurodyn/core/error.hpp"
#include "neurodyn/core/strings.hpp"

namespace neurodyn {

std::string distribution_kind_name(Distribution::Kind kind) {
    switch (kind) {
        case Distribution::Kind::uniform: return "uniform";
        case Distribution::Kind::normal: return "normal";
        case Distribution::Kind::normal_clipped: return "normal_clipped";
        case Distribution::Kind::exponential: return "exponential";
    }
    return "?";
}

void Distribution::validate(const std::string& key) const {
    auto require_finite = [&](double v, const char* name) {
        if (!std::isfinite(v))
            throw ValueError(key + ": " + distribution_kind_name(kind) + " distribution '" + name +
                                 "' must be a finite number, got " + format_number(v),
                             key);
    };
    switch (kind) {
        case Kind::uniform:
            require_finite(low, "low");
            require_finite(high, "high");
            if (!(low < high))
                throw ValueError(key + ": uniform distribution needs low < high, got low=" + format_number(low) +
                                     ", high=" + format_number(high),
                                 key);
            break;
        case Kind::normal_clipped:
            if (std::isnan(low) || std::isnan(high) || !(low < high))
                throw ValueError(key + ": normal_clipped distribution needs low < high, got low=" + format_number(low) +
                                     ", high=" + format_number(high),
                                 key);
            [[fallthrough]];
        case Kind::normal:
            require_finite(mean, "mean");
            require_finite(std, "std");
            if (!(std >= 0.0))
                throw ValueError(key + ": " + distribution_kind_name(kind) + " distribution needs std >= 0, got " +
                                     format_number(std),
                                 key);
            if (kind == Kind::normal_clipped) {
                // Rejection sampling must terminate quickly: require the window to hold
                // a reasonable share of the mass (more than ~1e-4, i.e. within 3.7 sigma).
                const double sigma = std > 0 ? std : 1e-300;
                const double za = (low - mean) / sigma, zb = (high - mean) / sigma;
                const double mass = 0.5 * (std::erfc(-zb / std::sqrt(2.0)) - std::erfc(-za / std::sqrt(2.0)));
                if (std > 0 && mass < 1e-4)
                    throw ValueError(key + ": normal_clipped window [" + format_number(low) + ", " +
                                         format_number(high) + "] holds almost none of the distribution's mass",
                                     key);
                if (std == 0 && (mean < low || mean > high))
                    throw ValueError(key + ": normal_clipped with std=0 needs low <= mean <= high", key);
            }
            break;
        case Kind::exponential:
            require_finite(mean, "mean");
            if (!(mean > 0.0))
                throw ValueError(key + ": exponential distribution needs mean > 0, got " + format_number(mean), key);
            break;
    }
}

double Distribution::support_min() const {
    switch (kind) {
        case Kind::normal: return std > 0 ? -std::numeric_limits<double>::infinity() : mean;
        case Kind::exponential: return 0.0;
        default: return low;
    }
}

double Distribution::support_max() const {
    switch (kind) {
        case Kind::normal: return std > 0 ? std::numeric_limits<double>::infinity() : mean;
        case Kind::exponential: return std::numeric_limits<double>::infinity();
        default: return high;
    }
}

double Distribution::draw(RandomStream& stream) const {
    switch (kind) {
        case Kind::uniform: return stream.uniform(low, high);
        case Kind::normal: return stream.normal(mean, std);
        case Kind::normal_clipped: {
            if (std == 0.0) return mean;
            for (;;) {
                const double x = stream.normal(mean, std);
                if (x >= low && x <= high) return x;
            }
        }
        case Kind::exponential: return stream.exponential(mean);
    }
    return 0.0;
}

std::string Distribution::describe() const {
    switch (kind) {
        case Kind::uniform: return "uniform(low=" + format_number(low) + ", high=" + format_number(high) + ")";
        case Kind::normal: return "normal(mean=" + format_number(mean) + ", std=" + format_number(std) + ")";
        case Kind::normal_clipped:
            return "normal_clipped(mean=" + format_number(mean) + ", std=" + format_number(std) +
                   ", low=" + format_number(low) + ", high=" + format_number(high) + ")";
        case Kind::exponential: return "exponential(mean=" + format_number(mean) + ")";
    }
    return "?";
}

void ValueSpec::validate(const std::string& key, std::size_t expected_size) const {
    if (is_constant()) {
        if (std::isnan(constant())) throw ValueError(key + " is NaN", key);
    } else if (is_array()) {
        const auto& values = array();
        if (expected_size != 0 && values.size() != expected_size)
            throw ValueError(key + ": array has " + std::to_string(values.size()) + " values, expected " +
                                 std::to_string(expected_size),
                             key);
        for (std::size_t i = 0; i < values.size(); ++i)
            if (std::isnan(values[i])) throw ValueError(key + "[" + std::to_string(i) + "] is NaN", key);
    } else {
        distribution().validate(key);
    }
}

double ValueSpec::min_possible() const {
    if (is_constant()) return constant();
    if (is_array()) {
        double m = std::numeric_limits<double>::infinity();
        for (double v : array()) m = std::min(m, v);
        return m;
    }
    return distribution().support_min();
}

double ValueSpec::max_possible() const {
    if (is_constant()) return constant();
    if (is_array()) {
        double m = -std::numeric_limits<double>::infinity();
        for (double v : array()) m = std::max(m, v);
        return m;
    }
    return distribution().support_max();
}

void ValueSpec::fill(std::span<double> out, std::uint64_t first, std::uint64_t seed, std::uint32_t domain,
                     std::uint32_t stream_index) const {
    if (is_constant()) {
        std::fill(out.begin(), out.end(), constant());
    } else if (is_array()) {
        const auto& values = array();
        if (first + out.size() > values.size())
            throw InternalError("ValueSpec::fill: array of " + std::to_string(values.size()) + " values read at " +
                                std::to_string(first + out.size()));
        std::copy_n(values.begin() + static_cast<std::ptrdiff_t>(first), out.size(), out.begin());
    } else {
        for (std::size_t i = 0; i < out.size(); ++i) {
            RandomStream stream(seed, domain, static_cast<std::uint32_t>(first + i), std::uint64_t{stream_index} << 32);
            out[i] = distribution().draw(stream);
        }
    }
}

double ValueSpec::value_at(std::uint64_t index, RandomStream& stream) const {
    if (is_constant()) return constant();
    if (is_array()) return array().at(index);
    return distribution().draw(stream);
}

std::string ValueSpec::describe() const {
    if (is_constant()) return format_number(constant());
    if (is_array()) return "array of " + std::to_string(array().size()) + " values";
    return distribution().describe();
}

}  // namespace neurodyn
