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
};

struct ConnectorSpec {
    enum class Kind { all_to_all, one_to_one, fixed_probability, fixed_number_pre, fixed_number_post, from_list };
    Kind kind = Kind::all_to_all;
    double probability = 0.0;  // fixed_probability
    std::uint64_t number = 0;  // fixed_number_pre (in-degree) / fixed_number_post (out-degree)
    bool allow_autapses = true;    // a neuron may connect to itself (same population only)
    bool allow_multapses = false;  // fixed_number_*: the same pair may be drawn more than once
    // from_list: (source index, target index) pairs, with optional per-connection
    // weights and delays that override the projection's.
    std::vector<std::pair<std::uint32_t, std::uint32_t>> pairs;
    std::vector<double> list_weights;
    std::vector<double> list_delays;
};

std::string connector_kind_name(ConnectorSpec::Kind kind);

// The synapse type of a projection. Short-term plasticity parameters are per projection,
// so its state depends only on the presynaptic spike train and is kept per source neuron.
struct SynapseSpec {
    enum class Kind {
        static_synapse,   // fixed weight (PyNN StaticSynapse)
        tsodyks_markram,  // short-term depression and facilitation (PyNN TsodyksMarkramSynapse)
    };
    Kind kind = Kind::static_synapse;
    double U = 0.5;           // use of synaptic efficacy, in (0, 1]
    double tau_rec = 100.0;   // ms, recovery from depression, > 0
    double tau_facil = 0.0;   // ms, decay of facilitation, >= 0 (0: no facilitation)
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
    enum class Kind { spikes, state };
    Kind kind = Kind::spikes;
    std::string population;
    std::vector<std::uint32_t> neurons;  // empty = all
    std::vector<std::string> variables;  // state: names of state variables
    double interval = 0.0;               // ms, state: sampling interval; 0 = every step
};

struct NetworkSpec {
    SimulationSpec simulation;
    std::vector<PopulationSpec> populations;
    std::vector<ProjectionSpec> projections;
    std::vector<StimulusSpec> stimuli;
    std::vector<RecorderSpec> recorders;

    // Checks names, references, types, ranges and relations; throws a UserError whose
    // key() is the path of the offending entry, e.g. "projection[1].delay" or
    // "population[0].params.tau_m". Does not build anything large.
    void validate() const;

    // Index of the population called `name`, or -1.
    int population_index(const std::string& name) const;
};

// Key paths used in messages (and by the model-file reader to find file:line).
std::string population_key(std::size_t index);
std::string projection_key(std::size_t index);
std::string stimulus_key(std::size_t index);
std::string recorder_key(std::size_t index);

}  // namespace neurodyn
