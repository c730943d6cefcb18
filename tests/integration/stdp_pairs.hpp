#pragma once
// The network the STDP tests measure rules on: n independent plastic synapses
// pre[i] -> post[i] with forced spike times. pre[i] is a SpikeSourceArray firing at
// pre_times[i]; post[i] is an IF_curr_delta neuron without leak that a static 100 mV input
// from a driver makes fire in the step it arrives (at post_times[i]); the plastic input
// (w0, far below v_thresh) never adds or removes a spike.

#include <string_view>
#include <vector>

#include "neurodyn/network/spec.hpp"

namespace neurodyn::stdp_test {

struct StdpPairsSetup {
    double dt = 0.1;           // ms
    double delay = 1.0;        // ms, the plastic projection's (dendritic) delay
    double drive_delay = 1.0;  // ms, driver -> post
    double w0 = 0.0;           // initial plastic weight
    double v_thresh = 1.0;     // mV, the postsynaptic threshold (the driver's 100 mV exceeds it)
};

inline NetworkSpec stdp_pairs_network(const std::vector<std::vector<double>>& pre_times,
                                      const std::vector<std::vector<double>>& post_times, const SynapseSpec& synapse,
                                      double duration, const StdpPairsSetup& setup) {
    const std::size_t n = pre_times.size();
    NetworkSpec spec;
    spec.simulation = {setup.dt, duration, 7};
    std::vector<std::vector<double>> driver_times(n);
    for (std::size_t i = 0; i < n; ++i)
        for (double t : post_times[i]) driver_times[i].push_back(t - setup.drive_delay);
    spec.populations = {
        {"pre", "SpikeSourceArray", n, {}, {}, pre_times},
        {"driver", "SpikeSourceArray", n, {}, {}, driver_times},
        {"post",
         "IF_curr_delta",
         n,
         {{"v_rest", 0.0}, {"v_reset", 0.0}, {"v_thresh", setup.v_thresh}, {"tau_m", 1e15}, {"tau_refrac", 0.0}},
         {{"v", 0.0}},
         {}},
    };
    ProjectionSpec plastic;
    plastic.name = "plastic";
    plastic.source = "pre";
    plastic.target = "post";
    plastic.connector.kind = ConnectorSpec::Kind::one_to_one;
    plastic.weight = setup.w0;
    plastic.delay = setup.delay;
    plastic.synapse = synapse;
    ProjectionSpec drive;
    drive.source = "driver";
    drive.target = "post";
    drive.connector.kind = ConnectorSpec::Kind::one_to_one;
    drive.weight = 100.0;
    drive.delay = setup.drive_delay;
    spec.projections = {plastic, drive};
    return spec;
}

// A model file up to its one (excitatory, conductance-based) projection's `synapse`
// key: model-file tests append their synapse table to it.
inline constexpr std::string_view kModelFileHead = R"(
[simulation]
dt = 0.1
duration = 10.0
[[population]]
name = "a"
model = "SpikeSourcePoisson"
size = 3
params = { rate = 20.0 }
[[population]]
name = "b"
model = "IF_cond_exp"
size = 2
[[projection]]
source = "a"
target = "b"
weight = 0.004
connector = { type = "all_to_all" }
)";

}  // namespace neurodyn::stdp_test
