// Ring buffer and synapse table.

#include <gtest/gtest.h>

#include "neurodyn/engine/ring_buffer.hpp"
#include "neurodyn/engine/synapse_table.hpp"

using namespace neurodyn;

TEST(InputRingBuffer, SlotsWrapAndClear) {
    InputRingBuffer ring(3, 4);
    ring.slot(5)[1] += 2.5;
    EXPECT_EQ(ring.slot(1)[1], 2.5);  // 5 mod 4 == 1
    EXPECT_EQ(ring.slot(9)[1], 2.5);
    EXPECT_EQ(ring.slot(6)[1], 0.0);
    ring.clear(5);
    EXPECT_EQ(ring.slot(1)[1], 0.0);
    EXPECT_EQ(ring.bytes(), 12 * sizeof(double));
}

TEST(SynapseTable, RowsBySourceSortedByDelayThenTarget) {
    std::vector<SynapseEntry> entries{
        {2, 5, 1.0f, 3}, {0, 1, 2.0f, 1}, {2, 1, 3.0f, 3}, {2, 9, 4.0f, 1}, {1, 0, 5.0f, 2},
    };
    SynapseTable table;
    table.build(4, std::move(entries));
    EXPECT_EQ(table.size(), 5u);
    EXPECT_EQ(table.row_begin(0), 0u);
    EXPECT_EQ(table.row_end(0), 1u);
    EXPECT_EQ(table.row_begin(3), table.row_end(3));  // a source without synapses
    const auto b = table.row_begin(2);
    ASSERT_EQ(table.row_end(2) - b, 3u);
    EXPECT_EQ(table.delays()[b], 1);
    EXPECT_EQ(table.targets()[b], 9u);
    EXPECT_EQ(table.targets()[b + 1], 1u);
    EXPECT_EQ(table.targets()[b + 2], 5u);
    EXPECT_EQ(table.weights()[b + 1], 3.0f);
    EXPECT_EQ(table.min_delay(), 1);
    EXPECT_EQ(table.max_delay(), 3);
}

TEST(SynapseTable, MultapsesKeepGenerationOrder) {
    // Equal (source, delay, target): summation order must be the generation order.
    std::vector<SynapseEntry> entries{{0, 4, 1.0f, 2}, {0, 3, 9.0f, 1}, {0, 4, 2.0f, 2}, {0, 4, 3.0f, 2}};
    SynapseTable table;
    table.build(1, std::move(entries));
    EXPECT_EQ(table.weights()[1], 1.0f);
    EXPECT_EQ(table.weights()[2], 2.0f);
    EXPECT_EQ(table.weights()[3], 3.0f);
}

TEST(SynapseTable, StaysWithinTenBytesPerSynapsePlusRowOffsets) {
    std::vector<SynapseEntry> entries;
    for (std::uint32_t i = 0; i < 10000; ++i) entries.push_back({i % 100, i, 1.0f, 1});
    SynapseTable table;
    table.build(100, std::move(entries));
    EXPECT_LE(table.bytes(), 10u * 10000u + 8u * 101u);
}
