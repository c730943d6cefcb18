// IF_cond_exp against a high-precision reference computed here: classical RK4 with a
// step of 1e-4 ms (1e-3 to 1e-2 of the model's dt), the same event timing (a conductance
// jump arriving at t acts from the end of the step ending at t) and the same
// grid-aligned threshold, reset and refractoriness as the model.
//
// Error of the model's integrator. Over one step it solves v' = -A(t) v + B(t) with
//   A = 1/tau_m + (g_exc + g_inh)/cm,  B = v_rest/tau_m + (g_exc e_rev_E + g_inh e_rev_I + I)/cm
// replaced by their exact means over the step. Expanding both to h^3 (A = A0 + A1 t,
// B = B0 + B1 t) the homogeneous part is exact and the local error is
//   h^3/12 (A' B - A B')   [ = -h^3/12 A^2 d(B/A)/dt ]
// so the global error follows, to leading order, e' = -A e + h^2/12 (A' B - A B'):
// second order, and computable along the reference as h^2 E(t). The step is symmetric
// (stepping back over the same interval uses the same means and retraces it exactly), so
// the error expansion has even powers only: the next term is relative O((h A)^2), with
// A <= 0.5 /ms here about 2.5e-3 at dt = 0.1 ms. The tests therefore assert that the
// measured error IS the prediction, pointwise to 1 % of its peak, which bounds its
// maximum by 1.01 max|h^2 E| and makes the ratio of the maxima at dt = 0.1 and 0.01 ms
// 100 to within 3 %.
//
// The reference's own error: RK4 truncation at 1e-4 ms is ~(1e-4 ms * 0.5/ms)^4 ~ 1e-17
// relative; its rounding in double, damped by the membrane, stays ~1e-12 mV (the same
// reference in long double differs from it by that much). Both are < 1e-4 of the 1 %
// allowance at dt = 0.01 ms (4e-8 mV).

#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <cstdio>
#include <limits>
#include <vector>

#include "models/reference.hpp"
#include "neurodyn/core/random.hpp"
#include "neurodyn/models/if_cond_exp.hpp"

using namespace neurodyn;
using models::IfCondExp;
using test::GroupDriver;

namespace {

struct CondParams {
    double cm = 1.0, tau_m = 20.0, tau_refrac = 0.1, tau_syn_E = 5.0, tau_syn_I = 10.0;
    double e_rev_E = 0.0, e_rev_I = -70.0, v_rest = -65.0, v_reset = -65.0, v_thresh = -50.0, i_offset = 0.0;
};

// A conductance jump of `weight` uS on `port` (0 excitatory, 1 inhibitory) arriving at
// `time_ms`, a multiple of 0.1 ms so that every dt used here has it on its grid.
struct Event {
    double time_ms;
    std::size_t port;
    double weight;
};

struct Trace {
    std::vector<double> v;                  // after each step (t = (step+1) dt)
    std::vector<double> predicted_error;    // h^2 E(t): leading-order error of the model
    std::vector<std::int64_t> spike_steps;  // steps in which the neuron fired
};

std::int64_t arrival_step(double time_ms, double dt) { return std::llround(time_ms / dt) - 1; }

constexpr double kReferenceStepMs = 1e-4;

// The reference: RK4 on (v, g_exc, g_inh, E) with steps of kReferenceStepMs; v frozen while
// refractory; events, threshold and reset at the grid points, as the model orders them.
Trace reference_trace(const CondParams& p, const std::vector<Event>& events, double dt, std::int64_t steps) {
    const auto substeps = static_cast<int>(std::llround(dt / kReferenceStepMs));
    using State = std::array<double, 4>;
    const double cm = p.cm, tau_m = p.tau_m, tau_e = p.tau_syn_E, tau_i = p.tau_syn_I, e_e = p.e_rev_E, e_i = p.e_rev_I,
                 v_rest = p.v_rest, i_offset = p.i_offset;
    bool clamped = false;
    const auto derivative = [&](const State& y) {
        const double v = y[0], ge = y[1], gi = y[2], error = y[3];
        const double a = 1 / tau_m + (ge + gi) / cm;
        const double b = v_rest / tau_m + (ge * e_e + gi * e_i + i_offset) / cm;
        const double a_dot = -(ge / tau_e + gi / tau_i) / cm;
        const double b_dot = -(ge * e_e / tau_e + gi * e_i / tau_i) / cm;
        return State{clamped ? 0.0 : b - a * v, -ge / tau_e, -gi / tau_i,
                     clamped ? 0.0 : -a * error + (a_dot * b - a * b_dot) / 12};
    };
    std::vector<std::vector<std::pair<std::size_t, double>>> arrivals(steps);
    for (const Event& e : events) {
        const std::int64_t s = arrival_step(e.time_ms, dt);
        if (s >= 0 && s < steps) arrivals[s].emplace_back(e.port, e.weight);
    }
    const std::int64_t refractory_steps = std::llround(p.tau_refrac / dt);
    std::int64_t refractory_left = 0;
    State y{p.v_rest, 0.0, 0.0, 0.0};
    const double h = dt / substeps;
    Trace trace;
    for (std::int64_t s = 0; s < steps; ++s) {
        clamped = refractory_left > 0;
        for (int k = 0; k < substeps; ++k) test::rk4_step(y, h, derivative);
        if (clamped) --refractory_left;
        for (const auto& [port, weight] : arrivals[s]) y[1 + port] += weight;
        if (y[0] >= p.v_thresh) {
            y[0] = p.v_reset;
            refractory_left = refractory_steps;
            trace.spike_steps.push_back(s);
        }
        trace.v.push_back(y[0]);
        trace.predicted_error.push_back(y[3] * dt * dt);
    }
    return trace;
}

Trace model_trace(const CondParams& p, const std::vector<Event>& events, double dt, std::int64_t steps) {
    IfCondExp group(1, 0);
    GroupDriver driver(group);
    const std::pair<IfCondExp::Param, double> values[] = {
        {IfCondExp::cm, p.cm},
        {IfCondExp::tau_m, p.tau_m},
        {IfCondExp::tau_refrac, p.tau_refrac},
        {IfCondExp::tau_syn_E, p.tau_syn_E},
        {IfCondExp::tau_syn_I, p.tau_syn_I},
        {IfCondExp::e_rev_E, p.e_rev_E},
        {IfCondExp::e_rev_I, p.e_rev_I},
        {IfCondExp::v_rest, p.v_rest},
        {IfCondExp::v_reset, p.v_reset},
        {IfCondExp::v_thresh, p.v_thresh},
        {IfCondExp::i_offset, p.i_offset},
    };
    for (const auto& [param, value] : values) group.param(param)[0] = value;
    group.state(IfCondExp::v)[0] = p.v_rest;
    group.prepare(dt);
    std::vector<std::vector<std::pair<std::size_t, double>>> arrivals(steps);
    for (const Event& e : events) {
        const std::int64_t s = arrival_step(e.time_ms, dt);
        if (s >= 0 && s < steps) arrivals[s].emplace_back(e.port, e.weight);
    }
    Trace trace;
    for (std::int64_t s = 0; s < steps; ++s) {
        for (const auto& [port, weight] : arrivals[s]) driver.input(port)[0] += weight;
        if (!driver.step().empty()) trace.spike_steps.push_back(s);
        trace.v.push_back(group.state(IfCondExp::v)[0]);
    }
    return trace;
}

// Irregular input from a fixed stream: `count_exc` excitatory and `count_inh` inhibitory
// events at 0.1 ms grid points in [1, duration) ms, weights uniform in [0, max_exc) and
// [0, max_inh) uS.
std::vector<Event> random_events(std::uint64_t seed, double duration_ms, int count_exc, double max_exc, int count_inh,
                                 double max_inh) {
    RandomStream stream(seed, 0, 0);
    std::vector<Event> events;
    const auto grid_points = static_cast<std::uint64_t>((duration_ms - 1.0) * 10.0);
    for (int k = 0; k < count_exc + count_inh; ++k) {
        const double time = 1.0 + 0.1 * static_cast<double>(stream.below(grid_points));
        const bool exc = k < count_exc;
        events.push_back({time, exc ? 0u : 1u, stream.uniform() * (exc ? max_exc : max_inh)});
    }
    return events;
}

struct ErrorSummary {
    double max_error = 0.0;          // max |v_model - v_reference|, mV
    double max_predicted = 0.0;      // max |h^2 E|, mV
    double max_misprediction = 0.0;  // max |v_model - v_reference - h^2 E|, mV
};

ErrorSummary compare(const Trace& model, const Trace& reference) {
    ErrorSummary out;
    for (std::size_t s = 0; s < model.v.size(); ++s) {
        const double error = model.v[s] - reference.v[s];
        out.max_error = std::max(out.max_error, std::fabs(error));
        out.max_predicted = std::max(out.max_predicted, std::fabs(reference.predicted_error[s]));
        out.max_misprediction = std::max(out.max_misprediction, std::fabs(error - reference.predicted_error[s]));
    }
    return out;
}

}  // namespace

TEST(IfCondExp, SubthresholdErrorIsTheSecondOrderPredictionAndDrops100xFromDt01To001) {
    CondParams p;
    p.i_offset = 0.3;
    p.v_thresh = 50.0;  // above e_rev_E and every equilibrium: no spike in this test
    // ~0.75 excitatory and ~0.4 inhibitory events per ms: g_exc + g_inh reaches 0.4 uS
    // (A <= 0.45 /ms) and v ranges over [-65, -36] mV.
    const double duration = 200.0;
    const auto events = random_events(11, duration, 150, 0.03, 80, 0.06);
    std::array<ErrorSummary, 2> summary;
    const double dts[] = {0.1, 0.01};
    for (int d = 0; d < 2; ++d) {
        const double dt = dts[d];
        SCOPED_TRACE("dt = " + std::to_string(dt) + " ms");
        const std::int64_t steps = std::llround(duration / dt);
        const Trace reference = reference_trace(p, events, dt, steps);
        const Trace model = model_trace(p, events, dt, steps);
        ASSERT_TRUE(model.spike_steps.empty());
        summary[d] = compare(model, reference);
        std::printf(
            "IF_cond_exp dt = %g ms: max |error| = %.3g mV, predicted h^2 E max = %.3g mV, "
            "max |error - prediction| = %.3g mV\n",
            dt, summary[d].max_error, summary[d].max_predicted, summary[d].max_misprediction);
        EXPECT_LE(summary[d].max_misprediction, 0.01 * summary[d].max_predicted);
        EXPECT_LE(summary[d].max_error, 1.01 * summary[d].max_predicted);
    }
    // Second order: (0.1/0.01)^2 = 100, up to the O((h A)^2) terms above.
    const double ratio = summary[0].max_error / summary[1].max_error;
    std::printf("IF_cond_exp error ratio dt 0.1 / dt 0.01 = %.2f\n", ratio);
    EXPECT_GT(ratio, 97.0);
    EXPECT_LT(ratio, 103.0);
}

TEST(IfCondExp, DrivenSpikeTimesWithinOneStepOfTheReference) {
    // DC just below threshold (v_inf = -54 mV) plus irregular excitation and inhibition:
    // the neuron fires irregularly, tens of times. The reference detects threshold on
    // the same grid, so a difference can only come from the integrator moving v across
    // threshold at a grid point (v within ~1e-4 mV of it): then the spike moves by one step.
    CondParams p;
    p.i_offset = 0.55;
    p.v_reset = -60.0;
    p.tau_refrac = 2.0;
    const double duration = 300.0;
    const auto events = random_events(12, duration, 500, 0.04, 120, 0.05);
    for (const double dt : {0.1, 0.01}) {
        SCOPED_TRACE("dt = " + std::to_string(dt) + " ms");
        const std::int64_t steps = std::llround(duration / dt);
        const Trace reference = reference_trace(p, events, dt, steps);
        const Trace model = model_trace(p, events, dt, steps);
        ASSERT_GE(reference.spike_steps.size(), 10u);
        ASSERT_EQ(model.spike_steps.size(), reference.spike_steps.size());
        for (std::size_t k = 0; k < model.spike_steps.size(); ++k)
            EXPECT_LE(std::abs(model.spike_steps[k] - reference.spike_steps[k]), 1) << "spike " << k;
    }
}

TEST(IfCondExp, HugeConductancesNeverPushVoltageBeyondReversalPotentials) {
    // g = 1e6 uS on cm = 1 nF is a rate k = g/cm = 1e6 /ms: dt k = 1e5, where explicit
    // Euler or RK4 (stable only for dt k < 2 or 2.8) would blow up. The model's update
    // v_inf + (v - v_inf) exp(-k dt) is a convex combination of v and v_inf, the
    // conductance-weighted mean of v_rest and the reversal potentials, so v stays in
    // [e_rev_I, e_rev_E] up to the rounding of v_inf: a few ulp of 70 mV, < 1e-13 mV.
    constexpr double dt = 0.1, e_rev_E = 0.0, e_rev_I = -70.0, rounding = 1e-13;
    IfCondExp group(4, 0);
    GroupDriver driver(group);
    // Threshold above e_rev_E: v is never reset, so only the integrator holds it in bounds.
    for (std::size_t i = 0; i < 4; ++i) group.param(IfCondExp::v_thresh)[i] = 10.0;
    group.state(IfCondExp::gsyn_exc)[0] = 1e6;  // pulled onto e_rev_E
    group.state(IfCondExp::gsyn_inh)[1] = 1e6;  // pulled onto e_rev_I
    group.state(IfCondExp::v)[1] = -60.0;
    group.prepare(dt);
    for (int s = 0; s < 500; ++s) {
        // Neuron 2: alternating excitatory and inhibitory kicks of 1e6 uS; neuron 3: both at once.
        driver.input(s % 2 == 0 ? 0 : 1)[2] = 1e6;
        driver.input(0)[3] = 1e6;
        driver.input(1)[3] = 3e6;
        driver.step();
        for (std::size_t i = 0; i < 4; ++i) {
            const double v = group.state(IfCondExp::v)[i];
            ASSERT_TRUE(std::isfinite(v)) << "neuron " << i << " step " << s;
            EXPECT_LE(v, e_rev_E + rounding) << "neuron " << i << " step " << s;
            EXPECT_GE(v, e_rev_I - rounding) << "neuron " << i << " step " << s;
        }
        if (s == 0) {
            // exp(-k dt) = exp(-1e5) = 0: one step lands on v_inf, which sits within
            // |v_rest - e_rev|/(tau_m g/cm) ~ 3e-6 mV (< 1e-5) of the reversal potential.
            EXPECT_NEAR(group.state(IfCondExp::v)[0], e_rev_E, 1e-5);
            EXPECT_NEAR(group.state(IfCondExp::v)[1], e_rev_I, 1e-5);
        }
    }
}

TEST(IfCondExp, RefractorinessClampsForRoundedStepsWhileConductancesDecay) {
    // After a spike v equals v_reset exactly, with no spike, for round(tau_refrac/dt)
    // steps; the conductances keep decaying by exp(-dt/tau_syn) per step and take input.
    constexpr double dt = 0.1, tau_e = 5.0, tau_i = 10.0, w_during = 0.05;
    const std::vector<double> tau_refrac{0.0, 0.1, 0.24, 0.26, 2.0};
    const std::vector<std::int64_t> clamped_steps{0, 1, 2, 3, 20};  // round(tau_refrac / dt)
    const std::size_t n = tau_refrac.size();
    IfCondExp group(n, 0);
    GroupDriver driver(group);
    for (std::size_t i = 0; i < n; ++i) {
        group.param(IfCondExp::tau_refrac)[i] = tau_refrac[i];
        group.param(IfCondExp::tau_syn_E)[i] = tau_e;
        group.param(IfCondExp::tau_syn_I)[i] = tau_i;
        group.param(IfCondExp::i_offset)[i] = 30.0;  // v_inf far above threshold: fires within ~1 ms
        group.param(IfCondExp::v_reset)[i] = -62.0;
        group.state(IfCondExp::gsyn_exc)[i] = 0.01;
        group.state(IfCondExp::gsyn_inh)[i] = 0.02;
    }
    group.prepare(dt);
    std::vector<std::int64_t> first_spike(n, -1);
    for (std::int64_t s = 0; s < 60; ++s) {
        std::vector<double> ge_before(n), gi_before(n);
        std::vector<double> input(n, 0.0);
        for (std::size_t i = 0; i < n; ++i) {
            ge_before[i] = group.state(IfCondExp::gsyn_exc)[i];
            gi_before[i] = group.state(IfCondExp::gsyn_inh)[i];
            if (first_spike[i] >= 0 && s == first_spike[i] + 2) input[i] = driver.input(1)[i] = w_during;
        }
        const auto& spiked = driver.step();
        std::vector<bool> fired(n, false);
        for (auto i : spiked) fired[i] = true;
        for (std::size_t i = 0; i < n; ++i) {
            SCOPED_TRACE("tau_refrac = " + std::to_string(tau_refrac[i]) + " ms, step " + std::to_string(s));
            // Exact decay: one multiplication by exp(-dt/tau_syn), equal to within rounding.
            EXPECT_DOUBLE_EQ(group.state(IfCondExp::gsyn_exc)[i], ge_before[i] * std::exp(-dt / tau_e));
            EXPECT_DOUBLE_EQ(group.state(IfCondExp::gsyn_inh)[i], gi_before[i] * std::exp(-dt / tau_i) + input[i]);
            if (first_spike[i] < 0) {
                if (fired[i]) {
                    first_spike[i] = s;
                    EXPECT_EQ(group.state(IfCondExp::v)[i], -62.0);
                }
                continue;
            }
            const std::int64_t since = s - first_spike[i];
            if (since <= clamped_steps[i]) {
                EXPECT_FALSE(fired[i]);
                EXPECT_EQ(group.state(IfCondExp::v)[i], -62.0);
                EXPECT_EQ(group.refractory_steps_left()[i], clamped_steps[i] - since);
            } else if (since == clamped_steps[i] + 1) {
                EXPECT_GT(group.state(IfCondExp::v)[i], -62.0);
            }
        }
    }
    for (std::size_t i = 0; i < n; ++i) EXPECT_GE(first_spike[i], 0) << "neuron " << i;
}

TEST(IfCondExp, HomogeneousFastPathIsTheGeneralPathBitForBit) {
    const auto configure = [](IfCondExp& g) {
        for (std::size_t i = 0; i < g.size(); ++i) {
            g.param(IfCondExp::cm)[i] = 0.5;
            g.param(IfCondExp::tau_m)[i] = 15.0;
            g.param(IfCondExp::tau_refrac)[i] = 1.0;
            g.param(IfCondExp::tau_syn_E)[i] = 3.0;
            g.param(IfCondExp::tau_syn_I)[i] = 7.0;
            g.param(IfCondExp::v_reset)[i] = -68.0;
            g.param(IfCondExp::i_offset)[i] = 0.6;
        }
    };
    for (const std::size_t perturbed : {IfCondExp::tau_m, IfCondExp::tau_syn_I, IfCondExp::e_rev_I})
        test::expect_fast_path_matches_general_path<IfCondExp>(configure, perturbed, 0.1, 2000, 0.02);
}
