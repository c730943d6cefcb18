// Surrogate-gradient BPTT (learn/train_network.hpp, bptt.cpp) and the models' training
// steps (models/if_curr_exp.hpp, alif.hpp). The comparison with PyTorch autograd is in
// python/tests/test_training_torch.py.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "neurodyn/core/error.hpp"
#include "neurodyn/learn/train_network.hpp"
#include "neurodyn/models/alif.hpp"
#include "neurodyn/models/if_curr_exp.hpp"

using namespace neurodyn;
using namespace neurodyn::learn;

namespace {

std::vector<std::uint8_t> random_spikes(std::size_t n, double p, std::uint32_t seed) {
    std::vector<std::uint8_t> out(n);
    std::uint32_t state = seed;
    for (auto& s : out) {
        state = state * 1664525u + 1013904223u;  // LCG: any fixed pattern will do
        s = (state >> 8) % 1000 < p * 1000 ? 1 : 0;
    }
    return out;
}

template <class Group>
void set_params(Group& group, std::initializer_list<std::pair<std::size_t, double>> values) {
    for (auto [index, value] : values)
        for (double& x : group.param(index)) x = value;
}

}  // namespace

// The training step is the engine's update: same v, same spikes, bit for bit, for inputs
// on the excitatory port (the engine's inhibitory current is then 0 and adds exactly 0).
TEST(TrainingStep, LifForwardIsTheEngineUpdate) {
    const std::size_t n = 5, steps = 400;
    const double dt = 0.5;
    models::IfCurrExp group(n, 0);
    using P = models::IfCurrExp::Param;
    set_params(group, {{P::cm, 0.8}, {P::tau_m, 12.0}, {P::tau_refrac, 0.0}, {P::tau_syn_E, 4.0}, {P::tau_syn_I, 4.0},
                       {P::v_rest, -65.0}, {P::v_reset, -68.0}, {P::v_thresh, -55.0}, {P::i_offset, 0.3}});
    for (double& v : group.state(models::IfCurrExp::v)) v = -65.0;
    group.prepare(dt);
    const auto step = models::LifTrainingStep::make(0.8, 12.0, 4.0, -65.0, -68.0, -55.0, 0.3, dt);
    std::vector<double> v(n, -65.0), i(n, 0.0), u(n), input(n), zeros(n, 0.0), injected(n, 0.0);
    std::vector<std::uint8_t> s(n);
    std::size_t spikes = 0;
    for (std::size_t t = 0; t < steps; ++t) {
        for (std::size_t k = 0; k < n; ++k) input[k] = ((t * 7 + k * 3) % 11 == 0) ? 1.5 + 0.1 * k : 0.0;
        const double* ports[2] = {input.data(), zeros.data()};
        StepInput in;
        in.step = static_cast<std::int64_t>(t);
        in.port_input = ports;
        in.injected_current = injected.data();
        std::vector<std::uint32_t> fired;
        group.update(in, fired);
        step.forward(n, v.data(), i.data(), input.data(), u.data(), s.data(), true);
        std::vector<std::uint32_t> trained;
        for (std::size_t k = 0; k < n; ++k)
            if (s[k]) trained.push_back(static_cast<std::uint32_t>(k));
        ASSERT_EQ(fired, trained) << "step " << t;
        spikes += fired.size();
        for (std::size_t k = 0; k < n; ++k) ASSERT_EQ(group.state(models::IfCurrExp::v)[k], v[k]);
    }
    EXPECT_GT(spikes, 20u);  // the comparison covered spikes and resets
}

TEST(TrainingStep, AlifForwardIsTheEngineUpdate) {
    const std::size_t n = 4, steps = 500;
    const double dt = 1.0;
    models::Alif group(n, 0);
    using P = models::Alif::Param;
    set_params(group, {{P::cm, 1.0}, {P::tau_m, 20.0}, {P::tau_refrac, 0.0}, {P::tau_syn_E, 5.0}, {P::tau_syn_I, 5.0},
                       {P::v_rest, 0.0}, {P::v_reset, 0.0}, {P::v_thresh, 1.0}, {P::i_offset, 0.0},
                       {P::tau_adapt, 100.0}, {P::beta, 0.7}});
    for (double& v : group.state(models::Alif::v)) v = 0.0;
    group.prepare(dt);
    const auto step = models::AlifTrainingStep::make(1.0, 20.0, 5.0, 0.0, 0.0, 1.0, 0.0, 100.0, 0.7, dt);
    std::vector<double> v(n, 0.0), i(n, 0.0), a(n, 0.0), u(n), thr(n), input(n), zeros(n, 0.0), injected(n, 0.0);
    std::vector<std::uint8_t> s(n);
    std::size_t spikes = 0;
    for (std::size_t t = 0; t < steps; ++t) {
        for (std::size_t k = 0; k < n; ++k) input[k] = ((t + k) % 3 == 0) ? 0.4 + 0.05 * k : 0.0;
        const double* ports[2] = {input.data(), zeros.data()};
        StepInput in;
        in.port_input = ports;
        in.injected_current = injected.data();
        std::vector<std::uint32_t> fired;
        group.update(in, fired);
        step.forward(n, v.data(), i.data(), a.data(), input.data(), u.data(), thr.data(), s.data());
        std::vector<std::uint32_t> trained;
        for (std::size_t k = 0; k < n; ++k)
            if (s[k]) trained.push_back(static_cast<std::uint32_t>(k));
        ASSERT_EQ(fired, trained) << "step " << t;
        spikes += fired.size();
        for (std::size_t k = 0; k < n; ++k) {
            ASSERT_EQ(group.state(models::Alif::v)[k], v[k]);
            ASSERT_EQ(group.state(models::Alif::a)[k], a[k]);
        }
    }
    EXPECT_GT(spikes, 20u);
}

namespace {
TrainNetworkConfig small_config() {
    TrainNetworkConfig c;
    c.inputs = 7;
    c.hidden = {9};
    c.outputs = 3;
    c.recurrent = true;
    c.hidden_model = TrainModel::alif;
    c.hidden_params.beta = 0.5;
    c.weight_scale = 3.0;
    return c;
}
}  // namespace

// Without hidden layers the loss (cross-entropy on the readout's mean membrane) is smooth
// in the weights, so BPTT must equal central finite differences: step 1e-5 gives an error
// ~ h^2 f''' ~ 1e-10 plus rounding ~ 1e-16/h ~ 1e-11; 1e-7 relative leaves margin.
TEST(Bptt, EqualsFiniteDifferencesOfASmoothLoss) {
    TrainNetworkConfig c;
    c.inputs = 6;
    c.outputs = 4;
    c.loss = TrainLoss::mean_membrane_cross_entropy;
    TrainNetwork net(c, 11);
    const std::size_t samples = 3, steps = 25;
    const auto spikes = random_spikes(samples * steps * c.inputs, 0.3, 5);
    const std::vector<std::int64_t> labels{0, 2, 3};
    const TrainBatch batch{spikes, labels, samples, steps};
    std::vector<double> gradient(net.parameters().size()), scratch(gradient.size());
    net.bptt_gradient(batch, gradient, 1);
    double largest = 0.0;
    for (double g : gradient) largest = std::max(largest, std::abs(g));
    ASSERT_GT(largest, 1e-3);
    const double h = 1e-5;
    for (std::size_t k = 0; k < gradient.size(); ++k) {
        const double saved = net.parameters()[k];
        net.parameters()[k] = saved + h;
        const double up = net.bptt_gradient(batch, scratch, 1).loss;
        net.parameters()[k] = saved - h;
        const double down = net.bptt_gradient(batch, scratch, 1).loss;
        net.parameters()[k] = saved;
        EXPECT_NEAR(gradient[k], (up - down) / (2 * h), 1e-7 * largest) << "parameter " << k;
    }
}

TEST(Bptt, SameSeedSameWeightsAndThreadCountDoesNotMatter) {
    TrainNetwork a(small_config(), 4), b(small_config(), 4), other(small_config(), 5);
    ASSERT_TRUE(std::equal(a.parameters().begin(), a.parameters().end(), b.parameters().begin()));
    EXPECT_FALSE(std::equal(a.parameters().begin(), a.parameters().end(), other.parameters().begin()));
    const std::size_t samples = 37, steps = 20;
    const auto spikes = random_spikes(samples * steps * 7, 0.25, 9);
    std::vector<std::int64_t> labels(samples);
    for (std::size_t s = 0; s < samples; ++s) labels[s] = static_cast<std::int64_t>(s % 3);
    const TrainBatch batch{spikes, labels, samples, steps};
    std::vector<double> one(a.parameters().size()), two(one.size()), three(one.size());
    const auto r1 = a.bptt_gradient(batch, one, 1);
    const auto r2 = a.bptt_gradient(batch, two, 2);
    const auto r3 = a.bptt_gradient(batch, three, 3);
    EXPECT_EQ(one, two);
    EXPECT_EQ(one, three);
    EXPECT_EQ(r1.loss, r2.loss);
    EXPECT_EQ(r1.loss, r3.loss);
    double norm = 0.0;
    for (double g : one) norm += g * g;
    EXPECT_GT(norm, 0.0);
}

TEST(Bptt, BadConfigurationsAreRefused) {
    auto refused = [](auto change, const char* message) {
        TrainNetworkConfig c = small_config();
        change(c);
        try {
            TrainNetwork net(c, 1);
            ADD_FAILURE() << "accepted: " << message;
        } catch (const ValueError& e) {
            EXPECT_STREQ(e.what(), message);
        }
    };
    refused([](auto& c) { c.inputs = 0; }, "training: inputs must be >= 1, got 0");
    refused([](auto& c) { c.outputs = 1; }, "training: outputs must be >= 2 (classes), got 1");
    refused([](auto& c) { c.hidden = {4, 0}; }, "training: hidden[1] must be >= 1 neurons, got 0");
    refused([](auto& c) { c.dt = -1.0; }, "training: dt must be > 0 ms, got -1");
    refused([](auto& c) { c.hidden_params.tau_syn = 0.0; }, "training: hidden_params.tau_syn must be > 0 ms, got 0");
    refused([](auto& c) { c.output_params.v_reset = 2.0; }, "training: output_params.v_reset must be < v_thresh (1 mV), got 2");
    refused([](auto& c) { c.hidden_params.tau_adapt = 0.0; }, "training: hidden_params.tau_adapt must be > 0 ms, got 0");
    refused([](auto& c) { c.weight_scale = NAN; }, "training: weight_scale must be > 0, got NaN");
    refused(
        [](auto& c) {
            c.loss = TrainLoss::rate_mean_squared_error;
            c.target_rate_on = 1.5;
        },
        "training: target_rate_on must be in [0, 1] spikes per step, got 1.5");
}

TEST(Bptt, BadBatchesAreRefused) {
    TrainNetwork net(small_config(), 1);
    std::vector<double> gradient(net.parameters().size());
    const auto spikes = random_spikes(2 * 5 * 7, 0.3, 1);
    const std::vector<std::int64_t> labels{0, 3};
    EXPECT_THROW(net.bptt_gradient({spikes, labels, 2, 5}, gradient, 1), ValueError);  // label 3 of 3 classes
    const std::vector<std::int64_t> good{0, 1};
    EXPECT_THROW(net.bptt_gradient({spikes, good, 2, 4}, gradient, 1), ValueError);  // wrong size
    EXPECT_THROW(net.bptt_gradient({spikes, good, 0, 5}, gradient, 1), ValueError);  // empty
    EXPECT_NO_THROW(net.bptt_gradient({spikes, good, 2, 5}, gradient, 1));
}
