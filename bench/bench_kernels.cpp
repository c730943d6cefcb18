// Micro-benchmarks of the per-step kernels, to see each against its floor.
// Why: the network benchmarks (bench/compare_brian2.py) say how fast a whole run is;
// these say which loop to work on. Run: build/bench/bench_kernels --benchmark_min_time=0.2
// Last recorded results: docs/benchmarks.md ("Kernels").

#include <benchmark/benchmark.h>

#include <algorithm>
#include <vector>

#include "neurodyn/core/random.hpp"
#include "neurodyn/core/time.hpp"
#include "neurodyn/models/if_cond_exp.hpp"
#include "neurodyn/models/if_curr_delta.hpp"
#include "neurodyn/models/if_curr_exp.hpp"
#include "neurodyn/models/hh_cond_exp.hpp"
#include "neurodyn/models/adex.hpp"

using namespace neurodyn;

// One Philox4x32-10 block (four 32-bit words), scalar.
static void PhiloxScalar(benchmark::State& state) {
    std::uint32_t counter = 0, sink = 0;
    for (auto _ : state) {
        const auto block = philox4x32({counter++, 0, 7, 9}, 1234);
        sink ^= block[0];
    }
    benchmark::DoNotOptimize(sink);
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(PhiloxScalar);

// Philox blocks in batches of 64, the form the Poisson drive uses.
static void PhiloxBatch(benchmark::State& state) {
    constexpr std::size_t n = 64;
    std::uint32_t x0[n], x1[n], x2[n], x3[n];
    std::uint32_t counter = 0;
    for (auto _ : state) {
        philox4x32_batch(n, counter++, 0, 0, 9, 1234, x0, x1, x2, x3);
        benchmark::DoNotOptimize(x0);
    }
    state.SetItemsProcessed(state.iterations() * n);
}
BENCHMARK(PhiloxBatch);

// One step of N neurons of a model, no spikes (the membrane stays below threshold).
template <class Model>
static void NeuronUpdate(benchmark::State& state) {
    const auto n = static_cast<std::size_t>(state.range(0));
    Model group(n, 0);
    group.prepare(0.1);
    std::vector<double> exc(n, 0.0), inh(n, 0.0), injected(n, 0.0);
    const double* ports[2] = {exc.data(), inh.data()};
    std::vector<std::uint32_t> spiked;
    Step step = 0;
    for (auto _ : state) {
        group.update(StepInput{step++, ports, injected.data(), 1}, spiked);
        benchmark::ClobberMemory();
    }
    state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(n));
}
BENCHMARK_TEMPLATE(NeuronUpdate, models::IfCurrDelta)->Arg(12500);
BENCHMARK_TEMPLATE(NeuronUpdate, models::IfCurrExp)->Arg(12500);
BENCHMARK_TEMPLATE(NeuronUpdate, models::IfCondExp)->Arg(4000);
BENCHMARK_TEMPLATE(NeuronUpdate, models::HhCondExp)->Arg(4000);
BENCHMARK_TEMPLATE(NeuronUpdate, models::EifCondExpIsfaIsta)->Arg(4000);

// The floor of spike delivery: the scatter-add of one synapse-table row into one
// ring-buffer slot, the engine's inner loop, on rows shaped like the Brunel network's
// (1250 targets per source, sorted, among 12500 neurons x 2 ports; weights float,
// buffer double). Shard::deliver adds row lookup and delay runs around it.
static void DeliveryScatter(benchmark::State& state) {
    constexpr std::size_t n_inputs = 25000, row_length = 1250, n_rows = 512;
    RandomStream stream(99, 1, 0);
    std::vector<std::uint32_t> target(row_length * n_rows);
    std::vector<float> weight(target.size(), 0.1f);
    for (std::size_t r = 0; r < n_rows; ++r) {
        auto* row = target.data() + r * row_length;
        for (std::size_t k = 0; k < row_length; ++k)
            row[k] = static_cast<std::uint32_t>(stream.uniform() * n_inputs);
        std::sort(row, row + row_length);
    }
    std::vector<double> slot(n_inputs, 0.0);
    std::size_t r = 0;
    for (auto _ : state) {
        const std::uint32_t* t = target.data() + r * row_length;
        const float* w = weight.data() + r * row_length;
        for (std::size_t k = 0; k < row_length; ++k) slot[t[k]] += w[k];
        r = (r + 1) % n_rows;
        benchmark::ClobberMemory();
    }
    benchmark::DoNotOptimize(slot.data());
    state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(row_length));
}
BENCHMARK(DeliveryScatter);

BENCHMARK_MAIN();
