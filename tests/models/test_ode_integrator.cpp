// The adaptive Dormand–Prince integrator (include/neurodyn/models/ode_integrator.hpp) on
// ODEs with known solutions:
//   - a harmonic oscillator coupled to a logistic equation, y = (cos t, -sin t, logistic):
//     fixed steps show the fifth order of the solution and the fourth-order local error
//     of the embedded estimate;
//   - the same with adaptive steps: the global error follows the tolerance;
//   - the blow-ups y' = y^2 and y' = exp(y) (the shapes of the Izhikevich and AdEx
//     spikes): the crossing of a level is located to the event tolerance and no trial
//     stage that overflowed reaches the state.

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <limits>

#include "neurodyn/models/ode_integrator.hpp"

using namespace neurodyn;
using ode::Vec;

namespace {

// y0' = y1, y1' = -y0 (y0 = cos t from (1, 0)); y2' = y2 (1 - y2) (logistic from 0.1).
struct OscillatorAndLogistic {
    void operator()(const Vec<3>& y, Vec<3>& d) const {
        d[0] = y[1];
        d[1] = -y[0];
        d[2] = y[2] * (1.0 - y[2]);
    }
    static Vec<3> exact(double t) {
        const double y2 = 1.0 / (1.0 + 9.0 * std::exp(-t));  // logistic from 0.1
        return {std::cos(t), -std::sin(t), y2};
    }
};

double max_abs_difference(const Vec<3>& x, const Vec<3>& y) {
    double m = 0.0;
    for (std::size_t i = 0; i < 3; ++i) m = std::max(m, std::fabs(x[i] - y[i]));
    return m;
}

// Global error at t = 2 with n fixed steps.
double fixed_step_error(int n) {
    const OscillatorAndLogistic f;
    const double h = 2.0 / n;
    Vec<3> y = OscillatorAndLogistic::exact(0.0), k1, k7, y_new, error;
    f(y, k1);
    for (int s = 0; s < n; ++s) {
        ode::dormand_prince_step(f, y, k1, h, y_new, k7, error);
        y = y_new;
        k1 = k7;
    }
    return max_abs_difference(y, OscillatorAndLogistic::exact(2.0));
}

}  // namespace

TEST(OdeIntegrator, FixedStepGlobalErrorIsFifthOrder) {
    // Halving h divides a p-th order global error by 2^p; the asymptotic regime is
    // reached here (h <= 0.2 on solutions varying on a scale of 1), where the next term
    // changes the observed order by O(h) ~ 0.1 at most.
    const int steps[] = {10, 20, 40, 80};
    double previous = fixed_step_error(steps[0]);
    for (int k = 1; k < 4; ++k) {
        const double error = fixed_step_error(steps[k]);
        const double order = std::log2(previous / error);
        std::printf("DP5 fixed steps: n = %d, global error %.3e, observed order %.3f\n", steps[k], error, order);
        EXPECT_NEAR(order, 5.0, 0.25) << "n = " << steps[k];
        previous = error;
    }
    // And far above rounding: the last error is meaningful.
    EXPECT_GT(previous, 1e-13);
}

TEST(OdeIntegrator, EmbeddedEstimateIsTheFourthOrderLocalError) {
    // One step from t = 0.3: the estimate is y5 - y4, and y4's local error is O(h^5), so
    // halving h divides the estimate by 32 (+- O(h)); and since y5's own local error is
    // O(h^6), the estimate equals the true local error of y4 to a relative O(h).
    const OscillatorAndLogistic f;
    const Vec<3> y0 = OscillatorAndLogistic::exact(0.3);
    Vec<3> k1;
    f(y0, k1);
    double previous = 0.0;
    for (const double h : {0.1, 0.05, 0.025}) {
        Vec<3> y_new, k7, error;
        ode::dormand_prince_step(f, y0, k1, h, y_new, k7, error);
        const Vec<3> exact = OscillatorAndLogistic::exact(0.3 + h);
        double estimate = 0.0, true_error4 = 0.0;
        for (std::size_t i = 0; i < 3; ++i) {
            estimate = std::max(estimate, std::fabs(error[i]));
            true_error4 = std::max(true_error4, std::fabs((y_new[i] - error[i]) - exact[i]));
        }
        std::printf("DP5 one step h = %g: estimate %.3e, true fourth-order local error %.3e\n", h, estimate,
                    true_error4);
        // y5's local error / y4's is ~ h: 10 % at h = 0.1.
        EXPECT_NEAR(estimate / true_error4, 1.0, 0.1) << "h = " << h;
        if (previous > 0.0) {
            EXPECT_NEAR(std::log2(previous / estimate), 5.0, 0.25) << "h = " << h;
        }
        previous = estimate;
    }
}

TEST(OdeIntegrator, AdaptiveGlobalErrorFollowsTheTolerance) {
    // Local error per step <= tolerance (times the component's scale, here <= 1), so over
    // the ~N accepted steps of [0, 10] the global error is at most N tol for this
    // non-expanding system; measured it stays well below 10 tol at every tolerance.
    // Tightening the tolerance 100-fold must reduce the error at least 10-fold and cost
    // about 100^(1/5) = 2.5 times the steps.
    const OscillatorAndLogistic f;
    double previous_error = 0.0;
    long previous_steps = 0;
    for (const double rtol : {1e-6, 1e-8, 1e-10}) {
        ode::Tolerance<3> tol;
        tol.relative = rtol;
        tol.absolute.fill(rtol);
        Vec<3> y = OscillatorAndLogistic::exact(0.0);
        double h = 0.1;
        ode::StepCount count;
        const ode::Outcome outcome = ode::integrate(f, y, 0.0, 10.0, h, tol, ode::NoEvent{}, &count);
        EXPECT_FALSE(outcome.crossed);
        EXPECT_EQ(outcome.t, 10.0);
        const double error = max_abs_difference(y, OscillatorAndLogistic::exact(10.0));
        std::printf("DP5 adaptive rtol = atol = %g: global error %.3e, %ld accepted, %ld rejected steps\n", rtol, error,
                    count.accepted, count.rejected);
        EXPECT_LE(error, 10.0 * rtol);
        if (previous_error > 0.0) {
            EXPECT_LE(error, previous_error / 10.0);
            const double cost = static_cast<double>(count.accepted) / static_cast<double>(previous_steps);
            EXPECT_GT(cost, 1.5);
            EXPECT_LT(cost, 4.0);
        }
        previous_error = error;
        previous_steps = count.accepted;
    }
}

TEST(OdeIntegrator, SplittingAnIntervalChangesTheResultOnlyWithinTheTolerance) {
    // Integrating [0, 10] as 100 calls of 0.1 (as a model does, one call per step,
    // keeping h between calls) gives the same solution to within the tolerance.
    const OscillatorAndLogistic f;
    ode::Tolerance<3> tol;
    tol.relative = 1e-10;
    tol.absolute.fill(1e-10);
    Vec<3> y = OscillatorAndLogistic::exact(0.0);
    double h = 0.1;
    for (int s = 0; s < 100; ++s) ode::integrate(f, y, 0.1 * s, 0.1 * (s + 1), h, tol);
    EXPECT_LE(max_abs_difference(y, OscillatorAndLogistic::exact(10.0)), 1e-9);  // 10 tol, as above
}

TEST(OdeIntegrator, QuadraticBlowUpCrossingIsLocatedToTheEventTolerance) {
    // y' = y^2 from y(0) = 1: y = 1/(1 - t), which reaches 1000 at t* = 0.999 and is
    // infinite at t = 1. Uncapped: trial steps past t = 1 overflow and must be rejected.
    const auto f = [](const Vec<1>& y, Vec<1>& d) { d[0] = y[0] * y[0]; };
    for (const double event_time : {1e-6, 1e-9, 1e-12}) {
        ode::Tolerance<1> tol;
        tol.relative = 1e-10;
        tol.absolute = {1e-10};
        tol.event_time = event_time;
        Vec<1> y{1.0};
        double h = 0.5;
        ode::StepCount count;
        const ode::Outcome o =
            ode::integrate(f, y, 0.0, 2.0, h, tol, [](const Vec<1>& x) { return x[0] - 1000.0; }, &count);
        ASSERT_TRUE(o.crossed);
        ASSERT_TRUE(std::isfinite(y[0]));
        // The crossing lies in (o.t - event_time, o.t] on the computed trajectory. That
        // trajectory's own error moves the crossing by (relative error of y) / (y'/y =
        // 1000 /ms); errors grow like y^2 along a blow-up and reach ~2e-8 relative at
        // y = 1000 (measured shift -2.1e-11 ms): 1e-10 ms allows 1e-7.
        constexpr double trajectory = 1e-10;
        const double t_star = 0.999;
        std::printf("y' = y^2, event_time %g: stop at t - t* = %.3e, y = %.9g, %ld accepted, %ld rejected\n",
                    event_time, o.t - t_star, y[0], count.accepted, count.rejected);
        EXPECT_GE(o.t - t_star, -trajectory);
        EXPECT_LE(o.t - t_star, event_time + trajectory);
        EXPECT_GE(y[0], 1000.0);
        // y at the stop is 1000 + (o.t - t_crossing) y' to first order, y' = 1e6, and
        // o.t - t_crossing <= event_time.
        EXPECT_LE(y[0] - 1000.0, 1e6 * event_time * 1.01);
        // Cost: the step the tolerance allows scales with the distance to the
        // singularity 1 - t, so reaching 1 - t = 1e-3 takes ~ln(1000) tol^(-1/5) ~ 700
        // steps at most (measured ~290), plus a few to narrow the crossing (measured <= 11).
        EXPECT_LT(count.accepted, 700);
        EXPECT_LE(count.rejected, 20);
    }
}

TEST(OdeIntegrator, ExponentialBlowUpNeverPutsNonFiniteValuesInTheState) {
    // y' = exp(y) from 0: y = -ln(1 - t), infinite at t = 1. Level 30 is reached at
    // t* = 1 - exp(-30); a trial step that jumps past t = 1 gives exp(huge) = inf in a
    // stage, hence a non-finite error estimate, and must be rejected, not accepted.
    const auto f = [](const Vec<1>& y, Vec<1>& d) { d[0] = std::exp(y[0]); };
    ode::Tolerance<1> tol;
    tol.relative = 1e-10;
    tol.absolute = {1e-10};
    tol.event_time = 1e-9;
    Vec<1> y{0.0};
    double h = 0.9;  // the first trial lands near the singularity
    const ode::Outcome o = ode::integrate(f, y, 0.0, 2.0, h, tol, [](const Vec<1>& x) { return x[0] - 30.0; });
    ASSERT_TRUE(o.crossed);
    ASSERT_TRUE(std::isfinite(y[0]));
    const double t_star = 1.0 - std::exp(-30.0);
    // Time is known to ~ulp(1) = 2.2e-16 here, far below event_time.
    EXPECT_GE(o.t, t_star - 1e-15);
    EXPECT_LE(o.t, t_star + 1e-9 + 1e-15);
}

TEST(OdeIntegrator, AnEventAlreadyReachedStopsAtOnceAndNoEventRunsToTheEnd) {
    const auto f = [](const Vec<1>&, Vec<1>& d) { d[0] = 1.0; };
    ode::Tolerance<1> tol;
    tol.absolute = {1e-12};
    Vec<1> y{5.0};
    double h = 0.1;
    const ode::Outcome at_once = ode::integrate(f, y, 0.25, 1.0, h, tol, [](const Vec<1>& x) { return x[0] - 5.0; });
    EXPECT_TRUE(at_once.crossed);
    EXPECT_EQ(at_once.t, 0.25);
    EXPECT_EQ(y[0], 5.0);
    // y' = 1 is integrated exactly (to rounding) by any Runge–Kutta method.
    const ode::Outcome to_end = ode::integrate(f, y, 0.25, 1.0, h, tol);
    EXPECT_FALSE(to_end.crossed);
    EXPECT_EQ(to_end.t, 1.0);
    EXPECT_NEAR(y[0], 5.75, 1e-14);
    // A linear crossing is found within event_time: y = 5.75 + (t - 1) reaches 6 at 1.25.
    const ode::Outcome crossing = ode::integrate(f, y, 1.0, 2.0, h, tol, [](const Vec<1>& x) { return x[0] - 6.0; });
    EXPECT_TRUE(crossing.crossed);
    EXPECT_GE(crossing.t, 1.25 - 1e-14);
    EXPECT_LE(crossing.t, 1.25 + tol.event_time);
}
