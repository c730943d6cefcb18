#pragma once
// Adaptive Runge–Kutta integration of a small per-neuron ODE system y' = f(y), for models
// whose subthreshold dynamics have no closed form (AdEx, Izhikevich, Hodgkin–Huxley).
//
// Method: Dormand & Prince (1980) 5(4), the pair behind MATLAB's ode45 and SciPy's RK45.
// Seven stages per step, the seventh being f at the new point, which is the first stage
// of the next step ("first same as last"): six evaluations of f per accepted step. The
// step advances with the fifth-order solution (local extrapolation); the difference to
// the embedded fourth-order solution estimates the error of the fourth-order one and so
// overestimates the error actually made, which keeps the control on the safe side.
//
// Error control, per component i, as SciPy and GSL do it:
//   norm = max_i |err_i| / (absolute_i + relative * max(|y_i|, |y_new_i|))
// a step is accepted when norm <= 1, and the next step is h * 0.9 norm^(-1/5), the
// factor clamped to [0.2, 5] (never above 1 right after a rejection). A non-finite norm
// (a trial stage that overflowed) counts as a rejection with factor 0.2, so NaN never
// enters the state through an accepted step. Below `min_step` every step is accepted:
// the loop always ends.
//
// Events: integrate() takes a scalar function event(y), negative on entry, and stops at
// the end of the first accepted sub-step where event(y) >= 0 (a membrane potential
// reaching its spike value). That sub-step is narrowed until it is at most
// `event_time` long, so the crossing lies in (t - event_time, t] of the time returned.
// Narrowing aims just past the secant estimate of the crossing (and at least halves
// the step), so a steep, convex approach such as the exponential or quadratic blow-up
// of a spike is located in a few trial steps.
//
// The derivative is a callable f(const std::array<double, N>& y, std::array<double, N>& dydt);
// inputs that are constant over the call (an injected current, a clamp) are captured by
// it, and inputs that vary smoothly (a decaying conductance) are best made part of y.
// Everything is header-only and inlined into the model's update loop.

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>

namespace neurodyn::ode {

template <std::size_t N>
using Vec = std::array<double, N>;

template <std::size_t N>
struct Tolerance {
    double relative = 1e-8;
    Vec<N> absolute{};          // per component, in the component's unit
    double event_time = 1e-9;   // width (time unit of the ODE) to which a crossing is located
    double min_step = 1e-12;    // steps shorter than this are accepted whatever their error
};

// Counts of trial steps, for tests and for measuring the cost of a tolerance.
struct StepCount {
    long accepted = 0;
    long rejected = 0;  // for error, or to narrow a crossing
};

// The Dormand–Prince tableau (Hairer, Nørsett & Wanner, Solving ODEs I, table 5.2).
namespace dp {
inline constexpr double a21 = 1.0 / 5.0;
inline constexpr double a31 = 3.0 / 40.0, a32 = 9.0 / 40.0;
inline constexpr double a41 = 44.0 / 45.0, a42 = -56.0 / 15.0, a43 = 32.0 / 9.0;
inline constexpr double a51 = 19372.0 / 6561.0, a52 = -25360.0 / 2187.0, a53 = 64448.0 / 6561.0,
                        a54 = -212.0 / 729.0;
inline constexpr double a61 = 9017.0 / 3168.0, a62 = -355.0 / 33.0, a63 = 46732.0 / 5247.0, a64 = 49.0 / 176.0,
                        a65 = -5103.0 / 18656.0;
// Fifth-order weights (also the last row of the tableau: stage 7 is at y_new).
inline constexpr double b1 = 35.0 / 384.0, b3 = 500.0 / 1113.0, b4 = 125.0 / 192.0, b5 = -2187.0 / 6784.0,
                        b6 = 11.0 / 84.0;
// Fifth- minus fourth-order weights: b_i - b*_i with b* = (5179/57600, 0, 7571/16695,
// 393/640, -92097/339200, 187/2100, 1/40).
inline constexpr double e1 = 71.0 / 57600.0, e3 = -71.0 / 16695.0, e4 = 71.0 / 1920.0, e5 = -17253.0 / 339200.0,
                        e6 = 22.0 / 525.0, e7 = -1.0 / 40.0;
}  // namespace dp

// One Dormand–Prince step of length h from y, where k1 = f(y). Writes the fifth-order
// solution to y_new, f(y_new) to k7 (the next step's k1) and the error estimate
// (fifth- minus fourth-order solution) to error.
template <std::size_t N, class Derivative>
void dormand_prince_step(const Derivative& f, const Vec<N>& y, const Vec<N>& k1, double h, Vec<N>& y_new,
                         Vec<N>& k7, Vec<N>& error) {
    using namespace dp;
    Vec<N> k2, k3, k4, k5, k6, stage;
    for (std::size_t i = 0; i < N; ++i) stage[i] = y[i] + h * a21 * k1[i];
    f(stage, k2);
    for (std::size_t i = 0; i < N; ++i) stage[i] = y[i] + h * (a31 * k1[i] + a32 * k2[i]);
    f(stage, k3);
    for (std::size_t i = 0; i < N; ++i) stage[i] = y[i] + h * (a41 * k1[i] + a42 * k2[i] + a43 * k3[i]);
    f(stage, k4);
    for (std::size_t i = 0; i < N; ++i)
        stage[i] = y[i] + h * (a51 * k1[i] + a52 * k2[i] + a53 * k3[i] + a54 * k4[i]);
    f(stage, k5);
    for (std::size_t i = 0; i < N; ++i)
        stage[i] = y[i] + h * (a61 * k1[i] + a62 * k2[i] + a63 * k3[i] + a64 * k4[i] + a65 * k5[i]);
    f(stage, k6);
    for (std::size_t i = 0; i < N; ++i)
        y_new[i] = y[i] + h * (b1 * k1[i] + b3 * k3[i] + b4 * k4[i] + b5 * k5[i] + b6 * k6[i]);
    f(y_new, k7);
    for (std::size_t i = 0; i < N; ++i)
        error[i] = h * (e1 * k1[i] + e3 * k3[i] + e4 * k4[i] + e5 * k5[i] + e6 * k6[i] + e7 * k7[i]);
}

// The event function of an integration without events.
struct NoEvent {
    template <std::size_t N>
    double operator()(const Vec<N>&) const {
        return -1.0;
    }
};

struct Outcome {
    double t;      // where the integration stopped: t_end, or the end of the crossing sub-step
    bool crossed;  // event(y) >= 0 at t
};

// Integrates y' = f(y) from t to t_end with adaptive steps; `h` is the first trial step
// and receives the proposal for the next one (keep it per neuron between calls). Stops
// early, with crossed = true, at the first accepted sub-step that ends with
// event(y) >= 0, narrowed to tol.event_time (see the header comment); returns at once
// when event(y) >= 0 already holds at t.
template <std::size_t N, class Derivative, class Event = NoEvent>
Outcome integrate(const Derivative& f, Vec<N>& y, double t, double t_end, double& h, const Tolerance<N>& tol,
                  const Event& event = {}, StepCount* count = nullptr) {
    double event_now = event(y);
    if (event_now >= 0.0) return {t, true};
    Vec<N> k1, k7, y_new, error;
    f(y, k1);
    bool after_rejection = false;
    while (t < t_end) {
        const double remaining = t_end - t;
        // A step that would leave less than 1e-3 of itself for a last step takes the rest now.
        const bool last = h >= remaining * (1.0 - 1e-3);
        const double step = last ? remaining : h;
        dormand_prince_step(f, y, k1, step, y_new, k7, error);
        double norm = 0.0;
        for (std::size_t i = 0; i < N; ++i) {
            const double scale = tol.absolute[i] + tol.relative * std::max(std::fabs(y[i]), std::fabs(y_new[i]));
            norm = std::max(norm, std::fabs(error[i]) / scale);
        }
        // std::max drops a NaN error; a non-finite state must be caught explicitly.
        bool finite = std::isfinite(norm);
        for (std::size_t i = 0; i < N; ++i) finite = finite && std::isfinite(y_new[i]);
        if (!finite) norm = HUGE_VAL;
        if (norm > 1.0 && step > tol.min_step) {
            h = step * std::max(0.2, 0.9 * std::pow(norm, -0.2));
            after_rejection = true;
            if (count != nullptr) ++count->rejected;
            continue;
        }
        const double event_new = event(y_new);
        if (event_new >= 0.0 && step > tol.event_time) {
            // The crossing lies inside this step: retry shorter, aiming just past the
            // secant estimate of where it is, and at least halving the step.
            const double theta = event_now / (event_now - event_new);  // in (0, 1]
            h = std::min(theta * step + 0.5 * tol.event_time, 0.5 * step);
            after_rejection = true;
            if (count != nullptr) ++count->rejected;
            continue;
        }
        t = last ? t_end : t + step;
        y = y_new;
        k1 = k7;
        event_now = event_new;
        if (count != nullptr) ++count->accepted;
        double factor = norm > 0.0 ? std::clamp(0.9 * std::pow(norm, -0.2), 0.2, 5.0) : 5.0;
        if (after_rejection) factor = std::min(factor, 1.0);
        // A last step shortened to fit says nothing against the step that was proposed.
        h = last ? std::max(h, step * factor) : step * factor;
        after_rejection = false;
        if (event_new >= 0.0) return {t, true};
    }
    return {t, false};
}

}  // namespace neurodyn::ode
