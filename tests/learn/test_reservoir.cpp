// The rate reservoir and its parts: sparse matrices against dense arithmetic, the
// random sparse generator (exact in-degree, no self-connections, moments within 4
// sigma), the spectral radius (exact eigenvalues of known matrices, the circular law,
// Arnoldi against the dense solver), one reservoir step against the formula written
// out, the echo-state property, E/I adaptation towards target rates, states from spikes
// against their definition, determinism and errors.

#include <gtest/gtest.h>

#include <cmath>
#include <numeric>
#include <vector>

#include "neurodyn/core/error.hpp"
#include "neurodyn/core/random.hpp"
#include "neurodyn/learn/reservoir.hpp"

using namespace neurodyn;
using namespace neurodyn::learn;

namespace {

template <class Call>
std::string message_of(Call&& call) {
    try {
        call();
    } catch (const UserError& e) {
        return e.what();
    }
    return "no error";
}

}  // namespace

TEST(CsrMatrix, FromTripletsSumsRepeatsAndMultipliesLikeDense) {
    const std::vector<std::int64_t> rows = {2, 0, 2, 1, 0}, columns = {1, 2, 1, 0, 0};
    const std::vector<double> values = {1.5, -2.0, 0.5, 3.0, 4.0};
    const CsrMatrix m = CsrMatrix::from_triplets(3, 3, rows, columns, values);
    EXPECT_EQ(m.nonzeros(), 4u);  // (2, 1) twice
    const std::vector<double> dense = m.to_dense();
    const std::vector<double> expected = {4.0, 0.0, -2.0, 3.0, 0.0, 0.0, 0.0, 2.0, 0.0};
    EXPECT_EQ(dense, expected);
    const std::vector<double> x = {1.0, -1.0, 0.5};
    std::vector<double> y(3);
    m.multiply(x, y);
    EXPECT_EQ(y, (std::vector<double>{3.0, 3.0, -2.0}));  // exact in binary
}

TEST(RandomSparse, ExactInDegreeNoDiagonalAndNormalMoments) {
    const std::size_t n = 400, k = 40;
    const CsrMatrix m = random_sparse(n, n, k, WeightDistribution::normal, 3);
    double sum = 0.0, sum_sq = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
        ASSERT_EQ(m.row_start[i + 1] - m.row_start[i], k);
        for (std::size_t e = m.row_start[i]; e < m.row_start[i + 1]; ++e) {
            EXPECT_NE(m.column[e], i);
            if (e > m.row_start[i]) {
                EXPECT_LT(m.column[e - 1], m.column[e]);  // sorted, distinct
            }
            sum += m.value[e];
            sum_sq += m.value[e] * m.value[e];
        }
    }
    const double count = static_cast<double>(n * k);
    // N(0, 1): the mean of 16000 draws has sd 1/sqrt(16000); the variance estimate has sd
    // sqrt(2/16000). 4 sigma each.
    EXPECT_NEAR(sum / count, 0.0, 4.0 / std::sqrt(count));
    EXPECT_NEAR(sum_sq / count, 1.0, 4.0 * std::sqrt(2.0 / count));
    // Columns cover the whole range (Floyd's algorithm is uniform): each column's
    // in-use count is Binomial(n, k/(n-1)) ~ 40 +- 6.3; all within 6 sigma.
    std::vector<int> used(n, 0);
    for (auto c : m.column) ++used[c];
    for (int u : used) EXPECT_NEAR(u, 40.0, 6.0 * std::sqrt(40.0));
}

TEST(RandomSparse, APureFunctionOfTheSeed) {
    const CsrMatrix a = random_sparse(50, 50, 5, WeightDistribution::uniform, 9);
    const CsrMatrix b = random_sparse(50, 50, 5, WeightDistribution::uniform, 9);
    const CsrMatrix c = random_sparse(50, 50, 5, WeightDistribution::uniform, 10);
    EXPECT_EQ(a.column, b.column);
    EXPECT_EQ(a.value, b.value);
    EXPECT_NE(a.value, c.value);
    for (double v : a.value) {
        EXPECT_GE(v, -1.0);
        EXPECT_LT(v, 1.0);
    }
}

TEST(SpectralRadius, KnownMatrices) {
    // A rotation by 90 degrees scaled by 0.8: eigenvalues +-0.8i (a complex pair, which a
    // plain power iteration does not converge on).
    const CsrMatrix rotation = CsrMatrix::from_triplets(2, 2, std::vector<std::int64_t>{0, 1},
                                                        std::vector<std::int64_t>{1, 0}, std::vector<double>{-0.8, 0.8});
    EXPECT_NEAR(spectral_radius_dense(rotation).value, 0.8, 1e-14);  // rounding
    EXPECT_NEAR(spectral_radius_arnoldi(rotation).value, 0.8, 1e-12);  // an invariant 2-D Krylov space: exact
    // A cyclic shift of 50 units times 1.3: all eigenvalues on the circle of radius 1.3.
    std::vector<std::int64_t> rows(50), columns(50);
    std::iota(rows.begin(), rows.end(), 0);
    for (std::int64_t i = 0; i < 50; ++i) columns[i] = (i + 1) % 50;
    const CsrMatrix cycle = CsrMatrix::from_triplets(50, 50, rows, columns, std::vector<double>(50, 1.3));
    EXPECT_NEAR(spectral_radius_dense(cycle).value, 1.3, 1e-12);  // rounding of a 50x50 QR iteration
    EXPECT_NEAR(spectral_radius_arnoldi(cycle, 64).value, 1.3, 1e-10);  // Krylov space = whole space
    // Strictly lower triangular (nilpotent): 0. A 3 x 3 Jordan-like block moves its
    // eigenvalues by (eps * norm)^(1/3) ~ 3e-5 under rounding, so 1e-4.
    const CsrMatrix nilpotent = CsrMatrix::from_triplets(3, 3, std::vector<std::int64_t>{1, 2},
                                                         std::vector<std::int64_t>{0, 1}, std::vector<double>{2.0, 5.0});
    EXPECT_NEAR(spectral_radius_arnoldi(nilpotent).value, 0.0, 1e-4);
    EXPECT_NEAR(spectral_radius_dense(nilpotent).value, 0.0, 1e-4);
}

TEST(SpectralRadius, CircularLawAndArnoldiAgreesWithDense) {
    // Circular law (Girko; Tao & Vu): n x n with i.i.d. entries of variance s^2 has its
    // eigenvalues uniform in the disc of radius s sqrt(n); with k N(0, 1) entries per row
    // the radius is sqrt(k). Finite n = 600 lets the largest modulus exceed the edge by a
    // few percent; 8% covers it (observed 1-3% across seeds).
    const std::size_t n = 600, k = 60;
    const CsrMatrix m = random_sparse(n, n, k, WeightDistribution::normal, 21);
    const SpectralRadius dense = spectral_radius_dense(m);
    EXPECT_NEAR(dense.value / std::sqrt(static_cast<double>(k)), 1.0, 0.08);
    const SpectralRadius arnoldi = spectral_radius_arnoldi(m, 64, 1e-6);
    EXPECT_TRUE(arnoldi.converged) << "residual " << arnoldi.residual;
    // A converged Ritz value with relative residual r is within about r of an eigenvalue;
    // the leading one is isolated enough here that Arnoldi finds it: 1e-4 relative.
    EXPECT_NEAR(arnoldi.value, dense.value, 1e-4 * dense.value);
    std::printf("spectral radius n=600 k=60: dense %.6f, Arnoldi %.6f after %zu restarts\n", dense.value, arnoldi.value,
                arnoldi.iterations);
}

TEST(RateReservoir, OneStepIsTheFormulaWrittenOut) {
    // 3 units, 2 inputs, 1 feedback, an inhibitory matrix with per-unit gain, leak 0.3,
    // tanh with gain 0.7.
    const CsrMatrix w = CsrMatrix::from_triplets(3, 3, std::vector<std::int64_t>{0, 1, 2, 2},
                                                 std::vector<std::int64_t>{1, 2, 0, 1}, std::vector<double>{0.5, -1.0, 0.25, 2.0});
    const CsrMatrix wi = CsrMatrix::from_triplets(3, 3, std::vector<std::int64_t>{0, 1},
                                                  std::vector<std::int64_t>{2, 0}, std::vector<double>{-0.4, -0.6});
    const std::vector<double> w_in = {1.0, 0.0, 0.0, 2.0, -1.0, 1.0}, bias = {0.1, -0.2, 0.0}, w_fb = {0.3, 0.0, -0.3};
    RateReservoir reservoir(w, w_in, 2, bias, 0.3, Transfer::tanh, 0.7, w_fb, 1, wi);
    const std::vector<double> gain_i = {2.0, 0.5, 1.0};
    reservoir.set_inhibitory_gain(gain_i);
    const std::vector<double> x0 = {0.2, -0.5, 1.0};
    reservoir.set_x(x0);
    std::vector<double> r0(3);
    for (int i = 0; i < 3; ++i) r0[i] = std::tanh(0.7 * x0[i]);
    const std::vector<double> u = {0.5, -1.5}, z = {0.8};
    const auto states = reservoir.run(u, 1, z);
    const double drive[3] = {0.5 * r0[1] + 2.0 * (-0.4 * r0[2]) + 1.0 * 0.5 + 0.1 + 0.3 * 0.8,
                             -1.0 * r0[2] + 0.5 * (-0.6 * r0[0]) + 2.0 * -1.5 - 0.2,
                             0.25 * r0[0] + 2.0 * r0[1] - 1.0 * 0.5 + 1.0 * -1.5 - 0.3 * 0.8};
    for (int i = 0; i < 3; ++i) {
        const double x1 = 0.7 * x0[i] + 0.3 * drive[i];
        EXPECT_NEAR(reservoir.x()[i], x1, 1e-15);  // the same operations up to their order
        EXPECT_NEAR(states[i], std::tanh(0.7 * x1), 1e-15);
    }
    // The effective matrix folds the gains in.
    const auto effective = reservoir.effective_recurrent().to_dense();
    EXPECT_DOUBLE_EQ(effective[0 * 3 + 2], -0.8);
    EXPECT_DOUBLE_EQ(effective[1 * 3 + 0], -0.3);
    EXPECT_DOUBLE_EQ(effective[2 * 3 + 1], 2.0);
}

TEST(RateReservoir, EchoStatePropertyForgetsTheInitialState) {
    // Spectral radius 0.8 < 1 with tanh: a contraction on average; two runs from
    // different states under the same input converge (Jaeger 2001's echo-state property).
    const std::size_t n = 200;
    CsrMatrix w = random_sparse(n, n, 10, WeightDistribution::normal, 4);
    w.scale(0.8 / spectral_radius_dense(w).value);
    std::vector<double> w_in(n);
    RandomStream stream(4, 80, 0);
    for (double& v : w_in) v = stream.uniform(-0.5, 0.5);
    std::vector<double> u(500);
    for (double& v : u) v = stream.uniform(0.0, 0.5);
    RateReservoir a(w, w_in, 1, std::vector<double>(n, 0.0), 0.5, Transfer::tanh, 1.0);
    RateReservoir b = a;
    std::vector<double> x0(n);
    for (double& v : x0) v = stream.uniform(-2.0, 2.0);
    b.set_x(x0);
    const auto sa = a.run(u, 500), sb = b.run(u, 500);
    double first = 0.0, last = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
        first = std::max(first, std::fabs(sa[i] - sb[i]));
        last = std::max(last, std::fabs(sa[499 * n + i] - sb[499 * n + i]));
    }
    EXPECT_GT(first, 0.1);
    // Contraction by about 1 - a (1 - rho) = 0.9 per step or faster: 0.9^500 ~ 1e-23;
    // 1e-10 leaves room for the transient.
    EXPECT_LT(last, 1e-10);
}

TEST(RateReservoir, InhibitoryAdaptationReachesHeterogeneousTargets) {
    // 160 excitatory (columns 0..159, positive weights) and 40 inhibitory units (negative),
    // sigmoid rates; every unit gets its own target in [0.1, 0.4].
    const std::size_t n = 200, ne = 160;
    RandomStream stream(5, 81, 0);
    std::vector<std::int64_t> er, ec, ir, ic;
    std::vector<double> ev, iv;
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = 0; j < n; ++j) {
            if (i == j || stream.uniform() >= 0.1) continue;
            auto& rr = j < ne ? er : ir;
            auto& cc = j < ne ? ec : ic;
            auto& vv = j < ne ? ev : iv;
            rr.push_back(static_cast<std::int64_t>(i));
            cc.push_back(static_cast<std::int64_t>(j));
            vv.push_back(j < ne ? stream.uniform(0.0, 0.5) : -stream.uniform(0.0, 2.0));
        }
    std::vector<double> w_in(n), target(n), u(4000);
    for (double& v : w_in) v = stream.uniform(0.0, 1.0);
    for (double& v : target) v = stream.uniform(0.1, 0.4);
    for (double& v : u) v = stream.uniform(0.0, 1.0);
    RateReservoir reservoir(CsrMatrix::from_triplets(n, n, er, ec, ev), w_in, 1, std::vector<double>(n, -1.0), 0.5,
                            Transfer::sigmoid, 1.0, {}, 0, CsrMatrix::from_triplets(n, n, ir, ic, iv));
    const auto deviation = reservoir.adapt_inhibition(u, 4000, target, 0.01);
    const double before = std::accumulate(deviation.begin(), deviation.begin() + 100, 0.0) / 100.0;
    // After adaptation: time-averaged rates against targets, with learning off.
    const std::vector<double> test_input(u.begin(), u.begin() + 2000);
    const auto states = reservoir.run(test_input, 2000);
    double mean_error = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
        double mean_rate = 0.0;
        for (std::size_t t = 0; t < 2000; ++t) mean_rate += states[t * n + i] / 2000.0;
        mean_error += std::fabs(mean_rate - target[i]) / n;
    }
    std::printf("E/I adaptation: mean |r - target| %.4f in the first 100 steps, |<r> - target| %.4f after\n", before,
                mean_error);
    // Units reach their own targets on average (a rate the inhibitory gain cannot reach
    // would leave an error of order of the targets' spread, 0.1); 0.02 = 20% of it.
    EXPECT_LT(mean_error, 0.02);
    EXPECT_GT(before, 5 * mean_error);
    for (double g : reservoir.inhibitory_gain()) EXPECT_GE(g, 0.0);
}

TEST(SpikeStates, TracesAndCountsMatchTheirDefinitions) {
    const std::vector<double> times = {1.0, 2.0, 2.0, 5.0, 9.0};
    const std::vector<std::int64_t> ids = {0, 1, 0, 0, 2};
    const std::vector<double> samples = {0.5, 2.0, 6.0, 10.0};
    const double tau = 3.0;
    const auto traces = filtered_spike_traces(times, ids, 3, tau, samples);
    for (std::size_t s = 0; s < samples.size(); ++s)
        for (std::size_t i = 0; i < 3; ++i) {
            double expected = 0.0;
            for (std::size_t k = 0; k < times.size(); ++k)
                if (ids[k] == static_cast<std::int64_t>(i) && times[k] <= samples[s])
                    expected += std::exp(-(samples[s] - times[k]) / tau);
            EXPECT_NEAR(traces[s * 3 + i], expected, 1e-14);  // the same sum, decayed in steps
        }
    const auto counts = windowed_spike_counts(times, ids, 3, std::vector<double>{0.0, 2.0}, std::vector<double>{2.0, 10.0});
    EXPECT_EQ(counts, (std::vector<double>{1, 0, 0, 2, 1, 1}));  // [0,2): 1 x n0; [2,10): n0 2, n1 1, n2 1
}

TEST(Reservoir, BadParametersNameTheArgument) {
    const CsrMatrix w = random_sparse(4, 4, 2, WeightDistribution::normal, 1);
    const std::vector<double> w_in(4, 1.0), bias(4, 0.0);
    EXPECT_EQ(message_of([&] { RateReservoir(w, w_in, 1, bias, -0.1, Transfer::tanh, 1.0); }),
              "reservoir: leak must be in (0, 1], got -0.1");
    EXPECT_EQ(message_of([&] { RateReservoir(w, w_in, 1, bias, 0.0, Transfer::tanh, 1.0); }),
              "reservoir: leak must be in (0, 1], got 0");
    EXPECT_EQ(message_of([&] { RateReservoir(w, w_in, 1, bias, 1.5, Transfer::tanh, 1.0); }),
              "reservoir: leak must be in (0, 1], got 1.5");
    EXPECT_EQ(message_of([&] { RateReservoir(w, w_in, 2, bias, 1.0, Transfer::tanh, 1.0); }),
              "reservoir: input_weights must hold units x inputs = 8 values, got 4");
    EXPECT_EQ(message_of([&] { RateReservoir(w, w_in, 1, std::vector<double>(3), 1.0, Transfer::tanh, 1.0); }),
              "reservoir: bias must hold units = 4 values, got 3");
    EXPECT_EQ(message_of([] { transfer_from_name("softplus"); }),
              "reservoir: unknown transfer 'softplus' (choices: tanh, sigmoid, relu, linear)");
    RateReservoir reservoir(w, w_in, 1, bias, 1.0, Transfer::tanh, 1.0);
    EXPECT_EQ(message_of([&] { reservoir.run(std::vector<double>(5), 4); }),
              "reservoir: input must hold steps x inputs = 4 values, got 5");
    EXPECT_EQ(message_of([&] { reservoir.adapt_inhibition(std::vector<double>(4), 4, std::vector<double>(4), 0.1); }),
              "E/I adaptation: inhibitory connections are needed (a reservoir with inhibitory units), got none");
    EXPECT_EQ(message_of([] { random_sparse(10, 10, 10, WeightDistribution::normal, 1); }),
              "random sparse matrix: per_row must be <= 9 (the columns a row can use without its diagonal), got 10");
    EXPECT_EQ(message_of([] { spectral_radius_dense(random_sparse(3, 4, 1, WeightDistribution::normal, 1)); }),
              "spectral radius: matrix must be square, got 3 x 4");
    const std::vector<double> times = {2.0, 1.0};
    const std::vector<std::int64_t> ids = {0, 0};
    EXPECT_EQ(message_of([&] { filtered_spike_traces(times, ids, 1, 5.0, std::vector<double>{3.0}); }),
              "spike traces: times must be non-decreasing (as recorded), got 1 after 2");
    EXPECT_EQ(message_of([&] { filtered_spike_traces({}, {}, 1, -5.0, std::vector<double>{3.0}); }),
              "spike traces: tau must be finite and > 0 ms, got -5");
    EXPECT_EQ(message_of([&] { filtered_spike_traces(std::vector<double>{1.0}, std::vector<std::int64_t>{3}, 2, 5.0, {}); }),
              "spike traces: ids must be in [0, 2), got 3");
}
