#pragma once
// The incoming synapses of one shard, as compressed sparse rows indexed by the global id
// of the source neuron: for each source the synapses onto this shard's inputs, sorted
// by delay then target. 10 bytes per synapse (float weight, uint32 target, uint16 delay)
// plus 8 bytes per source neuron for the row offsets.

#include <cstddef>
#include <cstdint>
#include <vector>

namespace neurodyn {

struct SynapseEntry {
    std::uint32_t source;  // global neuron id
    std::uint32_t input;   // index into the shard's input space (neuron x port)
    float weight;
    std::uint16_t delay;  // steps, >= 1
};

class SynapseTable {
public:
    // Builds the rows from unordered entries (consumed). Entries with equal source, delay
    // and input keep their relative order, so multapses are summed in generation order
    // whatever the decomposition.
    void build(std::size_t n_sources, std::vector<SynapseEntry>&& entries);

    std::size_t size() const { return target_.size(); }
    std::size_t bytes() const;
    std::uint64_t row_begin(std::uint32_t source) const { return row_offset_[source]; }
    std::uint64_t row_end(std::uint32_t source) const { return row_offset_[source + 1]; }
    const std::uint32_t* targets() const { return target_.data(); }
    const float* weights() const { return weight_.data(); }
    float* weights() { return weight_.data(); }
    const std::uint16_t* delays() const { return delay_.data(); }
    std::uint16_t max_delay() const { return max_delay_; }
    std::uint16_t min_delay() const { return min_delay_; }

private:
    std::vector<std::uint64_t> row_offset_;
    std::vector<std::uint32_t> target_;
    std::vector<float> weight_;
    std::vector<std::uint16_t> delay_;
    std::uint16_t max_delay_ = 0;
    std::uint16_t min_delay_ = 0;
};

}  // namespace neurodyn
