#pragma once
// Counter-based random numbers (Philox4x32-10, Salmon et al. 2011, SC'11).
//
// Every random number in neurodyn is a pure function of (seed, domain, entity, index):
// nothing is drawn from a shared sequential generator. The network therefore comes out
// the same whatever the order in which its parts are built or simulated, and whatever
// the number of threads or processes.
//   key     = the 64-bit user seed
//   counter = {index low 32 bits, index high 32 bits, entity, domain}
// `domain` says what the numbers are for (a tag plus the id of the projection,
// population or stimulus), `entity` is usually a neuron id and `index` a time step or
// a draw counter.

#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>

namespace neurodyn {

using Philox4x32Block = std::array<std::uint32_t, 4>;

inline Philox4x32Block philox4x32(Philox4x32Block counter, std::uint64_t key) noexcept {
    constexpr std::uint32_t kMul0 = 0xD2511F53u, kMul1 = 0xCD9E8D57u;
    constexpr std::uint32_t kWeyl0 = 0x9E3779B9u, kWeyl1 = 0xBB67AE85u;
    std::uint32_t k0 = static_cast<std::uint32_t>(key), k1 = static_cast<std::uint32_t>(key >> 32);
    for (int round = 0; round < 10; ++round) {
        const std::uint64_t p0 = std::uint64_t{kMul0} * counter[0];
        const std::uint64_t p1 = std::uint64_t{kMul1} * counter[2];
        counter = {static_cast<std::uint32_t>(p1 >> 32) ^ counter[1] ^ k0, static_cast<std::uint32_t>(p1),
                   static_cast<std::uint32_t>(p0 >> 32) ^ counter[3] ^ k1, static_cast<std::uint32_t>(p0)};
        k0 += kWeyl0;
        k1 += kWeyl1;
    }
    return counter;
}

// Philox4x32-10 for n counters {c0, c1, first_c2 + i, c3}, i < n, written as
// structure of arrays (word k of block i in words[k][i]) so that the rounds run as
// vector instructions across blocks: about 2.5x the scalar speed with SSE2.
inline void philox4x32_batch(std::size_t n, std::uint32_t c0, std::uint32_t c1, std::uint32_t first_c2, std::uint32_t c3,
                             std::uint64_t key, std::uint32_t* __restrict x0, std::uint32_t* __restrict x1,
                             std::uint32_t* __restrict x2, std::uint32_t* __restrict x3) noexcept {
    for (std::size_t i = 0; i < n; ++i) {
        x0[i] = c0;
        x1[i] = c1;
        x2[i] = first_c2 + static_cast<std::uint32_t>(i);
        x3[i] = c3;
    }
    std::uint32_t k0 = static_cast<std::uint32_t>(key), k1 = static_cast<std::uint32_t>(key >> 32);
    for (int round = 0; round < 10; ++round) {
        for (std::size_t i = 0; i < n; ++i) {
            const std::uint64_t p0 = std::uint64_t{0xD2511F53u} * x0[i];
            const std::uint64_t p1 = std::uint64_t{0xCD9E8D57u} * x2[i];
            const std::uint32_t y0 = static_cast<std::uint32_t>(p1 >> 32) ^ x1[i] ^ k0;
            const std::uint32_t y2 = static_cast<std::uint32_t>(p0 >> 32) ^ x3[i] ^ k1;
            x1[i] = static_cast<std::uint32_t>(p1);
            x3[i] = static_cast<std::uint32_t>(p0);
            x0[i] = y0;
            x2[i] = y2;
        }
        k0 += 0x9E3779B9u;
        k1 += 0xBB67AE85u;
    }
}

// What a stream of numbers is used for; combined with an object id into `domain`.
enum class RandomPurpose : std::uint32_t {
    connectivity = 1,
    weight = 2,
    delay = 3,
    parameter = 4,
    initial_state = 5,
    poisson_drive = 6,
    spike_source = 7,
    connectivity_post = 8,
    current_noise = 9,
};

// Object ids (projection, population, stimulus, parameter index) must fit in 24 bits.
inline constexpr std::uint32_t kMaxRandomObjectId = (1u << 24) - 1;

constexpr std::uint32_t random_domain(RandomPurpose purpose, std::uint32_t object_id) noexcept {
    return (static_cast<std::uint32_t>(purpose) << 24) | (object_id & kMaxRandomObjectId);
}

// [0, 1) with 53 random bits.
inline double uniform_from_bits(std::uint32_t hi, std::uint32_t lo) noexcept {
    const std::uint64_t bits = (std::uint64_t{hi} << 32 | lo) >> 11;
    return static_cast<double>(bits) * 0x1.0p-53;
}

// A reproducible sequence of numbers for one (seed, domain, entity). Draw-index based,
// so two streams with different (domain, entity) never overlap.
class RandomStream {
public:
    RandomStream(std::uint64_t seed, std::uint32_t domain, std::uint32_t entity, std::uint64_t first_index = 0) noexcept
        : seed_(seed), domain_(domain), entity_(entity), index_(first_index) {}

    std::uint32_t next_u32() noexcept {
        if (used_ == 4) refill();
        return block_[used_++];
    }
    // Uniform on [0, 1).
    double uniform() noexcept {
        const std::uint32_t hi = next_u32();
        return uniform_from_bits(hi, next_u32());
    }
    // Uniform on (0, 1]: safe to take the logarithm of.
    double uniform_positive() noexcept { return 1.0 - uniform(); }
    double uniform(double low, double high) noexcept { return low + (high - low) * uniform(); }
    // Unbiased integer in [0, n), n >= 1 (Lemire's multiply-and-reject on 64 bits).
    std::uint64_t below(std::uint64_t n) noexcept;
    double normal() noexcept;
    double normal(double mean, double std) noexcept { return mean + std * normal(); }
    double exponential(double mean) noexcept { return -mean * std::log(uniform_positive()); }
    std::uint64_t poisson(double mean) noexcept;

private:
    void refill() noexcept {
        block_ = philox4x32({static_cast<std::uint32_t>(index_), static_cast<std::uint32_t>(index_ >> 32), entity_, domain_},
                            seed_);
        ++index_;
        used_ = 0;
    }

    std::uint64_t seed_;
    std::uint32_t domain_;
    std::uint32_t entity_;
    std::uint64_t index_;
    Philox4x32Block block_{};
    int used_ = 4;
    double spare_normal_ = 0.0;
    bool has_spare_normal_ = false;
};

// Poisson variate by inversion from one uniform; exact for small means (< 12), where the
// expected number of iterations is mean + 1.
inline std::uint64_t poisson_by_inversion(double mean, double u) noexcept {
    double probability = std::exp(-mean);
    double cumulative = probability;
    std::uint64_t k = 0;
    // The cap guards against rounding leaving `cumulative` just below u near 1.
    while (u > cumulative && k < 1000) {
        ++k;
        probability *= mean / static_cast<double>(k);
        cumulative += probability;
    }
    return k;
}

}  // namespace neurodyn
