#include "neurodyn/record/weight_trace_recorder.hpp"

#include <set>

#include "neurodyn/models/registry.hpp"

namespace neurodyn {

WeightTraceRecorder::WeightTraceRecorder(const Simulator& simulator) : traces_(simulator.weight_probes().size()) {}

void WeightTraceRecorder::on_epoch(const Simulator& simulator, const EpochSpikes&) {
    const auto& probes = simulator.weight_probes();
    for (std::size_t i = 0; i < probes.size(); ++i) {
        traces_[i].times.insert(traces_[i].times.end(), probes[i].pending_times.begin(), probes[i].pending_times.end());
        traces_[i].values.insert(traces_[i].values.end(), probes[i].pending_values.begin(), probes[i].pending_values.end());
    }
}

std::vector<std::string> weight_trace_names(const Simulator& simulator) {
    std::vector<std::string> names;
    std::set<std::string> used;
    for (const WeightProbe& probe : simulator.weight_probes()) {
        const std::string& projection = simulator.spec().projections[probe.projection].name;
        std::string name = projection.empty() || projection.find('/') != std::string::npos || projection == "." ||
                                   projection == ".."
                               ? std::to_string(probe.projection)
                               : projection;
        if (used.count(name)) name += "_" + std::to_string(probe.recorder);
        used.insert(name);
        names.push_back(std::move(name));
    }
    return names;
}

std::string weight_unit(const NetworkSpec& spec, std::size_t index) {
    const ProjectionSpec& proj = spec.projections[index];
    const ModelInfo& target = find_model(spec.populations[static_cast<std::size_t>(spec.population_index(proj.target))].model);
    switch (target.port_kind) {
        case PortKind::current: return "nA";
        case PortKind::conductance: return "uS";
        case PortKind::voltage: return "mV";
        case PortKind::rate: return "1";
    }
    return "1";
}

}  // namespace neurodyn
