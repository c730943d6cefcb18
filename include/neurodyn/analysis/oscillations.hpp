#pragma once
// Synchrony and oscillations: Kuramoto order parameter from spike phases, the spike-time
// tiling coefficient, Welch power spectra, peak frequency and band power, phase-amplitude
// coupling (modulation index) and the aperiodic (1/f) exponent. Golomb's chi is in
// spike_statistics.hpp. Plain arrays in, numbers out; ValueError for bad input.
// Definitions and references: docs/analysis.md.

#include <complex>
#include <cstddef>
#include <span>
#include <vector>

#include "neurodyn/analysis/spike_trains.hpp"

namespace neurodyn::analysis {

// ---- synchrony ------------------------------------------------------------------------

// Kuramoto order parameter from spike phases (e.g. Pikovsky, Rosenblum & Kurths 2001,
// "Synchronization", sec. 6.1; Kuramoto 1984). The phase of neuron j grows by 2 pi from one
// spike to the next, linearly in between:
//   phi_j(t) = 2 pi (k + (t - t_k) / (t_{k+1} - t_k)),   t_k <= t < t_{k+1},
// and is defined only between its first and last spike. On the grid t = t_start + (m + 1/2) dt
// inside [t_start, t_stop):  R(t) = |(1/N(t)) sum_j exp(i phi_j(t))| over the N(t) neurons
// whose phase is defined (NaN where N(t) < 2), and mean_r is its average over the grid
// points where it is defined (NaN if none). About 1 for phase-locked neurons; for N
// independent ones E[R^2] = 1/N. Cost O(spikes + neurons x grid points).
struct KuramotoOrder {
    std::vector<double> times_ms;
    std::vector<double> r;
    double mean_r = 0.0;
};
KuramotoOrder kuramoto_order(const SpikeTrains& trains, double t_start_ms, double t_stop_ms, double dt_ms);

// Spike-time tiling coefficient (Cutts & Eglen 2014, J Neurosci 34:14288):
//   STTC = 1/2 [ (P_A - T_B) / (1 - P_A T_B) + (P_B - T_A) / (1 - P_B T_A) ]
// T_A: the fraction of [t_start, t_stop) within +-dt of a spike of A (the union of those
// tiles, clipped to the window); P_A: the fraction of A's spikes within +-dt (inclusive)
// of a spike of B. 1 for identical trains, about 0 for independent ones, -1 for trains
// that avoid each other. NaN if either train is empty or a denominator is 0. Trains sorted;
// O(n_a + n_b).
double sttc(std::span<const double> a_ms, std::span<const double> b_ms, double dt_ms, double t_start_ms,
            double t_stop_ms);

// ---- spectra --------------------------------------------------------------------------

// A one-sided power spectral density (units^2 / Hz) at frequencies k fs / nperseg.
struct PowerSpectrum {
    std::vector<double> frequencies_hz;
    std::vector<double> power;
    std::size_t segments = 0;
};

inline constexpr std::size_t kHalfOverlap = static_cast<std::size_t>(-1);

// Welch's method (Welch 1967) with the defaults of scipy.signal.welch: segments of nperseg
// samples (nperseg = len(x) if x is shorter) starting every nperseg - noverlap samples
// (noverlap = nperseg / 2 by default; only whole segments), each detrended by its mean and
// multiplied by a periodic Hann window w_n = 1/2 - 1/2 cos(2 pi n / nperseg); the periodogram
// |DFT|^2 / (fs sum w_n^2), doubled at all frequencies but 0 and (even nperseg) fs/2,
// averaged over segments. Equals scipy.signal.welch(x, fs, nperseg=..., noverlap=...) to
// rounding error (tests/analysis/test_oscillations.cpp, 1e-10). Any nperseg (fft.hpp).
PowerSpectrum welch_psd(std::span<const double> x, double fs_hz, std::size_t nperseg = 256,
                        std::size_t noverlap = kHalfOverlap);

// Spectrum of population activity: the spike count histogram of all neurons in bins of
// bin_ms over [t_start, t_stop), converted to a rate (Hz per neuron), then welch_psd with
// fs = 1000 / bin_ms. Times in any order.
PowerSpectrum population_spectrum(std::span<const double> times_ms, std::size_t n_neurons, double t_start_ms,
                                  double t_stop_ms, double bin_ms, std::size_t nperseg = 1024);

// The largest power at a frequency in [f_low_hz, f_high_hz] and where it is.
struct SpectralPeak {
    double frequency_hz = 0.0;
    double power = 0.0;
};
SpectralPeak peak_frequency(const PowerSpectrum& spectrum, double f_low_hz, double f_high_hz);

// Power in the band [f_low_hz, f_high_hz]: sum of power x frequency step over the bins whose
// frequency lies in it (rectangle rule; over 0..fs/2 this is the signal's variance).
double band_power(const PowerSpectrum& spectrum, double f_low_hz, double f_high_hz);

// ---- filtering and phase-amplitude coupling -------------------------------------------

// Ideal (brick-wall) band-pass by FFT: the DFT of x with every coefficient whose
// frequency |f| lies outside [f_low_hz, f_high_hz] set to 0, transformed back. Zero phase;
// circular (the signal is treated as periodic, so trim the edges of non-periodic data).
std::vector<double> bandpass_fft(std::span<const double> x, double fs_hz, double f_low_hz, double f_high_hz);

// Analytic signal x + i H[x] by the FFT (Marple 1999), as scipy.signal.hilbert: the DFT
// multiplied by h = 1 at 0 (and N/2 for even N), 2 at positive frequencies, 0 at negative.
std::vector<std::complex<double>> analytic_signal(std::span<const double> x);

// Modulation index of Tort et al. (2010, J Neurophysiol 104:1195): phases (radians, any
// range) are binned into n_bins equal bins of [-pi, pi); P_j = mean amplitude in bin j /
// sum over bins of the mean amplitudes;  MI = (log n_bins - H(P)) / log n_bins,
// H(P) = -sum_j P_j log P_j. 0 for a flat distribution, 1 when all amplitude is in one bin.
// Empty bins count as P_j = 0.
struct PhaseAmplitudeCoupling {
    double modulation_index = 0.0;
    std::vector<double> amplitude_distribution;  // P_j, bin j centred at -pi + (j + 1/2) 2 pi / n_bins
};
PhaseAmplitudeCoupling modulation_index(std::span<const double> phase, std::span<const double> amplitude,
                                        std::size_t n_bins = 18);

// The whole pipeline of Tort et al.: phase = arg analytic(bandpass(x, phase band)),
// amplitude = |analytic(bandpass(x, amplitude band))| (bandpass_fft, analytic_signal), then
// modulation_index over the samples left after dropping `trim` samples at each end.
PhaseAmplitudeCoupling phase_amplitude_coupling(std::span<const double> x, double fs_hz, double phase_low_hz,
                                                double phase_high_hz, double amplitude_low_hz,
                                                double amplitude_high_hz, std::size_t n_bins = 18,
                                                std::size_t trim = 0);

// ---- aperiodic component --------------------------------------------------------------

// Fit of the aperiodic component of a spectrum over [f_low_hz, f_high_hz] (f > 0), in the
// form of FOOOF (Donoghue et al. 2020, Nat Neurosci 23:1655), in log10 power:
//   fixed (knee-free):  log10 P(f) = offset - exponent log10 f              (P ~ 1/f^exponent)
//   knee:               log10 P(f) = offset - log10(knee + f^exponent)
// 'fixed' is ordinary least squares of log10 P on log10 f; exponent_stderr is its standard
// error from the residuals (assumes independent residuals: Welch bins with a Hann window are
// correlated with their neighbours, see the test). 'knee' is a Levenberg-Marquardt fit
// (knee >= 0), started from the fixed fit; its exponent_stderr is from the Gauss-Newton
// covariance. Oscillatory peaks in the range bias both; exclude them from the range.
enum class AperiodicMode { fixed, knee };
struct AperiodicFit {
    double offset = 0.0;
    double exponent = 0.0;
    double knee = 0.0;  // 0 in fixed mode
    double exponent_stderr = 0.0;
    double r_squared = 0.0;
    std::size_t n_points = 0;
};
AperiodicFit fit_aperiodic(const PowerSpectrum& spectrum, double f_low_hz, double f_high_hz,
                           AperiodicMode mode = AperiodicMode::fixed);

}  // namespace neurodyn::analysis
