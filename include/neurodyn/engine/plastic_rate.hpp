#pragma once
// The synapses of one rate-Hebbian projection (models/rate_hebbian.hpp) onto one shard:
// rate units whose weights learn from the product of pre- and postsynaptic outputs at
// every step (docs/plasticity.md, "Hebbian plasticity of rate projections").
//
// Unlike spikes, rate outputs are transmitted every step, and the rule needs the
// postsynaptic output of the step at which an input arrives, which is known only after
// the target has been updated. So these synapses are read where their targets live, in
// the shard's step, as a gather:
//   before the target group's update at step t:  input_i += sum_k w_k x_k(t - d_k)
//   after it (y = the group's new outputs):       w_k += dt dw/dt(x_k(t - d_k), y_i, w_k)
// The presynaptic outputs come from a copy, per projection and shard, of the source
// population's outputs over the last max-delay steps, filled from the exchanged rate
// blocks at the end of every epoch (a delay is at least one epoch, so every value a step
// reads is there). Everything a synapse reads is then either identical in every shard
// (x) or its own (w, y): weights do not depend on the number of shards, threads or
// processes.
//
//   per synapse        source (uint32), delay (uint16), weight (double): 14 bytes, in the
//                      order of generation (by target), so reading and writing weights
//                      is a copy; plus 8 bytes of row offset per target neuron;
//   per target neuron  theta (bcm);
//   per source neuron  max-delay outputs (8 bytes each).

#include <cstdint>
#include <span>
#include <vector>

#include "neurodyn/core/time.hpp"
#include "neurodyn/models/rate_hebbian.hpp"
#include "neurodyn/network/connectivity.hpp"

namespace neurodyn {

class RateHebbianProjection {
public:
    // `first_source_id`, `n_sources`: the source population's global ids; `n_post` target
    // neurons of this shard, the first of which has population-local index
    // `first_post_index` and input `first_input` (ring-buffer input of the receptor port).
    RateHebbianProjection(const models::RateHebbianRule& rule, double dt_ms, std::uint32_t first_source_id,
                          std::uint32_t n_sources, std::uint32_t first_post_index, std::uint32_t n_post,
                          std::uint32_t first_input);

    // The synapses onto this shard's targets as generate_incoming gives them (grouped by
    // target, increasing), with their initial weights (already checked against the bounds).
    void build(std::span<const IncomingSynapse> generated, std::span<const double> weights);

    // Keeps the outputs of the source population at `step` (global ids from `first_id`);
    // values outside the population are ignored.
    void store_source_outputs(Step step, std::uint32_t first_id, std::span<const double> values);

    // Adds the input of step `step` to the ring-buffer slot `arriving` of that step.
    void add_input(Step step, double* arriving) const;
    // Applies the rule for step `step`; `post_output[i]` is the output of the shard's
    // i-th target after its update at that step.
    void learn(Step step, const double* post_output);

    std::size_t size() const { return weight_.size(); }
    std::size_t bytes() const;
    std::uint32_t n_post() const { return n_post_; }
    // The weights in generation order (the shard's part of Simulator::weights()).
    std::span<const double> weights() const { return weight_; }
    void write_weights(std::span<const double> values);
    const models::RateHebbianRule& rule() const { return rule_; }

private:
    template <models::RateHebbianKind Kind>
    void learn_as(Step step, const double* post_output);
    // The source outputs that arrive at step `step` over a delay of `delay` steps: those
    // of step - delay (0 before step 0: a slot not yet written).
    const double* outputs_sent(Step step, std::uint16_t delay) const {
        const auto slot = static_cast<std::size_t>((step - delay + history_steps_) % history_steps_);
        return source_history_.data() + slot * n_sources_;
    }
    // sent_[d] = outputs_sent(step, d) for every delay d: one lookup per synapse after.
    void point_at_sent(Step step) const;

    models::RateHebbianRule rule_;
    double dt_ms_;
    std::uint32_t first_source_id_, n_sources_;
    std::uint32_t first_post_index_, n_post_, first_input_;

    std::vector<std::uint64_t> row_offset_;  // per target neuron, n_post + 1
    std::vector<std::uint32_t> source_;      // population-local
    std::vector<std::uint16_t> delay_;       // steps, >= the epoch length
    std::vector<double> weight_;
    std::vector<double> theta_;  // bcm: per target neuron (else empty)

    Step history_steps_ = 1;             // the largest delay: rows kept per source neuron
    std::vector<double> source_history_;  // [step mod history_steps][source]; 0 before step 0
    mutable std::vector<const double*> sent_;  // scratch of point_at_sent, history_steps + 1
};

}  // namespace neurodyn
