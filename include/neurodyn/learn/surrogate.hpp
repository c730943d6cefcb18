#pragma once
// Surrogate derivatives of the spike for gradient training, chosen by name.
//
// The functions themselves live with the trainable models (models/if_curr_exp.hpp:
// SpikeSurrogate), so that a model's forward and backward steps share one header; this
// header is the learn layer's way to choose and check one.
//   fast_sigmoid: dS/dx = 1 / (1 + k |x|)^2              (snnTorch fast_sigmoid, slope k)
//   arctan:       dS/dx = (k/2) / (1 + (pi k x / 2)^2)    (snnTorch atan, alpha k)
// x = (u - threshold) / (v_thresh - v_rest).

#include <string>
#include <string_view>

#include "neurodyn/models/if_curr_exp.hpp"

namespace neurodyn::learn {

using models::SpikeSurrogate;
using models::SurrogateKind;

// "fast_sigmoid" or "arctan" with slope > 0 (finite); ValueError naming the bad argument.
SpikeSurrogate make_surrogate(std::string_view kind, double slope);
std::string_view surrogate_name(SurrogateKind kind);

}  // namespace neurodyn::learn
