#pragma once
// SpikeSourcePoisson: each neuron emits an independent Poisson spike train (PyNN
// standard cell; NEST poisson_generator + parrot_neuron).
//
// Intervals are drawn in continuous time, exponentially with mean 1000/rate ms, starting
// at `start` and ending at `start + duration`. A spike at time s is emitted in the step
// that contains it and stamped at that step's end; several spikes in one step are all
// emitted in it, as repeated events (NEST's spike multiplicity), so none is lost or
// delayed whatever the rate. The k-th interval of neuron i is a pure function of (seed,
// population, i, k).

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <memory>

#include "neurodyn/core/random.hpp"
#include "neurodyn/models/neuron_group.hpp"
#include "neurodyn/models/standard_fields.hpp"

namespace neurodyn::models {

class SpikeSourcePoisson final : public NeuronGroup {
public:
    enum Param : std::size_t { rate, start, duration };

    static constexpr std::array<FieldInfo, 3> kParams{{
        {"rate", "Hz", 1.0, Bound::non_negative, "mean firing rate"},
        field::start,
        field::duration,
    }};
    static constexpr std::array<FieldInfo, 0> kState{};
    static constexpr std::array<std::string_view, 0> kPorts{};
    static inline const ModelInfo kInfo{
        "SpikeSourcePoisson",
        "Independent Poisson spike trains, intervals drawn in continuous time.",
        kParams,
        kState,
        kPorts,
        PortKind::current,
        true,
        [](std::size_t n, std::uint64_t first) -> std::unique_ptr<NeuronGroup> {
            return std::make_unique<SpikeSourcePoisson>(n, first);
        }};

    SpikeSourcePoisson(std::size_t n, std::uint64_t first) : NeuronGroup(kInfo, n, first) {}

    void update(const StepInput& in, std::vector<std::uint32_t>& spiked) override {
        if (!started_) start_trains(in);
        const double step_end = static_cast<double>(in.step + 1) * h_;
        for (std::size_t i = 0; i < size_; ++i) {
            // Every spike that falls in the step is emitted in it: several spikes of one
            // source in a step are sent as that many events (NEST's multiplicity), so a
            // train keeps its rate even near or above 1/dt.
            while (next_spike_[i] < step_end) {
                spiked.push_back(static_cast<std::uint32_t>(i));
                next_spike_[i] = advance(i, next_spike_[i], in.seed);
            }
        }
    }

    // Restart the trains from `t_ms` (after a parameter change between runs).
    void restart_at(double t_ms) {
        started_ = false;
        restart_time_ = t_ms;
    }

private:
    void precompute(double h) override {
        h_ = h;
        next_spike_.assign(size_, std::numeric_limits<double>::infinity());
        // Kept on a re-prepare (a parameter change between runs): the restarted trains go
        // on with fresh draws of their streams instead of replaying the old ones.
        if (draws_.size() != size_) draws_.assign(size_, 0);
        started_ = false;
    }

    void start_trains(const StepInput& in) {
        for (std::size_t i = 0; i < size_; ++i) {
            const double from = std::max(params_[start][i], restart_time_);
            next_spike_[i] = advance(i, from, in.seed);
        }
        started_ = true;
    }

    // The first spike after `t` (ms), or infinity when the train has ended.
    double advance(std::size_t i, double t, std::uint64_t seed) {
        const double r = params_[rate][i];
        if (!(r > 0.0)) return std::numeric_limits<double>::infinity();
        const std::uint64_t k = draws_[i]++;
        const auto block = philox4x32({static_cast<std::uint32_t>(k), static_cast<std::uint32_t>(k >> 32),
                                       static_cast<std::uint32_t>(first_ + i), random_domain_},
                                      seed);
        const double u = 1.0 - uniform_from_bits(block[0], block[1]);  // (0, 1]
        const double next = t - std::log(u) * 1000.0 / r;
        return next < params_[start][i] + params_[duration][i] ? next : std::numeric_limits<double>::infinity();
    }

    double h_ = 0.1;
    double restart_time_ = 0.0;
    bool started_ = false;
    std::vector<double> next_spike_;
    std::vector<std::uint64_t> draws_;
};

}  // namespace neurodyn::models
