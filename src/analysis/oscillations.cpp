#include "neurodyn/analysis/oscillations.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <numbers>
#include <string>

#include "input_checks.hpp"
#include "neurodyn/analysis/fft.hpp"

namespace neurodyn::analysis {

using detail::fail;
using detail::str;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kTwoPi = 2.0 * std::numbers::pi;

// Total length of the union of [t - dt, t + dt] over a sorted train, clipped to [lo, hi].
double tiled_length(std::span<const double> train, double dt, double lo, double hi) {
    double total = 0.0, start = 0.0, end = 0.0;
    bool open = false;
    for (const double t : train) {
        const double a = std::max(lo, t - dt), b = std::min(hi, t + dt);
        if (b <= a) continue;
        if (open && a <= end) {
            end = std::max(end, b);
        } else {
            if (open) total += end - start;
            start = a;
            end = b;
            open = true;
        }
    }
    if (open) total += end - start;
    return total;
}

// Fraction of the spikes of a with a spike of b within +-dt (inclusive).
double fraction_tiled(std::span<const double> a, std::span<const double> b, double dt) {
    std::size_t j = 0, hits = 0;
    for (const double t : a) {
        while (j < b.size() && b[j] < t - dt) ++j;
        if (j < b.size() && b[j] <= t + dt) ++hits;
    }
    return static_cast<double>(hits) / static_cast<double>(a.size());
}

// Solve the 3x3 system A x = y by Gaussian elimination with partial pivoting; false if singular.
bool solve3(std::array<std::array<double, 3>, 3> A, std::array<double, 3> y, std::array<double, 3>& x) {
    for (int c = 0; c < 3; ++c) {
        int p = c;
        for (int r = c + 1; r < 3; ++r)
            if (std::abs(A[r][c]) > std::abs(A[p][c])) p = r;
        if (!(std::abs(A[p][c]) > 0.0)) return false;
        std::swap(A[p], A[c]);
        std::swap(y[p], y[c]);
        for (int r = c + 1; r < 3; ++r) {
            const double factor = A[r][c] / A[c][c];
            for (int k = c; k < 3; ++k) A[r][k] -= factor * A[c][k];
            y[r] -= factor * y[c];
        }
    }
    for (int c = 2; c >= 0; --c) {
        double s = y[c];
        for (int k = c + 1; k < 3; ++k) s -= A[c][k] * x[k];
        x[c] = s / A[c][c];
    }
    return true;
}

}  // namespace

KuramotoOrder kuramoto_order(const SpikeTrains& trains, double t_start_ms, double t_stop_ms, double dt_ms) {
    constexpr const char* f = "kuramoto_order";
    detail::require_window(f, t_start_ms, t_stop_ms);
    detail::require_positive(f, "dt_ms", dt_ms);
    const auto n_grid = static_cast<std::size_t>(std::floor((t_stop_ms - t_start_ms) / dt_ms + 1e-9));
    if (n_grid == 0) fail(f, "dt_ms", "is longer than the window, got " + str(dt_ms));
    std::vector<double> sum_cos(n_grid, 0.0), sum_sin(n_grid, 0.0), count(n_grid, 0.0);
    auto grid_time = [&](std::size_t m) { return t_start_ms + (static_cast<double>(m) + 0.5) * dt_ms; };
    for (std::size_t j = 0; j < trains.n_neurons(); ++j) {
        const auto train = trains.train(j);
        for (std::size_t k = 0; k + 1 < train.size(); ++k) {
            const double t0 = train[k], t1 = train[k + 1], isi = t1 - t0;
            if (!(isi > 0.0)) continue;
            // First grid point with t_m >= t0.
            const double first = std::ceil((t0 - t_start_ms) / dt_ms - 0.5);
            std::size_t m = first <= 0.0 ? 0 : static_cast<std::size_t>(first);
            if (m >= n_grid || grid_time(m) >= t1) continue;
            // exp(i phi) advances by exp(2 pi i dt / isi) per grid step; re-anchored every interval.
            const double angle0 = kTwoPi * (grid_time(m) - t0) / isi, step_angle = kTwoPi * dt_ms / isi;
            double c = std::cos(angle0), s = std::sin(angle0);
            const double dc = std::cos(step_angle), ds = std::sin(step_angle);
            for (; m < n_grid && grid_time(m) < t1; ++m) {
                sum_cos[m] += c;
                sum_sin[m] += s;
                count[m] += 1.0;
                const double next_c = c * dc - s * ds;
                s = s * dc + c * ds;
                c = next_c;
            }
        }
    }
    KuramotoOrder result;
    result.times_ms.resize(n_grid);
    result.r.assign(n_grid, kNaN);
    double total = 0.0;
    std::size_t defined = 0;
    for (std::size_t m = 0; m < n_grid; ++m) {
        result.times_ms[m] = grid_time(m);
        if (count[m] < 2.0) continue;
        result.r[m] = std::hypot(sum_cos[m], sum_sin[m]) / count[m];
        total += result.r[m];
        ++defined;
    }
    result.mean_r = defined ? total / static_cast<double>(defined) : kNaN;
    return result;
}

double sttc(std::span<const double> a_ms, std::span<const double> b_ms, double dt_ms, double t_start_ms,
            double t_stop_ms) {
    constexpr const char* f = "sttc";
    detail::require_positive(f, "dt_ms", dt_ms);
    detail::require_window(f, t_start_ms, t_stop_ms);
    detail::require_all_finite(f, "a_ms", a_ms);
    detail::require_all_finite(f, "b_ms", b_ms);
    detail::require_sorted(f, "a_ms", a_ms);
    detail::require_sorted(f, "b_ms", b_ms);
    if (a_ms.empty() || b_ms.empty()) return kNaN;
    const double T = t_stop_ms - t_start_ms;
    const double ta = tiled_length(a_ms, dt_ms, t_start_ms, t_stop_ms) / T;
    const double tb = tiled_length(b_ms, dt_ms, t_start_ms, t_stop_ms) / T;
    const double pa = fraction_tiled(a_ms, b_ms, dt_ms), pb = fraction_tiled(b_ms, a_ms, dt_ms);
    const double da = 1.0 - pa * tb, db = 1.0 - pb * ta;
    if (da == 0.0 || db == 0.0) return kNaN;
    return 0.5 * ((pa - tb) / da + (pb - ta) / db);
}

PowerSpectrum welch_psd(std::span<const double> x, double fs_hz, std::size_t nperseg, std::size_t noverlap) {
    constexpr const char* f = "welch_psd";
    detail::require_nonempty(f, "x", x.size());
    detail::require_positive(f, "fs_hz", fs_hz);
    detail::require_all_finite(f, "x", x);
    if (nperseg == 0) fail(f, "nperseg", "must be >= 1, got 0");
    nperseg = std::min(nperseg, x.size());  // as scipy (which warns)
    if (noverlap == kHalfOverlap) noverlap = nperseg / 2;
    if (noverlap >= nperseg)
        fail(f, "noverlap", "must be < nperseg (" + std::to_string(nperseg) + "), got " + std::to_string(noverlap));
    const std::size_t n = nperseg, step = nperseg - noverlap;
    const std::size_t n_segments = (x.size() - noverlap) / step;
    const std::size_t n_freq = n / 2 + 1;

    std::vector<double> window(n);
    double window_ss = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
        window[i] = 0.5 - 0.5 * std::cos(kTwoPi * static_cast<double>(i) / static_cast<double>(n));
        window_ss += window[i] * window[i];
    }
    const FftPlan plan(n);
    std::vector<Complex> z(n);
    std::vector<double> sum(n_freq, 0.0);
    auto prepare = [&](std::size_t segment, double* out) {
        const double* s = x.data() + segment * step;
        double mean = 0.0;
        for (std::size_t i = 0; i < n; ++i) mean += s[i];
        mean /= static_cast<double>(n);
        for (std::size_t i = 0; i < n; ++i) out[i] = (s[i] - mean) * window[i];
    };
    std::vector<double> u(n), v(n);
    // Two real segments per complex FFT: z = u + i v, U_k = (Z_k + conj Z_{N-k}) / 2,
    // V_k = (Z_k - conj Z_{N-k}) / 2i, so |U_k|^2 and |V_k|^2 come from Z_k and Z_{N-k}.
    for (std::size_t seg = 0; seg < n_segments; seg += 2) {
        const bool pair = seg + 1 < n_segments;
        prepare(seg, u.data());
        if (pair)
            prepare(seg + 1, v.data());
        else
            std::fill(v.begin(), v.end(), 0.0);
        for (std::size_t i = 0; i < n; ++i) z[i] = {u[i], v[i]};
        plan.forward(z);
        for (std::size_t k = 0; k < n_freq; ++k) {
            const Complex zk = z[k], zm = std::conj(z[(n - k) % n]);
            const Complex uk = 0.5 * (zk + zm), vk = 0.5 * (zk - zm);  // |V_k| = |vk|
            sum[k] += std::norm(uk) + (pair ? std::norm(vk) : 0.0);
        }
    }
    PowerSpectrum spectrum;
    spectrum.segments = n_segments;
    spectrum.frequencies_hz.resize(n_freq);
    spectrum.power.resize(n_freq);
    const double scale = 1.0 / (fs_hz * window_ss * static_cast<double>(n_segments));
    for (std::size_t k = 0; k < n_freq; ++k) {
        spectrum.frequencies_hz[k] = static_cast<double>(k) * fs_hz / static_cast<double>(n);
        const bool edge = k == 0 || (n % 2 == 0 && k == n / 2);
        spectrum.power[k] = sum[k] * scale * (edge ? 1.0 : 2.0);
    }
    return spectrum;
}

PowerSpectrum population_spectrum(std::span<const double> times_ms, std::size_t n_neurons, double t_start_ms,
                                  double t_stop_ms, double bin_ms, std::size_t nperseg) {
    constexpr const char* f = "population_spectrum";
    detail::require_window(f, t_start_ms, t_stop_ms);
    detail::require_positive(f, "bin_ms", bin_ms);
    if (n_neurons == 0) fail(f, "n_neurons", "must be >= 1, got 0");
    const auto n_bins = static_cast<std::size_t>(std::floor((t_stop_ms - t_start_ms) / bin_ms + 1e-9));
    if (n_bins < 2) fail(f, "bin_ms", "leaves fewer than 2 whole bins in the window, got " + str(bin_ms));
    std::vector<double> rate(n_bins, 0.0);
    const double t_end = t_start_ms + static_cast<double>(n_bins) * bin_ms;
    for (std::size_t s = 0; s < times_ms.size(); ++s) {
        const double t = times_ms[s];
        if (std::isnan(t)) fail(f, "times_ms", "must not contain NaN; element " + std::to_string(s) + " is NaN");
        if (t < t_start_ms || t >= t_end) continue;
        rate[std::min(static_cast<std::size_t>((t - t_start_ms) / bin_ms), n_bins - 1)] += 1.0;
    }
    const double scale = 1000.0 / (bin_ms * static_cast<double>(n_neurons));
    for (double& r : rate) r *= scale;
    return welch_psd(rate, 1000.0 / bin_ms, nperseg);
}

SpectralPeak peak_frequency(const PowerSpectrum& spectrum, double f_low_hz, double f_high_hz) {
    constexpr const char* f = "peak_frequency";
    detail::require_finite(f, "f_low_hz", f_low_hz);
    detail::require_finite(f, "f_high_hz", f_high_hz);
    if (spectrum.power.size() != spectrum.frequencies_hz.size())
        fail(f, "spectrum", "has power and frequencies of different lengths");
    SpectralPeak peak{kNaN, -1.0};
    for (std::size_t k = 0; k < spectrum.power.size(); ++k) {
        const double fk = spectrum.frequencies_hz[k];
        if (fk < f_low_hz || fk > f_high_hz) continue;
        if (spectrum.power[k] > peak.power) peak = {fk, spectrum.power[k]};
    }
    if (std::isnan(peak.frequency_hz))
        fail(f, "f_low_hz", "to f_high_hz ([" + str(f_low_hz) + ", " + str(f_high_hz) + "] Hz) contains no frequency of the spectrum");
    return peak;
}

double band_power(const PowerSpectrum& spectrum, double f_low_hz, double f_high_hz) {
    constexpr const char* f = "band_power";
    detail::require_finite(f, "f_low_hz", f_low_hz);
    detail::require_finite(f, "f_high_hz", f_high_hz);
    if (spectrum.power.size() != spectrum.frequencies_hz.size() || spectrum.power.size() < 2)
        fail(f, "spectrum", "must have at least 2 frequencies and as many powers");
    const double df = spectrum.frequencies_hz[1] - spectrum.frequencies_hz[0];
    double total = 0.0;
    for (std::size_t k = 0; k < spectrum.power.size(); ++k) {
        const double fk = spectrum.frequencies_hz[k];
        if (fk >= f_low_hz && fk <= f_high_hz) total += spectrum.power[k] * df;
    }
    return total;
}

std::vector<double> bandpass_fft(std::span<const double> x, double fs_hz, double f_low_hz, double f_high_hz) {
    constexpr const char* f = "bandpass_fft";
    detail::require_nonempty(f, "x", x.size());
    detail::require_positive(f, "fs_hz", fs_hz);
    detail::require_all_finite(f, "x", x);
    detail::require_finite(f, "f_low_hz", f_low_hz);
    detail::require_finite(f, "f_high_hz", f_high_hz);
    if (f_low_hz < 0.0) fail(f, "f_low_hz", "must be >= 0, got " + str(f_low_hz));
    if (!(f_high_hz > f_low_hz)) fail(f, "f_high_hz", "must be > f_low_hz (" + str(f_low_hz) + "), got " + str(f_high_hz));
    const std::size_t n = x.size();
    std::vector<Complex> z(x.begin(), x.end());
    const FftPlan plan(n);
    plan.forward(z);
    for (std::size_t k = 0; k < n; ++k) {
        const double index = k <= n / 2 ? static_cast<double>(k) : static_cast<double>(n - k);
        const double fk = index * fs_hz / static_cast<double>(n);
        if (fk < f_low_hz || fk > f_high_hz) z[k] = 0.0;
    }
    plan.inverse(z);
    std::vector<double> y(n);
    for (std::size_t i = 0; i < n; ++i) y[i] = z[i].real();
    return y;
}

std::vector<std::complex<double>> analytic_signal(std::span<const double> x) {
    constexpr const char* f = "analytic_signal";
    detail::require_nonempty(f, "x", x.size());
    detail::require_all_finite(f, "x", x);
    const std::size_t n = x.size();
    std::vector<Complex> z(x.begin(), x.end());
    const FftPlan plan(n);
    plan.forward(z);
    // h: 1 at k = 0 (and N/2 for even N), 2 for 0 < k < N/2, 0 above.
    for (std::size_t k = 1; k < n; ++k) {
        if (2 * k < n)
            z[k] *= 2.0;
        else if (2 * k > n)
            z[k] = 0.0;
    }
    plan.inverse(z);
    return z;
}

PhaseAmplitudeCoupling modulation_index(std::span<const double> phase, std::span<const double> amplitude,
                                        std::size_t n_bins) {
    constexpr const char* f = "modulation_index";
    detail::require_nonempty(f, "phase", phase.size());
    if (amplitude.size() != phase.size())
        fail(f, "amplitude", "must have as many elements as phase (" + std::to_string(phase.size()) + "), got " +
                                 std::to_string(amplitude.size()));
    if (n_bins < 2) fail(f, "n_bins", "must be >= 2, got " + std::to_string(n_bins));
    detail::require_all_finite(f, "phase", phase);
    detail::require_all_finite(f, "amplitude", amplitude);
    std::vector<double> sum(n_bins, 0.0), count(n_bins, 0.0);
    const double bins = static_cast<double>(n_bins);
    for (std::size_t i = 0; i < phase.size(); ++i) {
        // Wrap to [-pi, pi), then bin.
        const double p = phase[i] - kTwoPi * std::floor((phase[i] + std::numbers::pi) / kTwoPi);
        const auto b = std::min(static_cast<std::size_t>((p + std::numbers::pi) / kTwoPi * bins), n_bins - 1);
        sum[b] += amplitude[i];
        count[b] += 1.0;
    }
    PhaseAmplitudeCoupling result;
    result.amplitude_distribution.assign(n_bins, 0.0);
    double total = 0.0;
    for (std::size_t b = 0; b < n_bins; ++b) {
        if (count[b] > 0.0) result.amplitude_distribution[b] = sum[b] / count[b];
        total += result.amplitude_distribution[b];
    }
    if (!(total > 0.0)) fail(f, "amplitude", "has no positive mean in any phase bin");
    double entropy = 0.0;
    for (double& p : result.amplitude_distribution) {
        p /= total;
        if (p > 0.0) entropy -= p * std::log(p);
    }
    result.modulation_index = (std::log(bins) - entropy) / std::log(bins);
    return result;
}

PhaseAmplitudeCoupling phase_amplitude_coupling(std::span<const double> x, double fs_hz, double phase_low_hz,
                                                double phase_high_hz, double amplitude_low_hz,
                                                double amplitude_high_hz, std::size_t n_bins, std::size_t trim) {
    constexpr const char* f = "phase_amplitude_coupling";
    if (2 * trim >= x.size())
        fail(f, "trim", "leaves no sample of the " + std::to_string(x.size()) + ", got " + std::to_string(trim));
    const auto slow = analytic_signal(bandpass_fft(x, fs_hz, phase_low_hz, phase_high_hz));
    const auto fast = analytic_signal(bandpass_fft(x, fs_hz, amplitude_low_hz, amplitude_high_hz));
    const std::size_t n = x.size() - 2 * trim;
    std::vector<double> phase(n), amplitude(n);
    for (std::size_t i = 0; i < n; ++i) {
        phase[i] = std::arg(slow[i + trim]);
        amplitude[i] = std::abs(fast[i + trim]);
    }
    return modulation_index(phase, amplitude, n_bins);
}

AperiodicFit fit_aperiodic(const PowerSpectrum& spectrum, double f_low_hz, double f_high_hz, AperiodicMode mode) {
    constexpr const char* f = "fit_aperiodic";
    detail::require_finite(f, "f_low_hz", f_low_hz);
    detail::require_finite(f, "f_high_hz", f_high_hz);
    if (!(f_high_hz > f_low_hz)) fail(f, "f_high_hz", "must be > f_low_hz (" + str(f_low_hz) + "), got " + str(f_high_hz));
    if (spectrum.power.size() != spectrum.frequencies_hz.size())
        fail(f, "spectrum", "has power and frequencies of different lengths");
    std::vector<double> lf, lp;  // log10 f, log10 P
    for (std::size_t k = 0; k < spectrum.power.size(); ++k) {
        const double fk = spectrum.frequencies_hz[k];
        if (fk < f_low_hz || fk > f_high_hz || !(fk > 0.0)) continue;
        if (!(spectrum.power[k] > 0.0) || !std::isfinite(spectrum.power[k]))
            fail(f, "spectrum", "must have finite power > 0 in the fit range; at " + str(fk) + " Hz it is " +
                                    str(spectrum.power[k]));
        lf.push_back(std::log10(fk));
        lp.push_back(std::log10(spectrum.power[k]));
    }
    const std::size_t n = lf.size();
    const std::size_t params = mode == AperiodicMode::knee ? 3 : 2;
    if (n < params + 1)
        fail(f, "f_low_hz", "to f_high_hz holds " + std::to_string(n) + " frequencies > 0; need at least " +
                                std::to_string(params + 1));
    // Ordinary least squares of lp on lf.
    double mx = 0.0, my = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
        mx += lf[i];
        my += lp[i];
    }
    mx /= static_cast<double>(n);
    my /= static_cast<double>(n);
    double sxx = 0.0, sxy = 0.0, syy = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
        sxx += (lf[i] - mx) * (lf[i] - mx);
        sxy += (lf[i] - mx) * (lp[i] - my);
        syy += (lp[i] - my) * (lp[i] - my);
    }
    AperiodicFit fit;
    fit.n_points = n;
    const double slope = sxy / sxx;
    fit.exponent = -slope;
    fit.offset = my - slope * mx;
    double ssr = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
        const double r = lp[i] - (fit.offset + slope * lf[i]);
        ssr += r * r;
    }
    fit.exponent_stderr = std::sqrt(ssr / static_cast<double>(n - 2) / sxx);
    fit.r_squared = syy > 0.0 ? 1.0 - ssr / syy : 1.0;
    if (mode == AperiodicMode::fixed) return fit;

    // Knee: model m = b - log10(k + f^chi) with k = exp(u) (so k > 0; k -> 0 is the fixed
    // model), fitted by Levenberg-Marquardt from several starting knees; the best is kept.
    const double ln10 = std::log(10.0);
    struct State {
        double b, chi, u, ssr;
    };
    auto evaluate = [&](double b, double chi, double u, std::array<std::array<double, 3>, 3>* JtJ,
                        std::array<double, 3>* Jtr) {
        const double k = std::exp(u);
        double s = 0.0;
        if (JtJ) {
            *JtJ = {};
            *Jtr = {};
        }
        for (std::size_t i = 0; i < n; ++i) {
            const double fc = std::pow(10.0, chi * lf[i]);  // f^chi
            const double denom = k + fc;
            const double r = lp[i] - (b - std::log10(denom));
            s += r * r;
            if (JtJ) {
                const std::array<double, 3> J = {1.0, -fc * lf[i] * ln10 / (denom * ln10), -k / (denom * ln10)};
                for (int a = 0; a < 3; ++a) {
                    (*Jtr)[a] += J[a] * r;
                    for (int c = 0; c < 3; ++c) (*JtJ)[a][c] += J[a] * J[c];
                }
            }
        }
        return s;
    };
    State best{fit.offset, fit.exponent, 0.0, std::numeric_limits<double>::infinity()};
    const double f_mid_chi = std::pow(10.0, fit.exponent * mx);
    for (const double start : {1e-3, 1e-1, 1.0, 10.0, 1e3}) {
        const double k0 = std::max(1e-300, start * f_mid_chi);
        State s{fit.offset + std::log10(1.0 + start), fit.exponent, std::log(k0), 0.0};
        std::array<std::array<double, 3>, 3> JtJ;
        std::array<double, 3> Jtr;
        s.ssr = evaluate(s.b, s.chi, s.u, &JtJ, &Jtr);
        double lambda = 1e-3;
        for (int iteration = 0; iteration < 500 && lambda < 1e12; ++iteration) {
            auto A = JtJ;
            for (int a = 0; a < 3; ++a) A[a][a] += lambda * std::max(JtJ[a][a], 1e-12);
            std::array<double, 3> delta{};
            if (!solve3(A, Jtr, delta)) {
                lambda *= 10.0;
                continue;
            }
            const State trial{s.b + delta[0], s.chi + delta[1], std::clamp(s.u + delta[2], -700.0, 700.0), 0.0};
            const double trial_ssr = evaluate(trial.b, trial.chi, trial.u, nullptr, nullptr);
            if (trial_ssr < s.ssr) {
                const bool converged = s.ssr - trial_ssr <= 1e-15 * (1.0 + s.ssr);
                s = {trial.b, trial.chi, trial.u, trial_ssr};
                evaluate(s.b, s.chi, s.u, &JtJ, &Jtr);
                lambda = std::max(lambda / 10.0, 1e-15);
                if (converged) break;
            } else {
                lambda *= 10.0;
            }
        }
        if (s.ssr < best.ssr) best = s;
    }
    std::array<std::array<double, 3>, 3> JtJ;
    std::array<double, 3> Jtr;
    evaluate(best.b, best.chi, best.u, &JtJ, &Jtr);
    fit.offset = best.b;
    fit.exponent = best.chi;
    fit.knee = std::exp(best.u);
    fit.r_squared = syy > 0.0 ? 1.0 - best.ssr / syy : 1.0;
    // Covariance s^2 (J^T J)^-1: its (chi, chi) entry from solving J^T J x = e_chi.
    std::array<double, 3> column{};
    if (n > 3 && solve3(JtJ, {0.0, 1.0, 0.0}, column))
        fit.exponent_stderr = std::sqrt(std::max(0.0, best.ssr / static_cast<double>(n - 3) * column[1]));
    else
        fit.exponent_stderr = kNaN;
    return fit;
}

}  // namespace neurodyn::analysis
