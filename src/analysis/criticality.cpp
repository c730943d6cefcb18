#include "neurodyn/analysis/criticality.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <numbers>
#include <string>
#include <utility>

#include "neurodyn/analysis/spike_statistics.hpp"
#include "neurodyn/core/error.hpp"

namespace neurodyn::analysis {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Hurwitz zeta and its derivative in s, by Euler–Maclaurin:
//   zeta(s,q) = sum_{k<N} (q+k)^-s + a^{1-s}/(s-1) + a^-s/2
//               + sum_j B_2j/(2j)! s(s+1)...(s+2j-2) a^{-s-2j+1},   a = q + N.
struct ZetaValue {
    double value;
    double derivative;  // d/ds
};

ZetaValue hurwitz_zeta_with_derivative(double s, double q) {
    // Terms summed directly until a = q + N >= 20 + s, where the ratio of successive
    // Bernoulli corrections, ~((s + 2j) / (2 pi a))^2, is small enough for 7 of them to
    // reach ~1e-15 (checked against mpmath for 1.05 <= s <= 30). Far-tail values of q
    // need no direct terms, which keeps the KS scan cheap.
    const double a_min = 20.0 + s;
    const int kDirect = q >= a_min ? 0 : static_cast<int>(std::ceil(a_min - q));
    // B_2j / (2j)! for j = 1..7.
    constexpr std::array<double, 7> kBernoulli = {1.0 / 12.0,           -1.0 / 720.0,        1.0 / 30240.0,
                                                  -1.0 / 1209600.0,     1.0 / 47900160.0,    -691.0 / 1307674368000.0,
                                                  1.0 / 74724249600.0};
    double z = 0.0, dz = 0.0;
    for (int k = 0; k < kDirect; ++k) {
        const double a = q + k;
        const double la = std::log(a);
        const double t = std::exp(-s * la);
        z += t;
        dz -= la * t;
    }
    const double a = q + kDirect;
    const double la = std::log(a);
    const double t0 = std::exp(-s * la);  // a^-s
    const double t1 = t0 * a;             // a^{1-s}
    z += t1 / (s - 1.0) + 0.5 * t0;
    dz += -la * t1 / (s - 1.0) - t1 / ((s - 1.0) * (s - 1.0)) - 0.5 * la * t0;
    double poly = s, dpoly = 1.0;  // s(s+1)...(s+2j-2) and its derivative
    double apow = t0 / a;          // a^{-s-2j+1}
    for (std::size_t j = 1; j <= kBernoulli.size(); ++j) {
        const double c = kBernoulli[j - 1];
        z += c * poly * apow;
        dz += c * (dpoly - la * poly) * apow;
        const double f1 = s + 2.0 * static_cast<double>(j) - 1.0, f2 = s + 2.0 * static_cast<double>(j);
        dpoly = dpoly * f1 * f2 + poly * (f1 + f2);
        poly *= f1 * f2;
        apow /= a * a;
    }
    return {z, dz};
}

constexpr double kAlphaLow = 1.0 + 1e-7;
constexpr double kAlphaHigh = 30.0;

// Exact MLE of the discrete power-law exponent given n points >= x_min with
// sum of logs `sum_log`: the score -n zeta'/zeta - sum_log decreases in alpha
// (the log-likelihood is concave), so bisection finds its root.
double power_law_mle(double n, double sum_log, double x_min) {
    auto score = [&](double alpha) {
        const ZetaValue z = hurwitz_zeta_with_derivative(alpha, x_min);
        return -n * z.derivative / z.value - sum_log;
    };
    double lo = kAlphaLow, hi = kAlphaHigh;
    if (score(hi) > 0.0) return hi;
    if (score(lo) < 0.0) return lo;
    for (int i = 0; i < 200 && hi - lo > 1e-10; ++i) {
        const double mid = 0.5 * (lo + hi);
        (score(mid) > 0.0 ? lo : hi) = mid;
    }
    return 0.5 * (lo + hi);
}

// Distinct values with their counts, ascending.
struct Histogram {
    std::vector<std::uint64_t> values;
    std::vector<std::size_t> counts;
};

Histogram distinct_counts(std::span<const std::uint64_t> data, const char* name) {
    if (data.empty()) throw ValueError(std::string(name) + " is empty");
    std::vector<std::uint64_t> sorted(data.begin(), data.end());
    std::sort(sorted.begin(), sorted.end());
    if (sorted.front() == 0) throw ValueError(std::string(name) + " must hold positive integers, got 0");
    Histogram h;
    for (std::size_t i = 0; i < sorted.size();) {
        std::size_t j = i;
        while (j < sorted.size() && sorted[j] == sorted[i]) ++j;
        h.values.push_back(sorted[i]);
        h.counts.push_back(j - i);
        i = j;
    }
    return h;
}

// KS distance between the empirical CDF of the tail (distinct values from index
// `first`) and the fitted discrete power law. Both CDFs are step functions on the
// integers; between consecutive data values v_i < v_{i+1} the empirical CDF is flat and
// the model's increases, so the supremum is attained at v_i or v_{i+1} - 1.
double ks_distance(const Histogram& h, std::size_t first, double n_tail, double alpha) {
    const double x_min = static_cast<double>(h.values[first]);
    const double z_min = hurwitz_zeta_with_derivative(alpha, x_min).value;
    double cumulative = 0.0, d = 0.0;
    double zeta_v = z_min;  // zeta(alpha, v_i)
    for (std::size_t i = first; i < h.values.size(); ++i) {
        const double v = static_cast<double>(h.values[i]);
        cumulative += static_cast<double>(h.counts[i]);
        const double empirical = cumulative / n_tail;
        const double zeta_next_int = zeta_v - std::pow(v, -alpha);  // zeta(alpha, v + 1)
        d = std::max(d, std::fabs(empirical - (1.0 - zeta_next_int / z_min)));
        if (i + 1 < h.values.size()) {
            const std::uint64_t next = h.values[i + 1];
            // zeta(alpha, next): by subtraction when the gap is short (absolute error
            // ~ eps zeta(x_min), i.e. ~eps in the CDF), else directly.
            if (next - h.values[i] <= 32) {
                double z = zeta_next_int;
                for (std::uint64_t k = h.values[i] + 1; k < next; ++k) z -= std::pow(static_cast<double>(k), -alpha);
                zeta_v = z;
            } else {
                zeta_v = hurwitz_zeta_with_derivative(alpha, static_cast<double>(next)).value;
            }
            d = std::max(d, std::fabs(empirical - (1.0 - zeta_v / z_min)));
        }
    }
    return d;
}

// ln Q(z), Q the standard normal upper tail 0.5 erfc(z/sqrt 2), accurate far in the tail.
double log_normal_upper_tail(double z) {
    const double x = z / std::numbers::sqrt2;
    if (x < 25.0) return std::log(0.5 * std::erfc(x));
    // erfc(x) ~ e^{-x^2} / (x sqrt(pi)) (1 - 1/(2x^2) + 3/(4x^4) - 15/(8x^6)).
    const double x2 = x * x;
    const double series = 1.0 - 1.0 / (2.0 * x2) + 3.0 / (4.0 * x2 * x2) - 15.0 / (8.0 * x2 * x2 * x2);
    return -x2 - std::log(x * std::sqrt(std::numbers::pi)) + std::log(series) - std::numbers::ln2;
}

// ln(Phi(b) - Phi(a)) for a < b without cancellation in either tail.
double log_normal_interval(double a, double b) {
    if (a >= 0.0 || b <= 0.0) {
        if (b <= 0.0) {  // Phi(b) - Phi(a) = Q(-b) - Q(-a), with 0 <= -b < -a
            const double lower = -b;
            b = -a;
            a = lower;
        }
        const double la = log_normal_upper_tail(a), lb = log_normal_upper_tail(b);
        return la + std::log1p(-std::exp(lb - la));
    }
    return std::log(1.0 - 0.5 * std::erfc(-a / std::numbers::sqrt2) - 0.5 * std::erfc(b / std::numbers::sqrt2));
}

// Minimise f over R^2 by Nelder–Mead (standard coefficients 1, 2, 1/2, 1/2).
template <class F>
std::array<double, 2> nelder_mead_2d(F f, std::array<double, 2> start, std::array<double, 2> step) {
    std::array<std::array<double, 2>, 3> p = {start, start, start};
    p[1][0] += step[0];
    p[2][1] += step[1];
    std::array<double, 3> v = {f(p[0]), f(p[1]), f(p[2])};
    for (int iter = 0; iter < 1000; ++iter) {
        std::array<int, 3> order = {0, 1, 2};
        std::sort(order.begin(), order.end(), [&](int i, int j) { return v[i] < v[j]; });
        const int best = order[0], mid = order[1], worst = order[2];
        if (std::fabs(v[worst] - v[best]) <= 1e-11 * (std::fabs(v[best]) + 1e-12) &&
            std::fabs(p[worst][0] - p[best][0]) + std::fabs(p[worst][1] - p[best][1]) < 1e-8)
            break;
        const std::array<double, 2> c = {0.5 * (p[best][0] + p[mid][0]), 0.5 * (p[best][1] + p[mid][1])};
        auto along = [&](double t) { return std::array<double, 2>{c[0] + t * (p[worst][0] - c[0]), c[1] + t * (p[worst][1] - c[1])}; };
        const auto r = along(-1.0);
        const double fr = f(r);
        if (fr < v[best]) {
            const auto e = along(-2.0);
            const double fe = f(e);
            if (fe < fr) p[worst] = e, v[worst] = fe;
            else p[worst] = r, v[worst] = fr;
        } else if (fr < v[mid]) {
            p[worst] = r, v[worst] = fr;
        } else {
            const auto k = fr < v[worst] ? along(-0.5) : along(0.5);
            const double fk = f(k);
            if (fk < std::min(fr, v[worst])) {
                p[worst] = k, v[worst] = fk;
            } else {  // shrink towards the best point
                for (int i : {mid, worst}) {
                    p[i] = {0.5 * (p[i][0] + p[best][0]), 0.5 * (p[i][1] + p[best][1])};
                    v[i] = f(p[i]);
                }
            }
        }
    }
    int best = 0;
    for (int i = 1; i < 3; ++i)
        if (v[i] < v[best]) best = i;
    return p[best];
}

LikelihoodRatioTest vuong(const std::vector<double>& diff, const Histogram& h, std::size_t first, double n) {
    double sum = 0.0;
    for (std::size_t i = first; i < h.values.size(); ++i) sum += static_cast<double>(h.counts[i]) * diff[i - first];
    const double mean = sum / n;
    double var = 0.0;
    for (std::size_t i = first; i < h.values.size(); ++i) {
        const double d = diff[i - first] - mean;
        var += static_cast<double>(h.counts[i]) * d * d;
    }
    var /= n;
    LikelihoodRatioTest t;
    t.log_likelihood_ratio = sum;
    const double sigma = std::sqrt(var);
    if (sigma > 0.0) {
        t.normalized_ratio = sum / (sigma * std::sqrt(n));
        t.p_value = std::erfc(std::fabs(sum) / (sigma * std::sqrt(2.0 * n)));
    } else {
        t.normalized_ratio = sum == 0.0 ? 0.0 : std::copysign(std::numeric_limits<double>::infinity(), sum);
        t.p_value = sum == 0.0 ? 1.0 : 0.0;
    }
    return t;
}

void check_activity(std::span<const double> activity, const char* name) {
    for (std::size_t t = 0; t < activity.size(); ++t)
        if (!std::isfinite(activity[t]) || activity[t] < 0.0)
            throw ValueError(std::string(name) + " must be finite and non-negative, got " + std::to_string(activity[t]) +
                             " at index " + std::to_string(t));
}

}  // namespace

double hurwitz_zeta(double s, double q) {
    if (!(s > 1.0)) throw ValueError("hurwitz_zeta: s must be > 1, got " + std::to_string(s));
    if (!(q > 0.0)) throw ValueError("hurwitz_zeta: q must be > 0, got " + std::to_string(q));
    return hurwitz_zeta_with_derivative(s, q).value;
}

double mean_inter_event_interval_ms(std::span<const double> times_ms) {
    if (times_ms.size() < 2)
        throw ValueError("times_ms: need at least 2 spikes for the mean inter-event interval, got " +
                         std::to_string(times_ms.size()));
    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    for (const double t : times_ms) {
        if (!std::isfinite(t)) throw ValueError("times_ms must be finite (NaN or inf found)");
        lo = std::min(lo, t);
        hi = std::max(hi, t);
    }
    if (!(hi > lo)) throw ValueError("times_ms: all spikes at the same time; the mean inter-event interval is 0");
    return (hi - lo) / static_cast<double>(times_ms.size() - 1);
}

Avalanches avalanches_from_counts(std::span<const double> counts) {
    check_activity(counts, "counts");
    Avalanches result;
    std::uint64_t size = 0, duration = 0;
    bool started_at_edge = true;  // a run in progress at index 0 began before the recording
    for (std::size_t t = 0; t < counts.size(); ++t) {
        const double c = counts[t];
        if (c != std::floor(c))
            throw ValueError("counts must be integers, got " + std::to_string(c) + " at index " + std::to_string(t));
        if (c > 0.0) {
            size += static_cast<std::uint64_t>(c);
            ++duration;
        } else {
            if (duration > 0 && !started_at_edge) {
                result.sizes.push_back(size);
                result.durations.push_back(duration);
            }
            size = duration = 0;
            started_at_edge = false;
        }
    }
    return result;  // a run still open at the end is incomplete: dropped
}

Avalanches avalanches_from_spikes(std::span<const double> times_ms, double t_start_ms, double t_stop_ms,
                                  double bin_ms) {
    if (!std::isfinite(t_start_ms) || !std::isfinite(t_stop_ms) || !(t_stop_ms > t_start_ms))
        throw ValueError("t_stop_ms must be > t_start_ms (both finite), got [" + std::to_string(t_start_ms) + ", " +
                         std::to_string(t_stop_ms) + ")");
    if (!(bin_ms >= 0.0) || !std::isfinite(bin_ms))
        throw ValueError("bin_ms must be > 0 (or 0 for the mean inter-event interval), got " + std::to_string(bin_ms));
    if (bin_ms == 0.0) {
        std::vector<double> inside;
        double lo = std::numeric_limits<double>::infinity(), hi = -lo;
        std::size_t n = 0;
        for (const double t : times_ms) {
            if (std::isnan(t)) throw ValueError("times_ms must not contain NaN");
            if (t < t_start_ms || t >= t_stop_ms) continue;
            lo = std::min(lo, t), hi = std::max(hi, t), ++n;
        }
        if (n < 2 || !(hi > lo))
            throw ValueError("times_ms: need at least 2 spikes at distinct times in the window to set bin_ms from the "
                             "mean inter-event interval; pass bin_ms explicitly");
        bin_ms = (hi - lo) / static_cast<double>(n - 1);
    }
    for (const double t : times_ms)
        if (std::isnan(t)) throw ValueError("times_ms must not contain NaN");
    Avalanches result = avalanches_from_counts(population_histogram(times_ms, t_start_ms, t_stop_ms, bin_ms));
    result.bin_ms = bin_ms;
    return result;
}

PowerLawFit fit_discrete_power_law(std::span<const std::uint64_t> data, std::uint64_t x_min, std::size_t min_tail,
                                   std::size_t max_candidates) {
    const Histogram h = distinct_counts(data, "data");
    // Suffix sums: tail size and sum of ln x for the tail starting at distinct index i.
    const std::size_t d = h.values.size();
    std::vector<double> tail_n(d + 1, 0.0), tail_log(d + 1, 0.0);
    for (std::size_t i = d; i-- > 0;) {
        tail_n[i] = tail_n[i + 1] + static_cast<double>(h.counts[i]);
        tail_log[i] = tail_log[i + 1] + static_cast<double>(h.counts[i]) * std::log(static_cast<double>(h.values[i]));
    }
    auto fit_at = [&](std::size_t first, double xm) {
        PowerLawFit f;
        f.x_min = static_cast<std::uint64_t>(xm);
        f.n_tail = static_cast<std::size_t>(tail_n[first]);
        f.alpha = power_law_mle(tail_n[first], tail_log[first], xm);
        f.alpha_stderr = (f.alpha - 1.0) / std::sqrt(tail_n[first]);
        f.ks_distance = ks_distance(h, first, tail_n[first], f.alpha);
        f.log_likelihood =
            -tail_n[first] * std::log(hurwitz_zeta_with_derivative(f.alpha, xm).value) - f.alpha * tail_log[first];
        return f;
    };
    if (x_min > 0) {
        const auto it = std::lower_bound(h.values.begin(), h.values.end(), x_min);
        const std::size_t first = static_cast<std::size_t>(it - h.values.begin());
        if (d - first < 2)
            throw ValueError("data: need at least 2 distinct values >= x_min = " + std::to_string(x_min) +
                             " to fit a power law");
        // The tail's first distinct value may exceed x_min; the model still starts at x_min.
        PowerLawFit f;
        f.x_min = x_min;
        f.n_tail = static_cast<std::size_t>(tail_n[first]);
        const double xm = static_cast<double>(x_min);
        f.alpha = power_law_mle(tail_n[first], tail_log[first], xm);
        f.alpha_stderr = (f.alpha - 1.0) / std::sqrt(tail_n[first]);
        Histogram shifted = h;  // KS with the CDF anchored at x_min
        shifted.values.insert(shifted.values.begin() + static_cast<std::ptrdiff_t>(first), x_min);
        shifted.counts.insert(shifted.counts.begin() + static_cast<std::ptrdiff_t>(first), 0);
        if (first + 1 < shifted.values.size() && shifted.values[first + 1] == x_min) {
            shifted.values.erase(shifted.values.begin() + static_cast<std::ptrdiff_t>(first));
            shifted.counts.erase(shifted.counts.begin() + static_cast<std::ptrdiff_t>(first));
        }
        f.ks_distance = ks_distance(shifted, first, tail_n[first], f.alpha);
        f.log_likelihood =
            -tail_n[first] * std::log(hurwitz_zeta_with_derivative(f.alpha, xm).value) - f.alpha * tail_log[first];
        return f;
    }
    if (min_tail < 2) throw ValueError("min_tail must be >= 2, got " + std::to_string(min_tail));
    if (max_candidates < 1) throw ValueError("max_candidates must be >= 1, got 0");
    PowerLawFit best;
    best.ks_distance = std::numeric_limits<double>::infinity();
    bool found = false;
    // At least 2 distinct values in the tail; the smallest max_candidates distinct values.
    for (std::size_t first = 0; first + 1 < d && first < max_candidates; ++first) {
        if (tail_n[first] < static_cast<double>(min_tail)) break;
        const PowerLawFit f = fit_at(first, static_cast<double>(h.values[first]));
        if (f.ks_distance < best.ks_distance) best = f, found = true;
    }
    if (!found)
        throw ValueError("data: no x_min candidate leaves >= min_tail = " + std::to_string(min_tail) +
                         " points and 2 distinct values in the tail (n = " + std::to_string(data.size()) + ")");
    return best;
}

PowerLawComparison compare_power_law(std::span<const std::uint64_t> data, const PowerLawFit& fit) {
    if (!(fit.alpha > 1.0) || fit.x_min == 0)
        throw ValueError("fit: not a valid power-law fit (alpha must be > 1 and x_min >= 1)");
    const Histogram h = distinct_counts(data, "data");
    const std::size_t first =
        static_cast<std::size_t>(std::lower_bound(h.values.begin(), h.values.end(), fit.x_min) - h.values.begin());
    if (h.values.size() - first < 2)
        throw ValueError("data: need at least 2 distinct values >= x_min to compare distributions");
    double n = 0.0, sum_excess = 0.0, sum_log = 0.0, sum_log2 = 0.0;
    const double xm = static_cast<double>(fit.x_min);
    for (std::size_t i = first; i < h.values.size(); ++i) {
        const double c = static_cast<double>(h.counts[i]), x = static_cast<double>(h.values[i]);
        n += c;
        sum_excess += c * (x - xm);
        sum_log += c * std::log(x);
        sum_log2 += c * std::log(x) * std::log(x);
    }
    PowerLawComparison out;
    const double log_zeta = std::log(hurwitz_zeta_with_derivative(fit.alpha, xm).value);
    std::vector<double> ll_power(h.values.size() - first);
    for (std::size_t i = first; i < h.values.size(); ++i)
        ll_power[i - first] = -fit.alpha * std::log(static_cast<double>(h.values[i])) - log_zeta;

    // Exponential (geometric) tail: closed-form MLE.
    const double lambda = std::log1p(1.0 / (sum_excess / n));
    out.exponential_lambda = lambda;
    std::vector<double> diff(ll_power.size());
    for (std::size_t i = first; i < h.values.size(); ++i)
        diff[i - first] = ll_power[i - first] - (std::log(-std::expm1(-lambda)) - lambda * (static_cast<double>(h.values[i]) - xm));
    out.vs_exponential = vuong(diff, h, first, n);

    // Discretised lognormal truncated at x_min: maximise by Nelder–Mead over (mu, ln sigma).
    const std::size_t m = h.values.size() - first;
    std::vector<double> log_lo(m), log_hi(m);
    for (std::size_t i = 0; i < m; ++i) {
        log_lo[i] = std::log(static_cast<double>(h.values[first + i]) - 0.5);
        log_hi[i] = std::log(static_cast<double>(h.values[first + i]) + 0.5);
    }
    const double log_x_min = std::log(xm - 0.5);
    auto log_p_lognormal = [&](std::size_t i, double mu, double sigma, double log_norm) {
        return log_normal_interval((log_lo[i] - mu) / sigma, (log_hi[i] - mu) / sigma) - log_norm;
    };
    auto neg_ll = [&](const std::array<double, 2>& p) {
        const double sigma = std::exp(p[1]);
        const double log_norm = log_normal_upper_tail((log_x_min - p[0]) / sigma);
        double total = 0.0;
        for (std::size_t i = 0; i < m; ++i)
            total += static_cast<double>(h.counts[first + i]) * log_p_lognormal(i, p[0], sigma, log_norm);
        return std::isfinite(total) ? -total : std::numeric_limits<double>::max();
    };
    const double mean_log = sum_log / n;
    const double sd_log = std::sqrt(std::max(1e-4, sum_log2 / n - mean_log * mean_log));
    const auto p = nelder_mead_2d(neg_ll, {mean_log, std::log(sd_log)}, {0.5, 0.3});
    out.lognormal_mu = p[0];
    out.lognormal_sigma = std::exp(p[1]);
    const double log_norm = log_normal_upper_tail((log_x_min - out.lognormal_mu) / out.lognormal_sigma);
    for (std::size_t i = 0; i < m; ++i)
        diff[i] = ll_power[i] - log_p_lognormal(i, out.lognormal_mu, out.lognormal_sigma, log_norm);
    out.vs_lognormal = vuong(diff, h, first, n);
    return out;
}

double branching_ratio_naive(std::span<const double> activity) {
    check_activity(activity, "activity");
    if (activity.size() < 2) throw ValueError("activity: need at least 2 bins, got " + std::to_string(activity.size()));
    double ancestors = 0.0, descendants = 0.0;
    for (std::size_t t = 0; t + 1 < activity.size(); ++t) {
        if (activity[t] > 0.0) {
            ancestors += activity[t];
            descendants += activity[t + 1];
        }
    }
    return ancestors > 0.0 ? descendants / ancestors : kNaN;
}

MultistepRegression branching_ratio_mr(std::span<const double> activity, std::size_t k_max) {
    check_activity(activity, "activity");
    if (k_max < 2) throw ValueError("k_max must be >= 2, got " + std::to_string(k_max));
    if (activity.size() < 2 * k_max + 2)
        throw ValueError("activity: need at least 2 k_max + 2 = " + std::to_string(2 * k_max + 2) + " bins, got " +
                         std::to_string(activity.size()));
    MultistepRegression out;
    out.slopes.resize(k_max);
    const std::size_t T = activity.size();
    for (std::size_t k = 1; k <= k_max; ++k) {
        // Slope of the regression of A_{t+k} on A_t over the T - k overlapping pairs.
        const std::size_t n = T - k;
        double mx = 0.0, my = 0.0;
        for (std::size_t t = 0; t < n; ++t) mx += activity[t], my += activity[t + k];
        mx /= static_cast<double>(n), my /= static_cast<double>(n);
        double sxy = 0.0, sxx = 0.0;
        for (std::size_t t = 0; t < n; ++t) {
            const double dx = activity[t] - mx;
            sxy += dx * (activity[t + k] - my);
            sxx += dx * dx;
        }
        if (!(sxx > 0.0)) throw ValueError("activity is constant; the branching ratio is undefined");
        out.slopes[k - 1] = sxy / sxx;
    }
    // Least squares r_k ~ b m^k; for fixed m the best b is sum r_k m^k / sum m^2k.
    auto residual = [&](double m, double* b_out) {
        double srm = 0.0, smm = 0.0, mk = 1.0;
        for (std::size_t k = 1; k <= k_max; ++k) {
            mk *= m;
            srm += out.slopes[k - 1] * mk;
            smm += mk * mk;
        }
        const double b = srm / smm;
        double ss = 0.0;
        mk = 1.0;
        for (std::size_t k = 1; k <= k_max; ++k) {
            mk *= m;
            const double e = out.slopes[k - 1] - b * mk;
            ss += e * e;
        }
        if (b_out) *b_out = b;
        return ss;
    };
    constexpr double kLo = 1e-4, kHi = 1.5;
    constexpr int kGrid = 1500;
    int best = 0;
    double best_ss = std::numeric_limits<double>::infinity();
    for (int i = 0; i <= kGrid; ++i) {
        const double ss = residual(kLo + (kHi - kLo) * i / kGrid, nullptr);
        if (ss < best_ss) best_ss = ss, best = i;
    }
    double lo = kLo + (kHi - kLo) * std::max(0, best - 1) / kGrid, hi = kLo + (kHi - kLo) * std::min(kGrid, best + 1) / kGrid;
    const double g = (std::sqrt(5.0) - 1.0) / 2.0;
    double a = hi - g * (hi - lo), c = lo + g * (hi - lo);
    double fa = residual(a, nullptr), fc = residual(c, nullptr);
    for (int i = 0; i < 100 && hi - lo > 1e-12; ++i) {
        if (fa < fc) {
            hi = c, c = a, fc = fa, a = hi - g * (hi - lo), fa = residual(a, nullptr);
        } else {
            lo = a, a = c, fa = fc, c = lo + g * (hi - lo), fc = residual(c, nullptr);
        }
    }
    out.m = 0.5 * (lo + hi);
    residual(out.m, &out.b);
    out.tau_bins = out.m < 1.0 ? -1.0 / std::log(out.m) : std::numeric_limits<double>::infinity();
    return out;
}

}  // namespace neurodyn::analysis
