// ei_current_correlation (analysis/balance.hpp): exact values for signals built to have
// them, the filter against its closed form, the window, and each bad argument.

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "neurodyn/analysis/balance.hpp"
#include "neurodyn/core/error.hpp"

using namespace neurodyn;
using analysis::ei_current_correlation;

namespace {

// Row-major [samples][neurons] from per-neuron columns.
std::vector<double> interleave(const std::vector<std::vector<double>>& columns) {
    std::vector<double> out;
    for (std::size_t k = 0; k < columns[0].size(); ++k)
        for (const auto& column : columns) out.push_back(column[k]);
    return out;
}

}  // namespace

// Neuron 0: inhibition equal to excitation (r = 1); neuron 1: an affine copy (r = 1);
// neuron 2: the mirror image (r = -1); neuron 3: a constant inhibitory current (NaN, left
// out of the mean). Rounding only: 1e-12.
TEST(EiCurrentCorrelation, ExactCases) {
    std::vector<double> e(500);
    for (std::size_t k = 0; k < e.size(); ++k) e[k] = 1.0 + std::sin(0.05 * static_cast<double>(k)) + 0.1 * std::cos(0.31 * static_cast<double>(k));
    std::vector<double> affine(e.size()), mirror(e.size()), constant(e.size(), 0.4);
    for (std::size_t k = 0; k < e.size(); ++k) {
        affine[k] = 0.25 * e[k] - 3.0;
        mirror[k] = 2.0 - e[k];
    }
    const auto exc = interleave({e, e, e, e});
    const auto inh = interleave({e, affine, mirror, constant});
    for (double tau : {0.0, 5.0}) {  // a linear filter keeps exact (anti)proportionality
        const auto r = ei_current_correlation(exc, inh, e.size(), 4, 0.1, tau, 0, e.size());
        EXPECT_NEAR(r.per_neuron[0], 1.0, 1e-12) << tau;
        EXPECT_NEAR(r.per_neuron[1], 1.0, 1e-12) << tau;
        EXPECT_NEAR(r.per_neuron[2], -1.0, 1e-12) << tau;
        EXPECT_TRUE(std::isnan(r.per_neuron[3])) << tau;
        EXPECT_NEAR(r.mean, 1.0 / 3.0, 1e-12) << tau;
    }
}

// e = s + a, i = s + b with s, a, b independent unit Gaussians: r = 1/2 in expectation.
// Its sampling sd for n = 20000 samples is (1 - r^2)/sqrt(n) = 0.0053; 4 sigma = 0.021.
// Independent signals: |r| < 4/sqrt(n) = 0.028.
TEST(EiCurrentCorrelation, SharedSignalGivesTheExpectedCorrelation) {
    std::mt19937_64 rng(7);
    std::normal_distribution<double> normal;
    const std::size_t n = 20000;
    std::vector<double> e(n), i(n), independent(n);
    for (std::size_t k = 0; k < n; ++k) {
        const double s = normal(rng);
        e[k] = s + normal(rng);
        i[k] = s + normal(rng);
        independent[k] = normal(rng);
    }
    const auto r = ei_current_correlation(interleave({e, e}), interleave({i, independent}), n, 2, 1.0, 0.0, 0, n);
    EXPECT_NEAR(r.per_neuron[0], 0.5, 0.021);
    EXPECT_LT(std::fabs(r.per_neuron[1]), 0.028);
}

// The filter: a unit step from 0 at sample 0 ... the filtered step is 1 - keep^k
// (keep = exp(-interval/tau)), whose correlation with the linear ramp over the window is
// computed here from that closed form (1e-12).
TEST(EiCurrentCorrelation, FilterFollowsItsClosedForm) {
    const std::size_t n = 400;
    const double interval = 0.5, tau = 20.0, keep = std::exp(-interval / tau);
    std::vector<double> step(n, 1.0), ramp(n);
    step[0] = 0.0;  // y_0 = x_0 = 0, then y_k = 1 - keep^k
    for (std::size_t k = 0; k < n; ++k) ramp[k] = static_cast<double>(k);
    // The ramp is filtered too: y_k = k - (keep / (1 - keep)) (1 - keep^k) (a ramp through
    // a first-order filter started at 0).
    std::vector<double> filtered_step(n), filtered_ramp(n);
    for (std::size_t k = 0; k < n; ++k) {
        const double decay = std::pow(keep, static_cast<double>(k));
        filtered_step[k] = 1.0 - decay;
        filtered_ramp[k] = static_cast<double>(k) - keep / (1.0 - keep) * (1.0 - decay);
    }
    auto pearson = [](const std::vector<double>& x, const std::vector<double>& y, std::size_t first) {
        double mx = 0, my = 0;
        const double m = static_cast<double>(x.size() - first);
        for (std::size_t k = first; k < x.size(); ++k) mx += x[k] / m, my += y[k] / m;
        double sxy = 0, sxx = 0, syy = 0;
        for (std::size_t k = first; k < x.size(); ++k) {
            sxy += (x[k] - mx) * (y[k] - my);
            sxx += (x[k] - mx) * (x[k] - mx);
            syy += (y[k] - my) * (y[k] - my);
        }
        return sxy / std::sqrt(sxx * syy);
    };
    for (std::size_t first : {std::size_t{0}, std::size_t{100}}) {
        const auto r = ei_current_correlation(ramp, step, n, 1, interval, tau, first, n);
        EXPECT_NEAR(r.per_neuron[0], pearson(filtered_ramp, filtered_step, first), 1e-12) << first;
        EXPECT_NEAR(r.mean, r.per_neuron[0], 0.0);
    }
    // Unfiltered, the same call is the plain correlation.
    EXPECT_NEAR(ei_current_correlation(ramp, step, n, 1, interval, 0.0, 0, n).per_neuron[0], pearson(ramp, step, 0), 1e-12);
}

// The window: samples outside [first, end) do not count (unfiltered).
TEST(EiCurrentCorrelation, WindowSelectsTheSamples) {
    std::vector<double> e{5, -3, 1, 2, 3, 4, 9}, i{-7, 8, 2, 4, 6, 8, -1};
    const auto r = ei_current_correlation(e, i, e.size(), 1, 1.0, 0.0, 2, 6);
    EXPECT_NEAR(r.per_neuron[0], 1.0, 1e-12);
    EXPECT_LT(ei_current_correlation(e, i, e.size(), 1, 1.0, 0.0, 0, 7).per_neuron[0], 0.0);
}

TEST(EiCurrentCorrelation, BadArgumentsAreNamed) {
    const std::vector<double> a(10, 1.0), b(10, 2.0), short_b(9, 2.0);
    auto key_of = [](auto&& call) -> std::string {
        try {
            call();
        } catch (const ValueError& e) {
            return e.key();
        }
        return "no error";
    };
    EXPECT_EQ(key_of([&] { ei_current_correlation(a, b, 10, 1, 1.0, 0.0, 0, 10); }), "no error");
    EXPECT_EQ(key_of([&] { ei_current_correlation(a, b, 10, 0, 1.0, 0.0, 0, 10); }), "n_neurons");
    EXPECT_EQ(key_of([&] { ei_current_correlation(a, b, 5, 1, 1.0, 0.0, 0, 5); }), "excitatory");
    EXPECT_EQ(key_of([&] { ei_current_correlation(a, short_b, 10, 1, 1.0, 0.0, 0, 10); }), "inhibitory");
    EXPECT_EQ(key_of([&] { ei_current_correlation(a, b, 10, 1, 0.0, 0.0, 0, 10); }), "interval_ms");
    EXPECT_EQ(key_of([&] { ei_current_correlation(a, b, 10, 1, 1.0, -1.0, 0, 10); }), "filter_tau_ms");
    EXPECT_EQ(key_of([&] { ei_current_correlation(a, b, 10, 1, 1.0, NAN, 0, 10); }), "filter_tau_ms");
    EXPECT_EQ(key_of([&] { ei_current_correlation(a, b, 10, 1, 1.0, 0.0, 0, 11); }), "end_sample");
    EXPECT_EQ(key_of([&] { ei_current_correlation(a, b, 10, 1, 1.0, 0.0, 9, 10); }), "end_sample");
    std::vector<double> nan = a;
    nan[3] = std::numeric_limits<double>::quiet_NaN();
    EXPECT_EQ(key_of([&] { ei_current_correlation(nan, b, 10, 1, 1.0, 0.0, 0, 10); }), "excitatory");
    try {
        ei_current_correlation(a, b, 10, 1, 1.0, -1.0, 0, 10);
    } catch (const ValueError& e) {
        EXPECT_STREQ(e.what(), "ei_current_correlation: filter_tau_ms must be a finite time >= 0 ms (0: no filter), got -1");
    }
}
