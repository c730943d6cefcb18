#pragma once
// SpikeSourceGamma: each neuron emits a gamma renewal process (PyNN standard cell; NEST
// gamma_sup_generator for independent trains). Intervals are gamma distributed with
// integer shape alpha and rate beta (Hz): the sum of alpha independent exponential
// intervals of mean 1000/beta ms, so mean interval 1000 alpha/beta ms, firing rate
// beta/alpha Hz and interval CV 1/sqrt(alpha) (alpha = 1 is SpikeSourcePoisson).
//
// As in SpikeSourcePoisson, intervals are drawn in continuous time from the neuron's own
// random stream, starting at `start` (the first spike follows `start` by one gamma
// interval: the train is not started in its stationary state) and ending at
// `start + duration`; a spike is emitted in the step that contains it and stamped at that
// step's end; a second spike in a step that already has one is emitted in the next.
// The k-th interval of neuron i is a pure function of (seed, population, i, k): interval
// k uses the uniforms of Philox blocks k*ceil(alpha/2) ... (k+1)*ceil(alpha/2) - 1.

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <memory>

#include "neurodyn/core/random.hpp"
#include "neurodyn/core/strings.hpp"
#include "neurodyn/models/neuron_group.hpp"
#include "neurodyn/models/standard_fields.hpp"

namespace neurodyn::models {

class SpikeSourceGamma final : public NeuronGroup {
public:
    enum Param : std::size_t { alpha, beta, start, duration };

    // Large shapes cost alpha uniforms per interval; beyond this a gamma process is
    // better described as a (near-)regular train.
    static constexpr double kMaxAlpha = 1000.0;

    static constexpr std::array<FieldInfo, 4> kParams{{
        {"alpha", "", 2.0, Bound::any, "shape of the interval distribution, an integer in [1, 1000]"},
        {"beta", "Hz", 1.0, Bound::non_negative, "rate of the interval distribution (firing rate beta/alpha)"},
        field::start,
        field::duration,
    }};
    static constexpr std::array<FieldInfo, 0> kState{};
    static constexpr std::array<std::string_view, 0> kPorts{};
    static inline const ModelInfo kInfo{
        "SpikeSourceGamma",
        "Independent gamma renewal spike trains (integer shape alpha, rate beta), intervals drawn in continuous "
        "time.",
        kParams,
        kState,
        kPorts,
        PortKind::current,
        true,
        [](std::size_t size, std::uint64_t first) -> std::unique_ptr<NeuronGroup> {
            return std::make_unique<SpikeSourceGamma>(size, first);
        }};

    SpikeSourceGamma(std::size_t size, std::uint64_t first) : NeuronGroup(kInfo, size, first) {}

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

private:
    void check_relations() const override {
        for (std::size_t i = 0; i < size_; ++i) {
            const double a = params_[alpha][i];
            if (!(a >= 1.0 && a <= kMaxAlpha && a == std::floor(a)))
                fail("alpha", "an integer in [1, " + format_number(kMaxAlpha) + "]", a, i);
        }
    }

    void precompute(double h) override {
        h_ = h;
        next_spike_.assign(size_, std::numeric_limits<double>::infinity());
        intervals_.assign(size_, 0);
        started_ = false;
    }

    void start_trains(const StepInput& in) {
        for (std::size_t i = 0; i < size_; ++i) next_spike_[i] = advance(i, params_[start][i], in.seed);
        started_ = true;
    }

    // The first spike after `t` (ms), or infinity when the train has ended: t plus
    // -(1000/beta) ln(u_1 ... u_alpha), the product taken in chunks so that it cannot
    // underflow (each u >= 2^-53; 16 of them >= 2^-848).
    double advance(std::size_t i, double t, std::uint64_t seed) {
        const double b = params_[beta][i];
        if (!(b > 0.0)) return std::numeric_limits<double>::infinity();
        const auto shape = static_cast<std::uint64_t>(params_[alpha][i]);
        const std::uint64_t blocks = (shape + 1) / 2;
        const std::uint64_t k = intervals_[i]++;
        double log_sum = 0.0, product = 1.0;
        std::uint64_t used = 0;
        for (std::uint64_t j = 0; j < blocks; ++j) {
            const std::uint64_t c = k * blocks + j;
            const auto block = philox4x32({static_cast<std::uint32_t>(c), static_cast<std::uint32_t>(c >> 32),
                                           static_cast<std::uint32_t>(first_ + i), random_domain_},
                                          seed);
            for (int half = 0; half < 2 && used < shape; ++half, ++used) {
                product *= 1.0 - uniform_from_bits(block[2 * half], block[2 * half + 1]);  // (0, 1]
                if (used % 16 == 15) {
                    log_sum += std::log(product);
                    product = 1.0;
                }
            }
        }
        log_sum += std::log(product);
        const double next = t - log_sum * 1000.0 / b;
        return next < params_[start][i] + params_[duration][i] ? next : std::numeric_limits<double>::infinity();
    }

    double h_ = 0.1;
    bool started_ = false;
    std::vector<double> next_spike_;
    std::vector<std::uint64_t> intervals_;
};

}  // namespace neurodyn::models
