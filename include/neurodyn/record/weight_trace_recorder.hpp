#pragma once
// The samples of a run's weights recorders (Simulator::weight_probes, docs/plasticity.md):
// kept in memory since the start for the Python API, and the names and units under which
// the HDF5 result file stores them (/weight_traces/<name>, docs/output-format.md).

#include <string>
#include <vector>

#include "neurodyn/engine/simulator.hpp"

namespace neurodyn {

class WeightTraceRecorder final : public EpochObserver {
public:
    struct Trace {
        std::vector<double> times;   // ms
        std::vector<double> values;  // row-major [sample][synapse], columns as WeightProbe::synapses
    };

    explicit WeightTraceRecorder(const Simulator& simulator);
    void on_epoch(const Simulator& simulator, const EpochSpikes& spikes) override;
    // One per weight probe, in the same order.
    const std::vector<Trace>& traces() const { return traces_; }

private:
    std::vector<Trace> traces_;
};

// The group name of each weight probe in /weight_traces: the projection's name (its index
// in the spec when the name is empty or contains '/'), followed by "_<recorder index>"
// when an earlier weights recorder already took that name.
std::vector<std::string> weight_trace_names(const Simulator& simulator);

// The unit of projection `index`'s weights: that of its target's receptor port ("nA" for
// currents, "uS" for conductances, "mV" for voltage jumps, "1" for rate inputs).
std::string weight_unit(const NetworkSpec& spec, std::size_t index);

}  // namespace neurodyn
