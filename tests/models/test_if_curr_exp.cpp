// IF_curr_exp against its closed-form solution: subthreshold traces under DC and under
// synaptic input (including tau_syn == tau_m and tau_syn within 1e-12 of tau_m), spike
// times and the f-I curve of the leaky integrate-and-fire neuron, and refractoriness.
//
// Tolerance of the traces. The model integrates exactly, so its only error is rounding.
// One step v <- v_rest + P22 (v - v_rest) + P21 isyn + P20 I rounds each of its ~6
// operations and each propagator to within a few ulp: at most ~1e-14 mV for |v| < 100 mV
// and terms < 50 mV. Earlier errors are damped by P22 each step, so they add up to at
// most (per-step error) / (1 - P22) ~ 1e-14 mV * tau_m/dt = 2e-11 mV at tau_m = 20 ms,
// dt = 0.01 ms (the smallest step swept). A relative error eps of P22 shifts the fixed
// point by eps/(1 - P22) relative, again ~2000 eps * 15 mV < 1e-11 mV. 1e-9 mV leaves
// a factor > 10 above that (the measured maximum is 4e-12 mV) and is orders of magnitude
// below the discretisation error of any approximate scheme at these steps (the textbook
// form of P21 alone is off by up to 2 mV at tau_syn = tau_m (1 + 1e-12)).

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "models/reference.hpp"
#include "neurodyn/models/if_curr_exp.hpp"

using namespace neurodyn;
using models::IfCurrExp;
using test::GroupDriver;

namespace {

constexpr double kTraceToleranceMv = 1e-9;  // rounding only: see the top of the file
constexpr double kDtSweepMs[] = {0.01, 0.1, 0.5};

// A threshold no trace of the subthreshold tests comes near.
constexpr double kUnreachableThresholdMv = 100.0;

std::int64_t steps_for(double duration_ms, double dt_ms) { return std::llround(duration_ms / dt_ms); }

}  // namespace

TEST(IfCurrExp, SubthresholdDcTraceMatchesClosedForm) {
    struct Neuron {
        double cm, tau_m, i_offset, injected, v0;
    };
    // Different cm and tau_m catch a propagator that confuses them; the injected current
    // takes the same path as i_offset; the last neuron relaxes from above rest, undriven.
    const std::vector<Neuron> neurons{
        {1.0, 20.0, 0.5, 0.0, -65.0},
        {0.25, 10.0, 0.1, 0.05, -70.0},
        {2.0, 5.0, -0.3, 0.2, -55.0},
        {1.0, 20.0, 0.0, 0.0, -60.0},
    };
    for (const double dt : kDtSweepMs) {
        SCOPED_TRACE("dt = " + std::to_string(dt) + " ms");
        IfCurrExp group(neurons.size(), 0);
        GroupDriver driver(group);
        for (std::size_t i = 0; i < neurons.size(); ++i) {
            group.param(IfCurrExp::cm)[i] = neurons[i].cm;
            group.param(IfCurrExp::tau_m)[i] = neurons[i].tau_m;
            group.param(IfCurrExp::i_offset)[i] = neurons[i].i_offset;
            group.param(IfCurrExp::v_thresh)[i] = kUnreachableThresholdMv;
            group.state(IfCurrExp::v)[i] = neurons[i].v0;
            driver.injected()[i] = neurons[i].injected;
        }
        group.prepare(dt);
        const std::int64_t steps = steps_for(100.0, dt);
        std::vector<double> max_error(neurons.size(), 0.0);
        for (std::int64_t s = 0; s < steps; ++s) {
            ASSERT_TRUE(driver.step().empty());
            const long double t = static_cast<long double>(s + 1) * dt;  // the state is at the step's end
            for (std::size_t i = 0; i < neurons.size(); ++i) {
                const Neuron& n = neurons[i];
                const long double expected = test::lif_relaxation(t, n.v0, -65.0L, n.tau_m, n.cm,
                                                                  static_cast<long double>(n.i_offset) + n.injected);
                max_error[i] =
                    std::max(max_error[i], static_cast<double>(std::fabs(group.state(IfCurrExp::v)[i] - expected)));
            }
        }
        for (std::size_t i = 0; i < neurons.size(); ++i) EXPECT_LE(max_error[i], kTraceToleranceMv) << "neuron " << i;
    }
}

TEST(IfCurrExp, SynapticInputTraceMatchesClosedFormAlsoWhenTauSynMeetsTauM) {
    // One excitatory and one inhibitory input per neuron; tau_syn_E sweeps through tau_m
    // (the propagator's removable singularity) from both sides, down to 1e-12 relative,
    // where the textbook difference formula loses all its digits.
    constexpr double tau_m = 20.0, cm = 0.5;
    const std::vector<double> tau_syn_exc{
        5.0, 0.5, 40.0, tau_m, tau_m * (1 + 1e-6), tau_m * (1 - 1e-6), tau_m * (1 + 1e-12), tau_m * (1 - 1e-12)};
    const std::vector<double> tau_syn_inh{10.0, tau_m, 2.0, 5.0, tau_m * (1 - 1e-9), 1.0, 100.0, tau_m * (1 + 1e-9)};
    constexpr double w_exc = 1.5, w_inh = -0.8;             // nA
    constexpr double arrival_exc = 2.0, arrival_inh = 7.0;  // ms: grid points of every dt swept
    const std::size_t n = tau_syn_exc.size();

    for (const double dt : kDtSweepMs) {
        SCOPED_TRACE("dt = " + std::to_string(dt) + " ms");
        IfCurrExp group(n, 0);
        GroupDriver driver(group);
        for (std::size_t i = 0; i < n; ++i) {
            group.param(IfCurrExp::cm)[i] = cm;
            group.param(IfCurrExp::tau_m)[i] = tau_m;
            group.param(IfCurrExp::tau_syn_E)[i] = tau_syn_exc[i];
            group.param(IfCurrExp::tau_syn_I)[i] = tau_syn_inh[i];
            group.param(IfCurrExp::v_thresh)[i] = kUnreachableThresholdMv;
        }
        group.prepare(dt);
        // Input "arriving at t" enters in the step that ends at t.
        const std::int64_t step_exc = steps_for(arrival_exc, dt) - 1, step_inh = steps_for(arrival_inh, dt) - 1;
        const std::int64_t steps = steps_for(120.0, dt);
        double max_v_error = 0.0, max_current_error = 0.0;
        for (std::int64_t s = 0; s < steps; ++s) {
            for (std::size_t i = 0; i < n; ++i) {
                if (s == step_exc) driver.input(0)[i] = w_exc;
                if (s == step_inh) driver.input(1)[i] = w_inh;
            }
            ASSERT_TRUE(driver.step().empty());
            for (std::size_t i = 0; i < n; ++i) {
                long double v = -65.0L, i_exc = 0.0L, i_inh = 0.0L;
                if (s >= step_exc) {
                    const long double u = static_cast<long double>(s - step_exc) * dt;  // time since arrival
                    v += w_exc / cm * test::psc_kernel(u, tau_m, tau_syn_exc[i]);
                    i_exc = w_exc * std::exp(-u / tau_syn_exc[i]);
                }
                if (s >= step_inh) {
                    const long double u = static_cast<long double>(s - step_inh) * dt;
                    v += w_inh / cm * test::psc_kernel(u, tau_m, tau_syn_inh[i]);
                    i_inh = w_inh * std::exp(-u / tau_syn_inh[i]);
                }
                max_v_error = std::max(max_v_error, static_cast<double>(std::fabs(group.state(IfCurrExp::v)[i] - v)));
                // The currents decay by a power of one propagator: relative error ~ steps * eps.
                max_current_error = std::max(
                    max_current_error, static_cast<double>(std::fabs(group.state(IfCurrExp::isyn_exc)[i] - i_exc) +
                                                           std::fabs(group.state(IfCurrExp::isyn_inh)[i] - i_inh)));
            }
        }
        EXPECT_LE(max_v_error, kTraceToleranceMv);
        // <= 12000 multiplications by P11 of relative error ~1e-16 each: < 2e-12 relative.
        EXPECT_LE(max_current_error, 1e-11);
    }
}

TEST(IfCurrExp, SpikeTimesUnderDcMatchTimeToThresholdWithinOneStep) {
    // From v_reset = v_rest, a DC current reaches threshold after
    // T = tau_m ln(R I / (R I - (v_thresh - v_rest))). The spike is detected at the end
    // of the step in which v crosses, so the first spike is stamped in [T, T + dt] and
    // every interval (reset at the stamp, clamped tau_refrac, a multiple of dt here) in
    // [tau_refrac + T, tau_refrac + T + dt]. More precisely each interval is exactly
    // (round(tau_refrac/dt) + ceil(T/dt)) steps, which is asserted too whenever T/dt is
    // not within 1e-6 of an integer (v at a grid point is exact to ~1e-11 mV and crosses
    // at >= 0.05 mV/ms, so the crossing step is unambiguous there).
    constexpr double tau_m = 20.0, cm = 1.0, v_rest = -65.0, v_thresh = -50.0, tau_refrac = 2.0;
    const std::vector<double> currents{0.8, 1.0, 1.5, 3.0, 12.0};  // nA; rheobase 0.75 nA
    constexpr double slack_ms = 1e-9;                              // rounding of the stamps
    for (const double dt : kDtSweepMs) {
        SCOPED_TRACE("dt = " + std::to_string(dt) + " ms");
        IfCurrExp group(currents.size(), 0);
        GroupDriver driver(group);
        for (std::size_t i = 0; i < currents.size(); ++i) {
            group.param(IfCurrExp::tau_refrac)[i] = tau_refrac;
            group.param(IfCurrExp::i_offset)[i] = currents[i];
        }
        group.prepare(dt);
        const auto fired = driver.run(steps_for(400.0, dt));
        const std::int64_t refractory_steps = std::llround(tau_refrac / dt);
        for (std::size_t i = 0; i < currents.size(); ++i) {
            SCOPED_TRACE("I = " + std::to_string(currents[i]) + " nA");
            const double T = test::lif_time_to_threshold(tau_m, cm, currents[i], v_rest, v_rest, v_thresh);
            ASSERT_GE(fired[i].size(), 3u);
            const double first = static_cast<double>(fired[i][0] + 1) * dt;
            EXPECT_GE(first, T - slack_ms);
            EXPECT_LE(first, T + dt + slack_ms);
            const double steps_to_threshold = T / dt;
            const bool unambiguous = std::fabs(steps_to_threshold - std::round(steps_to_threshold)) > 1e-6;
            for (std::size_t k = 1; k < fired[i].size(); ++k) {
                const std::int64_t interval_steps = fired[i][k] - fired[i][k - 1];
                const double interval = static_cast<double>(interval_steps) * dt;
                EXPECT_GE(interval, tau_refrac + T - slack_ms) << "interval " << k;
                EXPECT_LE(interval, tau_refrac + T + dt + slack_ms) << "interval " << k;
                if (unambiguous) {
                    EXPECT_EQ(interval_steps,
                              refractory_steps + static_cast<std::int64_t>(std::ceil(steps_to_threshold)));
                }
            }
        }
    }
}

TEST(IfCurrExp, FiCurveMatchesAnalyticRateWithinTheGridBound) {
    // Analytic LIF rate f = 1 / (tau_refrac + T(I)), zero at or below rheobase. Every
    // interval is rounded up to the grid (previous test): ISI_model in [ISI, ISI + dt],
    // so f_model in [1/(ISI + dt), f]: the rate can only be low, by a relative amount
    // of at most dt/(ISI + dt) < f dt (0.1 % at 100 Hz and dt = 0.01 ms, 1 % at dt = 0.1 ms).
    constexpr double tau_m = 20.0, cm = 1.0, v_rest = -65.0, v_thresh = -50.0, tau_refrac = 2.0;
    const std::vector<double> currents{0.5, 0.74, 0.76, 0.8, 1.0, 1.5, 2.0, 3.0, 5.0};  // rheobase 0.75 nA
    constexpr double duration_ms = 1000.0;
    for (const double dt : {0.01, 0.1}) {
        SCOPED_TRACE("dt = " + std::to_string(dt) + " ms");
        IfCurrExp group(currents.size(), 0);
        GroupDriver driver(group);
        for (std::size_t i = 0; i < currents.size(); ++i) {
            group.param(IfCurrExp::tau_refrac)[i] = tau_refrac;
            group.param(IfCurrExp::i_offset)[i] = currents[i];
        }
        group.prepare(dt);
        const auto fired = driver.run(steps_for(duration_ms, dt));
        for (std::size_t i = 0; i < currents.size(); ++i) {
            SCOPED_TRACE("I = " + std::to_string(currents[i]) + " nA");
            const double T = test::lif_time_to_threshold(tau_m, cm, currents[i], v_rest, v_rest, v_thresh);
            if (std::isinf(T)) {
                EXPECT_TRUE(fired[i].empty());
                continue;
            }
            const double isi = tau_refrac + T;
            const double rate_hz = 1000.0 / isi;
            ASSERT_GE(fired[i].size(), 3u);
            // Mean interval from first to last spike: independent of where the window ends.
            const double measured_hz = 1000.0 * static_cast<double>(fired[i].size() - 1) /
                                       (static_cast<double>(fired[i].back() - fired[i].front()) * dt);
            EXPECT_LE(measured_hz, rate_hz * (1 + 1e-9));
            EXPECT_GE(measured_hz, 1000.0 / (isi + dt) * (1 - 1e-9));
        }
    }
}

TEST(IfCurrExp, RefractorinessClampsForRoundedStepsWhileCurrentsDecay) {
    // A strong DC makes each neuron fire within a few steps; after its first spike v must
    // equal v_reset exactly, with no spike, for round(tau_refrac/dt) steps, and integrate
    // again on the next. Meanwhile the synaptic current keeps decaying by exp(-dt/tau_syn)
    // per step and takes input: refractoriness clamps v only.
    constexpr double dt = 0.1, tau_syn = 5.0, i0 = 2.0, w_during = 0.7;
    const std::vector<double> tau_refrac{0.0, 0.1, 0.24, 0.26, 2.0};
    const std::vector<std::int64_t> clamped_steps{0, 1, 2, 3, 20};  // round(tau_refrac / dt)
    const std::size_t n = tau_refrac.size();
    IfCurrExp group(n, 0);
    GroupDriver driver(group);
    for (std::size_t i = 0; i < n; ++i) {
        group.param(IfCurrExp::tau_refrac)[i] = tau_refrac[i];
        group.param(IfCurrExp::tau_syn_E)[i] = tau_syn;
        group.param(IfCurrExp::i_offset)[i] = 40.0;  // R I = 800 mV: threshold in ~0.4 ms
        group.state(IfCurrExp::isyn_exc)[i] = i0;
    }
    group.prepare(dt);

    std::vector<std::int64_t> first_spike(n, -1);
    std::vector<double> current_before(n, 0.0);
    for (std::int64_t s = 0; s < 60; ++s) {
        for (std::size_t i = 0; i < n; ++i) {
            current_before[i] = group.state(IfCurrExp::isyn_exc)[i];
            // One input in the second clamped step (or right after the spike when there is none).
            if (first_spike[i] >= 0 && s == first_spike[i] + 2) driver.input(0)[i] = w_during;
        }
        const auto& spiked = driver.step();
        std::vector<bool> fired(n, false);
        for (auto i : spiked) fired[i] = true;
        for (std::size_t i = 0; i < n; ++i) {
            SCOPED_TRACE("tau_refrac = " + std::to_string(tau_refrac[i]) + " ms, step " + std::to_string(s));
            const double decayed = current_before[i] * std::exp(-dt / tau_syn) +
                                   (first_spike[i] >= 0 && s == first_spike[i] + 2 ? w_during : 0.0);
            EXPECT_DOUBLE_EQ(group.state(IfCurrExp::isyn_exc)[i], decayed);  // exact decay, to rounding
            if (first_spike[i] < 0) {
                if (fired[i]) {
                    first_spike[i] = s;
                    EXPECT_EQ(group.state(IfCurrExp::v)[i], -65.0);
                    EXPECT_EQ(group.refractory_steps_left()[i], clamped_steps[i]);
                }
                continue;
            }
            const std::int64_t since = s - first_spike[i];
            if (since <= clamped_steps[i]) {
                EXPECT_FALSE(fired[i]);
                EXPECT_EQ(group.state(IfCurrExp::v)[i], -65.0);  // exactly v_reset: clamped, not integrated
                EXPECT_EQ(group.refractory_steps_left()[i], clamped_steps[i] - since);
            } else if (since == clamped_steps[i] + 1) {
                EXPECT_GT(group.state(IfCurrExp::v)[i], -65.0);  // integrating again, under 40 nA
            }
        }
    }
    for (std::size_t i = 0; i < n; ++i) EXPECT_GE(first_spike[i], 0) << "neuron " << i;
}

TEST(IfCurrExp, HomogeneousFastPathIsTheGeneralPathBitForBit) {
    const auto configure = [](IfCurrExp& g) {
        for (std::size_t i = 0; i < g.size(); ++i) {
            g.param(IfCurrExp::cm)[i] = 0.5;
            g.param(IfCurrExp::tau_m)[i] = 15.0;
            g.param(IfCurrExp::tau_refrac)[i] = 1.0;
            g.param(IfCurrExp::tau_syn_E)[i] = 3.0;
            g.param(IfCurrExp::tau_syn_I)[i] = 7.0;
            g.param(IfCurrExp::v_reset)[i] = -68.0;
            g.param(IfCurrExp::i_offset)[i] = 0.6;  // R I = 18 mV: fires on its own
        }
    };
    for (const std::size_t perturbed : {IfCurrExp::tau_m, IfCurrExp::tau_syn_E, IfCurrExp::i_offset})
        test::expect_fast_path_matches_general_path<IfCurrExp>(configure, perturbed, 0.1, 2000, 0.8);
}

TEST(IfCurrExp, TimeConstantsFarBelowTheStepGiveFiniteExactPropagators) {
    // tau_m = 1e-4 ms is valid (> 0). With dt/tau_m = 1000, exp(-dt/tau_m) underflows to 0
    // while expm1(dt (1/tau_m - 1/tau_syn)) overflows to inf: their product must not be
    // computed. The response to a 1 nA current is the quasi-static R I(t) = 1e-4 mV scale,
    // given by the closed form to rounding.
    constexpr double dt = 0.1, tau_m = 1e-4, tau_syn = 5.0, cm = 1.0, i0 = 1.0;
    IfCurrExp group(1, 0);
    GroupDriver driver(group);
    group.param(IfCurrExp::tau_m)[0] = tau_m;
    group.param(IfCurrExp::tau_syn_E)[0] = tau_syn;
    group.param(IfCurrExp::cm)[0] = cm;
    group.state(IfCurrExp::isyn_exc)[0] = i0;
    group.prepare(dt);
    for (int s = 0; s < 10; ++s) {
        driver.step();
        const long double t = static_cast<long double>(s + 1) * dt;
        const long double expected = -65.0L + i0 / cm * test::psc_kernel(t, tau_m, tau_syn);
        ASSERT_TRUE(std::isfinite(group.state(IfCurrExp::v)[0])) << "step " << s;
        EXPECT_NEAR(group.state(IfCurrExp::v)[0], static_cast<double>(expected), 1e-12);
    }
}
