// Analysis of 10^7 spikes: grouping, rates, ISI CV and LV, and the population spectrum.
// Why: issue 8 asks that the analysis of 10^7 spikes (rates, CV, chi, spectrum) take
// seconds; this measures each step and the whole, on 10,000 Poisson neurons at 10 Hz for
// 100 s (10^7 spikes, sorted in time as a recorder writes them).
// Run: build/bench/bench_analysis --benchmark_min_time=1
// Last recorded results: docs/analysis.md ("Performance of the spike-train and spectral measures").

#include <benchmark/benchmark.h>

#include <vector>

#include "neurodyn/analysis/oscillations.hpp"
#include "neurodyn/analysis/spike_statistics.hpp"
#include "neurodyn/analysis/spike_trains.hpp"
#include "neurodyn/core/random.hpp"

using namespace neurodyn;
using namespace neurodyn::analysis;

namespace {

constexpr std::size_t kNeurons = 10000;
constexpr double kDurationMs = 100000.0, kRateHz = 10.0;

struct Data {
    std::vector<double> times;
    std::vector<std::uint32_t> ids;
};

// The superposition of the neurons' Poisson processes: population intervals exponential
// with rate N r, each spike given to a uniformly drawn neuron.
const Data& data() {
    static const Data d = [] {
        Data d;
        RandomStream rng(1, 1, 1);
        const double mean_interval = 1000.0 / (kRateHz * kNeurons);
        d.times.reserve(10'100'000);
        d.ids.reserve(10'100'000);
        for (double t = rng.exponential(mean_interval); t < kDurationMs; t += rng.exponential(mean_interval)) {
            d.times.push_back(t);
            d.ids.push_back(static_cast<std::uint32_t>(rng.below(kNeurons)));
        }
        return d;
    }();
    return d;
}

const SpikeTrains& grouped() {
    static const SpikeTrains trains = group_by_neuron(data().times, data().ids, kNeurons);
    return trains;
}

void report(benchmark::State& state) {
    state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(data().times.size()));
    state.counters["spikes"] = static_cast<double>(data().times.size());
}

}  // namespace

static void GroupByNeuron(benchmark::State& state) {
    for (auto _ : state) benchmark::DoNotOptimize(group_by_neuron(data().times, data().ids, kNeurons));
    report(state);
}
BENCHMARK(GroupByNeuron)->Unit(benchmark::kMillisecond);

static void FiringRates(benchmark::State& state) {
    for (auto _ : state) benchmark::DoNotOptimize(firing_rates_hz(grouped(), 0.0, kDurationMs));
    report(state);
}
BENCHMARK(FiringRates)->Unit(benchmark::kMillisecond);

static void IsiCvPerNeuron(benchmark::State& state) {
    for (auto _ : state) benchmark::DoNotOptimize(isi_cv_per_neuron(grouped()));
    report(state);
}
BENCHMARK(IsiCvPerNeuron)->Unit(benchmark::kMillisecond);

static void LocalVariation(benchmark::State& state) {
    for (auto _ : state) benchmark::DoNotOptimize(local_variation(grouped()));
    report(state);
}
BENCHMARK(LocalVariation)->Unit(benchmark::kMillisecond);

// Population rate in 1 ms bins (10^5 bins), Welch with 1024-sample segments.
static void PopulationSpectrum(benchmark::State& state) {
    for (auto _ : state) benchmark::DoNotOptimize(population_spectrum(data().times, kNeurons, 0.0, kDurationMs, 1.0, 1024));
    report(state);
}
BENCHMARK(PopulationSpectrum)->Unit(benchmark::kMillisecond);

// The task from the raw arrays: group, rates, CV, spectrum.
static void RatesCvSpectrumFromRawArrays(benchmark::State& state) {
    for (auto _ : state) {
        const auto trains = group_by_neuron(data().times, data().ids, kNeurons);
        benchmark::DoNotOptimize(firing_rates_hz(trains, 0.0, kDurationMs));
        benchmark::DoNotOptimize(isi_cv_per_neuron(trains));
        benchmark::DoNotOptimize(population_spectrum(data().times, kNeurons, 0.0, kDurationMs, 1.0, 1024));
    }
    report(state);
}
BENCHMARK(RatesCvSpectrumFromRawArrays)->Unit(benchmark::kMillisecond);
BENCHMARK_MAIN();
