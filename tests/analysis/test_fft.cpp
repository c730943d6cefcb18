// The FFT (radix-2 and Bluestein) against the naive DFT, its inverse, known transforms
// and its input checks.
//
// Tolerance: the naive DFT with exact angles has a rounding error of about
// eps sqrt(N) |x| per coefficient, the FFT about eps log2(N) |x| (radix-2) and a few times
// that for Bluestein (three FFTs of length M < 4N); for N <= 4096 both stay below 1e-13
// relative to max |X|, so the 1e-12 bound of the issue holds with margin and would still
// catch any wrong twiddle, permutation or chirp (those give O(1) errors).

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <string>
#include <vector>

#include "neurodyn/analysis/fft.hpp"
#include "neurodyn/core/error.hpp"
#include "neurodyn/core/random.hpp"

using namespace neurodyn;
using namespace neurodyn::analysis;

namespace {

std::vector<Complex> random_signal(std::size_t n, std::uint32_t entity) {
    RandomStream rng(2024, 1, entity);
    std::vector<Complex> x(n);
    for (auto& c : x) c = {rng.normal(), rng.normal()};
    return x;
}

double relative_error(const std::vector<Complex>& a, const std::vector<Complex>& b) {
    double err = 0.0, scale = 0.0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        err = std::max(err, std::abs(a[i] - b[i]));
        scale = std::max(scale, std::abs(b[i]));
    }
    return err / scale;
}

}  // namespace

TEST(Fft, MatchesNaiveDftForManyLengths) {
    std::vector<std::size_t> lengths;
    for (std::size_t n = 1; n <= 70; ++n) lengths.push_back(n);
    for (std::size_t n : {96, 100, 127, 128, 250, 256, 360, 997, 1000, 1024, 2053, 4096}) lengths.push_back(n);
    for (const std::size_t n : lengths) {
        const auto x = random_signal(n, static_cast<std::uint32_t>(n));
        const double forward = relative_error(fft(x), dft_naive(x));
        const double inverse = relative_error(ifft(x), dft_naive(x, true));
        EXPECT_LT(forward, 1e-12) << "N = " << n;
        EXPECT_LT(inverse, 1e-12) << "N = " << n;
    }
}

TEST(Fft, InverseUndoesForward) {
    for (const std::size_t n : {1u, 2u, 3u, 64u, 1000u, 4097u}) {
        const auto x = random_signal(n, 7);
        FftPlan plan(n);
        auto y = x;
        plan.forward(y);
        plan.inverse(y);
        EXPECT_LT(relative_error(y, x), 1e-13) << "N = " << n;
    }
}

TEST(Fft, KnownTransforms) {
    // A unit impulse at 0 transforms to all ones; a cosine of k0 cycles to N/2 at +-k0.
    for (const std::size_t n : {16u, 15u}) {
        std::vector<Complex> delta(n, 0.0);
        delta[0] = 1.0;
        for (const auto& c : fft(delta)) EXPECT_NEAR(std::abs(c - Complex(1.0)), 0.0, 1e-15);
        const std::size_t k0 = 3;
        std::vector<double> cosine(n);
        for (std::size_t i = 0; i < n; ++i)
            cosine[i] = std::cos(2.0 * std::numbers::pi * static_cast<double>(k0 * i) / static_cast<double>(n));
        const auto half = rfft(cosine);
        ASSERT_EQ(half.size(), n / 2 + 1);
        for (std::size_t k = 0; k < half.size(); ++k)
            EXPECT_NEAR(std::abs(half[k]), k == k0 ? n / 2.0 : 0.0, 1e-13) << "N = " << n << ", k = " << k;
    }
}

TEST(Fft, RejectsBadInput) {
    EXPECT_THROW(FftPlan(0), ValueError);
    FftPlan plan(8);
    std::vector<Complex> wrong(7);
    try {
        plan.forward(wrong);
        ADD_FAILURE() << "no ValueError";
    } catch (const ValueError& e) {
        EXPECT_EQ(std::string(e.what()), "FftPlan::forward: data has 7 elements, the plan 8");
        EXPECT_EQ(e.key(), "data");
    }
    EXPECT_THROW(fft(std::vector<Complex>{}), ValueError);
    EXPECT_THROW(rfft(std::vector<double>{}), ValueError);
}
