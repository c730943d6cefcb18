#pragma once
// Elementary functions written so that update loops calling them still vectorise.
// std::exp is an opaque library call that keeps a loop scalar (without -ffast-math GCC
// does not use glibc's vector variants); these are plain arithmetic and bit operations,
// branch-free, and give the same result on every CPU for the same input.

#include <bit>
#include <cstdint>

namespace neurodyn {

// exp(x) for x <= 0, within 2 ulp of the correctly rounded result for x >= -708 (the
// normal range), and 0 below it (exp(-708) is 3e-308; the difference is negligible
// for a propagator). Cody–Waite reduction x = n ln2 + r with |r| <= ln2/2,
// then a degree-13 Taylor polynomial for exp(r) (truncation error 4e-18, below one ulp)
// evaluated by Estrin's scheme,
// and 2^n assembled in the exponent bits. Meant for propagators exp(-k dt) with k >= 0;
// NaN in gives NaN out.
inline double exp_nonpositive(double x) {
    constexpr double kLog2e = 1.4426950408889634;
    constexpr double kLn2High = 6.93147180369123816490e-01;  // trailing zero bits: n * kLn2High is exact
    constexpr double kLn2Low = 1.90821492927058770002e-10;
    constexpr double kRoundMagic = 6755399441055744.0;  // 1.5 * 2^52: adding it rounds to an integer
    constexpr double kLowest = -708.0;
    const double clamped = x < kLowest ? kLowest : x;
    const double shifted = clamped * kLog2e + kRoundMagic;
    const double n = shifted - kRoundMagic;
    const double r = (clamped - n * kLn2High) - n * kLn2Low;
    // Estrin's scheme: the terms are combined pairwise in a tree of depth 4 rather than
    // Horner's chain of 13 dependent multiply-adds, so consecutive neurons overlap.
    const double r2 = r * r;
    const double r4 = r2 * r2;
    const double r8 = r4 * r4;
    const double p01 = 1.0 + r;
    const double p23 = 1.0 / 2.0 + r * (1.0 / 6.0);
    const double p45 = 1.0 / 24.0 + r * (1.0 / 120.0);
    const double p67 = 1.0 / 720.0 + r * (1.0 / 5040.0);
    const double p89 = 1.0 / 40320.0 + r * (1.0 / 362880.0);
    const double p1011 = 1.0 / 3628800.0 + r * (1.0 / 39916800.0);
    const double p1213 = 1.0 / 479001600.0 + r * (1.0 / 6227020800.0);
    const double p0_3 = p01 + r2 * p23;
    const double p4_7 = p45 + r2 * p67;
    const double p8_11 = p89 + r2 * p1011;
    const double p0_7 = p0_3 + r4 * p4_7;
    const double p8_13 = p8_11 + r4 * p1213;
    const double p = p0_7 + r8 * p8_13;
    // The low bits of `shifted` hold n in two's complement; adding the exponent bias and
    // shifting into the exponent field gives the bits of 2^n (the rest overflows away).
    const std::uint64_t scale_bits = (std::bit_cast<std::uint64_t>(shifted) + 1023u) << 52;
    const double result = p * std::bit_cast<double>(scale_bits);
    return x < kLowest ? 0.0 : result;
}

// exp(x) for any x, vectorisable: exp_nonpositive(-|x|), inverted when x > 0 (within
// 5 ulp: exp_nonpositive's error carried through the reciprocal and its rounding). Beyond |x| = 708 it gives 0 below and inf above, as std::exp
// does at the limits of double.
inline double exp_any(double x) {
    const double e = exp_nonpositive(x > 0.0 ? -x : x);
    return x > 0.0 ? 1.0 / e : e;
}

}  // namespace neurodyn
