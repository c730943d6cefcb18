#pragma once
// The timing rules an stdp synapse can follow (docs/plasticity.md): pair-based
// (stdp_spike_pair.hpp), triplet (stdp_triplet.hpp), inhibitory Vogels–Sprekeler
// (stdp_vogels_sprekeler.hpp) and dopamine-modulated (stdp_dopamine.hpp).

#include "neurodyn/models/stdp_dopamine.hpp"
#include "neurodyn/models/stdp_spike_pair.hpp"
#include "neurodyn/models/stdp_triplet.hpp"
#include "neurodyn/models/stdp_vogels_sprekeler.hpp"

namespace neurodyn::models {

enum class StdpTimingKind { spike_pair, triplet, vogels_sprekeler, dopamine };

// The model file's `timing.type` for each rule.
inline const char* stdp_timing_name(StdpTimingKind kind) {
    switch (kind) {
        case StdpTimingKind::spike_pair: return "spike_pair";
        case StdpTimingKind::triplet: return "triplet";
        case StdpTimingKind::vogels_sprekeler: return "vogels_sprekeler";
        case StdpTimingKind::dopamine: return "dopamine";
    }
    return "spike_pair";
}

}  // namespace neurodyn::models
