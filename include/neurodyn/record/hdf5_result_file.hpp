#pragma once
// A simulation's results streamed into one HDF5 file (layout: docs/output-format.md).
//
// Spikes follow the SONATA spike-report layout and sampled state the SONATA report
// layout, so SONATA tools and plain h5py read them. Data are appended in whole buffers
// to chunked, extendible datasets; after flush() what was appended so far is on disk and
// readable by another process while the run goes on, and a run that stops early leaves
// a file marked complete = 0 with everything flushed before it stopped.
//
// The HDF5 C API stays inside the implementation: including this header does not pull
// in <hdf5.h>. One Hdf5ResultFile is used by one thread at a time.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace neurodyn {

// What is written as root attributes when the file is created.
struct ResultMetadata {
    double dt_ms = 0.1;
    double duration_ms = 0.0;  // the duration asked for; t_reached says how far the run got
    std::uint64_t seed = 0;
    std::string model_source;  // the model file's path, or "python"
    std::string model_text;    // the whole model file, or empty
};

class Hdf5ResultFile {
public:
    // Creates or truncates `path`; FileError naming the path if that fails. The root
    // attributes are written at once: format = "neurodyn-result", format_version = 1,
    // neurodyn_version, dt, duration_requested, seed, model_source, model_text,
    // complete = 0 and t_reached = 0.
    Hdf5ResultFile(const std::filesystem::path& path, const ResultMetadata& metadata);
    // Closes without marking the run complete, so an interrupted run stays marked
    // complete = 0. Errors while closing are swallowed here; call close() to see them.
    ~Hdf5ResultFile();

    Hdf5ResultFile(Hdf5ResultFile&&) noexcept;
    Hdf5ResultFile& operator=(Hdf5ResultFile&&) noexcept;
    Hdf5ResultFile(const Hdf5ResultFile&) = delete;
    Hdf5ResultFile& operator=(const Hdf5ResultFile&) = delete;

    const std::filesystem::path& path() const;

    // /spikes/<population>/timestamps (float64, ms) and node_ids (uint64, population-
    // local), group attribute sorting = by_time. `n_neurons`, the number of neurons
    // whose spikes are recorded, becomes the group attribute n_neurons, which lets
    // readers turn spike counts into rates (the spike datasets only show the neurons
    // that fired); 0 means unknown and writes no attribute. ValueError for a name that
    // is empty, contains '/' or was already added.
    void add_spike_population(const std::string& population, std::uint64_t n_neurons = 0);
    // Appends equally long arrays of spike times (ms) and node ids in one write per
    // dataset. Times are expected in non-decreasing order across appends; if they are
    // not, the population's sorting attribute is set to none so it never claims an
    // order the data do not have. KeyError for a population not added; ValueError for
    // arrays of different lengths.
    void append_spikes(const std::string& population, std::span<const double> times_ms,
                       std::span<const std::uint64_t> node_ids);

    // /report/<population>/<variable>/data: float64 [samples x neurons] with attribute
    // units = `unit`, and mapping/{node_ids, index_pointers, element_ids, time}, where
    // time = [t_start, t_stop, interval] (ms) and t_stop = t_start + samples * interval
    // (exclusive, as SONATA readers expect). ValueError for a bad name, an empty
    // `node_ids`, a non-finite t_start, an interval that is not > 0, or a report that
    // already exists.
    void add_state_report(const std::string& population, const std::string& variable,
                          const std::string& unit, std::span<const std::uint64_t> node_ids,
                          double t_start_ms, double interval_ms);
    // Appends `n_rows` samples, row-major ([row][neuron], in the order of the report's
    // node_ids), in one write. KeyError for a report not added; ValueError when the
    // array does not hold n_rows * (number of neurons) values.
    void append_state_rows(const std::string& population, const std::string& variable,
                           std::span<const double> rows_row_major, std::size_t n_rows);

    // /weights/<projection>/{source, target (uint64, population-local), weight (float64)}
    // with group attributes source and target (the population names): a snapshot of a
    // projection's weights. ValueError for a bad or repeated name or unequal lengths.
    void write_weights(const std::string& projection, const std::string& source_population,
                       const std::string& target_population, std::span<const std::uint64_t> sources,
                       std::span<const std::uint64_t> targets, std::span<const double> weights);

    // /weight_traces/<name>: the weights of chosen synapses of a projection sampled over
    // time (a weights recorder, docs/output-format.md): data float64 [samples x synapses]
    // with attribute units, synapse / source / target (uint64, one per column: the index
    // in the projection's weight order and the population-local neurons), time =
    // [t_start, t_stop, interval] (ms, t_stop exclusive as in /report), and group
    // attributes projection, projection_index, source and target. ValueError for a bad
    // or repeated name, columns of unequal lengths or none, or an interval not > 0.
    struct WeightTraceLayout {
        std::string projection;
        std::uint64_t projection_index = 0;
        std::string source_population, target_population;
        std::string units;  // of the weights: "nA", "uS", "mV" or "1"
        std::vector<std::uint64_t> synapses, sources, targets;
        double t_start_ms = 0.0, interval_ms = 0.0;
    };
    void add_weight_trace(const std::string& name, const WeightTraceLayout& layout);
    // Appends `n_rows` samples, row-major ([row][synapse]), in one write. KeyError for a
    // trace not added; ValueError for a wrong number of values.
    void append_weight_rows(const std::string& name, std::span<const double> rows_row_major, std::size_t n_rows);

    // Attributes of the /summary group; setting a name again replaces its value.
    void set_summary(const std::string& name, double value);
    void set_summary(const std::string& name, const std::string& value);

    // Pushes everything appended so far to the operating system, so that it is readable
    // by another process now and survives a crash of this one.
    void flush();
    // complete = 1 and t_reached (ms), then flush().
    void mark_complete(double t_reached_ms);
    // complete = 0, t_reached (ms) and incomplete_reason, then flush().
    void mark_incomplete(double t_reached_ms, const std::string& reason);

    // Closes the file, reporting failures as FileError; afterwards only the destructor
    // and path() may be called. Closing twice is harmless.
    void close();

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// A result file read back whole: what `neurodyn analyze` and other readers need.
struct ResultFileContents {
    struct Spikes {
        std::string population;
        std::uint64_t n_neurons = 0;  // from the attribute; 0 when the writer was not told
        std::vector<double> times_ms;
        std::vector<std::uint32_t> ids;  // population-local
    };
    struct Report {
        std::string population, variable, units;
        double t_start_ms = 0.0, interval_ms = 0.0;
        std::vector<std::uint64_t> node_ids;  // the neuron of each column
        std::size_t n_samples = 0;
        std::vector<double> data;  // n_samples x node_ids.size(), row-major
    };
    double dt_ms = 0.0;
    double duration_requested_ms = 0.0;
    double t_reached_ms = 0.0;
    bool complete = false;
    std::string model_source;
    std::vector<Spikes> spikes;
    std::vector<Report> reports;
};

// Reads a file written by Hdf5ResultFile. FileError naming the path when it cannot be
// opened; ValueError when it is HDF5 but not a neurodyn result (no or another `format`
// attribute, a newer format_version, missing datasets).
ResultFileContents read_result_file(const std::filesystem::path& path);

}  // namespace neurodyn
