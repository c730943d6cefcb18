#pragma once
// SpikeSourceArray: each neuron emits spikes at given times (PyNN standard cell; NEST
// spike_generator). A time s (ms) is emitted in the step that ends at the grid time
// nearest to s, so it is stamped round(s/dt)*dt; times must be >= dt (the first step
// ends at dt). Two times that fall on one grid point emit one spike per step, the
// second in the next step.

#include <algorithm>
#include <array>
#include <cmath>
#include <memory>

#include "neurodyn/core/error.hpp"
#include "neurodyn/core/strings.hpp"
#include "neurodyn/core/time.hpp"
#include "neurodyn/models/neuron_group.hpp"

namespace neurodyn::models {

class SpikeSourceArray final : public NeuronGroup {
public:
    static constexpr std::array<FieldInfo, 0> kParams{};
    static constexpr std::array<FieldInfo, 0> kState{};
    static constexpr std::array<std::string_view, 0> kPorts{};
    static inline const ModelInfo kInfo{
        "SpikeSourceArray",
        "Spikes at given times (ms), one list per neuron or one list shared by all.",
        kParams,
        kState,
        kPorts,
        PortKind::current,
        true,
        [](std::size_t n, std::uint64_t first) -> std::unique_ptr<NeuronGroup> {
            return std::make_unique<SpikeSourceArray>(n, first);
        }};

    SpikeSourceArray(std::size_t n, std::uint64_t first) : NeuronGroup(kInfo, n, first), times_(n) {}

    // One list per neuron, or a single list shared by every neuron.
    void set_spike_times(const std::vector<std::vector<double>>& times) {
        if (times.size() != 1 && times.size() != size_)
            throw ValueError("SpikeSourceArray: spike_times needs one list shared by all neurons or one per neuron (" +
                                 std::to_string(size_) + "), got " + std::to_string(times.size()),
                             "spike_times");
        for (std::size_t i = 0; i < size_; ++i) times_[i] = times[times.size() == 1 ? 0 : i];
        for (std::size_t i = 0; i < size_; ++i)
            for (double t : times_[i])
                if (!std::isfinite(t) || t < 0.0)
                    throw ValueError("SpikeSourceArray: spike time " + format_number(t) +
                                         " ms is not a finite time >= 0 (neuron " + std::to_string(first_ + i) + ")",
                                     "spike_times");
    }

    void update(const StepInput& in, std::vector<std::uint32_t>& spiked) override {
        for (std::size_t i = 0; i < size_; ++i) {
            if (cursor_[i] < steps_[i].size() && steps_[i][cursor_[i]] <= in.step) {
                spiked.push_back(static_cast<std::uint32_t>(i));
                ++cursor_[i];
            }
        }
    }

private:
    void precompute(double h) override {
        steps_.assign(size_, {});
        cursor_.assign(size_, 0);
        for (std::size_t i = 0; i < size_; ++i) {
            std::vector<double> sorted = times_[i];
            std::sort(sorted.begin(), sorted.end());
            for (double t : sorted) {
                const Step stamp = steps_from_ms(t, h);
                if (stamp < 1)
                    throw ValueError("SpikeSourceArray: spike time " + format_number(t) +
                                         " ms is earlier than the first step's end (dt = " + format_number(h) +
                                         " ms) (neuron " + std::to_string(first_ + i) + ")",
                                     "spike_times");
                steps_[i].push_back(stamp - 1);  // emitted in the step that ends at `stamp`
            }
        }
    }

    std::vector<std::vector<double>> times_;
    std::vector<std::vector<Step>> steps_;
    std::vector<std::size_t> cursor_;
};

}  // namespace neurodyn::models
