// The HDF5 result writer: what it writes is read back with the HDF5 C API (contents,
// types, attributes, chunked layout), an unfinished run stays marked incomplete, a file
// is readable from outside while the writer still has it open, and misuse is refused
// with a message that names what is wrong.

#include <gtest/gtest.h>
#include <hdf5.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "neurodyn/core/error.hpp"
#include "neurodyn/record/hdf5_result_file.hpp"

using namespace neurodyn;
namespace fs = std::filesystem;

namespace {

// A directory of its own per test, removed afterwards.
class ResultFileTest : public ::testing::Test {
protected:
    void SetUp() override {
        const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
        directory_ = fs::temp_directory_path() /
                     (std::string("neurodyn_hdf5_") + info->name() + "_" + std::to_string(::getpid()));
        fs::remove_all(directory_);
        fs::create_directories(directory_);
    }
    void TearDown() override { fs::remove_all(directory_); }
    fs::path file(const std::string& name) const { return directory_ / name; }

    fs::path directory_;
};

ResultMetadata example_metadata() {
    ResultMetadata metadata;
    metadata.dt_ms = 0.1;
    metadata.duration_ms = 1000.0;
    metadata.seed = 12345678901234ULL;
    metadata.model_source = "models/brunel.toml";
    metadata.model_text = "[simulation]\ndt = 0.1\n";
    return metadata;
}

// --- reading back with the C API --------------------------------------------------

class Id {
public:
    explicit Id(hid_t id) : id_(id) {}
    ~Id() {
        if (id_ >= 0) H5Idec_ref(id_);
    }
    Id(const Id&) = delete;
    Id& operator=(const Id&) = delete;
    operator hid_t() const { return id_; }

private:
    hid_t id_;
};

hid_t open_read_only(const fs::path& path) { return H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT); }

bool has_attribute(hid_t object, const char* name) { return H5Aexists(object, name) > 0; }

double read_double_attribute(hid_t object, const char* name) {
    Id attribute(H5Aopen(object, name, H5P_DEFAULT));
    double value = -1.0;
    EXPECT_GE(H5Aread(attribute, H5T_NATIVE_DOUBLE, &value), 0) << name;
    return value;
}

template <class Integer>
Integer read_integer_attribute(hid_t object, const char* name, hid_t memory_type) {
    Id attribute(H5Aopen(object, name, H5P_DEFAULT));
    Integer value{};
    EXPECT_GE(H5Aread(attribute, memory_type, &value), 0) << name;
    return value;
}

std::string read_string_attribute(hid_t object, const char* name) {
    Id attribute(H5Aopen(object, name, H5P_DEFAULT));
    Id stored_type(H5Aget_type(attribute));
    EXPECT_EQ(H5Tget_class(stored_type), H5T_STRING) << name;
    EXPECT_TRUE(H5Tis_variable_str(stored_type)) << name;
    EXPECT_EQ(H5Tget_cset(stored_type), H5T_CSET_UTF8) << name;
    Id memory_type(H5Tcopy(H5T_C_S1));
    H5Tset_size(memory_type, H5T_VARIABLE);
    H5Tset_cset(memory_type, H5T_CSET_UTF8);
    char* text = nullptr;
    EXPECT_GE(H5Aread(attribute, memory_type, &text), 0) << name;
    std::string value = text != nullptr ? text : "";
    H5free_memory(text);
    return value;
}

// The name of an enum attribute's value ("by_time").
std::string read_enum_attribute(hid_t object, const char* name) {
    Id attribute(H5Aopen(object, name, H5P_DEFAULT));
    Id stored_type(H5Aget_type(attribute));
    EXPECT_EQ(H5Tget_class(stored_type), H5T_ENUM) << name;
    Id memory_type(H5Tget_native_type(stored_type, H5T_DIR_ASCEND));
    std::int8_t raw = -1;
    EXPECT_EQ(H5Tget_size(memory_type), 1u);
    EXPECT_GE(H5Aread(attribute, memory_type, &raw), 0) << name;
    char value_name[32] = {};
    EXPECT_GE(H5Tenum_nameof(memory_type, &raw, value_name, sizeof value_name), 0) << name;
    return value_name;
}

std::vector<hsize_t> dataset_dims(hid_t dataset) {
    Id space(H5Dget_space(dataset));
    std::vector<hsize_t> dims(static_cast<std::size_t>(H5Sget_simple_extent_ndims(space)));
    H5Sget_simple_extent_dims(space, dims.data(), nullptr);
    return dims;
}

// Checks the stored type against a file type such as H5T_IEEE_F64LE.
void expect_stored_type(hid_t dataset, hid_t expected, const std::string& what) {
    Id stored_type(H5Dget_type(dataset));
    EXPECT_GT(H5Tequal(stored_type, expected), 0) << what;
}

// Chunked and extendible along the first dimension.
void expect_extendible_chunked(hid_t dataset, const std::string& what) {
    Id creation(H5Dget_create_plist(dataset));
    EXPECT_EQ(H5Pget_layout(creation), H5D_CHUNKED) << what;
    Id space(H5Dget_space(dataset));
    hsize_t dims[2] = {}, max_dims[2] = {};
    H5Sget_simple_extent_dims(space, dims, max_dims);
    EXPECT_EQ(max_dims[0], H5S_UNLIMITED) << what;
}

std::vector<double> read_doubles(hid_t file, const std::string& path) {
    Id dataset(H5Dopen2(file, path.c_str(), H5P_DEFAULT));
    EXPECT_GE(static_cast<hid_t>(dataset), 0) << path;
    std::size_t count = 1;
    for (const hsize_t d : dataset_dims(dataset)) count *= d;
    std::vector<double> values(count);
    if (count > 0) {
        EXPECT_GE(H5Dread(dataset, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()), 0);
    }
    return values;
}

template <class Integer>
std::vector<Integer> read_integers(hid_t file, const std::string& path, hid_t memory_type) {
    Id dataset(H5Dopen2(file, path.c_str(), H5P_DEFAULT));
    EXPECT_GE(static_cast<hid_t>(dataset), 0) << path;
    std::size_t count = 1;
    for (const hsize_t d : dataset_dims(dataset)) count *= d;
    std::vector<Integer> values(count);
    if (count > 0) {
        EXPECT_GE(H5Dread(dataset, memory_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()), 0);
    }
    return values;
}

std::vector<std::uint64_t> read_uint64s(hid_t file, const std::string& path) {
    return read_integers<std::uint64_t>(file, path, H5T_NATIVE_UINT64);
}

std::string read_bytes(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// A spike train with `count` spikes in time order, ids cycling through 0..99.
void make_spikes(std::size_t count, double first_time_ms, std::vector<double>& times,
                 std::vector<std::uint64_t>& ids) {
    times.resize(count);
    ids.resize(count);
    for (std::size_t i = 0; i < count; ++i) {
        times[i] = first_time_ms + 0.1 * static_cast<double>(i / 7);
        ids[i] = (i * 37) % 100;
    }
}

}  // namespace

TEST_F(ResultFileTest, WritesSpikesStateAndSummaryInTheDocumentedLayout) {
    const fs::path path = file("run.h5");
    // More spikes than one chunk holds, in appends of uneven size that straddle chunk
    // boundaries, so the read-back covers growing across chunks.
    std::vector<double> times;
    std::vector<std::uint64_t> ids;
    make_spikes(40000, 0.1, times, ids);
    const std::vector<std::size_t> append_sizes{1, 16383, 3, 20000, 3613};
    const std::vector<std::uint64_t> report_ids{4, 8, 15};
    {
        Hdf5ResultFile result(path, example_metadata());
        EXPECT_EQ(result.path(), path);
        result.add_spike_population("exc", 100);
        result.add_spike_population("inh");  // size unknown: no n_neurons attribute
        std::size_t offset = 0;
        for (const std::size_t n : append_sizes) {
            result.append_spikes("exc", std::span(times).subspan(offset, n), std::span(ids).subspan(offset, n));
            offset += n;
        }
        ASSERT_EQ(offset, times.size());
        const std::vector<double> inh_times{2.5, 7.25};
        const std::vector<std::uint64_t> inh_ids{3, 0};
        result.append_spikes("inh", inh_times, inh_ids);
        result.append_spikes("inh", {}, {});  // an empty append changes nothing

        result.add_state_report("exc", "v", "mV", report_ids, 0.5, 0.25);
        result.add_state_report("exc", "g_ex", "uS", report_ids, 0.5, 0.25);
        const std::vector<double> first_rows{-65.0, -64.0, -63.0, -62.0, -61.0, -60.0};
        const std::vector<double> next_rows{-59.0, -58.0, -57.0};
        result.append_state_rows("exc", "v", first_rows, 2);
        result.append_state_rows("exc", "v", next_rows, 1);

        result.set_summary("spike_count", 40002.0);
        result.set_summary("engine", std::string("single shard"));
        result.set_summary("spike_count", 40003.0);  // replaced
        result.mark_complete(1000.0);
    }

    Id f(open_read_only(path));
    ASSERT_GE(static_cast<hid_t>(f), 0);
    EXPECT_EQ(read_string_attribute(f, "format"), "neurodyn-result");
    EXPECT_EQ(read_integer_attribute<std::int32_t>(f, "format_version", H5T_NATIVE_INT32), 1);
    EXPECT_EQ(read_string_attribute(f, "neurodyn_version"), NEURODYN_VERSION);
    EXPECT_EQ(read_double_attribute(f, "dt"), 0.1);
    EXPECT_EQ(read_double_attribute(f, "duration_requested"), 1000.0);
    EXPECT_EQ(read_integer_attribute<std::uint64_t>(f, "seed", H5T_NATIVE_UINT64), 12345678901234ULL);
    EXPECT_EQ(read_string_attribute(f, "model_source"), "models/brunel.toml");
    EXPECT_EQ(read_string_attribute(f, "model_text"), "[simulation]\ndt = 0.1\n");
    EXPECT_EQ(read_integer_attribute<std::int32_t>(f, "complete", H5T_NATIVE_INT32), 1);
    EXPECT_EQ(read_double_attribute(f, "t_reached"), 1000.0);
    EXPECT_FALSE(has_attribute(f, "incomplete_reason"));

    // Spikes: SONATA layout.
    {
        Id group(H5Gopen2(f, "/spikes/exc", H5P_DEFAULT));
        EXPECT_EQ(read_enum_attribute(group, "sorting"), "by_time");
        EXPECT_EQ(read_integer_attribute<std::uint64_t>(group, "n_neurons", H5T_NATIVE_UINT64), 100u);
        Id timestamps(H5Dopen2(group, "timestamps", H5P_DEFAULT));
        expect_stored_type(timestamps, H5T_IEEE_F64LE, "timestamps");
        expect_extendible_chunked(timestamps, "timestamps");
        EXPECT_EQ(read_string_attribute(timestamps, "units"), "ms");
        Id node_ids(H5Dopen2(group, "node_ids", H5P_DEFAULT));
        expect_stored_type(node_ids, H5T_STD_U64LE, "node_ids");
        expect_extendible_chunked(node_ids, "node_ids");
    }
    EXPECT_EQ(read_doubles(f, "/spikes/exc/timestamps"), times);
    EXPECT_EQ(read_uint64s(f, "/spikes/exc/node_ids"), ids);
    {
        Id group(H5Gopen2(f, "/spikes/inh", H5P_DEFAULT));
        EXPECT_FALSE(has_attribute(group, "n_neurons"));
    }
    EXPECT_EQ(read_doubles(f, "/spikes/inh/timestamps"), (std::vector<double>{2.5, 7.25}));
    EXPECT_EQ(read_uint64s(f, "/spikes/inh/node_ids"), (std::vector<std::uint64_t>{3, 0}));

    // State: SONATA report layout, one group per variable.
    {
        Id data(H5Dopen2(f, "/report/exc/v/data", H5P_DEFAULT));
        expect_stored_type(data, H5T_IEEE_F64LE, "data");
        expect_extendible_chunked(data, "data");
        EXPECT_EQ(dataset_dims(data), (std::vector<hsize_t>{3, 3}));
        EXPECT_EQ(read_string_attribute(data, "units"), "mV");
        Id time(H5Dopen2(f, "/report/exc/v/mapping/time", H5P_DEFAULT));
        EXPECT_EQ(read_string_attribute(time, "units"), "ms");
    }
    EXPECT_EQ(read_doubles(f, "/report/exc/v/data"),
              (std::vector<double>{-65.0, -64.0, -63.0, -62.0, -61.0, -60.0, -59.0, -58.0, -57.0}));
    EXPECT_EQ(read_uint64s(f, "/report/exc/v/mapping/node_ids"), report_ids);
    EXPECT_EQ(read_uint64s(f, "/report/exc/v/mapping/index_pointers"), (std::vector<std::uint64_t>{0, 1, 2, 3}));
    EXPECT_EQ(read_integers<std::uint32_t>(f, "/report/exc/v/mapping/element_ids", H5T_NATIVE_UINT32),
              (std::vector<std::uint32_t>{0, 0, 0}));
    // 3 samples from 0.5 ms every 0.25 ms: t_stop = 0.5 + 3 * 0.25, exact in binary.
    EXPECT_EQ(read_doubles(f, "/report/exc/v/mapping/time"), (std::vector<double>{0.5, 1.25, 0.25}));
    // A report that received no rows has an empty data set and t_stop == t_start.
    EXPECT_EQ(read_doubles(f, "/report/exc/g_ex/data").size(), 0u);
    EXPECT_EQ(read_doubles(f, "/report/exc/g_ex/mapping/time"), (std::vector<double>{0.5, 0.5, 0.25}));

    Id summary(H5Gopen2(f, "/summary", H5P_DEFAULT));
    EXPECT_EQ(read_double_attribute(summary, "spike_count"), 40003.0);
    EXPECT_EQ(read_string_attribute(summary, "engine"), "single shard");
}

TEST_F(ResultFileTest, DestructorWithoutMarkCompleteLeavesTheRunIncomplete) {
    const fs::path path = file("interrupted.h5");
    {
        Hdf5ResultFile result(path, example_metadata());
        result.add_spike_population("exc", 100);
        const std::vector<double> times{1.0, 2.0};
        const std::vector<std::uint64_t> ids{0, 1};
        result.append_spikes("exc", times, ids);
    }
    Id f(open_read_only(path));
    ASSERT_GE(static_cast<hid_t>(f), 0);
    EXPECT_EQ(read_integer_attribute<std::int32_t>(f, "complete", H5T_NATIVE_INT32), 0);
    EXPECT_EQ(read_double_attribute(f, "t_reached"), 0.0);
    EXPECT_EQ(read_doubles(f, "/spikes/exc/timestamps"), (std::vector<double>{1.0, 2.0}));
}

TEST_F(ResultFileTest, MarkIncompleteRecordsHowFarTheRunGotAndWhy) {
    const fs::path path = file("stopped.h5");
    {
        Hdf5ResultFile result(path, example_metadata());
        result.mark_complete(1000.0);  // later overridden: the last mark counts
        result.mark_incomplete(412.5, "interrupted by SIGINT");
    }
    Id f(open_read_only(path));
    EXPECT_EQ(read_integer_attribute<std::int32_t>(f, "complete", H5T_NATIVE_INT32), 0);
    EXPECT_EQ(read_double_attribute(f, "t_reached"), 412.5);
    EXPECT_EQ(read_string_attribute(f, "incomplete_reason"), "interrupted by SIGINT");
}

TEST_F(ResultFileTest, UnwritablePathIsAFileErrorNamingThePathWithoutHdf5Noise) {
    const fs::path path = file("no_such_directory") / "run.h5";
    H5E_auto2_t handler_before = nullptr;
    void* data_before = nullptr;
    H5Eget_auto2(H5E_DEFAULT, &handler_before, &data_before);

    ::testing::internal::CaptureStderr();
    std::string message;
    try {
        Hdf5ResultFile result(path, example_metadata());
        ADD_FAILURE() << "no FileError for " << path;
    } catch (const FileError& e) {
        message = e.what();
    }
    const std::string printed = ::testing::internal::GetCapturedStderr();

    EXPECT_NE(message.find("cannot create result file '" + path.string() + "'"), std::string::npos) << message;
    // The reason is the operating system's, taken from HDF5's error stack, without
    // HDF5's internal details (flags, the path a second time).
    EXPECT_EQ(message, "cannot create result file '" + path.string() + "': No such file or directory");
    EXPECT_EQ(printed, "") << "HDF5 printed its error stack";
    // The caller's HDF5 error printing is put back.
    H5E_auto2_t handler_after = nullptr;
    void* data_after = nullptr;
    H5Eget_auto2(H5E_DEFAULT, &handler_after, &data_after);
    EXPECT_EQ(handler_after, handler_before);
    EXPECT_EQ(data_after, data_before);
}

TEST_F(ResultFileTest, FlushedDataIsOnDiskWhileTheWriterKeepsTheFileOpen) {
    const fs::path path = file("running.h5");
    Hdf5ResultFile result(path, example_metadata());
    result.add_spike_population("exc", 100);
    std::vector<double> times;
    std::vector<std::uint64_t> ids;
    make_spikes(1000, 0.1, times, ids);
    result.append_spikes("exc", std::span(times).first(600), std::span(ids).first(600));
    result.flush();

    // A copy of the bytes on disk is exactly what a crash right now would leave.
    const fs::path snapshot = file("snapshot.h5");
    fs::copy_file(path, snapshot);
    {
        Id f(open_read_only(snapshot));
        ASSERT_GE(static_cast<hid_t>(f), 0);
        EXPECT_EQ(read_integer_attribute<std::int32_t>(f, "complete", H5T_NATIVE_INT32), 0);
        EXPECT_EQ(read_doubles(f, "/spikes/exc/timestamps"), std::vector<double>(times.begin(), times.begin() + 600));
    }

    // Another process (h5py, as plot_results.py uses) opens the file while it is being
    // written: HDF5's default file lock would refuse that.
    const std::string python = NEURODYN_PYTHON;
    if (std::system((python + " -c 'import h5py' 2>/dev/null").c_str()) != 0)
        GTEST_SKIP() << python << " has no h5py; the cross-process read is not checked";
    result.append_spikes("exc", std::span(times).subspan(600), std::span(ids).subspan(600));
    result.flush();
    const std::string script =
        "import sys, h5py\n"
        "with h5py.File(sys.argv[1], 'r') as f:\n"
        "    n = f['spikes/exc/timestamps'].shape[0]\n"
        "    sys.exit(0 if n == 1000 and f.attrs['complete'] == 0 else 3)\n";
    const std::string command = python + " -c \"" + script + "\" '" + path.string() + "'";
    EXPECT_EQ(std::system(command.c_str()), 0) << command;
}

TEST_F(ResultFileTest, AMovedWriterKeepsWritingAndReplacingOneClosesIt) {
    const fs::path first_path = file("first.h5");
    const fs::path second_path = file("second.h5");
    const std::vector<double> times{1.0};
    const std::vector<std::uint64_t> ids{7};
    {
        Hdf5ResultFile original(first_path, example_metadata());
        original.add_spike_population("exc", 10);
        Hdf5ResultFile moved(std::move(original));
        moved.append_spikes("exc", times, ids);
        EXPECT_EQ(moved.path(), first_path);
        // Assigning another writer closes the first file (still incomplete) on the spot.
        moved = Hdf5ResultFile(second_path, example_metadata());
        Id f(open_read_only(first_path));
        ASSERT_GE(static_cast<hid_t>(f), 0);
        EXPECT_EQ(read_integer_attribute<std::int32_t>(f, "complete", H5T_NATIVE_INT32), 0);
        EXPECT_EQ(read_uint64s(f, "/spikes/exc/node_ids"), ids);
        moved.mark_complete(5.0);
    }
    Id f(open_read_only(second_path));
    EXPECT_EQ(read_integer_attribute<std::int32_t>(f, "complete", H5T_NATIVE_INT32), 1);
}

TEST_F(ResultFileTest, OutOfOrderSpikesDropTheByTimeClaim) {
    const fs::path path = file("unsorted.h5");
    {
        Hdf5ResultFile result(path, example_metadata());
        result.add_spike_population("sorted", 100);
        result.add_spike_population("unsorted", 100);
        const std::vector<double> first{1.0, 2.0, 2.0};
        const std::vector<double> later{3.0};
        const std::vector<double> earlier{1.5};
        const std::vector<std::uint64_t> id3{0, 1, 2}, id1{0};
        result.append_spikes("sorted", first, id3);
        result.append_spikes("sorted", later, id1);  // equal and later times keep the order
        result.append_spikes("unsorted", first, id3);
        result.append_spikes("unsorted", earlier, id1);  // goes back in time across appends
    }
    Id f(open_read_only(path));
    Id sorted(H5Gopen2(f, "/spikes/sorted", H5P_DEFAULT));
    Id unsorted(H5Gopen2(f, "/spikes/unsorted", H5P_DEFAULT));
    EXPECT_EQ(read_enum_attribute(sorted, "sorting"), "by_time");
    EXPECT_EQ(read_enum_attribute(unsorted, "sorting"), "none");
    EXPECT_EQ(read_doubles(f, "/spikes/unsorted/timestamps"), (std::vector<double>{1.0, 2.0, 2.0, 1.5}));
}

TEST_F(ResultFileTest, IdenticalCallsWriteIdenticalBytes) {
    // No modification times are stored, so runs can be compared file to file.
    auto write = [&](const fs::path& path) {
        Hdf5ResultFile result(path, example_metadata());
        result.add_spike_population("exc", 100);
        std::vector<double> times;
        std::vector<std::uint64_t> ids;
        make_spikes(5000, 0.1, times, ids);
        result.append_spikes("exc", times, ids);
        const std::vector<std::uint64_t> report_ids{1, 2};
        result.add_state_report("exc", "v", "mV", report_ids, 0.0, 1.0);
        const std::vector<double> row{-70.0, -69.0};
        result.append_state_rows("exc", "v", row, 1);
        result.set_summary("rate_Hz", 4.5);
        result.mark_complete(1000.0);
    };
    write(file("a.h5"));
    // HDF5 stores times in whole seconds, so two writes within one second would match
    // even with times stored: check directly that no object carries a time.
    {
        Id f(open_read_only(file("a.h5")));
        std::vector<std::string> objects_with_times;
        H5Ovisit2(
            f, H5_INDEX_NAME, H5_ITER_INC,
            [](hid_t, const char* name, const H5O_info_t* info, void* data) -> herr_t {
                if (info->atime != 0 || info->mtime != 0 || info->ctime != 0 || info->btime != 0)
                    static_cast<std::vector<std::string>*>(data)->push_back(name);
                return 0;
            },
            &objects_with_times, H5O_INFO_TIME);
        EXPECT_TRUE(objects_with_times.empty()) << "objects with times, first: " << objects_with_times.front();
    }
    write(file("b.h5"));
    const std::string a = read_bytes(file("a.h5"));
    EXPECT_FALSE(a.empty());
    EXPECT_TRUE(a == read_bytes(file("b.h5"))) << "two identical runs wrote different files";
}

TEST_F(ResultFileTest, MisuseIsRefusedWithMessagesNamingTheProblem) {
    Hdf5ResultFile result(file("misuse.h5"), example_metadata());
    result.add_spike_population("excitatory", 100);

    const std::vector<double> two_times{1.0, 2.0};
    const std::vector<std::uint64_t> one_id{0};
    try {
        result.append_spikes("excitatory", two_times, one_id);
        ADD_FAILURE() << "no ValueError";
    } catch (const ValueError& e) {
        EXPECT_NE(std::string(e.what()).find("2 spike times but 1 node ids"), std::string::npos) << e.what();
    }
    try {
        result.append_spikes("excitatroy", {}, {});
        ADD_FAILURE() << "no KeyError";
    } catch (const KeyError& e) {
        const std::string message = e.what();
        EXPECT_NE(message.find("no spike population 'excitatroy'"), std::string::npos) << message;
        EXPECT_NE(message.find("did you mean 'excitatory'"), std::string::npos) << message;
    }
    EXPECT_THROW(result.add_spike_population("excitatory", 100), ValueError);
    EXPECT_THROW(result.add_spike_population("", 100), ValueError);
    try {
        result.add_spike_population("a/b", 100);
        ADD_FAILURE() << "no ValueError";
    } catch (const ValueError& e) {
        EXPECT_NE(std::string(e.what()).find("'a/b' must not contain '/'"), std::string::npos) << e.what();
    }

    const std::vector<std::uint64_t> ids{0, 1};
    EXPECT_THROW(result.add_state_report("excitatory", "v", "mV", {}, 0.0, 1.0), ValueError);
    try {
        result.add_state_report("excitatory", "v", "mV", ids, 0.0, 0.0);
        ADD_FAILURE() << "no ValueError";
    } catch (const ValueError& e) {
        EXPECT_NE(std::string(e.what()).find("interval must be > 0 ms and finite, got 0"), std::string::npos)
            << e.what();
    }
    result.add_state_report("excitatory", "v", "mV", ids, 0.0, 1.0);
    EXPECT_THROW(result.add_state_report("excitatory", "v", "mV", ids, 0.0, 1.0), ValueError);
    const std::vector<double> three_values{1.0, 2.0, 3.0};
    try {
        result.append_state_rows("excitatory", "v", three_values, 2);
        ADD_FAILURE() << "no ValueError";
    } catch (const ValueError& e) {
        EXPECT_NE(std::string(e.what()).find("2 rows of 2 neurons need 4 values, got 3"), std::string::npos)
            << e.what();
    }
    EXPECT_THROW(result.append_state_rows("excitatory", "u", three_values, 1), KeyError);

    result.close();
    result.close();  // harmless
    EXPECT_THROW(result.flush(), InternalError);
}
