#include "neurodyn/record/weight_snapshot.hpp"

#include <set>
#include <string>
#include <vector>

namespace neurodyn {

void write_weight_snapshots(Simulator& simulator, Hdf5ResultFile* file) {
    const auto& projections = simulator.spec().projections;
    std::set<std::string> used;
    for (std::size_t p = 0; p < projections.size(); ++p) {
        const ProjectionSpec& proj = projections[p];
        if (!proj.synapse.plastic_weights()) continue;
        const std::vector<double> weights = simulator.weights(p);  // collective
        if (!file) continue;
        std::string name = proj.name;
        if (name.empty() || name.find('/') != std::string::npos || used.count(name)) name = std::to_string(p);
        used.insert(name);
        const auto synapses = simulator.connections(p);
        std::vector<std::uint64_t> sources(synapses.size()), targets(synapses.size());
        for (std::size_t k = 0; k < synapses.size(); ++k) {
            sources[k] = synapses[k].source;
            targets[k] = synapses[k].target;
        }
        file->write_weights(name, proj.source, proj.target, sources, targets, weights);
    }
}

}  // namespace neurodyn
