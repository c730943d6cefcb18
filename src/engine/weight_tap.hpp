#pragma once
// The part of one weights recorder (a WeightProbe of the Simulator) that one shard holds:
// the recorded synapses that live in the shard's table of the projection, located once
// when the network is built, so that a sample reads exactly those synapses and never
// walks the projection (src/engine/weight_sampling.cpp).

#include <cstddef>
#include <cstdint>
#include <vector>

#include "neurodyn/core/time.hpp"

namespace neurodyn {

struct WeightTap {
    std::size_t probe = 0;  // index in Simulator::weight_probes()
    std::size_t table = 0;  // index in Shard::stdp, or in Shard::rate_hebbian when `rate`
    bool rate = false;
    Step interval_steps = 1;
    // The step whose end is the time of the next sample (sample times are multiples of
    // the interval from t = 0).
    Step next_sample_step = 0;
    // Per tapped synapse: its source (population-local), its position in the table and
    // its column in the probe.
    std::vector<std::uint32_t> sources;
    std::vector<std::uint64_t> positions;
    std::vector<std::uint32_t> columns;
    // Samples taken in the running epoch, row-major [sample][tapped synapse]; the
    // Simulator moves them into the probe after the epoch's delivery.
    std::vector<double> values;
};

}  // namespace neurodyn
