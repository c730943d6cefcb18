// The simulator end to end on small networks: timing of delivery, determinism,
// decomposition invariance, continuation, interruption, stimuli, memory refusal.

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <map>

#include "neurodyn/core/error.hpp"
#include "neurodyn/engine/simulator.hpp"
#include "neurodyn/record/spike_recorder.hpp"

using namespace neurodyn;

namespace {

// A random recurrent network with every connector kind, heterogeneous delays, Poisson
// drive and a spike source: the workload of the invariance tests. Delays of 2 ms or
// more make epochs of 20 steps, so spikes of different shards meet in one epoch.
NetworkSpec mixed_network(std::uint64_t seed) {
    NetworkSpec spec;
    spec.simulation = {0.1, 200.0, seed};
    PopulationSpec e{"E", "IF_curr_exp", 160, {}, {}, {}};
    e.params = {{"tau_refrac", 2.0}, {"v_thresh", -55.0}, {"tau_syn_E", Distribution::uniform(2.0, 6.0)}};
    e.initial = {{"v", Distribution::uniform(-65.0, -55.0)}};
    PopulationSpec i{"I", "IF_cond_exp", 40, {}, {}, {}};
    i.params = {{"tau_refrac", 1.0}, {"v_thresh", -55.0}};
    PopulationSpec src{"src", "SpikeSourcePoisson", 30, {{"rate", 20.0}}, {}, {}};
    spec.populations = {e, i, src};
    auto projection = [](std::string s, std::string t, ConnectorSpec c, std::string receptor, ValueSpec w, ValueSpec d) {
        ProjectionSpec p;
        p.source = std::move(s);
        p.target = std::move(t);
        p.connector = std::move(c);
        p.receptor = std::move(receptor);
        p.weight = std::move(w);
        p.delay = std::move(d);
        return p;
    };
    ConnectorSpec fp{ConnectorSpec::Kind::fixed_probability};
    fp.probability = 0.1;
    fp.allow_autapses = false;
    ConnectorSpec fpre{ConnectorSpec::Kind::fixed_number_pre};
    fpre.number = 10;
    ConnectorSpec fpost{ConnectorSpec::Kind::fixed_number_post};
    fpost.number = 5;
    fpost.allow_multapses = true;
    ConnectorSpec all{ConnectorSpec::Kind::all_to_all};
    ConnectorSpec list{ConnectorSpec::Kind::from_list};
    list.pairs = {{0, 1}, {3, 2}, {3, 2}, {29, 159}};
    ConnectorSpec one{ConnectorSpec::Kind::one_to_one};
    spec.projections = {
        projection("E", "E", fp, "excitatory", Distribution::normal_clipped(0.3, 0.1, 0.0, 1.0), Distribution::uniform(2.0, 4.0)),
        projection("E", "I", fpre, "excitatory", 0.002, 2.0),
        projection("I", "E", fpost, "inhibitory", -0.5, Distribution::uniform(2.0, 3.0)),
        projection("I", "I", all, "inhibitory", 0.001, 2.2),
        projection("src", "E", list, "excitatory", 1.0, 2.5),
        projection("I", "I", one, "excitatory", 0.0005, 2.0),
    };
    StimulusSpec drive;
    drive.kind = StimulusSpec::Kind::poisson;
    drive.target = "E";
    drive.rate = 8000.0;
    drive.weight = 0.12;
    StimulusSpec drive_i = drive;
    drive_i.target = "I";
    drive_i.weight = 0.0015;
    StimulusSpec dc;
    dc.kind = StimulusSpec::Kind::dc;
    dc.target = "E";
    dc.amplitude = 0.2;
    dc.start = 50.0;
    dc.stop = 120.0;
    dc.neurons = {0, 1, 2, 150};
    spec.stimuli = {drive, drive_i, dc};
    return spec;
}

struct Raster {
    std::vector<double> times;
    std::vector<std::uint32_t> ids;
    bool operator==(const Raster&) const = default;
};

std::map<std::string, Raster> simulate(const NetworkSpec& spec, std::size_t shards, std::vector<double> durations = {},
                                      std::size_t threads = 1) {
    Simulator sim(spec, BuildOptions{shards, 0.0, threads});
    SpikeRecorder recorder(sim, true);
    sim.add_observer(&recorder);
    if (durations.empty()) durations = {spec.simulation.duration};
    for (double d : durations) sim.run(d);
    std::map<std::string, Raster> out;
    for (const auto& pop : sim.populations()) {
        const auto& s = recorder.spikes(pop.name);
        out[pop.name] = {s.times_ms, s.ids};
    }
    return out;
}

}  // namespace

TEST(Simulator, SpikeArrivesAfterExactlyTheDelay) {
    // One source spike at 1.0 ms, delay 1.5 ms: the delta synapse makes v jump at 2.5 ms
    // (NEST's convention: emitted at t, arrives at t + d, applied at the end of the step
    // that ends at t + d).
    NetworkSpec spec;
    spec.simulation = {0.1, 5.0, 1};
    PopulationSpec src{"src", "SpikeSourceArray", 1, {}, {}, {{1.0}}};
    PopulationSpec n{"n", "IF_curr_delta", 1, {{"v_rest", 0.0}, {"v_reset", 0.0}, {"v_thresh", 20.0}, {"tau_m", 1e9}}, {{"v", 0.0}}, {}};
    spec.populations = {src, n};
    ProjectionSpec p;
    p.source = "src";
    p.target = "n";
    p.connector.kind = ConnectorSpec::Kind::all_to_all;
    p.weight = 2.0;
    p.delay = 1.5;
    spec.projections = {p};
    RecorderSpec rec;
    rec.kind = RecorderSpec::Kind::state;
    rec.population = "n";
    rec.variables = {"v"};
    spec.recorders = {rec};
    Simulator sim(spec);
    struct Capture : EpochObserver {
        std::vector<double> times, values;
        void on_epoch(const Simulator& s, const EpochSpikes&) override {
            const auto& probe = s.state_probes()[0];
            times.insert(times.end(), probe.pending_times.begin(), probe.pending_times.end());
            values.insert(values.end(), probe.pending_values.begin(), probe.pending_values.end());
        }
    } capture;
    sim.add_observer(&capture);
    sim.run(5.0);
    ASSERT_EQ(capture.times.size(), 51u);  // t = 0, 0.1, ..., 5.0
    for (std::size_t k = 0; k < capture.times.size(); ++k) {
        const double expected = capture.times[k] < 2.5 - 1e-9 ? 0.0 : 2.0;
        EXPECT_NEAR(capture.values[k], expected, 1e-7) << "t = " << capture.times[k];
    }
}

TEST(Simulator, SameSeedSameSpikesOtherSeedOtherSpikes) {
    const auto a = simulate(mixed_network(7), 1);
    const auto b = simulate(mixed_network(7), 1);
    const auto c = simulate(mixed_network(8), 1);
    EXPECT_GT(a.at("E").times.size(), 100u);
    EXPECT_GT(a.at("I").times.size(), 10u);
    EXPECT_EQ(a, b);
    EXPECT_NE(a.at("E"), c.at("E"));
}

TEST(Simulator, IdenticalSpikesForAnyNumberOfShards) {
    const auto one = simulate(mixed_network(11), 1);
    for (std::size_t shards : {2u, 3u, 7u}) EXPECT_EQ(one, simulate(mixed_network(11), shards)) << shards << " shards";
}

TEST(Simulator, IdenticalSpikesForAnyNumberOfThreads) {
    // Threads run whole shards (building their synapses, advancing them, delivering into
    // them), so any thread count gives the spikes of one thread: checked for 2 and 3
    // threads over 2, 3 and 7 shards, and continuing a run in pieces.
    const auto one = simulate(mixed_network(13), 1);
    for (std::size_t threads : {2u, 3u})
        for (std::size_t shards : {2u, 3u, 7u})
            EXPECT_EQ(one, simulate(mixed_network(13), shards, {}, threads)) << threads << " threads, " << shards << " shards";
    EXPECT_EQ(one, simulate(mixed_network(13), 4, {50.0, 30.0, 120.0}, 2));
    EXPECT_THROW(Simulator(mixed_network(13), BuildOptions{2, 0.0, 0}), ValueError);
}

TEST(Simulator, ContinuingARunEqualsOneLongRun) {
    // Splits that cut through min-delay epochs must not change anything.
    const auto whole = simulate(mixed_network(5), 1, {200.0});
    EXPECT_EQ(whole, simulate(mixed_network(5), 1, {33.3, 66.7, 100.0}));
    EXPECT_EQ(whole, simulate(mixed_network(5), 3, {0.1, 199.9}));
}

TEST(Simulator, InterruptStopsBetweenStepsAndTheRunCanContinue) {
    const auto whole = simulate(mixed_network(3), 1);
    Simulator sim(mixed_network(3));
    SpikeRecorder recorder(sim, true);
    sim.add_observer(&recorder);
    std::atomic<bool> stop{false};
    RunControl control;
    control.interrupt = &stop;
    control.progress = [&](Step done, Step) { stop = done >= 777; };
    const RunResult first = sim.run(200.0, control);
    EXPECT_TRUE(first.interrupted);
    EXPECT_LT(first.steps, 2000);
    EXPECT_EQ(sim.current_step(), first.steps);
    stop = false;
    const RunResult rest = sim.run(200.0 - sim.time_ms());
    EXPECT_FALSE(rest.interrupted);
    EXPECT_EQ(recorder.spikes("E").times_ms, whole.at("E").times);
    EXPECT_EQ(recorder.spikes("I").ids, whole.at("I").ids);
}

TEST(Simulator, PoissonDriveDeliversItsMeanInput) {
    // A neuron with an unreachable threshold and no leak integrates the drive: after T ms
    // the membrane has moved by w * (count), count ~ Poisson(rate * T). 4 sigma of the
    // Poisson count bounds the check (false-failure ~6e-5).
    NetworkSpec spec;
    spec.simulation = {0.1, 1000.0, 99};
    PopulationSpec n{"n", "IF_curr_delta", 100, {{"v_rest", 0.0}, {"v_reset", -1.0}, {"v_thresh", 1e12}, {"tau_m", 1e12}}, {{"v", 0.0}}, {}};
    spec.populations = {n};
    StimulusSpec drive;
    drive.target = "n";
    drive.rate = 5000.0;
    drive.weight = 1.0;
    spec.stimuli = {drive};
    Simulator sim(spec);
    sim.run(1000.0);
    const auto v = sim.get_state("n", "v");
    double total = 0.0;
    for (double x : v) total += x;
    const double expected = 5000.0 * 1.0 * 100;  // rate * T(s) * neurons
    EXPECT_NEAR(total, expected, 4.0 * std::sqrt(expected));
    // Neurons receive independent trains.
    EXPECT_NE(v[0], v[1]);
}

TEST(Simulator, DcSourceActsOnlyInsideItsWindow) {
    // No leak: v grows by amplitude/cm * (time inside the window) exactly.
    NetworkSpec spec;
    spec.simulation = {0.1, 30.0, 1};
    PopulationSpec n{"n", "IF_curr_exp", 2, {{"v_rest", 0.0}, {"v_reset", -1.0}, {"v_thresh", 1e12}, {"tau_m", 1e15}, {"cm", 2.0}}, {{"v", 0.0}}, {}};
    spec.populations = {n};
    StimulusSpec dc;
    dc.kind = StimulusSpec::Kind::dc;
    dc.target = "n";
    dc.amplitude = 0.5;
    dc.start = 10.0;
    dc.stop = 20.0;
    dc.neurons = {1};
    spec.stimuli = {dc};
    Simulator sim(spec);
    sim.run(30.0);
    const auto v = sim.get_state("n", "v");
    EXPECT_EQ(v[0], 0.0);
    EXPECT_NEAR(v[1], 0.5 / 2.0 * 10.0, 1e-6);
}

TEST(Simulator, RefusesANetworkThatDoesNotFitTheMemoryLimit) {
    NetworkSpec spec;
    spec.simulation = {0.1, 1.0, 1};
    spec.populations = {{"big", "IF_curr_exp", 100000, {}, {}, {}}};
    ProjectionSpec p;
    p.source = p.target = "big";
    p.connector.kind = ConnectorSpec::Kind::fixed_probability;
    p.connector.probability = 0.1;  // 1e9 synapses
    p.weight = 0.1;
    spec.projections = {p};
    try {
        Simulator sim(spec, BuildOptions{1, 1e9});
        FAIL() << "expected MemoryLimitError";
    } catch (const MemoryLimitError& e) {
        const std::string message = e.what();
        EXPECT_NE(message.find("needs about"), std::string::npos) << message;
        EXPECT_NE(message.find("1 GB"), std::string::npos) << message;
    }
}

TEST(Simulator, InvalidSpecIsRefusedBeforeBuilding) {
    NetworkSpec spec = mixed_network(1);
    spec.projections[0].delay = 0.05;
    EXPECT_THROW(Simulator{spec}, ValueError);
    spec = mixed_network(1);
    spec.populations[0].params.push_back({"tau_m", -20.0});
    try {
        Simulator sim(spec);
        FAIL();
    } catch (const ValueError& e) {
        EXPECT_EQ(e.key(), "population[0].params.tau_m");
        EXPECT_NE(std::string(e.what()).find("tau_m must be > 0 ms, got -20"), std::string::npos) << e.what();
    }
}

TEST(Simulator, SetStateReplacesAVariableOnEveryShardAndRefusesBadValues) {
    NetworkSpec spec = mixed_network(3);
    const std::size_t n = spec.populations[0].size;
    std::vector<double> v(n);
    for (std::size_t i = 0; i < n; ++i) v[i] = -70.0 + 0.01 * static_cast<double>(i);
    std::vector<std::vector<double>> after_run;
    for (const std::size_t shards : {1u, 3u}) {
        Simulator sim(spec, BuildOptions{shards, 0.0});
        sim.run(5.0);
        sim.set_state(spec.populations[0].name, "v", v);
        EXPECT_EQ(sim.get_state(spec.populations[0].name, "v"), v);
        sim.run(5.0);
        after_run.push_back(sim.get_state(spec.populations[0].name, "v"));
    }
    EXPECT_EQ(after_run[0], after_run[1]);  // the same continuation whatever the split

    Simulator sim(spec);
    const std::string name = spec.populations[0].name;
    EXPECT_THROW(sim.set_state(name, "vv", v), KeyError);
    EXPECT_THROW(sim.set_state("nobody", "v", v), KeyError);
    EXPECT_THROW(sim.set_state(name, "v", std::vector<double>(n + 1, 0.0)), ValueError);
    v[2] = std::nan("");
    EXPECT_THROW(sim.set_state(name, "v", v), ValueError);
    EXPECT_EQ(sim.get_state(name, "v")[0], sim.get_state(name, "v")[0]);  // untouched, finite
    EXPECT_THROW(sim.set_state("I", "gsyn_exc", std::vector<double>(40, -1.0)), ValueError);  // conductances >= 0
}

namespace {

// Two unconnected leaky neurons relaxing from v = 10 mV towards v_rest = 0 (threshold
// out of reach): v(t) = v(t0) exp(-(t - t0) / tau_m) between parameter changes.
NetworkSpec relaxing_pair() {
    NetworkSpec spec;
    spec.simulation = {0.1, 10.0, 5};
    PopulationSpec n{"n", "IF_curr_exp", 2, {{"v_rest", 0.0}, {"v_reset", -5.0}, {"v_thresh", 1e6}, {"tau_m", 10.0}},
                     {{"v", 10.0}}, {}};
    spec.populations = {n};
    return spec;
}

}  // namespace

TEST(Simulator, SetParamChangesTheTraceAsTheClosedFormPredicts) {
    Simulator sim(relaxing_pair());
    sim.run(5.0);
    const double v1 = 10.0 * std::exp(-5.0 / 10.0);
    // Exact propagation: 50 products of exp(-dt/tau_m), rounding only (~1e-14 relative).
    for (double v : sim.get_state("n", "v")) EXPECT_NEAR(v, v1, 1e-11);
    const std::vector<double> tau{20.0, 5.0};  // heterogeneous: the per-neuron path
    sim.set_param("n", "tau_m", tau);
    sim.run(5.0);
    const auto v = sim.get_state("n", "v");
    for (std::size_t i = 0; i < 2; ++i) EXPECT_NEAR(v[i], v1 * std::exp(-5.0 / tau[i]), 1e-11) << i;
    // The unchanged closed form would give v1 exp(-0.5) for both: far outside 1e-11.
    EXPECT_GT(std::abs(v[0] - v1 * std::exp(-0.5)), 1.0);
    // The spec shows the values in force.
    const auto& params = sim.spec().populations[0].params;
    const auto it = std::find_if(params.begin(), params.end(), [](const auto& e) { return e.first == "tau_m"; });
    ASSERT_NE(it, params.end());
    ASSERT_TRUE(it->second.is_array());
    EXPECT_EQ(it->second.array(), tau);
}

TEST(Simulator, SetParamRefusesInvalidValuesAndChangesNothing) {
    // Three shards of a 6-neuron population; a value the model refuses in the last
    // shard only must leave the first shards untouched as well.
    NetworkSpec spec = relaxing_pair();
    spec.populations[0].size = 6;
    Simulator sim(spec, BuildOptions{3, 0.0});
    Simulator reference(spec, BuildOptions{3, 0.0});
    sim.run(2.0);
    reference.run(2.0);
    std::vector<double> tau(6, 15.0);
    tau[5] = -1.0;
    try {
        sim.set_param("n", "tau_m", tau);
        FAIL() << "expected ValueError";
    } catch (const ValueError& e) {
        EXPECT_NE(std::string(e.what()).find("tau_m must be > 0 ms, got -1"), std::string::npos) << e.what();
    }
    // Relations are checked again: v_reset < v_thresh.
    try {
        sim.set_param("n", "v_reset", std::vector<double>(6, 2e6));
        FAIL() << "expected ValueError";
    } catch (const ValueError& e) {
        EXPECT_NE(std::string(e.what()).find("v_reset must be < v_thresh"), std::string::npos) << e.what();
    }
    try {
        sim.set_param("n", "tau_n", tau);
        FAIL() << "expected KeyError";
    } catch (const KeyError& e) {
        EXPECT_NE(std::string(e.what()).find("tau_m"), std::string::npos) << e.what();  // did you mean
    }
    EXPECT_THROW(sim.set_param("nobody", "tau_m", tau), KeyError);
    EXPECT_THROW(sim.set_param("n", "tau_m", std::vector<double>(5, 15.0)), ValueError);
    tau[5] = std::nan("");
    EXPECT_THROW(sim.set_param("n", "tau_m", tau), ValueError);
    // Nothing changed: the continuation equals that of an untouched simulator, bit for bit.
    sim.run(3.0);
    reference.run(3.0);
    EXPECT_EQ(sim.get_state("n", "v"), reference.get_state("n", "v"));
    const auto& params = sim.spec().populations[0].params;
    ASSERT_EQ(params.size(), reference.spec().populations[0].params.size());
    for (const auto& [name, value] : params) {
        if (name == "tau_m" || name == "v_reset") {
            EXPECT_TRUE(value.is_constant()) << name;
        }
    }
}

TEST(Simulator, PoissonRateChangeRestartsTheTrainsAtTheCurrentTime) {
    NetworkSpec spec;
    spec.simulation = {0.1, 100.0, 8};
    spec.populations = {{"src", "SpikeSourcePoisson", 200, {{"rate", 0.0}}, {}, {}},
                        {"gamma", "SpikeSourceGamma", 2, {}, {}, {}},
                        {"array", "SpikeSourceArray", 2, {}, {}, {{5.0}}}};
    Simulator sim(spec);
    SpikeRecorder recorder(sim, true);
    sim.add_observer(&recorder);
    sim.run(100.0);
    EXPECT_TRUE(recorder.spikes("src").times_ms.empty());
    sim.set_param("src", "rate", std::vector<double>(200, 50.0));
    sim.run(200.0);
    const auto& times = recorder.spikes("src").times_ms;
    // None before the change; trains drawn from t = 0 would have emitted the spikes of
    // [0, 100) ms in the first step after it (about 1000 more than expected).
    EXPECT_GT(*std::min_element(times.begin(), times.end()), 100.0);
    const double expected = 200 * 50.0 * 0.2;  // neurons * rate * 200 ms
    // Poisson count: within 4 sigma (false failure ~6e-5).
    EXPECT_NEAR(static_cast<double>(times.size()), expected, 4.0 * std::sqrt(expected));
    const auto early = std::count_if(times.begin(), times.end(), [](double t) { return t <= 101.0; });
    EXPECT_LE(early, 30);  // Poisson(10) in the first ms (P(> 30) ~ 1e-6); a backlog would add ~1000
    // Sources that cannot restart refuse after the first run, naming why.
    try {
        sim.set_param("gamma", "beta", std::vector<double>(2, 3.0));
        FAIL() << "expected ValueError";
    } catch (const ValueError& e) {
        EXPECT_NE(std::string(e.what()).find("after the first run"), std::string::npos) << e.what();
    }
    try {
        sim.set_param("array", "spike_times", std::vector<double>(2, 3.0));
        FAIL() << "expected ValueError";
    } catch (const ValueError& e) {
        EXPECT_NE(std::string(e.what()).find("spike_times of SpikeSourceArray"), std::string::npos) << e.what();
    }
}

TEST(Simulator, SetStimulusChangesADcAmplitudeBetweenRuns) {
    NetworkSpec spec = relaxing_pair();
    spec.populations[0].params = {{"v_rest", 0.0}, {"v_reset", -5.0}, {"v_thresh", 1e6}, {"tau_m", 20.0}, {"cm", 1.0}};
    spec.populations[0].initial = {{"v", 0.0}};
    StimulusSpec dc;
    dc.kind = StimulusSpec::Kind::dc;
    dc.target = "n";
    dc.amplitude = 0.5;
    dc.neurons = {1};
    spec.stimuli = {dc};
    Simulator sim(spec);
    sim.run(10.0);
    // v(t) = R I + (v0 - R I) exp(-t / tau_m), R = tau_m / cm = 20 MOhm; exact
    // propagation of a piecewise-constant current: rounding only.
    const double v1 = 20.0 * 0.5 * (1.0 - std::exp(-0.5));
    EXPECT_NEAR(sim.get_state("n", "v")[1], v1, 1e-10);
    dc.amplitude = 1.0;
    sim.set_stimulus(0, dc);
    EXPECT_EQ(sim.spec().stimuli[0].amplitude, 1.0);
    sim.run(10.0);
    const auto v = sim.get_state("n", "v");
    EXPECT_EQ(v[0], 0.0);
    EXPECT_NEAR(v[1], 20.0 + (v1 - 20.0) * std::exp(-0.5), 1e-10);

    // Refused: invalid values (checked as validate() does) and a change of kind; the
    // stimulus stays as it was.
    StimulusSpec bad = dc;
    bad.amplitude = std::nan("");
    try {
        sim.set_stimulus(0, bad);
        FAIL() << "expected ValueError";
    } catch (const ValueError& e) {
        EXPECT_EQ(e.key(), "stimulus[0].amplitude");
    }
    bad = dc;
    bad.stop = 1.0;
    bad.start = 5.0;
    EXPECT_THROW(sim.set_stimulus(0, bad), ValueError);
    bad = dc;
    bad.kind = StimulusSpec::Kind::ac;
    EXPECT_THROW(sim.set_stimulus(0, bad), ValueError);
    EXPECT_THROW(sim.set_stimulus(1, dc), KeyError);
    EXPECT_EQ(sim.spec().stimuli[0].amplitude, 1.0);
    EXPECT_EQ(sim.spec().stimuli[0].start, 0.0);
    const double v2 = v[1];
    sim.run(10.0);
    EXPECT_NEAR(sim.get_state("n", "v")[1], 20.0 + (v2 - 20.0) * std::exp(-0.5), 1e-10);  // still 1 nA
}

TEST(Simulator, ChangesBetweenRunsGiveIdenticalSpikesForAnyNumberOfShards) {
    const NetworkSpec spec = mixed_network(21);
    std::vector<std::map<std::string, Raster>> rasters;
    for (const std::size_t shards : {1u, 3u}) {
        Simulator sim(spec, BuildOptions{shards, 0.0});
        SpikeRecorder recorder(sim, true);
        sim.add_observer(&recorder);
        sim.run(60.0);
        std::vector<double> tau(spec.populations[0].size);
        for (std::size_t i = 0; i < tau.size(); ++i) tau[i] = 10.0 + 0.1 * static_cast<double>(i);
        sim.set_param("E", "tau_m", tau);
        sim.set_param("src", "rate", std::vector<double>(spec.populations[2].size, 80.0));
        StimulusSpec dc = spec.stimuli[2];
        dc.amplitude = 0.6;
        dc.stop = 150.0;
        sim.set_stimulus(2, dc);
        StimulusSpec drive = spec.stimuli[0];
        drive.rate = 6000.0;
        sim.set_stimulus(0, drive);
        sim.run(100.0);
        std::map<std::string, Raster> out;
        for (const auto& pop : sim.populations()) out[pop.name] = {recorder.spikes(pop.name).times_ms, recorder.spikes(pop.name).ids};
        rasters.push_back(std::move(out));
    }
    EXPECT_GT(rasters[0]["E"].times.size(), 0u);
    EXPECT_GT(rasters[0]["src"].times.size(), 0u);
    EXPECT_EQ(rasters[0], rasters[1]);
}
