#pragma once
// A group of neurons of one model with structure-of-arrays state: the unit a shard
// updates with one loop per step.

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "neurodyn/models/model_info.hpp"

namespace neurodyn {

// What a group needs to advance one step, from t = step*dt to (step+1)*dt.
struct StepInput {
    std::int64_t step = 0;
    // Per receptor port, the input that arrives at the end of this step for each neuron
    // of the group (units of the model's PortKind); summed over synapses and stimuli.
    std::span<const double* const> port_input;
    // Injected current (nA) per neuron from current sources, held over the step; never
    // null (zeros when no source targets the group).
    const double* injected_current = nullptr;
    std::uint64_t seed = 0;
};

// Read access to a per-neuron column of parameters or derived constants. When every
// neuron of a group has the same parameters (NeuronGroup::homogeneous()), update loops
// are instantiated with Homogeneous = true and use element 0 only: a step then streams
// just the state through the cache, not every parameter and propagator as well. That
// value is copied at construction, so the compiler sees a loop invariant rather than a
// load that a store to the state might alias (which would keep the loop scalar).
template <bool Homogeneous, class T = double>
class Column {
public:
    explicit Column(const T* data) : data_(data), first_(data != nullptr ? data[0] : T{}) {}
    T operator[](std::size_t i) const {
        if constexpr (Homogeneous)
            return first_;
        else
            return data_[i];
    }

private:
    const T* data_;
    T first_;
};

class NeuronGroup {
public:
    NeuronGroup(const ModelInfo& info, std::size_t size, std::uint64_t first);
    virtual ~NeuronGroup() = default;
    NeuronGroup(const NeuronGroup&) = delete;
    NeuronGroup& operator=(const NeuronGroup&) = delete;

    const ModelInfo& info() const { return info_; }
    std::size_t size() const { return size_; }
    std::uint64_t first_index() const { return first_; }
    // The random domain of the population this group belongs to (keys its streams).
    void set_random_domain(std::uint32_t domain) { random_domain_ = domain; }

    std::span<double> param(std::size_t index) { return params_[index]; }
    std::span<const double> param(std::size_t index) const { return params_[index]; }
    std::span<double> state(std::size_t index) { return state_[index]; }
    std::span<const double> state(std::size_t index) const { return state_[index]; }
    // True when every parameter has the same value for all neurons (set by prepare()).
    bool homogeneous() const { return homogeneous_; }
    // Steps of refractoriness left per neuron (0 = free to integrate).
    std::span<const std::int32_t> refractory_steps_left() const { return refractory_left_; }

    // Checks every neuron's parameters (bounds from the table, then the model's
    // relations between them) and precomputes what depends on dt. Throws ValueError
    // naming the model, the field, the neuron and the value.
    void prepare(double dt_ms);

    // Advances all neurons one step and appends the group-local index of each neuron
    // that fired to `spiked`, in increasing order.
    virtual void update(const StepInput& input, std::vector<std::uint32_t>& spiked) = 0;

    // Rate neurons transmit a value every step instead of spikes: their output after the
    // last update, one per neuron (each synapse adds weight x value to its target). Null
    // for spiking models.
    virtual const double* rate_output() const { return nullptr; }

    // Homeostasis (network/homeostasis.hpp) changes a parameter of each neuron while the
    // network runs. From this call on the update loops read every parameter per neuron:
    // homogeneous() stays false, also through later prepare() calls. Groups that never
    // call it keep the homogeneous fast path.
    void keep_params_per_neuron() {
        params_per_neuron_ = true;
        homogeneous_ = false;
    }
    // After parameter `index` was changed during the run (for any neurons): recomputes what
    // precompute() derived from it. Nothing to do (the default) for models that read the
    // parameter in every update; models that fold it into a constant override this
    // (tests/integration/test_homeostasis.cpp compares every model with a fresh prepare()).
    virtual void refresh_derived(std::size_t index) {}

protected:
    // Relations between parameters that a single bound cannot express.
    virtual void check_relations() const {}
    virtual void precompute(double dt_ms) = 0;
    // Throws the standard message: "<model>: <field> must be <cond> <unit>, got <value> (neuron i)".
    [[noreturn]] void fail(std::string_view field, std::string_view condition, double value, std::size_t neuron) const;

    const ModelInfo& info_;
    std::size_t size_;
    std::uint64_t first_;
    std::vector<std::vector<double>> params_;
    std::vector<std::vector<double>> state_;
    std::vector<std::int32_t> refractory_left_;
    std::uint32_t random_domain_ = 0;
    bool homogeneous_ = false;
    bool params_per_neuron_ = false;  // keep_params_per_neuron() was called
};

// Refractory period in whole steps, as NEST counts it: round(tau_refrac / dt).
std::int32_t refractory_steps(double tau_refrac_ms, double dt_ms);

}  // namespace neurodyn
