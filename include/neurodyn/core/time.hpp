#pragma once
// Time is counted in whole steps of the fixed resolution `dt` (ms). Durations and delays
// given in ms are converted once, at build time.

#include <cmath>
#include <cstdint>
#include <string>

#include "neurodyn/core/error.hpp"
#include "neurodyn/core/strings.hpp"

namespace neurodyn {

using Step = std::int64_t;

// Nearest whole number of steps for `ms` (as NEST rounds delays to the grid).
inline Step steps_from_ms(double ms, double dt_ms) { return static_cast<Step>(std::llround(ms / dt_ms)); }

inline double ms_from_steps(Step steps, double dt_ms) { return static_cast<double>(steps) * dt_ms; }

// A delay in steps; refuses delays shorter than one step, where causality breaks.
inline Step delay_steps(double delay_ms, double dt_ms, const std::string& key) {
    const Step steps = steps_from_ms(delay_ms, dt_ms);
    // The relative slack absorbs binary rounding (0.1 ms is not exact in floating point).
    if (!(delay_ms >= dt_ms * (1.0 - 1e-9)) || steps < 1)
        throw ValueError(key + ": delay " + format_number(delay_ms) + " ms is shorter than the time step dt = " +
                             format_number(dt_ms) + " ms; delays must be >= dt",
                         key);
    return steps;
}

}  // namespace neurodyn
