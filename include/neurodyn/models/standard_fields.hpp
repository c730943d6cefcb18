#pragma once
// Parameter and state fields that several models share with the same PyNN name, unit,
// default and meaning: each model's table lists them by name here, so the defaults
// and docs of the integrate-and-fire family cannot drift apart.

#include "neurodyn/models/model_info.hpp"

namespace neurodyn::models::field {

inline constexpr FieldInfo cm{"cm", "nF", 1.0, Bound::positive, "membrane capacitance"};
inline constexpr FieldInfo tau_m{"tau_m", "ms", 20.0, Bound::positive, "membrane time constant"};
inline constexpr FieldInfo tau_refrac{"tau_refrac", "ms", 0.1, Bound::non_negative, "refractory period"};
inline constexpr FieldInfo v_rest{"v_rest", "mV", -65.0, Bound::any, "resting membrane potential"};
inline constexpr FieldInfo v_reset{"v_reset", "mV", -65.0, Bound::any, "reset potential after a spike"};
inline constexpr FieldInfo v_thresh{"v_thresh", "mV", -50.0, Bound::any, "spike threshold"};
inline constexpr FieldInfo i_offset{"i_offset", "nA", 0.0, Bound::any, "constant injected current"};
inline constexpr FieldInfo e_rev_E{"e_rev_E", "mV", 0.0, Bound::any, "excitatory reversal potential"};
inline constexpr FieldInfo e_rev_I{"e_rev_I", "mV", -70.0, Bound::any, "inhibitory reversal potential"};

// State.
inline constexpr FieldInfo v{"v", "mV", -65.0, Bound::any, "membrane potential"};
inline constexpr FieldInfo isyn_exc{"isyn_exc", "nA", 0.0, Bound::any, "excitatory synaptic current"};
inline constexpr FieldInfo isyn_inh{"isyn_inh", "nA", 0.0, Bound::any, "inhibitory synaptic current"};
inline constexpr FieldInfo gsyn_exc{"gsyn_exc", "uS", 0.0, Bound::non_negative, "excitatory synaptic conductance"};
inline constexpr FieldInfo gsyn_inh{"gsyn_inh", "uS", 0.0, Bound::non_negative, "inhibitory synaptic conductance"};

// Spike trains of sources.
inline constexpr FieldInfo start{"start", "ms", 0.0, Bound::non_negative, "time of the start of the spike train"};
inline constexpr FieldInfo duration{"duration", "ms", 1e10, Bound::non_negative, "length of the spike train"};

}  // namespace neurodyn::models::field
