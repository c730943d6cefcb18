// The TOML model-file reader: every accepted form read into the expected NetworkSpec,
// and every kind of bad input rejected with the right exception class, the right
// file:line and a message that names the key.

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "neurodyn/core/error.hpp"
#include "neurodyn/io/model_file.hpp"

using namespace neurodyn;

namespace {

struct CaughtError {
    std::string message;
    std::string key;
};

// Parses `text` as "net.toml" and returns the error it must raise, of class `Error`
// exactly (the classes are siblings, so catching one never catches another).
template <class Error>
CaughtError error_from(const std::string& text) {
    try {
        parse_model_text(text, "net.toml");
    } catch (const Error& e) {
        return {e.what(), e.key()};
    } catch (const std::exception& e) {
        ADD_FAILURE() << "raised the wrong exception class: " << e.what();
        return {};
    }
    ADD_FAILURE() << "no error raised for:\n" << text;
    return {};
}

// The error must be an `Error` whose message is "net.toml:<line>:<column>: <key>: ..."
// containing `fragment`, and whose key() is `key`.
template <class Error>
void expect_error(const std::string& text, int line, const std::string& key, const std::string& fragment) {
    SCOPED_TRACE("expected error at line " + std::to_string(line) + " for key '" + key + "'");
    const CaughtError error = error_from<Error>(text);
    if (error.message.empty()) return;
    const std::string prefix = "net.toml:" + std::to_string(line) + ":";
    EXPECT_TRUE(error.message.starts_with(prefix)) << "expected '" << prefix << "...', got: " << error.message;
    // After "net.toml:<line>:<column>: " comes the key path.
    const std::size_t column_end = error.message.find(": ", prefix.size());
    ASSERT_NE(column_end, std::string::npos) << error.message;
    const std::string column = error.message.substr(prefix.size(), column_end - prefix.size());
    EXPECT_FALSE(column.empty()) << error.message;
    EXPECT_EQ(column.find_first_not_of("0123456789"), std::string::npos) << error.message;
    EXPECT_EQ(error.message.substr(column_end + 2, key.size() + 2), key + ": ") << error.message;
    EXPECT_EQ(error.key, key);
    EXPECT_NE(error.message.find(fragment), std::string::npos) << "'" << fragment << "' not in: " << error.message;
}

// Two populations, nine lines: the cases below append their own sections from line 10.
const std::string kPopulations = R"([[population]]
name = "E"
model = "IF_curr_exp"
size = 4

[[population]]
name = "I"
model = "IF_cond_exp"
size = 3
)";

const ValueSpec* find_value(const std::vector<std::pair<std::string, ValueSpec>>& values, const std::string& name) {
    for (const auto& [n, v] : values)
        if (n == name) return &v;
    return nullptr;
}

const std::string kEveryForm = R"(# Every form the reader accepts.
[simulation]
dt = 0.05
duration = 200          # an integer where a float is expected
seed = 7

[[population]]
name = "input"
model = "SpikeSourceArray"
size = 2
spike_times = [[1.0, 2.5], [3]]

[[population]]
name = "shared"
model = "SpikeSourceArray"
size = 3
spike_times = [4.0, 8.0]

[[population]]
name = "E"
model = "IF_curr_exp"
size = 4
params = { tau_m = 10, v_thresh = -52.5 }
initial = { v = { distribution = "uniform", low = -70.0, high = -55 } }

[[population]]
name = "I"
model = "IF_cond_exp"
size = 3
[population.params]
tau_m = { distribution = "normal_clipped", mean = 15.0, std = 2.0, low = 5.0, high = inf }
cm = [0.25, 0.5, 1]
[population.initial]
v = { distribution = "normal", mean = -60.0, std = 1.5 }

[[projection]]
source = "input"
target = "E"
weight = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8]
delay = [[1, 2, 3, 4], [1.5, 2.5, 3.5, 4.5]]
connector = { type = "all_to_all" }

[[projection]]
name = "E->I"
source = "E"
target = "I"
receptor = "excitatory"
weight = { distribution = "exponential", mean = 0.01 }
delay = { distribution = "uniform", low = 0.5, high = 2.0 }
connector = { type = "fixed_probability", p = 0.5, allow_autapses = false }

[[projection]]
source = "I"
target = "E"
receptor = "inhibitory"
weight = -0.2
delay = 1
[projection.connector]
type = "fixed_number_pre"
n = 2
allow_multapses = true

[[projection]]
source = "E"
target = "E"
connector = { type = "fixed_number_post", n = 3, allow_autapses = false }

[[projection]]
source = "I"
target = "I"
connector = { type = "one_to_one" }

[[projection]]
source = "E"
target = "I"
connector = { type = "from_list", connections = [[0, 1, 0.5, 2.0], [3, 2, 0.25, 1.0]] }

[[projection]]
source = "shared"
target = "I"
connector = { type = "from_list", connections = [[0, 0, 0.125], [2, 1, 0.375]] }

[[projection]]
source = "shared"
target = "E"
connector = { type = "from_list", connections = [[0, 0], [2, 3]] }

[[stimulus]]
type = "poisson"
target = "E"
neurons = { start = 1, stop = 4, step = 2 }
rate = 8000
weight = 0.05
receptor = "excitatory"
start = 10.0
stop = 150.0

[[stimulus]]
type = "dc"
name = "bias"
target = "I"
neurons = [0, 2]
amplitude = 0.3

[[record]]
type = "spikes"
population = "E"

[[record]]
type = "state"
population = "I"
neurons = { stop = 2 }
variables = ["v", "gsyn_exc"]
interval = 0.5
)";

}  // namespace

// ---- valid files ---------------------------------------------------------------

TEST(ModelFile, EveryFormReadsIntoTheExpectedSpec) {
    const NetworkSpec spec = parse_model_text(kEveryForm, "every_form.toml");
    EXPECT_EQ(spec.simulation.dt, 0.05);
    EXPECT_EQ(spec.simulation.duration, 200.0);
    EXPECT_EQ(spec.simulation.seed, 7u);

    ASSERT_EQ(spec.populations.size(), 4u);
    const PopulationSpec& input = spec.populations[0];
    EXPECT_EQ(input.name, "input");
    EXPECT_EQ(input.model, "SpikeSourceArray");
    EXPECT_EQ(input.size, 2u);
    EXPECT_EQ(input.spike_times, (std::vector<std::vector<double>>{{1.0, 2.5}, {3.0}}));
    EXPECT_EQ(spec.populations[1].spike_times, (std::vector<std::vector<double>>{{4.0, 8.0}}));

    const PopulationSpec& e = spec.populations[2];
    EXPECT_EQ(e.name, "E");
    EXPECT_EQ(e.model, "IF_curr_exp");
    EXPECT_EQ(e.size, 4u);
    ASSERT_EQ(e.params.size(), 2u);
    ASSERT_NE(find_value(e.params, "tau_m"), nullptr);
    EXPECT_EQ(find_value(e.params, "tau_m")->constant(), 10.0);
    EXPECT_EQ(find_value(e.params, "v_thresh")->constant(), -52.5);
    ASSERT_EQ(e.initial.size(), 1u);
    ASSERT_TRUE(e.initial[0].second.is_distribution());
    const Distribution& uniform = e.initial[0].second.distribution();
    EXPECT_EQ(uniform.kind, Distribution::Kind::uniform);
    EXPECT_EQ(uniform.low, -70.0);
    EXPECT_EQ(uniform.high, -55.0);

    const PopulationSpec& i = spec.populations[3];
    ASSERT_EQ(i.params.size(), 2u);  // from a [population.params] sub-table
    ASSERT_NE(find_value(i.params, "tau_m"), nullptr);
    const Distribution& clipped = find_value(i.params, "tau_m")->distribution();
    EXPECT_EQ(clipped.kind, Distribution::Kind::normal_clipped);
    EXPECT_EQ(clipped.mean, 15.0);
    EXPECT_EQ(clipped.std, 2.0);
    EXPECT_EQ(clipped.low, 5.0);
    EXPECT_TRUE(std::isinf(clipped.high) && clipped.high > 0);
    ASSERT_NE(find_value(i.params, "cm"), nullptr);
    EXPECT_EQ(find_value(i.params, "cm")->array(), (std::vector<double>{0.25, 0.5, 1.0}));
    const Distribution& normal = find_value(i.initial, "v")->distribution();
    EXPECT_EQ(normal.kind, Distribution::Kind::normal);
    EXPECT_EQ(normal.mean, -60.0);
    EXPECT_EQ(normal.std, 1.5);

    ASSERT_EQ(spec.projections.size(), 8u);
    const ProjectionSpec& p0 = spec.projections[0];
    EXPECT_EQ(p0.source, "input");
    EXPECT_EQ(p0.target, "E");
    EXPECT_EQ(p0.receptor, "excitatory");  // the default
    EXPECT_EQ(p0.connector.kind, ConnectorSpec::Kind::all_to_all);
    EXPECT_TRUE(p0.connector.allow_autapses);
    EXPECT_FALSE(p0.connector.allow_multapses);
    EXPECT_EQ(p0.weight.array(), (std::vector<double>{0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8}));
    // Rows are source neurons: the matrix is flattened row-major, [source][target].
    EXPECT_EQ(p0.delay.array(), (std::vector<double>{1, 2, 3, 4, 1.5, 2.5, 3.5, 4.5}));

    const ProjectionSpec& p1 = spec.projections[1];
    EXPECT_EQ(p1.name, "E->I");
    EXPECT_EQ(p1.connector.kind, ConnectorSpec::Kind::fixed_probability);
    EXPECT_EQ(p1.connector.probability, 0.5);
    EXPECT_FALSE(p1.connector.allow_autapses);
    EXPECT_EQ(p1.weight.distribution().kind, Distribution::Kind::exponential);
    EXPECT_EQ(p1.weight.distribution().mean, 0.01);
    EXPECT_EQ(p1.delay.distribution().kind, Distribution::Kind::uniform);
    EXPECT_EQ(p1.delay.distribution().low, 0.5);
    EXPECT_EQ(p1.delay.distribution().high, 2.0);

    const ProjectionSpec& p2 = spec.projections[2];  // [projection.connector] sub-table
    EXPECT_EQ(p2.receptor, "inhibitory");
    EXPECT_EQ(p2.weight.constant(), -0.2);
    EXPECT_EQ(p2.delay.constant(), 1.0);
    EXPECT_EQ(p2.connector.kind, ConnectorSpec::Kind::fixed_number_pre);
    EXPECT_EQ(p2.connector.number, 2u);
    EXPECT_TRUE(p2.connector.allow_multapses);

    const ProjectionSpec& p3 = spec.projections[3];
    EXPECT_EQ(p3.connector.kind, ConnectorSpec::Kind::fixed_number_post);
    EXPECT_EQ(p3.connector.number, 3u);
    EXPECT_FALSE(p3.connector.allow_autapses);
    EXPECT_EQ(p3.weight.constant(), 0.0);  // defaults
    EXPECT_EQ(p3.delay.constant(), 1.0);

    EXPECT_EQ(spec.projections[4].connector.kind, ConnectorSpec::Kind::one_to_one);

    using Pairs = std::vector<std::pair<std::uint32_t, std::uint32_t>>;
    const ConnectorSpec& four = spec.projections[5].connector;
    EXPECT_EQ(four.kind, ConnectorSpec::Kind::from_list);
    EXPECT_EQ(four.pairs, (Pairs{{0, 1}, {3, 2}}));
    EXPECT_EQ(four.list_weights, (std::vector<double>{0.5, 0.25}));
    EXPECT_EQ(four.list_delays, (std::vector<double>{2.0, 1.0}));
    const ConnectorSpec& three = spec.projections[6].connector;
    EXPECT_EQ(three.pairs, (Pairs{{0, 0}, {2, 1}}));
    EXPECT_EQ(three.list_weights, (std::vector<double>{0.125, 0.375}));
    EXPECT_TRUE(three.list_delays.empty());
    const ConnectorSpec& two = spec.projections[7].connector;
    EXPECT_EQ(two.pairs, (Pairs{{0, 0}, {2, 3}}));
    EXPECT_TRUE(two.list_weights.empty());

    ASSERT_EQ(spec.stimuli.size(), 2u);
    const StimulusSpec& poisson = spec.stimuli[0];
    EXPECT_EQ(poisson.kind, StimulusSpec::Kind::poisson);
    EXPECT_EQ(poisson.target, "E");
    EXPECT_EQ(poisson.neurons, (std::vector<std::uint32_t>{1, 3}));  // range, stop exclusive
    EXPECT_EQ(poisson.rate, 8000.0);
    EXPECT_EQ(poisson.weight, 0.05);
    EXPECT_EQ(poisson.receptor, "excitatory");
    EXPECT_EQ(poisson.start, 10.0);
    EXPECT_EQ(poisson.stop, 150.0);
    const StimulusSpec& dc = spec.stimuli[1];
    EXPECT_EQ(dc.kind, StimulusSpec::Kind::dc);
    EXPECT_EQ(dc.name, "bias");
    EXPECT_EQ(dc.neurons, (std::vector<std::uint32_t>{0, 2}));
    EXPECT_EQ(dc.amplitude, 0.3);
    EXPECT_EQ(dc.start, 0.0);
    EXPECT_LT(dc.stop, 0.0);  // until the end

    ASSERT_EQ(spec.recorders.size(), 2u);
    EXPECT_EQ(spec.recorders[0].kind, RecorderSpec::Kind::spikes);
    EXPECT_EQ(spec.recorders[0].population, "E");
    EXPECT_TRUE(spec.recorders[0].neurons.empty());  // all
    const RecorderSpec& state = spec.recorders[1];
    EXPECT_EQ(state.kind, RecorderSpec::Kind::state);
    EXPECT_EQ(state.neurons, (std::vector<std::uint32_t>{0, 1}));  // start defaults to 0
    EXPECT_EQ(state.variables, (std::vector<std::string>{"v", "gsyn_exc"}));
    EXPECT_EQ(state.interval, 0.5);
}

TEST(ModelFile, OmittedSectionsTakeTheirDefaults) {
    const NetworkSpec spec = parse_model_text(kPopulations, "net.toml");
    const SimulationSpec defaults;
    EXPECT_EQ(spec.simulation.dt, defaults.dt);
    EXPECT_EQ(spec.simulation.duration, defaults.duration);
    EXPECT_EQ(spec.simulation.seed, defaults.seed);
    EXPECT_TRUE(spec.populations[0].params.empty());
    EXPECT_TRUE(spec.projections.empty());
    EXPECT_TRUE(parse_model_text("", "empty.toml").populations.empty());
}

TEST(ModelFile, ArraysOfInlineTablesAreTheSameAsSections) {
    const NetworkSpec spec = parse_model_text(R"(population = [
    { name = "A", model = "IF_curr_delta", size = 2 },
    { name = "B", model = "IF_curr_delta", size = 2 },
])",
                                              "net.toml");
    ASSERT_EQ(spec.populations.size(), 2u);
    EXPECT_EQ(spec.populations[1].name, "B");
}

TEST(ModelFile, DocumentedExampleIsValid) {
    // The full example in docs/model-file.md is the first ```toml block there.
    std::ifstream doc(std::filesystem::path(NEURODYN_SOURCE_DIR) / "docs" / "model-file.md");
    ASSERT_TRUE(doc) << "docs/model-file.md not found";
    std::stringstream buffer;
    buffer << doc.rdbuf();
    const std::string text = buffer.str();
    const std::size_t open = text.find("```toml\n");
    ASSERT_NE(open, std::string::npos);
    const std::size_t begin = open + 8;
    const std::size_t end = text.find("```", begin);
    ASSERT_NE(end, std::string::npos);
    const NetworkSpec spec = parse_model_text(text.substr(begin, end - begin), "docs/model-file.md");
    EXPECT_FALSE(spec.populations.empty());
    EXPECT_FALSE(spec.projections.empty());
    EXPECT_FALSE(spec.stimuli.empty());
    EXPECT_FALSE(spec.recorders.empty());
}

TEST(ModelFile, ShippedExamplesAreValid) {
    const std::filesystem::path examples = std::filesystem::path(NEURODYN_SOURCE_DIR) / "examples";
    int files = 0;
    if (std::filesystem::is_directory(examples))
        for (const auto& entry : std::filesystem::directory_iterator(examples))
            if (entry.path().extension() == ".toml") {
                SCOPED_TRACE(entry.path().string());
                EXPECT_NO_THROW(load_model_file(entry.path()));
                ++files;
            }
    if (files == 0) GTEST_SKIP() << "no examples/*.toml";
}

TEST(ModelFile, LoadsAFileAndNamesItInMessages) {
    const std::filesystem::path path = std::filesystem::path(::testing::TempDir()) / "neurodyn_model_file_test.toml";
    {
        std::ofstream out(path);
        out << kPopulations << "[[record]]\ntype = \"spikes\"\npopulation = \"X\"\n";
    }
    try {
        load_model_file(path);
        ADD_FAILURE() << "unknown population accepted";
    } catch (const KeyError& e) {
        EXPECT_TRUE(std::string(e.what()).starts_with(path.string() + ":12:")) << e.what();
    }
    {
        std::ofstream out(path);
        out << kPopulations;
    }
    EXPECT_EQ(load_model_file(path).populations.size(), 2u);
    std::filesystem::remove(path);
}

// ---- files that cannot be read or parsed ------------------------------------------

TEST(ModelFileErrors, MissingFileIsAFileErrorNamingThePath) {
    const std::filesystem::path path = std::filesystem::path(::testing::TempDir()) / "no_such_dir" / "missing.toml";
    try {
        load_model_file(path);
        ADD_FAILURE() << "no error for a missing file";
    } catch (const FileError& e) {
        const std::string message = e.what();
        EXPECT_NE(message.find(path.string()), std::string::npos) << message;
        EXPECT_NE(message.find("No such file"), std::string::npos) << message;
    }
}

TEST(ModelFileErrors, DirectoryIsAFileError) { EXPECT_THROW(load_model_file(::testing::TempDir()), FileError); }

TEST(ModelFileErrors, SyntaxErrorGivesItsLine) {
    const std::string text = "[simulation]\ndt = 0.1\nduration = \n";
    const CaughtError error = error_from<ValueError>(text);
    EXPECT_TRUE(error.message.starts_with("net.toml:3:")) << error.message;
    EXPECT_NE(error.message.find("TOML syntax error"), std::string::npos) << error.message;
    // A key defined twice is a syntax error in TOML too.
    const CaughtError twice = error_from<ValueError>("[simulation]\ndt = 0.1\ndt = 0.2\n");
    EXPECT_TRUE(twice.message.starts_with("net.toml:3:")) << twice.message;
}

// ---- TOML-specific checks made by the reader -------------------------------------

TEST(ModelFileErrors, WrongTypeNamesKeyAndWhatWasGiven) {
    expect_error<ValueError>(R"([[population]]
name = "E"
model = "IF_curr_exp"
size = "big"
)",
                             4, "population[0].size", "expected an integer, got string 'big'");
    expect_error<ValueError>(R"([[population]]
name = "E"
model = "IF_curr_exp"
size = 1e4
)",
                             4, "population[0].size", "without a decimal point");
    expect_error<ValueError>("[simulation]\ndt = \"0.1\"\n", 2, "simulation.dt", "expected a number, got string '0.1'");
    expect_error<ValueError>(kPopulations + R"([[projection]]
source = "E"
target = "I"
connector = { type = "all_to_all", allow_autapses = 1 }
)",
                             13, "projection[0].connector.allow_autapses", "expected a boolean");
    expect_error<ValueError>(kPopulations + R"([[record]]
type = "state"
population = "E"
variables = "v"
)",
                             13, "record[0].variables", "expected an array");
    expect_error<ValueError>(R"([population]
name = "E"
)",
                             1, "population", "expected an array of tables");
    expect_error<ValueError>("simulation = 5\n", 1, "simulation", "expected a table, got integer 5");
    expect_error<ValueError>(kPopulations + R"([[projection]]
source = "E"
target = "I"
weight = "strong"
connector = { type = "all_to_all" }
)",
                             13, "projection[0].weight", "got string 'strong'");
    expect_error<ValueError>(kPopulations + R"([[projection]]
source = "E"
target = "I"
weight = [[0.1, 0.2, 0.3], 0.4, 0.5, 0.6]
connector = { type = "all_to_all" }
)",
                             13, "projection[0].weight[1]", "expected a row of numbers");
}

TEST(ModelFileErrors, UnknownKeysAtEveryLevelSuggestTheClosest) {
    expect_error<KeyError>(R"([[population]]
name = "E"
model = "IF_curr_exp"
size = 4
paramz = { tau_m = 10.0 }
)",
                           5, "population[0].paramz", "unknown key 'paramz' in [[population]]; did you mean 'params'?");
    expect_error<KeyError>("[[populations]]\nname = \"E\"\n", 1, "populations",
                           "unknown key 'populations' at the top level of the file; did you mean 'population'?");
    expect_error<KeyError>("[simulation]\ndtt = 0.1\n", 2, "simulation.dtt", "did you mean 'dt'?");
    expect_error<KeyError>(kPopulations + R"([[projection]]
source = "E"
target = "I"
connector = { type = "all_to_all", alow_autapses = true }
)",
                           13, "projection[0].connector.alow_autapses", "did you mean 'allow_autapses'?");
    expect_error<KeyError>(kPopulations + R"([[projection]]
source = "E"
target = "I"
weight = { distribution = "uniform", low = 0.0, hihg = 1.0 }
connector = { type = "all_to_all" }
)",
                           13, "projection[0].weight.hihg", "did you mean 'high'?");
    expect_error<KeyError>(kPopulations + R"([[stimulus]]
type = "dc"
target = "E"
amplitud = 0.5
)",
                           13, "stimulus[0].amplitud", "did you mean 'amplitude'?");
    expect_error<KeyError>(kPopulations + R"([[record]]
type = "spikes"
population = "E"
neurons = { start = 0, stp = 2 }
)",
                           13, "record[0].neurons.stp", "did you mean 'stop'?");
    // No close match: the message lists the keys that are allowed instead.
    expect_error<KeyError>("[simulation]\nresolution = 0.1\n", 2, "simulation.resolution",
                           "(known keys: dt, duration, seed)");
}

TEST(ModelFileErrors, KeysOfAnotherTypeAreRejected) {
    expect_error<KeyError>(kPopulations + R"([[projection]]
source = "E"
target = "I"
connector = { type = "all_to_all", n = 5 }
)",
                           13, "projection[0].connector.n", "does not apply to connector type 'all_to_all'");
    expect_error<KeyError>(kPopulations + R"([[stimulus]]
type = "poisson"
target = "E"
amplitude = 0.5
)",
                           13, "stimulus[0].amplitude", "does not apply to stimulus type 'poisson'");
    expect_error<KeyError>(kPopulations + R"([[record]]
type = "spikes"
population = "E"
variables = ["v"]
)",
                           13, "record[0].variables", "does not apply to record type 'spikes'");
    expect_error<KeyError>(kPopulations + R"([[projection]]
source = "E"
target = "I"
weight = { distribution = "normal", mean = 1.0, std = 0.1, low = 0.0 }
connector = { type = "all_to_all" }
)",
                           13, "projection[0].weight.low", "does not apply to distribution 'normal'");
}

TEST(ModelFileErrors, MissingRequiredKeysPointAtTheirTable) {
    expect_error<KeyError>(kPopulations + R"(
[[projection]]
target = "I"
connector = { type = "all_to_all" }
)",
                           11, "projection[0]", "missing required key 'source'");
    expect_error<KeyError>(kPopulations + R"([[projection]]
source = "E"
target = "I"
)",
                           10, "projection[0]", "missing required key 'connector'");
    expect_error<KeyError>("[[population]]\nname = \"E\"\nmodel = \"IF_curr_exp\"\n", 1, "population[0]",
                           "missing required key 'size'");
    expect_error<KeyError>("[[population]]\nmodel = \"IF_curr_exp\"\nsize = 1\n", 1, "population[0]",
                           "missing required key 'name'");
    expect_error<KeyError>("[[population]]\nname = \"E\"\nsize = 1\n", 1, "population[0]",
                           "missing required key 'model'");
    expect_error<KeyError>(kPopulations + "[[stimulus]]\ntype = \"dc\"\n", 10, "stimulus[0]",
                           "missing required key 'target'");
    expect_error<KeyError>(kPopulations + "[[stimulus]]\ntarget = \"E\"\n", 10, "stimulus[0]",
                           "missing required key 'type' (stimulus types: poisson, dc, step_current, ac, noisy_current)");
    expect_error<KeyError>(kPopulations + "[[record]]\ntype = \"spikes\"\n", 10, "record[0]",
                           "missing required key 'population'");
    expect_error<KeyError>(kPopulations + "[[record]]\npopulation = \"E\"\n", 10, "record[0]",
                           "missing required key 'type'");
    expect_error<KeyError>(kPopulations + R"([[projection]]
source = "E"
target = "I"
connector = { allow_autapses = false }
)",
                           13, "projection[0].connector", "missing required key 'type'");
    expect_error<KeyError>(kPopulations + R"([[projection]]
source = "E"
target = "I"
[projection.connector]
type = "fixed_probability"
)",
                           13, "projection[0].connector",
                           "missing required key 'p' for connector type 'fixed_probability'");
    expect_error<KeyError>(kPopulations + R"([[projection]]
source = "E"
target = "I"
connector = { type = "from_list" }
)",
                           13, "projection[0].connector", "missing required key 'connections'");
    expect_error<KeyError>(kPopulations + R"([[projection]]
source = "E"
target = "I"
weight = { low = 0.0, high = 1.0 }
connector = { type = "all_to_all" }
)",
                           13, "projection[0].weight", "missing required key 'distribution'");
    expect_error<KeyError>(kPopulations + R"([[projection]]
source = "E"
target = "I"
weight = { distribution = "uniform", low = 0.0 }
connector = { type = "all_to_all" }
)",
                           13, "projection[0].weight", "missing required key 'high' for distribution 'uniform'");
}

TEST(ModelFileErrors, UnknownTypeNamesSuggestTheClosest) {
    expect_error<KeyError>(kPopulations + R"([[projection]]
source = "E"
target = "I"
connector = { type = "fixed_probabilty", p = 0.1 }
)",
                           13, "projection[0].connector.type",
                           "unknown connector type 'fixed_probabilty'; did you mean 'fixed_probability'?");
    expect_error<KeyError>(kPopulations + "[[stimulus]]\ntype = \"poison\"\ntarget = \"E\"\n", 11, "stimulus[0].type",
                           "unknown stimulus type 'poison'; did you mean 'poisson'?");
    expect_error<KeyError>(kPopulations + "[[record]]\ntype = \"spike\"\npopulation = \"E\"\n", 11, "record[0].type",
                           "unknown record type 'spike'; did you mean 'spikes'?");
    expect_error<KeyError>(kPopulations + R"([[projection]]
source = "E"
target = "I"
delay = { distribution = "unifrom", low = 1.0, high = 2.0 }
connector = { type = "all_to_all" }
)",
                           13, "projection[0].delay.distribution",
                           "unknown distribution 'unifrom'; did you mean 'uniform'?");
}

TEST(ModelFileErrors, NanAndInfinityLiteralsAreRejected) {
    expect_error<ValueError>(R"([[population]]
name = "E"
model = "IF_curr_exp"
size = 4
params = { tau_m = nan }
)",
                             5, "population[0].params.tau_m", "expected a finite number, got NaN");
    expect_error<ValueError>("[simulation]\nduration = inf\n", 2, "simulation.duration",
                             "expected a finite number, got inf");
    expect_error<ValueError>(kPopulations + R"([[projection]]
source = "E"
target = "I"
weight = [0.1, -nan, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1]
connector = { type = "all_to_all" }
)",
                             13, "projection[0].weight[1]", "expected a finite number, got NaN");
    expect_error<ValueError>(kPopulations + R"([[projection]]
source = "E"
target = "I"
delay = { distribution = "uniform", low = 1.0, high = inf }
connector = { type = "all_to_all" }
)",
                             13, "projection[0].delay.high", "expected a finite number, got inf");
    expect_error<ValueError>(R"([[population]]
name = "S"
model = "SpikeSourceArray"
size = 1
spike_times = [1.0, nan]
)",
                             5, "population[0].spike_times[1]", "got NaN");
}

TEST(ModelFileErrors, NegativeAndOversizedIntegersAreRejected) {
    expect_error<ValueError>("[[population]]\nname = \"E\"\nmodel = \"IF_curr_exp\"\nsize = -5\n", 4,
                             "population[0].size", "expected an integer >= 0, got -5");
    expect_error<ValueError>("[simulation]\nseed = -1\n", 2, "simulation.seed", "expected an integer >= 0, got -1");
    expect_error<ValueError>(kPopulations + R"([[projection]]
source = "E"
target = "I"
connector = { type = "fixed_number_pre", n = -3 }
)",
                             13, "projection[0].connector.n", "expected an integer >= 0, got -3");
    expect_error<ValueError>(kPopulations + "[[record]]\ntype = \"spikes\"\npopulation = \"E\"\nneurons = [0, -1]\n",
                             13, "record[0].neurons[1]", "expected an integer >= 0, got -1");
    expect_error<ValueError>(kPopulations + "[[stimulus]]\ntype = \"dc\"\ntarget = \"E\"\nneurons = [4294967296]\n", 13,
                             "stimulus[0].neurons[0]", "index 4294967296 is too large");
    expect_error<ValueError>(kPopulations + R"([[projection]]
source = "E"
target = "I"
connector = { type = "from_list", connections = [[0, 0], [4294967296, 1]] }
)",
                             13, "projection[0].connector.connections[1][0]", "index 4294967296 is too large");
    expect_error<ValueError>(kPopulations + R"([[record]]
type = "spikes"
population = "E"
neurons = { start = 0, stop = 4294967297 }
)",
                             13, "record[0].neurons.stop", "is too large");
}

TEST(ModelFileErrors, MalformedNeuronSelectionsAndLists) {
    expect_error<ValueError>(kPopulations + "[[record]]\ntype = \"spikes\"\npopulation = \"E\"\nneurons = []\n", 13,
                             "record[0].neurons", "selects no neurons");
    expect_error<ValueError>(kPopulations + R"([[record]]
type = "spikes"
population = "E"
neurons = { start = 3, stop = 3 }
)",
                             13, "record[0].neurons", "stop (3) must be > start (3)");
    expect_error<ValueError>(kPopulations + R"([[record]]
type = "spikes"
population = "E"
neurons = { stop = 3, step = 0 }
)",
                             13, "record[0].neurons.step", "step must be >= 1");
    expect_error<ValueError>(kPopulations + R"([[projection]]
source = "E"
target = "I"
connector = { type = "from_list", connections = [[0, 0], [1, 1, 0.5]] }
)",
                             13, "projection[0].connector.connections[1]", "every connection must have the same form");
    expect_error<ValueError>(kPopulations + R"([[projection]]
source = "E"
target = "I"
connector = { type = "from_list", connections = [[0]] }
)",
                             13, "projection[0].connector.connections[0]", "has 2 to 4 entries");
    expect_error<ValueError>(kPopulations + "[[stimulus]]\ntype = \"dc\"\ntarget = \"E\"\nstop = -1.0\n", 13,
                             "stimulus[0].stop", "leave it out to run until the end");
}

TEST(ModelFileErrors, MatrixShapeMustMatchThePopulations) {
    // E has 4 neurons, I has 3: a weight matrix E -> I has 4 rows of 3.
    expect_error<ValueError>(kPopulations + R"([[projection]]
source = "E"
target = "I"
weight = [[0.1, 0.1, 0.1], [0.1, 0.1, 0.1], [0.1, 0.1, 0.1]]
connector = { type = "all_to_all" }
)",
                             13, "projection[0].weight", "has 3 rows, expected one per source neuron (4)");
    expect_error<ValueError>(kPopulations + R"([[projection]]
source = "E"
target = "I"
delay = [[1, 1, 1], [1, 1, 1], [1, 1], [1, 1, 1]]
connector = { type = "all_to_all" }
)",
                             13, "projection[0].delay[2]", "row has 2 values, expected one per target neuron (3)");
    // A flat array of the wrong length is caught by validate().
    expect_error<ValueError>(kPopulations + R"([[projection]]
source = "E"
target = "I"
weight = [0.1, 0.2]
connector = { type = "all_to_all" }
)",
                             13, "projection[0].weight", "array has 2 values, expected 12");
}

// ---- checks made by NetworkSpec::validate(), located in the file ------------------

TEST(ModelFileValidation, ZeroOrNegativeTimeConstantPointsAtTheValue) {
    // Exact position: line 5, column 20 is where the value 0.0 starts.
    const CaughtError zero = error_from<ValueError>(R"([[population]]
name = "E"
model = "IF_curr_exp"
size = 4
params = { tau_m = 0.0 }
)");
    EXPECT_TRUE(zero.message.starts_with("net.toml:5:20: population[0].params.tau_m: ")) << zero.message;
    EXPECT_NE(zero.message.find("tau_m must be > 0"), std::string::npos) << zero.message;
    EXPECT_EQ(zero.key, "population[0].params.tau_m");

    expect_error<ValueError>(kPopulations + R"([population.params]
cm = 1.0
tau_m = -20.0
)",
                             12, "population[1].params.tau_m", "got -20");
    expect_error<ValueError>(kPopulations + R"([population.params]
tau_m = { distribution = "normal", mean = 10.0, std = 1.0 }
)",
                             11, "population[1].params.tau_m", "normal_clipped");
}

TEST(ModelFileValidation, DelayShorterThanDt) {
    expect_error<ValueError>("[simulation]\ndt = 0.1\n" + kPopulations + R"([[projection]]
source = "E"
target = "E"
delay = 0.05
connector = { type = "all_to_all" }
)",
                             15, "projection[0].delay", "shorter than the time step dt = 0.1 ms");
    // A defaulted delay (1 ms) has no line of its own: the error points at its [[projection]].
    expect_error<ValueError>("[simulation]\ndt = 2.0\n" + kPopulations + R"(
[[projection]]
source = "E"
target = "E"
connector = { type = "all_to_all" }
)",
                             13, "projection[0].delay", "shorter than the time step dt = 2 ms");
}

TEST(ModelFileValidation, ProbabilityOutsideZeroOne) {
    expect_error<ValueError>(kPopulations + R"([[projection]]
source = "E"
target = "I"
[projection.connector]
type = "fixed_probability"
p = 1.5
)",
                             15, "projection[0].connector.p", "probability must be in [0, 1], got 1.5");
    expect_error<ValueError>(kPopulations + R"([[projection]]
source = "E"
target = "I"
connector = { type = "fixed_probability", p = -0.1 }
)",
                             13, "projection[0].connector.p", "got -0.1");
}

TEST(ModelFileValidation, UnknownNamesAreKeyErrors) {
    expect_error<KeyError>("[[population]]\nname = \"E\"\nmodel = \"IF_cur_exp\"\nsize = 4\n", 3, "population[0].model",
                           "unknown model 'IF_cur_exp'; did you mean 'IF_curr_exp'?");
    expect_error<KeyError>(kPopulations + R"([[projection]]
source = "E"
target = "X"
connector = { type = "all_to_all" }
)",
                           12, "projection[0].target", "unknown population 'X'");
    expect_error<KeyError>(R"([[population]]
name = "E"
model = "IF_curr_exp"
size = 4

[population.params]
tau_mem = 10.0
)",
                           7, "population[0].params.tau_mem",
                           "unknown parameter 'tau_mem' for IF_curr_exp; did you mean 'tau_m'?");
    expect_error<KeyError>(kPopulations + R"([[projection]]
source = "E"
target = "I"
receptor = "exitatory"
connector = { type = "all_to_all" }
)",
                           13, "projection[0].receptor", "unknown receptor 'exitatory'");
    expect_error<KeyError>(kPopulations + R"([[stimulus]]
type = "poisson"
target = "E"
receptor = "inhib"
)",
                           13, "stimulus[0].receptor", "unknown receptor 'inhib'");
    expect_error<KeyError>(kPopulations + R"([[record]]
type = "state"
population = "I"
variables = ["v", "g_ex"]
)",
                           13, "record[0].variables", "'g_ex' is not a state variable of IF_cond_exp");
    expect_error<KeyError>(kPopulations + "[population.initial]\nu = 1.0\n", 11, "population[1].initial.u",
                           "unknown state variable 'u'");
}

TEST(ModelFileValidation, OtherRangesAndRelations) {
    expect_error<ValueError>("[simulation]\ndt = 0\n", 2, "simulation.dt", "dt must be > 0 ms");
    expect_error<ValueError>("[[population]]\nname = \"E\"\nmodel = \"IF_curr_exp\"\nsize = 0\n", 4,
                             "population[0].size", "size must be >= 1");
    expect_error<ValueError>(kPopulations + "\n[[population]]\nname = \"E\"\nmodel = \"IF_curr_exp\"\nsize = 1\n", 12,
                             "population[2].name", "used twice");
    expect_error<ValueError>(kPopulations + R"([population.params]
tau_m = { distribution = "uniform", low = 20.0, high = 10.0 }
)",
                             11, "population[1].params.tau_m", "low < high");
    // A range far past the population is reported as its first out-of-range index
    // (and is not expanded to a billion indices first).
    expect_error<ValueError>(kPopulations + R"([[stimulus]]
type = "dc"
target = "E"
neurons = { start = 2, stop = 1000000000 }
)",
                             13, "stimulus[0].neurons", "neuron index 4 is out of range for population 'E' of size 4");
    expect_error<ValueError>(kPopulations + R"([[record]]
type = "state"
population = "E"
variables = ["v"]
interval = 0.01
)",
                             14, "record[0].interval", "shorter than dt");
}

TEST(ModelFileErrors, FromListValuesAreReportedAtTheirConnections) {
    // Line 13 is `connector = ...`; the error names the connection that is wrong.
    expect_error<ValueError>(kPopulations + R"([[projection]]
source = "E"
target = "I"
connector = { type = "from_list", connections = [[0, 1, 0.5, 1.0], [1, 2, -0.5, 1.0]] }
)",
                             13, "projection[0].connector.connections", "weight of connection 1");
    expect_error<ValueError>(kPopulations + R"([[projection]]
source = "E"
target = "I"
connector = { type = "from_list", connections = [[0, 1, 0.5, 0.01]] }
)",
                             13, "projection[0].connector.connections", "delay of connection 0, 0.01 ms, is shorter");
}

TEST(ModelFileErrors, NeuronListedTwiceIsRefused) {
    expect_error<ValueError>(kPopulations + R"([[record]]
type = "spikes"
population = "E"
neurons = [1, 2, 1]
)",
                             13, "record[0].neurons", "neuron index 1 is listed twice");
}

TEST(ModelFile, CurrentSourcesReadWithPyNNDefaults) {
    const NetworkSpec spec = parse_model_text(kPopulations + R"([[stimulus]]
type = "step_current"
target = "E"
times = [10.0, 20]
amplitudes = [0.5, -0.25]

[[stimulus]]
type = "ac"
target = "E"
phase = 45.0

[[stimulus]]
type = "noisy_current"
target = "E"
mean = 0.1
dt = 1.0
)",
                                              "net.toml");
    ASSERT_EQ(spec.stimuli.size(), 3u);
    EXPECT_EQ(spec.stimuli[0].kind, StimulusSpec::Kind::step_current);
    EXPECT_EQ(spec.stimuli[0].times, (std::vector<double>{10.0, 20.0}));
    EXPECT_EQ(spec.stimuli[0].amplitudes, (std::vector<double>{0.5, -0.25}));
    EXPECT_EQ(spec.stimuli[1].kind, StimulusSpec::Kind::ac);
    EXPECT_EQ(spec.stimuli[1].amplitude, 1.0);  // PyNN ACSource defaults
    EXPECT_EQ(spec.stimuli[1].frequency, 10.0);
    EXPECT_EQ(spec.stimuli[1].phase, 45.0);
    EXPECT_EQ(spec.stimuli[2].kind, StimulusSpec::Kind::noisy_current);
    EXPECT_EQ(spec.stimuli[2].stdev, 1.0);  // PyNN NoisyCurrentSource default
    EXPECT_EQ(spec.stimuli[2].mean, 0.1);
    EXPECT_EQ(spec.stimuli[2].interval, 1.0);
}

TEST(ModelFileErrors, CurrentSourceMistakesNameTheirKey) {
    expect_error<KeyError>(kPopulations + R"([[stimulus]]
type = "ac"
target = "E"
frequncy = 5.0
)",
                           13, "stimulus[0].frequncy", "did you mean 'frequency'?");
    expect_error<KeyError>(kPopulations + R"([[stimulus]]
type = "step_current"
target = "E"
times = [1.0]
)",
                           10, "stimulus[0]", "missing required key 'amplitudes'");
    expect_error<ValueError>(kPopulations + R"([[stimulus]]
type = "noisy_current"
target = "E"
dt = 0.15
)",
                             13, "stimulus[0].dt", "dt must be a multiple of the simulation step 0.1 ms, got 0.15 ms");
}

// ---- fixed_total_number and [network] scale ---------------------------------------------

TEST(ModelFile, FixedTotalNumberConnectorDefaultsToMultapses) {
    const NetworkSpec spec = parse_model_text(kPopulations + R"([[projection]]
source = "E"
target = "E"
connector = { type = "fixed_total_number", n = 10 }

[[projection]]
source = "E"
target = "E"
connector = { type = "fixed_total_number", n = 12, allow_multapses = false, allow_autapses = false }
)",
                                              "net.toml");
    ASSERT_EQ(spec.projections.size(), 2u);
    EXPECT_EQ(spec.projections[0].connector.kind, ConnectorSpec::Kind::fixed_total_number);
    EXPECT_EQ(spec.projections[0].connector.number, 10u);
    EXPECT_TRUE(spec.projections[0].connector.allow_multapses);  // NEST's only mode for this rule
    EXPECT_FALSE(spec.projections[1].connector.allow_multapses);
    EXPECT_FALSE(spec.projections[1].connector.allow_autapses);
    EXPECT_EQ(spec.scale, 1.0);
}

TEST(ModelFileErrors, FixedTotalNumberMistakesNameTheirKey) {
    // 4 x 3 = 12 pairs from E onto I.
    expect_error<ValueError>(kPopulations + R"([[projection]]
source = "E"
target = "I"
connector = { type = "fixed_total_number", n = 13, allow_multapses = false }
)",
                             13, "projection[0].connector.n", "13 distinct synapses but only 12 pairs");
    expect_error<ValueError>(kPopulations + R"([[projection]]
source = "E"
target = "I"
connector = { type = "fixed_total_number", n = -1 }
)",
                             13, "projection[0].connector.n", "expected an integer >= 0, got -1");
    expect_error<KeyError>(kPopulations + R"([[projection]]
source = "E"
target = "I"
connector = { type = "fixed_total_number", p = 0.1, n = 3 }
)",
                           13, "projection[0].connector.p", "does not apply to connector type 'fixed_total_number'");
    expect_error<KeyError>(kPopulations + R"([[projection]]
source = "E"
target = "I"
connector = { type = "fixed_total_number" }
)",
                           13, "projection[0].connector", "missing required key 'n'");
}

namespace {

// Two populations, each connector that scales, and everything that may stay as it is.
const std::string kScalable = R"([network]
scale = 0.1

[[population]]
name = "E"
model = "IF_curr_exp"
size = 1000
params = { tau_m = { distribution = "uniform", low = 10.0, high = 20.0 } }

[[population]]
name = "I"
model = "IF_curr_exp"
size = 40

[[population]]
name = "T"
model = "IF_curr_exp"
size = 4

[[projection]]
source = "E"
target = "E"
connector = { type = "fixed_total_number", n = 50000 }

[[projection]]
source = "E"
target = "I"
connector = { type = "fixed_number_pre", n = 100 }

[[projection]]
source = "E"
target = "I"
connector = { type = "fixed_number_post", n = 25 }

[[projection]]
source = "E"
target = "E"
connector = { type = "fixed_probability", p = 0.1 }
weight = 0.5

[[stimulus]]
type = "poisson"
target = "E"
rate = 8000.0
weight = 0.1

[[record]]
type = "spikes"
population = "E"
)";

}  // namespace

TEST(ModelFile, NetworkScaleScalesSizesAndInDegrees) {
    const NetworkSpec spec = parse_model_text(kScalable, "net.toml");
    EXPECT_EQ(spec.scale, 0.1);
    EXPECT_EQ(spec.populations[0].size, 100u);                 // 1000 x 0.1
    EXPECT_EQ(spec.populations[1].size, 4u);                   // 40 x 0.1
    EXPECT_EQ(spec.populations[2].size, 1u);                   // max(1, round(0.4))
    EXPECT_EQ(spec.projections[0].connector.number, 500u);     // 50000 x 0.1^2
    EXPECT_EQ(spec.projections[1].connector.number, 10u);      // 100 x 0.1
    EXPECT_EQ(spec.projections[2].connector.number, 3u);       // round(2.5) = 3, half away from zero
    EXPECT_EQ(spec.projections[3].connector.probability, 0.1);  // unchanged
    EXPECT_EQ(spec.projections[3].weight.constant(), 0.5);     // weights unchanged
    EXPECT_EQ(spec.stimuli[0].rate, 8000.0);                   // stimuli unchanged

    // An override replaces the file's scale (it does not multiply it).
    const NetworkSpec full = parse_model_text(kScalable, "net.toml", 1.0);
    EXPECT_EQ(full.scale, 1.0);
    EXPECT_EQ(full.populations[0].size, 1000u);
    EXPECT_EQ(full.projections[0].connector.number, 50000u);
    const NetworkSpec half = parse_model_text(kScalable, "net.toml", 0.5);
    EXPECT_EQ(half.populations[0].size, 500u);
    EXPECT_EQ(half.projections[0].connector.number, 12500u);
}

TEST(ModelFileErrors, NetworkScaleMistakesNameTheirKey) {
    expect_error<ValueError>("[network]\nscale = 0.0\n", 2, "network.scale", "scale must be > 0, got 0");
    expect_error<ValueError>("[network]\nscale = -2\n", 2, "network.scale", "scale must be > 0, got -2");
    expect_error<ValueError>("[network]\nscale = nan\n", 2, "network.scale", "expected a finite number");
    expect_error<ValueError>("[network]\nscale = \"big\"\n", 2, "network.scale", "expected a number");
    expect_error<KeyError>("[network]\nscael = 0.5\n", 2, "network.scael", "did you mean 'scale'?");
    // What names particular neurons cannot be scaled: each refusal names its key.
    const std::string scaled = "[network]\nscale = 0.5\n\n" + kPopulations;
    expect_error<ValueError>(scaled + R"([[projection]]
source = "E"
target = "E"
connector = { type = "from_list", connections = [[0, 1]] }
)",
                             16, "projection[0].connector", "a from_list connector");
    expect_error<ValueError>(scaled + R"([[projection]]
source = "E"
target = "I"
connector = { type = "all_to_all" }
weight = [[1, 2, 3], [1, 2, 3], [1, 2, 3], [1, 2, 3]]
)",
                             17, "projection[0].weight", "a per-pair array of weights");
    expect_error<ValueError>(scaled + R"([[record]]
type = "spikes"
population = "E"
neurons = [0, 1]
)",
                             16, "record[0].neurons", "an explicit list of neurons");
    expect_error<ValueError>(scaled + R"([[stimulus]]
type = "dc"
target = "E"
neurons = { stop = 2 }
)",
                             16, "stimulus[0].neurons", "an explicit list of neurons");
    expect_error<ValueError>(R"([network]
scale = 0.5

[[population]]
name = "E"
model = "IF_curr_exp"
size = 2
params = { tau_m = [10.0, 20.0] }
)",
                             8, "population[0].params.tau_m", "a per-neuron array of values");
    expect_error<ValueError>(R"([network]
scale = 0.5

[[population]]
name = "S"
model = "SpikeSourceArray"
size = 2
spike_times = [[1.0], [2.0]]
)",
                             8, "population[0].spike_times", "one spike-time list per neuron");
    // Scale 1 accepts all of them.
    EXPECT_NO_THROW(parse_model_text("[network]\nscale = 1.0\n\n" + kPopulations + R"([[record]]
type = "spikes"
population = "E"
neurons = [0, 1]
)",
                                     "net.toml"));
}

TEST(ModelFile, ScaleOverrideIsCheckedLikeTheFileValue) {
    try {
        parse_model_text(kScalable, "net.toml", -1.0);
        FAIL() << "a negative scale override was accepted";
    } catch (const ValueError& e) {
        EXPECT_EQ(e.key(), "network.scale");
        EXPECT_NE(std::string(e.what()).find("scale must be a finite number > 0, got -1"), std::string::npos) << e.what();
    }
}
