// Connectivity generation: invariance under the split of the target range, the
// statistics of every random connector against its theory, and the exact counts of the
// deterministic ones.
//
// Statistical checks use fixed seeds. A "4 sigma" bound on an (approximately) normal
// statistic fails by chance with probability 2 * (1 - Phi(4)) ~ 6.3e-5 per check; the
// chi-square tests use alpha = 1e-4. With the ~20 such checks below, a correct
// implementation fails somewhere with probability ~1e-3 for a fresh seed, and never for
// the fixed seeds here.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "neurodyn/core/error.hpp"
#include "neurodyn/core/time.hpp"
#include "neurodyn/network/connectivity.hpp"

using namespace neurodyn;

namespace {

using Kind = ConnectorSpec::Kind;

// One projection from population "A" (n_source) onto "B" (n_target), or from "A" onto
// itself when `same_population`.
NetworkSpec make_spec(std::uint64_t n_source, std::uint64_t n_target, const ConnectorSpec& connector,
                      bool same_population = false, std::uint64_t seed = 12345) {
    NetworkSpec spec;
    spec.simulation.seed = seed;
    spec.populations.push_back({"A", "IF_curr_exp", n_source, {}, {}, {}});
    if (!same_population) spec.populations.push_back({"B", "IF_curr_exp", n_target, {}, {}, {}});
    ProjectionSpec projection;
    projection.source = "A";
    projection.target = same_population ? "A" : "B";
    projection.connector = connector;
    projection.weight = 0.1;
    projection.delay = 1.5;
    spec.projections.push_back(projection);
    return spec;
}

ConnectorSpec connector_of(Kind kind, double probability = 0.0, std::uint64_t number = 0, bool autapses = true,
                           bool multapses = false) {
    ConnectorSpec c;
    c.kind = kind;
    c.probability = probability;
    c.number = number;
    c.allow_autapses = autapses;
    c.allow_multapses = multapses;
    return c;
}

std::uint32_t n_target_of(const NetworkSpec& spec) {
    return static_cast<std::uint32_t>(spec.populations[static_cast<std::size_t>(spec.population_index(spec.projections[0].target))].size);
}

std::vector<IncomingSynapse> generate(const NetworkSpec& spec, std::uint32_t begin, std::uint32_t end) {
    std::vector<IncomingSynapse> out;
    generate_incoming(spec, 0, begin, end, out);
    return out;
}

std::vector<IncomingSynapse> generate_all(const NetworkSpec& spec) { return generate(spec, 0, n_target_of(spec)); }

bool identical(const IncomingSynapse& a, const IncomingSynapse& b) {
    // Weights compared bit for bit: the contract is identical networks, not close ones.
    return a.source == b.source && a.target == b.target && std::memcmp(&a.weight, &b.weight, sizeof(float)) == 0 &&
           a.delay_steps == b.delay_steps;
}

void expect_identical(const std::vector<IncomingSynapse>& a, const std::vector<IncomingSynapse>& b, const std::string& what) {
    ASSERT_EQ(a.size(), b.size()) << what;
    for (std::size_t i = 0; i < a.size(); ++i)
        ASSERT_TRUE(identical(a[i], b[i])) << what << ": synapse " << i << " differs: (" << a[i].source << " -> "
                                           << a[i].target << ", " << a[i].weight << ", " << a[i].delay_steps << ") vs ("
                                           << b[i].source << " -> " << b[i].target << ", " << b[i].weight << ", "
                                           << b[i].delay_steps << ")";
}

std::vector<std::uint64_t> in_degrees(const std::vector<IncomingSynapse>& synapses, std::size_t n_target) {
    std::vector<std::uint64_t> degree(n_target, 0);
    for (const auto& s : synapses) ++degree[s.target];
    return degree;
}

std::vector<std::uint64_t> out_degrees(const std::vector<IncomingSynapse>& synapses, std::size_t n_source) {
    std::vector<std::uint64_t> degree(n_source, 0);
    for (const auto& s : synapses) ++degree[s.source];
    return degree;
}

// Upper alpha-quantile of chi-square with k degrees of freedom by the Wilson–Hilferty
// cube-root normal approximation (relative error below 1e-3 for k >= 20, far inside the
// slack between a failing and a passing implementation). z is the upper alpha-quantile of
// the standard normal: 3.719 for alpha = 1e-4.
double chi_square_critical(double k, double z) {
    const double a = 2.0 / (9.0 * k);
    return k * std::pow(1.0 - a + z * std::sqrt(a), 3.0);
}
constexpr double kZAlpha1e4 = 3.719;  // Phi^-1(1 - 1e-4)

double binomial_pmf(std::uint64_t n, double p, std::uint64_t k) {
    const double log_choose = std::lgamma(n + 1.0) - std::lgamma(k + 1.0) - std::lgamma(n - k + 1.0);
    return std::exp(log_choose + k * std::log(p) + (n - k) * std::log1p(-p));
}

// Pearson statistic of `counts` against equal expectation in every cell.
double pearson_uniform(const std::vector<std::uint64_t>& counts) {
    double total = 0.0;
    for (auto c : counts) total += static_cast<double>(c);
    const double expected = total / static_cast<double>(counts.size());
    double statistic = 0.0;
    for (auto c : counts) statistic += (c - expected) * (c - expected) / expected;
    return statistic;
}

}  // namespace

// ----------------------------------------------------------------------------------------
// Split invariance: the contract that makes networks identical for any number of threads
// or processes.

struct SplitCase {
    std::string name;
    NetworkSpec spec;
};

std::vector<SplitCase> split_cases() {
    std::vector<SplitCase> cases;
    const auto add = [&](std::string name, NetworkSpec spec, bool random_values) {
        if (random_values) {
            spec.projections[0].weight = Distribution::normal(0.1, 0.02);
            spec.projections[0].delay = Distribution::uniform(0.5, 3.0);
        }
        spec.validate();
        cases.push_back({std::move(name), std::move(spec)});
    };
    for (const bool random_values : {false, true}) {
        const std::string suffix = random_values ? " (random weight and delay)" : "";
        add("all_to_all" + suffix, make_spec(40, 70, connector_of(Kind::all_to_all)), random_values);
        add("all_to_all no autapses" + suffix, make_spec(60, 60, connector_of(Kind::all_to_all, 0, 0, false), true),
            random_values);
        add("one_to_one" + suffix, make_spec(70, 70, connector_of(Kind::one_to_one)), random_values);
        add("fixed_probability" + suffix, make_spec(300, 200, connector_of(Kind::fixed_probability, 0.1)), random_values);
        add("fixed_probability no autapses" + suffix,
            make_spec(200, 200, connector_of(Kind::fixed_probability, 0.3, 0, false), true), random_values);
        add("fixed_number_pre" + suffix, make_spec(300, 200, connector_of(Kind::fixed_number_pre, 0, 25)), random_values);
        add("fixed_number_pre sparse" + suffix, make_spec(100000, 50, connector_of(Kind::fixed_number_pre, 0, 7)),
            random_values);
        add("fixed_number_pre multapses no autapses" + suffix,
            make_spec(100, 100, connector_of(Kind::fixed_number_pre, 0, 80, false, true), true), random_values);
        add("fixed_number_post" + suffix, make_spec(150, 200, connector_of(Kind::fixed_number_post, 0, 30)), random_values);
        add("fixed_number_post multapses no autapses" + suffix,
            make_spec(120, 120, connector_of(Kind::fixed_number_post, 0, 90, false, true), true), random_values);
        ConnectorSpec list = connector_of(Kind::from_list);
        RandomStream pick(99, 0, 0);
        for (int k = 0; k < 500; ++k)
            list.pairs.emplace_back(static_cast<std::uint32_t>(pick.below(30)), static_cast<std::uint32_t>(pick.below(40)));
        add("from_list" + suffix, make_spec(30, 40, list), random_values);
    }
    // Array weights and delays, [source][target] row-major.
    NetworkSpec arrays = make_spec(30, 40, connector_of(Kind::fixed_probability, 0.5));
    std::vector<double> weights(30 * 40), delays(30 * 40);
    for (std::size_t i = 0; i < weights.size(); ++i) {
        weights[i] = 0.001 * static_cast<double>(i);
        delays[i] = 0.1 * static_cast<double>(1 + i % 37);
    }
    arrays.projections[0].weight = weights;
    arrays.projections[0].delay = delays;
    add("fixed_probability with array weight and delay", arrays, false);
    ConnectorSpec list_values = connector_of(Kind::from_list);
    for (std::uint32_t k = 0; k < 300; ++k) {
        list_values.pairs.emplace_back((k * 7) % 30, (k * 13) % 40);
        list_values.list_weights.push_back(0.01 * k);
        list_values.list_delays.push_back(0.1 * (1 + k % 11));
    }
    add("from_list with per-connection weights and delays", make_spec(30, 40, list_values), false);
    return cases;
}

TEST(Connectivity, EveryConnectorIsInvariantUnderSplittingTheTargetRange) {
    for (const SplitCase& c : split_cases()) {
        SCOPED_TRACE(c.name);
        const std::uint32_t n = n_target_of(c.spec);
        const auto whole = generate(c.spec, 0, n);
        ASSERT_FALSE(whole.empty());

        // Grouped by target in increasing order, sources non-decreasing within a target.
        for (std::size_t i = 1; i < whole.size(); ++i) {
            ASSERT_LE(whole[i - 1].target, whole[i].target) << "synapse " << i;
            if (whole[i - 1].target == whole[i].target) {
                ASSERT_LE(whole[i - 1].source, whole[i].source) << "synapse " << i;
            }
        }
        for (const auto& s : whole) ASSERT_GE(s.delay_steps, 1);

        // Two parts at several cut points, three parts, and one target at a time.
        for (const std::uint32_t cut : {1u, n / 3, n / 2, n - 1}) {
            auto parts = generate(c.spec, 0, cut);
            generate_incoming(c.spec, 0, cut, n, parts);  // appends
            expect_identical(whole, parts, "split at " + std::to_string(cut));
        }
        auto three = generate(c.spec, 0, n / 4);
        generate_incoming(c.spec, 0, n / 4, n / 4, three);  // an empty range adds nothing
        generate_incoming(c.spec, 0, n / 4, 3 * n / 4, three);
        generate_incoming(c.spec, 0, 3 * n / 4, n, three);
        expect_identical(whole, three, "three parts");
        std::vector<IncomingSynapse> singles;
        for (std::uint32_t t = 0; t < n; ++t) generate_incoming(c.spec, 0, t, t + 1, singles);
        expect_identical(whole, singles, "one target at a time");
        // Generating in reverse order of ranges gives each range the same synapses.
        std::vector<IncomingSynapse> reversed_tail = generate(c.spec, n / 2, n);
        std::vector<IncomingSynapse> head = generate(c.spec, 0, n / 2);
        head.insert(head.end(), reversed_tail.begin(), reversed_tail.end());
        expect_identical(whole, head, "ranges generated last part first");
    }
}

// ----------------------------------------------------------------------------------------
// fixed_probability

TEST(Connectivity, FixedProbabilityInDegreeMatchesBinomialMeanAndVariance) {
    const std::uint64_t n_source = 1000, n_target = 3000;
    const double p = 0.1;
    const NetworkSpec spec = make_spec(n_source, n_target, connector_of(Kind::fixed_probability, p));
    const auto degree = in_degrees(generate_all(spec), n_target);

    // Each in-degree is an independent Binomial(n_source, p).
    const double m = static_cast<double>(n_target);
    const double mu = n_source * p, sigma2 = n_source * p * (1 - p);
    double sum = 0.0, sum_sq = 0.0;
    for (auto k : degree) {
        sum += static_cast<double>(k);
        sum_sq += static_cast<double>(k) * static_cast<double>(k);
    }
    const double mean = sum / m;
    const double variance = (sum_sq - m * mean * mean) / (m - 1.0);
    // sd of the sample mean: sqrt(sigma^2 / M).
    EXPECT_NEAR(mean, mu, 4.0 * std::sqrt(sigma2 / m));
    // sd of the unbiased sample variance: sqrt((mu4 - sigma^4 (M-3)/(M-1)) / M), with the
    // binomial fourth central moment mu4 = sigma^4 (3 + (1 - 6 p q) / (n p q)).
    const double mu4 = sigma2 * sigma2 * (3.0 + (1.0 - 6.0 * p * (1 - p)) / sigma2);
    EXPECT_NEAR(variance, sigma2, 4.0 * std::sqrt((mu4 - sigma2 * sigma2 * (m - 3.0) / (m - 1.0)) / m));
}

TEST(Connectivity, FixedProbabilityInDegreeHistogramPassesChiSquare) {
    // Chi-square goodness of fit of the in-degree histogram to Binomial(n_source, p),
    // alpha = 1e-4. Cells are merged from the tails inwards until each expects >= 5.
    const std::uint64_t n_source = 400, n_target = 5000;
    const double p = 0.05;
    const NetworkSpec spec = make_spec(n_source, n_target, connector_of(Kind::fixed_probability, p));
    const auto degree = in_degrees(generate_all(spec), n_target);
    std::vector<double> observed(n_source + 1, 0.0), expected(n_source + 1, 0.0);
    for (auto k : degree) observed[k] += 1.0;
    for (std::uint64_t k = 0; k <= n_source; ++k) expected[k] = n_target * binomial_pmf(n_source, p, k);

    std::vector<std::pair<double, double>> cells;  // (observed, expected)
    double pending_observed = 0.0, pending_expected = 0.0;
    for (std::uint64_t k = 0; k <= n_source; ++k) {
        pending_observed += observed[k];
        pending_expected += expected[k];
        if (pending_expected >= 5.0) {
            cells.emplace_back(pending_observed, pending_expected);
            pending_observed = pending_expected = 0.0;
        }
    }
    cells.back().first += pending_observed;  // the upper tail joins the last full cell
    cells.back().second += pending_expected;
    ASSERT_GE(cells.size(), 15u);
    double statistic = 0.0;
    for (const auto& [o, e] : cells) statistic += (o - e) * (o - e) / e;
    const double dof = static_cast<double>(cells.size() - 1);  // p is known, not fitted
    EXPECT_LT(statistic, chi_square_critical(dof, kZAlpha1e4)) << cells.size() << " cells";
}

TEST(Connectivity, FixedProbabilityExcludesAutapsesAndHandlesZeroAndOne) {
    const std::uint64_t n = 400;
    const double p = 0.2;
    const NetworkSpec spec = make_spec(n, n, connector_of(Kind::fixed_probability, p, 0, false), true);
    const auto synapses = generate_all(spec);
    for (const auto& s : synapses) ASSERT_NE(s.source, s.target);
    // Without autapses the in-degree is Binomial(n - 1, p); total within 4 sigma.
    const double expected = p * (n - 1.0) * n;
    EXPECT_NEAR(static_cast<double>(synapses.size()), expected, 4.0 * std::sqrt(expected * (1 - p)));
    EXPECT_DOUBLE_EQ(expected_synapse_count(spec, 0), expected);

    EXPECT_TRUE(generate_all(make_spec(50, 60, connector_of(Kind::fixed_probability, 0.0))).empty());
    const auto everything = generate_all(make_spec(50, 60, connector_of(Kind::fixed_probability, 1.0)));
    EXPECT_EQ(everything.size(), 50u * 60u);
    const auto everything_else = generate_all(make_spec(50, 50, connector_of(Kind::fixed_probability, 1.0, 0, false), true));
    EXPECT_EQ(everything_else.size(), 50u * 49u);
    for (const auto& s : everything_else) ASSERT_NE(s.source, s.target);
}

TEST(Connectivity, FixedProbabilitySourcesAreUniform) {
    // Every (source, target) pair is an independent Bernoulli(p) trial, so the count of a
    // source over all targets is Binomial(n_target, p) with variance E (1 - p): the Pearson
    // statistic divided by (1 - p) is chi-square with n_source - 1 dof. alpha = 1e-4.
    const std::uint64_t n_source = 200, n_target = 4000;
    const double p = 0.1;
    const auto synapses = generate_all(make_spec(n_source, n_target, connector_of(Kind::fixed_probability, p)));
    const double statistic = pearson_uniform(out_degrees(synapses, n_source)) / (1.0 - p);
    EXPECT_LT(statistic, chi_square_critical(n_source - 1.0, kZAlpha1e4));
}

// ----------------------------------------------------------------------------------------
// fixed_number_pre

TEST(Connectivity, FixedNumberPreHasExactInDegreeAndNoDuplicates) {
    // Dense (bitmap) and sparse (hash set) bookkeeping, and n equal to every source.
    for (const auto& [n_source, number] : std::vector<std::pair<std::uint64_t, std::uint64_t>>{
             {500, 100}, {200000, 12}, {300, 300}}) {
        SCOPED_TRACE("n_source " + std::to_string(n_source) + ", n " + std::to_string(number));
        const std::uint64_t n_target = 300;
        const auto synapses = generate_all(make_spec(n_source, n_target, connector_of(Kind::fixed_number_pre, 0, number)));
        for (auto k : in_degrees(synapses, n_target)) ASSERT_EQ(k, number);
        for (std::size_t i = 1; i < synapses.size(); ++i)
            if (synapses[i].target == synapses[i - 1].target) {
                ASSERT_LT(synapses[i - 1].source, synapses[i].source);
            }
        for (const auto& s : synapses) ASSERT_LT(s.source, n_source);
    }
}

TEST(Connectivity, FixedNumberPreSourcesAreUniform) {
    // Distinct sampling: a target's counts over B equal cells are multivariate
    // hypergeometric, whose covariance is the multinomial one times (N - n) / (N - 1); the
    // Pearson statistic divided by that factor is chi-square with B - 1 dof. With
    // replacement the counts are multinomial: factor 1. alpha = 1e-4 for each case.
    struct Case {
        std::uint64_t n_source, number, n_target;
        bool multapses;
        std::uint64_t cells;  // sources are pooled into this many equal cells
    };
    for (const Case& c : {Case{400, 40, 3000, false, 400}, Case{400, 40, 3000, true, 400},
                          Case{200000, 10, 8000, false, 100}}) {
        SCOPED_TRACE("n_source " + std::to_string(c.n_source) + (c.multapses ? " with" : " without") + " multapses");
        const auto synapses =
            generate_all(make_spec(c.n_source, c.n_target, connector_of(Kind::fixed_number_pre, 0, c.number, true, c.multapses)));
        std::vector<std::uint64_t> counts(c.cells, 0);
        for (const auto& s : synapses) ++counts[s.source / (c.n_source / c.cells)];
        const double factor =
            c.multapses ? 1.0 : static_cast<double>(c.n_source - c.number) / static_cast<double>(c.n_source - 1);
        EXPECT_LT(pearson_uniform(counts) / factor, chi_square_critical(c.cells - 1.0, kZAlpha1e4));
    }
}

TEST(Connectivity, FixedNumberPreMultapsesAppearAtTheExpectedRate) {
    // n draws with replacement from N sources hit D distinct ones, with (occupancy theory)
    //   E[D]   = N (1 - (1 - 1/N)^n)
    //   Var[D] = N (N - 1) (1 - 2/N)^n + N (1 - 1/N)^n - N^2 (1 - 1/N)^(2n).
    // The repeated draws n - D, summed over independent targets, within 4 sigma.
    const double n_source = 50, number = 20;
    const std::uint64_t n_target = 3000;
    const auto synapses = generate_all(make_spec(50, n_target, connector_of(Kind::fixed_number_pre, 0, 20, true, true)));
    for (auto k : in_degrees(synapses, n_target)) ASSERT_EQ(k, 20u);
    double repeats = 0.0;
    for (std::size_t i = 1; i < synapses.size(); ++i)
        if (synapses[i].target == synapses[i - 1].target && synapses[i].source == synapses[i - 1].source) repeats += 1.0;
    const double q1 = std::pow(1.0 - 1.0 / n_source, number), q2 = std::pow(1.0 - 2.0 / n_source, number);
    const double mean_distinct = n_source * (1.0 - q1);
    const double var_distinct = n_source * (n_source - 1.0) * q2 + n_source * q1 - n_source * n_source * q1 * q1;
    EXPECT_NEAR(repeats, n_target * (number - mean_distinct), 4.0 * std::sqrt(n_target * var_distinct));
}

TEST(Connectivity, FixedNumberPreExcludesAutapsesWhenAsked) {
    const std::uint64_t n = 30;
    // Distinct, n - 1 sources without autapses: every other neuron exactly once.
    const auto all_others = generate_all(make_spec(n, n, connector_of(Kind::fixed_number_pre, 0, n - 1, false), true));
    ASSERT_EQ(all_others.size(), n * (n - 1));
    for (const auto& s : all_others) ASSERT_NE(s.source, s.target);
    // With multapses: many draws, none onto the target itself.
    const auto multapses = generate_all(make_spec(n, n, connector_of(Kind::fixed_number_pre, 0, 200, false, true), true));
    for (auto k : in_degrees(multapses, n)) ASSERT_EQ(k, 200u);
    for (const auto& s : multapses) ASSERT_NE(s.source, s.target);
    // Autapses allowed: each target omits one of its 30 candidates, itself with
    // probability 1/30, so about 29 of the 30 targets connect to themselves.
    const auto allowed = generate_all(make_spec(n, n, connector_of(Kind::fixed_number_pre, 0, n - 1, true), true));
    const auto autapses = std::count_if(allowed.begin(), allowed.end(), [](const auto& s) { return s.source == s.target; });
    EXPECT_GT(autapses, 15);
}

// ----------------------------------------------------------------------------------------
// fixed_number_post

TEST(Connectivity, FixedNumberPostHasExactOutDegreeOverTheWholeTargetRange) {
    struct Case {
        std::uint64_t n_source, n_target, number;
        bool same, autapses, multapses;
    };
    for (const Case& c : {Case{300, 500, 40, false, true, false}, Case{200, 200, 199, true, false, false},
                          Case{100, 100, 150, true, false, true}, Case{50, 400000, 6, false, true, false}}) {
        SCOPED_TRACE("n_target " + std::to_string(c.n_target) + ", n " + std::to_string(c.number));
        const NetworkSpec spec =
            make_spec(c.n_source, c.n_target, connector_of(Kind::fixed_number_post, 0, c.number, c.autapses, c.multapses), c.same);
        // Generated in uneven pieces; the out-degree only adds up over all of them.
        const auto n = static_cast<std::uint32_t>(c.n_target);
        std::vector<IncomingSynapse> synapses;
        for (const auto& [begin, end] : std::vector<std::pair<std::uint32_t, std::uint32_t>>{{0, n / 7}, {n / 7, n / 2}, {n / 2, n}})
            generate_incoming(spec, 0, begin, end, synapses);
        for (auto k : out_degrees(synapses, c.n_source)) ASSERT_EQ(k, c.number);
        std::set<std::pair<std::uint32_t, std::uint32_t>> pairs;
        std::uint64_t repeats = 0;
        for (const auto& s : synapses) {
            if (!c.autapses && c.same) {
                ASSERT_NE(s.source, s.target);
            }
            if (!pairs.emplace(s.source, s.target).second) ++repeats;
        }
        if (c.multapses)
            EXPECT_GT(repeats, 0u);  // 150 draws from 99 targets must repeat (pigeonhole)
        else
            EXPECT_EQ(repeats, 0u);
    }
}

TEST(Connectivity, FixedNumberPostTargetsAreUniform) {
    // Each source's targets are a uniform n-subset (distinct) or n independent uniform
    // draws (multapses): over targets, the Pearson statistic divided by the hypergeometric
    // factor (N - n) / (N - 1) (distinct) or 1 (multinomial) is chi-square with
    // n_target - 1 dof. alpha = 1e-4 for each case.
    const std::uint64_t n_source = 4000, n_target = 300, number = 30;
    for (const bool multapses : {false, true}) {
        SCOPED_TRACE(multapses ? "with multapses" : "without multapses");
        const auto synapses =
            generate_all(make_spec(n_source, n_target, connector_of(Kind::fixed_number_post, 0, number, true, multapses)));
        const double factor =
            multapses ? 1.0 : static_cast<double>(n_target - number) / static_cast<double>(n_target - 1);
        EXPECT_LT(pearson_uniform(in_degrees(synapses, n_target)) / factor, chi_square_critical(n_target - 1.0, kZAlpha1e4));
    }
}

TEST(Connectivity, WeightsAndDelaysComeFromTheTargetsOwnStreamsInSynapseOrder) {
    // The documented streams: weight and delay of the k-th synapse onto target t are the
    // k-th draws of RandomStream(seed, random_domain(weight | delay, p), t). Pinning this
    // keeps networks reproducible by any other implementation of the same rules.
    const double dt = 0.1;
    const Distribution weight = Distribution::normal(0.2, 0.05), delay = Distribution::uniform(0.5, 4.0);
    NetworkSpec spec = make_spec(80, 60, connector_of(Kind::fixed_probability, 0.2), false, 4242);
    spec.simulation.dt = dt;
    spec.projections.push_back(spec.projections[0]);  // projection 1 keys its own streams
    for (auto& projection : spec.projections) {
        projection.weight = weight;
        projection.delay = delay;
    }
    spec.validate();
    for (const std::uint32_t p : {0u, 1u}) {
        std::vector<IncomingSynapse> synapses;
        generate_incoming(spec, p, 0, 60, synapses);
        std::size_t i = 0;
        for (std::uint32_t t = 0; t < 60; ++t) {
            RandomStream weights(4242, random_domain(RandomPurpose::weight, p), t);
            RandomStream delays(4242, random_domain(RandomPurpose::delay, p), t);
            for (; i < synapses.size() && synapses[i].target == t; ++i) {
                ASSERT_EQ(synapses[i].weight, static_cast<float>(weight.draw(weights))) << "projection " << p << ", synapse " << i;
                ASSERT_EQ(synapses[i].delay_steps, steps_from_ms(delay.draw(delays), dt)) << "projection " << p << ", synapse " << i;
            }
        }
        ASSERT_EQ(i, synapses.size());
    }
}

// ----------------------------------------------------------------------------------------
// all_to_all, one_to_one, from_list

TEST(Connectivity, AllToAllAndOneToOneCounts) {
    const auto all = generate_all(make_spec(13, 17, connector_of(Kind::all_to_all)));
    ASSERT_EQ(all.size(), 13u * 17u);
    for (std::size_t i = 0; i < all.size(); ++i) {
        EXPECT_EQ(all[i].target, i / 13);
        EXPECT_EQ(all[i].source, i % 13);
    }
    const auto no_self = generate_all(make_spec(20, 20, connector_of(Kind::all_to_all, 0, 0, false), true));
    EXPECT_EQ(no_self.size(), 20u * 19u);
    for (const auto& s : no_self) EXPECT_NE(s.source, s.target);
    EXPECT_EQ(generate_all(make_spec(20, 20, connector_of(Kind::all_to_all, 0, 0, true), true)).size(), 400u);

    const auto pairs = generate_all(make_spec(25, 25, connector_of(Kind::one_to_one)));
    ASSERT_EQ(pairs.size(), 25u);
    for (std::uint32_t i = 0; i < 25; ++i) {
        EXPECT_EQ(pairs[i].source, i);
        EXPECT_EQ(pairs[i].target, i);
    }
    // Onto its own population without autapses every one_to_one pair would be an
    // autapse: none is made (as NEST does), and the expected count says so.
    const NetworkSpec self = make_spec(25, 25, connector_of(Kind::one_to_one, 0, 0, false), true);
    EXPECT_TRUE(generate_all(self).empty());
    EXPECT_EQ(expected_synapse_count(self, 0), 0.0);
}

TEST(Connectivity, FromListUsesPerConnectionWeightsAndDelaysInTargetThenSourceOrder) {
    ConnectorSpec c = connector_of(Kind::from_list);
    // (source, target, weight, delay ms); two identical pairs (a multapse) keep list order.
    const std::vector<std::tuple<std::uint32_t, std::uint32_t, double, double>> listed{
        {4, 2, 0.4, 1.0}, {1, 0, 0.1, 0.5}, {3, 2, 0.3, 2.0}, {4, 2, 0.45, 3.0}, {0, 5, 0.05, 0.2}, {2, 0, 0.2, 0.7}};
    for (const auto& [s, t, w, d] : listed) {
        c.pairs.emplace_back(s, t);
        c.list_weights.push_back(w);
        c.list_delays.push_back(d);
    }
    NetworkSpec spec = make_spec(5, 6, c);
    spec.simulation.dt = 0.1;
    spec.validate();
    const auto synapses = generate_all(spec);
    // Expected order: target 0: sources 1, 2; target 2: sources 3, 4, 4 (0.4 before 0.45);
    // target 5: source 0.
    const std::vector<std::size_t> order{1, 5, 2, 0, 3, 4};
    ASSERT_EQ(synapses.size(), order.size());
    for (std::size_t i = 0; i < order.size(); ++i) {
        const auto& [s, t, w, d] = listed[order[i]];
        EXPECT_EQ(synapses[i].source, s) << i;
        EXPECT_EQ(synapses[i].target, t) << i;
        EXPECT_EQ(synapses[i].weight, static_cast<float>(w)) << i;
        EXPECT_EQ(synapses[i].delay_steps, steps_from_ms(d, 0.1)) << i;
    }
    // A range keeps only its targets.
    const auto middle = generate(spec, 1, 5);
    ASSERT_EQ(middle.size(), 3u);
    for (const auto& s : middle) EXPECT_EQ(s.target, 2u);

    // Without per-connection values the projection's weight and delay apply.
    c.list_weights.clear();
    c.list_delays.clear();
    NetworkSpec plain = make_spec(5, 6, c);
    plain.projections[0].weight = -0.25;
    plain.projections[0].delay = 2.0;
    for (const auto& s : generate_all(plain)) {
        EXPECT_EQ(s.weight, -0.25f);
        EXPECT_EQ(s.delay_steps, 20);
    }
}

// ----------------------------------------------------------------------------------------
// Weights and delays

TEST(Connectivity, NormalWeightsHaveTheirMeanAndStd) {
    const double mean = 0.5, std = 0.1;
    NetworkSpec spec = make_spec(500, 2000, connector_of(Kind::fixed_number_pre, 0, 50));
    spec.projections[0].weight = Distribution::normal(mean, std);
    const auto synapses = generate_all(spec);
    const double m = static_cast<double>(synapses.size());
    double sum = 0.0, sum_sq = 0.0;
    for (const auto& s : synapses) {
        sum += s.weight;
        sum_sq += static_cast<double>(s.weight) * s.weight;
    }
    const double sample_mean = sum / m;
    const double sample_variance = (sum_sq - m * sample_mean * sample_mean) / (m - 1.0);
    // Normal theory: sd of the mean sigma/sqrt(M), of the sample variance sigma^2 sqrt(2/(M-1)).
    // Rounding to float (relative 6e-8) is ~1e4 times smaller than these bounds.
    EXPECT_NEAR(sample_mean, mean, 4.0 * std / std::sqrt(m));
    EXPECT_NEAR(sample_variance, std * std, 4.0 * std * std * std::sqrt(2.0 / (m - 1.0)));
}

TEST(Connectivity, ArrayWeightsAndDelaysAreIndexedSourceThenTarget) {
    const std::uint64_t n_source = 4, n_target = 3;
    NetworkSpec spec = make_spec(n_source, n_target, connector_of(Kind::all_to_all));
    std::vector<double> weights, delays;
    for (std::uint64_t s = 0; s < n_source; ++s)
        for (std::uint64_t t = 0; t < n_target; ++t) {
            weights.push_back(10.0 * s + t);
            delays.push_back(0.1 * (1 + 3 * s + t));
        }
    spec.projections[0].weight = weights;
    spec.projections[0].delay = delays;
    spec.validate();
    for (const auto& s : generate_all(spec)) {
        EXPECT_EQ(s.weight, static_cast<float>(10.0 * s.source + s.target));
        EXPECT_EQ(std::uint32_t{s.delay_steps}, 1 + 3 * s.source + s.target);
    }
}

TEST(Connectivity, DelaysAreRoundedAsCoreTimeRoundsThem) {
    // steps_from_ms rounds delay/dt to the nearest integer with std::llround (halves away
    // from zero). Exact halves need a dt that is exact in binary: 0.3125 / 0.125 = 2.5 -> 3.
    // 0.15 / 0.1 is 1.4999999999999998 in binary floating point, so 0.15 ms at
    // dt = 0.1 ms is 1 step, not 2.
    const auto single_delay = [](double delay_ms, double dt_ms) {
        NetworkSpec spec = make_spec(1, 1, connector_of(Kind::one_to_one));
        spec.simulation.dt = dt_ms;
        spec.projections[0].delay = delay_ms;
        spec.validate();
        const auto synapses = generate_all(spec);
        EXPECT_EQ(synapses.size(), 1u);
        return synapses.empty() ? 0 : synapses[0].delay_steps;
    };
    EXPECT_EQ(single_delay(0.3125, 0.125), 3);
    EXPECT_EQ(single_delay(0.1875, 0.125), 2);  // 1.5 -> 2
    EXPECT_EQ(single_delay(0.15, 0.1), steps_from_ms(0.15, 0.1));
    EXPECT_EQ(single_delay(0.15, 0.1), 1);
    EXPECT_EQ(single_delay(1.5, 0.1), 15);
    EXPECT_EQ(single_delay(0.1, 0.1), 1);
    EXPECT_EQ(single_delay(6553.5, 0.1), 65535);  // the largest delay a synapse can hold
}

TEST(Connectivity, DelaysBeyond65535StepsAreRefusedWithTheKey) {
    const auto expect_refused = [](const NetworkSpec& spec, const std::string& key, std::uint32_t begin, std::uint32_t end) {
        try {
            std::vector<IncomingSynapse> out;
            generate_incoming(spec, 0, begin, end, out);
            ADD_FAILURE() << "no error for " << key;
        } catch (const ValueError& e) {
            EXPECT_EQ(e.key(), key);
            const std::string message = e.what();
            EXPECT_NE(message.find(key + ":"), std::string::npos) << message;
            EXPECT_NE(message.find("65535"), std::string::npos) << message;
            EXPECT_NE(message.find("16 bits"), std::string::npos) << message;
        }
    };
    NetworkSpec constant = make_spec(3, 3, connector_of(Kind::all_to_all));
    constant.projections[0].delay = 6553.6;  // 65536 steps of 0.1 ms
    constant.validate();
    expect_refused(constant, "projection[0].delay", 0, 3);
    expect_refused(constant, "projection[0].delay", 1, 1);  // whatever the range, even an empty one

    // A distribution that can produce too long a delay is refused up front.
    NetworkSpec distribution = make_spec(3, 3, connector_of(Kind::all_to_all));
    distribution.projections[0].delay = Distribution::uniform(1.0, 7000.0);
    distribution.validate();
    expect_refused(distribution, "projection[0].delay", 0, 0);

    NetworkSpec array = make_spec(2, 2, connector_of(Kind::all_to_all));
    array.projections[0].delay = std::vector<double>{1.0, 1.0, 1.0, 7000.0};  // source 1 -> target 1
    array.validate();
    expect_refused(array, "projection[0].delay", 1, 2);

    ConnectorSpec list = connector_of(Kind::from_list);
    list.pairs = {{0, 0}, {1, 1}};
    list.list_delays = {1.0, 1e4};
    NetworkSpec listed = make_spec(2, 2, list);
    listed.validate();
    expect_refused(listed, "projection[0].connector.delays", 0, 2);
}

// ----------------------------------------------------------------------------------------
// Determinism and sizing

TEST(Connectivity, SameSeedSameNetworkOtherSeedOrProjectionAnother) {
    const auto differ = [](const std::vector<IncomingSynapse>& a, const std::vector<IncomingSynapse>& b) {
        bool different = a.size() != b.size();
        for (std::size_t i = 0; !different && i < a.size(); ++i) different = !identical(a[i], b[i]);
        return different;
    };
    for (const auto& connector : {connector_of(Kind::fixed_probability, 0.1), connector_of(Kind::fixed_number_pre, 0, 20),
                                  connector_of(Kind::fixed_number_post, 0, 20)}) {
        SCOPED_TRACE(connector_kind_name(connector.kind));
        NetworkSpec spec = make_spec(200, 150, connector, false, 7);
        spec.projections[0].weight = Distribution::uniform(0.0, 1.0);
        spec.projections.push_back(spec.projections[0]);
        const auto first = generate_all(spec);
        expect_identical(first, generate_all(spec), "same seed");
        // With thousands of random choices, equality under another key has probability ~0.
        // An identical second projection draws from its own streams.
        std::vector<IncomingSynapse> second_projection;
        generate_incoming(spec, 1, 0, 150, second_projection);
        EXPECT_TRUE(differ(first, second_projection)) << "projection 1 repeats projection 0";
        spec.simulation.seed = 8;
        EXPECT_TRUE(differ(first, generate_all(spec))) << "seed 8 repeats seed 7";
    }
}

TEST(Connectivity, ExpectedSynapseCountMatchesGeneration) {
    ConnectorSpec list = connector_of(Kind::from_list);
    list.pairs = {{0, 0}, {1, 2}, {1, 2}};
    const std::vector<std::pair<std::string, NetworkSpec>> exact{
        {"all_to_all", make_spec(30, 40, connector_of(Kind::all_to_all))},
        {"all_to_all no autapses", make_spec(30, 30, connector_of(Kind::all_to_all, 0, 0, false), true)},
        {"one_to_one", make_spec(30, 30, connector_of(Kind::one_to_one))},
        {"fixed_number_pre", make_spec(30, 40, connector_of(Kind::fixed_number_pre, 0, 7))},
        {"fixed_number_post", make_spec(30, 40, connector_of(Kind::fixed_number_post, 0, 7))},
        {"from_list", make_spec(30, 40, list)},
    };
    for (const auto& [name, spec] : exact)
        EXPECT_EQ(expected_synapse_count(spec, 0), static_cast<double>(generate_all(spec).size())) << name;

    // fixed_probability: the count is Binomial(n_source n_target, p); within 4 sigma.
    const NetworkSpec random = make_spec(300, 500, connector_of(Kind::fixed_probability, 0.03));
    const double expected = expected_synapse_count(random, 0);
    EXPECT_DOUBLE_EQ(expected, 0.03 * 300 * 500);
    EXPECT_NEAR(static_cast<double>(generate_all(random).size()), expected, 4.0 * std::sqrt(expected * (1 - 0.03)));
}

TEST(Connectivity, RangeOutsideThePopulationIsAnInternalError) {
    const NetworkSpec spec = make_spec(10, 10, connector_of(Kind::all_to_all));
    std::vector<IncomingSynapse> out;
    EXPECT_THROW(generate_incoming(spec, 0, 0, 11, out), InternalError);
    EXPECT_THROW(generate_incoming(spec, 0, 5, 4, out), InternalError);
    EXPECT_THROW(generate_incoming(spec, 1, 0, 1, out), InternalError);
}
