// exp_nonpositive against the C library's exp, which glibc rounds correctly in all but
// rare cases: the documented bound is 2 ulp over the normal range.

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>

#include "neurodyn/core/vector_math.hpp"

using neurodyn::exp_any;
using neurodyn::exp_nonpositive;

namespace {

double ulps_apart(double value, double reference) {
    const double ulp = std::nextafter(reference, std::numeric_limits<double>::infinity()) - reference;
    return std::fabs(value - reference) / ulp;
}

}  // namespace

TEST(ExpNonpositive, WithinTwoUlpOverTheNormalRange) {
    std::mt19937_64 engine(7);
    std::uniform_real_distribution<double> wide(-708.0, 0.0), unit(-1.0, 0.0);
    double worst = 0.0;
    for (int k = 0; k < 200000; ++k) {
        // Half over the whole range, half near 0 at every scale down to 1e-16, where the
        // propagators exp(-dt/tau) of update loops live.
        const double x = k % 2 == 0 ? wide(engine) : unit(engine) * std::pow(10.0, -(k % 17));
        worst = std::max(worst, ulps_apart(exp_nonpositive(x), std::exp(x)));
    }
    EXPECT_LE(worst, 2.0);
}

TEST(ExpNonpositive, ExactAtZeroAndWithinTwoUlpWhereTheReductionSwitches) {
    EXPECT_EQ(exp_nonpositive(0.0), 1.0);
    EXPECT_EQ(exp_nonpositive(-0.0), 1.0);
    // At x = -(n + 1/2) ln2 the rounding of n flips and |r| is largest (ln2/2): the
    // polynomial's worst case, on both sides of each switch.
    for (int n = 0; n < 1020; n += 7)
        for (const double side : {-1e-13, 0.0, 1e-13}) {
            const double x = -(n + 0.5) * std::log(2.0) + side;
            EXPECT_LE(ulps_apart(exp_nonpositive(x), std::exp(x)), 2.0) << "x = " << x;
        }
}

TEST(ExpNonpositive, UnderflowsToZeroAndPassesNaN) {
    EXPECT_EQ(exp_nonpositive(-708.5), 0.0);
    EXPECT_EQ(exp_nonpositive(-1e6), 0.0);
    EXPECT_EQ(exp_nonpositive(-std::numeric_limits<double>::infinity()), 0.0);
    EXPECT_TRUE(std::isnan(exp_nonpositive(std::numeric_limits<double>::quiet_NaN())));
    EXPECT_GT(exp_nonpositive(-708.0), 0.0);  // the last normal-range input still resolves
}

TEST(ExpAny, WithinFiveUlpOnBothSidesAndInfiniteBeyondTheRange) {
    // exp(x) = 1 / exp(-x) for x > 0: the relative error of exp_nonpositive (2 ulp of its
    // result) carries over to the reciprocal, where one ulp can be half as large relative
    // to the value (the binades of e and 1/e need not line up): up to 4 ulp, plus the
    // division's half ulp. Measured: 4.
    std::mt19937_64 engine(8);
    std::uniform_real_distribution<double> wide(-700.0, 700.0);
    double worst = 0.0;
    for (int k = 0; k < 100000; ++k) {
        const double x = wide(engine);
        worst = std::max(worst, ulps_apart(exp_any(x), std::exp(x)));
    }
    EXPECT_LE(worst, 5.0);
    EXPECT_EQ(exp_any(0.0), 1.0);
    EXPECT_TRUE(std::isinf(exp_any(710.0)));
    EXPECT_EQ(exp_any(-710.0), 0.0);
}
