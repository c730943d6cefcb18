#include "neurodyn/engine/plastic_rate.hpp"

#include <algorithm>

#include "neurodyn/core/error.hpp"

namespace neurodyn {

RateHebbianProjection::RateHebbianProjection(const models::RateHebbianRule& rule, double dt_ms,
                                             std::uint32_t first_source_id, std::uint32_t n_sources,
                                             std::uint32_t first_post_index, std::uint32_t n_post,
                                             std::uint32_t first_input)
    : rule_(rule),
      dt_ms_(dt_ms),
      first_source_id_(first_source_id),
      n_sources_(n_sources),
      first_post_index_(first_post_index),
      n_post_(n_post),
      first_input_(first_input) {}

void RateHebbianProjection::build(std::span<const IncomingSynapse> generated, std::span<const double> weights) {
    if (weights.size() != generated.size())
        throw InternalError("rate_hebbian build: " + std::to_string(weights.size()) + " weights for " +
                            std::to_string(generated.size()) + " synapses");
    row_offset_.assign(static_cast<std::size_t>(n_post_) + 1, 0);
    source_.resize(generated.size());
    delay_.resize(generated.size());
    weight_.assign(weights.begin(), weights.end());
    std::uint16_t max_delay = 1;
    for (std::size_t k = 0; k < generated.size(); ++k) {
        const IncomingSynapse& syn = generated[k];
        ++row_offset_[syn.target - first_post_index_ + 1];
        source_[k] = syn.source;
        delay_[k] = syn.delay_steps;
        max_delay = std::max(max_delay, syn.delay_steps);
    }
    for (std::size_t i = 0; i < n_post_; ++i) row_offset_[i + 1] += row_offset_[i];
    history_steps_ = max_delay;
    source_history_.assign(static_cast<std::size_t>(history_steps_) * n_sources_, 0.0);
    sent_.assign(static_cast<std::size_t>(history_steps_) + 1, nullptr);
    if (rule_.kind == models::RateHebbianKind::bcm) theta_.assign(n_post_, rule_.theta_initial);
}

void RateHebbianProjection::store_source_outputs(Step step, std::uint32_t first_id, std::span<const double> values) {
    // The block may hold a part of the population (one shard's neurons) or none of it.
    const std::uint64_t begin = std::max<std::uint64_t>(first_id, first_source_id_);
    const std::uint64_t end = std::min<std::uint64_t>(std::uint64_t{first_id} + values.size(),
                                                      std::uint64_t{first_source_id_} + n_sources_);
    if (begin >= end) return;
    double* row = source_history_.data() + static_cast<std::size_t>(step % history_steps_) * n_sources_;
    std::copy(values.begin() + static_cast<std::ptrdiff_t>(begin - first_id),
              values.begin() + static_cast<std::ptrdiff_t>(end - first_id), row + (begin - first_source_id_));
}

void RateHebbianProjection::point_at_sent(Step step) const {
    for (std::uint16_t d = 1; d <= history_steps_; ++d) sent_[d] = outputs_sent(step, d);
}

void RateHebbianProjection::add_input(Step step, double* arriving) const {
    point_at_sent(step);
    const double* const* sent = sent_.data();
    double* input = arriving + first_input_;
    for (std::uint32_t i = 0; i < n_post_; ++i) {
        double sum = 0.0;
        for (std::uint64_t k = row_offset_[i]; k < row_offset_[i + 1]; ++k) sum += weight_[k] * sent[delay_[k]][source_[k]];
        input[i] += sum;
    }
}

void RateHebbianProjection::learn(Step step, const double* post_output) {
    switch (rule_.kind) {
        case models::RateHebbianKind::hebb: learn_as<models::RateHebbianKind::hebb>(step, post_output); break;
        case models::RateHebbianKind::anti_hebbian: learn_as<models::RateHebbianKind::anti_hebbian>(step, post_output); break;
        case models::RateHebbianKind::oja: learn_as<models::RateHebbianKind::oja>(step, post_output); break;
        case models::RateHebbianKind::bcm: learn_as<models::RateHebbianKind::bcm>(step, post_output); break;
    }
}

template <models::RateHebbianKind Kind>
void RateHebbianProjection::learn_as(Step step, const double* post_output) {
    // add_input(step) pointed sent_ at this step's arrivals; nothing has changed them since.
    const double* const* sent = sent_.data();
    const double rate = rule_.eta * dt_ms_;  // per step
    const double decay = rule_.decay;
    const double w_min = rule_.w_min, w_max = rule_.w_max;
    const double theta_step = dt_ms_ / rule_.tau_theta;
    for (std::uint32_t i = 0; i < n_post_; ++i) {
        const double y = post_output[i];
        // The factor of x in dw/dt, and (oja) of w: dw = rate (gain x - loss w).
        double gain = 0.0, loss = 0.0;
        if constexpr (Kind == models::RateHebbianKind::hebb) {
            gain = y;
            loss = decay;
        } else if constexpr (Kind == models::RateHebbianKind::anti_hebbian) {
            gain = -y;
            loss = decay;
        } else if constexpr (Kind == models::RateHebbianKind::oja) {
            gain = y;
            loss = y * y;
        } else {
            gain = y * (y - theta_[i]);  // theta from before this step
        }
        for (std::uint64_t k = row_offset_[i]; k < row_offset_[i + 1]; ++k) {
            const double x = sent[delay_[k]][source_[k]];
            const double w = weight_[k] + rate * (gain * x - loss * weight_[k]);
            weight_[k] = std::clamp(w, w_min, w_max);
        }
        if constexpr (Kind == models::RateHebbianKind::bcm) theta_[i] += theta_step * (y * y - theta_[i]);
    }
}

void RateHebbianProjection::write_weights(std::span<const double> values) {
    if (values.size() != weight_.size())
        throw InternalError("rate_hebbian write_weights: " + std::to_string(values.size()) + " values for " +
                            std::to_string(weight_.size()) + " synapses");
    std::copy(values.begin(), values.end(), weight_.begin());
}

std::size_t RateHebbianProjection::bytes() const {
    return row_offset_.capacity() * sizeof(std::uint64_t) + source_.capacity() * sizeof(std::uint32_t) +
           delay_.capacity() * sizeof(std::uint16_t) + weight_.capacity() * sizeof(double) +
           theta_.capacity() * sizeof(double) + source_history_.capacity() * sizeof(double);
}

}  // namespace neurodyn
