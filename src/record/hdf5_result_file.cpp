#include "neurodyn/record/hdf5_result_file.hpp"

#include <hdf5.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <string_view>
#include <utility>
#include <vector>

#include "neurodyn/core/error.hpp"
#include "neurodyn/core/strings.hpp"

#ifndef NEURODYN_VERSION
#error "NEURODYN_VERSION must be defined by the build (see CMakeLists.txt)"
#endif

namespace neurodyn {

namespace {

constexpr const char* kFormatName = "neurodyn-result";
constexpr std::int32_t kFormatVersion = 1;

// Spikes per chunk of timestamps and of node_ids (128 KiB each). A million spikes make
// about 60 chunks, so the chunk index stays small and a whole population reads in a few
// large I/O operations; a population that hardly fires still allocates one full chunk per
// dataset on disk (HDF5 allocates whole chunks), which bounds that waste at 256 KiB.
// Two chunks fit HDF5's default 1 MiB per-dataset chunk cache, which gathers small
// appends into whole-chunk writes.
constexpr hsize_t kSpikesPerChunk = 16 * 1024;

// Values per chunk of sampled state (64 KiB of float64). Up to this many neurons a chunk
// spans every neuron and as many rows as fit, so appending rows fills chunks in the cache
// and writes each once; beyond it a chunk is one row of kStateValuesPerChunk neurons, so
// an appended row is written straight to disk without reading a chunk back.
constexpr hsize_t kStateValuesPerChunk = 8 * 1024;

// SONATA's spike sorting enum (the values libsonata reads).
enum class SpikeSorting : std::int8_t { none = 0, by_id = 1, by_time = 2 };

// Turns HDF5's automatic error printing off for its scope: failures become exceptions
// whose reason is taken from the error stack, instead of a stack dump on stderr. The
// previous handler is put back afterwards, so other HDF5 users in the process (h5py next
// to the Python module) keep theirs.
class QuietHdf5Errors {
public:
    QuietHdf5Errors() {
        H5Eget_auto2(H5E_DEFAULT, &handler_, &client_data_);
        H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
    }
    ~QuietHdf5Errors() { H5Eset_auto2(H5E_DEFAULT, handler_, client_data_); }
    QuietHdf5Errors(const QuietHdf5Errors&) = delete;
    QuietHdf5Errors& operator=(const QuietHdf5Errors&) = delete;

private:
    H5E_auto2_t handler_ = nullptr;
    void* client_data_ = nullptr;
};

// The most specific message on HDF5's error stack (it carries the errno text for file
// system errors), then clears the stack.
std::string take_hdf5_error_reason() {
    std::string reason;
    H5Ewalk2(
        H5E_DEFAULT, H5E_WALK_UPWARD,
        [](unsigned depth, const H5E_error2_t* error, void* data) -> herr_t {
            if (depth == 0 && error->desc != nullptr) *static_cast<std::string*>(data) = error->desc;
            return 0;
        },
        &reason);
    H5Eclear2(H5E_DEFAULT);
    if (reason.empty()) return "unknown HDF5 error";
    // File-system failures read "unable to open file: name = '...', errno = 2, error
    // message = 'No such file or directory', flags = ..."; the system's words suffice.
    constexpr std::string_view system_message = "error message = '";
    const std::size_t begin = reason.find(system_message);
    if (begin != std::string::npos) {
        const std::size_t text = begin + system_message.size();
        const std::size_t end = reason.find('\'', text);
        if (end != std::string::npos && end > text) return reason.substr(text, end - text);
    }
    return reason;
}

// An HDF5 identifier of any kind, released when it goes out of scope.
class Handle {
public:
    Handle() = default;
    explicit Handle(hid_t id) : id_(id) {}
    ~Handle() { reset(); }
    Handle(Handle&& other) noexcept : id_(std::exchange(other.id_, H5I_INVALID_HID)) {}
    Handle& operator=(Handle&& other) noexcept {
        if (this != &other) {
            reset();
            id_ = std::exchange(other.id_, H5I_INVALID_HID);
        }
        return *this;
    }
    Handle(const Handle&) = delete;
    Handle& operator=(const Handle&) = delete;

    hid_t get() const { return id_; }
    hid_t release() { return std::exchange(id_, H5I_INVALID_HID); }
    void reset() {
        if (id_ >= 0) H5Idec_ref(id_);
        id_ = H5I_INVALID_HID;
    }

private:
    hid_t id_ = H5I_INVALID_HID;
};

void check_object_name(const std::string& name, std::string_view what) {
    if (name.empty()) throw ValueError(std::string(what) + " name must not be empty");
    if (name.find('/') != std::string::npos)
        throw ValueError(std::string(what) + " name '" + name + "' must not contain '/' (it names an HDF5 group)");
    if (name == "." || name == "..")
        throw ValueError(std::string(what) + " name '" + name + "' is not a valid HDF5 group name");
}

// Object paths are kept for error messages, built once rather than at every append.
struct SpikeDatasets {
    std::string group_path;
    std::string timestamps_path;
    std::string node_ids_path;
    Handle group;
    Handle timestamps;
    Handle node_ids;
    hsize_t size = 0;
    double last_time_ms = -std::numeric_limits<double>::infinity();
    bool sorted_by_time = true;
};

struct StateReport {
    std::string group_path;
    std::string data_path;
    std::string time_path;
    Handle data;
    Handle time;
    hsize_t n_neurons = 0;
    hsize_t n_rows = 0;
    double t_start_ms = 0.0;
    double interval_ms = 0.0;
};

// A weights recorder's group (/weight_traces/<name>).
struct WeightTraceDatasets {
    std::string data_path;
    std::string time_path;
    Handle data;
    Handle time;
    hsize_t n_synapses = 0;
    hsize_t n_rows = 0;
    double t_start_ms = 0.0;
    double interval_ms = 0.0;
};

}  // namespace

struct Hdf5ResultFile::Impl {
    std::filesystem::path path;
    Handle file;
    Handle spikes_group;
    Handle report_group;
    Handle summary_group;
    // Creation properties of every group (no modification times).
    Handle group_creation;
    std::map<std::string, SpikeDatasets> spike_populations;
    std::map<std::string, Handle> report_populations;
    std::map<std::pair<std::string, std::string>, StateReport> state_reports;
    Handle weight_traces_group;  // created with the first weight trace
    std::map<std::string, WeightTraceDatasets> weight_traces;

    [[noreturn]] void fail(std::string_view operation, std::string_view object = {}) const {
        std::string message = "cannot " + std::string(operation);
        if (!object.empty()) message += " '" + std::string(object) + "'";
        message += " in result file '" + path.string() + "': " + take_hdf5_error_reason();
        throw FileError(message);
    }

    // Throws FileError for a negative HDF5 return value (an invalid id or a failed call).
    template <class Result>
    Result check(Result result, std::string_view operation, std::string_view object = {}) const {
        if (result < 0) fail(operation, object);
        return result;
    }

    void require_open(std::string_view method) const {
        if (file.get() < 0)
            throw InternalError("Hdf5ResultFile::" + std::string(method) + " called after close() of '" +
                                path.string() + "'");
    }

    Handle create_group(hid_t parent, const std::string& name, const std::string& full_path) {
        return Handle(check(H5Gcreate2(parent, name.c_str(), H5P_DEFAULT, group_creation.get(), H5P_DEFAULT),
                            "create group", full_path));
    }

    // A dataset of `rank` dimensions; chunked and extendible along the first dimension
    // when `chunk` is given, contiguous otherwise.
    Handle create_dataset(hid_t parent, const char* name, hid_t file_type, const std::vector<hsize_t>& dims,
                          const std::vector<hsize_t>& chunk, const std::string& full_path) {
        std::vector<hsize_t> max_dims = dims;
        Handle creation(check(H5Pcreate(H5P_DATASET_CREATE), "create dataset properties for", full_path));
        // Without modification times in object headers, identical runs write identical bytes.
        check(H5Pset_obj_track_times(creation.get(), false), "configure", full_path);
        if (!chunk.empty()) {
            max_dims[0] = H5S_UNLIMITED;
            check(H5Pset_chunk(creation.get(), static_cast<int>(chunk.size()), chunk.data()), "set chunks of",
                  full_path);
        }
        Handle space(check(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), max_dims.data()),
                           "create dataspace for", full_path));
        return Handle(check(
            H5Dcreate2(parent, name, file_type, space.get(), H5P_DEFAULT, creation.get(), H5P_DEFAULT),
            "create dataset", full_path));
    }

    // Grows `dataset` to `new_dims` and writes `values` (row-major) into its rows from
    // `first_row` to the end, in one H5Dwrite.
    void append(hid_t dataset, hid_t memory_type, const void* values, const std::vector<hsize_t>& new_dims,
                hsize_t first_row, const std::string& full_path) {
        check(H5Dset_extent(dataset, new_dims.data()), "extend dataset", full_path);
        const int rank = static_cast<int>(new_dims.size());
        std::vector<hsize_t> start(new_dims.size(), 0);
        std::vector<hsize_t> count = new_dims;
        start[0] = first_row;
        count[0] = new_dims[0] - first_row;
        Handle file_space(check(H5Dget_space(dataset), "get dataspace of", full_path));
        check(H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, start.data(), nullptr, count.data(), nullptr),
              "select rows of", full_path);
        Handle memory_space(check(H5Screate_simple(rank, count.data(), nullptr), "create dataspace for", full_path));
        check(H5Dwrite(dataset, memory_type, memory_space.get(), file_space.get(), H5P_DEFAULT, values),
              "append to dataset", full_path);
    }

    void write_whole(hid_t dataset, hid_t memory_type, const void* values, const std::string& full_path) {
        check(H5Dwrite(dataset, memory_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, values), "write dataset", full_path);
    }

    // Creates or replaces a scalar attribute.
    void write_attribute(hid_t object, const char* name, hid_t file_type, hid_t memory_type, const void* value,
                         std::string_view object_path) {
        const std::string attribute_path = std::string(object_path) + (object_path == "/" ? "" : "/") + "@" + name;
        if (check(H5Aexists(object, name), "look up attribute", attribute_path) > 0)
            check(H5Adelete(object, name), "replace attribute", attribute_path);
        Handle space(check(H5Screate(H5S_SCALAR), "create dataspace for", attribute_path));
        Handle attribute(check(H5Acreate2(object, name, file_type, space.get(), H5P_DEFAULT, H5P_DEFAULT),
                               "create attribute", attribute_path));
        check(H5Awrite(attribute.get(), memory_type, value), "write attribute", attribute_path);
    }

    void write_attribute(hid_t object, const char* name, double value, std::string_view object_path) {
        write_attribute(object, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &value, object_path);
    }
    void write_attribute(hid_t object, const char* name, std::int32_t value, std::string_view object_path) {
        write_attribute(object, name, H5T_STD_I32LE, H5T_NATIVE_INT32, &value, object_path);
    }
    void write_attribute(hid_t object, const char* name, std::uint64_t value, std::string_view object_path) {
        write_attribute(object, name, H5T_STD_U64LE, H5T_NATIVE_UINT64, &value, object_path);
    }
    // Variable-length UTF-8, which h5py returns as str and which has no size limit in
    // the object header (the text lives in the global heap).
    void write_attribute(hid_t object, const char* name, const std::string& value, std::string_view object_path) {
        Handle type = string_type();
        const char* text = value.c_str();
        write_attribute(object, name, type.get(), type.get(), &text, object_path);
    }
    void write_attribute(hid_t object, const char* name, SpikeSorting value, std::string_view object_path) {
        Handle file_type = sorting_type(H5T_STD_I8LE);
        Handle memory_type = sorting_type(H5T_NATIVE_SCHAR);
        write_attribute(object, name, file_type.get(), memory_type.get(), &value, object_path);
    }

    Handle string_type() const {
        Handle type(check(H5Tcopy(H5T_C_S1), "create string type"));
        check(H5Tset_size(type.get(), H5T_VARIABLE), "create string type");
        check(H5Tset_cset(type.get(), H5T_CSET_UTF8), "create string type");
        return type;
    }

    Handle sorting_type(hid_t base) const {
        Handle type(check(H5Tenum_create(base), "create sorting enum type"));
        for (const auto& [name, value] : {std::pair{"none", SpikeSorting::none},
                                          std::pair{"by_id", SpikeSorting::by_id},
                                          std::pair{"by_time", SpikeSorting::by_time}}) {
            const auto raw = static_cast<std::int8_t>(value);
            check(H5Tenum_insert(type.get(), name, &raw), "create sorting enum type");
        }
        return type;
    }

    SpikeDatasets& spike_population(const std::string& population) {
        const auto found = spike_populations.find(population);
        if (found != spike_populations.end()) return found->second;
        std::vector<std::string> known;
        for (const auto& entry : spike_populations) known.push_back(entry.first);
        throw KeyError("no spike population '" + population + "' in result file '" + path.string() +
                       "' (add_spike_population first)" + did_you_mean(population, known));
    }

    StateReport& state_report(const std::string& population, const std::string& variable) {
        const auto found = state_reports.find({population, variable});
        if (found != state_reports.end()) return found->second;
        std::vector<std::string> known;
        for (const auto& entry : state_reports) known.push_back(entry.first.first + "/" + entry.first.second);
        const std::string name = population + "/" + variable;
        throw KeyError("no state report '" + name + "' in result file '" + path.string() +
                       "' (add_state_report first)" + did_you_mean(name, known));
    }

    ~Impl() {
        QuietHdf5Errors quiet;
        try {
            close();
        } catch (...) {
            // A destructor must not throw; Hdf5ResultFile::close() reports the same failure.
        }
    }

    void close() {
        weight_traces.clear();
        weight_traces_group.reset();
        spike_populations.clear();
        state_reports.clear();
        report_populations.clear();
        spikes_group.reset();
        report_group.reset();
        summary_group.reset();
        group_creation.reset();
        if (file.get() >= 0) {
            // Ownership is given up first, so a failed close is not retried by the destructor.
            const hid_t id = file.release();
            check(H5Fclose(id), "close file");
        }
    }
};

Hdf5ResultFile::Hdf5ResultFile(const std::filesystem::path& path, const ResultMetadata& metadata)
    : impl_(std::make_unique<Impl>()) {
    QuietHdf5Errors quiet;
    Impl& f = *impl_;
    f.path = path;

    Handle creation(f.check(H5Pcreate(H5P_FILE_CREATE), "create file creation properties"));
    f.check(H5Pset_obj_track_times(creation.get(), false), "configure file creation properties");
    Handle access(f.check(H5Pcreate(H5P_FILE_ACCESS), "create file access properties"));
    // HDF5 1.10 holds an exclusive lock on a file open for writing, which makes every
    // reader (h5py, plot_results.py) fail while the run goes on. Results are meant to be
    // looked at during a long run, so the writer takes no lock; a reader sees the state of
    // the last flush(). The file keeps the earliest format, whose superblock carries no
    // "open for writing" flag either: a file left by a crashed run opens without h5clear.
    f.check(H5Pset_file_locking(access.get(), false, true), "disable file locking");
    // Closing the file closes whatever is still open in it, so nothing leaks on errors.
    f.check(H5Pset_fclose_degree(access.get(), H5F_CLOSE_STRONG), "configure file access");
    const hid_t file_id = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, creation.get(), access.get());
    if (file_id < 0) {
        throw FileError("cannot create result file '" + path.string() + "': " + take_hdf5_error_reason());
    }
    f.file = Handle(file_id);

    f.group_creation = Handle(f.check(H5Pcreate(H5P_GROUP_CREATE), "create group creation properties"));
    f.check(H5Pset_obj_track_times(f.group_creation.get(), false), "configure group creation properties");

    const hid_t root = f.file.get();
    f.write_attribute(root, "format", std::string(kFormatName), "/");
    f.write_attribute(root, "format_version", kFormatVersion, "/");
    f.write_attribute(root, "neurodyn_version", std::string(NEURODYN_VERSION), "/");
    f.write_attribute(root, "dt", metadata.dt_ms, "/");
    f.write_attribute(root, "duration_requested", metadata.duration_ms, "/");
    f.write_attribute(root, "seed", metadata.seed, "/");
    f.write_attribute(root, "model_source", metadata.model_source, "/");
    f.write_attribute(root, "model_text", metadata.model_text, "/");
    f.write_attribute(root, "complete", std::int32_t{0}, "/");
    f.write_attribute(root, "t_reached", 0.0, "/");

    f.spikes_group = f.create_group(root, "spikes", "/spikes");
    f.report_group = f.create_group(root, "report", "/report");
    f.summary_group = f.create_group(root, "summary", "/summary");
    f.check(H5Fflush(root, H5F_SCOPE_LOCAL), "flush");
}

Hdf5ResultFile::~Hdf5ResultFile() = default;

Hdf5ResultFile::Hdf5ResultFile(Hdf5ResultFile&&) noexcept = default;
Hdf5ResultFile& Hdf5ResultFile::operator=(Hdf5ResultFile&&) noexcept = default;

const std::filesystem::path& Hdf5ResultFile::path() const { return impl_->path; }

void Hdf5ResultFile::add_spike_population(const std::string& population, std::uint64_t n_neurons) {
    Impl& f = *impl_;
    f.require_open("add_spike_population");
    check_object_name(population, "spike population");
    if (f.spike_populations.count(population) != 0)
        throw ValueError("spike population '" + population + "' was already added to result file '" +
                         f.path.string() + "'");
    QuietHdf5Errors quiet;
    SpikeDatasets datasets;
    datasets.group_path = "/spikes/" + population;
    datasets.timestamps_path = datasets.group_path + "/timestamps";
    datasets.node_ids_path = datasets.group_path + "/node_ids";
    datasets.group = f.create_group(f.spikes_group.get(), population, datasets.group_path);
    f.write_attribute(datasets.group.get(), "sorting", SpikeSorting::by_time, datasets.group_path);
    if (n_neurons > 0) f.write_attribute(datasets.group.get(), "n_neurons", n_neurons, datasets.group_path);
    datasets.timestamps = f.create_dataset(datasets.group.get(), "timestamps", H5T_IEEE_F64LE, {0},
                                           {kSpikesPerChunk}, datasets.timestamps_path);
    f.write_attribute(datasets.timestamps.get(), "units", std::string("ms"), datasets.timestamps_path);
    datasets.node_ids = f.create_dataset(datasets.group.get(), "node_ids", H5T_STD_U64LE, {0}, {kSpikesPerChunk},
                                         datasets.node_ids_path);
    f.spike_populations.emplace(population, std::move(datasets));
}

void Hdf5ResultFile::write_weights(const std::string& projection, const std::string& source_population,
                                   const std::string& target_population, std::span<const std::uint64_t> sources,
                                   std::span<const std::uint64_t> targets, std::span<const double> weights) {
    Impl& f = *impl_;
    f.require_open("write_weights");
    check_object_name(projection, "weight snapshot");
    if (sources.size() != targets.size() || sources.size() != weights.size())
        throw ValueError("write_weights for projection '" + projection + "': " + std::to_string(sources.size()) +
                         " sources, " + std::to_string(targets.size()) + " targets and " + std::to_string(weights.size()) +
                         " weights");
    QuietHdf5Errors quiet;
    const hid_t root = f.file.get();
    const bool have_group = f.check(H5Lexists(root, "weights", H5P_DEFAULT), "look up group", "/weights") > 0;
    Handle group(have_group ? f.check(H5Gopen2(root, "weights", H5P_DEFAULT), "open group", "/weights")
                            : f.create_group(root, "weights", "/weights").release());
    const std::string path = "/weights/" + projection;
    if (f.check(H5Lexists(group.get(), projection.c_str(), H5P_DEFAULT), "look up group", path) > 0)
        throw ValueError("weight snapshot '" + projection + "' was already written to result file '" + f.path.string() + "'");
    Handle snapshot = f.create_group(group.get(), projection, path);
    f.write_attribute(snapshot.get(), "source", source_population, path);
    f.write_attribute(snapshot.get(), "target", target_population, path);
    const hsize_t n = sources.size();
    const std::vector<hsize_t> chunk{std::clamp<hsize_t>(n, 1, 1 << 16)};
    Handle source_ids = f.create_dataset(snapshot.get(), "source", H5T_STD_U64LE, {n}, chunk, path + "/source");
    Handle target_ids = f.create_dataset(snapshot.get(), "target", H5T_STD_U64LE, {n}, chunk, path + "/target");
    Handle values = f.create_dataset(snapshot.get(), "weight", H5T_IEEE_F64LE, {n}, chunk, path + "/weight");
    if (n == 0) return;
    f.write_whole(source_ids.get(), H5T_NATIVE_UINT64, sources.data(), path + "/source");
    f.write_whole(target_ids.get(), H5T_NATIVE_UINT64, targets.data(), path + "/target");
    f.write_whole(values.get(), H5T_NATIVE_DOUBLE, weights.data(), path + "/weight");
}

void Hdf5ResultFile::append_spikes(const std::string& population, std::span<const double> times_ms,
                                   std::span<const std::uint64_t> node_ids) {
    Impl& f = *impl_;
    f.require_open("append_spikes");
    SpikeDatasets& datasets = f.spike_population(population);
    if (times_ms.size() != node_ids.size())
        throw ValueError("append_spikes for population '" + population + "': " + std::to_string(times_ms.size()) +
                         " spike times but " + std::to_string(node_ids.size()) + " node ids");
    if (times_ms.empty()) return;
    QuietHdf5Errors quiet;

    if (datasets.sorted_by_time) {
        // `!(a <= b)` also catches NaN, which has no place in a time-sorted report.
        double previous = datasets.last_time_ms;
        for (const double t : times_ms) {
            if (!(previous <= t)) {
                datasets.sorted_by_time = false;
                f.write_attribute(datasets.group.get(), "sorting", SpikeSorting::none, datasets.group_path);
                break;
            }
            previous = t;
        }
        datasets.last_time_ms = previous;
    }

    const hsize_t first = datasets.size;
    const std::vector<hsize_t> new_size{first + times_ms.size()};
    f.append(datasets.timestamps.get(), H5T_NATIVE_DOUBLE, times_ms.data(), new_size, first,
             datasets.timestamps_path);
    f.append(datasets.node_ids.get(), H5T_NATIVE_UINT64, node_ids.data(), new_size, first, datasets.node_ids_path);
    datasets.size = new_size[0];
}

void Hdf5ResultFile::add_state_report(const std::string& population, const std::string& variable,
                                      const std::string& unit, std::span<const std::uint64_t> node_ids,
                                      double t_start_ms, double interval_ms) {
    Impl& f = *impl_;
    f.require_open("add_state_report");
    check_object_name(population, "state report population");
    check_object_name(variable, "state report variable");
    const std::string name = population + "/" + variable;
    if (f.state_reports.count({population, variable}) != 0)
        throw ValueError("state report '" + name + "' was already added to result file '" + f.path.string() + "'");
    if (node_ids.empty()) throw ValueError("state report '" + name + "': node_ids must not be empty");
    if (!std::isfinite(t_start_ms))
        throw ValueError("state report '" + name + "': t_start must be finite, got " + format_number(t_start_ms));
    if (!(interval_ms > 0.0) || !std::isfinite(interval_ms))
        throw ValueError("state report '" + name + "': interval must be > 0 ms and finite, got " +
                         format_number(interval_ms));
    QuietHdf5Errors quiet;

    auto population_group = f.report_populations.find(population);
    if (population_group == f.report_populations.end()) {
        population_group =
            f.report_populations
                .emplace(population, f.create_group(f.report_group.get(), population, "/report/" + population))
                .first;
    }

    StateReport report;
    report.group_path = "/report/" + name;
    report.data_path = report.group_path + "/data";
    report.time_path = report.group_path + "/mapping/time";
    report.n_neurons = node_ids.size();
    report.t_start_ms = t_start_ms;
    report.interval_ms = interval_ms;
    Handle group = f.create_group(population_group->second.get(), variable, report.group_path);

    const hsize_t chunk_columns = std::min<hsize_t>(report.n_neurons, kStateValuesPerChunk);
    const hsize_t chunk_rows = std::max<hsize_t>(1, kStateValuesPerChunk / chunk_columns);
    report.data = f.create_dataset(group.get(), "data", H5T_IEEE_F64LE, {0, report.n_neurons},
                                   {chunk_rows, chunk_columns}, report.data_path);
    f.write_attribute(report.data.get(), "units", unit, report.data_path);

    const std::string mapping_path = report.group_path + "/mapping";
    Handle mapping = f.create_group(group.get(), "mapping", mapping_path);
    {
        Handle ids = f.create_dataset(mapping.get(), "node_ids", H5T_STD_U64LE, {report.n_neurons}, {},
                                      mapping_path + "/node_ids");
        f.write_whole(ids.get(), H5T_NATIVE_UINT64, node_ids.data(), mapping_path + "/node_ids");
    }
    {
        // One element (the soma, element 0) per point neuron: SONATA's mapping for a
        // report with one value per node.
        std::vector<std::uint64_t> index_pointers(report.n_neurons + 1);
        for (std::size_t i = 0; i < index_pointers.size(); ++i) index_pointers[i] = i;
        Handle pointers = f.create_dataset(mapping.get(), "index_pointers", H5T_STD_U64LE,
                                           {report.n_neurons + 1}, {}, mapping_path + "/index_pointers");
        f.write_whole(pointers.get(), H5T_NATIVE_UINT64, index_pointers.data(), mapping_path + "/index_pointers");
        const std::vector<std::uint32_t> element_ids(report.n_neurons, 0);
        Handle elements = f.create_dataset(mapping.get(), "element_ids", H5T_STD_U32LE, {report.n_neurons}, {},
                                           mapping_path + "/element_ids");
        f.write_whole(elements.get(), H5T_NATIVE_UINT32, element_ids.data(), mapping_path + "/element_ids");
    }
    report.time = f.create_dataset(mapping.get(), "time", H5T_IEEE_F64LE, {3}, {}, report.time_path);
    const double time[3] = {t_start_ms, t_start_ms, interval_ms};
    f.write_whole(report.time.get(), H5T_NATIVE_DOUBLE, time, report.time_path);
    f.write_attribute(report.time.get(), "units", std::string("ms"), report.time_path);

    f.state_reports.emplace(std::pair{population, variable}, std::move(report));
}

void Hdf5ResultFile::append_state_rows(const std::string& population, const std::string& variable,
                                       std::span<const double> rows_row_major, std::size_t n_rows) {
    Impl& f = *impl_;
    f.require_open("append_state_rows");
    StateReport& report = f.state_report(population, variable);
    if (rows_row_major.size() != n_rows * report.n_neurons)
        throw ValueError("append_state_rows for state report '" + population + "/" + variable + "': " +
                         std::to_string(n_rows) + " rows of " + std::to_string(report.n_neurons) + " neurons need " +
                         std::to_string(n_rows * report.n_neurons) + " values, got " +
                         std::to_string(rows_row_major.size()));
    if (n_rows == 0) return;
    QuietHdf5Errors quiet;
    const hsize_t first = report.n_rows;
    const std::vector<hsize_t> new_dims{first + n_rows, report.n_neurons};
    f.append(report.data.get(), H5T_NATIVE_DOUBLE, rows_row_major.data(), new_dims, first, report.data_path);
    report.n_rows = new_dims[0];
    // t_stop is exclusive: the time one interval after the last sample.
    const double time[3] = {report.t_start_ms,
                            report.t_start_ms + static_cast<double>(report.n_rows) * report.interval_ms,
                            report.interval_ms};
    f.write_whole(report.time.get(), H5T_NATIVE_DOUBLE, time, report.time_path);
}

void Hdf5ResultFile::add_weight_trace(const std::string& name, const WeightTraceLayout& layout) {
    Impl& f = *impl_;
    f.require_open("add_weight_trace");
    check_object_name(name, "weight trace");
    if (f.weight_traces.count(name) != 0)
        throw ValueError("weight trace '" + name + "' was already added to result file '" + f.path.string() + "'");
    const hsize_t n = layout.synapses.size();
    if (n == 0 || layout.sources.size() != n || layout.targets.size() != n)
        throw ValueError("weight trace '" + name + "': " + std::to_string(n) + " synapses, " +
                         std::to_string(layout.sources.size()) + " sources and " + std::to_string(layout.targets.size()) +
                         " targets (one of each per column, at least one)");
    if (!std::isfinite(layout.t_start_ms) || !(layout.interval_ms > 0.0) || !std::isfinite(layout.interval_ms))
        throw ValueError("weight trace '" + name + "': t_start must be finite and interval > 0 ms, got " +
                         format_number(layout.t_start_ms) + " and " + format_number(layout.interval_ms));
    QuietHdf5Errors quiet;
    if (f.weight_traces_group.get() < 0) f.weight_traces_group = f.create_group(f.file.get(), "weight_traces", "/weight_traces");
    const std::string path = "/weight_traces/" + name;
    Handle group = f.create_group(f.weight_traces_group.get(), name, path);
    f.write_attribute(group.get(), "projection", layout.projection, path);
    f.write_attribute(group.get(), "projection_index", layout.projection_index, path);
    f.write_attribute(group.get(), "source", layout.source_population, path);
    f.write_attribute(group.get(), "target", layout.target_population, path);
    WeightTraceDatasets trace;
    trace.data_path = path + "/data";
    trace.time_path = path + "/time";
    trace.n_synapses = n;
    trace.t_start_ms = layout.t_start_ms;
    trace.interval_ms = layout.interval_ms;
    // Chunks as for /report: all columns and as many rows as fit in 64 KiB.
    const hsize_t chunk_columns = std::min<hsize_t>(n, kStateValuesPerChunk);
    const hsize_t chunk_rows = std::max<hsize_t>(1, kStateValuesPerChunk / chunk_columns);
    trace.data = f.create_dataset(group.get(), "data", H5T_IEEE_F64LE, {0, n}, {chunk_rows, chunk_columns}, trace.data_path);
    f.write_attribute(trace.data.get(), "units", layout.units, trace.data_path);
    for (const auto& [dataset, values] : {std::pair{"synapse", &layout.synapses}, std::pair{"source", &layout.sources},
                                          std::pair{"target", &layout.targets}}) {
        const std::string dataset_path = path + "/" + dataset;
        Handle ids = f.create_dataset(group.get(), dataset, H5T_STD_U64LE, {n}, {}, dataset_path);
        f.write_whole(ids.get(), H5T_NATIVE_UINT64, values->data(), dataset_path);
    }
    trace.time = f.create_dataset(group.get(), "time", H5T_IEEE_F64LE, {3}, {}, trace.time_path);
    const double time[3] = {layout.t_start_ms, layout.t_start_ms, layout.interval_ms};
    f.write_whole(trace.time.get(), H5T_NATIVE_DOUBLE, time, trace.time_path);
    f.write_attribute(trace.time.get(), "units", std::string("ms"), trace.time_path);
    f.weight_traces.emplace(name, std::move(trace));
}

void Hdf5ResultFile::append_weight_rows(const std::string& name, std::span<const double> rows_row_major, std::size_t n_rows) {
    Impl& f = *impl_;
    f.require_open("append_weight_rows");
    const auto found = f.weight_traces.find(name);
    if (found == f.weight_traces.end())
        throw KeyError("no weight trace '" + name + "' in result file '" + f.path.string() + "' (add_weight_trace first)");
    WeightTraceDatasets& trace = found->second;
    if (rows_row_major.size() != n_rows * trace.n_synapses)
        throw ValueError("append_weight_rows for weight trace '" + name + "': " + std::to_string(n_rows) + " rows of " +
                         std::to_string(trace.n_synapses) + " synapses need " + std::to_string(n_rows * trace.n_synapses) +
                         " values, got " + std::to_string(rows_row_major.size()));
    if (n_rows == 0) return;
    QuietHdf5Errors quiet;
    const hsize_t first = trace.n_rows;
    const std::vector<hsize_t> new_dims{first + n_rows, trace.n_synapses};
    f.append(trace.data.get(), H5T_NATIVE_DOUBLE, rows_row_major.data(), new_dims, first, trace.data_path);
    trace.n_rows = new_dims[0];
    const double time[3] = {trace.t_start_ms, trace.t_start_ms + static_cast<double>(trace.n_rows) * trace.interval_ms,
                            trace.interval_ms};
    f.write_whole(trace.time.get(), H5T_NATIVE_DOUBLE, time, trace.time_path);
}

void Hdf5ResultFile::set_summary(const std::string& name, double value) {
    Impl& f = *impl_;
    f.require_open("set_summary");
    if (name.empty()) throw ValueError("summary name must not be empty");
    QuietHdf5Errors quiet;
    f.write_attribute(f.summary_group.get(), name.c_str(), value, "/summary");
}

void Hdf5ResultFile::set_summary(const std::string& name, const std::string& value) {
    Impl& f = *impl_;
    f.require_open("set_summary");
    if (name.empty()) throw ValueError("summary name must not be empty");
    QuietHdf5Errors quiet;
    f.write_attribute(f.summary_group.get(), name.c_str(), value, "/summary");
}

void Hdf5ResultFile::flush() {
    Impl& f = *impl_;
    f.require_open("flush");
    QuietHdf5Errors quiet;
    f.check(H5Fflush(f.file.get(), H5F_SCOPE_LOCAL), "flush");
}

void Hdf5ResultFile::mark_complete(double t_reached_ms) {
    Impl& f = *impl_;
    f.require_open("mark_complete");
    QuietHdf5Errors quiet;
    const hid_t root = f.file.get();
    f.write_attribute(root, "complete", std::int32_t{1}, "/");
    f.write_attribute(root, "t_reached", t_reached_ms, "/");
    if (f.check(H5Aexists(root, "incomplete_reason"), "look up attribute", "/@incomplete_reason") > 0)
        f.check(H5Adelete(root, "incomplete_reason"), "delete attribute", "/@incomplete_reason");
    f.check(H5Fflush(root, H5F_SCOPE_LOCAL), "flush");
}

void Hdf5ResultFile::mark_incomplete(double t_reached_ms, const std::string& reason) {
    Impl& f = *impl_;
    f.require_open("mark_incomplete");
    QuietHdf5Errors quiet;
    const hid_t root = f.file.get();
    f.write_attribute(root, "complete", std::int32_t{0}, "/");
    f.write_attribute(root, "t_reached", t_reached_ms, "/");
    f.write_attribute(root, "incomplete_reason", reason, "/");
    f.check(H5Fflush(root, H5F_SCOPE_LOCAL), "flush");
}

void Hdf5ResultFile::close() {
    QuietHdf5Errors quiet;
    impl_->close();
}

namespace {

// Reading: every failure names the file and the object.
class ResultReader {
public:
    explicit ResultReader(std::filesystem::path path) : path_(std::move(path)) {}

    ResultFileContents read() {
        QuietHdf5Errors quiet;
        if (!std::filesystem::exists(path_)) throw FileError("cannot read result file '" + path_.string() + "': No such file or directory");
        const htri_t is_hdf5 = H5Fis_hdf5(path_.c_str());
        if (is_hdf5 <= 0) throw ValueError("'" + path_.string() + "' is not an HDF5 file (is it a neurodyn result?)");
        file_ = Handle(H5Fopen(path_.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT));
        if (file_.get() < 0) throw FileError("cannot read result file '" + path_.string() + "': " + take_hdf5_error_reason());
        const hid_t root = file_.get();
        if (H5Aexists(root, "format") <= 0 || read_string_attribute(root, "format", "/") != kFormatName)
            throw ValueError("'" + path_.string() + "' is an HDF5 file but not a neurodyn result (no format = \"" +
                             std::string(kFormatName) + "\" attribute)");
        const auto version = static_cast<std::int32_t>(read_number_attribute(root, "format_version", "/"));
        if (version > kFormatVersion)
            throw ValueError("'" + path_.string() + "' has result format version " + std::to_string(version) +
                             "; this neurodyn reads up to version " + std::to_string(kFormatVersion));
        ResultFileContents contents;
        contents.dt_ms = read_number_attribute(root, "dt", "/");
        contents.duration_requested_ms = read_number_attribute(root, "duration_requested", "/");
        contents.t_reached_ms = read_number_attribute(root, "t_reached", "/");
        contents.complete = read_number_attribute(root, "complete", "/") == 1.0;
        contents.model_source = read_string_attribute(root, "model_source", "/");
        for (const std::string& population : children("/spikes")) contents.spikes.push_back(read_spikes(population));
        for (const std::string& population : children("/report"))
            for (const std::string& variable : children("/report/" + population))
                contents.reports.push_back(read_report(population, variable));
        return contents;
    }

private:
    [[noreturn]] void fail(const std::string& what, const std::string& object) const {
        throw ValueError("cannot read " + what + " '" + object + "' of result file '" + path_.string() +
                         "': " + take_hdf5_error_reason());
    }

    std::vector<std::string> children(const std::string& group_path) const {
        std::vector<std::string> names;
        if (H5Lexists(file_.get(), group_path.c_str(), H5P_DEFAULT) <= 0) return names;
        Handle group(H5Gopen2(file_.get(), group_path.c_str(), H5P_DEFAULT));
        if (group.get() < 0) fail("group", group_path);
        H5Literate(
            group.get(), H5_INDEX_NAME, H5_ITER_INC, nullptr,
            [](hid_t, const char* name, const H5L_info_t*, void* data) -> herr_t {
                static_cast<std::vector<std::string>*>(data)->emplace_back(name);
                return 0;
            },
            &names);
        return names;
    }

    double read_number_attribute(hid_t object, const char* name, const std::string& object_path) const {
        const std::string attribute_path = object_path + "@" + name;
        Handle attribute(H5Aopen(object, name, H5P_DEFAULT));
        if (attribute.get() < 0) fail("attribute", attribute_path);
        double value = 0.0;
        if (H5Aread(attribute.get(), H5T_NATIVE_DOUBLE, &value) < 0) fail("attribute", attribute_path);
        return value;
    }

    std::string read_string_attribute(hid_t object, const char* name, const std::string& object_path) const {
        const std::string attribute_path = object_path + "@" + name;
        Handle attribute(H5Aopen(object, name, H5P_DEFAULT));
        if (attribute.get() < 0) fail("attribute", attribute_path);
        Handle type(H5Tcopy(H5T_C_S1));
        H5Tset_size(type.get(), H5T_VARIABLE);
        H5Tset_cset(type.get(), H5T_CSET_UTF8);
        char* text = nullptr;
        if (H5Aread(attribute.get(), type.get(), &text) < 0) fail("attribute", attribute_path);
        std::string value = text != nullptr ? text : "";
        H5free_memory(text);
        return value;
    }

    template <class T>
    std::vector<T> read_dataset(const std::string& dataset_path, hid_t memory_type, std::vector<hsize_t>* shape = nullptr) const {
        Handle dataset(H5Dopen2(file_.get(), dataset_path.c_str(), H5P_DEFAULT));
        if (dataset.get() < 0) fail("dataset", dataset_path);
        Handle space(H5Dget_space(dataset.get()));
        const int rank = H5Sget_simple_extent_ndims(space.get());
        if (rank < 1 || rank > 2) fail("dataset", dataset_path);
        hsize_t dims[2] = {0, 1};
        H5Sget_simple_extent_dims(space.get(), dims, nullptr);
        if (shape) shape->assign(dims, dims + rank);
        std::vector<T> values(static_cast<std::size_t>(dims[0] * (rank == 2 ? dims[1] : 1)));
        if (!values.empty() && H5Dread(dataset.get(), memory_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()) < 0)
            fail("dataset", dataset_path);
        return values;
    }

    ResultFileContents::Spikes read_spikes(const std::string& population) const {
        const std::string group_path = "/spikes/" + population;
        ResultFileContents::Spikes spikes;
        spikes.population = population;
        Handle group(H5Gopen2(file_.get(), group_path.c_str(), H5P_DEFAULT));
        if (group.get() < 0) fail("group", group_path);
        if (H5Aexists(group.get(), "n_neurons") > 0)
            spikes.n_neurons = static_cast<std::uint64_t>(read_number_attribute(group.get(), "n_neurons", group_path));
        spikes.times_ms = read_dataset<double>(group_path + "/timestamps", H5T_NATIVE_DOUBLE);
        const auto ids = read_dataset<std::uint64_t>(group_path + "/node_ids", H5T_NATIVE_UINT64);
        if (ids.size() != spikes.times_ms.size())
            throw ValueError("result file '" + path_.string() + "': " + group_path + " has " +
                             std::to_string(spikes.times_ms.size()) + " timestamps but " + std::to_string(ids.size()) +
                             " node_ids");
        spikes.ids.reserve(ids.size());
        for (const std::uint64_t id : ids) {
            if (id > std::numeric_limits<std::uint32_t>::max() || (spikes.n_neurons > 0 && id >= spikes.n_neurons))
                throw ValueError("result file '" + path_.string() + "': " + group_path + " has node id " +
                                 std::to_string(id) + " beyond its " + std::to_string(spikes.n_neurons) + " neurons");
            spikes.ids.push_back(static_cast<std::uint32_t>(id));
        }
        return spikes;
    }

    ResultFileContents::Report read_report(const std::string& population, const std::string& variable) const {
        const std::string group_path = "/report/" + population + "/" + variable;
        ResultFileContents::Report report;
        report.population = population;
        report.variable = variable;
        std::vector<hsize_t> shape;
        report.data = read_dataset<double>(group_path + "/data", H5T_NATIVE_DOUBLE, &shape);
        report.node_ids = read_dataset<std::uint64_t>(group_path + "/mapping/node_ids", H5T_NATIVE_UINT64);
        const auto time = read_dataset<double>(group_path + "/mapping/time", H5T_NATIVE_DOUBLE);
        if (shape.size() != 2 || shape[1] != report.node_ids.size() || time.size() != 3)
            throw ValueError("result file '" + path_.string() + "': " + group_path +
                             " does not have the report layout (data [samples, neurons], mapping/time [3])");
        report.n_samples = static_cast<std::size_t>(shape[0]);
        report.t_start_ms = time[0];
        report.interval_ms = time[2];
        Handle data(H5Dopen2(file_.get(), (group_path + "/data").c_str(), H5P_DEFAULT));
        if (data.get() >= 0 && H5Aexists(data.get(), "units") > 0)
            report.units = read_string_attribute(data.get(), "units", group_path + "/data");
        return report;
    }

    std::filesystem::path path_;
    Handle file_;
};

}  // namespace

ResultFileContents read_result_file(const std::filesystem::path& path) { return ResultReader(path).read(); }

}  // namespace neurodyn
