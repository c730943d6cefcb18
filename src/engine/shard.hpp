#pragma once
// A shard owns a set of neurons (a contiguous part of each population), their state,
// their incoming synapses and their input ring buffer. Everything a step mutates
// belongs to exactly one shard: no locks, no atomics.

#include <cstdint>
#include <memory>
#include <span>
#include <utility>
#include <vector>

#include "neurodyn/engine/plastic_rate.hpp"
#include "neurodyn/engine/plastic_stdp.hpp"
#include "neurodyn/engine/ring_buffer.hpp"
#include "neurodyn/engine/simulator.hpp"
#include "neurodyn/engine/synapse_table.hpp"
#include "neurodyn/models/neuron_group.hpp"
#include "homeostasis.hpp"
#include "weight_tap.hpp"

namespace neurodyn {

// The part of one population that a shard owns.
struct GroupSlot {
    std::size_t population = 0;
    std::uint32_t first = 0;  // population-local index of the group's first neuron
    std::uint32_t first_global_id = 0;
    std::unique_ptr<NeuronGroup> group;
    std::uint32_t input_offset = 0;  // port k of local neuron i is input input_offset + k * size + i
    std::vector<double> injected;    // nA, from current sources
    std::vector<const double*> port_pointers;
    std::vector<std::uint32_t> spiked;  // scratch: group-local ids of this step's spikes
    // The population's homeostasis on these neurons (src/engine/homeostasis.hpp); null when none.
    std::unique_ptr<NeuronHomeostasis> homeostasis;
    // The rate-Hebbian projections onto these neurons (indices in Shard::rate_hebbian).
    std::vector<std::size_t> rate_hebbian_inputs;
};

// Independent Poisson input to each target neuron: per step a Poisson count of input
// spikes with mean rate*dt, each of weight `weight` (NEST's poisson_generator).
struct PoissonDrive {
    std::size_t slot = 0;                 // GroupSlot index
    std::vector<std::uint32_t> neurons;  // group-local ids
    std::size_t port = 0;
    bool contiguous = false;  // neurons are consecutive ids
    double mean_per_step = 0.0;
    // Inversion table for means < 12 (see poisson_count_thresholds); empty for larger
    // means, which use PTRS.
    std::vector<std::uint32_t> count_thresholds;
    double weight = 0.0;
    Step start_step = 0;
    Step stop_step = 0;  // exclusive
    std::uint32_t domain = 0;
};

// A current injected into some neurons of a group between start_step and stop_step,
// held constant over each step (its value at the step's start).
struct CurrentSource {
    enum class Shape { constant, steps, sine, noise };
    Shape shape = Shape::constant;
    std::size_t slot = 0;
    std::vector<std::uint32_t> neurons;  // group-local ids
    Step start_step = 0;
    Step stop_step = 0;  // exclusive
    double amplitude = 0.0;  // nA: constant, or the sine's amplitude
    // steps: the current is change_amplitudes[k] from change_steps[k] on (0 before the first)
    std::vector<Step> change_steps;
    std::vector<double> change_amplitudes;
    // sine: offset + amplitude sin(radians_per_step * step + phase_radians)
    double offset = 0.0;
    double radians_per_step = 0.0;
    double phase_radians = 0.0;
    // noise: mean + stdev N(0,1), redrawn every interval_steps from start_step, from the
    // stream of (domain, population-local neuron index, draw number)
    double mean = 0.0;
    double stdev = 0.0;
    Step interval_steps = 1;
    std::uint32_t domain = 0;
    std::uint32_t first_local_index = 0;  // population-local index of group-local neuron 0

    // The current (nA) at `step` for group-local neuron `i`; the step lies in [start, stop).
    double value(Step step, std::uint32_t i, std::uint64_t seed) const;
};

// The synapses of one Tsodyks–Markram projection onto a shard, with the short-term
// plasticity state of each of its source neurons. Parameters are per projection, so u
// and x depend only on the source's spike train: every shard keeps the same copy and
// computes the same values.
struct ShortTermPlasticProjection {
    SynapseTable synapses;  // indexed by global source id, like the static table
    double U = 0.5;
    double tau_rec_ms = 100.0;
    double tau_facil_ms = 0.0;  // 0: u stays U
    double dt_ms = 0.1;
    std::uint32_t first_source = 0;  // global id of the source population's first neuron
    std::vector<double> u, x;        // per source neuron: state at its last spike
    std::vector<Step> last_step;     // per source neuron; -1 before its first spike

    // The efficacy u x of a spike of `source` (global id) at `step`, after updating the
    // source's state with the recursion of Markram et al. (1998).
    double efficacy(std::uint32_t source, Step step);
};

// The outputs of the rate neurons of one group at one step: what they transmit.
struct RateBlock {
    Step step = 0;
    std::uint32_t first_id = 0;  // global id of values[0]
    std::span<const double> values;
};

// T_j = round(2^32 P(X <= j)) for X ~ Poisson(mean), as long as below 2^32.
std::vector<std::uint32_t> poisson_count_thresholds(double mean);

class Shard {
public:
    std::vector<GroupSlot> groups;
    SynapseTable synapses;  // static synapses of every projection
    std::vector<ShortTermPlasticProjection> plastic;
    std::vector<StdpProjection> stdp;  // one per STDP projection, in spec order
    std::vector<std::size_t> stdp_projection;  // the spec index of each
    std::vector<RateHebbianProjection> rate_hebbian;  // one per rate-Hebbian projection, in spec order
    std::vector<std::size_t> rate_hebbian_projection;  // the spec index of each
    InputRingBuffer ring;
    std::vector<PoissonDrive> drives;
    std::vector<CurrentSource> currents;
    // Steps at which some piecewise-constant current changes (sorted, unique).
    std::vector<Step> current_changes;
    // Some source (sine, noise) changes at every step: currents are recomputed each step.
    bool currents_vary_every_step = false;
    // Spikes of the running epoch: the step and the global id, in emission order.
    std::vector<Step> spike_steps;
    std::vector<std::uint32_t> spike_ids;
    // Outputs of the rate groups of the running epoch: per (step, group) the first
    // global id and where its values start in rate_values.
    std::vector<std::pair<Step, std::uint32_t>> rate_block_ids;
    std::vector<std::size_t> rate_block_offsets;
    std::vector<double> rate_values;

    // Advances every group of the shard by step `step`.
    void advance(Step step, std::uint64_t seed, PhaseTimes& times);
    // Adds the synaptic input of the given spikes (sorted by step, then global id) of the
    // epoch that ended with step `last_step`, updating STDP weights on the way.
    std::uint64_t deliver(std::span<const Step> steps, std::span<const std::uint32_t> ids, Step last_step);
    // Adds the input of rate outputs (sorted by step, then first id): each synapse adds
    // weight x value of its source.
    std::uint64_t deliver_rates(std::span<const RateBlock> blocks);
    // This epoch's rate outputs as blocks (valid until the next advance).
    std::vector<RateBlock> rate_blocks() const;

private:
    void apply_poisson_drive(const PoissonDrive& drive, Step step, std::uint64_t seed);
    void refresh_injected_currents(Step step, std::uint64_t seed);
    // Scatter-adds the rows of `table` for one spike, `scale` times each weight.
    void deliver_row(const SynapseTable& table, std::uint32_t source, double scale, double* const* slot_for_delay);

public:
    // Weights recorders: the recorded synapses this shard holds (empty when none), and
    // their samples at every sample time <= step * dt not yet taken, which deliver()
    // takes before it delivers the first spike of `step` (src/engine/weight_sampling.cpp).
    std::vector<WeightTap> weight_taps;
    void sample_weights_before(Step step);
    // The same for the taps of rate-Hebbian tables, whose weights change in advance():
    // the samples at times <= step * dt, taken before step `step` learns.
    void sample_rate_weights(Step step);

    // Homeostasis (src/engine/homeostasis.cpp). After a group's update: its rate estimates
    // and adapted parameter, and the synaptic scalings it queues. The earliest queued
    // scaling step; deliver() applies the scalings of steps <= up_to to the stdp weights
    // once every spike of those steps has been delivered.
    Step next_scaling_step = kNoPendingScaling;
    void homeostasis_step(GroupSlot& slot, Step step);
    void apply_scalings(Step up_to);
};

}  // namespace neurodyn
