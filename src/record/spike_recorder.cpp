#include "neurodyn/record/spike_recorder.hpp"

#include "neurodyn/core/error.hpp"
#include "neurodyn/core/strings.hpp"

namespace neurodyn {

SpikeRecorder::SpikeRecorder(const Simulator& simulator, bool all_populations) {
    const auto& pops = simulator.populations();
    selected_.resize(pops.size());
    population_recorded_.assign(pops.size(), all_populations);
    if (!all_populations) {
        for (const auto& rec : simulator.spec().recorders) {
            if (rec.kind != RecorderSpec::Kind::spikes) continue;
            const auto p = static_cast<std::size_t>(simulator.spec().population_index(rec.population));
            const bool everything = rec.neurons.empty() || (population_recorded_[p] && selected_[p].empty());
            population_recorded_[p] = true;
            if (everything) {
                selected_[p].clear();
                continue;
            }
            selected_[p].resize(pops[p].size, false);
            for (const auto id : rec.neurons) selected_[p][id] = true;
        }
    }
    for (std::size_t p = 0; p < pops.size(); ++p)
        if (population_recorded_[p]) trains_[pops[p].name];
}

void SpikeRecorder::on_epoch(const Simulator& simulator, const EpochSpikes& spikes) {
    const auto& pops = simulator.populations();
    const double dt = simulator.dt();
    for (std::size_t i = 0; i < spikes.global_ids.size(); ++i) {
        const std::uint32_t gid = spikes.global_ids[i];
        const std::size_t p = simulator.population_of(gid);
        if (!population_recorded_[p]) continue;
        const std::uint32_t local = gid - pops[p].first_global_id;
        if (!selected_[p].empty() && !selected_[p][local]) continue;
        auto& train = trains_[pops[p].name];
        train.times_ms.push_back(ms_from_steps(spikes.steps[i] + 1, dt));
        train.ids.push_back(local);
    }
}

const SpikeTrains& SpikeRecorder::spikes(const std::string& population) const {
    auto it = trains_.find(population);
    if (it == trains_.end()) {
        std::vector<std::string> names;
        for (const auto& [name, train] : trains_) names.push_back(name);
        throw KeyError("spikes of population '" + population + "' are not recorded" + did_you_mean(population, names) +
                       (names.empty() ? std::string(" (no population is recorded)") : " (recorded: " + join(names) + ")"));
    }
    return it->second;
}

void SpikeRecorder::clear() {
    for (auto& [name, train] : trains_) train = {};
}

}  // namespace neurodyn
