// The dopamine-modulated rule of StdpProjection (models/stdp_dopamine.hpp): pairings
// change each synapse's eligibility trace c, and the weight follows dw/dt = c (n - b),
// integrated exactly between events (postsynaptic arrivals, the modulator's jumps, the
// presynaptic spike), in time order, as NEST's stdp_dopamine_synapse does.

#include <algorithm>
#include <cmath>
#include <limits>

#include "neurodyn/engine/plastic_stdp.hpp"

namespace neurodyn {

double StdpProjection::post_trace_at(const std::vector<PostSpike>& history, std::uint16_t d, Step step) const {
    auto it = std::upper_bound(history.begin(), history.end(), step - d - 1,
                               [](Step bound, const PostSpike& spike) { return bound < spike.step; });
    if (it == history.begin()) return 0.0;
    --it;
    return models::decay_trace(it->trace_after, static_cast<double>(step - d - it->step) * dt_ms_, tau_post_ms_);
}

void StdpProjection::integrate_dopamine(std::uint64_t k, const std::vector<PostSpike>& history, std::uint16_t d, Step from,
                                        Step to, Step last, double trace, std::ptrdiff_t jump) {
    constexpr Step kNever = std::numeric_limits<Step>::max();
    const std::vector<ModulatorSignal::Jump>& jumps = modulator_->jumps();
    const double tau_n_ms = modulator_->tau_ms(), n_base = modulator_->baseline();
    const double w_min = dependence_.w_min, w_max = dependence_.w_max;
    double w = weight_[k], c = eligibility_[k];
    double n = modulator_->value(from, jump);
    std::size_t next_jump = static_cast<std::size_t>(jump + 1);
    // Arrivals in (from, to]: emission steps in (from - d, to - d].
    auto arrival = std::upper_bound(history.begin(), history.end(), from - d,
                                    [](Step step, const PostSpike& spike) { return step < spike.step; });
    Step t = from;
    while (true) {
        const Step arrival_step = arrival != history.end() && arrival->step + d <= to ? arrival->step + d : kNever;
        const Step jump_step = next_jump < jumps.size() && jumps[next_jump].step <= to ? jumps[next_jump].step : kNever;
        const Step event = std::min({arrival_step, jump_step, to});
        if (event > t) {
            const double interval_ms = static_cast<double>(event - t) * dt_ms_;
            if (c != 0.0)
                w = std::clamp(w + models::dopamine_weight_change(c, n, n_base, dopamine_b_, interval_ms, tau_c_ms_, tau_n_ms),
                               w_min, w_max);
            c *= std::exp(-interval_ms / tau_c_ms_);
            n = n_base + (n - n_base) * std::exp(-interval_ms / tau_n_ms);
            t = event;
        }
        if (jump_step == event) {
            n = jumps[next_jump++].value_after;
        } else if (arrival_step == event) {
            // A pre-before-post pair: the presynaptic trace where the arrival meets it.
            c += pot_pair_ * models::decay_trace(trace, static_cast<double>(event - last) * dt_ms_, tau_pre_ms_);
            ++arrival;
        } else {
            break;  // reached `to` with no event left there
        }
    }
    weight_[k] = w;
    eligibility_[k] = c;
}

std::uint64_t StdpProjection::deliver_dopamine_spike(std::uint32_t s, Step step, double* const* slot_for_delay) {
    const std::uint64_t begin = row_offset_[s], end = row_offset_[s + 1];
    if (begin == end) return 0;
    const Step last = pre_last_step_[s];
    const double trace = pre_trace_[s];
    const Step from = std::max(last, potentiated_until_);
    // Before the source's first spike every c of the row is 0 and stays 0 (there is no
    // presynaptic trace to pair with): the weights have not changed.
    const std::ptrdiff_t jump = last >= 0 ? modulator_->last_jump_at_or_before(from) : -1;
    for (std::uint64_t k = begin; k < end; ++k) {
        const std::uint16_t d = delay_[k];
        const auto& history = post_history_[input_[k] - first_input_];
        if (last >= 0) integrate_dopamine(k, history, d, from, step, last, trace, jump);
        // A post-before-pre pair: the postsynaptic trace where this spike meets it.
        eligibility_[k] -= dep_pair_ * post_trace_at(history, d, step);
        slot_for_delay[d][input_[k]] += weight_[k];
    }
    const double before = last < 0 ? 0.0 : models::decay_trace(trace, static_cast<double>(step - last) * dt_ms_, tau_pre_ms_);
    pre_trace_[s] = before + 1.0;
    pre_last_step_[s] = step;
    return end - begin;
}

void StdpProjection::bring_dopamine_up_to(Step last_step) {
    for (std::uint32_t s = 0; s < n_sources_; ++s) {
        const Step last = pre_last_step_[s];
        if (last < 0) continue;
        const Step from = std::max(last, potentiated_until_);
        if (from >= last_step) continue;
        const std::ptrdiff_t jump = modulator_->last_jump_at_or_before(from);
        for (std::uint64_t k = row_offset_[s]; k < row_offset_[s + 1]; ++k)
            integrate_dopamine(k, post_history_[input_[k] - first_input_], delay_[k], from, last_step, last, pre_trace_[s],
                               jump);
    }
    potentiated_until_ = last_step;
}

}  // namespace neurodyn
