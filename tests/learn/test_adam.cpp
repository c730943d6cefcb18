// Adam (learn/adam.hpp).
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "neurodyn/core/error.hpp"
#include "neurodyn/learn/adam.hpp"

using namespace neurodyn;

TEST(Adam, FirstStepIsLearningRateTimesSign) {
    // After one step the bias-corrected moments are g and g^2, so each parameter moves by
    // lr g / (|g| + eps): lr sign(g) up to eps/|g| = 1e-8 relative.
    learn::Adam adam(3, {0.01, 0.9, 0.999, 1e-8});
    std::vector<double> p{1.0, 2.0, 3.0}, g{0.5, -2.0, 1e-3};
    adam.step(p, g);
    EXPECT_NEAR(p[0], 1.0 - 0.01, 1e-9);
    EXPECT_NEAR(p[1], 2.0 + 0.01, 1e-9);
    EXPECT_NEAR(p[2], 3.0 - 0.01, 1e-9 * 1e3);
    EXPECT_EQ(adam.steps_taken(), 1u);
}

TEST(Adam, MinimisesAQuadratic) {
    // f = sum_k c_k (p_k - t_k)^2; 3000 steps of lr 0.01 reach the minimum to 1e-3
    // (Adam's steps shrink with the gradient's ratio to its running rms near the minimum).
    learn::Adam adam(2, {0.01});
    std::vector<double> p{5.0, -3.0}, g(2);
    const double target[2] = {1.0, 2.0}, curvature[2] = {1.0, 10.0};
    for (int i = 0; i < 3000; ++i) {
        for (int k = 0; k < 2; ++k) g[k] = 2 * curvature[k] * (p[k] - target[k]);
        adam.step(p, g);
    }
    EXPECT_NEAR(p[0], 1.0, 1e-3);
    EXPECT_NEAR(p[1], 2.0, 1e-3);
}

TEST(Adam, BadSettingsAreRefused) {
    EXPECT_THROW(learn::Adam(1, {0.0}), ValueError);
    EXPECT_THROW(learn::Adam(1, {1e-3, 1.0}), ValueError);
    EXPECT_THROW(learn::Adam(1, {1e-3, 0.9, -0.1}), ValueError);
    EXPECT_THROW(learn::Adam(1, {1e-3, 0.9, 0.999, 0.0}), ValueError);
    try {
        learn::Adam(1, {-0.5});
        FAIL();
    } catch (const ValueError& e) {
        EXPECT_STREQ(e.what(), "Adam: learning_rate must be > 0, got -0.5");
        EXPECT_EQ(e.key(), "learning_rate");
    }
    learn::Adam adam(1, {});
    EXPECT_THROW(adam.set_learning_rate(NAN), ValueError);
    EXPECT_EQ(adam.settings().learning_rate, 1e-3);  // unchanged by the refused value
}
