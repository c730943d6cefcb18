#pragma once
// Homeostasis in the engine (rules: include/neurodyn/network/homeostasis.hpp; docs in
// docs/plasticity.md, "Homeostasis").
//
// Ownership: the rate estimate and the adapted parameter of a neuron belong to the shard
// that owns the neuron, and synaptic scaling changes only the weights of synapses onto
// that shard's neurons (which the shard owns too). Nothing is read from another shard,
// so the results are the same for any number of shards, threads and processes.
//
// Timing. The rate estimates and the adapted parameter are updated at the end of every
// step, after the neurons: a change made after step n acts from step n + 1 on. A
// synaptic scaling at t = k interval belongs to step m = t/dt - 1: its factors are taken
// from the rate estimates after step m, and it is applied to the weights after every
// spike of steps <= m has been delivered (with its STDP updates) and before any spike of
// step m + 1. Spikes are delivered once per min-delay epoch, after the epoch's steps, so
// the factors wait in a queue until then; the weights therefore do not depend on where
// epochs begin and end (a run split in two gives the same weights).

#include <cstdint>
#include <deque>
#include <limits>
#include <memory>
#include <span>
#include <vector>

#include "neurodyn/core/time.hpp"
#include "neurodyn/network/homeostasis.hpp"

namespace neurodyn {

class NeuronGroup;
class Shard;
struct NetworkSpec;

// No synaptic scaling is waiting.
inline constexpr Step kNoPendingScaling = std::numeric_limits<Step>::max();

// The homeostasis of the neurons of one population that one shard owns (a GroupSlot).
class NeuronHomeostasis {
public:
    // A scaling waiting for the spikes of its step to be delivered: one factor per neuron.
    struct PendingScaling {
        Step step;
        std::vector<double> factor;
    };

    // `parameter`: the index of the adapted parameter in the group's model (-1 for
    // synaptic scaling); `scaled_projections`: for synaptic scaling, the indices in the
    // shard's stdp tables of the projections it scales.
    NeuronHomeostasis(const HomeostasisSpec& spec, NeuronGroup& group, int parameter, double dt_ms,
                      std::vector<std::size_t> scaled_projections);

    // After the group's update of `step` (`spiked`: group-local ids of the neurons that
    // fired, increasing): updates the rate estimates and the adapted parameter, and on a
    // scaling step queues the scaling factors. Returns the step of the scaling it queued,
    // or kNoPendingScaling.
    Step after_step(Step step, std::span<const std::uint32_t> spiked);

    // The rate estimate r of each neuron (Hz), in group order.
    std::span<const double> rates() const { return rate_; }
    std::deque<PendingScaling>& pending() { return pending_; }
    const std::vector<std::size_t>& scaled_projections() const { return scaled_projections_; }

private:
    NeuronGroup& group_;
    int parameter_;
    double target_rate_;      // Hz
    double decay_;            // e^(-dt/tau)
    double spike_increment_;  // Hz: (1 - e^(-dt/tau)) / dt, so that the mean of r is the rate
    double gain_per_step_;    // parameter change per step per Hz of (r - target): +-eta dt
    double min_, max_;        // bounds of the parameter
    double scaling_gain_;     // synaptic scaling: eta interval (1/Hz)
    Step interval_steps_;     // synaptic scaling: steps between scalings
    std::vector<double> rate_;
    std::vector<double> arrivals_;  // scratch: the increment of each neuron at this step (0 or spike_increment_)
    std::vector<std::size_t> scaled_projections_;
    std::deque<PendingScaling> pending_;
};

// Gives the neurons of `shard` the homeostasis their populations' specs ask for (after the
// shard's groups and stdp tables are built).
void attach_homeostasis(const NetworkSpec& spec, Shard& shard);

}  // namespace neurodyn
