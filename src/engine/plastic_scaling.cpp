// Synaptic scaling of an STDP projection's weights (homeostasis, docs/plasticity.md).

#include <algorithm>

#include "neurodyn/core/error.hpp"
#include "neurodyn/engine/plastic_stdp.hpp"

namespace neurodyn {

void StdpProjection::scale_weights(std::span<const double> factor_per_target, Step step) {
    if (factor_per_target.size() != n_post_)
        throw InternalError("synaptic scaling: " + std::to_string(factor_per_target.size()) + " factors for " +
                            std::to_string(n_post_) + " target neurons");
    // The pairings that reached the synapses in steps <= `step` change the weights before
    // the scaling does, as they would without it.
    bring_up_to(step);
    const double w_min = dependence_.w_min, w_max = dependence_.w_max;
    const double* factor = factor_per_target.data();
    for (std::size_t k = 0; k < weight_.size(); ++k)
        weight_[k] = std::clamp(weight_[k] * factor[input_[k] - first_input_], w_min, w_max);
}

}  // namespace neurodyn
