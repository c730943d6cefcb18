#pragma once
// Discrete Fourier transform of any length, our own (no FFTW dependency).
//
//   forward:  X_k = sum_{n<N} x_n exp(-2 pi i k n / N)
//   inverse:  x_n = (1/N) sum_{k<N} X_k exp(+2 pi i k n / N)
//
// Lengths that are powers of two use an iterative radix-2 decimation-in-time FFT
// (bit-reversal permutation, then log2 N butterfly passes) with a twiddle table whose
// entries are computed directly with cos/sin (no recurrence), so the error grows like
// eps * log N. Other lengths use Bluestein's chirp-z algorithm (Bluestein 1970;
// Rabiner, Schafer & Rader 1969): with w_n = exp(-i pi n^2 / N) and nk = (n^2 + k^2 -
// (k-n)^2)/2, X_k = w_k sum_n (x_n w_n) conj(w_{k-n}), a convolution computed by a
// radix-2 FFT of length M >= 2N - 1. The chirp's angle uses n^2 mod 2N, so it stays
// accurate for large n. Both are O(N log N); tests/analysis/test_fft.cpp checks them
// against the naive O(N^2) DFT below to 1e-12 relative.
//
// A plan precomputes the tables for one length; it is immutable after construction and
// may be used by several threads at once (each call allocates its own work space).

#include <complex>
#include <cstddef>
#include <memory>
#include <span>
#include <vector>

namespace neurodyn::analysis {

using Complex = std::complex<double>;

class FftPlan {
public:
    // Length n >= 1; raises ValueError for n = 0.
    explicit FftPlan(std::size_t n);
    ~FftPlan();
    FftPlan(FftPlan&&) noexcept;
    FftPlan& operator=(FftPlan&&) noexcept;

    std::size_t size() const noexcept { return n_; }
    // In place; data.size() must equal size() (ValueError otherwise).
    void forward(std::span<Complex> data) const;
    // In place, including the 1/N factor.
    void inverse(std::span<Complex> data) const;

private:
    void radix2(Complex* data) const;
    void bluestein(Complex* data) const;

    std::size_t n_ = 0;
    bool power_of_two_ = false;
    std::vector<Complex> twiddle_;   // radix-2: exp(-2 pi i k / n), k < n/2
    std::vector<Complex> chirp_;     // Bluestein: w_k = exp(-i pi k^2 / n), k < n
    std::vector<Complex> kernel_;    // Bluestein: FFT_M of conj(w) placed circularly, divided by M
    std::unique_ptr<FftPlan> inner_; // Bluestein: the radix-2 plan of length M
};

// Convenience wrappers (one plan per call).
std::vector<Complex> fft(std::span<const Complex> x);
std::vector<Complex> ifft(std::span<const Complex> x);
// The first N/2 + 1 coefficients of the DFT of a real signal (the others are conjugates).
std::vector<Complex> rfft(std::span<const double> x);

// Reference O(N^2) DFT (forward, or inverse with 1/N), with exact angles: the phase of
// term (k, n) is taken from a table at (k n mod N). For tests; never for data.
std::vector<Complex> dft_naive(std::span<const Complex> x, bool inverse = false);

// Smallest power of two >= n (n >= 1).
std::size_t next_power_of_two(std::size_t n);

}  // namespace neurodyn::analysis
