// Parameter checks of every model at the boundary values of every bound: 0 and negative
// for "> 0" fields, the negative number closest to 0 for ">= 0" fields, NaN and +-inf for
// every field, v_reset >= v_thresh. Each rejection is a ValueError whose key is the
// field and whose message is pinned word for word; the boundary values that are allowed
// (0 for ">= 0", the smallest positive number for "> 0", v_reset just below v_thresh)
// must be accepted.
//
// The sweep walks each model's parameter table, so a field added later is checked too;
// the messages it expects are built from the table, and the literal cases below pin the
// wording those are built with.

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "neurodyn/core/error.hpp"
#include "neurodyn/core/strings.hpp"
#include "neurodyn/models/if_cond_exp.hpp"
#include "neurodyn/models/if_curr_delta.hpp"
#include "neurodyn/models/if_curr_exp.hpp"
#include "neurodyn/models/spike_source_poisson.hpp"
#include "neurodyn/models/registry.hpp"

using namespace neurodyn;

namespace {

constexpr double kDt = 0.1;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kTiny = std::numeric_limits<double>::denorm_min();  // 5e-324

// Every registered model: a model added later is swept too.
const std::vector<const ModelInfo*>& models_under_test() { return all_models(); }

// The integrate-and-fire models whose reset must lie below a fixed threshold (default
// v_thresh = -50 mV): those with v_reset, v_thresh and tau_refrac. AdEx (its reset is
// bounded by v_spike) and Izhikevich (c below 30 mV) check their own relations in their
// own tests.
const std::vector<const ModelInfo*>& neuron_models() {
    static const std::vector<const ModelInfo*> models = [] {
        std::vector<const ModelInfo*> selected;
        for (const ModelInfo* info : all_models()) {
            const int thresh = info->param_index("v_thresh");
            if (info->param_index("v_reset") >= 0 && thresh >= 0 && info->param_index("tau_refrac") >= 0 &&
                info->params[static_cast<std::size_t>(thresh)].default_value == -50.0)
                selected.push_back(info);
        }
        return selected;
    }();
    return models;
}

// A one-neuron group of `info` with parameter `field` set to `value`, prepared with dt.
void prepare_with(const ModelInfo& info, std::string_view field, double value, std::size_t size = 1,
                  std::size_t neuron = 0, std::uint64_t first = 0) {
    auto group = info.create(size, first);
    const int p = info.param_index(field);
    ASSERT_GE(p, 0) << field;
    group->param(static_cast<std::size_t>(p))[neuron] = value;
    group->prepare(kDt);
}

// Asserts that `f` throws a ValueError with exactly `message` and key `key`.
template <class F>
void expect_value_error(F&& f, const std::string& message, const std::string& key) {
    try {
        f();
        ADD_FAILURE() << "accepted; expected ValueError: " << message;
    } catch (const ValueError& e) {
        EXPECT_EQ(std::string(e.what()), message);
        EXPECT_EQ(e.key(), key);
    }
}

std::string with_unit(const std::string& value, std::string_view unit) {
    return unit.empty() ? value : value + " " + std::string(unit);
}

}  // namespace

TEST(ModelValidation, PinnedMessages) {
    const auto& curr_exp = models::IfCurrExp::kInfo;
    expect_value_error([&] { prepare_with(curr_exp, "tau_m", 0.0); }, "IF_curr_exp: tau_m must be > 0 ms, got 0 ms",
                       "tau_m");
    expect_value_error([&] { prepare_with(models::IfCurrDelta::kInfo, "cm", -1.0); },
                       "IF_curr_delta: cm must be > 0 nF, got -1 nF", "cm");
    expect_value_error([&] { prepare_with(models::IfCondExp::kInfo, "tau_refrac", -kTiny); },
                       "IF_cond_exp: tau_refrac must be >= 0 ms, got -5e-324 ms", "tau_refrac");
    expect_value_error([&] { prepare_with(models::SpikeSourcePoisson::kInfo, "rate", -kTiny); },
                       "SpikeSourcePoisson: rate must be >= 0 Hz, got -5e-324 Hz", "rate");
    expect_value_error([&] { prepare_with(curr_exp, "v_rest", kNaN); },
                       "IF_curr_exp: v_rest must be a finite number, got NaN mV", "v_rest");
    expect_value_error([&] { prepare_with(models::IfCondExp::kInfo, "i_offset", -kInf); },
                       "IF_cond_exp: i_offset must be a finite number, got -inf nA", "i_offset");
    expect_value_error([&] { prepare_with(curr_exp, "v_reset", -50.0); },
                       "IF_curr_exp: v_reset must be < v_thresh (-50 mV), got -50 mV", "v_reset");
    // In a group of several neurons the message names the neuron by its population index.
    expect_value_error([&] { prepare_with(curr_exp, "tau_m", -20.0, 5, 3, 100); },
                       "IF_curr_exp: tau_m must be > 0 ms, got -20 ms (neuron 103)", "tau_m");
}

TEST(ModelValidation, EveryBoundedParameterRejectsItsBoundaryViolations) {
    int positive_fields = 0, non_negative_fields = 0;
    for (const ModelInfo* info : models_under_test()) {
        for (const FieldInfo& field : info->params) {
            if (!field.choices.empty()) continue;  // ChoiceParametersAcceptOnlyTheirIndices
            SCOPED_TRACE(std::string(info->name) + "." + std::string(field.name));
            const std::string name(field.name);
            const std::string prefix = std::string(info->name) + ": " + name + " must be ";
            const auto rejected = [&](double value, const std::string& condition, const std::string& shown) {
                expect_value_error([&] { prepare_with(*info, field.name, value); },
                                   prefix + with_unit(condition, field.unit) + ", got " + with_unit(shown, field.unit),
                                   name);
            };
            if (field.bound == Bound::positive) {
                ++positive_fields;
                rejected(0.0, "> 0", "0");
                rejected(-0.0, "> 0", "-0");
                rejected(-1.0, "> 0", "-1");
                rejected(-kTiny, "> 0", "-5e-324");
            }
            if (field.bound == Bound::non_negative) {
                ++non_negative_fields;
                rejected(-kTiny, ">= 0", "-5e-324");
                rejected(-1.0, ">= 0", "-1");
            }
            // Finiteness is required of every field, whatever its bound; the condition
            // carries no unit, the value does.
            for (const auto& [value, shown] :
                 {std::pair{kNaN, "NaN"}, std::pair{kInf, "inf"}, std::pair{-kInf, "-inf"}})
                expect_value_error([&] { prepare_with(*info, field.name, value); },
                                   prefix + "a finite number, got " + with_unit(shown, field.unit), name);
        }
    }
    // cm, tau_m, tau_syn_E/I of three models; tau_refrac of three, rate/start/duration.
    EXPECT_GE(positive_fields, 10);
    EXPECT_GE(non_negative_fields, 6);
}

TEST(ModelValidation, BoundaryValuesInsideTheBoundsAreAccepted) {
    for (const ModelInfo* info : models_under_test()) {
        for (const FieldInfo& field : info->params) {
            SCOPED_TRACE(std::string(info->name) + "." + std::string(field.name));
            if (field.bound == Bound::positive) {
                EXPECT_NO_THROW(prepare_with(*info, field.name, kTiny));
                EXPECT_NO_THROW(prepare_with(*info, field.name, std::numeric_limits<double>::max()));
            }
            if (field.bound == Bound::non_negative) {
                EXPECT_NO_THROW(prepare_with(*info, field.name, 0.0));
            }
        }
    }
    // Named explicitly: no refractoriness at all is a valid choice.
    for (const ModelInfo* info : neuron_models()) EXPECT_NO_THROW(prepare_with(*info, "tau_refrac", 0.0)) << info->name;
    // Unbounded fields take any finite value, e.g. a negative offset current.
    EXPECT_NO_THROW(prepare_with(models::IfCurrExp::kInfo, "i_offset", -1e6));
}

TEST(ModelValidation, ResetMustLieBelowThreshold) {
    for (const ModelInfo* info : neuron_models()) {
        SCOPED_TRACE(std::string(info->name));
        const std::string model(info->name);
        // Defaults: v_thresh = -50 mV.
        expect_value_error([&] { prepare_with(*info, "v_reset", -50.0); },
                           model + ": v_reset must be < v_thresh (-50 mV), got -50 mV", "v_reset");
        expect_value_error([&] { prepare_with(*info, "v_reset", -40.0); },
                           model + ": v_reset must be < v_thresh (-50 mV), got -40 mV", "v_reset");
        expect_value_error([&] { prepare_with(*info, "v_thresh", -65.0); },
                           model + ": v_reset must be < v_thresh (-65 mV), got -65 mV", "v_reset");
        EXPECT_NO_THROW(prepare_with(*info, "v_reset", std::nextafter(-50.0, -kInf)));
    }
}

TEST(ModelValidation, InitialStateMustBeFinite) {
    for (const ModelInfo* info : neuron_models()) {
        for (std::size_t s = 0; s < info->state.size(); ++s) {
            const std::string name(info->state[s].name);
            SCOPED_TRACE(std::string(info->name) + "." + name);
            auto group = info->create(1, 0);
            group->state(s)[0] = kNaN;
            expect_value_error([&] { group->prepare(kDt); },
                               std::string(info->name) + ": initial " + name + " must be a finite number, got " +
                                   with_unit("NaN", info->state[s].unit),
                               name);
        }
    }
}

TEST(ModelValidation, InitialConductancesMustBeNonNegative) {
    for (const auto state : {models::IfCondExp::gsyn_exc, models::IfCondExp::gsyn_inh}) {
        models::IfCondExp group(1, 0);
        group.state(state)[0] = -1e-3;
        const std::string name = state == models::IfCondExp::gsyn_exc ? "gsyn_exc" : "gsyn_inh";
        expect_value_error([&] { group.prepare(kDt); },
                           "IF_cond_exp: initial " + name + " must be >= 0 uS, got -0.001 uS", name);
    }
    models::IfCondExp group(1, 0);
    group.state(models::IfCondExp::gsyn_inh)[0] = 0.0;  // the boundary itself is fine
    EXPECT_NO_THROW(group.prepare(kDt));
}

TEST(ModelValidation, ChoiceParametersAcceptOnlyTheirIndices) {
    int choice_fields = 0;
    for (const ModelInfo* info : models_under_test()) {
        for (const FieldInfo& field : info->params) {
            if (field.choices.empty()) continue;
            ++choice_fields;
            SCOPED_TRACE(std::string(info->name) + "." + std::string(field.name));
            std::string options;
            for (std::size_t c = 0; c < field.choices.size(); ++c) {
                options += (c ? ", " : "") + std::string(field.choices[c]) + " (" + std::to_string(c) + ")";
                EXPECT_NO_THROW(prepare_with(*info, field.name, static_cast<double>(c)));
            }
            const std::string prefix = std::string(info->name) + ": " + std::string(field.name) + " must be one of " + options + ", got ";
            const auto n = static_cast<double>(field.choices.size());
            for (const auto& [value, shown] : {std::pair{-1.0, std::string("-1")}, std::pair{0.5, std::string("0.5")},
                                               std::pair{n, format_number(n)}, std::pair{kNaN, std::string("NaN")}})
                expect_value_error([&] { prepare_with(*info, field.name, value); }, prefix + shown, std::string(field.name));
        }
    }
    EXPECT_GE(choice_fields, 1);  // LeakyRate.transfer
}
