#pragma once
// Input checks shared by the analysis sources (private). Each raises ValueError with a
// message that starts with the function's name and names the argument; the argument
// name is also the error's key.

#include <cmath>
#include <cstddef>
#include <span>
#include <sstream>
#include <string>

#include "neurodyn/core/error.hpp"

namespace neurodyn::analysis::detail {

template <class T>
std::string str(const T& value) {
    std::ostringstream out;
    out << value;
    return out.str();
}

[[noreturn]] inline void fail(const char* function, const std::string& argument, const std::string& what) {
    throw ValueError(std::string(function) + ": " + argument + " " + what, argument);
}

inline void require_positive(const char* function, const char* argument, double value) {
    if (!(value > 0.0) || !std::isfinite(value)) fail(function, argument, "must be a finite number > 0, got " + str(value));
}

inline void require_finite(const char* function, const char* argument, double value) {
    if (!std::isfinite(value)) fail(function, argument, "must be finite, got " + str(value));
}

inline void require_window(const char* function, double t_start, double t_stop) {
    require_finite(function, "t_start_ms", t_start);
    require_finite(function, "t_stop_ms", t_stop);
    if (!(t_stop > t_start))
        fail(function, "t_stop_ms", "must be > t_start_ms (" + str(t_start) + "), got " + str(t_stop));
}

inline void require_all_finite(const char* function, const char* argument, std::span<const double> values) {
    for (std::size_t i = 0; i < values.size(); ++i)
        if (!std::isfinite(values[i]))
            fail(function, argument, "must be finite; element " + std::to_string(i) + " is " + str(values[i]));
}

inline void require_nonempty(const char* function, const char* argument, std::size_t size) {
    if (size == 0) fail(function, argument, "is empty");
}

inline void require_sorted(const char* function, const char* argument, std::span<const double> values) {
    for (std::size_t i = 1; i < values.size(); ++i)
        if (values[i] < values[i - 1])
            fail(function, argument,
                 "must be sorted ascending; element " + std::to_string(i) + " (" + str(values[i]) +
                     ") is below the one before (" + str(values[i - 1]) + ")");
}

}  // namespace neurodyn::analysis::detail
