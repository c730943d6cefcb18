// The f-I curve of the leaky integrate-and-fire neuron (IF_curr_exp driven by i_offset)
// against the analytic formula, interval by interval.
//
// Continuous time. Under a constant current I the membrane relaxes towards
// v_inf = v_rest + R I (R = tau_m / cm); started at v_reset it reaches v_thresh after
//     T(I) = tau_m ln((v_inf - v_reset) / (v_inf - v_thresh))
//          = tau_m ln((R I + v_rest - v_reset) / (R I - (v_thresh - v_rest)))
// if R I > v_thresh - v_rest (rheobase), and never otherwise. With v_reset = v_rest this
// is the textbook tau_m ln(R I / (R I - (v_thresh - v_reset))). The rate is
//     f(I) = 1 / (tau_refrac + T(I)),   0 at or below rheobase.
//
// On the grid (dt, NEST's conventions, docs/models.md): the threshold is tested at the end
// of each step, a spike in step n resets v there and holds it for R = round(tau_refrac/dt)
// steps (n + 1 ... n + R), and the membrane integrates again from v_reset in step n + R + 1.
// After k integrated steps v equals the continuous solution at k dt (IF_curr_exp is exact),
// so the next spike comes after K = ceil(T/dt) integrated steps: every interval is exactly
// R + K steps, the continuous interval rounded up to the grid (tau_refrac is a multiple of
// dt here). A neuron started at v_reset fires first in step K - 1 (stamped K dt).
// Where T/dt is within 1e-9 ms / dt of an integer, v at that grid point is the threshold
// to within rounding and either step is right: one step of tolerance there, nowhere else.
// The rate over the intervals then lies in [1/(R dt + K dt), 1/(tau_refrac + T)]: below the
// continuous rate by less than f^2 dt (Delta f = delta / (ISI (ISI + delta)), delta < dt).

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <vector>

#include "models/reference.hpp"
#include "neurodyn/models/if_curr_exp.hpp"

using namespace neurodyn;
using models::IfCurrExp;
using test::GroupDriver;

namespace {

constexpr double kDt = 0.1;              // ms
constexpr double kDurationMs = 2000.0;   // 100 tau_m: the rheobase neuron has long converged
constexpr double kCm = 0.5, kTauM = 20.0, kVRest = -65.0, kVReset = -70.0, kVThresh = -50.0, kTauRefrac = 2.0;
// Rheobase: R I = v_thresh - v_rest, I = cm (v_thresh - v_rest) / tau_m = 0.375 nA, exact in binary.
constexpr double kRheobaseNa = kCm * (kVThresh - kVRest) / kTauM;

// T(I) in long double, written from the closed form (not from the model's propagators).
long double time_to_threshold(double i_nA) {
    const long double v_inf = kVRest + static_cast<long double>(kTauM) / kCm * i_nA;
    if (!(v_inf > kVThresh)) return INFINITY;
    return kTauM * std::log((v_inf - kVReset) / (v_inf - kVThresh));
}

}  // namespace

TEST(LifFiCurve, IntervalsAreTheAnalyticOnesRoundedUpToTheGridAndRatesMatchTheFormula) {
    static_assert(kRheobaseNa == 0.375);
    // From below rheobase to 10 x rheobase; exactly at rheobase; just above it (2 % and
    // 10 %: T = 84.3 and 53.3 ms); and the current whose T is exactly 100 steps,
    // I = cm/tau_m (v_thresh - v_rest + (v_thresh - v_reset)/(exp(100 dt/tau_m) - 1))
    // = 1.1458 nA, where the crossing falls on a grid point (to rounding) and one step of
    // tolerance applies. For every other current the crossing is >= 8e-3 ms from the grid.
    const double on_grid_nA =
        kCm / kTauM * (kVThresh - kVRest + (kVThresh - kVReset) / std::expm1(100 * kDt / kTauM));
    const std::vector<double> currents{0.2, 0.3,        0.37, kRheobaseNa, 0.3825, 0.4125, 0.5,
                                       0.75, 1.0, on_grid_nA, 1.5,  2.5,         3.75};
    const std::int64_t refractory_steps = std::llround(kTauRefrac / kDt);
    ASSERT_NEAR(static_cast<double>(refractory_steps) * kDt, kTauRefrac, 1e-12);  // so the rate formula is exact

    IfCurrExp group(currents.size(), 0);
    GroupDriver driver(group);
    for (std::size_t i = 0; i < currents.size(); ++i) {
        group.param(IfCurrExp::cm)[i] = kCm;
        group.param(IfCurrExp::tau_m)[i] = kTauM;
        group.param(IfCurrExp::v_rest)[i] = kVRest;
        group.param(IfCurrExp::v_reset)[i] = kVReset;
        group.param(IfCurrExp::v_thresh)[i] = kVThresh;
        group.param(IfCurrExp::tau_refrac)[i] = kTauRefrac;
        group.param(IfCurrExp::i_offset)[i] = currents[i];
        group.state(IfCurrExp::v)[i] = kVReset;  // the first interval starts like every other
    }
    group.prepare(kDt);
    const auto fired = driver.run(std::llround(kDurationMs / kDt));

    int ambiguous_intervals = 0;
    for (std::size_t i = 0; i < currents.size(); ++i) {
        const double current = currents[i];
        SCOPED_TRACE("I = " + std::to_string(current) + " nA");
        const long double T = time_to_threshold(current);
        if (std::isinf(T)) {
            // At rheobase v only approaches v_thresh (from below, to rounding): no spike.
            EXPECT_TRUE(fired[i].empty()) << fired[i].size() << " spikes, first in step " << fired[i][0];
            EXPECT_LT(group.state(IfCurrExp::v)[i], kVThresh);
            continue;
        }
        // Continuous crossing after T/dt steps; the model's after ceil(T/dt).
        const long double steps_to_threshold = T / kDt;
        const auto crossing_steps = static_cast<std::int64_t>(std::ceil(steps_to_threshold));
        const long double grid_distance_ms = std::fabs(steps_to_threshold - std::roundl(steps_to_threshold)) * kDt;
        const bool ambiguous = grid_distance_ms < 1e-9L;
        const std::int64_t expected_interval = refractory_steps + crossing_steps;
        ASSERT_GE(fired[i].size(), 10u);
        EXPECT_NEAR(static_cast<double>(fired[i][0]), static_cast<double>(crossing_steps - 1), ambiguous ? 1.0 : 0.0);
        for (std::size_t k = 1; k < fired[i].size(); ++k) {
            const std::int64_t interval = fired[i][k] - fired[i][k - 1];
            if (ambiguous) {
                ++ambiguous_intervals;
                EXPECT_LE(std::llabs(interval - expected_interval), 1) << "interval " << k;
            } else {
                ASSERT_EQ(interval, expected_interval) << "interval " << k;
            }
        }
        // The rate over the intervals (first to last spike) against the continuous formula.
        const double continuous_per_ms = 1.0 / (kTauRefrac + static_cast<double>(T));
        const double measured_per_ms = static_cast<double>(fired[i].size() - 1) /
                                       (static_cast<double>(fired[i].back() - fired[i].front()) * kDt);
        const double grid_bound = continuous_per_ms * continuous_per_ms * kDt;
        EXPECT_LE(measured_per_ms, continuous_per_ms * (1 + 1e-12));  // intervals are only ever rounded up
        EXPECT_LE(continuous_per_ms - measured_per_ms, grid_bound);
        std::printf("I = %7.4f nA (%5.2f x rheobase): T = %9.5f ms, ISI = %4lld steps, rate %8.4f Hz, "
                    "formula %8.4f Hz, |diff| %.4f Hz <= %.4f Hz, nearest grid point %.2g ms away\n",
                    current, current / kRheobaseNa, static_cast<double>(T), static_cast<long long>(expected_interval),
                    1000 * measured_per_ms, 1000 * continuous_per_ms, 1000 * (continuous_per_ms - measured_per_ms),
                    1000 * grid_bound, static_cast<double>(grid_distance_ms));
    }
    // Only the on-grid current's intervals took the tolerant branch: the others were held
    // to the exact step count.
    EXPECT_EQ(ambiguous_intervals, static_cast<int>(fired[9].size()) - 1);
}
