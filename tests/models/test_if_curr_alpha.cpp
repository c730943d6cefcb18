// IF_curr_alpha against its closed-form solution: subthreshold traces under DC and under
// alpha-shaped synaptic currents (tau_syn below, at, and within 1e-12 of tau_m, and
// above it), the current's peak, spike times of the leaky integrator under DC and after
// one alpha input, refractoriness, and the parameter checks.
//
// The closed form. A spike of weight w arriving at t0 gives, u = t - t0 later,
//   I(u) = w (u/tau_syn) exp(1 - u/tau_syn)
//   v(u) - v_rest = w e / (tau_syn cm) K(u),   K(u) = integral_0^u exp(-(u-s)/tau_m) s exp(-s/tau_syn) ds
// and, with a = 1/tau_syn - 1/tau_m,
//   K(u) = (exp(-u/tau_m) - exp(-u/tau_syn) (1 + a u)) / a^2            (|a u| >= 1/2)
//   K(u) = exp(-u/tau_m) u^2 sum_k (-a u)^k / (k! (k+2))                (|a u| < 1/2)
// evaluated here in long double (alpha_kernel below): the second form is the Taylor
// series of the first, alternating and with terms < 1/2^k, so 40 terms reach 1e-20. The
// model uses other forms (a positive series times exp(-x) below x = 1, a subtraction
// above, and the substitution s -> u - s when tau_syn > tau_m): they share no formula.
//
// Tolerance of the traces: the model integrates exactly, so its only error is rounding,
// bounded exactly as for IF_curr_exp (tests/models/test_if_curr_exp.cpp): per step a few
// ulp of |v| < 100 mV, ~1e-14 mV, damped by P22 each step, so at most
// 1e-14 mV * tau_m/dt = 2e-11 mV at tau_m = 20 ms, dt = 0.01 ms (and the propagators'
// own few-ulp errors, amplified by the same 1/(1 - P22), give < 1e-11 mV). 1e-9 mV is
// a factor > 10 above that, and far below the error of the textbook propagator at
// tau_syn = tau_m (1 + 1e-12) (a division of a vanishing difference by a^2 ~ 1e-28).

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <numbers>
#include <string>
#include <vector>

#include "models/reference.hpp"
#include "neurodyn/core/error.hpp"
#include "neurodyn/models/if_cond_alpha.hpp"
#include "neurodyn/models/if_cond_exp_gsfa_grr.hpp"
#include "neurodyn/models/if_curr_alpha.hpp"

using namespace neurodyn;
using models::IfCurrAlpha;
using test::GroupDriver;

namespace {

constexpr double kTraceToleranceMv = 1e-9;  // rounding only: see the top of the file
constexpr double kDtSweepMs[] = {0.01, 0.1, 0.5};
constexpr double kUnreachableThresholdMv = 100.0;

std::int64_t steps_for(double duration_ms, double dt_ms) { return std::llround(duration_ms / dt_ms); }

// K(u) of the file's header (ms^2), in long double.
long double alpha_kernel(long double u, long double tau_m, long double tau_syn) {
    const long double a = 1.0L / tau_syn - 1.0L / tau_m;
    if (std::fabs(a * u) >= 0.5L) return (std::exp(-u / tau_m) - std::exp(-u / tau_syn) * (1.0L + a * u)) / (a * a);
    long double power = 1.0L, sum = 0.0L;  // power_k = (-a u)^k / k!
    for (int k = 0; k < 40; ++k) {
        sum += power / static_cast<long double>(k + 2);
        power *= -a * u / static_cast<long double>(k + 1);
    }
    return std::exp(-u / tau_m) * u * u * sum;
}

// Membrane potential (relative to v_rest) and current u after an input of weight w (nA).
long double alpha_voltage(long double u, long double w, long double tau_m, long double tau_syn, long double cm) {
    return w * std::numbers::e_v<long double> / (tau_syn * cm) * alpha_kernel(u, tau_m, tau_syn);
}
long double alpha_current(long double u, long double w, long double tau_syn) {
    return w * u / tau_syn * std::exp(1.0L - u / tau_syn);
}

void set_all(IfCurrAlpha& group, IfCurrAlpha::Param param, double value) {
    for (std::size_t i = 0; i < group.size(); ++i) group.param(param)[i] = value;
}

}  // namespace

TEST(IfCurrAlpha, SubthresholdTraceMatchesClosedFormAlsoWhenTauSynMeetsTauM) {
    // One excitatory and one inhibitory input per neuron, plus a DC current (i_offset and
    // injected) on some; tau_syn_E sweeps through tau_m from both sides down to 1e-12
    // relative, and far below and above it.
    constexpr double tau_m = 20.0, cm = 0.5;
    const std::vector<double> tau_syn_exc{0.5, 5.0, 0.05, 60.0, tau_m, tau_m * (1 + 1e-6), tau_m * (1 - 1e-6),
                                          tau_m * (1 + 1e-12), tau_m * (1 - 1e-12)};
    const std::vector<double> tau_syn_inh{2.0, tau_m, 0.5, 5.0, 1.0, tau_m * (1 - 1e-9), 100.0, tau_m * (1 + 1e-9),
                                          0.3};
    const std::vector<double> i_offset{0.0, 0.2, 0.0, -0.1, 0.0, 0.0, 0.05, 0.0, 0.0};
    const std::vector<double> injected{0.0, 0.0, 0.1, 0.0, 0.0, 0.0, 0.0, 0.0, -0.05};
    constexpr double w_exc = 1.5, w_inh = -0.8;             // nA
    constexpr double arrival_exc = 2.0, arrival_inh = 7.0;  // ms: grid points of every dt swept
    const std::size_t n = tau_syn_exc.size();

    for (const double dt : kDtSweepMs) {
        SCOPED_TRACE("dt = " + std::to_string(dt) + " ms");
        IfCurrAlpha group(n, 0);
        GroupDriver driver(group);
        set_all(group, IfCurrAlpha::cm, cm);
        set_all(group, IfCurrAlpha::tau_m, tau_m);
        set_all(group, IfCurrAlpha::v_thresh, kUnreachableThresholdMv);
        for (std::size_t i = 0; i < n; ++i) {
            group.param(IfCurrAlpha::tau_syn_E)[i] = tau_syn_exc[i];
            group.param(IfCurrAlpha::tau_syn_I)[i] = tau_syn_inh[i];
            group.param(IfCurrAlpha::i_offset)[i] = i_offset[i];
            driver.injected()[i] = injected[i];
        }
        group.prepare(dt);
        // Input "arriving at t" enters in the step that ends at t.
        const std::int64_t step_exc = steps_for(arrival_exc, dt) - 1, step_inh = steps_for(arrival_inh, dt) - 1;
        const std::int64_t steps = steps_for(150.0, dt);
        double max_v_error = 0.0, max_current_error = 0.0, max_response = 0.0;
        for (std::int64_t s = 0; s < steps; ++s) {
            for (std::size_t i = 0; i < n; ++i) {
                if (s == step_exc) driver.input(0)[i] = w_exc;
                if (s == step_inh) driver.input(1)[i] = w_inh;
            }
            ASSERT_TRUE(driver.step().empty());
            const long double t = static_cast<long double>(s + 1) * dt;  // the state is at the step's end
            for (std::size_t i = 0; i < n; ++i) {
                long double v = test::lif_relaxation(t, -65.0L, -65.0L, tau_m, cm,
                                                     static_cast<long double>(i_offset[i]) + injected[i]);
                long double i_exc = 0.0L, i_inh = 0.0L;
                if (s >= step_exc) {
                    const long double u = static_cast<long double>(s - step_exc) * dt;  // time since arrival
                    v += alpha_voltage(u, w_exc, tau_m, tau_syn_exc[i], cm);
                    i_exc = alpha_current(u, w_exc, tau_syn_exc[i]);
                }
                if (s >= step_inh) {
                    const long double u = static_cast<long double>(s - step_inh) * dt;
                    v += alpha_voltage(u, w_inh, tau_m, tau_syn_inh[i], cm);
                    i_inh = alpha_current(u, w_inh, tau_syn_inh[i]);
                }
                max_response = std::max(max_response, static_cast<double>(std::fabs(v + 65.0L)));
                max_v_error =
                    std::max(max_v_error, static_cast<double>(std::fabs(group.state(IfCurrAlpha::v)[i] - v)));
                max_current_error = std::max(
                    max_current_error, static_cast<double>(std::fabs(group.state(IfCurrAlpha::isyn_exc)[i] - i_exc) +
                                                           std::fabs(group.state(IfCurrAlpha::isyn_inh)[i] - i_inh)));
            }
        }
        std::printf("IF_curr_alpha dt = %g ms: max |v - closed form| = %.3g mV (response up to %.3g mV), "
                    "max |isyn error| = %.3g nA\n",
                    dt, max_v_error, max_response, max_current_error);
        EXPECT_GT(max_response, 5.0);  // the inputs do move v: the comparison has teeth
        EXPECT_LE(max_v_error, kTraceToleranceMv);
        // The currents are products of <= 15000 propagator factors of relative error
        // ~1e-16 each, applied to |I| <= 1.5 nA: < 3e-12 nA.
        EXPECT_LE(max_current_error, 1e-11);
    }
}

TEST(IfCurrAlpha, CurrentPeaksAtTheWeightAtTauSyn) {
    // PyNN's and NEST's normalisation: the current of one input peaks at w, tau_syn
    // after the arrival. With tau_syn on the grid, the sample at the peak is w to
    // rounding (a few ulp from e/tau_syn, P21 and 1/e), and every other sample is lower.
    constexpr double dt = 0.1, w = 0.7;
    for (const double tau_syn : {0.5, 2.0, 7.3}) {
        SCOPED_TRACE("tau_syn = " + std::to_string(tau_syn) + " ms");
        IfCurrAlpha group(1, 0);
        GroupDriver driver(group);
        group.param(IfCurrAlpha::tau_syn_E)[0] = tau_syn;
        group.param(IfCurrAlpha::v_thresh)[0] = kUnreachableThresholdMv;
        group.prepare(dt);
        driver.input(0)[0] = w;
        driver.step();  // arrives at the end of step 0, t = dt
        const std::int64_t peak_step = steps_for(tau_syn, dt);
        double peak = 0.0;
        std::int64_t argmax = -1;
        for (std::int64_t s = 1; s <= 4 * peak_step; ++s) {
            driver.step();
            if (group.state(IfCurrAlpha::isyn_exc)[0] > peak) {
                peak = group.state(IfCurrAlpha::isyn_exc)[0];
                argmax = s;
            }
        }
        EXPECT_EQ(argmax, peak_step);
        EXPECT_NEAR(peak, w, 1e-14);
    }
}

TEST(IfCurrAlpha, SpikeTimesUnderDcMatchTimeToThresholdWithinOneStep) {
    // Without synaptic input the model is the leaky integrator of IF_curr_exp: from
    // v_reset = v_rest a DC current reaches threshold after T = tau_m ln(R I / (R I - 15 mV)),
    // so each interval is round(tau_refrac/dt) + ceil(T/dt) steps exactly when T/dt is not
    // within 1e-6 of an integer (v is exact to ~1e-11 mV and crosses at >= 0.05 mV/ms).
    constexpr double tau_m = 20.0, cm = 1.0, v_rest = -65.0, v_thresh = -50.0, tau_refrac = 2.0;
    const std::vector<double> currents{0.8, 1.0, 1.5, 3.0, 12.0};  // nA; rheobase 0.75 nA
    constexpr double slack_ms = 1e-9;                              // rounding of the stamps
    for (const double dt : kDtSweepMs) {
        SCOPED_TRACE("dt = " + std::to_string(dt) + " ms");
        IfCurrAlpha group(currents.size(), 0);
        GroupDriver driver(group);
        set_all(group, IfCurrAlpha::tau_refrac, tau_refrac);
        for (std::size_t i = 0; i < currents.size(); ++i) group.param(IfCurrAlpha::i_offset)[i] = currents[i];
        group.prepare(dt);
        const auto fired = driver.run(steps_for(300.0, dt));
        const std::int64_t refractory_steps = std::llround(tau_refrac / dt);
        for (std::size_t i = 0; i < currents.size(); ++i) {
            SCOPED_TRACE("I = " + std::to_string(currents[i]) + " nA");
            const double T = test::lif_time_to_threshold(tau_m, cm, currents[i], v_rest, v_rest, v_thresh);
            ASSERT_GE(fired[i].size(), 3u);
            const double first = static_cast<double>(fired[i][0] + 1) * dt;
            EXPECT_GE(first, T - slack_ms);
            EXPECT_LE(first, T + dt + slack_ms);
            const double steps_to_threshold = T / dt;
            if (std::fabs(steps_to_threshold - std::round(steps_to_threshold)) <= 1e-6) continue;
            for (std::size_t k = 1; k < fired[i].size(); ++k)
                EXPECT_EQ(fired[i][k] - fired[i][k - 1],
                          refractory_steps + static_cast<std::int64_t>(std::ceil(steps_to_threshold)))
                    << "interval " << k;
        }
    }
}

TEST(IfCurrAlpha, SpikeAfterOneAlphaInputIsStampedAtTheFirstGridPointPastTheCrossing) {
    // One input of w nA at t0 = 1 ms; the crossing time t0 + u* of v_thresh is found by
    // bisection on the closed form (long double, to 1e-15 ms) on the rising flank (before
    // the maximum of v). The model detects it at the end of the step in which it happens:
    // spike step = ceil((t0 + u*)/dt) - 1, asserted where (t0 + u*)/dt is not within 1e-6
    // of an integer (v is exact to 1e-9 mV and rises at > 1 mV/ms there).
    constexpr double tau_m = 10.0, cm = 0.25, t0 = 1.0;
    struct Case {
        double tau_syn, w;
    };
    const std::vector<Case> cases{{0.5, 4.0}, {2.0, 1.5}, {10.0, 0.6}, {10.0 * (1 + 1e-10), 0.6}, {25.0, 0.5}};
    for (const double dt : kDtSweepMs) {
        SCOPED_TRACE("dt = " + std::to_string(dt) + " ms");
        IfCurrAlpha group(cases.size(), 0);
        GroupDriver driver(group);
        set_all(group, IfCurrAlpha::tau_m, tau_m);
        set_all(group, IfCurrAlpha::cm, cm);
        for (std::size_t i = 0; i < cases.size(); ++i) group.param(IfCurrAlpha::tau_syn_E)[i] = cases[i].tau_syn;
        group.prepare(dt);
        const std::int64_t arrival_step = steps_for(t0, dt) - 1;
        std::vector<std::int64_t> first(cases.size(), -1);
        for (std::int64_t s = 0; s < steps_for(100.0, dt); ++s) {
            if (s == arrival_step)
                for (std::size_t i = 0; i < cases.size(); ++i) driver.input(0)[i] = cases[i].w;
            for (const auto i : driver.step())
                if (first[i] < 0) first[i] = s;
        }
        for (std::size_t i = 0; i < cases.size(); ++i) {
            SCOPED_TRACE("tau_syn = " + std::to_string(cases[i].tau_syn) + " ms");
            const auto above = [&](long double u) {
                return -65.0L + alpha_voltage(u, cases[i].w, tau_m, cases[i].tau_syn, cm) >= -50.0L;
            };
            // The maximum of v lies before u = tau_m + tau_syn; scan for the first sample above.
            long double low = 0.0L, high = 0.0L;
            for (long double u = 0.0L; u < 100.0L; u += 0.01L) {
                if (above(u)) {
                    high = u;
                    break;
                }
                low = u;
            }
            ASSERT_GT(high, 0.0L) << "the input is meant to fire the neuron";
            while (high - low > 1e-15L) {
                const long double mid = (low + high) / 2;
                (above(mid) ? high : low) = mid;
            }
            const double crossing = t0 + static_cast<double>(high);
            ASSERT_GE(first[i], 0);
            const double stamp = static_cast<double>(first[i] + 1) * dt;
            EXPECT_GE(stamp, crossing - 1e-9);
            EXPECT_LE(stamp, crossing + dt + 1e-9);
            const double steps = crossing / dt;
            if (std::fabs(steps - std::round(steps)) > 1e-6) {
                EXPECT_EQ(first[i], static_cast<std::int64_t>(std::ceil(steps)) - 1);
            }
        }
    }
}

TEST(IfCurrAlpha, RefractorinessClampsForRoundedStepsWhileCurrentsEvolve) {
    // A strong DC makes each neuron fire within a few steps; after its first spike v must
    // equal v_reset exactly, with no spike, for round(tau_refrac/dt) steps, and integrate
    // on the next. Meanwhile the alpha current keeps evolving as the closed form (an
    // input at step 3, before any spike) and takes the input arriving while clamped.
    constexpr double dt = 0.1, tau_syn = 1.0, w0 = 2.0, w_during = 0.7;
    const std::vector<double> tau_refrac{0.0, 0.1, 0.24, 0.26, 2.0};
    const std::vector<std::int64_t> clamped_steps{0, 1, 2, 3, 20};  // round(tau_refrac / dt)
    const std::size_t n = tau_refrac.size();
    IfCurrAlpha group(n, 0);
    GroupDriver driver(group);
    for (std::size_t i = 0; i < n; ++i) group.param(IfCurrAlpha::tau_refrac)[i] = tau_refrac[i];
    set_all(group, IfCurrAlpha::tau_syn_E, tau_syn);
    set_all(group, IfCurrAlpha::i_offset, 40.0);  // R I = 800 mV: threshold in ~0.4 ms
    group.prepare(dt);
    constexpr std::int64_t input_step = 3;
    std::vector<std::int64_t> first_spike(n, -1);
    for (std::int64_t s = 0; s < 60; ++s) {
        if (s == input_step)
            for (std::size_t i = 0; i < n; ++i) driver.input(0)[i] = w0;
        for (std::size_t i = 0; i < n; ++i)
            if (first_spike[i] >= 0 && s == first_spike[i] + 2) driver.input(0)[i] = w_during;
        const auto& spiked = driver.step();
        std::vector<bool> fired(n, false);
        for (auto i : spiked) fired[i] = true;
        for (std::size_t i = 0; i < n; ++i) {
            SCOPED_TRACE("tau_refrac = " + std::to_string(tau_refrac[i]) + " ms, step " + std::to_string(s));
            // The current: closed form of the inputs so far (products of < 60 propagator
            // factors: relative error < 1e-14, on currents < 3 nA).
            long double current = 0.0L;
            if (s >= input_step) current += alpha_current(static_cast<long double>(s - input_step) * dt, w0, tau_syn);
            if (first_spike[i] >= 0 && s >= first_spike[i] + 2)
                current += alpha_current(static_cast<long double>(s - first_spike[i] - 2) * dt, w_during, tau_syn);
            EXPECT_NEAR(group.state(IfCurrAlpha::isyn_exc)[i], static_cast<double>(current), 1e-13);
            if (first_spike[i] < 0) {
                if (fired[i]) {
                    first_spike[i] = s;
                    EXPECT_EQ(group.state(IfCurrAlpha::v)[i], -65.0);
                    EXPECT_EQ(group.refractory_steps_left()[i], clamped_steps[i]);
                }
                continue;
            }
            const std::int64_t since = s - first_spike[i];
            if (since <= clamped_steps[i]) {
                EXPECT_FALSE(fired[i]);
                EXPECT_EQ(group.state(IfCurrAlpha::v)[i], -65.0);  // exactly v_reset: clamped, not integrated
                EXPECT_EQ(group.refractory_steps_left()[i], clamped_steps[i] - since);
            } else if (since == clamped_steps[i] + 1) {
                EXPECT_GT(group.state(IfCurrAlpha::v)[i], -65.0);  // integrating again, under 40 nA
            }
        }
    }
    for (std::size_t i = 0; i < n; ++i) EXPECT_GE(first_spike[i], 0) << "neuron " << i;
}

TEST(IfCurrAlpha, HomogeneousFastPathIsTheGeneralPathBitForBit) {
    const auto configure = [](IfCurrAlpha& g) {
        set_all(g, IfCurrAlpha::cm, 0.5);
        set_all(g, IfCurrAlpha::tau_m, 15.0);
        set_all(g, IfCurrAlpha::tau_refrac, 1.0);
        set_all(g, IfCurrAlpha::tau_syn_E, 1.0);
        set_all(g, IfCurrAlpha::tau_syn_I, 3.0);
        set_all(g, IfCurrAlpha::v_reset, -68.0);
        set_all(g, IfCurrAlpha::i_offset, 0.6);  // R I = 18 mV: fires on its own
    };
    for (const std::size_t perturbed : {IfCurrAlpha::tau_m, IfCurrAlpha::tau_syn_E, IfCurrAlpha::i_offset})
        test::expect_fast_path_matches_general_path<IfCurrAlpha>(configure, perturbed, 0.1, 2000, 0.8);
}

TEST(IfCurrAlpha, TimeConstantsFarBelowTheStepGiveFiniteExactPropagators) {
    // tau_m = 1e-4 ms with dt = 0.1 ms: exp(-dt/tau_m) underflows to 0 and
    // exp(dt |1/tau_syn - 1/tau_m|) would overflow; the propagators must stay finite and
    // exact. v then follows the current quasi-statically (R I(t), 1e-4 mV per nA).
    // Tolerance 1e-12 mV: rounding of terms < 1e-3 mV is < 1e-18 mV; the margin covers
    // the closed form's own cancellation (a^2 ~ 1e8 /ms^2 divides a difference ~1e-8).
    constexpr double dt = 0.1, cm = 1.0, w = 1.0;
    for (const auto& [tau_m, tau_syn] : {std::pair{1e-4, 5.0}, std::pair{5.0, 1e-4}, std::pair{1e-4, 1e-4}}) {
        SCOPED_TRACE("tau_m = " + std::to_string(tau_m) + ", tau_syn = " + std::to_string(tau_syn));
        IfCurrAlpha group(1, 0);
        GroupDriver driver(group);
        group.param(IfCurrAlpha::tau_m)[0] = tau_m;
        group.param(IfCurrAlpha::tau_syn_E)[0] = tau_syn;
        group.param(IfCurrAlpha::v_thresh)[0] = kUnreachableThresholdMv;
        group.prepare(dt);
        driver.input(0)[0] = w;
        driver.step();
        for (int s = 1; s < 20; ++s) {
            driver.step();
            const long double u = static_cast<long double>(s) * dt;
            const long double expected = -65.0L + alpha_voltage(u, w, tau_m, tau_syn, cm);
            ASSERT_TRUE(std::isfinite(group.state(IfCurrAlpha::v)[0])) << "step " << s;
            EXPECT_NEAR(group.state(IfCurrAlpha::v)[0], static_cast<double>(expected), 1e-12) << "step " << s;
        }
    }
}

TEST(IfCurrAlpha, ParameterChecks) {
    const auto expect_error = [](IfCurrAlpha::Param param, double value, const std::string& message) {
        IfCurrAlpha group(1, 0);
        group.param(param)[0] = value;
        try {
            group.prepare(0.1);
            ADD_FAILURE() << "accepted; expected: " << message;
        } catch (const ValueError& e) {
            EXPECT_EQ(std::string(e.what()), message);
        }
    };
    expect_error(IfCurrAlpha::tau_syn_E, 0.0, "IF_curr_alpha: tau_syn_E must be > 0 ms, got 0 ms");
    expect_error(IfCurrAlpha::tau_syn_I, -1.0, "IF_curr_alpha: tau_syn_I must be > 0 ms, got -1 ms");
    expect_error(IfCurrAlpha::cm, std::numeric_limits<double>::quiet_NaN(),
                 "IF_curr_alpha: cm must be a finite number, got NaN nF");
    expect_error(IfCurrAlpha::v_reset, -50.0, "IF_curr_alpha: v_reset must be < v_thresh (-50 mV), got -50 mV");
    expect_error(IfCurrAlpha::v_thresh, -70.0, "IF_curr_alpha: v_reset must be < v_thresh (-70 mV), got -65 mV");
    IfCurrAlpha group(1, 0);
    EXPECT_NO_THROW(group.prepare(0.1));  // PyNN's defaults are valid
    EXPECT_EQ(group.param(IfCurrAlpha::tau_syn_E)[0], 0.5);
}

// The table-driven sweep of tests/models/test_model_validation.cpp, for the models added
// with this one (IF_curr_alpha, IF_cond_alpha, IF_cond_exp_gsfa_grr): every "> 0" field
// rejects 0, -0, -1 and -5e-324 and accepts 5e-324; every ">= 0" field rejects -5e-324
// and -1 and accepts 0; every field rejects NaN and +-inf; messages name the model, the
// field, the condition with its unit and the value.
TEST(AlphaAndAdaptingModels, EveryParameterRejectsItsBoundViolationsWithTheStandardMessage) {
    constexpr double kTiny = std::numeric_limits<double>::denorm_min();
    constexpr double kInf = std::numeric_limits<double>::infinity();
    int checked = 0;
    for (const ModelInfo* info : {&models::IfCurrAlpha::kInfo, &models::IfCondAlpha::kInfo,
                                  &models::IfCondExpGsfaGrr::kInfo}) {
        for (std::size_t p = 0; p < info->params.size(); ++p) {
            const FieldInfo& field = info->params[p];
            const std::string name(field.name), unit = " " + std::string(field.unit);
            SCOPED_TRACE(std::string(info->name) + "." + name);
            const auto prepare = [&](double value) {
                auto group = info->create(1, 0);
                group->param(p)[0] = value;
                group->prepare(0.1);
            };
            const auto rejected = [&](double value, const std::string& condition, const std::string& shown) {
                const std::string message = std::string(info->name) + ": " + name + " must be " + condition +
                                            ", got " + shown + unit;
                try {
                    prepare(value);
                    ADD_FAILURE() << "accepted; expected: " << message;
                } catch (const ValueError& e) {
                    EXPECT_EQ(std::string(e.what()), message);
                    EXPECT_EQ(e.key(), name);
                }
            };
            if (field.bound == Bound::positive) {
                for (const auto& [value, shown] : {std::pair{0.0, "0"}, std::pair{-0.0, "-0"}, std::pair{-1.0, "-1"},
                                                   std::pair{-kTiny, "-5e-324"}})
                    rejected(value, "> 0" + unit, shown);
                EXPECT_NO_THROW(prepare(kTiny));
            }
            if (field.bound == Bound::non_negative) {
                rejected(-kTiny, ">= 0" + unit, "-5e-324");
                rejected(-1.0, ">= 0" + unit, "-1");
                EXPECT_NO_THROW(prepare(0.0));
            }
            for (const auto& [value, shown] : {std::pair{std::numeric_limits<double>::quiet_NaN(), "NaN"},
                                               std::pair{kInf, "inf"}, std::pair{-kInf, "-inf"}})
                rejected(value, "a finite number", shown);
            ++checked;
        }
    }
    EXPECT_EQ(checked, 9 + 11 + 17);
}
