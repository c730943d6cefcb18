#pragma once
// Input ring buffer of one shard: [slot][input], one slot per time step, one input per
// (neuron, receptor port). Slot s holds what arrives at the end of step s.
//
// Size: spikes are delivered once per epoch of `min_delay` steps; a spike emitted in
// step n with delay d (min_delay <= d <= max_delay) lands in slot n + d. When a (possibly
// partial, on interrupt) epoch ending before step e is delivered, every slot not yet read
// lies in [e, e + min_delay - 1 + max_delay - 1], so max_delay + min_delay slots can never
// wrap onto one that is still unread (as NEST sizes its ring buffers).

#include <algorithm>
#include <cstddef>
#include <vector>

#include "neurodyn/core/time.hpp"

namespace neurodyn {

class InputRingBuffer {
public:
    InputRingBuffer() = default;
    InputRingBuffer(std::size_t inputs, std::size_t slots) : inputs_(inputs), slots_(slots), data_(inputs * slots, 0.0) {}

    std::size_t inputs() const { return inputs_; }
    std::size_t slots() const { return slots_; }
    double* slot(Step step) { return data_.data() + static_cast<std::size_t>(step % static_cast<Step>(slots_)) * inputs_; }
    const double* slot(Step step) const {
        return data_.data() + static_cast<std::size_t>(step % static_cast<Step>(slots_)) * inputs_;
    }
    void clear(Step step) { std::fill_n(slot(step), inputs_, 0.0); }
    void clear_all() { std::fill(data_.begin(), data_.end(), 0.0); }
    std::size_t bytes() const { return data_.size() * sizeof(double); }

private:
    std::size_t inputs_ = 0;
    std::size_t slots_ = 1;
    std::vector<double> data_;
};

}  // namespace neurodyn
