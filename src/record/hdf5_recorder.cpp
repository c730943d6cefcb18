#include "neurodyn/record/hdf5_recorder.hpp"

#include <algorithm>

#include "neurodyn/record/weight_trace_recorder.hpp"

namespace neurodyn {

namespace {
// Spikes are appended in blocks of this many (about 1 MB of times and ids), and the
// file is flushed at least this often, which bounds what a crash can lose.
constexpr std::size_t kSpikesPerWrite = 1u << 16;
constexpr double kFlushSeconds = 2.0;
}  // namespace

Hdf5Recorder::Hdf5Recorder(const std::filesystem::path& path, const Simulator& simulator, const ResultMetadata& meta)
    : file_(std::make_unique<Hdf5ResultFile>(path, meta)), last_flush_(std::chrono::steady_clock::now()) {
    const auto& pops = simulator.populations();
    buffer_of_population_.assign(pops.size(), -1);
    for (const auto& rec : simulator.spec().recorders) {
        if (rec.kind != RecorderSpec::Kind::spikes) continue;
        const auto p = static_cast<std::size_t>(simulator.spec().population_index(rec.population));
        if (buffer_of_population_[p] < 0) {
            buffer_of_population_[p] = static_cast<int>(buffers_.size());
            Buffer buffer;
            buffer.population = pops[p].name;
            buffer.selected.assign(pops[p].size, false);
            buffers_.push_back(std::move(buffer));
        }
        Buffer& buffer = buffers_[static_cast<std::size_t>(buffer_of_population_[p])];
        if (rec.neurons.empty()) {
            buffer.selected.assign(pops[p].size, true);
        } else {
            for (const auto id : rec.neurons) buffer.selected[id] = true;
        }
    }
    for (auto& buffer : buffers_) {
        const auto recorded = static_cast<std::uint64_t>(std::count(buffer.selected.begin(), buffer.selected.end(), true));
        file_->add_spike_population(buffer.population, recorded);
        if (recorded == buffer.selected.size()) buffer.selected.clear();
    }
    for (const auto& probe : simulator.state_probes()) {
        const std::vector<std::uint64_t> ids(probe.neurons.begin(), probe.neurons.end());
        file_->add_state_report(probe.population, probe.variable, probe.unit, ids, 0.0,
                                ms_from_steps(probe.interval_steps, simulator.dt()));
    }
    // Weights recorders: /weight_traces/<name>, with the neurons of each recorded synapse.
    weight_trace_names_ = weight_trace_names(simulator);
    for (std::size_t w = 0; w < simulator.weight_probes().size(); ++w) {
        const WeightProbe& probe = simulator.weight_probes()[w];
        const ProjectionSpec& proj = simulator.spec().projections[probe.projection];
        const auto synapses = simulator.connections(probe.projection);  // regenerated once, here
        Hdf5ResultFile::WeightTraceLayout layout;
        layout.projection = proj.name.empty() ? proj.source + "->" + proj.target : proj.name;
        layout.projection_index = probe.projection;
        layout.source_population = proj.source;
        layout.target_population = proj.target;
        layout.units = weight_unit(simulator.spec(), probe.projection);
        layout.synapses = probe.synapses;
        for (const std::uint64_t k : probe.synapses) {
            layout.sources.push_back(synapses[k].source);
            layout.targets.push_back(synapses[k].target);
        }
        layout.t_start_ms = 0.0;
        layout.interval_ms = ms_from_steps(probe.interval_steps, simulator.dt());
        file_->add_weight_trace(weight_trace_names_[w], layout);
    }
}

void Hdf5Recorder::on_epoch(const Simulator& simulator, const EpochSpikes& spikes) {
    const auto& pops = simulator.populations();
    const double dt = simulator.dt();
    for (std::size_t i = 0; i < spikes.global_ids.size(); ++i) {
        const std::uint32_t gid = spikes.global_ids[i];
        const std::size_t p = simulator.population_of(gid);
        const int b = buffer_of_population_[p];
        if (b < 0) continue;
        Buffer& buffer = buffers_[static_cast<std::size_t>(b)];
        const std::uint32_t local = gid - pops[p].first_global_id;
        if (!buffer.selected.empty() && !buffer.selected[local]) continue;
        buffer.times_ms.push_back(ms_from_steps(spikes.steps[i] + 1, dt));
        buffer.ids.push_back(local);
        ++buffered_spikes_;
    }
    for (const auto& probe : simulator.state_probes())
        if (!probe.pending_times.empty())
            file_->append_state_rows(probe.population, probe.variable, probe.pending_values, probe.pending_times.size());
    for (std::size_t w = 0; w < simulator.weight_probes().size(); ++w) {
        const WeightProbe& probe = simulator.weight_probes()[w];
        if (!probe.pending_times.empty())
            file_->append_weight_rows(weight_trace_names_[w], probe.pending_values, probe.pending_times.size());
    }
    const auto now = std::chrono::steady_clock::now();
    const bool flush_due = std::chrono::duration<double>(now - last_flush_).count() > kFlushSeconds;
    if (buffered_spikes_ >= kSpikesPerWrite || flush_due) write_buffers();
    if (flush_due) {
        file_->flush();
        last_flush_ = now;
    }
}

void Hdf5Recorder::write_buffers() {
    for (auto& buffer : buffers_) {
        if (buffer.times_ms.empty()) continue;
        file_->append_spikes(buffer.population, buffer.times_ms, buffer.ids);
        buffer.times_ms.clear();
        buffer.ids.clear();
    }
    buffered_spikes_ = 0;
}

void Hdf5Recorder::finish(const Simulator& simulator, bool complete, const std::string& reason) {
    write_buffers();
    if (complete)
        file_->mark_complete(simulator.time_ms());
    else
        file_->mark_incomplete(simulator.time_ms(), reason);
    file_->flush();
}

}  // namespace neurodyn
