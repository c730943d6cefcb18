// RateHebbianProjection (engine/plastic_rate.hpp) on its own: the input it adds is
// sum_k w_k x_k(t - d_k) from the stored source outputs, and each rule's Euler step is
// the formula of models/rate_hebbian.hpp. Expected values are computed with the same
// operations, so they agree to rounding (1e-15 for these O(1) numbers).

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "neurodyn/core/error.hpp"
#include "neurodyn/engine/plastic_rate.hpp"

namespace neurodyn {
namespace {

constexpr double kDt = 0.1;

// Two sources (global ids 10, 11) onto one target (input 5): 0 -> 0 with delay 1 and
// 1 -> 0 with delay 2.
RateHebbianProjection make(const models::RateHebbianRule& rule, double w0 = 0.5, double w1 = -0.25) {
    RateHebbianProjection projection(rule, kDt, 10, 2, 0, 1, 5);
    const std::vector<IncomingSynapse> generated{{0, 0, 0.0f, 1}, {1, 0, 0.0f, 2}};
    projection.build(generated, std::vector<double>{w0, w1});
    return projection;
}

TEST(RateHebbian, InputIsTheDelayedOutputsTimesTheWeights) {
    models::RateHebbianRule rule;
    rule.kind = models::RateHebbianKind::hebb;
    auto projection = make(rule);
    std::vector<double> ring(8, 0.0);
    projection.add_input(0, ring.data());
    EXPECT_EQ(ring[5], 0.0);  // nothing sent before step 0
    const std::vector<double> step0{2.0, 3.0};
    projection.store_source_outputs(0, 10, step0);
    projection.add_input(1, ring.data());
    EXPECT_DOUBLE_EQ(ring[5], 0.5 * 2.0);  // only the delay-1 synapse has arrived
    ring[5] = 0.0;
    const std::vector<double> step1{7.0, 11.0};
    projection.store_source_outputs(1, 10, step1);
    projection.add_input(2, ring.data());
    EXPECT_DOUBLE_EQ(ring[5], 0.5 * 7.0 + -0.25 * 3.0);
    // A block that holds other neurons around the population is cut to it.
    const std::vector<double> wide{99.0, 4.0, 5.0, 99.0};
    projection.store_source_outputs(2, 9, wide);
    ring[5] = 0.0;
    projection.add_input(3, ring.data());
    EXPECT_DOUBLE_EQ(ring[5], 0.5 * 4.0 + -0.25 * 11.0);
}

double step_of(models::RateHebbianKind kind, double x, double y, double w, double theta = 0.0) {
    models::RateHebbianRule rule;
    rule.kind = kind;
    rule.eta = 0.2;
    rule.decay = kind == models::RateHebbianKind::hebb || kind == models::RateHebbianKind::anti_hebbian ? 0.3 : 0.0;
    rule.tau_theta = 5.0;
    rule.theta_initial = theta;
    auto projection = make(rule, w, 0.0);
    const std::vector<double> outputs{x, 0.0};
    projection.store_source_outputs(0, 10, outputs);
    std::vector<double> ring(8, 0.0);
    projection.add_input(1, ring.data());
    projection.learn(1, &y);
    return projection.weights()[0];
}

TEST(RateHebbian, EachRuleTakesItsEulerStep) {
    const double x = 1.5, y = 0.8, w = 0.4, rate = 0.2 * kDt;
    EXPECT_DOUBLE_EQ(step_of(models::RateHebbianKind::hebb, x, y, w), w + rate * (x * y - 0.3 * w));
    EXPECT_DOUBLE_EQ(step_of(models::RateHebbianKind::anti_hebbian, x, y, w), w + rate * (-x * y - 0.3 * w));
    EXPECT_DOUBLE_EQ(step_of(models::RateHebbianKind::oja, x, y, w), w + rate * (y * x - y * y * w));
    EXPECT_DOUBLE_EQ(step_of(models::RateHebbianKind::bcm, x, y, w, 0.5), w + rate * (x * y * (y - 0.5)));
}

TEST(RateHebbian, BcmThresholdFollowsTheSquaredOutput) {
    models::RateHebbianRule rule;
    rule.kind = models::RateHebbianKind::bcm;
    rule.eta = 0.2;
    rule.tau_theta = 5.0;
    auto projection = make(rule, 0.4, 0.0);
    const std::vector<double> outputs{1.0, 0.0};
    std::vector<double> ring(8, 0.0);
    // y = 1 every step: theta_n = 1 - (1 - dt/tau)^n (Euler), and the weight moves by
    // rate x y (y - theta_{n-1}).
    double theta = 0.0, w = 0.4;
    const double y = 1.0;
    for (Step s = 0; s < 50; ++s) {
        projection.store_source_outputs(s, 10, outputs);
        projection.add_input(s + 1, ring.data());
        projection.learn(s + 1, &y);
        w += 0.2 * kDt * (1.0 * y * (y - theta));
        theta += kDt / 5.0 * (y * y - theta);
    }
    EXPECT_NEAR(projection.weights()[0], w, 1e-15);
    EXPECT_NEAR(theta, 1.0 - std::pow(1.0 - kDt / 5.0, 50), 1e-15);
}

TEST(RateHebbian, WeightsStayInTheirBounds) {
    models::RateHebbianRule rule;
    rule.kind = models::RateHebbianKind::hebb;
    rule.eta = 10.0;
    rule.w_min = -0.1;
    rule.w_max = 0.45;
    auto projection = make(rule, 0.4, -0.05);
    const std::vector<double> outputs{1.0, -1.0};
    std::vector<double> ring(8, 0.0);
    const double y = 1.0;
    for (Step s = 0; s < 5; ++s) {
        projection.store_source_outputs(s, 10, outputs);
        projection.add_input(s + 1, ring.data());
        projection.learn(s + 1, &y);
    }
    EXPECT_EQ(projection.weights()[0], 0.45);
    EXPECT_EQ(projection.weights()[1], -0.1);
}

TEST(RateHebbian, BadRulesNameTheField) {
    auto message_of = [](auto change) {
        models::RateHebbianRule rule;
        change(rule);
        try {
            rule.validate("projection[0].synapse", kDt);
        } catch (const ValueError& e) {
            return std::string(e.what()) + " | " + e.key();
        }
        return std::string("no error");
    };
    EXPECT_EQ(message_of([](auto& r) { r.eta = 0.0; }),
              "projection[0].synapse.eta: rate_hebbian oja eta must be finite and > 0 (1/ms), got 0 | "
              "projection[0].synapse.eta");
    EXPECT_EQ(message_of([](auto& r) { r.decay = 0.1; }),
              "projection[0].synapse.decay: rate_hebbian oja decay must be 0 (only hebb and anti_hebbian decay), got 0.1 | "
              "projection[0].synapse.decay");
    EXPECT_EQ(message_of([](auto& r) {
                  r.kind = models::RateHebbianKind::bcm;
                  r.tau_theta = 0.01;
              }),
              "projection[0].synapse.tau_theta: rate_hebbian bcm tau_theta must be finite and >= dt = 0.1 ms, got 0.01 | "
              "projection[0].synapse.tau_theta");
    EXPECT_EQ(message_of([](auto& r) {
                  r.w_min = 1.0;
                  r.w_max = 0.0;
              }),
              "projection[0].synapse.w_max: rate_hebbian oja w_max must be >= w_min = 1, got 0 | "
              "projection[0].synapse.w_max");
    EXPECT_EQ(message_of([](auto& r) { r.w_min = std::numeric_limits<double>::quiet_NaN(); }),
              "projection[0].synapse.w_min: rate_hebbian oja w_min must be a number below +inf, got NaN | "
              "projection[0].synapse.w_min");
    EXPECT_EQ(models::unknown_rate_hebbian_rule("ojaa"),
              "unknown rate_hebbian rule 'ojaa'; did you mean 'oja'? (rules: hebb, anti_hebbian, oja, bcm)");
}

}  // namespace
}  // namespace neurodyn
