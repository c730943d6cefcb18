#pragma once
// Streams a run's recordings into an HDF5 result file as the run proceeds: the spikes of
// the populations the spec's spike recorders select, its state probes and its weight
// probes (weights recorders). Buffers are
// written in chunks and the file is flushed regularly, so an interrupted run leaves a
// readable file (marked incomplete).

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "neurodyn/engine/simulator.hpp"
#include "neurodyn/record/hdf5_result_file.hpp"

namespace neurodyn {

class Hdf5Recorder final : public EpochObserver {
public:
    Hdf5Recorder(const std::filesystem::path& path, const Simulator& simulator, const ResultMetadata& meta);

    void on_epoch(const Simulator& simulator, const EpochSpikes& spikes) override;

    // Writes what is buffered and marks the file complete, or incomplete with `reason`.
    void finish(const Simulator& simulator, bool complete, const std::string& reason = {});
    Hdf5ResultFile& file() { return *file_; }

private:
    struct Buffer {
        std::string population;
        std::vector<bool> selected;  // empty = every neuron
        std::vector<double> times_ms;
        std::vector<std::uint64_t> ids;
    };
    void write_buffers();

    std::unique_ptr<Hdf5ResultFile> file_;
    std::vector<int> buffer_of_population_;  // -1 when not recorded
    std::vector<Buffer> buffers_;
    std::size_t buffered_spikes_ = 0;
    std::vector<std::string> weight_trace_names_;  // /weight_traces group of each weight probe
    std::chrono::steady_clock::time_point last_flush_;
};

}  // namespace neurodyn
