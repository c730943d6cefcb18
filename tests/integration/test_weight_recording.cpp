// Weights recorders (RecorderSpec::Kind::weights, docs/plasticity.md): the weights of
// chosen synapses of an STDP projection sampled every `interval`. Each sample must equal
// what Simulator::weights() returns at that time (exactly: the same operations on the
// same numbers), for the pair, triplet and Vogels–Sprekeler rules, with multapses and
// heterogeneous delays, at intervals that do not divide the min-delay epoch; recording
// must not change the run; the samples are the same for any number of shards and
// threads and for a run split in pieces; and every bad recorder is refused with a key.

#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "neurodyn/core/error.hpp"
#include "neurodyn/engine/simulator.hpp"
#include "neurodyn/io/model_file.hpp"
#include "neurodyn/record/weight_trace_recorder.hpp"
#include "stdp_pairs.hpp"

using namespace neurodyn;

namespace {

constexpr double kDt = 0.1;

SynapseSpec stdp(models::StdpTimingKind timing, double w_min, double w_max) {
    SynapseSpec s;
    s.kind = SynapseSpec::Kind::stdp;
    s.timing_kind = timing;
    s.weight_dependence.w_min = w_min;
    s.weight_dependence.w_max = w_max;
    return s;
}

// Poisson-driven IF_curr_exp neurons with three plastic projections onto them:
//   0 "PE"  Poisson -> E, pair rule (multiplicative), multapses, delays 0.5–3 ms;
//   1 "EE"  E -> E, triplet rule, multapses, delay 1.5 ms (the min delay is 0.5 ms);
//   2 "QE"  Poisson -> E, inhibitory Vogels–Sprekeler rule with negative bounds;
//   3 "static"  Poisson -> E, static.
NetworkSpec plastic_network(double duration) {
    NetworkSpec spec;
    spec.simulation = {kDt, duration, 2024};
    spec.populations = {
        {"E", "IF_curr_exp", 40, {{"tau_refrac", 2.0}}, {{"v", Distribution::uniform(-65.0, -55.0)}}, {}},
        {"P", "SpikeSourcePoisson", 30, {{"rate", 15.0}}, {}, {}},
        {"Q", "SpikeSourcePoisson", 20, {{"rate", 10.0}}, {}, {}},
    };
    ProjectionSpec pe;
    pe.name = "PE";
    pe.source = "P";
    pe.target = "E";
    pe.connector.kind = ConnectorSpec::Kind::fixed_number_pre;
    pe.connector.number = 8;
    pe.connector.allow_multapses = true;
    pe.weight = Distribution::uniform(0.05, 0.25);
    pe.delay = Distribution::uniform(0.5, 3.0);
    pe.synapse = stdp(models::StdpTimingKind::spike_pair, 0.0, 0.3);
    pe.synapse.weight_dependence.kind = models::WeightDependenceKind::multiplicative;
    pe.synapse.timing.A_plus = 0.02;
    pe.synapse.timing.A_minus = 0.021;
    ProjectionSpec ee;
    ee.name = "EE";
    ee.source = "E";
    ee.target = "E";
    ee.connector.kind = ConnectorSpec::Kind::fixed_number_pre;
    ee.connector.number = 6;
    ee.connector.allow_multapses = true;
    ee.weight = 0.1;
    ee.delay = 1.5;
    ee.synapse = stdp(models::StdpTimingKind::triplet, 0.0, 0.3);
    ee.synapse.triplet.A2_plus = 2e-3;  // all four terms act
    ee.synapse.triplet.A3_minus = 1e-3;
    ProjectionSpec qe;
    qe.name = "QE";
    qe.source = "Q";
    qe.target = "E";
    qe.receptor = "inhibitory";
    qe.connector.kind = ConnectorSpec::Kind::all_to_all;
    qe.weight = -0.1;
    qe.delay = 1.0;
    qe.synapse = stdp(models::StdpTimingKind::vogels_sprekeler, -0.3, 0.0);
    qe.synapse.vogels_sprekeler = {20.0, 3e-3, 5.0};
    ProjectionSpec fixed;
    fixed.name = "static";
    fixed.source = "P";
    fixed.target = "E";
    fixed.connector.kind = ConnectorSpec::Kind::fixed_probability;
    fixed.connector.probability = 0.1;
    fixed.weight = 0.05;
    spec.projections = {pe, ee, qe, fixed};
    StimulusSpec drive;
    drive.kind = StimulusSpec::Kind::poisson;
    drive.target = "E";
    drive.rate = 6000.0;
    drive.weight = 0.12;
    spec.stimuli = {drive};
    return spec;
}

RecorderSpec weights_recorder(std::size_t projection, std::vector<std::uint64_t> synapses, double interval) {
    RecorderSpec rec;
    rec.kind = RecorderSpec::Kind::weights;
    rec.projection_index = static_cast<std::int64_t>(projection);
    rec.synapses = std::move(synapses);
    rec.interval = interval;
    return rec;
}

// The number of synapses of each projection (from a build without recorders).
std::vector<std::size_t> synapse_counts(const NetworkSpec& spec) {
    Simulator sim(spec);
    std::vector<std::size_t> counts;
    for (std::size_t p = 0; p < spec.projections.size(); ++p) counts.push_back(sim.connections(p).size());
    return counts;
}

// The network with one recorder per plastic projection: the first, the last and some
// synapses in between, not in order; intervals of 7 steps (the min-delay epoch is 5
// steps), 25 steps and every step.
NetworkSpec recorded_network(double duration) {
    NetworkSpec spec = plastic_network(duration);
    const auto n = synapse_counts(spec);
    spec.recorders.push_back(weights_recorder(0, {n[0] - 1, 0, n[0] / 2, 7, n[0] / 3, 1}, 0.7));
    spec.recorders.push_back(weights_recorder(1, {3, n[1] - 1, 0, n[1] / 2}, 2.5));
    spec.recorders.push_back(weights_recorder(2, {n[2] / 2, 0, n[2] - 1, 21}, 0.1));
    return spec;
}

struct Recorded {
    std::vector<WeightTraceRecorder::Trace> traces;
    std::vector<std::vector<double>> final_weights;
    std::vector<std::uint64_t> spike_counts;
};

// Runs `spec` in the given pieces (ms) with `shards` shards on `threads` threads.
Recorded run(const NetworkSpec& spec, const std::vector<double>& pieces, std::size_t shards = 1, std::size_t threads = 1) {
    Simulator sim(spec, BuildOptions{shards, 0.0, threads});
    WeightTraceRecorder recorder(sim);
    sim.add_observer(&recorder);
    for (double piece : pieces) sim.run(piece);
    Recorded out{recorder.traces(), {}, sim.spike_counts()};
    for (std::size_t p = 0; p < 3; ++p) out.final_weights.push_back(sim.weights(p));
    return out;
}

}  // namespace

// Every sample equals the weight weights() returns at that time, read in a second
// simulation advanced one step at a time. Exact equality: the sample applies the same
// potentiations to the same double in the same order as bring_up_to does.
TEST(WeightRecording, SamplesEqualTheWeightsReadAtTheSameTimes) {
    const double duration = 300.0;
    const NetworkSpec spec = recorded_network(duration);
    const Recorded recorded = run(spec, {duration});

    Simulator reference(plastic_network(duration));
    const auto steps = static_cast<Step>(std::llround(duration / kDt));
    std::vector<std::size_t> rows(3, 0);
    std::size_t compared = 0;
    for (Step step = 0; step <= steps; ++step) {
        if (step > 0) reference.run(kDt);
        for (std::size_t r = 0; r < 3; ++r) {
            const RecorderSpec& rec = spec.recorders[r];
            const auto interval = static_cast<Step>(std::llround(rec.interval / kDt));
            if (step % interval != 0) continue;
            const auto weights = reference.weights(static_cast<std::size_t>(rec.projection_index));
            const auto& trace = recorded.traces[r];
            const std::size_t row = rows[r]++;
            ASSERT_LT(row, trace.times.size()) << "recorder " << r;
            EXPECT_DOUBLE_EQ(trace.times[row], static_cast<double>(step) * kDt);
            for (std::size_t c = 0; c < rec.synapses.size(); ++c) {
                EXPECT_EQ(trace.values[row * rec.synapses.size() + c], weights[rec.synapses[c]])
                    << "recorder " << r << ", t = " << trace.times[row] << " ms, synapse " << rec.synapses[c];
                ++compared;
            }
        }
    }
    // 0, 0.7, ..., 299.6 ms: 429 rows; 0, 2.5, ..., 300: 121; every step: 3001.
    EXPECT_EQ(recorded.traces[0].times.size(), 429u);
    EXPECT_EQ(recorded.traces[1].times.size(), 121u);
    EXPECT_EQ(recorded.traces[2].times.size(), 3001u);
    EXPECT_EQ(rows, (std::vector<std::size_t>{429, 121, 3001}));
    EXPECT_GT(compared, 13000u);
    // The weights moved (a frozen rule or a sampler that reads the initial weights would
    // pass the comparison above only if both were wrong alike): each recorded synapse
    // changes over the run.
    for (std::size_t r = 0; r < 3; ++r) {
        const auto& trace = recorded.traces[r];
        const std::size_t columns = spec.recorders[r].synapses.size(), last = trace.times.size() - 1;
        for (std::size_t c = 0; c < columns; ++c)
            EXPECT_NE(trace.values[c], trace.values[last * columns + c]) << "recorder " << r << ", column " << c;
    }
}

// Recording changes nothing in the run: the same spikes and final weights as without
// recorders; and the last sample (at the end of the run) is the final weight.
TEST(WeightRecording, RecordingDoesNotChangeTheRun) {
    const double duration = 300.0;
    const NetworkSpec spec = recorded_network(duration);
    const Recorded recorded = run(spec, {duration});
    const Recorded plain = run(plastic_network(duration), {duration});
    EXPECT_EQ(recorded.spike_counts, plain.spike_counts);
    EXPECT_EQ(recorded.final_weights, plain.final_weights);
    for (std::size_t r = 1; r < 3; ++r) {  // intervals 2.5 and 0.1 ms divide 300 ms: a sample at the end
        const auto& trace = recorded.traces[r];
        const auto& synapses = spec.recorders[r].synapses;
        ASSERT_DOUBLE_EQ(trace.times.back(), duration);
        for (std::size_t c = 0; c < synapses.size(); ++c)
            EXPECT_EQ(trace.values[(trace.times.size() - 1) * synapses.size() + c],
                      recorded.final_weights[static_cast<std::size_t>(spec.recorders[r].projection_index)][synapses[c]]);
    }
}

// The same samples for 1, 3 and 4 shards, 1 and 2 threads, and runs split in pieces
// that end inside epochs and between samples.
TEST(WeightRecording, SamplesAreTheSameForAnyDecompositionAndRunPieces) {
    const double duration = 200.0;
    const NetworkSpec spec = recorded_network(duration);
    const Recorded reference = run(spec, {duration});
    auto same = [&](const Recorded& other, const std::string& what) {
        for (std::size_t r = 0; r < 3; ++r) {
            EXPECT_EQ(other.traces[r].times, reference.traces[r].times) << what << ", recorder " << r;
            EXPECT_EQ(other.traces[r].values, reference.traces[r].values) << what << ", recorder " << r;
        }
        EXPECT_EQ(other.spike_counts, reference.spike_counts) << what;
    };
    same(run(spec, {duration}), "same seed again");
    same(run(spec, {duration}, 3, 1), "3 shards");
    same(run(spec, {duration}, 4, 2), "4 shards on 2 threads");
    same(run(spec, {123.4, 0.3, 76.3}, 3, 2), "3 shards on 2 threads, in pieces");
}

// Each bad weights recorder is refused, naming its key; a synapse index out of range is
// found when the network is built (the count needs the connectivity).
TEST(WeightRecording, BadRecordersAreRefusedNamingTheKey) {
    const NetworkSpec base = plastic_network(10.0);
    const auto n = synapse_counts(base);
    auto error_of = [&](const std::function<void(RecorderSpec&, NetworkSpec&)>& change) -> std::pair<std::string, std::string> {
        NetworkSpec spec = base;
        RecorderSpec rec = weights_recorder(0, {0, 1}, 1.0);
        change(rec, spec);
        spec.recorders.push_back(rec);
        try {
            Simulator sim(spec);
        } catch (const UserError& e) {
            return {e.key(), e.what()};
        }
        return {"no error", ""};
    };
    EXPECT_EQ(error_of([](RecorderSpec&, NetworkSpec&) {}).first, "no error");
    // The projection: by name, by index, unknown, ambiguous, static.
    EXPECT_EQ(error_of([](RecorderSpec& r, NetworkSpec&) { r.projection_index = -1, r.projection = "EE"; }).first, "no error");
    const auto unknown = error_of([](RecorderSpec& r, NetworkSpec&) { r.projection_index = -1, r.projection = "PEE"; });
    EXPECT_EQ(unknown.first, "record[0].projection");
    EXPECT_EQ(unknown.second, "record[0].projection: unknown projection 'PEE'; did you mean 'PE'? (projections: PE, EE, QE, static)");
    const auto beyond = error_of([](RecorderSpec& r, NetworkSpec&) { r.projection_index = 4; });
    EXPECT_EQ(beyond.second, "record[0].projection: there is no projection 4 (the network has 4)");
    const auto ambiguous = error_of([](RecorderSpec& r, NetworkSpec& s) {
        s.projections[2].name = "PE";
        r.projection_index = -1, r.projection = "PE";
    });
    EXPECT_EQ(ambiguous.second,
              "record[0].projection: the name 'PE' is shared by projection[0] ('PE') and projection[2] ('PE'); give the "
              "projection's index instead");
    const auto fixed = error_of([](RecorderSpec& r, NetworkSpec&) { r.projection_index = 3; });
    EXPECT_EQ(fixed.first, "record[0].projection");
    EXPECT_EQ(fixed.second,
              "record[0].projection: projection[3] ('static') has fixed weights (synapse type static); only stdp and "
              "rate_hebbian projections have weights that change over time");
    // The synapses.
    const auto out_of_range = error_of([&](RecorderSpec& r, NetworkSpec&) { r.synapses = {0, n[0]}; });
    EXPECT_EQ(out_of_range.first, "record[0].synapses");
    EXPECT_EQ(out_of_range.second, "record[0].synapses: synapse index " + std::to_string(n[0]) +
                                       " is out of range: projection[0] ('PE') has " + std::to_string(n[0]) +
                                       " synapses (indices in the order of its weights)");
    EXPECT_EQ(error_of([&](RecorderSpec& r, NetworkSpec&) { r.synapses = {n[0] - 1}; }).first, "no error");
    EXPECT_EQ(error_of([](RecorderSpec& r, NetworkSpec&) { r.synapses.clear(); }).first, "record[0].synapses");
    EXPECT_EQ(error_of([](RecorderSpec& r, NetworkSpec&) { r.synapses = {4, 2, 4}; }).second,
              "record[0].synapses: synapse index 4 is listed twice");
    // The interval: > 0, finite, a whole number of steps.
    for (double interval : {0.0, -1.0, std::nan(""), std::numeric_limits<double>::infinity()}) {
        const auto bad = error_of([&](RecorderSpec& r, NetworkSpec&) { r.interval = interval; });
        EXPECT_EQ(bad.first, "record[0].interval") << interval;
        EXPECT_NE(bad.second.find("interval must be a finite time > 0 ms"), std::string::npos) << bad.second;
    }
    for (double interval : {0.05, 0.25, 1.0001}) {
        const auto bad = error_of([&](RecorderSpec& r, NetworkSpec&) { r.interval = interval; });
        EXPECT_EQ(bad.first, "record[0].interval") << interval;
        EXPECT_NE(bad.second.find("interval must be a whole number of steps (dt = 0.1 ms)"), std::string::npos) << bad.second;
    }
    EXPECT_EQ(error_of([](RecorderSpec& r, NetworkSpec&) { r.interval = 0.3; }).first, "no error");  // 3 steps, inexact in binary
    // Keys of other recorder types.
    EXPECT_EQ(error_of([](RecorderSpec& r, NetworkSpec&) { r.population = "E"; }).first, "record[0].population");
    // Synapse indices cannot be scaled.
    NetworkSpec scaled = base;
    scaled.recorders.push_back(weights_recorder(0, {0}, 1.0));
    try {
        apply_scale(scaled, 0.5);
        FAIL() << "no error";
    } catch (const ValueError& e) {
        EXPECT_EQ(e.key(), "record[0].synapses");
    }
}

// The model file's [[record]] table: by name or index; errors with file:line:column.
TEST(WeightRecording, ModelFileRecordTable) {
    // The STDP tests' model-file head, without its leading newline (the line numbers
    // below count from its first line).
    const std::string head = std::string(stdp_test::kModelFileHead).substr(1) + R"(synapse = { type = "stdp", timing = { type = "spike_pair" }, weight_dependence = { type = "additive", w_max = 0.01 } }
[[projection]]
name = "fixed"
source = "a"
target = "b"
connector = { type = "all_to_all" }
)";
    const NetworkSpec spec = parse_model_text(head + R"([[record]]
type = "weights"
projection = "a->b"
synapses = [5, 0, 2]
interval = 0.5
[[record]]
type = "weights"
projection = 0
synapses = [1]
interval = 2.0
)",
                                                "m.toml", std::nullopt);
    ASSERT_EQ(spec.recorders.size(), 2u);
    EXPECT_EQ(spec.recorders[0].kind, RecorderSpec::Kind::weights);
    EXPECT_EQ(spec.recorders[0].projection, "a->b");
    EXPECT_EQ(spec.recorders[0].synapses, (std::vector<std::uint64_t>{5, 0, 2}));
    EXPECT_DOUBLE_EQ(spec.recorders[0].interval, 0.5);
    EXPECT_EQ(spec.recorders[1].projection_index, 0);
    Simulator sim(spec);
    WeightTraceRecorder recorder(sim);
    sim.add_observer(&recorder);
    sim.run();
    EXPECT_EQ(recorder.traces()[0].times.size(), 21u);  // 0, 0.5, ..., 10 ms
    EXPECT_EQ(recorder.traces()[1].times.size(), 6u);
    EXPECT_EQ(weight_trace_names(sim), (std::vector<std::string>{"0", "0_1"}));  // unnamed in the file: its index
    EXPECT_EQ(weight_unit(sim.spec(), 0), "uS");

    auto error_of = [&](const std::string& record) -> std::string {
        try {
            parse_model_text(head + record, "m.toml", std::nullopt);
        } catch (const UserError& e) {
            return e.what();
        }
        return "no error";
    };
    EXPECT_EQ(error_of("[[record]]\ntype = \"weights\"\nprojection = \"fixed\"\nsynapses = [0]\ninterval = 1.0\n"),
              "m.toml:26:14: record[0].projection: projection[1] ('fixed') has fixed weights (synapse type static); only "
              "stdp and rate_hebbian projections have weights that change over time");
    EXPECT_EQ(error_of("[[record]]\ntype = \"weights\"\nprojection = \"a->b\"\nsynapses = [0]\ninterval = 0.25\n"),
              "m.toml:28:12: record[0].interval: interval must be a whole number of steps (dt = 0.1 ms), got 0.25 ms");
    EXPECT_EQ(error_of("[[record]]\ntype = \"weights\"\nprojection = 1.5\nsynapses = [0]\ninterval = 1.0\n"),
              "m.toml:26:14: record[0].projection: expected a projection name (a string) or index (an integer), got "
              "floating-point 1.5");
    EXPECT_EQ(error_of("[[record]]\ntype = \"weights\"\nprojection = 0\nsynapses = [-1]\ninterval = 1.0\n"),
              "m.toml:27:13: record[0].synapses[0]: expected an integer >= 0, got -1");
    EXPECT_EQ(error_of("[[record]]\ntype = \"weights\"\nprojection = 0\npopulation = \"b\"\nsynapses = [0]\ninterval = 1.0\n"),
              "m.toml:27:1: record[0].population: key 'population' does not apply to record type 'weights' (its "
              "keys: type, projection, synapses, interval)");
    EXPECT_NE(error_of("[[record]]\ntype = \"weights\"\nprojection = 0\ninterval = 1.0\n").find("missing required key 'synapses'"),
              std::string::npos);
    EXPECT_NE(error_of("[[record]]\ntype = \"spikes\"\npopulation = \"b\"\nsynapses = [0]\n")
                  .find("key 'synapses' does not apply to record type 'spikes'"),
              std::string::npos);
}
