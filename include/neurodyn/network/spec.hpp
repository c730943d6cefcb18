#pragma once
// NetworkSpec: the description of a network and its simulation, as plain data. The
// model file, the Python API and the PyNN backend all produce one; `validate()` is the
// single place where it is checked, so every front end gives the same messages.
//
// Units follow PyNN: ms, mV, nA, nF, uS, Hz.

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "neurodyn/core/value.hpp"
#include "neurodyn/models/rate_hebbian.hpp"
#include "neurodyn/models/stdp_spike_pair.hpp"
#include "neurodyn/models/stdp_timing.hpp"
#include "neurodyn/models/stdp_weight_dependence.hpp"
#include "neurodyn/network/homeostasis.hpp"

namespace neurodyn {

struct SimulationSpec {
    double dt = 0.1;           // ms
    double duration = 1000.0;  // ms
    std::uint64_t seed = 12345;
};

struct PopulationSpec {
    std::string name;
    std::string model;  // a registered model name, e.g. "IF_curr_exp"
    std::uint64_t size = 1;
    std::vector<std::pair<std::string, ValueSpec>> params;   // name -> value; unset ones take the default
    std::vector<std::pair<std::string, ValueSpec>> initial;  // state name -> initial value
    // SpikeSourceArray only: one list shared by all neurons, or one list per neuron (ms).
    std::vector<std::vector<double>> spike_times;
    // Homeostatic plasticity towards a target rate (network/homeostasis.hpp); none by default.
    HomeostasisSpec homeostasis;
};

struct ConnectorSpec {
    enum class Kind {
        all_to_all,
        one_to_one,
        fixed_probability,
        fixed_number_pre,
        fixed_number_post,
        from_list,
        fixed_total_number,  // exactly `number` synapses in all (PyNN FixedTotalNumberConnector)
    };
    Kind kind = Kind::all_to_all;
    double probability = 0.0;  // fixed_probability
    // fixed_number_pre: in-degree; fixed_number_post: out-degree; fixed_total_number:
    // synapses of the whole projection.
    std::uint64_t number = 0;
    bool allow_autapses = true;    // a neuron may connect to itself (same population only)
    // fixed_number_* and fixed_total_number: the same pair may be drawn more than once.
    // The model file and Python default it to true for fixed_total_number (as NEST and
    // the Potjans-Diesmann model use it), false for the others.
    bool allow_multapses = false;
    // from_list: (source index, target index) pairs, with optional per-connection
    // weights and delays that override the projection's.
    std::vector<std::pair<std::uint32_t, std::uint32_t>> pairs;
    std::vector<double> list_weights;
    std::vector<double> list_delays;
};

std::string connector_kind_name(ConnectorSpec::Kind kind);

// The synapse type of a projection. Short-term plasticity parameters are per projection,
// so its state depends only on the presynaptic spike train and is kept per source neuron.
// STDP parameters are per projection too; each synapse has its own weight
// (docs/plasticity.md).
struct SynapseSpec {
    enum class Kind {
        static_synapse,   // fixed weight (PyNN StaticSynapse)
        tsodyks_markram,  // short-term depression and facilitation (PyNN TsodyksMarkramSynapse)
        stdp,             // spike-timing-dependent plasticity (PyNN STDPMechanism)
        rate_hebbian,     // Hebbian plasticity between rate units (models/rate_hebbian.hpp)
    };
    Kind kind = Kind::static_synapse;
    double U = 0.5;           // use of synaptic efficacy, in (0, 1]
    double tau_rec = 100.0;   // ms, recovery from depression, > 0
    double tau_facil = 0.0;   // ms, decay of facilitation, >= 0 (0: no facilitation)
    // stdp: timing and weight dependence (PyNN's defaults), and the part of the delay
    // that is dendritic; only 1 (the whole delay, as NEST) is supported. The timing rule
    // is `timing` (spike_pair), `triplet` or `vogels_sprekeler` as `timing_kind` says;
    // the last two take only the additive dependence's bounds (amplitudes in weight units).
    models::StdpTimingKind timing_kind = models::StdpTimingKind::spike_pair;
    models::SpikePairRule timing;
    models::TripletRule triplet;
    models::VogelsSprekelerRule vogels_sprekeler;
    models::WeightDependence weight_dependence;
    double dendritic_delay_fraction = 1.0;
    // stdp, timing_kind == dopamine: the three-factor rule; `modulator` names the
    // network's modulator (NetworkSpec::modulators) that is its third factor. With the
    // spike_pair rule a modulator is optional and scales the depression (A_minus n(t) at
    // each presynaptic spike): astrocyte-modulated STDP (docs/plasticity.md).
    models::DopamineRule dopamine;
    std::string modulator;
    // rate_hebbian: the rule, its learning rate and bounds (source and target are rate units).
    models::RateHebbianRule rate_hebbian;

    // Whether the weights change during a run (readable and settable after the build).
    bool plastic_weights() const { return kind == Kind::stdp || kind == Kind::rate_hebbian; }
};

struct ProjectionSpec {
    std::string name;  // optional; defaults to "source->target"
    std::string source;
    std::string target;
    ConnectorSpec connector;
    std::string receptor = "excitatory";  // a receptor port of the target model
    // Weights in the target port's unit (nA, uS or mV); a constant, a distribution, or an
    // array of n_source x n_target values (row-major, [source][target]) as in PyNN.
    ValueSpec weight = 0.0;
    ValueSpec delay = 1.0;  // ms; rounded to whole steps, must be >= dt
    SynapseSpec synapse;
};

struct StimulusSpec {
    enum class Kind {
        poisson,        // independent Poisson input to every target neuron (NEST poisson_generator)
        dc,             // constant current (PyNN DCSource)
        step_current,   // piecewise-constant current (PyNN StepCurrentSource)
        ac,             // sinusoidal current (PyNN ACSource)
        noisy_current,  // Gaussian current redrawn at fixed intervals (PyNN NoisyCurrentSource)
    };
    Kind kind = Kind::poisson;
    std::string name;
    std::string target;                  // population
    std::vector<std::uint32_t> neurons;  // empty = all of the population
    double rate = 0.0;                   // Hz, poisson: total rate of input spikes per neuron
    double weight = 0.0;                 // poisson: weight of each input spike (port unit)
    std::string receptor = "excitatory";  // poisson
    double amplitude = 0.0;              // nA, dc and ac (the sine's amplitude)
    std::vector<double> times;           // ms, step_current: when the current changes
    std::vector<double> amplitudes;      // nA, step_current: the current from each time on
    double offset = 0.0;                 // nA, ac
    double frequency = 0.0;              // Hz, ac
    double phase = 0.0;                  // degrees, ac
    double mean = 0.0;                   // nA, noisy_current
    double stdev = 0.0;                  // nA, noisy_current
    double interval = 0.0;               // ms, noisy_current: time between draws; 0 = dt
    double start = 0.0;                  // ms
    double stop = -1.0;                  // ms; < 0 means until the end
};

std::string stimulus_kind_name(StimulusSpec::Kind kind);

struct RecorderSpec {
    enum class Kind { spikes, state, weights };
    Kind kind = Kind::spikes;
    std::string population;
    std::vector<std::uint32_t> neurons;  // empty = all
    std::vector<std::string> variables;  // state: names of state variables
    double interval = 0.0;               // ms, state: sampling interval; 0 = every step
    // weights: the weights of chosen synapses of an stdp projection, sampled every
    // `interval` ms (> 0, a whole number of steps) from t = 0 (docs/plasticity.md). The
    // projection is `projection_index` when >= 0, else the one named `projection` (its
    // name, or "source->target" for an unnamed one); `synapses` are indices in the order
    // of Simulator::weights(projection), each column of the samples one of them.
    std::string projection;
    std::int64_t projection_index = -1;
    std::vector<std::uint64_t> synapses;
};

// A neuromodulator signal shared by the whole network (docs/plasticity.md), e.g. the
// dopamine of a volume transmitter or an astrocyte's activity:
//   tau dn/dt = baseline - n,   n jumps by weight_p at each spike of source population p
//   and by amount_k at release time t_k (a schedule; Python can add releases as it runs).
// It depends only on the spikes every process exchanges, so every shard and rank holds
// the same copy.
struct ModulatorSpec {
    std::string name;
    std::vector<std::pair<std::string, double>> sources;  // population -> jump per spike (n unit)
    double tau = 200.0;                                    // ms, > 0
    double baseline = 0.0;                                 // n unit, value without input
    double initial = 0.0;                                  // n unit, value at t = 0
    std::vector<double> release_times;                     // ms, >= 0
    std::vector<double> release_amounts;                   // n unit, one per time
};

struct NetworkSpec {
    SimulationSpec simulation;
    std::vector<PopulationSpec> populations;
    std::vector<ProjectionSpec> projections;
    std::vector<StimulusSpec> stimuli;
    std::vector<RecorderSpec> recorders;
    // The product of the factors apply_scale() has applied (1 for a network as written).
    // Informational: the sizes and connector numbers above are already scaled. Last, so
    // that aggregate initialisation {simulation, populations, projections, ...} keeps
    // working.
    double scale = 1.0;
    std::vector<ModulatorSpec> modulators;

    // Checks names, references, types, ranges and relations; throws a UserError whose
    // key() is the path of the offending entry, e.g. "projection[1].delay" or
    // "population[0].params.tau_m". Does not build anything large.
    void validate() const;

    // Index of the population called `name`, or -1.
    int population_index(const std::string& name) const;
};

// Scales a network by `scale` (> 0), as Potjans & Diesmann's reference implementation
// scales N and K: every population size becomes max(1, round(size * scale)) and
// in-degrees scale by `scale`:
//   fixed_number_pre    n -> round(n * scale)             (in-degree)
//   fixed_number_post   n -> round(n * scale)             (out-degree; the in-degree follows)
//   fixed_total_number  n -> round(n * scale^2)           (targets and in-degree both scale)
//   all_to_all, one_to_one, fixed_probability: unchanged (their in-degree already
//                       scales with the source population)
// round() is half away from zero. Weights, delays, parameters and stimuli are unchanged
// (docs/model-file.md, [network], says why and what happens to the rates). What cannot
// be scaled is refused with a ValueError naming its key when scale != 1: from_list
// connectors, per-neuron arrays of parameters or initial values, per-neuron
// spike_times lists, explicit neuron lists of stimuli and recorders, per-pair weight and
// delay arrays. scale == 1 changes nothing. The spec is left unchanged when it throws;
// NetworkSpec::scale is multiplied by `scale`. The result is not validated (call
// validate()).
void apply_scale(NetworkSpec& spec, double scale);

// The scaled count the rule above gives: round(count * factor), half away from zero.
std::uint64_t scaled_count(std::uint64_t count, double factor);

// Key paths used in messages (and by the model-file reader to find file:line).
std::string population_key(std::size_t index);
std::string projection_key(std::size_t index);
std::string stimulus_key(std::size_t index);
std::string recorder_key(std::size_t index);

// The projection a weights recorder names (RecorderSpec::projection_index, or its
// `projection` name), checked: a ValueError/KeyError whose key is "record[index].projection"
// for an unknown, ambiguous or non-stdp projection.
std::size_t weight_recorder_projection(const NetworkSpec& spec, std::size_t recorder_index);

}  // namespace neurodyn
