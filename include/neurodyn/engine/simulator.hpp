#pragma once
// The simulator: builds a NetworkSpec into shards and advances it in fixed steps.
//
// Each step of each shard: read the input that arrives at the end of the step from the
// ring buffer, add stimulus input, update every neuron group, collect spikes. Spikes are
// exchanged between shards and delivered into the ring buffers once per epoch of
// min-delay steps, in (step, source id) order, so input to every neuron is summed in
// the same order whatever the number of shards: identical spikes for any decomposition.
//
// Under mpirun every rank builds the same Simulator from the same spec: rank r owns the
// shards r*S .. r*S + S - 1 of R*S (S shards per rank), i.e. a contiguous part of every
// population, and builds only their neurons and incoming synapses. At the end of each
// epoch the ranks exchange their spikes (an all-gather), so every rank delivers and
// observes all spikes, in the same order as one process would: identical results for
// any number of ranks and threads. Functions that read or change neurons (get_state,
// set_state, set_param, run, the constructor) are then collective: every rank calls
// them in the same order.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "neurodyn/core/time.hpp"
#include "neurodyn/engine/communicator.hpp"
#include "neurodyn/network/connectivity.hpp"
#include "neurodyn/network/spec.hpp"

namespace neurodyn {

class Shard;
class StdpProjection;
class RateHebbianProjection;
class ModulatorSignal;
struct GroupSlot;
struct RateBlock;
class Simulator;

struct BuildOptions {
    // Shards of this process (every rank of a distributed run must give the same number).
    std::size_t shards = 1;
    // Memory this process may use (bytes); 0 = what the operating system reports as
    // available, shared equally by the ranks of a distributed run. A network whose
    // estimate for this process exceeds it is refused before allocation.
    double memory_limit_bytes = 0.0;
    // Threads that advance, deliver into and build the shards (OpenMP); each shard is
    // worked on by one thread at a time, so the results are those of the same number of
    // shards on one thread: identical spikes for any number of threads.
    std::size_t threads = 1;
};

// Sampled state of one variable of one population at regular times, in the row order
// of its recorder's neurons.
struct StateProbe {
    std::string population;
    std::string variable;
    std::string unit;
    std::vector<std::uint32_t> neurons;  // population-local ids, one column each
    Step interval_steps = 1;
    // Rows sampled since the observers last ran: times (ms) and row-major values.
    std::vector<double> pending_times;
    std::vector<double> pending_values;
};

// Sampled weights of chosen synapses of one STDP projection (a weights recorder): at
// t = 0, interval, 2 interval, ... the weights weights(projection) would return then,
// in the order of `synapses` (docs/plasticity.md).
struct WeightProbe {
    std::size_t recorder = 0;    // index in NetworkSpec::recorders
    std::size_t projection = 0;  // index in NetworkSpec::projections
    std::vector<std::uint64_t> synapses;  // indices in the order of Simulator::weights(projection), one column each
    Step interval_steps = 1;
    Step next_sample_step = 0;  // the next sample is at next_sample_step * dt
    // Rows sampled since the observers last ran: times (ms) and row-major values.
    std::vector<double> pending_times;
    std::vector<double> pending_values;
};

// What one epoch produced: spikes sorted by (step, global id). A spike in step n is
// stamped (n + 1) * dt.
struct EpochSpikes {
    Step first_step = 0;
    Step end_step = 0;  // exclusive
    std::span<const Step> steps;
    std::span<const std::uint32_t> global_ids;
};

class EpochObserver {
public:
    virtual ~EpochObserver() = default;
    // Called after the spikes of an epoch have been delivered; state probes hold the
    // samples of that epoch in pending_*.
    virtual void on_epoch(const Simulator& simulator, const EpochSpikes& spikes) = 0;
};

struct RunControl {
    const std::atomic<bool>* interrupt = nullptr;  // polled between steps
    // Called about every 1% of the run with (steps done, steps total).
    std::function<void(Step, Step)> progress;
};

struct RunResult {
    Step steps = 0;
    bool interrupted = false;
    double wall_seconds = 0.0;
};

// Where the run time went, accumulated over all runs (seconds).
// With several threads, update and input are summed over the shards (CPU seconds), the
// other phases are wall-clock time of the main thread.
struct PhaseTimes {
    double update = 0.0;    // neuron dynamics
    double input = 0.0;     // stimulus generation (Poisson drive, currents)
    double delivery = 0.0;  // walking synapse rows into ring buffers
    double exchange = 0.0;  // gathering and ordering the spikes of an epoch
    double record = 0.0;    // observers
};

struct PopulationLayout {
    std::string name;
    std::string model;
    std::uint32_t size = 0;
    std::uint32_t first_global_id = 0;
};

class Simulator {
public:
    // Validates the spec, estimates memory, and builds every shard.
    explicit Simulator(NetworkSpec spec, BuildOptions options = {});
    ~Simulator();
    Simulator(const Simulator&) = delete;
    Simulator& operator=(const Simulator&) = delete;

    // Advances by `duration_ms` (rounded to whole steps). Can be called repeatedly to
    // continue. On interrupt it stops between steps, delivers what was emitted, informs
    // the observers, and returns with `interrupted` set: the network stays consistent
    // and can be run further.
    RunResult run(double duration_ms, const RunControl& control = {});
    RunResult run() { return run(spec_.simulation.duration); }

    void add_observer(EpochObserver* observer) { observers_.push_back(observer); }

    const NetworkSpec& spec() const { return spec_; }
    double dt() const { return spec_.simulation.dt; }
    Step current_step() const { return step_; }
    double time_ms() const { return ms_from_steps(step_, dt()); }
    Step min_delay_steps() const { return min_delay_; }
    Step max_delay_steps() const { return max_delay_; }

    const std::vector<PopulationLayout>& populations() const { return layout_; }
    const PopulationLayout& population(const std::string& name) const;
    // The population of a global id, by binary search over the layout.
    std::size_t population_of(std::uint32_t global_id) const;
    std::uint32_t total_neurons() const { return total_neurons_; }

    // Synapses of the whole network (all ranks) and the bytes their tables take.
    std::uint64_t synapse_count() const { return total_synapses_; }
    std::size_t synapse_bytes() const { return total_synapse_bytes_; }
    // Memory estimated for this process's part of the network before the build (bytes).
    double estimated_bytes() const { return estimated_bytes_; }
    // The processes of the run (one unless started by mpirun).
    const Communicator& communicator() const { return comm_; }
    // Shards of this process, and of the whole run.
    std::size_t local_shards() const { return shards_.size(); }
    std::size_t total_shards() const { return total_shards_; }
    double build_seconds() const { return build_seconds_; }
    const PhaseTimes& phase_times() const;
    // Spikes emitted per population since the start.
    std::vector<std::uint64_t> spike_counts() const;
    // Synaptic events of the whole network (all ranks), counted at the end of each run.
    std::uint64_t synaptic_events() const { return synaptic_events_; }

    // Current values of a state variable for every neuron of a population.
    std::vector<double> get_state(const std::string& population, const std::string& variable) const;
    // Replaces a state variable of every neuron of a population (one finite value per
    // neuron, in population order) between runs. KeyError for an unknown population or
    // variable, ValueError for a wrong count or a non-finite value; nothing is changed
    // then.
    void set_state(const std::string& population, const std::string& variable, std::span<const double> values);

    // The synapses of projection `index` (in spec order) as the engine uses them: source
    // and target indices within their populations, weight (as stored: 32-bit float) and
    // delay in steps, ordered by target then generation order. Connectivity is generated
    // per target from the seed, so this regenerates it rather than reading the shards.
    // KeyError for an index out of range.
    std::vector<IncomingSynapse> connections(std::size_t index) const;
    // The current weights of projection `index`, one per synapse in the order of
    // connections(index), gathered from every rank (collective). For an STDP projection
    // they include every spike pairing that has reached a synapse up to the current
    // time (docs/plasticity.md); for the others they are the fixed weights as stored.
    // KeyError for an index out of range.
    std::vector<double> weights(std::size_t index);
    // Replaces the weights of STDP projection `index` between runs (collective), one
    // value per synapse in the order of connections(index), each within the rule's
    // [w_min, w_max]. ValueError for a projection that is not STDP, a wrong count or a
    // value out of bounds (naming the synapse and the value); nothing is changed then.
    void set_weights(std::size_t index, std::span<const double> values);

    // Replaces a parameter of every neuron of a population (one value per neuron, in
    // population order) between runs; it takes effect from the next step. The model's
    // checks run again (bounds, relations such as v_reset < v_thresh) and what depends
    // on the parameters is recomputed. KeyError for an unknown population or parameter,
    // ValueError for a wrong count or a value the model refuses; nothing is changed
    // then. SpikeSourcePoisson trains restart from the current time with the new
    // parameters; SpikeSourceGamma parameters and SpikeSourceArray spike times cannot
    // be changed after the first run.
    void set_param(const std::string& population, const std::string& parameter, std::span<const double> values);
    // Replaces stimulus `index` (same kind) between runs; it takes effect from the next
    // step. The new spec is checked as NetworkSpec::validate checks it (a UserError
    // whose key is "stimulus[index]...."); nothing is changed then. spec() shows it.
    void set_stimulus(std::size_t index, const StimulusSpec& stimulus);

    // Homeostasis (PopulationSpec::homeostasis, docs/plasticity.md). get_param: the current
    // value of a parameter of every neuron of a population, in population order; the rules
    // adaptive_threshold and intrinsic change v_thresh and i_offset while the network runs.
    // homeostasis_rates: each neuron's rate estimate r (Hz) of a population with homeostasis.
    // Both collective under MPI. KeyError for an unknown population or parameter,
    // ValueError for rates of a population without homeostasis.
    std::vector<double> get_param(const std::string& population, const std::string& parameter) const;
    std::vector<double> homeostasis_rates(const std::string& population) const;

    // Dopamine rule: the eligibility traces of STDP projection `index` at the current
    // time, in the order of connections(index) (collective). ValueError for another rule.
    std::vector<double> eligibilities(std::size_t index);

    // Neuromodulators (NetworkSpec::modulators, docs/plasticity.md). modulate() adds a
    // release of `amount` (the modulator's unit) to modulator `name` at time `at_ms`
    // (< 0: now, the next simulated step; else rounded to a step, not before now).
    // Under MPI every rank must make the same calls (a script run by mpirun does).
    // modulator_value() is the modulator's value at the current time. KeyError for an
    // unknown name; ValueError for a non-finite amount or a time in the past.
    void modulate(const std::string& name, double amount, double at_ms = -1.0);
    double modulator_value(const std::string& name) const;
    std::vector<std::string> modulator_names() const;

    std::vector<StateProbe>& state_probes() { return probes_; }
    const std::vector<StateProbe>& state_probes() const { return probes_; }
    // One per weights recorder of the spec, in spec order (src/engine/weight_sampling.cpp).
    const std::vector<WeightProbe>& weight_probes() const { return weight_probes_; }

private:
    void build(const BuildOptions& options);
    // Population-local neurons [first, last) of population `p` that rank `rank` owns.
    std::pair<std::uint32_t, std::uint32_t> rank_range(std::size_t p, int rank) const;
    // Distributed runs: gathers the spikes and rate outputs of all ranks (in (step, id)
    // order) and the probe samples of their neurons.
    void exchange_spikes(std::vector<std::pair<Step, std::uint32_t>>& merged, Step first_step, bool* stop);
    void exchange_rate_blocks(std::vector<RateBlock>& blocks, std::vector<double>& storage);
    void exchange_probe_samples();
    // (Re)creates every shard's Poisson drives and current sources from spec_.stimuli.
    void build_stimuli();
    // Builds shard's part of STDP projection `projection` (src/engine/plastic_simulator.cpp).
    void build_stdp_projection(Shard& shard, std::size_t projection) const;
    // The shard's table of STDP projection `projection` (nullptr when none), and the
    // synapses it holds in generation order (regenerated).
    StdpProjection* stdp_table(Shard& shard, std::size_t projection, std::vector<IncomingSynapse>& generated) const;
    // Builds shard's part of rate-Hebbian projection `projection` (src/engine/plastic_simulator.cpp).
    void build_rate_hebbian_projection(Shard& shard, std::size_t projection) const;
    RateHebbianProjection* rate_hebbian_table(Shard& shard, std::size_t projection) const;
    void sample_probes(Step at_step_end);
    // Weights recorders: locates the recorded synapses in the shards (at build), and
    // gathers the samples the shards took while delivering an epoch into the probes.
    void build_weight_probes();
    void collect_weight_samples(Step end_step);
    // `stop` (distributed runs): this rank's interrupt request in, any rank's out.
    void deliver_and_notify(Step first_step, Step end_step, bool* stop = nullptr);

    NetworkSpec spec_;
    const Communicator& comm_ = Communicator::world();
    std::size_t total_shards_ = 1;
    std::uint64_t total_synapses_ = 0;
    std::size_t total_synapse_bytes_ = 0;
    std::uint64_t run_local_events_ = 0;
    bool has_rate_groups_ = false;  // some population transmits rates (exchanged each epoch)
    std::vector<PopulationLayout> layout_;
    std::uint32_t total_neurons_ = 0;
    void advance_shards(Step step, std::uint64_t seed);
    std::vector<std::unique_ptr<Shard>> shards_;
    std::vector<EpochObserver*> observers_;
    std::vector<StateProbe> probes_;
    std::vector<WeightProbe> weight_probes_;
    Step step_ = 0;
    Step min_delay_ = 1;
    Step max_delay_ = 1;
    bool initial_sampled_ = false;
    double estimated_bytes_ = 0.0;
    double build_seconds_ = 0.0;
    mutable PhaseTimes phases_;  // update and input refreshed from shard_phases_ when read
    std::vector<PhaseTimes> shard_phases_;  // update and input of each shard, summed into phases_
    int threads_ = 1;
    std::uint64_t synaptic_events_ = 0;
    std::vector<std::uint64_t> spike_counts_;
    std::vector<Step> epoch_steps_;
    std::vector<std::uint32_t> epoch_ids_;
    // One value per neuron of population `p` in population order, gathered from every
    // shard and rank: `column(slot)` is a group's span of values (collective).
    std::vector<double> gather_population(std::size_t p,
                                          const std::function<std::span<const double>(const GroupSlot&)>& column) const;
    // One value per synapse of a projection, in the order of connections(): `append`
    // adds each shard's values (shards hold consecutive targets), then the ranks' parts
    // are gathered in rank order. Collective.
    std::vector<double> gather_synapse_values(const std::function<void(Shard&, std::vector<double>&)>& append);
    // One per NetworkSpec::modulators entry, created before the shards (which keep
    // pointers to them) and never moved.
    std::vector<std::unique_ptr<ModulatorSignal>> modulators_;
    ModulatorSignal& find_modulator(const std::string& name) const;
    // Adds the epoch's jumps to every modulator; after delivery, brings the readers up
    // to date and prunes a modulator's history when it has grown.
    void update_modulators(Step first_step, Step end_step);
    void prune_modulators(Step last_step);
};

// Everything `Simulator` checks before it builds synapses: the spec, and every
// neuron's parameters and initial values (model ranges and relations). Cheap: no
// synapse is generated. Throws the same UserErrors the simulator would.
void check_network(const NetworkSpec& spec);

// Bytes of memory the operating system reports as available (MemAvailable), or 0.
double available_memory_bytes();
// Peak resident memory of this process so far (bytes).
double peak_resident_bytes();

}  // namespace neurodyn
