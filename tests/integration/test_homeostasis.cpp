// Homeostatic plasticity (network/homeostasis.hpp, docs/plasticity.md "Homeostasis"):
// adaptive threshold, intrinsic (bias current) and synaptic scaling bring neurons driven
// over a wide range to the target rate; the rules' bookkeeping against its exact
// identity and closed form; the same results for any decomposition and for a split run;
// every model's refresh of a run-time parameter change; the model file; and one error
// per bad parameter.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <numeric>
#include <string>
#include <vector>

#include "neurodyn/core/error.hpp"
#include "neurodyn/engine/simulator.hpp"
#include "neurodyn/io/model_file.hpp"
#include "neurodyn/models/neuron_group.hpp"
#include "neurodyn/models/registry.hpp"
#include "neurodyn/record/spike_recorder.hpp"

using namespace neurodyn;

namespace {

constexpr double kDt = 0.1;        // ms
constexpr double kTarget = 5.0;    // Hz
constexpr double kTau = 1000.0;    // ms, the rate estimate's time constant
constexpr std::size_t kNeurons = 100;

std::vector<double> linspace(double low, double high, std::size_t n) {
    std::vector<double> values(n);
    for (std::size_t i = 0; i < n; ++i) values[i] = low + (high - low) * static_cast<double>(i) / static_cast<double>(n - 1);
    return values;
}

HomeostasisSpec rule(HomeostasisSpec::Kind kind, double eta) {
    HomeostasisSpec h;
    h.kind = kind;
    h.target_rate = kTarget;
    h.eta = eta;
    h.tau = kTau;
    return h;
}

// kNeurons IF_curr_exp neurons under the same Poisson drive (8 kHz x 0.02 nA), made
// heterogeneous by `spread`: a bias current from -0.4 to 0.8 nA, or a threshold from -56
// to -44 mV. Alone they fire from 0 to ~80 Hz.
NetworkSpec spread_network(const std::string& spread, const HomeostasisSpec& homeostasis) {
    NetworkSpec spec;
    spec.simulation = {kDt, 1000.0, 7};
    PopulationSpec pop{"E", "IF_curr_exp", kNeurons, {}, {{"v", -65.0}}, {}};
    if (spread == "i_offset")
        pop.params = {{"i_offset", linspace(-0.4, 0.8, kNeurons)}};
    else
        pop.params = {{"v_thresh", linspace(-56.0, -44.0, kNeurons)}};
    pop.homeostasis = homeostasis;
    spec.populations = {pop};
    StimulusSpec drive;
    drive.kind = StimulusSpec::Kind::poisson;
    drive.target = "E";
    drive.rate = 8000.0;
    drive.weight = 0.02;
    spec.stimuli = {drive};
    return spec;
}

// Spikes of each neuron of `population` recorded so far.
std::vector<double> counts_of(const SpikeRecorder& recorder, const std::string& population, std::size_t n) {
    std::vector<double> counts(n, 0.0);
    for (const std::uint32_t id : recorder.spikes(population).ids) counts[id] += 1.0;
    return counts;
}

struct Window {
    std::vector<double> counts;         // spikes per neuron in the window
    std::vector<double> param_before;   // the adapted parameter at its start and end
    std::vector<double> param_after;
    std::vector<double> rate_before;    // the rate estimates at its start and end (Hz)
    std::vector<double> rate_after;
};

// Runs `learn_ms`, then measures over `window_ms`.
Window learn_and_measure(const NetworkSpec& spec, const std::string& parameter, double learn_ms, double window_ms) {
    Simulator sim(spec);
    SpikeRecorder recorder(sim, true);
    sim.add_observer(&recorder);
    const bool homeostasis = spec.populations[0].homeostasis.kind != HomeostasisSpec::Kind::none;
    sim.run(learn_ms);
    Window w;
    const auto before = counts_of(recorder, "E", kNeurons);
    w.param_before = sim.get_param("E", parameter);
    if (homeostasis) w.rate_before = sim.homeostasis_rates("E");
    sim.run(window_ms);
    w.counts = counts_of(recorder, "E", kNeurons);
    for (std::size_t i = 0; i < kNeurons; ++i) w.counts[i] -= before[i];
    w.param_after = sim.get_param("E", parameter);
    if (homeostasis) w.rate_after = sim.homeostasis_rates("E");
    return w;
}

// Counts of a window of `seconds` are within 4 sigma of a Poisson count at the target rate
// (sqrt(rate T)): the variability of an irregularly firing neuron without feedback. The
// integral feedback only reduces it (the count error is bounded by the change of the
// adapted parameter over the window, see the identity below). With 100 neurons at
// 4 sigma (p = 6e-5 each) the chance of one false failure is < 1%; the seeds are fixed.
void expect_rates_at_target(const std::vector<double>& counts, double seconds) {
    const double sigma_hz = std::sqrt(kTarget * seconds) / seconds;
    double mean = 0.0, worst = 0.0;
    for (std::size_t i = 0; i < counts.size(); ++i) {
        const double rate = counts[i] / seconds;
        EXPECT_NEAR(rate, kTarget, 4.0 * sigma_hz) << "neuron " << i;
        mean += rate / static_cast<double>(counts.size());
        worst = std::max(worst, std::abs(rate - kTarget));
    }
    // The mean of N independent counts: 4 sigma / sqrt(N).
    EXPECT_NEAR(mean, kTarget, 4.0 * sigma_hz / std::sqrt(static_cast<double>(counts.size())));
    std::printf("  rates over %g s: mean %.4f Hz, largest deviation %.3f Hz (4 sigma: %.3f Hz)\n", seconds, mean, worst,
                4.0 * sigma_hz);
}

// The rule's exact bookkeeping over a window of M steps (no clipping): from
//   r <- a r + c S,   theta <- theta + g (r - target),   c = (1 - a)/dt,  g = +-eta dt
// summed over the window, the spike count N of each neuron is
//   N = T target + sign (theta_end - theta_start)/eta + a dt/(1 - a) (r_end - r_start)
// (T = M dt in s, sign = +1 for the threshold, -1 for the bias current).
void expect_bookkeeping_identity(const Window& w, double eta, double sign, double seconds) {
    const double dt_s = kDt * 1e-3, a = std::exp(-kDt / kTau);
    const double tau_effective_s = a * dt_s / (1.0 - a);  // ~ tau - dt/2
    for (std::size_t i = 0; i < w.counts.size(); ++i) {
        const double predicted = seconds * kTarget + sign * (w.param_after[i] - w.param_before[i]) / eta +
                                 tau_effective_s * (w.rate_after[i] - w.rate_before[i]);
        // Rounding only: 1e6 updates of a ~50 mV parameter by ~1e-5 mV lose at most ~1e-8 mV
        // (ulp(50) = 7e-15 each), i.e. 1e-7 spikes after dividing by eta >= 0.01.
        EXPECT_NEAR(w.counts[i], predicted, 1e-4) << "neuron " << i;
    }
}

double spread_of(const std::vector<double>& counts, double seconds, double* low, double* high) {
    *low = *std::min_element(counts.begin(), counts.end()) / seconds;
    *high = *std::max_element(counts.begin(), counts.end()) / seconds;
    return *high - *low;
}

}  // namespace

// A bias current from -0.4 to 0.8 nA spreads the rates from 0 to ~80 Hz; moving each
// neuron's threshold brings all of them to 5 Hz.
TEST(Homeostasis, AdaptiveThresholdBringsASpreadOfRatesToTheTarget) {
    const double window_s = 100.0, eta = 0.1;  // mV/(Hz s)
    const Window fixed = learn_and_measure(spread_network("i_offset", {}), "v_thresh", 0.0, 10000.0);
    double low = 0.0, high = 0.0;
    spread_of(fixed.counts, 10.0, &low, &high);
    std::printf("  without homeostasis: %.1f to %.1f Hz\n", low, high);
    EXPECT_LT(low, 1.0);
    EXPECT_GT(high, 50.0);

    const Window adapted = learn_and_measure(spread_network("i_offset", rule(HomeostasisSpec::Kind::adaptive_threshold, eta)),
                                             "v_thresh", 30000.0, window_s * 1000.0);
    expect_rates_at_target(adapted.counts, window_s);
    expect_bookkeeping_identity(adapted, eta, +1.0, window_s);
    // More bias current needs a higher threshold for the same rate.
    EXPECT_LT(adapted.param_after.front(), adapted.param_after.back() - 10.0);
}

// A threshold from -56 to -44 mV spreads the rates; moving each neuron's bias current
// (i_offset) brings all of them to 5 Hz.
TEST(Homeostasis, IntrinsicBiasCurrentBringsASpreadOfRatesToTheTarget) {
    const double window_s = 100.0, eta = 0.01;  // nA/(Hz s)
    const Window fixed = learn_and_measure(spread_network("v_thresh", {}), "i_offset", 0.0, 10000.0);
    double low = 0.0, high = 0.0;
    spread_of(fixed.counts, 10.0, &low, &high);
    std::printf("  without homeostasis: %.1f to %.1f Hz\n", low, high);
    EXPECT_LT(low, 1.0);
    EXPECT_GT(high, 20.0);

    const Window adapted = learn_and_measure(spread_network("v_thresh", rule(HomeostasisSpec::Kind::intrinsic, eta)),
                                             "i_offset", 30000.0, window_s * 1000.0);
    expect_rates_at_target(adapted.counts, window_s);
    expect_bookkeeping_identity(adapted, eta, -1.0, window_s);
    // A higher threshold needs more current.
    EXPECT_LT(adapted.param_after.front(), adapted.param_after.back() - 0.1);
}

// The bounds hold the parameter. A target no neuron can reach (1 kHz with a 2 ms
// refractory period) lowers every threshold to `min`; a target of 0 raises the
// thresholds of the neurons whose mean drive is above `max` (those with the most bias
// current) to `max`, and the others stop where they fall silent.
TEST(Homeostasis, BoundsClipTheAdaptedParameter) {
    HomeostasisSpec h = rule(HomeostasisSpec::Kind::adaptive_threshold, 1.0);
    h.min = -60.0;
    h.max = -40.0;
    h.target_rate = 1000.0;
    NetworkSpec spec = spread_network("i_offset", h);
    spec.populations[0].params.push_back({"v_reset", -70.0});
    spec.populations[0].params.push_back({"tau_refrac", 2.0});
    Simulator up(spec);
    up.run(5000.0);
    for (const double theta : up.get_param("E", "v_thresh")) EXPECT_EQ(theta, -60.0);
    spec.populations[0].homeostasis.target_rate = 0.0;
    Simulator down(spec);
    down.run(5000.0);
    const auto thresholds = down.get_param("E", "v_thresh");
    for (const double theta : thresholds) EXPECT_LE(theta, -40.0);
    // The last neuron's mean drive, -65 mV + 20 MOhm x (0.8 nA bias + 0.8 nA Poisson mean), is -33 mV.
    EXPECT_EQ(thresholds.back(), -40.0);
}

namespace {

// 50 IF_curr_exp neurons with thresholds from -58 to -45 mV, each receiving plastic
// (stdp) synapses from all of 200 Poisson sources at 10 Hz; alone they fire from ~12 to
// ~100 Hz. A, the STDP amplitude (A_minus = 1.2 A).
NetworkSpec scaling_network(bool scaling, double A, double eta, double interval_ms, double w0 = 0.1) {
    NetworkSpec spec;
    spec.simulation = {kDt, 1000.0, 11};
    PopulationSpec in{"in", "SpikeSourcePoisson", 200, {{"rate", 10.0}}, {}, {}};
    PopulationSpec post{"E", "IF_curr_exp", 50, {{"v_thresh", linspace(-58.0, -45.0, 50)}}, {{"v", -65.0}}, {}};
    if (scaling) {
        post.homeostasis = rule(HomeostasisSpec::Kind::synaptic_scaling, eta);
        post.homeostasis.interval = interval_ms;
    }
    spec.populations = {in, post};
    ProjectionSpec p;
    p.name = "in";
    p.source = "in";
    p.target = "E";
    p.connector.kind = ConnectorSpec::Kind::all_to_all;
    p.weight = w0;
    p.delay = 1.0;
    p.synapse.kind = SynapseSpec::Kind::stdp;
    p.synapse.timing = {20.0, 20.0, A, 1.2 * A, models::SpikePairing::all_to_all};
    p.synapse.weight_dependence.kind = models::WeightDependenceKind::additive;
    p.synapse.weight_dependence.w_min = 0.0;
    p.synapse.weight_dependence.w_max = 0.5;
    spec.projections = {p};
    return spec;
}

}  // namespace

// Without STDP changes (A = 0) the weights change by scaling alone: after each interval
// every weight onto neuron i is w (1 + eta interval (target - r_i)), r_i the estimate at
// that time, clipped to [w_min, w_max]; a factor below 0 is taken as 0.
TEST(Homeostasis, SynapticScalingMatchesItsClosedForm) {
    const double eta = 0.01, interval_ms = 200.0;  // 1/(Hz s)
    Simulator sim(scaling_network(true, 0.0, eta, interval_ms));
    std::vector<double> w = sim.weights(0);
    const auto synapses = sim.connections(0);
    for (int k = 0; k < 3; ++k) {
        sim.run(interval_ms);  // ends exactly at a scaling time
        const auto r = sim.homeostasis_rates("E");
        const auto now = sim.weights(0);
        for (std::size_t s = 0; s < w.size(); ++s) {
            const double factor = std::max(0.0, 1.0 + eta * interval_ms * 1e-3 * (kTarget - r[synapses[s].target]));
            // One multiplication: exact to the last bit.
            EXPECT_EQ(now[s], std::clamp(w[s] * factor, 0.0, 0.5)) << "synapse " << s << " after " << k + 1;
        }
        w = now;
    }
    // A large eta: with a target of 0 every factor is below 0 and the weights stop at
    // w_min; with a target of 500 Hz (far above every estimate, which starts there and
    // falls towards rates < 110 Hz) the factors are > 100 and they stop at w_max.
    for (const double target : {0.0, 500.0}) {
        NetworkSpec spec = scaling_network(true, 0.0, 10.0, interval_ms);
        spec.populations[1].homeostasis.target_rate = target;
        Simulator strong(spec);
        strong.run(interval_ms);
        for (const double weight : strong.weights(0)) EXPECT_EQ(weight, target == 0.0 ? 0.0 : 0.5);
    }
}

// Synaptic scaling of plastic (STDP) inputs brings neurons of thresholds from -58 to
// -45 mV to the target: neurons with a higher threshold end with larger weights.
TEST(Homeostasis, SynapticScalingBringsASpreadOfRatesToTheTarget) {
    auto run = [](bool scaling, double learn_ms, double window_ms, std::vector<double>* weights) {
        Simulator sim(scaling_network(scaling, 0.0005, 0.005, 100.0));
        SpikeRecorder recorder(sim, true);
        sim.add_observer(&recorder);
        sim.run(learn_ms);
        const auto before = counts_of(recorder, "E", 50);
        sim.run(window_ms);
        auto counts = counts_of(recorder, "E", 50);
        for (std::size_t i = 0; i < counts.size(); ++i) counts[i] -= before[i];
        if (weights) {
            // Mean weight onto each neuron.
            const auto w = sim.weights(0);
            const auto synapses = sim.connections(0);
            weights->assign(50, 0.0);
            for (std::size_t s = 0; s < w.size(); ++s) (*weights)[synapses[s].target] += w[s] / 200.0;
        }
        return counts;
    };
    double low = 0.0, high = 0.0;
    spread_of(run(false, 1000.0, 10000.0, nullptr), 10.0, &low, &high);
    std::printf("  without scaling: %.1f to %.1f Hz\n", low, high);
    EXPECT_LT(low, 15.0);
    EXPECT_GT(high, 80.0);
    std::vector<double> weights;
    const double window_s = 60.0;
    const auto counts = run(true, 60000.0, window_s * 1000.0, &weights);
    // Per neuron within 4 sigma of a Poisson count (above). The mean is not tested against
    // 4 sigma / sqrt(N): STDP's own drift between scalings biases every neuron alike (by
    // its relative weight change per interval divided by eta interval).
    const double sigma_hz = std::sqrt(kTarget * window_s) / window_s;
    double mean = 0.0, worst = 0.0;
    for (std::size_t i = 0; i < counts.size(); ++i) {
        EXPECT_NEAR(counts[i] / window_s, kTarget, 4.0 * sigma_hz) << i;
        mean += counts[i] / window_s / static_cast<double>(counts.size());
        worst = std::max(worst, std::abs(counts[i] / window_s - kTarget));
    }
    std::printf("  rates over %g s: mean %.4f Hz, largest deviation %.3f Hz (4 sigma: %.3f Hz); mean weight %.4f to %.4f nA\n",
                window_s, mean, worst, 4.0 * sigma_hz, weights.front(), weights.back());
    for (std::size_t i = 0; i + 10 < weights.size(); ++i) EXPECT_LT(weights[i], weights[i + 10]) << i;
}

namespace {

// Three homeostatic populations in a recurrent network with STDP (every rule at once),
// with a 1.5 ms delay: epochs of 15 steps, so scalings (every 100 ms) fall inside epochs.
NetworkSpec mixed_network() {
    NetworkSpec spec;
    spec.simulation = {kDt, 1000.0, 99};
    PopulationSpec a{"A", "IF_curr_exp", 40, {{"i_offset", Distribution::uniform(-0.2, 0.6)}}, {{"v", -65.0}}, {}};
    a.homeostasis = rule(HomeostasisSpec::Kind::adaptive_threshold, 0.2);
    PopulationSpec b{"B", "IF_cond_exp", 30, {{"v_thresh", Distribution::uniform(-54.0, -46.0)}}, {{"v", -65.0}}, {}};
    b.homeostasis = rule(HomeostasisSpec::Kind::intrinsic, 0.02);
    PopulationSpec c{"C", "IF_curr_exp", 20, {}, {{"v", -65.0}}, {}};
    c.homeostasis = rule(HomeostasisSpec::Kind::synaptic_scaling, 0.01);
    c.homeostasis.interval = 100.0;
    PopulationSpec in{"in", "SpikeSourcePoisson", 100, {{"rate", 20.0}}, {}, {}};
    spec.populations = {a, b, c, in};
    auto project = [](const std::string& source, const std::string& target, double weight, bool stdp) {
        ProjectionSpec p;
        p.source = source;
        p.target = target;
        p.connector.kind = ConnectorSpec::Kind::fixed_probability;
        p.connector.probability = 0.3;
        p.weight = weight;
        p.delay = 1.5;
        if (stdp) {
            p.synapse.kind = SynapseSpec::Kind::stdp;
            p.synapse.timing = {20.0, 20.0, 0.005, 0.006, models::SpikePairing::all_to_all};
            p.synapse.weight_dependence.w_max = 1.0;
        }
        return p;
    };
    spec.projections = {project("in", "C", 0.3, true), project("A", "C", 0.2, true), project("C", "A", 0.1, false),
                        project("A", "B", 0.002, false)};
    StimulusSpec drive;
    drive.kind = StimulusSpec::Kind::poisson;
    drive.rate = 8000.0;
    drive.target = "A";
    drive.weight = 0.02;
    StimulusSpec drive_b = drive;
    drive_b.target = "B";
    drive_b.weight = 0.0015;
    spec.stimuli = {drive, drive_b};
    return spec;
}

struct Outcome {
    std::vector<std::uint32_t> ids;
    std::vector<double> times, thresholds, currents, rates_a, rates_b, rates_c, weights_in, weights_ac;
};

// Runs `duration_ms`, in two parts when `split`.
Outcome run_mixed(std::size_t shards, std::size_t threads, bool split, double duration_ms = 2000.0) {
    Simulator sim(mixed_network(), BuildOptions{shards, 0.0, threads});
    SpikeRecorder recorder(sim, true);
    sim.add_observer(&recorder);
    if (split) {
        sim.run(234.4);  // 2344 steps, not a multiple of the 15-step epoch: later epochs are shifted
        sim.weights(0);  // reading brings the weights up to now, as pruning does
        sim.run(duration_ms - 234.4);
    } else {
        sim.run(duration_ms);
    }
    Outcome o;
    for (const char* name : {"A", "B", "C"}) {
        const auto& spikes = recorder.spikes(name);
        o.ids.insert(o.ids.end(), spikes.ids.begin(), spikes.ids.end());
        o.times.insert(o.times.end(), spikes.times_ms.begin(), spikes.times_ms.end());
    }
    o.thresholds = sim.get_param("A", "v_thresh");
    o.currents = sim.get_param("B", "i_offset");
    o.rates_a = sim.homeostasis_rates("A");
    o.rates_b = sim.homeostasis_rates("B");
    o.rates_c = sim.homeostasis_rates("C");
    o.weights_in = sim.weights(0);
    o.weights_ac = sim.weights(1);
    return o;
}

void expect_identical(const Outcome& a, const Outcome& b, const std::string& what) {
    EXPECT_EQ(a.ids, b.ids) << what;
    EXPECT_EQ(a.times, b.times) << what;
    EXPECT_EQ(a.thresholds, b.thresholds) << what;
    EXPECT_EQ(a.currents, b.currents) << what;
    EXPECT_EQ(a.rates_a, b.rates_a) << what;
    EXPECT_EQ(a.rates_b, b.rates_b) << what;
    EXPECT_EQ(a.rates_c, b.rates_c) << what;
    EXPECT_EQ(a.weights_in, b.weights_in) << what;
    EXPECT_EQ(a.weights_ac, b.weights_ac) << what;
}

}  // namespace

// Per-neuron state lives in the shard that owns the neuron: the same spikes, parameters,
// rate estimates and weights, bit for bit, for 1 or 3 shards, 1 or 2 threads, and a run
// split where the epochs do not line up with the scaling times.
TEST(Homeostasis, IdenticalForAnyDecompositionAndSplitRuns) {
    const Outcome reference = run_mixed(1, 1, false);
    ASSERT_GT(reference.ids.size(), 300u);
    // The rules did something: thresholds and bias currents moved from their start (-50 mV, 0 nA).
    EXPECT_GT(std::abs(reference.thresholds.front() + 50.0), 1.0);
    EXPECT_GT(std::abs(reference.currents.front()), 0.05);
    expect_identical(reference, run_mixed(1, 1, false), "same seed again");
    expect_identical(reference, run_mixed(3, 1, false), "3 shards");
    expect_identical(reference, run_mixed(1, 1, true), "split run");
    // Threads: shorter runs (5 scalings), since a step's thread barrier is slow on a busy machine.
    const Outcome short_reference = run_mixed(1, 1, false, 500.0);
    expect_identical(short_reference, run_mixed(3, 2, false, 500.0), "3 shards, 2 threads");
    expect_identical(short_reference, run_mixed(3, 2, true, 500.0), "split run, 3 shards, 2 threads");
}

// A population with homeostasis gives up the homogeneous fast path; the others keep it.
TEST(Homeostasis, OnlyAdaptedGroupsLeaveTheHomogeneousPath) {
    const ModelInfo& model = find_model("IF_curr_exp");
    auto group = model.create(10, 0);
    group->prepare(kDt);
    EXPECT_TRUE(group->homogeneous());
    group->keep_params_per_neuron();
    EXPECT_FALSE(group->homogeneous());
    group->prepare(kDt);  // as set_param does between runs
    EXPECT_FALSE(group->homogeneous());
}

namespace {

// Runs `group` 300 steps with a constant injected current and input on every port;
// returns the spikes and the final state.
std::pair<std::vector<std::uint32_t>, std::vector<double>> drive(NeuronGroup& group, double current) {
    const std::size_t n = group.size();
    std::vector<double> injected(n, current), port(n, 0.0);
    std::vector<const double*> ports(group.info().ports.size(), port.data());
    std::vector<std::uint32_t> all;
    for (std::int64_t step = 0; step < 300; ++step) {
        std::vector<std::uint32_t> spiked;
        group.update(StepInput{step, ports, injected.data(), 1}, spiked);
        for (const auto i : spiked) all.push_back(static_cast<std::uint32_t>(step) * 100 + i);
    }
    std::vector<double> state;
    for (std::size_t s = 0; s < group.info().state.size(); ++s)
        state.insert(state.end(), group.state(s).begin(), group.state(s).end());
    return {all, state};
}

}  // namespace

// Every model with v_thresh or i_offset: changing the parameter during the run and
// calling refresh_derived gives exactly the neuron that a fresh prepare() with the new
// values gives (a model that folds the parameter into a precomputed constant and does not
// refresh it fails here).
TEST(Homeostasis, EveryModelRefreshesWhatItDerivesFromTheAdaptedParameter) {
    const std::size_t n = 5;
    int checked = 0;
    for (const ModelInfo* model : all_models()) {
        if (model->spike_source || model->port_kind == PortKind::rate) continue;
        for (const std::string parameter : {"v_thresh", "i_offset"}) {
            const int index = model->param_index(parameter);
            if (index < 0) continue;
            for (const bool no_exponential : {false, true}) {  // AdEx: delta_T = 0 makes v_thresh the spike level
                const int delta_t = model->param_index("delta_T");
                if (no_exponential && delta_t < 0) continue;
                const double base = model->params[static_cast<std::size_t>(index)].default_value;
                std::vector<double> changed(n);
                for (std::size_t i = 0; i < n; ++i)
                    changed[i] = parameter == "v_thresh" ? base + 0.5 * static_cast<double>(i) - 1.0 : 0.3 * static_cast<double>(i);
                auto adapted = model->create(n, 0), fresh = model->create(n, 0);
                for (auto* g : {adapted.get(), fresh.get()})
                    if (no_exponential) std::fill(g->param(static_cast<std::size_t>(delta_t)).begin(),
                                                  g->param(static_cast<std::size_t>(delta_t)).end(), 0.0);
                adapted->prepare(kDt);
                adapted->keep_params_per_neuron();
                std::copy(changed.begin(), changed.end(), adapted->param(static_cast<std::size_t>(index)).begin());
                adapted->refresh_derived(static_cast<std::size_t>(index));
                std::copy(changed.begin(), changed.end(), fresh->param(static_cast<std::size_t>(index)).begin());
                fresh->prepare(kDt);
                const double current = parameter == "v_thresh" ? 2.0 : 0.5;  // nA: the neurons fire
                const auto a = drive(*adapted, current), f = drive(*fresh, current);
                EXPECT_EQ(a.first, f.first) << model->name << " " << parameter << (no_exponential ? " delta_T=0" : "");
                EXPECT_EQ(a.second, f.second) << model->name << " " << parameter;
                EXPECT_FALSE(f.first.empty()) << model->name << " " << parameter << ": no spike, the check is vacuous";
                ++checked;
            }
        }
    }
    // 10 models have v_thresh, 11 i_offset; the two AdEx models are checked with and
    // without delta_T (a new model with either parameter raises the count).
    EXPECT_GE(checked, 25);
}

// ---- the model file -------------------------------------------------------------------

namespace {

const char* kModelHead = R"(
[simulation]
dt = 0.1
[[population]]
name = "in"
model = "SpikeSourcePoisson"
size = 20
params = { rate = 10.0 }
[[population]]
name = "E"
model = "IF_curr_exp"
size = 10
)";

const char* kStdpProjection = R"(
[[projection]]
source = "in"
target = "E"
weight = 0.1
connector = { type = "all_to_all" }
synapse = { type = "stdp", timing = { type = "spike_pair" }, weight_dependence = { type = "additive", w_min = 0.0, w_max = 0.5 } }
)";

NetworkSpec parse(const std::string& homeostasis, bool stdp = false) {
    return parse_model_text(std::string(kModelHead) + "homeostasis = " + homeostasis + "\n" + (stdp ? kStdpProjection : ""),
                            "net.toml");
}

template <class Error>
void expect_model_error(const std::string& homeostasis, const std::string& key, const std::string& fragment,
                        bool stdp = false) {
    try {
        parse(homeostasis, stdp);
        ADD_FAILURE() << "no error for " << homeostasis;
    } catch (const Error& e) {
        EXPECT_EQ(e.key(), key) << e.what();
        EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
        EXPECT_EQ(std::string(e.what()).rfind("net.toml:", 0), 0u) << e.what();
    }
}

}  // namespace

TEST(Homeostasis, ModelFileReadsEachType) {
    const NetworkSpec a = parse(R"({ type = "adaptive_threshold", target_rate = 4.0, eta = 0.2, tau = 500.0, min = -60.0, max = -40.0 })");
    const HomeostasisSpec& h = a.populations[1].homeostasis;
    EXPECT_EQ(h.kind, HomeostasisSpec::Kind::adaptive_threshold);
    EXPECT_EQ(h.target_rate, 4.0);
    EXPECT_EQ(h.eta, 0.2);
    EXPECT_EQ(h.tau, 500.0);
    EXPECT_EQ(h.min, -60.0);
    EXPECT_EQ(h.max, -40.0);
    EXPECT_EQ(a.populations[0].homeostasis.kind, HomeostasisSpec::Kind::none);
    const NetworkSpec b = parse(R"({ type = "intrinsic", target_rate = 3, eta = 0.01 })");
    EXPECT_EQ(b.populations[1].homeostasis.kind, HomeostasisSpec::Kind::intrinsic);
    EXPECT_EQ(b.populations[1].homeostasis.tau, 1000.0);  // default
    EXPECT_TRUE(std::isinf(b.populations[1].homeostasis.min));
    const NetworkSpec c = parse(R"({ type = "synaptic_scaling", target_rate = 5.0, eta = 0.001, interval = 250.0 })", true);
    EXPECT_EQ(c.populations[1].homeostasis.kind, HomeostasisSpec::Kind::synaptic_scaling);
    EXPECT_EQ(c.populations[1].homeostasis.interval, 250.0);
    // It runs from the file.
    Simulator sim(c);
    sim.run(500.0);
    EXPECT_EQ(sim.homeostasis_rates("E").size(), 10u);
}

TEST(Homeostasis, ModelFileErrorsNameTheKey) {
    expect_model_error<KeyError>(R"({ type = "adaptive_treshold", target_rate = 5.0, eta = 0.1 })",
                                 "population[1].homeostasis.type", "did you mean 'adaptive_threshold'");
    expect_model_error<KeyError>(R"({ type = "intrinsic", target_rate = 5.0 })", "population[1].homeostasis",
                                 "missing required key 'eta'");
    expect_model_error<KeyError>(R"({ type = "intrinsic", target_rate = 5.0, eta = 0.1, tau_r = 3.0 })",
                                 "population[1].homeostasis.tau_r", "did you mean 'tau'");
    expect_model_error<KeyError>(R"({ type = "adaptive_threshold", target_rate = 5.0, eta = 0.1, interval = 100.0 })",
                                 "population[1].homeostasis.interval", "does not apply");
    expect_model_error<ValueError>(R"({ type = "adaptive_threshold", target_rate = -1.0, eta = 0.1 })",
                                   "population[1].homeostasis.target_rate", "target_rate must be >= 0 Hz, got -1");
    expect_model_error<ValueError>(R"({ type = "adaptive_threshold", target_rate = 5.0, eta = "fast" })",
                                   "population[1].homeostasis.eta", "expected a number");
    expect_model_error<ValueError>(R"({ type = "synaptic_scaling", target_rate = 5.0, eta = 0.1 })",
                                   "population[1].homeostasis.type", "has none");
    expect_model_error<ValueError>(R"("adaptive_threshold")", "population[1].homeostasis", "expected a table");
}

// ---- bad input ------------------------------------------------------------------------

namespace {

template <class Error>
void expect_spec_error(const NetworkSpec& spec, const std::string& key, const std::string& fragment) {
    try {
        spec.validate();
        ADD_FAILURE() << "no error for " << key;
    } catch (const Error& e) {
        EXPECT_EQ(e.key(), key) << e.what();
        EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
    }
}

NetworkSpec with(const std::string& model, const HomeostasisSpec& h, bool stdp = false) {
    NetworkSpec spec = scaling_network(false, 0.0, 0.0, 100.0);
    spec.populations[1].model = model;
    spec.populations[1].params.clear();
    spec.populations[1].initial.clear();
    spec.populations[1].homeostasis = h;
    if (!stdp) spec.projections.clear();
    return spec;
}

}  // namespace

TEST(Homeostasis, EachBadParameterGivesAClearError) {
    using Kind = HomeostasisSpec::Kind;
    const std::string key = "population[1].homeostasis";
    HomeostasisSpec h = rule(Kind::adaptive_threshold, 0.1);
    EXPECT_NO_THROW(with("IF_curr_exp", h).validate());

    h.target_rate = -1.0;
    expect_spec_error<ValueError>(with("IF_curr_exp", h), key + ".target_rate", "target_rate must be >= 0 Hz, got -1");
    h.target_rate = std::nan("");
    expect_spec_error<ValueError>(with("IF_curr_exp", h), key + ".target_rate", "got NaN");
    h = rule(Kind::adaptive_threshold, -0.1);
    expect_spec_error<ValueError>(with("IF_curr_exp", h), key + ".eta", "eta must be >= 0 mV/(Hz s), got -0.1");
    h = rule(Kind::intrinsic, -0.1);
    expect_spec_error<ValueError>(with("IF_curr_exp", h), key + ".eta", "eta must be >= 0 nA/(Hz s), got -0.1");
    for (const double tau : {0.0, -5.0, std::numeric_limits<double>::infinity()}) {
        h = rule(Kind::adaptive_threshold, 0.1);
        h.tau = tau;
        expect_spec_error<ValueError>(with("IF_curr_exp", h), key + ".tau", "tau (the rate estimate's time constant) must be > 0 ms");
    }
    // Models without the parameter, spike sources, rate units.
    expect_spec_error<ValueError>(with("Izhikevich", rule(Kind::adaptive_threshold, 0.1)), key + ".type",
                                  "moves v_thresh, which Izhikevich does not have (models with it: ");
    expect_spec_error<ValueError>(with("Parrot", rule(Kind::intrinsic, 0.1)), key + ".type",
                                  "moves i_offset, which Parrot does not have");
    expect_spec_error<ValueError>(with("SpikeSourcePoisson", rule(Kind::intrinsic, 0.1)), key + ".type", "a spike source");
    expect_spec_error<ValueError>(with("LeakyRate", rule(Kind::intrinsic, 0.1)), key + ".type", "emit no spikes");
    // Bounds.
    h = rule(Kind::adaptive_threshold, 0.1);
    h.min = -40.0;
    h.max = -60.0;
    expect_spec_error<ValueError>(with("IF_curr_exp", h), key + ".max", "max must be > min (-40), got -60");
    h.min = -45.0;  // the default v_thresh is -50
    h.max = 0.0;
    expect_spec_error<ValueError>(with("IF_curr_exp", h), key + ".min", "min must not exceed the initial v_thresh (its default -50");
    h = rule(Kind::intrinsic, 0.1);
    h.max = -0.5;
    expect_spec_error<ValueError>(with("IF_curr_exp", h), key + ".max", "max must not be below the initial i_offset");
    // Synaptic scaling: it needs stdp projections onto the excitatory receptor, with
    // weights >= 0, and an interval of whole steps.
    h = rule(Kind::synaptic_scaling, 0.01);
    EXPECT_NO_THROW(with("IF_curr_exp", h, true).validate());
    expect_spec_error<ValueError>(with("IF_curr_exp", h, false), key + ".type",
                                  "synaptic_scaling scales the stdp projections onto the excitatory receptor of population 'E', "
                                  "and it has none");
    NetworkSpec inhibitory = with("IF_curr_exp", h, true);
    inhibitory.projections[0].receptor = "inhibitory";
    expect_spec_error<ValueError>(inhibitory, key + ".type", "and it has none");
    NetworkSpec negative = with("IF_curr_exp", h, true);
    negative.projections[0].synapse.weight_dependence.w_min = -0.5;
    negative.projections[0].weight = 0.0;
    expect_spec_error<ValueError>(negative, key + ".type", "whose bounds must be >= 0; its w_min is -0.5");
    for (const double interval : {0.0, -100.0, 100.05}) {
        h.interval = interval;
        expect_spec_error<ValueError>(with("IF_curr_exp", h, true), key + ".interval", "interval must be");
    }
    h.interval = 100.0;
    h.min = -1.0;
    expect_spec_error<ValueError>(with("IF_curr_exp", h, true), key + ".min", "synaptic_scaling keeps each weight");
}

TEST(Homeostasis, ReadingErrorsNameWhatIsMissing) {
    Simulator sim(scaling_network(true, 0.0, 0.01, 100.0));
    EXPECT_THROW(sim.get_param("E", "v_tresh"), KeyError);
    EXPECT_THROW(sim.get_param("X", "v_thresh"), KeyError);
    try {
        sim.homeostasis_rates("in");
        ADD_FAILURE();
    } catch (const ValueError& e) {
        EXPECT_NE(std::string(e.what()).find("population 'in' has no homeostasis"), std::string::npos) << e.what();
    }
    EXPECT_EQ(sim.get_param("E", "v_thresh"), linspace(-58.0, -45.0, 50));
}
