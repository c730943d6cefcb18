// Philox4x32-10 against the published known-answer vectors, and the distributions
// built on it against their theory.

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "neurodyn/core/random.hpp"

using namespace neurodyn;

TEST(Philox, KnownAnswerVectors) {
    // Random123 kat_vectors for philox4x32_10 (Salmon et al. 2011): key (k0, k1) is the
    // 64-bit key k1 << 32 | k0.
    EXPECT_EQ(philox4x32({0, 0, 0, 0}, 0), (Philox4x32Block{0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8}));
    EXPECT_EQ(philox4x32({0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff}, 0xffffffffffffffffull),
              (Philox4x32Block{0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd}));
    EXPECT_EQ(philox4x32({0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344}, 0x299f31d0a4093822ull),
              (Philox4x32Block{0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1}));
}

TEST(RandomStream, SameKeySameNumbersOtherKeyOthers) {
    RandomStream a(42, 7, 3), b(42, 7, 3), c(42, 7, 4), d(43, 7, 3);
    for (int i = 0; i < 100; ++i) {
        const auto x = a.next_u32();
        EXPECT_EQ(x, b.next_u32());
        // A 32-bit collision has probability 2^-32 per draw: 100 draws never collide by chance.
        EXPECT_NE(x, c.next_u32());
        EXPECT_NE(x, d.next_u32());
    }
}

TEST(RandomStream, UniformMomentsWithinFourSigma) {
    // Mean of n uniforms has sd 1/sqrt(12 n); 4 sigma gives a false-failure rate ~6e-5.
    RandomStream stream(1, 1, 1);
    const int n = 200000;
    double sum = 0.0;
    for (int i = 0; i < n; ++i) {
        const double u = stream.uniform();
        ASSERT_GE(u, 0.0);
        ASSERT_LT(u, 1.0);
        sum += u;
    }
    EXPECT_NEAR(sum / n, 0.5, 4.0 / std::sqrt(12.0 * n));
}

TEST(RandomStream, NormalMomentsWithinFourSigma) {
    // Sample mean sd = 1/sqrt(n); sample variance sd = sqrt(2/n) for a unit normal.
    RandomStream stream(2, 1, 1);
    const int n = 200000;
    double sum = 0.0, sum_sq = 0.0;
    for (int i = 0; i < n; ++i) {
        const double x = stream.normal();
        sum += x;
        sum_sq += x * x;
    }
    const double mean = sum / n;
    EXPECT_NEAR(mean, 0.0, 4.0 / std::sqrt(n));
    EXPECT_NEAR(sum_sq / n - mean * mean, 1.0, 4.0 * std::sqrt(2.0 / n));
}

TEST(RandomStream, PoissonMeanAndVarianceWithinFourSigma) {
    // Both branches: inversion (mean < 12) and PTRS rejection (mean >= 12).
    for (const double lambda : {0.3, 2.0, 11.9, 12.0, 40.0, 1000.0}) {
        RandomStream stream(3, 1, static_cast<std::uint32_t>(lambda * 10));
        const int n = 100000;
        double sum = 0.0, sum_sq = 0.0;
        for (int i = 0; i < n; ++i) {
            const double k = static_cast<double>(stream.poisson(lambda));
            sum += k;
            sum_sq += k * k;
        }
        const double mean = sum / n, variance = sum_sq / n - mean * mean;
        // sd of the sample mean is sqrt(lambda/n); of the sample variance about
        // sqrt((2 lambda^2 + lambda) / n) (fourth cumulant of the Poisson is lambda).
        EXPECT_NEAR(mean, lambda, 4.0 * std::sqrt(lambda / n)) << "lambda " << lambda;
        EXPECT_NEAR(variance, lambda, 4.0 * std::sqrt((2.0 * lambda * lambda + lambda) / n)) << "lambda " << lambda;
    }
}

TEST(RandomStream, PoissonZeroMeanGivesZero) {
    RandomStream stream(4, 1, 1);
    EXPECT_EQ(stream.poisson(0.0), 0u);
    EXPECT_EQ(stream.poisson(-1.0), 0u);
}

TEST(RandomStream, BelowIsUniformChiSquare) {
    // 10 bins, 100k draws: chi-square with 9 degrees of freedom; 33.7 is its 0.9999
    // quantile (false-failure rate 1e-4).
    RandomStream stream(5, 1, 1);
    std::vector<int> bins(10, 0);
    const int n = 100000;
    for (int i = 0; i < n; ++i) ++bins[stream.below(10)];
    double chi2 = 0.0;
    for (int b : bins) chi2 += (b - n / 10.0) * (b - n / 10.0) / (n / 10.0);
    EXPECT_LT(chi2, 33.7);
}

TEST(Philox, BatchEqualsScalar) {
    constexpr std::size_t n = 37;  // not a multiple of the vector width
    std::uint32_t x0[n], x1[n], x2[n], x3[n];
    philox4x32_batch(n, 5, 6, 100, 77, 0x1234567890abcdefull, x0, x1, x2, x3);
    for (std::size_t i = 0; i < n; ++i) {
        const auto block = philox4x32({5, 6, static_cast<std::uint32_t>(100 + i), 77}, 0x1234567890abcdefull);
        EXPECT_EQ(block, (Philox4x32Block{x0[i], x1[i], x2[i], x3[i]})) << i;
    }
}
