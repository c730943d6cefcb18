// The `neurodyn` command as a user runs it: exit status, messages, and the result file.

#include <gtest/gtest.h>
#include <hdf5.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

namespace fs = std::filesystem;

namespace {

struct Outcome {
    int status = -1;
    std::string output;
};

Outcome run(const std::string& arguments) {
    const std::string command = std::string(NEURODYN_BINARY) + " " + arguments + " 2>&1";
    Outcome outcome;
    FILE* pipe = popen(command.c_str(), "r");
    char buffer[4096];
    while (std::fgets(buffer, sizeof buffer, pipe)) outcome.output += buffer;
    const int status = pclose(pipe);
    outcome.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return outcome;
}

class TempDir {
public:
    TempDir() : path_(fs::temp_directory_path() / ("neurodyn-cli-" + std::to_string(getpid()) + "-" + std::to_string(counter_++))) {
        fs::create_directories(path_);
    }
    ~TempDir() { fs::remove_all(path_); }
    fs::path write(const std::string& name, const std::string& text) const {
        std::ofstream(path_ / name) << text;
        return path_ / name;
    }
    fs::path operator/(const std::string& name) const { return path_ / name; }

private:
    static inline int counter_ = 0;
    fs::path path_;
};

const char* kSmallModel = R"([simulation]
dt = 0.1
duration = 200.0
seed = 3

[[population]]
name = "E"
model = "IF_curr_exp"
size = 50
params = { tau_refrac = 2.0 }
initial = { v = { distribution = "uniform", low = -65.0, high = -50.0 } }

[[stimulus]]
type = "poisson"
target = "E"
rate = 9000.0
weight = 0.1

[[record]]
type = "spikes"
population = "E"

[[record]]
type = "state"
population = "E"
neurons = [0, 1]
variables = ["v"]
interval = 1.0
)";

int read_int_attribute(hid_t file, const char* name) {
    int value = -1;
    hid_t attribute = H5Aopen(file, name, H5P_DEFAULT);
    H5Aread(attribute, H5T_NATIVE_INT, &value);
    H5Aclose(attribute);
    return value;
}

hsize_t dataset_length(hid_t file, const char* path) {
    hid_t dataset = H5Dopen2(file, path, H5P_DEFAULT);
    if (dataset < 0) return 0;
    hid_t space = H5Dget_space(dataset);
    hsize_t dims[2] = {0, 0};
    H5Sget_simple_extent_dims(space, dims, nullptr);
    H5Sclose(space);
    H5Dclose(dataset);
    return dims[0];
}

}  // namespace

TEST(Cli, HelpAndVersion) {
    EXPECT_EQ(run("--help").status, 0);
    const auto version = run("--version");
    EXPECT_EQ(version.status, 0);
    EXPECT_NE(version.output.find("neurodyn"), std::string::npos);
    EXPECT_EQ(run("run --help").status, 0);
    EXPECT_EQ(run("frobnicate").status, 2);
}

TEST(Cli, RunWritesACompleteResultAndASummary) {
    TempDir dir;
    const auto model = dir.write("small.toml", kSmallModel);
    const auto out = dir / "small.h5";
    const auto result = run("run " + model.string() + " -o " + out.string() + " --summary-json " + (dir / "s.json").string());
    ASSERT_EQ(result.status, 0) << result.output;
    for (const char* expected : {"population", "rate (Hz)", "CV ISI", "real-time factor", "peak memory", "synapses"})
        EXPECT_NE(result.output.find(expected), std::string::npos) << expected << "\n" << result.output;
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
    hid_t file = H5Fopen(out.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
    ASSERT_GE(file, 0);
    EXPECT_EQ(read_int_attribute(file, "complete"), 1);
    EXPECT_GT(dataset_length(file, "/spikes/E/timestamps"), 0u);
    EXPECT_EQ(dataset_length(file, "/spikes/E/timestamps"), dataset_length(file, "/spikes/E/node_ids"));
    EXPECT_EQ(dataset_length(file, "/report/E/v/data"), 201u);  // t = 0, 1, ..., 200 ms
    H5Fclose(file);
    std::ifstream json(dir / "s.json");
    std::string text((std::istreambuf_iterator<char>(json)), std::istreambuf_iterator<char>());
    EXPECT_NE(text.find("\"rate_hz\""), std::string::npos);
}

TEST(Cli, ValidateAcceptsTheBundledExamples) {
    for (const char* example : {"examples/brunel.toml", "examples/coba.toml"}) {
        const auto result = run(std::string("validate ") + NEURODYN_SOURCE_DIR + "/" + example);
        EXPECT_EQ(result.status, 0) << example << ": " << result.output;
    }
}

TEST(Cli, BadModelFilesExitTwoNameFileLineAndKeyAndWriteNoResult) {
    struct Case {
        std::string replace, with, expected;
    };
    const std::vector<Case> cases{
        {"size = 50", "size = \"fifty\"", "size"},                                // wrong type
        {"params = { tau_refrac = 2.0 }", "params = { tau_mem = 2.0 }", "tau_mem"},  // unknown parameter
        {"model = \"IF_curr_exp\"", "model = \"IF_curr_exq\"", "IF_curr_exp"},     // unknown model, suggestion
        {"target = \"E\"", "target = \"F\"", "unknown population 'F'"},            // unknown population
        {"params = { tau_refrac = 2.0 }", "params = { tau_m = 0.0 }", "tau_m must be > 0"},
        {"params = { tau_refrac = 2.0 }", "params = { tau_m = nan }", "tau_m"},
        {"interval = 1.0", "interval = 1.0\nbogus = 1", "bogus"},                   // unknown key
        {"rate = 9000.0", "rate = -1.0", "rate"},
    };
    for (const auto& c : cases) {
        TempDir dir;
        std::string text = kSmallModel;
        const auto at = text.find(c.replace);
        ASSERT_NE(at, std::string::npos) << c.replace;
        text.replace(at, c.replace.size(), c.with);
        const auto model = dir.write("bad.toml", text);
        const auto out = dir / "bad.h5";
        const auto result = run("run " + model.string() + " -o " + out.string());
        EXPECT_EQ(result.status, 2) << c.with << "\n" << result.output;
        EXPECT_NE(result.output.find("bad.toml:"), std::string::npos) << result.output;
        EXPECT_NE(result.output.find(c.expected), std::string::npos) << c.expected << "\n" << result.output;
        EXPECT_FALSE(fs::exists(out)) << "a result file was written for an invalid model: " << c.with;
        EXPECT_EQ(run("validate " + model.string()).status, 2);
    }
}

TEST(Cli, DelayShorterThanDtAndProbabilityOutOfRange) {
    TempDir dir;
    std::string base = kSmallModel;
    base += "\n[[projection]]\nsource = \"E\"\ntarget = \"E\"\nweight = 0.1\n";
    const auto short_delay = dir.write("d.toml", base + "delay = 0.05\nconnector = { type = \"all_to_all\" }\n");
    auto result = run("validate " + short_delay.string());
    EXPECT_EQ(result.status, 2);
    EXPECT_NE(result.output.find("d.toml:"), std::string::npos) << result.output;
    EXPECT_NE(result.output.find("shorter than the time step"), std::string::npos) << result.output;
    const auto bad_p = dir.write("p.toml", base + "delay = 1.0\nconnector = { type = \"fixed_probability\", p = 1.5 }\n");
    result = run("validate " + bad_p.string());
    EXPECT_EQ(result.status, 2);
    EXPECT_NE(result.output.find("probability must be in [0, 1]"), std::string::npos) << result.output;
}

TEST(Cli, MissingModelFileIsAClearError) {
    const auto result = run("run /nonexistent/model.toml");
    EXPECT_EQ(result.status, 2);
    EXPECT_NE(result.output.find("/nonexistent/model.toml"), std::string::npos) << result.output;
}

TEST(Cli, CtrlCLeavesAReadableResultMarkedIncomplete) {
    TempDir dir;
    std::string text = kSmallModel;
    text.replace(text.find("duration = 200.0"), 16, "duration = 1e7");  // hours: it must be interrupted
    const auto model = dir.write("long.toml", text);
    const auto out = dir / "long.h5";
    const pid_t child = fork();
    if (child == 0) {
        const std::string model_arg = model.string(), out_arg = out.string();
        freopen("/dev/null", "w", stdout);
        execl(NEURODYN_BINARY, NEURODYN_BINARY, "run", model_arg.c_str(), "-o", out_arg.c_str(), "--quiet", nullptr);
        _exit(127);
    }
    // Wait until the run is under way (the result file exists), then interrupt it.
    for (int i = 0; i < 600 && !fs::exists(out); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    kill(child, SIGINT);
    int status = 0;
    waitpid(child, &status, 0);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 130);
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
    hid_t file = H5Fopen(out.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
    ASSERT_GE(file, 0) << "the interrupted result file is not readable";
    EXPECT_EQ(read_int_attribute(file, "complete"), 0);
    EXPECT_EQ(dataset_length(file, "/spikes/E/timestamps"), dataset_length(file, "/spikes/E/node_ids"));
    H5Fclose(file);
}

// The number after `"key": ` in a JSON text (the first occurrence after `from`).
static double json_value(const std::string& text, const std::string& key, std::size_t from = 0) {
    const std::size_t at = text.find("\"" + key + "\": ", from);
    if (at == std::string::npos) return std::nan("");
    return std::stod(text.substr(at + key.size() + 4));
}

TEST(Cli, AnalyzeReportsTheRecordedDynamics) {
    TempDir dir;
    const auto model = dir.write("small.toml", kSmallModel);
    const auto out = dir / "small.h5";
    ASSERT_EQ(run("run " + model.string() + " -q -o " + out.string()).status, 0);
    const auto result = run("analyze " + out.string() + " --json " + (dir / "a.json").string());
    ASSERT_EQ(result.status, 0) << result.output;
    for (const char* expected : {"complete", "rate (Hz)", "CV ISI", "LV", "Fano", "peak (Hz)", "synchrony chi of E.v"})
        EXPECT_NE(result.output.find(expected), std::string::npos) << expected << "\n" << result.output;
    std::ifstream json(dir / "a.json");
    const std::string text((std::istreambuf_iterator<char>(json)), std::istreambuf_iterator<char>());
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
    hid_t file = H5Fopen(out.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
    ASSERT_GE(file, 0);
    const auto spikes = static_cast<double>(dataset_length(file, "/spikes/E/timestamps"));
    H5Fclose(file);
    // Every recorded spike is counted, and the rate is count / (neurons x 0.2 s) exactly.
    EXPECT_EQ(json_value(text, "spikes"), spikes);
    EXPECT_DOUBLE_EQ(json_value(text, "rate_hz"), spikes / (50 * 0.2));
    EXPECT_EQ(json_value(text, "neurons"), 50.0);
    const double cv = json_value(text, "cv_isi");
    EXPECT_GT(cv, 0.0);  // driven by Poisson input: irregular, neither clock-like nor absent
    EXPECT_LT(cv, 2.0);
    EXPECT_GE(json_value(text, "E.v"), 0.0);  // chi of the two sampled membranes, in [0, 1]
    EXPECT_LE(json_value(text, "E.v"), 1.0);
}

TEST(Cli, AnalyzeRefusesWhatIsNotAResultFile) {
    TempDir dir;
    const auto missing = run("analyze " + (dir / "none.h5").string());
    EXPECT_EQ(missing.status, 2);
    EXPECT_NE(missing.output.find("cannot read result file"), std::string::npos) << missing.output;
    const auto text_file = dir.write("model.toml", kSmallModel);
    const auto not_hdf5 = run("analyze " + text_file.string());
    EXPECT_EQ(not_hdf5.status, 2);
    EXPECT_NE(not_hdf5.output.find("is not an HDF5 file"), std::string::npos) << not_hdf5.output;
    const auto model = dir.write("small.toml", kSmallModel);
    const auto out = dir / "small.h5";
    ASSERT_EQ(run("run " + model.string() + " -q -o " + out.string()).status, 0);
    const auto late = run("analyze " + out.string() + " --from 500");
    EXPECT_EQ(late.status, 2);
    EXPECT_NE(late.output.find("--from must be >= 0 and before the end of the recording (200 ms), got 500 ms"),
              std::string::npos)
        << late.output;
}

TEST(Cli, AnalyzePlotWritesAnImage) {
    TempDir dir;
    const auto model = dir.write("small.toml", kSmallModel);
    const auto out = dir / "small.h5";
    ASSERT_EQ(run("run " + model.string() + " -q -o " + out.string()).status, 0);
    const auto figure = dir / "analysis.png";
    const auto result = run("analyze " + out.string() + " --plot " + figure.string());
    ASSERT_EQ(result.status, 0) << result.output;
    std::ifstream png(figure, std::ios::binary);
    char magic[8] = {};
    png.read(magic, 8);
    EXPECT_EQ(std::string(magic + 1, 3), "PNG");  // the PNG signature \x89 P N G
    // A file that cannot be drawn (no spikes recorded) is an error, not an empty figure.
    const auto quiet = dir.write("quiet.toml", "[simulation]\nduration = 10.0\n[[population]]\nname = \"E\"\n"
                                               "model = \"IF_curr_exp\"\nsize = 3\n[[record]]\ntype = \"spikes\"\n"
                                               "population = \"E\"\n");
    ASSERT_EQ(run("run " + quiet.string() + " -q -o " + (dir / "quiet.h5").string()).status, 0);
    const auto empty = run("analyze " + (dir / "quiet.h5").string() + " --plot " + (dir / "q.png").string());
    EXPECT_EQ(empty.status, 2) << empty.output;
    EXPECT_NE(empty.output.find("no recorded spikes to plot"), std::string::npos) << empty.output;
}

TEST(Cli, ThreadsOptionGivesTheSameResult) {
    TempDir dir;
    const auto model = dir.write("small.toml", kSmallModel);
    std::vector<std::string> summaries;
    for (const char* threads : {"1", "2"}) {
        const auto json = dir / (std::string("s") + threads + ".json");
        const auto result = run("run " + model.string() + " -q --no-output --threads " + threads + " --summary-json " +
                                json.string());
        ASSERT_EQ(result.status, 0) << result.output;
        std::ifstream in(json);
        const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        // The populations block (spikes, rates, CVs) ends the summary; timings before it differ.
        summaries.push_back(text.substr(text.find("\"populations\"")));
    }
    EXPECT_NE(summaries[0].find("\"spikes\""), std::string::npos) << summaries[0];
    EXPECT_EQ(summaries[0], summaries[1]);
    EXPECT_EQ(run("run " + model.string() + " --threads 0").status, 2);
}
