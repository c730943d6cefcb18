// The `neurodyn` command: run, validate and inspect model files.

#include <sys/wait.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "neurodyn/analysis/oscillations.hpp"
#include "neurodyn/analysis/spike_statistics.hpp"
#include "neurodyn/analysis/spike_trains.hpp"
#include "neurodyn/core/error.hpp"
#include "neurodyn/core/strings.hpp"
#include "neurodyn/engine/simulator.hpp"
#include "neurodyn/io/model_file.hpp"
#include "neurodyn/models/registry.hpp"
#include "neurodyn/record/hdf5_recorder.hpp"
#include "neurodyn/record/hdf5_result_file.hpp"
#include "neurodyn/record/weight_snapshot.hpp"
#include "neurodyn/record/spike_recorder.hpp"

namespace {

using namespace neurodyn;

std::atomic<bool> g_interrupted{false};

extern "C" void on_sigint(int) {
    // A second Ctrl-C while the first is being honoured ends the process at once.
    if (g_interrupted.exchange(true)) std::_Exit(130);
}

struct RunOptions {
    std::string model_path;
    std::string output_path;
    std::string summary_json;
    double duration_ms = -1.0;
    long long seed = -1;
    std::size_t shards = 0;  // 0: one per thread
    std::size_t threads = 1;
    double memory_limit_gb = 0.0;
    double scale = 0.0;  // 0: the model file's [network] scale
    bool quiet = false;
    bool no_output = false;
};

std::string fixed(double value, int digits) {
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%.*f", digits, value);
    return buffer;
}

std::string with_separators(std::uint64_t n) {
    std::string digits = std::to_string(n), out;
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (i && (digits.size() - i) % 3 == 0) out += ',';
        out += digits[i];
    }
    return out;
}

std::string json_number(double value) { return std::isfinite(value) ? format_number(value) : "null"; }

std::string json_string(const std::string& text) {
    std::string out = "\"";
    for (const char c : text) {
        if (c == '"' || c == '\\') out += '\\';
        if (static_cast<unsigned char>(c) < 0x20) {
            char buffer[8];
            std::snprintf(buffer, sizeof buffer, "\\u%04x", c);
            out += buffer;
            continue;
        }
        out += c;
    }
    return out + "\"";
}

// A one-line progress bar on stderr, redrawn in place; only on a terminal.
class ProgressBar {
public:
    explicit ProgressBar(bool enabled, double dt) : enabled_(enabled), dt_(dt), start_(std::chrono::steady_clock::now()) {}
    void operator()(Step done, Step total) {
        if (!enabled_ || total == 0) return;
        const double fraction = static_cast<double>(done) / static_cast<double>(total);
        const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
        const int width = 30;
        const int filled = static_cast<int>(fraction * width);
        std::string bar(static_cast<std::size_t>(filled), '#');
        bar.resize(width, '.');
        const double eta = fraction > 0 ? elapsed * (1.0 - fraction) / fraction : 0.0;
        std::fprintf(stderr, "\r[%s] %3.0f%%  %.0f / %.0f ms  elapsed %.1f s  eta %.1f s ", bar.c_str(), fraction * 100.0,
                     static_cast<double>(done) * dt_, static_cast<double>(total) * dt_, elapsed, eta);
        if (done == total) std::fprintf(stderr, "\n");
        std::fflush(stderr);
    }
    void finish() {
        if (enabled_) std::fprintf(stderr, "\n");
    }

private:
    bool enabled_;
    double dt_;
    std::chrono::steady_clock::time_point start_;
};

struct PopulationSummary {
    std::string name, model;
    std::uint32_t size = 0;
    std::uint64_t spikes = 0;
    double rate_hz = 0.0;
    double cv_isi = 0.0;
};

// Under mpirun every rank runs this function: all build and advance their part of the
// network; rank 0 alone prints, writes the result file and the summary (it observes
// every spike, and the state samples of every rank's neurons).
int run_command(RunOptions options) {
    const Communicator& comm = Communicator::world();
    const bool root = comm.rank() == 0;
    if (!root) {
        options.quiet = true;
        options.no_output = true;
        options.summary_json.clear();
    }
    NetworkSpec spec;
    std::exception_ptr failed;
    try {
        spec = options.scale > 0 ? load_model_file(options.model_path, options.scale) : load_model_file(options.model_path);
    } catch (...) {
        failed = std::current_exception();
    }
    comm.agree(failed);
    if (options.duration_ms >= 0) spec.simulation.duration = options.duration_ms;
    if (options.seed >= 0) spec.simulation.seed = static_cast<std::uint64_t>(options.seed);

    BuildOptions build;
    build.threads = options.threads;
    build.shards = options.shards > 0 ? options.shards : options.threads;
    build.memory_limit_bytes = options.memory_limit_gb * 1e9;
    if (!options.quiet) std::cout << "neurodyn " << NEURODYN_VERSION << ": building " << options.model_path << std::endl;
    Simulator simulator(spec, build);

    SpikeRecorder all_spikes(simulator, /*all_populations=*/true);
    simulator.add_observer(&all_spikes);
    std::unique_ptr<Hdf5Recorder> output;
    try {
    if (!options.no_output) {
        std::ifstream model_stream(options.model_path);
        std::stringstream model_text;
        model_text << model_stream.rdbuf();
        ResultMetadata meta{spec.simulation.dt, spec.simulation.duration, spec.simulation.seed, options.model_path,
                            model_text.str()};
        output = std::make_unique<Hdf5Recorder>(options.output_path, simulator, meta);
        simulator.add_observer(output.get());
    }
    } catch (...) {
        failed = std::current_exception();
    }
    comm.agree(failed);  // e.g. rank 0 cannot create the result file: every rank stops

    std::signal(SIGINT, on_sigint);
    ProgressBar progress(!options.quiet && isatty(STDERR_FILENO), spec.simulation.dt);
    RunControl control;
    control.interrupt = &g_interrupted;
    control.progress = [&progress](Step done, Step total) { progress(done, total); };
    RunResult result = simulator.run(spec.simulation.duration, control);
    std::signal(SIGINT, SIG_DFL);
    if (result.interrupted) progress.finish();

    const double simulated_ms = simulator.time_ms();
    std::vector<PopulationSummary> pops;
    const auto counts = simulator.spike_counts();
    for (std::size_t p = 0; p < simulator.populations().size(); ++p) {
        const auto& layout = simulator.populations()[p];
        const SpikeTrains& trains = all_spikes.spikes(layout.name);
        PopulationSummary s{layout.name, layout.model, layout.size, counts[p], 0.0, 0.0};
        s.rate_hz = analysis::mean_rate_hz(counts[p], layout.size, simulated_ms);
        s.cv_isi = analysis::isi_cv(trains.times_ms, trains.ids, layout.size).mean_cv;
        pops.push_back(s);
    }
    const PhaseTimes& phases = simulator.phase_times();
    const double peak_mb = comm.max(peak_resident_bytes()) / 1e6;  // the largest rank's
    const double total_peak_mb = comm.sum(peak_resident_bytes()) / 1e6;
    const double rtf = simulated_ms > 0 ? result.wall_seconds / (simulated_ms / 1000.0) : 0.0;
    const double bytes_per_synapse =
        simulator.synapse_count() ? static_cast<double>(simulator.synapse_bytes()) / static_cast<double>(simulator.synapse_count())
                                  : 0.0;
    const double events_per_s = result.wall_seconds > 0 ? static_cast<double>(simulator.synaptic_events()) / result.wall_seconds : 0.0;

    // The final weights of STDP projections (collective: every rank takes part).
    write_weight_snapshots(simulator, output ? &output->file() : nullptr);
    if (output) {
        Hdf5ResultFile& file = output->file();
        file.set_summary("build_time_s", simulator.build_seconds());
        file.set_summary("run_time_s", result.wall_seconds);
        file.set_summary("synapses", static_cast<double>(simulator.synapse_count()));
        file.set_summary("peak_memory_mb", peak_mb);
        for (const auto& s : pops) {
            file.set_summary(s.name + ".rate_hz", s.rate_hz);
            file.set_summary(s.name + ".cv_isi", s.cv_isi);
            file.set_summary(s.name + ".spikes", static_cast<double>(s.spikes));
        }
        output->finish(simulator, !result.interrupted, result.interrupted ? "interrupted by the user (SIGINT)" : "");
    }

    if (!options.summary_json.empty()) {
        std::ofstream json(options.summary_json);
        if (!json) throw FileError("cannot write the summary file '" + options.summary_json + "'");
        json << "{\n  \"model\": " << json_string(options.model_path) << ",\n  \"complete\": " << (result.interrupted ? "false" : "true")
             << ",\n  \"simulated_ms\": " << json_number(simulated_ms) << ",\n  \"build_time_s\": " << json_number(simulator.build_seconds())
             << ",\n  \"run_time_s\": " << json_number(result.wall_seconds) << ",\n  \"realtime_factor\": " << json_number(rtf)
             << ",\n  \"peak_memory_mb\": " << json_number(peak_mb) << ",\n  \"total_peak_memory_mb\": " << json_number(total_peak_mb)
             << ",\n  \"processes\": " << comm.size() << ",\n  \"threads\": " << options.threads
             << ",\n  \"scale\": " << json_number(spec.scale)
             << ",\n  \"min_delay_ms\": " << json_number(ms_from_steps(simulator.min_delay_steps(), spec.simulation.dt))
             << ",\n  \"synapses\": " << simulator.synapse_count()
             << ",\n  \"bytes_per_synapse\": " << json_number(bytes_per_synapse)
             << ",\n  \"synaptic_events\": " << simulator.synaptic_events()
             << ",\n  \"events_per_second\": " << json_number(events_per_s) << ",\n  \"phases_s\": {\"update\": "
             << json_number(phases.update) << ", \"input\": " << json_number(phases.input) << ", \"delivery\": "
             << json_number(phases.delivery) << ", \"exchange\": " << json_number(phases.exchange) << ", \"record\": "
             << json_number(phases.record) << "},\n  \"populations\": {";
        for (std::size_t i = 0; i < pops.size(); ++i) {
            const auto& s = pops[i];
            json << (i ? ",\n    " : "\n    ") << json_string(s.name) << ": {\"model\": " << json_string(s.model)
                 << ", \"size\": " << s.size << ", \"spikes\": " << s.spikes << ", \"rate_hz\": " << json_number(s.rate_hz)
                 << ", \"cv_isi\": " << json_number(s.cv_isi) << "}";
        }
        json << "\n  }\n}\n";
    }

    if (!options.quiet) {
        std::cout << "network: " << with_separators(simulator.total_neurons()) << " neurons in " << pops.size()
                  << " populations, " << with_separators(simulator.synapse_count()) << " synapses ("
                  << fixed(bytes_per_synapse, 1) << " bytes each), min delay "
                  << format_number(ms_from_steps(simulator.min_delay_steps(), spec.simulation.dt)) << " ms\n";
        std::cout << "ran on " << describe_processes(comm) << " x " << options.threads
                  << (options.threads == 1 ? " thread" : " threads") << " (" << simulator.total_shards() << (simulator.total_shards() == 1 ? " shard)\n" : " shards)\n");
        std::cout << "built in " << fixed(simulator.build_seconds(), 2) << " s; simulated "
                  << format_number(simulated_ms) << " ms in " << fixed(result.wall_seconds, 2)
                  << " s (real-time factor " << fixed(rtf, 2) << ": wall time / simulated time)\n\n";
        std::printf("%-12s %-20s %9s %11s %10s %7s\n", "population", "model", "size", "spikes", "rate (Hz)", "CV ISI");
        for (const auto& s : pops)
            std::printf("%-12s %-20s %9u %11llu %10.2f %7s\n", s.name.c_str(), s.model.c_str(), s.size,
                        static_cast<unsigned long long>(s.spikes), s.rate_hz,
                        std::isfinite(s.cv_isi) ? fixed(s.cv_isi, 2).c_str() : "-");
        std::cout << "\nrun time by phase: update " << fixed(phases.update, 2) << " s, input " << fixed(phases.input, 2)
                  << " s, delivery " << fixed(phases.delivery, 2) << " s, exchange " << fixed(phases.exchange, 2)
                  << " s, record " << fixed(phases.record, 2) << " s\n";
        std::cout << "synaptic events: " << with_separators(simulator.synaptic_events()) << " ("
                  << fixed(events_per_s / 1e6, 1) << " million/s)\n";
        if (comm.distributed())
            std::cout << "peak memory: " << fixed(peak_mb, 1) << " MB on the largest of " << comm.size() << " ranks, "
                      << fixed(total_peak_mb, 1) << " MB in all\n";
        else
            std::cout << "peak memory: " << fixed(peak_mb, 1) << " MB\n";
        if (output) std::cout << "results: " << options.output_path << (result.interrupted ? " (incomplete)" : "") << "\n";
        std::cout.flush();
    }
    if (result.interrupted) {
        std::cerr << "neurodyn: interrupted at t = " << format_number(simulated_ms) << " ms; "
                  << (output ? "the result file is marked incomplete" : "no result file") << std::endl;
        return 130;
    }
    return 0;
}

int validate_command(const std::string& model_path, bool quiet) {
    NetworkSpec spec = load_model_file(model_path);
    check_network(spec);
    if (!quiet) {
        std::uint64_t neurons = 0;
        for (const auto& p : spec.populations) neurons += p.size;
        std::cout << model_path << ": valid (" << spec.populations.size() << " populations, " << neurons << " neurons, "
                  << spec.projections.size() << " projections, " << spec.stimuli.size() << " stimuli, "
                  << spec.recorders.size() << " recorders)\n";
    }
    return 0;
}

struct AnalyzeOptions {
    std::string result_path;
    double from_ms = 0.0;           // leave out the transient before this time
    double window_ms = 100.0;       // Fano factor windows
    double bin_ms = 1.0;            // population activity for the spectrum; 5x for count correlations
    std::size_t correlation_sample = 200;
    std::string json_path;
    std::string plot_path;
};

// Draws the analysis figure with the Python package (neurodyn.analysis_plot) of this
// build: matplotlib lives in Python. The interpreter is run directly (no shell), so paths
// need no quoting; its message, if any, goes to stderr as it is.
void plot_analysis(const AnalyzeOptions& options) {
#if defined(NEURODYN_PYTHON_EXECUTABLE) && defined(NEURODYN_PYTHON_PACKAGE_DIR)
    const std::string code = std::string("import sys; sys.path.insert(0, '") + NEURODYN_PYTHON_PACKAGE_DIR +
                             "'); from neurodyn.analysis_plot import main; sys.exit(main())";
    const std::string from = format_number(options.from_ms), bin = format_number(options.bin_ms);
    std::vector<const char*> argv{NEURODYN_PYTHON_EXECUTABLE, "-c", code.c_str(), options.result_path.c_str(),
                                  options.plot_path.c_str(), from.c_str(), bin.c_str(), nullptr};
    std::fflush(stdout);
    const pid_t child = fork();
    if (child < 0) throw FileError("--plot: cannot start " + std::string(NEURODYN_PYTHON_EXECUTABLE));
    if (child == 0) {
        execv(argv[0], const_cast<char* const*>(argv.data()));
        _exit(127);
    }
    int status = 0;
    waitpid(child, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        throw ValueError("--plot: drawing '" + options.plot_path + "' failed (" + NEURODYN_PYTHON_EXECUTABLE +
                         " with the neurodyn package of " + NEURODYN_PYTHON_PACKAGE_DIR + ")");
    std::printf("figure: %s\n", options.plot_path.c_str());
#else
    throw ValueError("--plot needs the Python package: build with -DNEURODYN_PYTHON=ON (pybind11-dev, python3-dev)");
#endif
}

struct PopulationAnalysis {
    std::string name;
    std::size_t neurons = 0, spikes = 0;
    double rate_hz = 0, cv = 0, lv = 0, fano = 0, count_correlation = 0, peak_hz = 0, peak_power = 0;
};

// `neurodyn analyze`: the analysis layer on a result file, per population.
int analyze_command(const AnalyzeOptions& options) {
    const ResultFileContents file = read_result_file(options.result_path);
    const double t_stop = file.t_reached_ms > 0.0 ? file.t_reached_ms : file.duration_requested_ms;
    if (!(options.from_ms >= 0.0 && options.from_ms < t_stop))
        throw ValueError("--from must be >= 0 and before the end of the recording (" + format_number(t_stop) +
                         " ms), got " + format_number(options.from_ms) + " ms");
    if (!(options.window_ms > 0.0) || !(options.bin_ms > 0.0))
        throw ValueError("--window and --bin must be > 0 ms");
    // Spikes are stamped at the end of their step, so the step (t - dt, t] holds a spike
    // stamped t: the analysis window (from, to] is [from + dt/2, to + dt/2) for the
    // functions below, which count [start, stop). Its length is unchanged.
    const double half_step = 0.5 * file.dt_ms;
    const double t_start = options.from_ms + half_step;
    const double t_end = t_stop + half_step;
    std::vector<PopulationAnalysis> rows;
    for (const auto& spikes : file.spikes) {
        PopulationAnalysis row;
        row.name = spikes.population;
        std::size_t n = spikes.n_neurons;
        for (const std::uint32_t id : spikes.ids) n = std::max<std::size_t>(n, id + 1u);
        row.neurons = n;
        std::vector<double> times;
        std::vector<std::uint32_t> ids;
        for (std::size_t k = 0; k < spikes.times_ms.size(); ++k)
            if (spikes.times_ms[k] >= t_start && spikes.times_ms[k] < t_end) {
                times.push_back(spikes.times_ms[k]);
                ids.push_back(spikes.ids[k]);
            }
        row.spikes = times.size();
        if (n == 0) {
            rows.push_back(row);
            continue;
        }
        const auto trains = analysis::group_by_neuron(times, ids, n);
        row.rate_hz = analysis::mean_rate_hz(times.size(), n, t_end - t_start);
        row.cv = analysis::finite_mean(analysis::isi_cv_per_neuron(trains));
        row.lv = analysis::finite_mean(analysis::local_variation(trains));
        row.fano = t_end - t_start >= 2.0 * options.window_ms
                       ? analysis::finite_mean(analysis::fano_factors(trains, t_start, t_end, options.window_ms))
                       : std::nan("");
        std::vector<std::uint32_t> sample;
        for (std::uint32_t i = 0; i < n && sample.size() < options.correlation_sample; ++i)
            if (!trains.train(i).empty()) sample.push_back(i);
        if (sample.size() >= 2) {
            const auto matrix = analysis::count_correlation_matrix(trains, sample, t_start, t_end, 5.0 * options.bin_ms);
            std::vector<double> off_diagonal;
            for (std::size_t a = 0; a < sample.size(); ++a)
                for (std::size_t b = a + 1; b < sample.size(); ++b) off_diagonal.push_back(matrix[a * sample.size() + b]);
            row.count_correlation = analysis::finite_mean(off_diagonal);
        } else {
            row.count_correlation = std::nan("");
        }
        const auto bins = static_cast<std::size_t>((t_end - t_start) / options.bin_ms);
        if (bins >= 16) {
            const auto spectrum = analysis::population_spectrum(times, n, t_start, t_end, options.bin_ms,
                                                                std::min<std::size_t>(1024, bins));
            const double nyquist = 500.0 / options.bin_ms;
            const auto peak = analysis::peak_frequency(spectrum, std::min(2.0, nyquist), nyquist);
            row.peak_hz = peak.frequency_hz;
            row.peak_power = peak.power;
        } else {
            row.peak_hz = row.peak_power = std::nan("");
        }
        rows.push_back(row);
    }
    // Golomb's chi for every sampled state variable with at least two neurons.
    std::vector<std::pair<std::string, double>> synchrony;
    for (const auto& report : file.reports) {
        const std::size_t columns = report.node_ids.size();
        if (columns < 2 || report.interval_ms <= 0.0) continue;
        const auto first = static_cast<std::size_t>(std::max(0.0, std::ceil((options.from_ms - report.t_start_ms) / report.interval_ms)));
        if (first + 2 > report.n_samples) continue;
        const std::span<const double> kept(report.data.data() + first * columns, (report.n_samples - first) * columns);
        synchrony.emplace_back(report.population + "." + report.variable,
                               analysis::synchrony_chi(kept, report.n_samples - first, columns));
    }

    std::printf("%s: %s, %s ms recorded (dt %s ms), analysed from %s ms\n", options.result_path.c_str(),
                file.complete ? "complete" : "INCOMPLETE run", format_number(t_stop).c_str(),
                format_number(file.dt_ms).c_str(), format_number(options.from_ms).c_str());
    std::printf("\n%-12s %8s %10s %9s %7s %6s %6s %10s %10s %11s\n", "population", "neurons", "spikes", "rate (Hz)", "CV ISI",
                "LV", "Fano", "count corr", "peak (Hz)", "peak power");
    const auto shown = [](double x, int digits) {
        if (!std::isfinite(x)) return std::string("-");
        char text[32];
        std::snprintf(text, sizeof text, "%.*f", digits, x);
        return std::string(text);
    };
    for (const auto& r : rows)
        std::printf("%-12s %8zu %10zu %9s %7s %6s %6s %10s %10s %11s\n", r.name.c_str(), r.neurons, r.spikes,
                    shown(r.rate_hz, 2).c_str(), shown(r.cv, 2).c_str(), shown(r.lv, 2).c_str(), shown(r.fano, 2).c_str(),
                    shown(r.count_correlation, 3).c_str(), shown(r.peak_hz, 1).c_str(), shown(r.peak_power, 3).c_str());
    std::printf("\nFano: counts in %s ms windows; count corr: mean over pairs of up to %zu neurons, %s ms bins;\n"
                "spectrum: population rate in %s ms bins (Welch), peak above 2 Hz.\n",
                format_number(options.window_ms).c_str(), options.correlation_sample,
                format_number(5.0 * options.bin_ms).c_str(), format_number(options.bin_ms).c_str());
    for (const auto& [name, chi] : synchrony) std::printf("synchrony chi of %s: %s\n", name.c_str(), shown(chi, 3).c_str());

    if (!options.json_path.empty()) {
        std::ofstream json(options.json_path);
        if (!json) throw FileError("cannot write the analysis file '" + options.json_path + "'");
        json << "{\n  \"file\": " << json_string(options.result_path) << ",\n  \"complete\": " << (file.complete ? "true" : "false")
             << ",\n  \"from_ms\": " << json_number(options.from_ms) << ",\n  \"to_ms\": " << json_number(t_stop)
             << ",\n  \"populations\": {";
        for (std::size_t k = 0; k < rows.size(); ++k) {
            const auto& r = rows[k];
            json << (k ? "," : "") << "\n    " << json_string(r.name) << ": {\"neurons\": " << r.neurons
                 << ", \"spikes\": " << r.spikes << ", \"rate_hz\": " << json_number(r.rate_hz)
                 << ", \"cv_isi\": " << json_number(r.cv) << ", \"lv\": " << json_number(r.lv)
                 << ", \"fano\": " << json_number(r.fano) << ", \"count_correlation\": " << json_number(r.count_correlation)
                 << ", \"peak_hz\": " << json_number(r.peak_hz) << ", \"peak_power\": " << json_number(r.peak_power) << "}";
        }
        json << "\n  },\n  \"synchrony_chi\": {";
        for (std::size_t k = 0; k < synchrony.size(); ++k)
            json << (k ? ", " : "") << json_string(synchrony[k].first) << ": " << json_number(synchrony[k].second);
        json << "}\n}\n";
    }
    if (!options.plot_path.empty()) plot_analysis(options);
    return 0;
}

int models_command(const std::string& name) {
    for (const ModelInfo* model : all_models()) {
        if (!name.empty() && model->name != name) continue;
        std::cout << model->name << ": " << model->doc << "\n";
        if (!name.empty()) {
            std::printf("  %-12s %-6s %10s  %-6s %s\n", "parameter", "unit", "default", "range", "meaning");
            for (const auto& f : model->params) {
                const bool choice = !f.choices.empty();
                const std::string shown_default =
                    choice ? std::string(f.choices[static_cast<std::size_t>(f.default_value)]) : format_number(f.default_value);
                std::printf("  %-12s %-6s %10s  %-6s %s\n", std::string(f.name).c_str(), std::string(f.unit).c_str(),
                            shown_default.c_str(), choice ? "choice" : std::string(bound_text(f.bound)).c_str(),
                            std::string(f.doc).c_str());
            }
            for (const auto& f : model->state)
                std::printf("  %-12s %-6s %10s  %-6s %s (state)\n", std::string(f.name).c_str(), std::string(f.unit).c_str(),
                            format_number(f.default_value).c_str(), "", std::string(f.doc).c_str());
            if (!model->ports.empty())
                std::cout << "  receptors: " << join(model->port_names()) << " (weights in "
                          << port_kind_unit(model->port_kind) << ")\n";
        }
    }
    if (!name.empty()) find_model(name);  // unknown name: KeyError with a suggestion
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"neurodyn: simulate spiking neural networks described in model files"};
    app.set_version_flag("--version", std::string("neurodyn ") + NEURODYN_VERSION +
                                          (Communicator::built_with_mpi() ? " (MPI)" : " (no MPI)"));
    app.require_subcommand(1);

    RunOptions run;
    auto* run_cmd = app.add_subcommand("run", "Build and simulate a model file, write results to HDF5");
    run_cmd->add_option("model", run.model_path, "Model file (TOML)")->required();
    run_cmd->add_option("-o,--output", run.output_path, "Result file (HDF5); default: <model name>.h5");
    run_cmd->add_option("--duration", run.duration_ms, "Simulated time in ms (overrides the model file)")->check(CLI::NonNegativeNumber);
    run_cmd->add_option("--seed", run.seed, "Random seed (overrides the model file)")->check(CLI::NonNegativeNumber);
    run_cmd->add_option("--shards", run.shards, "Number of shards the network is split into (default: one per thread)")
        ->check(CLI::PositiveNumber);
    run_cmd->add_option("--threads", run.threads, "Threads that run the shards (default 1); the spikes do not depend on it")
        ->check(CLI::PositiveNumber);
    run_cmd->add_option("--memory-limit", run.memory_limit_gb, "Refuse networks estimated to need more than this (GB); default: available memory")
        ->check(CLI::PositiveNumber);
    run_cmd->add_option("--scale", run.scale,
                        "Scale the network (sizes and in-degrees, docs/model-file.md [network]); replaces the file's scale")
        ->check(CLI::PositiveNumber);
    run_cmd->add_option("--summary-json", run.summary_json, "Also write the run summary as JSON to this file");
    run_cmd->add_flag("-q,--quiet", run.quiet, "Print nothing but errors");
    run_cmd->add_flag("--no-output", run.no_output, "Do not write a result file");

    std::string validate_path;
    bool validate_quiet = false;
    auto* validate_cmd = app.add_subcommand("validate", "Check a model file without running it");
    validate_cmd->add_option("model", validate_path, "Model file (TOML)")->required();
    validate_cmd->add_flag("-q,--quiet", validate_quiet, "Print nothing but errors");

    std::string model_name;
    auto* models_cmd = app.add_subcommand("models", "List the neuron models, or describe one");
    models_cmd->add_option("name", model_name, "Model to describe");

    AnalyzeOptions analyze;
    auto* analyze_cmd = app.add_subcommand("analyze", "Measure the dynamics recorded in a result file");
    analyze_cmd->add_option("result", analyze.result_path, "Result file (HDF5) written by neurodyn run")->required();
    analyze_cmd->add_option("--from", analyze.from_ms, "Leave out the spikes before this time (ms), e.g. a transient");
    analyze_cmd->add_option("--window", analyze.window_ms, "Window of the Fano factor (ms, default 100)");
    analyze_cmd->add_option("--bin", analyze.bin_ms, "Bin of the population rate for the spectrum (ms, default 1)");
    analyze_cmd->add_option("--json", analyze.json_path, "Also write the figures to this JSON file");
    analyze_cmd->add_option("--plot", analyze.plot_path,
                            "Draw raster, population rate, spectrum and avalanche sizes into this image (PNG, SVG, PDF)");

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        // Help and version exit 0; a usage error exits 2, like an invalid model file.
        const int code = app.exit(e);
        return code == 0 ? 0 : 2;
    }
    try {
        if (*run_cmd) {
            if (run.output_path.empty())
                run.output_path = std::filesystem::path(run.model_path).stem().string() + ".h5";
            return run_command(run);
        }
        if (*validate_cmd) return validate_command(validate_path, validate_quiet);
        if (*models_cmd) return models_command(model_name);
        if (*analyze_cmd) return analyze_command(analyze);
    } catch (const UserError& e) {
        // Under mpirun every rank fails alike (errors are agreed on): one message is enough.
        if (Communicator::world().rank() == 0) std::cerr << "neurodyn: error: " << e.what() << std::endl;
        return 2;
    } catch (const std::exception& e) {
        std::cerr << "neurodyn: internal error (please report it): " << e.what() << std::endl;
        return 1;
    }
    return 0;
}
