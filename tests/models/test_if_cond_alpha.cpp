// IF_cond_alpha against a SciPy reference (solve_ivp, DOP853, rtol = atol = 1e-12) made by
// tests/models/reference/make_cond_alpha.py and stored as CSV, plus the properties that
// need no reference: the conductance's shape and peak, refractoriness, the bound on v
// under huge conductances, the fast path and the parameter checks.
//
// Error of the integrator. It is IF_cond_exp's exponential integrator with the
// conductances averaged exactly over the step; its error is, to leading order, h^2 E(t)
// with E' = -A E + (A' B - A B')/12 (derivation in tests/models/test_if_cond_exp.cpp),
// which the reference integrates along the exact solution. The step is symmetric, so the
// next term is relative O(h^2) times the squared rates of the system: (h A)^2 with
// A <= 0.2 /ms here, and (h/tau_syn)^2 from the alpha conductances' own time scale,
// (0.1/1)^2 = 1 % at dt = 0.1 ms and tau_syn_E = 1 ms, 0.01 % at dt = 0.01 ms. The
// reference's own error (solve_ivp at rtol = atol = 1e-12) is ~1e-10 mV, 1e-5 of the
// predicted peak at dt = 0.01 ms. The tests assert that the measured error IS the
// prediction, pointwise to 1 % of its peak at both steps (measured: 0.09 % and 0.004 %),
// so the error drops by 100 (1 +- 0.02) from dt = 0.1 to 0.01 ms.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>
#include <numbers>
#include <string>
#include <vector>

#include "models/reference.hpp"
#include "neurodyn/core/error.hpp"
#include "neurodyn/models/if_cond_alpha.hpp"

using namespace neurodyn;
using models::IfCondAlpha;
using test::GroupDriver;

namespace {

std::vector<std::vector<std::string>> read_csv(const std::string& name) {
    return test::reference_csv_rows(name, /*has_header=*/true);
}

struct Event {
    double time_ms;
    std::size_t port;
    double weight;
};

std::vector<Event> read_events(const std::string& protocol) {
    std::vector<Event> events;
    for (const auto& row : read_csv("cond_alpha_events.csv"))
        if (row.at(0) == protocol)
            events.push_back({std::stod(row.at(1)), static_cast<std::size_t>(std::stoul(row.at(2))), std::stod(row.at(3))});
    return events;
}

// The protocols' parameters, as in make_cond_alpha.py.
struct CondParams {
    double cm, tau_m, tau_refrac, tau_syn_E, tau_syn_I, e_rev_E, e_rev_I, v_rest, v_reset, v_thresh, i_offset;
};
constexpr CondParams kSub{0.5, 20.0, 0.1, 1.0, 3.0, 0.0, -70.0, -65.0, -65.0, 50.0, 0.15};
constexpr CondParams kSpk{0.5, 20.0, 2.0, 0.3, 0.5, 0.0, -70.0, -65.0, -60.0, -50.0, 0.35};

void configure(IfCondAlpha& group, const CondParams& p) {
    const std::pair<IfCondAlpha::Param, double> values[] = {
        {IfCondAlpha::cm, p.cm},           {IfCondAlpha::tau_m, p.tau_m},       {IfCondAlpha::tau_refrac, p.tau_refrac},
        {IfCondAlpha::tau_syn_E, p.tau_syn_E}, {IfCondAlpha::tau_syn_I, p.tau_syn_I}, {IfCondAlpha::e_rev_E, p.e_rev_E},
        {IfCondAlpha::e_rev_I, p.e_rev_I}, {IfCondAlpha::v_rest, p.v_rest},     {IfCondAlpha::v_reset, p.v_reset},
        {IfCondAlpha::v_thresh, p.v_thresh}, {IfCondAlpha::i_offset, p.i_offset},
    };
    for (std::size_t i = 0; i < group.size(); ++i)
        for (const auto& [param, value] : values) group.param(param)[i] = value;
}

struct ModelRun {
    std::vector<double> v, g_exc, g_inh;   // after each step, t = (step + 1) dt
    std::vector<std::int64_t> spike_steps;
};

ModelRun run_model(const CondParams& p, const std::vector<Event>& events, double dt, double duration) {
    IfCondAlpha group(1, 0);
    GroupDriver driver(group);
    configure(group, p);
    group.state(IfCondAlpha::v)[0] = p.v_rest;
    group.prepare(dt);
    const std::int64_t steps = std::llround(duration / dt);
    std::vector<std::vector<std::pair<std::size_t, double>>> arrivals(steps);
    for (const Event& e : events) {
        const std::int64_t s = std::llround(e.time_ms / dt) - 1;  // the step that ends at the arrival
        if (s >= 0 && s < steps) arrivals[s].emplace_back(e.port, e.weight);
    }
    ModelRun run;
    for (std::int64_t s = 0; s < steps; ++s) {
        for (const auto& [port, weight] : arrivals[s]) driver.input(port)[0] += weight;
        if (!driver.step().empty()) run.spike_steps.push_back(s);
        run.v.push_back(group.state(IfCondAlpha::v)[0]);
        run.g_exc.push_back(group.state(IfCondAlpha::gsyn_exc)[0]);
        run.g_inh.push_back(group.state(IfCondAlpha::gsyn_inh)[0]);
    }
    return run;
}

}  // namespace

TEST(IfCondAlpha, SubthresholdErrorAgainstSciPyIsTheSecondOrderPredictionAndDrops100x) {
    const auto events = read_events("sub");
    const auto reference = read_csv("cond_alpha_trace.csv");
    ASSERT_EQ(events.size(), 230u);
    ASSERT_EQ(reference.size(), 401u);
    const double dts[] = {0.1, 0.01};
    const double misprediction_allowance[] = {0.01, 0.01};  // of the predicted peak: see the top of the file
    double max_error[2] = {0, 0};
    for (int d = 0; d < 2; ++d) {
        const double dt = dts[d];
        SCOPED_TRACE("dt = " + std::to_string(dt) + " ms");
        const ModelRun run = run_model(kSub, events, dt, 200.0);
        ASSERT_TRUE(run.spike_steps.empty());
        double max_predicted = 0.0, max_misprediction = 0.0, max_g_error = 0.0, v_low = 0.0, v_high = -100.0;
        for (const auto& row : reference) {
            const double t = std::stod(row[0]), v_ref = std::stod(row[1]), ge_ref = std::stod(row[2]),
                         gi_ref = std::stod(row[3]), predicted = std::stod(row[4]) * dt * dt;
            const std::int64_t s = std::llround(t / dt) - 1;
            if (s < 0) continue;
            const double error = run.v[s] - v_ref;
            max_error[d] = std::max(max_error[d], std::fabs(error));
            max_predicted = std::max(max_predicted, std::fabs(predicted));
            max_misprediction = std::max(max_misprediction, std::fabs(error - predicted));
            max_g_error = std::max({max_g_error, std::fabs(run.g_exc[s] - ge_ref), std::fabs(run.g_inh[s] - gi_ref)});
            v_low = std::min(v_low, v_ref);
            v_high = std::max(v_high, v_ref);
        }
        std::printf("IF_cond_alpha dt = %g ms: max |v - v_SciPy| = %.3g mV, predicted h^2 E max = %.3g mV, "
                    "max |error - prediction| = %.3g mV, max |g - g_SciPy| = %.3g uS (v in [%.1f, %.1f] mV)\n",
                    dt, max_error[d], max_predicted, max_misprediction, max_g_error, v_low, v_high);
        EXPECT_GT(v_high - v_low, 10.0);  // the input moves v over a wide range: the check has teeth
        EXPECT_LE(max_misprediction, misprediction_allowance[d] * max_predicted);
        // Exact conductances against solve_ivp at rtol = atol = 1e-12 on g < 0.1 uS.
        EXPECT_LE(max_g_error, 1e-10);
    }
    // Second order: (0.1/0.01)^2 = 100, up to the allowances above.
    const double ratio = max_error[0] / max_error[1];
    std::printf("IF_cond_alpha error ratio dt 0.1 / dt 0.01 = %.2f\n", ratio);
    EXPECT_GT(ratio, 98.0);
    EXPECT_LT(ratio, 102.0);
}

TEST(IfCondAlpha, DrivenSpikeStepsWithinOneStepOfSciPy) {
    // The reference tests the threshold on the same grid; a spike can move by one step
    // only where v sits within the integrator's error (< 1e-3 mV) of threshold at a grid point.
    const auto events = read_events("spk");
    std::map<double, std::vector<std::int64_t>> reference;
    for (const auto& row : read_csv("cond_alpha_spikes.csv")) reference[std::stod(row[0])].push_back(std::stoll(row[1]));
    for (const double dt : {0.1, 0.01}) {
        SCOPED_TRACE("dt = " + std::to_string(dt) + " ms");
        const auto& expected = reference[dt];
        ASSERT_GE(expected.size(), 30u);
        const ModelRun run = run_model(kSpk, events, dt, 300.0);
        ASSERT_EQ(run.spike_steps.size(), expected.size());
        int moved = 0;
        for (std::size_t k = 0; k < expected.size(); ++k) {
            EXPECT_LE(std::abs(run.spike_steps[k] - expected[k]), 1) << "spike " << k;
            moved += run.spike_steps[k] != expected[k];
        }
        std::printf("IF_cond_alpha dt = %g ms: %zu spikes, %d one step off the reference\n", dt, expected.size(),
                    moved);
    }
}

TEST(IfCondAlpha, ConductancePeaksAtTheWeightAtTauSyn) {
    // g(u) = w (u/tau) e^(1 - u/tau): the sample at u = tau is w to rounding, every other
    // sample is lower, and the shape matches the closed form to rounding (products of
    // < 100 propagator factors: relative 1e-14).
    constexpr double dt = 0.1, w = 0.04;
    for (const double tau_syn : {0.3, 2.0, 5.5}) {
        SCOPED_TRACE("tau_syn = " + std::to_string(tau_syn) + " ms");
        IfCondAlpha group(1, 0);
        GroupDriver driver(group);
        group.param(IfCondAlpha::tau_syn_I)[0] = tau_syn;
        group.prepare(dt);
        driver.input(1)[0] = w;
        driver.step();
        const std::int64_t peak_step = std::llround(tau_syn / dt);
        double peak = 0.0;
        std::int64_t argmax = -1;
        for (std::int64_t s = 1; s <= 4 * peak_step; ++s) {
            driver.step();
            const double g = group.state(IfCondAlpha::gsyn_inh)[0];
            const double u = static_cast<double>(s) * dt;
            EXPECT_NEAR(g, w * u / tau_syn * std::exp(1.0 - u / tau_syn), 1e-14 * w);
            if (g > peak) {
                peak = g;
                argmax = s;
            }
        }
        EXPECT_EQ(argmax, peak_step);
        EXPECT_NEAR(peak, w, 1e-15);
    }
}

TEST(IfCondAlpha, HugeConductancesNeverPushVoltageBeyondReversalPotentials) {
    // As for IF_cond_exp: v_inf + (v - v_inf) exp(-k dt) is a convex combination of v and
    // the conductance-weighted mean of v_rest and the reversal potentials, however large
    // k dt (here up to ~1e7; explicit Runge-Kutta would blow up beyond k dt ~ 3), so v
    // stays in [e_rev_I, e_rev_E] up to a few ulp of 70 mV (< 1e-13 mV).
    constexpr double dt = 0.1, e_rev_E = 0.0, e_rev_I = -70.0, rounding = 1e-13;
    IfCondAlpha group(3, 0);
    GroupDriver driver(group);
    for (std::size_t i = 0; i < 3; ++i) group.param(IfCondAlpha::v_thresh)[i] = 10.0;  // never reset
    group.prepare(dt);
    for (int s = 0; s < 500; ++s) {
        driver.input(s % 2 == 0 ? 0 : 1)[0] = 1e6;
        driver.input(0)[1] = 1e6;
        driver.input(1)[2] = 1e6;
        driver.step();
        for (std::size_t i = 0; i < 3; ++i) {
            const double v = group.state(IfCondAlpha::v)[i];
            ASSERT_TRUE(std::isfinite(v)) << "neuron " << i << " step " << s;
            EXPECT_LE(v, e_rev_E + rounding) << "neuron " << i << " step " << s;
            EXPECT_GE(v, e_rev_I - rounding) << "neuron " << i << " step " << s;
        }
    }
    // Pinned onto the reversal potential of the receptor that is driven alone (within
    // |v_rest - e_rev| / (tau_m g/cm) < 1e-5 mV).
    EXPECT_NEAR(group.state(IfCondAlpha::v)[1], e_rev_E, 1e-5);
    EXPECT_NEAR(group.state(IfCondAlpha::v)[2], e_rev_I, 1e-5);
}

TEST(IfCondAlpha, RefractorinessClampsForRoundedStepsWhileConductancesEvolve) {
    // After a spike v equals v_reset exactly, with no spike, for round(tau_refrac/dt)
    // steps; the conductances keep following the alpha closed form and take input.
    constexpr double dt = 0.1, tau_e = 2.0, w0 = 0.01, w_during = 0.02;
    const std::vector<double> tau_refrac{0.0, 0.1, 0.24, 0.26, 2.0};
    const std::vector<std::int64_t> clamped_steps{0, 1, 2, 3, 20};  // round(tau_refrac / dt)
    const std::size_t n = tau_refrac.size();
    IfCondAlpha group(n, 0);
    GroupDriver driver(group);
    for (std::size_t i = 0; i < n; ++i) {
        group.param(IfCondAlpha::tau_refrac)[i] = tau_refrac[i];
        group.param(IfCondAlpha::tau_syn_E)[i] = tau_e;
        group.param(IfCondAlpha::i_offset)[i] = 30.0;  // fires within ~1 ms
        group.param(IfCondAlpha::v_reset)[i] = -62.0;
    }
    group.prepare(dt);
    const auto alpha = [&](double u, double w) { return w * u / tau_e * std::exp(1.0 - u / tau_e); };
    std::vector<std::int64_t> first_spike(n, -1);
    for (std::int64_t s = 0; s < 60; ++s) {
        if (s == 0)
            for (std::size_t i = 0; i < n; ++i) driver.input(0)[i] = w0;
        for (std::size_t i = 0; i < n; ++i)
            if (first_spike[i] >= 0 && s == first_spike[i] + 2) driver.input(0)[i] = w_during;
        const auto& spiked = driver.step();
        std::vector<bool> fired(n, false);
        for (auto i : spiked) fired[i] = true;
        for (std::size_t i = 0; i < n; ++i) {
            SCOPED_TRACE("tau_refrac = " + std::to_string(tau_refrac[i]) + " ms, step " + std::to_string(s));
            double g = alpha(static_cast<double>(s) * dt, w0);
            if (first_spike[i] >= 0 && s >= first_spike[i] + 2)
                g += alpha(static_cast<double>(s - first_spike[i] - 2) * dt, w_during);
            EXPECT_NEAR(group.state(IfCondAlpha::gsyn_exc)[i], g, 1e-16);  // rounding of < 0.03 uS
            if (first_spike[i] < 0) {
                if (fired[i]) {
                    first_spike[i] = s;
                    EXPECT_EQ(group.state(IfCondAlpha::v)[i], -62.0);
                }
                continue;
            }
            const std::int64_t since = s - first_spike[i];
            if (since <= clamped_steps[i]) {
                EXPECT_FALSE(fired[i]);
                EXPECT_EQ(group.state(IfCondAlpha::v)[i], -62.0);
                EXPECT_EQ(group.refractory_steps_left()[i], clamped_steps[i] - since);
            } else if (since == clamped_steps[i] + 1) {
                EXPECT_GT(group.state(IfCondAlpha::v)[i], -62.0);
            }
        }
    }
    for (std::size_t i = 0; i < n; ++i) EXPECT_GE(first_spike[i], 0) << "neuron " << i;
}

TEST(IfCondAlpha, HomogeneousFastPathIsTheGeneralPathBitForBit) {
    const auto set = [](IfCondAlpha& g) {
        for (std::size_t i = 0; i < g.size(); ++i) {
            g.param(IfCondAlpha::cm)[i] = 0.5;
            g.param(IfCondAlpha::tau_m)[i] = 15.0;
            g.param(IfCondAlpha::tau_refrac)[i] = 1.0;
            g.param(IfCondAlpha::tau_syn_E)[i] = 1.0;
            g.param(IfCondAlpha::tau_syn_I)[i] = 3.0;
            g.param(IfCondAlpha::v_reset)[i] = -68.0;
            g.param(IfCondAlpha::i_offset)[i] = 0.6;
        }
    };
    for (const std::size_t perturbed : {IfCondAlpha::tau_m, IfCondAlpha::tau_syn_E, IfCondAlpha::e_rev_I})
        test::expect_fast_path_matches_general_path<IfCondAlpha>(set, perturbed, 0.1, 2000, 0.02);
}

TEST(IfCondAlpha, ParameterAndInitialStateChecks) {
    const auto expect_error = [](auto&& setup, const std::string& message, const std::string& key) {
        IfCondAlpha group(1, 0);
        setup(group);
        try {
            group.prepare(0.1);
            ADD_FAILURE() << "accepted; expected: " << message;
        } catch (const ValueError& e) {
            EXPECT_EQ(std::string(e.what()), message);
            EXPECT_EQ(e.key(), key);
        }
    };
    expect_error([](IfCondAlpha& g) { g.param(IfCondAlpha::tau_syn_E)[0] = 0.0; },
                 "IF_cond_alpha: tau_syn_E must be > 0 ms, got 0 ms", "tau_syn_E");
    expect_error([](IfCondAlpha& g) { g.param(IfCondAlpha::e_rev_I)[0] = std::numeric_limits<double>::infinity(); },
                 "IF_cond_alpha: e_rev_I must be a finite number, got inf mV", "e_rev_I");
    expect_error([](IfCondAlpha& g) { g.param(IfCondAlpha::v_reset)[0] = -40.0; },
                 "IF_cond_alpha: v_reset must be < v_thresh (-50 mV), got -40 mV", "v_reset");
    expect_error([](IfCondAlpha& g) { g.state(IfCondAlpha::dgsyn_exc)[0] = -1e-3; },
                 "IF_cond_alpha: initial dgsyn_exc must be >= 0 uS/ms, got -0.001 uS/ms", "dgsyn_exc");
    expect_error([](IfCondAlpha& g) { g.state(IfCondAlpha::gsyn_inh)[0] = -1e-3; },
                 "IF_cond_alpha: initial gsyn_inh must be >= 0 uS, got -0.001 uS", "gsyn_inh");
    IfCondAlpha group(1, 0);
    EXPECT_NO_THROW(group.prepare(0.1));  // PyNN's defaults are valid
    EXPECT_EQ(group.param(IfCondAlpha::tau_syn_E)[0], 0.3);
    EXPECT_EQ(group.param(IfCondAlpha::tau_syn_I)[0], 0.5);
}
