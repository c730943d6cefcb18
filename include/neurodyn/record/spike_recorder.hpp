#pragma once
// In-memory spike recording: the spikes of chosen populations, as arrays of times (ms)
// and population-local ids in time order.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "neurodyn/engine/simulator.hpp"

namespace neurodyn {

struct SpikeTrains {
    std::vector<double> times_ms;
    std::vector<std::uint32_t> ids;  // population-local
};

class SpikeRecorder final : public EpochObserver {
public:
    // Records what the spec's spike recorders select; with `all_populations`, every
    // neuron of every population instead.
    explicit SpikeRecorder(const Simulator& simulator, bool all_populations = false);

    void on_epoch(const Simulator& simulator, const EpochSpikes& spikes) override;

    bool records(const std::string& population) const { return trains_.count(population) != 0; }
    // KeyError if the population is not recorded.
    const SpikeTrains& spikes(const std::string& population) const;
    void clear();

private:
    // Per population: whether each neuron is recorded (empty = all).
    std::vector<std::vector<bool>> selected_;
    std::vector<bool> population_recorded_;
    std::map<std::string, SpikeTrains> trains_;
};

}  // namespace neurodyn
