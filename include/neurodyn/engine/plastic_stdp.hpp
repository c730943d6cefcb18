#pragma once
// The synapses of one STDP projection onto one shard, with the state that spike-timing-
// dependent plasticity needs (docs/plasticity.md):
//
//   per synapse          target input (uint32), delay in steps (uint16), weight (double,
//                        changed by the rule): 14 bytes, in rows by source like the static
//                        table, plus 8 bytes of row offset per source neuron;
//   per source neuron    the presynaptic trace just after its last spike and that spike's
//                        step (the same copy in every shard: it depends only on the
//                        exchanged spike list, like the Tsodyks–Markram state);
//   per target neuron    the shard's own post-spike history: the step of each spike and the
//                        postsynaptic trace just after it.
//
// The weight of a synapse changes when a spike of its source is delivered, in (step,
// source id) order, as NEST's stdp_synapse does: first potentiation by the postsynaptic
// spikes that reached the synapse since the source's previous spike (each paired with
// the presynaptic trace), then depression by the postsynaptic trace, then the spike is
// delivered with the new weight. The whole delay d is dendritic: a postsynaptic spike
// emitted in step n reaches the synapse in step n + d; a presynaptic spike reaches it at
// once. Everything a synapse reads belongs to its shard or is identical in every shard,
// so weights are the same for any number of shards, threads and processes.
//
// The three timing rules (pair, triplet, Vogels–Sprekeler) share this scheme with
// all-to-all or nearest traces: a potentiation at each postsynaptic arrival by
//   r1 (pot_pair + pot_triplet o2(t - ε))       (r1: presynaptic trace, o2: slow post trace)
// and, at each presynaptic spike, a depression by
//   o1 (dep_pair + dep_triplet r2(t - ε))        (o1: postsynaptic trace, r2: slow pre trace)
// or, for Vogels–Sprekeler, a potentiation by eta o1 then a depression by eta alpha.
// The pair rule goes through the weight dependence (amplitudes relative to w_max, PyNN);
// the other two add amounts in weight units and clip to [w_min, w_max] (NEST).
//
// The dopamine rule (models/stdp_dopamine.hpp) keeps an eligibility trace per synapse
// (8 more bytes) that the same pairings change, and integrates the weight over the
// modulator's jumps and the postsynaptic arrivals in time order (plastic_dopamine.cpp).
// A pair rule with a modulator scales each depression by the modulator's value at the
// presynaptic spike (astrocyte-modulated STDP); a negative value potentiates.
//
// Potentiation may also be applied ahead of the next presynaptic spike (bring_up_to):
// the same operations on the weight in the same order, so the results do not change; it
// lets the history be pruned and gives weights() the weights at the current time.

#include <algorithm>
#include <cstdint>
#include <span>
#include <vector>

#include "neurodyn/core/time.hpp"
#include "neurodyn/engine/modulator.hpp"
#include "neurodyn/models/stdp_timing.hpp"
#include "neurodyn/models/stdp_weight_dependence.hpp"
#include "neurodyn/network/connectivity.hpp"
#include "neurodyn/network/spec.hpp"

namespace neurodyn {

// One synapse as the shard generates it (source population-local, target = shard input).
struct PlasticSynapseEntry {
    std::uint32_t source;  // index in the source population
    std::uint32_t input;   // shard input (neuron x port)
    double weight;
    std::uint16_t delay;  // steps, >= 1
};

class StdpProjection {
public:
    // The rule (timing_kind with its parameters) and the weight dependence of `synapse`.
    StdpProjection(const SynapseSpec& synapse, double dt_ms, std::uint32_t first_source_id, std::uint32_t n_sources, std::uint32_t first_post_id,
                   std::uint32_t first_post_index, std::uint32_t n_post, std::uint32_t first_input);

    // Rows by source, each sorted by (delay, input); equal (source, delay, input) keep
    // their order in `entries` (generation order).
    void build(std::vector<PlasticSynapseEntry>&& entries);

    // Appends this epoch's spikes of the shard's target neurons (spikes sorted by step,
    // then global id) to their histories. Called before the epoch's spikes are delivered.
    void record_post_spikes(std::span<const Step> steps, std::span<const std::uint32_t> ids);

    // Updates the weights of `source_id`'s synapses for its spike in `step` and adds them
    // to the ring-buffer slots (`slot_for_delay[d]` is the slot of step + d). Returns the
    // number of synapses (events).
    std::uint64_t deliver_spike(std::uint32_t source_id, Step step, double* const* slot_for_delay);

    // Applies the potentiation of every postsynaptic spike that reaches its synapse in a
    // step <= `last_step` (all of them are known once that step has been simulated).
    void bring_up_to(Step last_step);
    // After the epoch ending with `last_step`: prunes histories when they have grown
    // (amortised: a pass over the synapses per ~16 postsynaptic spikes per neuron).
    void after_epoch(Step last_step);

    // Weights of the synapses onto this shard's targets in the order of
    // generate_incoming for population-local targets [first_post_index, + n_post)
    // (`generated`). bring_up_to(current step) first for the weights at that time.
    void read_weights(std::span<const IncomingSynapse> generated, std::vector<double>& out) const;
    // The same order: replaces the weights (values already checked against the bounds).
    void write_weights(std::span<const IncomingSynapse> generated, std::span<const double> values);

    // The modulator the rule reads (dopamine: required; spike_pair: optional); it must
    // outlive the projection. Set before the first spike.
    void set_modulator(const ModulatorSignal* modulator) { modulator_ = modulator; }
    const ModulatorSignal* modulator() const { return modulator_; }
    // Dopamine rule: the eligibility traces in the order of read_weights, at the time of
    // the last bring_up_to.
    void read_eligibilities(std::span<const IncomingSynapse> generated, std::vector<double>& out) const;

    // Whether `global_id` belongs to the source population.
    bool is_source(std::uint32_t global_id) const { return global_id - first_source_id_ < n_sources_; }
    std::size_t size() const { return weight_.size(); }
    std::uint16_t max_delay() const { return max_delay_; }
    std::size_t bytes() const;
    std::size_t history_entries() const { return history_entries_; }

    // Weights recorders (src/engine/weight_sampling.cpp). locate: the position in this
    // table of each synapse of `generated` (the order of read_weights). weight_at: the
    // weight of the synapse at `position` (whose source is `source`, population-local)
    // with every pairing that reached it in a step <= `last_step` applied, as
    // bring_up_to(last_step) would give it; the projection is left unchanged.
    void locate(std::span<const IncomingSynapse> generated, std::vector<std::uint64_t>& positions) const;
    double weight_at(std::uint32_t source, std::uint64_t position, Step last_step);

    // Synaptic scaling (homeostasis; src/engine/plastic_scaling.cpp): brings every weight up
    // to `step` (bring_up_to: the pairings that reached it so far are applied first), then
    // multiplies the weight of each synapse by the factor of its target neuron
    // (`factor_per_target[i]` for the shard's i-th target, >= 0) and clips it to
    // [w_min, w_max]. Call it after the spikes of steps <= `step` have been delivered and
    // before any later one.
    void scale_weights(std::span<const double> factor_per_target, Step step);

private:
    struct PostSpike {
        Step step;           // emission step of the postsynaptic spike
        double trace_after;  // postsynaptic trace o1 just after it
        double slow_before;  // triplet: slow postsynaptic trace o2 just before it (else 0)
    };
    // Potentiation of weight k (delay d, post history `history`) by the arrivals in
    // (after, up_to] steps, for a source whose last spike was `last` with trace `trace`.
    double potentiate(double w, const std::vector<PostSpike>& history, std::uint16_t d, Step after, Step up_to, Step last,
                      double trace) const;
    // Dopamine rule (plastic_dopamine.cpp): the row of source s for its spike in `step`,
    // and every row brought to `last_step`.
    std::uint64_t deliver_dopamine_spike(std::uint32_t s, Step step, double* const* slot_for_delay);
    void bring_dopamine_up_to(Step last_step);
    // Integrates synapse k (delay d, post history `history`) from step `from` to `to`
    // over the postsynaptic arrivals and the modulator's jumps in (from, to]; the source's
    // last spike was `last` with presynaptic trace `trace`; `jump` is the modulator's last
    // jump at or before `from`.
    void integrate_dopamine(std::uint64_t k, const std::vector<PostSpike>& history, std::uint16_t d, Step from, Step to,
                            Step last, double trace, std::ptrdiff_t jump);
    // The postsynaptic trace o1 where a presynaptic spike of `step` meets synapse of
    // delay d: from the last arrival strictly before `step` (0 if none).
    double post_trace_at(const std::vector<PostSpike>& history, std::uint16_t d, Step step) const;

    // Position in the row of `source` of the synapse (delay, input) met `occurrence`
    // times before in generation order.
    std::uint64_t find(std::uint32_t source, std::uint16_t delay, std::uint32_t input, std::uint32_t occurrence) const;
    template <typename Visit>
    void for_each_generated(std::span<const IncomingSynapse> generated, Visit visit) const;

    // The weight after a potentiation / depression by `amount` (>= 0): through the weight
    // dependence for the pair rule; for the others the magnitude |w| changes by `amount` in
    // weight units, clipped to the bounds (NEST: copysign with Wmax; negative bounds hold
    // negative weights, which potentiation makes more negative).
    double facilitate(double w, double amount) const {
        if (relative_amplitudes_) return dependence_.facilitate(w, amount);
        return negative_weights_ ? std::max(w - amount, dependence_.w_min) : std::min(w + amount, dependence_.w_max);
    }
    double depress(double w, double amount) const {
        if (relative_amplitudes_) return dependence_.depress(w, amount);
        return negative_weights_ ? std::min(w + amount, dependence_.w_max) : std::max(w - amount, dependence_.w_min);
    }

    models::StdpTimingKind kind_;
    models::WeightDependence dependence_;
    bool relative_amplitudes_;  // spike_pair: amounts go through the weight dependence
    bool negative_weights_;     // triplet, vogels_sprekeler: bounds <= 0 (potentiation moves towards w_min)
    bool nearest_;              // traces restart at 1 (nearest_symmetric pairing)
    double tau_pre_ms_, tau_post_ms_;            // fast traces r1, o1
    double tau_pre_slow_ms_, tau_post_slow_ms_;  // triplet: slow traces r2, o2
    double pot_pair_, pot_triplet_;              // potentiation per arrival: r1 (pot_pair + pot_triplet o2)
    double dep_pair_, dep_triplet_;              // depression per pre spike: o1 (dep_pair + dep_triplet r2)
    double dep_per_pre_spike_;                   // vogels_sprekeler: eta alpha
    double dt_ms_;
    std::uint32_t first_source_id_, n_sources_;
    std::uint32_t first_post_id_, first_post_index_, n_post_, first_input_;

    std::vector<std::uint64_t> row_offset_;  // n_sources + 1
    std::vector<std::uint32_t> input_;
    std::vector<std::uint16_t> delay_;
    std::vector<double> weight_;
    std::uint16_t max_delay_ = 0;

    std::vector<double> pre_trace_;       // per source: presynaptic trace just after its last spike
    std::vector<Step> pre_last_step_;     // per source; -1 before its first spike
    std::vector<double> pre_slow_trace_;  // triplet, per source: r2 just after its last spike (else empty)
    std::vector<std::vector<PostSpike>> post_history_;  // per shard target neuron
    std::size_t history_entries_ = 0;
    std::size_t prune_threshold_ = 0;
    // Potentiation by arrivals in steps <= potentiated_until_ has been applied.
    Step potentiated_until_ = -1;

    const ModulatorSignal* modulator_ = nullptr;
    std::vector<double> eligibility_;  // dopamine: per synapse, c at the row's last update
    double tau_c_ms_ = 1000.0;         // dopamine: eligibility decay
    double dopamine_b_ = 0.0;          // dopamine: the modulator value that gives no change
    static constexpr Step kDopaminePruneSteps = 8192;  // dopamine: steps between history prunes
    Step last_prune_step_ = 0;

    // --- The pair rule's fast path (src/engine/plastic_stdp_pair.cpp) -------------------
    // The same operations on every weight, in the same order and with the same
    // expressions, as the general path, so the weights are bit-identical; what changes is
    // where the data come from. Reading a target's history was most of the time of a
    // plastic event (the vector, then a binary search over entries scattered in memory:
    // two or more cache misses). The last kRecentPostSpikes spikes of each target sit in
    // two cache lines instead and answer a presynaptic spike's queries unless more
    // postsynaptic spikes than that arrived since the source's previous spike; then the
    // history is read. 8 rather than 4 (one line): fewer history reads, measured faster
    // (docs/benchmarks.md, "Plastic network").
    static constexpr int kRecentPostSpikes = 8;
    static constexpr Step kNoPostSpike = -(Step{1} << 60);  // an empty slot: a spike long ago, trace 0
    struct alignas(64) RecentPostSpikes {
        Step step[kRecentPostSpikes];           // emission steps, oldest first
        double trace_after[kRecentPostSpikes];  // o1 just after each
    };
    std::vector<RecentPostSpikes> recent_post_;  // per shard target neuron; spike_pair only (else empty)

    void prepare_pair_path();
    void record_recent_post_spike(std::uint32_t target, Step step, double trace_after);
    // deliver_spike and bring_up_to for the pair rule (`source` population-local).
    std::uint64_t deliver_pair_spike(std::uint32_t source, Step step, double* const* slot_for_delay);
    void bring_pairs_up_to(Step last_step);
    template <models::WeightDependenceKind Dependence>
    std::uint64_t deliver_pair_spike_as(std::uint32_t source, Step step, double* const* slot_for_delay);
    template <models::WeightDependenceKind Dependence>
    void bring_pairs_up_to_as(Step last_step);
    template <models::WeightDependenceKind Dependence>
    double potentiate_pair(const models::WeightDependence& dependence, double w, std::uint32_t target, std::uint16_t d,
                           Step after, Step up_to, Step last, double trace) const;
};

}  // namespace neurodyn
