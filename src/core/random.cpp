#include "neurodyn/core/random.hpp"

#include <cmath>
#include <numbers>

namespace neurodyn {

namespace {
__extension__ typedef unsigned __int128 uint128;
}

std::uint64_t RandomStream::below(std::uint64_t n) noexcept {
    // Lemire (2019): multiply a 64-bit random word by n, reject the biased low part.
    auto draw64 = [this] { return std::uint64_t{next_u32()} << 32 | next_u32(); };
    uint128 product = static_cast<uint128>(draw64()) * n;
    std::uint64_t low = static_cast<std::uint64_t>(product);
    if (low < n) {
        const std::uint64_t threshold = (0 - n) % n;
        while (low < threshold) {
            product = static_cast<uint128>(draw64()) * n;
            low = static_cast<std::uint64_t>(product);
        }
    }
    return static_cast<std::uint64_t>(product >> 64);
}

double RandomStream::normal() noexcept {
    // Box–Muller; the second variate of each pair is kept for the next call.
    if (has_spare_normal_) {
        has_spare_normal_ = false;
        return spare_normal_;
    }
    const double radius = std::sqrt(-2.0 * std::log(uniform_positive()));
    const double angle = 2.0 * std::numbers::pi * uniform();
    spare_normal_ = radius * std::sin(angle);
    has_spare_normal_ = true;
    return radius * std::cos(angle);
}

std::uint64_t RandomStream::poisson(double mean) noexcept {
    if (!(mean > 0.0)) return 0;
    if (mean < 12.0) return poisson_by_inversion(mean, uniform());
    // PTRS, transformed rejection with squeeze (Hörmann 1993), as NumPy uses it.
    const double slam = std::sqrt(mean);
    const double loglam = std::log(mean);
    const double b = 0.931 + 2.53 * slam;
    const double a = -0.059 + 0.02483 * b;
    const double inv_alpha = 1.1239 + 1.1328 / (b - 3.4);
    const double vr = 0.9277 - 3.6224 / (b - 2.0);
    for (;;) {
        const double u = uniform() - 0.5;
        const double v = uniform();
        const double us = 0.5 - std::fabs(u);
        const double k = std::floor((2.0 * a / us + b) * u + mean + 0.43);
        if (us >= 0.07 && v <= vr) return static_cast<std::uint64_t>(k);
        if (k < 0.0 || (us < 0.013 && v > us)) continue;
        if (std::log(v) + std::log(inv_alpha) - std::log(a / (us * us) + b) <= -mean + k * loglam - std::lgamma(k + 1.0))
            return static_cast<std::uint64_t>(k);
    }
}

}  // namespace neurodyn
