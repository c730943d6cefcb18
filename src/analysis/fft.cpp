#include "neurodyn/analysis/fft.hpp"

#include <cmath>
#include <numbers>
#include <string>

#include "neurodyn/core/error.hpp"

namespace neurodyn::analysis {

namespace {

// (a + ib)(c + id) written out: std::complex's operator* calls __muldc3 for the
// Annex G infinity rules, several times slower in a butterfly loop.
inline Complex mul(Complex a, Complex b) noexcept {
    return {a.real() * b.real() - a.imag() * b.imag(), a.real() * b.imag() + a.imag() * b.real()};
}

bool is_power_of_two(std::size_t n) noexcept { return n != 0 && (n & (n - 1)) == 0; }

}  // namespace

std::size_t next_power_of_two(std::size_t n) {
    std::size_t m = 1;
    while (m < n) m <<= 1;
    return m;
}

FftPlan::FftPlan(std::size_t n) : n_(n), power_of_two_(is_power_of_two(n)) {
    if (n == 0) throw ValueError("FftPlan: n must be >= 1, got 0", "n");
    const double pi = std::numbers::pi;
    if (power_of_two_) {
        twiddle_.resize(n / 2);
        for (std::size_t k = 0; k < n / 2; ++k) {
            const double angle = -2.0 * pi * static_cast<double>(k) / static_cast<double>(n);
            twiddle_[k] = {std::cos(angle), std::sin(angle)};
        }
        return;
    }
    const std::size_t m = next_power_of_two(2 * n - 1);
    inner_ = std::make_unique<FftPlan>(m);
    chirp_.resize(n);
    const unsigned long long two_n = 2ull * n;
    for (std::size_t k = 0; k < n; ++k) {
        // k^2 mod 2N keeps the angle in [0, 2 pi): exp(-i pi k^2 / N) is 2N-periodic in k^2.
        const unsigned long long kk = (static_cast<unsigned long long>(k) % two_n);
        const unsigned long long r = (kk * kk) % two_n;
        const double angle = -pi * static_cast<double>(r) / static_cast<double>(n);
        chirp_[k] = {std::cos(angle), std::sin(angle)};
    }
    kernel_.assign(m, Complex{});
    kernel_[0] = std::conj(chirp_[0]);
    for (std::size_t k = 1; k < n; ++k) kernel_[k] = kernel_[m - k] = std::conj(chirp_[k]);
    inner_->forward(kernel_);
    const double scale = 1.0 / static_cast<double>(m);  // folds the inverse FFT's 1/M in
    for (auto& c : kernel_) c *= scale;
}

FftPlan::~FftPlan() = default;
FftPlan::FftPlan(FftPlan&&) noexcept = default;
FftPlan& FftPlan::operator=(FftPlan&&) noexcept = default;

void FftPlan::forward(std::span<Complex> data) const {
    if (data.size() != n_)
        throw ValueError("FftPlan::forward: data has " + std::to_string(data.size()) + " elements, the plan " +
                             std::to_string(n_),
                         "data");
    if (n_ == 1) return;
    if (power_of_two_)
        radix2(data.data());
    else
        bluestein(data.data());
}

void FftPlan::inverse(std::span<Complex> data) const {
    if (data.size() != n_)
        throw ValueError("FftPlan::inverse: data has " + std::to_string(data.size()) + " elements, the plan " +
                             std::to_string(n_),
                         "data");
    // ifft(x) = conj(fft(conj(x))) / N
    for (auto& c : data) c = std::conj(c);
    forward(data);
    const double scale = 1.0 / static_cast<double>(n_);
    for (auto& c : data) c = std::conj(c) * scale;
}

void FftPlan::radix2(Complex* a) const {
    const std::size_t n = n_;
    // Bit-reversal permutation.
    for (std::size_t i = 1, j = 0; i < n; ++i) {
        std::size_t bit = n >> 1;
        for (; j & bit; bit >>= 1) j ^= bit;
        j ^= bit;
        if (i < j) std::swap(a[i], a[j]);
    }
    // Butterflies: blocks of length len, twiddle exp(-2 pi i j / len) = twiddle_[j * n / len].
    for (std::size_t len = 2; len <= n; len <<= 1) {
        const std::size_t half = len >> 1, stride = n / len;
        for (std::size_t i = 0; i < n; i += len) {
            for (std::size_t j = 0; j < half; ++j) {
                const Complex u = a[i + j];
                const Complex v = mul(a[i + j + half], twiddle_[j * stride]);
                a[i + j] = u + v;
                a[i + j + half] = u - v;
            }
        }
    }
}

void FftPlan::bluestein(Complex* x) const {
    const std::size_t n = n_, m = inner_->size();
    std::vector<Complex> work(m, Complex{});
    for (std::size_t k = 0; k < n; ++k) work[k] = mul(x[k], chirp_[k]);
    inner_->forward(work);
    for (std::size_t k = 0; k < m; ++k) work[k] = std::conj(mul(work[k], kernel_[k]));
    inner_->forward(work);  // conj(fft(conj(.))) * M = the inverse; 1/M is in kernel_
    for (std::size_t k = 0; k < n; ++k) x[k] = mul(std::conj(work[k]), chirp_[k]);
}

std::vector<Complex> fft(std::span<const Complex> x) {
    std::vector<Complex> y(x.begin(), x.end());
    if (y.empty()) throw ValueError("fft: x is empty", "x");
    FftPlan(y.size()).forward(y);
    return y;
}

std::vector<Complex> ifft(std::span<const Complex> x) {
    std::vector<Complex> y(x.begin(), x.end());
    if (y.empty()) throw ValueError("ifft: x is empty", "x");
    FftPlan(y.size()).inverse(y);
    return y;
}

std::vector<Complex> rfft(std::span<const double> x) {
    if (x.empty()) throw ValueError("rfft: x is empty", "x");
    std::vector<Complex> y(x.begin(), x.end());
    FftPlan(y.size()).forward(y);
    y.resize(x.size() / 2 + 1);
    return y;
}

std::vector<Complex> dft_naive(std::span<const Complex> x, bool inverse) {
    const std::size_t n = x.size();
    if (n == 0) throw ValueError("dft_naive: x is empty", "x");
    const double sign = inverse ? 1.0 : -1.0;
    std::vector<Complex> table(n);
    for (std::size_t r = 0; r < n; ++r) {
        const double angle = sign * 2.0 * std::numbers::pi * static_cast<double>(r) / static_cast<double>(n);
        table[r] = {std::cos(angle), std::sin(angle)};
    }
    std::vector<Complex> y(n);
    for (std::size_t k = 0; k < n; ++k) {
        Complex sum{};
        std::size_t r = 0;  // k * j mod n, advanced by k each step
        for (std::size_t j = 0; j < n; ++j) {
            sum += mul(x[j], table[r]);
            r += k;
            if (r >= n) r -= n;
        }
        y[k] = inverse ? sum / static_cast<double>(n) : sum;
    }
    return y;
}

}  // namespace neurodyn::analysis
