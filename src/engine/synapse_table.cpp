#include "neurodyn/engine/synapse_table.hpp"

#include <algorithm>
#include <numeric>

namespace neurodyn {

void SynapseTable::build(std::size_t n_sources, std::vector<SynapseEntry>&& entries) {
    // Counting sort by source (stable), then each row ordered by (delay, input), stable.
    row_offset_.assign(n_sources + 1, 0);
    for (const auto& e : entries) ++row_offset_[e.source + 1];
    std::partial_sum(row_offset_.begin(), row_offset_.end(), row_offset_.begin());

    const std::size_t n = entries.size();
    target_.resize(n);
    weight_.resize(n);
    delay_.resize(n);
    std::vector<std::uint64_t> cursor(row_offset_.begin(), row_offset_.end() - 1);
    min_delay_ = n ? UINT16_MAX : 0;
    max_delay_ = 0;
    for (const auto& e : entries) {
        const std::uint64_t k = cursor[e.source]++;
        target_[k] = e.input;
        weight_[k] = e.weight;
        delay_[k] = e.delay;
        min_delay_ = std::min(min_delay_, e.delay);
        max_delay_ = std::max(max_delay_, e.delay);
    }
    std::vector<SynapseEntry>().swap(entries);

    std::vector<std::uint32_t> order;
    std::vector<std::uint32_t> scratch_target;
    std::vector<float> scratch_weight;
    std::vector<std::uint16_t> scratch_delay;
    for (std::size_t s = 0; s < n_sources; ++s) {
        const std::uint64_t begin = row_offset_[s], end = row_offset_[s + 1];
        auto before = [&](std::uint64_t a, std::uint64_t b) {
            return delay_[a] != delay_[b] ? delay_[a] < delay_[b] : target_[a] < target_[b];
        };
        bool sorted = true;
        for (std::uint64_t k = begin + 1; k < end && sorted; ++k) sorted = !before(k, k - 1);
        if (sorted) continue;
        const std::size_t len = end - begin;
        order.resize(len);
        std::iota(order.begin(), order.end(), static_cast<std::uint32_t>(0));
        std::stable_sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) { return before(begin + a, begin + b); });
        scratch_target.resize(len);
        scratch_weight.resize(len);
        scratch_delay.resize(len);
        for (std::size_t i = 0; i < len; ++i) {
            scratch_target[i] = target_[begin + order[i]];
            scratch_weight[i] = weight_[begin + order[i]];
            scratch_delay[i] = delay_[begin + order[i]];
        }
        std::copy(scratch_target.begin(), scratch_target.end(), target_.begin() + static_cast<std::ptrdiff_t>(begin));
        std::copy(scratch_weight.begin(), scratch_weight.end(), weight_.begin() + static_cast<std::ptrdiff_t>(begin));
        std::copy(scratch_delay.begin(), scratch_delay.end(), delay_.begin() + static_cast<std::ptrdiff_t>(begin));
    }
}

std::size_t SynapseTable::bytes() const {
    return row_offset_.capacity() * sizeof(std::uint64_t) + target_.capacity() * sizeof(std::uint32_t) +
           weight_.capacity() * sizeof(float) + delay_.capacity() * sizeof(std::uint16_t);
}

}  // namespace neurodyn
