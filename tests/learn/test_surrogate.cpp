// Surrogate derivatives (models/if_curr_exp.hpp, learn/surrogate.hpp).
#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

#include "neurodyn/core/error.hpp"
#include "neurodyn/learn/surrogate.hpp"

using namespace neurodyn;

TEST(Surrogate, FastSigmoidIsSnntorchFormula) {
    const auto s = learn::make_surrogate("fast_sigmoid", 25.0);
    EXPECT_EQ(s.derivative(0.0), 1.0);
    for (double x : {-0.3, -0.01, 0.02, 0.5})
        EXPECT_DOUBLE_EQ(s.derivative(x), 1.0 / std::pow(1.0 + 25.0 * std::abs(x), 2));  // same formula: rounding only
}

TEST(Surrogate, ArctanIsDerivativeOfItsStep) {
    // (k/2)/(1 + (pi k x/2)^2) is the derivative of 1/2 + arctan(pi k x/2)/pi: its integral
    // over [-L, L] must be 2 arctan(pi k L/2)/pi. Simpson's rule with 20000 intervals is
    // exact to ~1e-12 for this smooth integrand (error ~ h^4 f'''' ).
    const auto s = learn::make_surrogate("arctan", 2.0);
    EXPECT_DOUBLE_EQ(s.derivative(0.0), 1.0);
    const double L = 3.0;
    const int n = 20000;
    const double h = 2 * L / n;
    double sum = s.derivative(-L) + s.derivative(L);
    for (int k = 1; k < n; ++k) sum += (k % 2 ? 4.0 : 2.0) * s.derivative(-L + k * h);
    EXPECT_NEAR(sum * h / 3.0, 2.0 * std::atan(std::numbers::pi * 2.0 * L / 2.0) / std::numbers::pi, 1e-10);
}

TEST(Surrogate, BadChoicesAreRefused) {
    EXPECT_THROW(learn::make_surrogate("sigmoid", 1.0), ValueError);
    EXPECT_THROW(learn::make_surrogate("arctan", 0.0), ValueError);
    EXPECT_THROW(learn::make_surrogate("arctan", -1.0), ValueError);
    EXPECT_THROW(learn::make_surrogate("arctan", NAN), ValueError);
    try {
        learn::make_surrogate("fast_sigmoid", -2.0);
        FAIL();
    } catch (const ValueError& e) {
        EXPECT_STREQ(e.what(), "surrogate slope must be > 0 (and finite), got -2");
    }
}
