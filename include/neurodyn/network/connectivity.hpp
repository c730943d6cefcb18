#pragma once
// Connectivity generation: the synapses of one projection onto a range of target
// neurons, as plain entries for the engine to sort into its tables.
//
// Every random number comes from a counter-based stream (core/random.hpp) keyed by the
// projection and by the neuron the number belongs to, never from a shared sequential
// generator. For target t of projection p:
//   sources        RandomStream(seed, random_domain(connectivity, p), t)
//   weights        RandomStream(seed, random_domain(weight, p), t), one draw sequence in synapse order
//   delays         RandomStream(seed, random_domain(delay, p), t), likewise
// and, for fixed_number_post, the targets of source s come from
//   RandomStream(seed, random_domain(connectivity_post, p), s).
// fixed_total_number draws the number of synapses of every target from one stream of the
// projection, RandomStream(seed, random_domain(connectivity_post, p), 2^32 - 1), target
// by target in increasing order (each builder replays it up to the end of its range: one
// draw per target), then the sources of target t from its connectivity stream as above.
// The synapses of a target are therefore a pure function of (spec, p, t): a network is
// the same whatever the number of threads or processes that build it, and whatever the
// ranges they build.

#include <cstddef>
#include <cstdint>
#include <vector>

#include "neurodyn/network/spec.hpp"

namespace neurodyn {

// One synapse as generated (16 bytes with padding; the engine repacks it into its
// 10-byte table entry).
struct IncomingSynapse {
    std::uint32_t source;       // index in the source population
    std::uint32_t target;       // index in the target population
    float weight;               // in the unit of the target's receptor port (nA, uS or mV)
    std::uint16_t delay_steps;  // >= 1
};

// The largest delay a synapse can hold, in steps (it is stored as uint16).
inline constexpr std::uint32_t kMaxDelaySteps = 65535;

// Appends the synapses of projection `projection_index` of a validated `spec` onto every
// target neuron in [target_begin, target_end) of its target population, grouped by
// target in increasing target order; within a target, in increasing source order with
// multapses adjacent (from_list: the listed order, stable-sorted by source).
// The synapses of a target do not depend on the range they are generated in:
// generating [0, N) at once, or [0, k) then [k, N), gives the same synapses in the same
// order.
//
// Semantics per connector (ConnectorSpec::Kind):
//   all_to_all         every source; with source == target population and
//                      !allow_autapses, every source but t itself
//   one_to_one         source t (none when it would be a disallowed autapse, as NEST does)
//   fixed_probability  each source independently with probability p
//   fixed_number_pre   exactly n sources per target, uniform; distinct unless
//                      allow_multapses
//   fixed_number_post  exactly n targets per source, uniform; distinct unless
//                      allow_multapses. Each call walks every source of the projection:
//                      its cost is O(n_source * n) whatever the range.
//   from_list          the listed pairs; ConnectorSpec::list_weights / list_delays, when
//                      given, override the projection's weight / delay
//   fixed_total_number exactly n synapses in the projection. With allow_multapses, n
//                      independent pairs, each uniform over the allowed pairs (PyNN
//                      FixedTotalNumberConnector with_replacement, NEST fixed_total_number):
//                      the per-target counts are multinomial(n; 1/n_target each), and a
//                      target's sources are uniform with replacement. Without, n distinct
//                      pairs, uniform among the subsets of allowed pairs: the counts are
//                      multivariate hypergeometric and a target's sources distinct.
//                      Each call costs O(target_end) for the counts, whatever the range.
//
// Weights are rounded to float. Delays (ms) are rounded to whole steps of dt with
// steps_from_ms (core/time.hpp). Throws ValueError with key "projection[p].delay" (or
// "projection[p].connector.delays" for list delays) when a delay needs more than
// kMaxDelaySteps steps; for a delay distribution the check uses the largest value it can
// produce, so the error never depends on which synapses a range happens to draw.
void generate_incoming(const NetworkSpec& spec, std::size_t projection_index, std::uint32_t target_begin,
                       std::uint32_t target_end, std::vector<IncomingSynapse>& out);

// Expected number of synapses of a projection: exact for the deterministic connectors
// (all_to_all, one_to_one, fixed_number_pre/post, fixed_total_number, from_list), the mean for
// fixed_probability. For sizing memory before generation.
double expected_synapse_count(const NetworkSpec& spec, std::size_t projection_index);

}  // namespace neurodyn
