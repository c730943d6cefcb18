// The fixed_total_number connector (PyNN FixedTotalNumberConnector, NEST
// fixed_total_number): exact totals, the distribution of the per-target counts against
// the multinomial (with multapses) and the multivariate hypergeometric (without), no
// multapses or autapses when refused, the errors, and the same synapses whatever the
// split of the targets into ranges or shards.
//
// Statistical checks use fixed seeds and 4-sigma bounds on approximately normal
// statistics: each fails by chance with probability ~6.3e-5, so the ~10 checks here fail
// together with probability < 1e-3 for a fresh seed, and never for the seeds fixed here.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <map>
#include <numeric>
#include <set>
#include <string>
#include <vector>

#include "neurodyn/core/error.hpp"
#include "neurodyn/engine/simulator.hpp"
#include "neurodyn/network/connectivity.hpp"
#include "neurodyn/record/spike_recorder.hpp"

using namespace neurodyn;

namespace {

ConnectorSpec total_number(std::uint64_t n, bool multapses = true, bool autapses = true) {
    ConnectorSpec c;
    c.kind = ConnectorSpec::Kind::fixed_total_number;
    c.number = n;
    c.allow_multapses = multapses;
    c.allow_autapses = autapses;
    return c;
}

// "A" (n_source) onto "B" (n_target), or "A" onto itself when n_target == 0.
NetworkSpec make_spec(std::uint64_t n_source, std::uint64_t n_target, const ConnectorSpec& connector,
                      std::uint64_t seed = 12345) {
    NetworkSpec spec;
    spec.simulation.seed = seed;
    spec.populations.push_back({"A", "IF_curr_exp", n_source, {}, {}, {}});
    if (n_target > 0) spec.populations.push_back({"B", "IF_curr_exp", n_target, {}, {}, {}});
    ProjectionSpec projection;
    projection.source = "A";
    projection.target = n_target > 0 ? "B" : "A";
    projection.connector = connector;
    projection.weight = Distribution::normal(0.1, 0.02);
    projection.delay = Distribution::uniform(0.5, 3.0);
    spec.projections.push_back(projection);
    return spec;
}

std::uint32_t n_target_of(const NetworkSpec& spec) {
    const int target = spec.population_index(spec.projections[0].target);
    return static_cast<std::uint32_t>(spec.populations[static_cast<std::size_t>(target)].size);
}

std::vector<IncomingSynapse> generate(const NetworkSpec& spec, std::uint32_t begin, std::uint32_t end) {
    std::vector<IncomingSynapse> out;
    generate_incoming(spec, 0, begin, end, out);
    return out;
}

std::vector<IncomingSynapse> generate_all(const NetworkSpec& spec) { return generate(spec, 0, n_target_of(spec)); }

std::vector<double> counts_per_target(const std::vector<IncomingSynapse>& synapses, std::uint32_t n_target) {
    std::vector<double> counts(n_target, 0.0);
    for (const auto& s : synapses) counts[s.target] += 1.0;
    return counts;
}

double mean_of(const std::vector<double>& x) { return std::accumulate(x.begin(), x.end(), 0.0) / static_cast<double>(x.size()); }

// Mean squared deviation from a known mean.
double variance_about(const std::vector<double>& x, double mean) {
    double sum = 0.0;
    for (double v : x) sum += (v - mean) * (v - mean);
    return sum / static_cast<double>(x.size());
}

bool identical(const IncomingSynapse& a, const IncomingSynapse& b) {
    return a.source == b.source && a.target == b.target && std::memcmp(&a.weight, &b.weight, sizeof(float)) == 0 &&
           a.delay_steps == b.delay_steps;
}

void expect_identical(const std::vector<IncomingSynapse>& a, const std::vector<IncomingSynapse>& b) {
    ASSERT_EQ(a.size(), b.size());
    for (std::size_t i = 0; i < a.size(); ++i) ASSERT_TRUE(identical(a[i], b[i])) << "synapse " << i;
}

// The counts of one network satisfy sum = n exactly, so their mean is n / N by
// construction; what is tested is their spread. For counts c_t of a multinomial(n; 1/N
// each), E[(c_t - n/N)^2] = n p q (p = 1/N), and the mean over N targets of (c - n/N)^2
// has variance ~ (mu4 - sigma^4) / N with mu4 = 3 sigma^4 + sigma^2 (1 - 6 p q) (the
// binomial's fourth central moment); the small correlation between targets (-n p^2 per
// pair) changes that by O(1/N).
void expect_multinomial_spread(const std::vector<double>& counts, double n) {
    const auto N = static_cast<double>(counts.size());
    const double p = 1.0 / N, q = 1.0 - p;
    const double sigma2 = n * p * q;
    const double mu4 = 3.0 * sigma2 * sigma2 + sigma2 * (1.0 - 6.0 * p * q);
    const double sd_of_variance = std::sqrt((mu4 - sigma2 * sigma2) / N);
    EXPECT_NEAR(variance_about(counts, n / N), sigma2, 4.0 * sd_of_variance) << "n = " << n << ", N = " << N;
}

}  // namespace

TEST(FixedTotalNumber, GivesExactlyNSynapsesWithAndWithoutMultapses) {
    for (const bool multapses : {true, false})
        for (const std::uint64_t n : {0ull, 1ull, 7ull, 1000ull, 12345ull}) {
            const auto synapses = generate_all(make_spec(300, 200, total_number(n, multapses)));
            EXPECT_EQ(synapses.size(), n) << "multapses " << multapses;
        }
    // Every pair taken: without multapses that is all_to_all.
    const auto all = generate_all(make_spec(30, 20, total_number(600, false)));
    std::set<std::pair<std::uint32_t, std::uint32_t>> pairs;
    for (const auto& s : all) pairs.insert({s.source, s.target});
    EXPECT_EQ(pairs.size(), 600u);
}

TEST(FixedTotalNumber, CountsPerTargetHaveTheMultinomialSpread) {
    // Small in-degrees (mean 2: the binomial's skewed regime) and large ones (mean 1000).
    for (const auto& [n_target, n] : std::vector<std::pair<std::uint32_t, std::uint64_t>>{{5000, 10000}, {2000, 2000000}}) {
        const auto synapses = generate_all(make_spec(500, n_target, total_number(n)));
        ASSERT_EQ(synapses.size(), n);
        expect_multinomial_spread(counts_per_target(synapses, n_target), static_cast<double>(n));
    }
}

TEST(FixedTotalNumber, EveryTargetPositionHasTheMultinomialMeanAndVarianceAcrossSeeds) {
    // The counts are drawn target after target, each conditional on those before; an error
    // in the conditioning would bias the first or the last targets. Across 400 seeds the
    // count of target t is Binomial(n, 1/N): mean n/N = 20, variance n p q = 19.6. The
    // mean of 400 draws has sd sqrt(19.6 / 400) = 0.22; their variance sd ~ sigma^2
    // sqrt(2 / 399) = 1.39 (normal approximation; kurtosis adds < 3%).
    const std::uint32_t n_target = 50;
    const std::uint64_t n = 1000;
    const int seeds = 400;
    const double p = 1.0 / n_target, mean = n * p, variance = n * p * (1.0 - p);
    std::map<std::uint32_t, std::vector<double>> by_position;
    for (int seed = 0; seed < seeds; ++seed) {
        const auto counts =
            counts_per_target(generate_all(make_spec(40, n_target, total_number(n), 1000 + seed)), n_target);
        for (const std::uint32_t t : {0u, 1u, n_target / 2, n_target - 2, n_target - 1}) by_position[t].push_back(counts[t]);
    }
    for (const auto& [t, counts] : by_position) {
        EXPECT_NEAR(mean_of(counts), mean, 4.0 * std::sqrt(variance / seeds)) << "target " << t;
        const double sample_variance = variance_about(counts, mean_of(counts)) * seeds / (seeds - 1.0);
        EXPECT_NEAR(sample_variance, variance, 4.0 * variance * std::sqrt(2.0 / (seeds - 1.0))) << "target " << t;
    }
}

TEST(FixedTotalNumber, WithoutMultapsesCountsAreHypergeometric) {
    // n distinct pairs out of S x N: target t's count is Hypergeometric(S N, S, n), mean
    // n/N, variance n (S/SN)(1 - 1/N)(SN - n)/(SN - 1), smaller than the binomial's by the
    // finite-population factor. Here S = 20, N = 1000, n = 15000: mean 15, variance 3.75.
    const std::uint32_t n_source = 20, n_target = 1000;
    const std::uint64_t n = 15000;
    const auto synapses = generate_all(make_spec(n_source, n_target, total_number(n, false)));
    ASSERT_EQ(synapses.size(), n);
    const auto counts = counts_per_target(synapses, n_target);
    const double pairs = double{n_source} * n_target, p = 1.0 / n_target;
    const double sigma2 = n * p * (1.0 - p) * (pairs - n) / (pairs - 1.0);
    // Variance of the mean square over N targets ~ 2 sigma^4 / N (near-normal counts).
    EXPECT_NEAR(variance_about(counts, double(n) / n_target), sigma2, 4.0 * sigma2 * std::sqrt(2.0 / n_target));
    for (double c : counts) EXPECT_LE(c, n_source);
}

TEST(FixedTotalNumber, NoMultapsesOrAutapsesWhenRefused) {
    const auto synapses = generate_all(make_spec(100, 0, total_number(5000, false, false)));
    ASSERT_EQ(synapses.size(), 5000u);
    std::set<std::pair<std::uint32_t, std::uint32_t>> pairs;
    for (const auto& s : synapses) {
        EXPECT_NE(s.source, s.target);
        EXPECT_TRUE(pairs.insert({s.source, s.target}).second) << "multapse " << s.source << " -> " << s.target;
    }
    // With multapses but no autapses: duplicates appear (5000 draws over 9900 pairs give
    // ~1260 repeated pairs), autapses still do not.
    const auto with_multapses = generate_all(make_spec(100, 0, total_number(5000, true, false)));
    for (const auto& s : with_multapses) EXPECT_NE(s.source, s.target);
    std::set<std::pair<std::uint32_t, std::uint32_t>> distinct;
    for (const auto& s : with_multapses) distinct.insert({s.source, s.target});
    EXPECT_LT(distinct.size(), with_multapses.size());
}

TEST(FixedTotalNumber, SourcesAreUniform) {
    // 200000 sources over 50 values: each count ~ Binomial(200000, 1/50), mean 4000,
    // sd 62.6; checked against 4 sd.
    const auto synapses = generate_all(make_spec(50, 400, total_number(200000)));
    std::vector<double> per_source(50, 0.0);
    for (const auto& s : synapses) per_source[s.source] += 1.0;
    for (std::size_t i = 0; i < per_source.size(); ++i)
        EXPECT_NEAR(per_source[i], 4000.0, 4.0 * std::sqrt(200000.0 * 0.02 * 0.98)) << "source " << i;
}

TEST(FixedTotalNumber, SameSynapsesWhateverTheSplitOfTheTargets) {
    for (const bool multapses : {true, false}) {
        const NetworkSpec spec = make_spec(300, 0, total_number(20000, multapses, false));
        const auto whole = generate_all(spec);
        std::vector<IncomingSynapse> pieces;
        for (const auto& [begin, end] : std::vector<std::pair<std::uint32_t, std::uint32_t>>{{0, 1}, {1, 117}, {117, 300}}) {
            const auto part = generate(spec, begin, end);
            pieces.insert(pieces.end(), part.begin(), part.end());
        }
        expect_identical(whole, pieces);
    }
}

TEST(FixedTotalNumber, SameSpikesAndSynapseCountOnOneAndThreeShards) {
    // A recurrent E network driven by Poisson input: its spikes depend on every synapse,
    // so equal rasters on 1 and 3 shards mean the shards built the same synapses.
    NetworkSpec spec = make_spec(400, 0, total_number(400 * 40, true, false), 7);
    spec.projections[0].weight = Distribution::normal_clipped(0.3, 0.05, 0.0, 1.0);
    spec.simulation.duration = 200.0;
    StimulusSpec drive;
    drive.target = "A";
    drive.rate = 12000.0;
    drive.weight = 0.08;
    spec.stimuli.push_back(drive);
    spec.validate();
    std::map<std::size_t, std::pair<std::vector<double>, std::vector<std::uint32_t>>> rasters;
    std::uint64_t synapse_count = 0;
    for (const std::size_t shards : {1u, 3u}) {
        BuildOptions options;
        options.shards = shards;
        Simulator sim(spec, options);
        SpikeRecorder recorder(sim, true);
        sim.add_observer(&recorder);
        sim.run(spec.simulation.duration);
        rasters[shards] = {recorder.spikes("A").times_ms, recorder.spikes("A").ids};
        if (shards == 1) synapse_count = sim.synapse_count();
        EXPECT_EQ(sim.synapse_count(), synapse_count);
        EXPECT_EQ(sim.synapse_count(), 16000u);
    }
    EXPECT_GT(rasters[1].first.size(), 100u) << "the network should fire for the comparison to mean something";
    EXPECT_EQ(rasters[1], rasters[3]);
}

TEST(FixedTotalNumber, SameSeedSameNetworkOtherSeedAnother) {
    const auto a = generate_all(make_spec(100, 80, total_number(3000), 1));
    expect_identical(a, generate_all(make_spec(100, 80, total_number(3000), 1)));
    const auto b = generate_all(make_spec(100, 80, total_number(3000), 2));
    ASSERT_EQ(a.size(), b.size());
    std::size_t same = 0;
    for (std::size_t i = 0; i < a.size(); ++i) same += identical(a[i], b[i]) ? 1 : 0;
    EXPECT_LT(same, a.size() / 10);
}

TEST(FixedTotalNumber, ExpectedSynapseCountIsExact) {
    EXPECT_EQ(expected_synapse_count(make_spec(10, 20, total_number(12345)), 0), 12345.0);
}

TEST(FixedTotalNumber, TooManyDistinctSynapsesAreRefusedWithTheKey) {
    // 30 x 20 = 600 pairs; without autapses on one population of 30: 30 x 29 = 870.
    EXPECT_NO_THROW(make_spec(30, 20, total_number(600, false)).validate());
    try {
        make_spec(30, 20, total_number(601, false)).validate();
        FAIL() << "601 distinct synapses out of 600 pairs accepted";
    } catch (const ValueError& e) {
        EXPECT_EQ(e.key(), "projection[0].connector.n");
        EXPECT_NE(std::string(e.what()).find("601 distinct synapses but only 600 pairs"), std::string::npos) << e.what();
    }
    EXPECT_NO_THROW(make_spec(30, 0, total_number(870, false, false)).validate());
    EXPECT_THROW(make_spec(30, 0, total_number(871, false, false)).validate(), ValueError);
    // With multapses any n is valid, except onto no pair at all (one neuron, no autapses).
    EXPECT_NO_THROW(make_spec(30, 20, total_number(100000, true)).validate());
    try {
        make_spec(1, 0, total_number(5, true, false)).validate();
        FAIL() << "synapses without any pair accepted";
    } catch (const ValueError& e) {
        EXPECT_EQ(e.key(), "projection[0].connector.n");
    }
}
