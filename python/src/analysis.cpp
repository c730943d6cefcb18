// neurodyn._core.analysis: the analysis layer (include/neurodyn/analysis/*.hpp) for Python.
//
// Thin bindings: NumPy arrays in (float64, C order; other numeric arrays are converted
// once by pybind11's forcecast, float64 C-order arrays are read in place through spans),
// NumPy arrays and dicts out. The heavy calls run with the GIL released. Bad input raises
// neurodyn::ValueError, which the module's exception translator (core.cpp) turns into
// neurodyn.NeurodynValueError (a ValueError) with the C++ message. The Pythonic front end
// is python/neurodyn/analysis.py (docs/analysis.md, "From Python").

#include <pybind11/complex.h>
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <complex>
#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <vector>

#include "numpy_arrays.hpp"
#include "neurodyn/analysis/balance.hpp"
#include "neurodyn/analysis/connectivity.hpp"
#include "neurodyn/analysis/criticality.hpp"
#include "neurodyn/analysis/fft.hpp"
#include "neurodyn/analysis/fixed_points.hpp"
#include "neurodyn/analysis/geometry.hpp"
#include "neurodyn/analysis/oscillations.hpp"
#include "neurodyn/analysis/spike_statistics.hpp"
#include "neurodyn/analysis/spike_trains.hpp"
#include "neurodyn/core/error.hpp"

namespace py = pybind11;
using namespace neurodyn;

namespace {

using Doubles = py::array_t<double, py::array::c_style | py::array::forcecast>;
using Complexes = py::array_t<std::complex<double>, py::array::c_style | py::array::forcecast>;

[[noreturn]] void fail(const std::string& function, const std::string& argument, const std::string& what) {
    throw ValueError(function + ": " + argument + " " + what, argument);
}

std::span<const double> span_of(const Doubles& a) { return {a.data(), static_cast<std::size_t>(a.size())}; }

// A 2-D array [rows][columns], read in place.
struct Matrix {
    std::span<const double> data;
    std::size_t rows = 0, columns = 0;
};
Matrix matrix_of(const Doubles& a, const char* function, const char* argument) {
    if (a.ndim() != 2) fail(function, argument, "must be a 2-D array, got " + std::to_string(a.ndim()) + " dimensions");
    return {span_of(a), static_cast<std::size_t>(a.shape(0)), static_cast<std::size_t>(a.shape(1))};
}

using neurodyn::bindings::to_numpy;
py::array_t<double> square(std::vector<double>&& values, std::size_t n) {
    const auto s = static_cast<py::ssize_t>(n);
    return to_numpy(std::move(values), {s, s});
}

// Integer arrays (neuron ids, avalanche sizes): a uint32 (uint64) C-order array is read
// in place; other integer arrays are range-checked and copied; anything else is refused.
template <class T>
struct Integers {
    py::object keep;
    std::vector<T> owned;
    std::span<const T> view;
};
template <class T>
Integers<T> integers_of(py::handle object, const char* function, const char* argument, std::int64_t minimum) {
    Integers<T> out;
    py::array array;
    if (!py::isinstance<py::str>(object)) {
        try {
            array = py::array::ensure(object);
        } catch (const py::error_already_set&) {
        }
    }
    if (!array) fail(function, argument, "must be an array of integers");
    if (array.size() == 0) return out;
    const char kind = array.dtype().kind();
    if (kind != 'i' && kind != 'u') fail(function, argument, "must be an array of integers, got dtype " +
                                                           std::string(py::str(array.dtype())));
    if (kind == 'u' && array.dtype().itemsize() == static_cast<py::ssize_t>(sizeof(T)) &&
        (array.flags() & py::array::c_style) && minimum == 0) {
        out.keep = array;
        out.view = {static_cast<const T*>(array.data()), static_cast<std::size_t>(array.size())};
        return out;
    }
    if (kind == 'u' && array.dtype().itemsize() == 8) {
        auto values = py::array_t<std::uint64_t, py::array::c_style | py::array::forcecast>::ensure(array);
        out.owned.reserve(static_cast<std::size_t>(values.size()));
        for (py::ssize_t i = 0; i < values.size(); ++i) {
            const std::uint64_t v = values.data()[i];
            if (v > std::numeric_limits<T>::max() || static_cast<std::int64_t>(v) < minimum)
                fail(function, argument, "element " + std::to_string(i) + " is " + std::to_string(v) + ", out of range");
            out.owned.push_back(static_cast<T>(v));
        }
    } else {
        auto values = py::array_t<std::int64_t, py::array::c_style | py::array::forcecast>::ensure(array);
        out.owned.reserve(static_cast<std::size_t>(values.size()));
        for (py::ssize_t i = 0; i < values.size(); ++i) {
            const std::int64_t v = values.data()[i];
            if (v < minimum)
                fail(function, argument, "must be >= " + std::to_string(minimum) + "; element " + std::to_string(i) + " is " +
                                             std::to_string(v));
            if (static_cast<std::uint64_t>(v) > std::numeric_limits<T>::max())
                fail(function, argument, "element " + std::to_string(i) + " is " + std::to_string(v) + ", too large");
            out.owned.push_back(static_cast<T>(v));
        }
    }
    out.view = out.owned;
    return out;
}

template <class Enum, std::size_t N>
Enum choice(const std::string& value, const char* function, const char* argument,
            const std::pair<const char*, Enum> (&table)[N]) {
    std::string names;
    for (const auto& [name, e] : table) {
        if (value == name) return e;
        names += (names.empty() ? "" : ", ") + std::string(name);
    }
    fail(function, argument, "must be one of " + names + ", got '" + value + "'");
}

constexpr std::pair<const char*, analysis::RateKernel> kKernels[] = {{"box", analysis::RateKernel::box},
                                                                      {"gaussian", analysis::RateKernel::gaussian},
                                                                      {"exponential", analysis::RateKernel::exponential},
                                                                      {"alpha", analysis::RateKernel::alpha}};
constexpr std::pair<const char*, analysis::CorrelogramNorm> kNorms[] = {
    {"counts", analysis::CorrelogramNorm::counts},
    {"rate_hz", analysis::CorrelogramNorm::rate_hz},
    {"independence", analysis::CorrelogramNorm::independence}};
constexpr std::pair<const char*, analysis::RdmMetric> kMetrics[] = {{"correlation", analysis::RdmMetric::correlation},
                                                                     {"euclidean", analysis::RdmMetric::euclidean}};
constexpr std::pair<const char*, analysis::AperiodicMode> kModes[] = {{"fixed", analysis::AperiodicMode::fixed},
                                                                       {"knee", analysis::AperiodicMode::knee}};
constexpr std::pair<const char*, analysis::DynamicsKind> kKinds[] = {{"map", analysis::DynamicsKind::map},
                                                                      {"flow", analysis::DynamicsKind::flow}};

analysis::PowerSpectrum spectrum_of(const Doubles& frequencies, const Doubles& power, const char* function) {
    if (frequencies.size() != power.size())
        fail(function, "power", "must have as many elements as frequencies_hz (" + std::to_string(frequencies.size()) +
                                    "), got " + std::to_string(power.size()));
    analysis::PowerSpectrum s;
    s.frequencies_hz.assign(frequencies.data(), frequencies.data() + frequencies.size());
    s.power.assign(power.data(), power.data() + power.size());
    return s;
}

py::tuple spectrum_out(analysis::PowerSpectrum&& s) {
    const std::size_t segments = s.segments;
    return py::make_tuple(to_numpy(std::move(s.frequencies_hz)), to_numpy(std::move(s.power)), segments);
}

py::dict power_law_dict(const analysis::PowerLawFit& f) {
    py::dict d;
    d["alpha"] = f.alpha;
    d["alpha_stderr"] = f.alpha_stderr;
    d["x_min"] = f.x_min;
    d["n_tail"] = f.n_tail;
    d["ks_distance"] = f.ks_distance;
    d["log_likelihood"] = f.log_likelihood;
    return d;
}

py::dict lr_dict(const analysis::LikelihoodRatioTest& t) {
    py::dict d;
    d["log_likelihood_ratio"] = t.log_likelihood_ratio;
    d["normalized_ratio"] = t.normalized_ratio;
    d["p_value"] = t.p_value;
    return d;
}

py::tuple avalanches_out(analysis::Avalanches&& a) {
    const double bin = a.bin_ms;
    return py::make_tuple(to_numpy(std::move(a.sizes)), to_numpy(std::move(a.durations)), bin);
}

}  // namespace

void bind_analysis(py::module_& parent) {
    namespace an = analysis;
    using py::arg;
    py::module_ m = parent.def_submodule(
        "analysis", "neurodyn's analysis layer (C++); use neurodyn.analysis, its Pythonic front end");

    // ---- spike trains -------------------------------------------------------------
    py::class_<an::SpikeTrains>(m, "SpikeTrains", "Spike trains grouped by neuron (group_by_neuron).")
        .def_property_readonly("n_neurons", &an::SpikeTrains::n_neurons)
        .def_property_readonly("n_spikes", &an::SpikeTrains::n_spikes)
        .def("train",
             [](py::object self, std::int64_t i) {
                 const auto& t = self.cast<const an::SpikeTrains&>();
                 if (i < 0 || static_cast<std::size_t>(i) >= t.n_neurons())
                     fail("SpikeTrains.train", "neuron", "must be in [0, " + std::to_string(t.n_neurons()) + "), got " +
                                                             std::to_string(i));
                 auto s = t.train(static_cast<std::size_t>(i));
                 py::array_t<double> view({static_cast<py::ssize_t>(s.size())}, {static_cast<py::ssize_t>(sizeof(double))},
                                          s.data(), self);
                 view.attr("setflags")(py::arg("write") = false);
                 return view;
             },
             arg("neuron"), "Sorted spike times (ms) of one neuron: a read-only view.")
        .def_property_readonly("offsets", [](const an::SpikeTrains& t) {
            std::vector<std::int64_t> o(t.offsets.begin(), t.offsets.end());
            return to_numpy(std::move(o));
        });

    m.def(
        "group_by_neuron",
        [](const Doubles& times, py::handle ids, std::size_t n) {
            auto id = integers_of<std::uint32_t>(ids, "group_by_neuron", "ids", 0);
            py::gil_scoped_release release;
            return an::group_by_neuron(span_of(times), id.view, n);
        },
        arg("times_ms"), arg("ids"), arg("n_neurons"));

    m.def(
        "firing_rates_hz",
        [](const an::SpikeTrains& t, double t0, double t1) { return to_numpy(an::firing_rates_hz(t, t0, t1)); },
        arg("trains"), arg("t_start_ms"), arg("t_stop_ms"));
    m.def(
        "population_rates_hz",
        [](const Doubles& rates, py::handle population_of, std::size_t n) {
            auto p = integers_of<std::uint32_t>(population_of, "population_rates_hz", "population_of", 0);
            return to_numpy(an::population_rates_hz(span_of(rates), p.view, n));
        },
        arg("neuron_rates_hz"), arg("population_of"), arg("n_populations"));
    m.def(
        "make_rate_kernel",
        [](const std::string& kernel, double width, double bin) {
            auto k = an::make_rate_kernel(choice(kernel, "make_rate_kernel", "kernel", kKernels), width, bin);
            const std::size_t origin = k.origin;
            return py::make_tuple(to_numpy(std::move(k.weights)), origin);
        },
        arg("kernel"), arg("width_ms"), arg("bin_ms"));
    m.def(
        "population_rate_hz",
        [](const Doubles& times, std::size_t n, double t0, double t1, double bin, const std::string& kernel, double width) {
            const auto k = choice(kernel, "population_rate_hz", "kernel", kKernels);
            std::vector<double> r;
            {
                py::gil_scoped_release release;
                r = an::population_rate_hz(span_of(times), n, t0, t1, bin, k, width);
            }
            return to_numpy(std::move(r));
        },
        arg("times_ms"), arg("n_neurons"), arg("t_start_ms"), arg("t_stop_ms"), arg("bin_ms"), arg("kernel"),
        arg("width_ms"));
    m.def(
        "isi_histogram",
        [](const an::SpikeTrains& t, double bin, double max_ms) {
            auto h = an::isi_histogram(t, bin, max_ms);
            py::dict d;
            d["bin_ms"] = h.bin_ms;
            d["n_intervals"] = h.n_intervals;
            d["n_beyond"] = h.n_beyond;
            d["counts"] = to_numpy(std::move(h.counts));
            return d;
        },
        arg("trains"), arg("bin_ms"), arg("max_ms"));
    m.def(
        "isi_cv_per_neuron",
        [](const an::SpikeTrains& t, std::size_t min_intervals) { return to_numpy(an::isi_cv_per_neuron(t, min_intervals)); },
        arg("trains"), arg("min_intervals") = 2);
    m.def(
        "local_variation",
        [](const an::SpikeTrains& t, std::size_t min_intervals) { return to_numpy(an::local_variation(t, min_intervals)); },
        arg("trains"), arg("min_intervals") = 2);
    m.def(
        "fano_factors",
        [](const an::SpikeTrains& t, double t0, double t1, double w) { return to_numpy(an::fano_factors(t, t0, t1, w)); },
        arg("trains"), arg("t_start_ms"), arg("t_stop_ms"), arg("window_ms"));
    m.def("finite_mean", [](const Doubles& v) { return an::finite_mean(span_of(v)); }, arg("values"));
    m.def(
        "count_correlation",
        [](const Doubles& a, const Doubles& b, double t0, double t1, double bin) {
            return an::count_correlation(span_of(a), span_of(b), t0, t1, bin);
        },
        arg("a_ms"), arg("b_ms"), arg("t_start_ms"), arg("t_stop_ms"), arg("bin_ms"));
    m.def(
        "count_correlation_matrix",
        [](const an::SpikeTrains& t, py::handle neurons, double t0, double t1, double bin) {
            auto sel = integers_of<std::uint32_t>(neurons, "count_correlation_matrix", "neurons", 0);
            std::vector<double> r;
            {
                py::gil_scoped_release release;
                r = an::count_correlation_matrix(t, sel.view, t0, t1, bin);
            }
            return square(std::move(r), sel.view.size());
        },
        arg("trains"), arg("neurons"), arg("t_start_ms"), arg("t_stop_ms"), arg("bin_ms"));
    m.def(
        "cross_correlogram",
        [](const Doubles& a, const Doubles& b, double bin, double max_lag, double t0, double t1, const std::string& norm) {
            const auto n = choice(norm, "cross_correlogram", "norm", kNorms);
            an::Correlogram c;
            {
                py::gil_scoped_release release;
                c = an::cross_correlogram(span_of(a), span_of(b), bin, max_lag, t0, t1, n);
            }
            return py::make_tuple(to_numpy(std::move(c.lags_ms)), to_numpy(std::move(c.values)));
        },
        arg("a_ms"), arg("b_ms"), arg("bin_ms"), arg("max_lag_ms"), arg("t_start_ms"), arg("t_stop_ms"),
        arg("norm") = "counts");

    // spike_statistics.hpp
    m.def("mean_rate_hz", &an::mean_rate_hz, arg("n_spikes"), arg("n_neurons"), arg("duration_ms"));
    m.def(
        "population_histogram",
        [](const Doubles& times, double t0, double t1, double bin) {
            return to_numpy(an::population_histogram(span_of(times), t0, t1, bin));
        },
        arg("times_ms"), arg("t_start_ms"), arg("t_stop_ms"), arg("bin_ms"));
    m.def("fano_factor", [](const Doubles& counts) { return an::fano_factor(span_of(counts)); }, arg("counts"));
    m.def(
        "synchrony_chi",
        [](const Doubles& signals) {
            const auto s = matrix_of(signals, "synchrony_chi", "signals");
            py::gil_scoped_release release;
            return an::synchrony_chi(s.data, s.rows, s.columns);
        },
        arg("signals"));

    // ---- synchrony and oscillations ------------------------------------------------
    m.def(
        "kuramoto_order",
        [](const an::SpikeTrains& t, double t0, double t1, double dt) {
            an::KuramotoOrder k;
            {
                py::gil_scoped_release release;
                k = an::kuramoto_order(t, t0, t1, dt);
            }
            const double mean_r = k.mean_r;
            return py::make_tuple(to_numpy(std::move(k.times_ms)), to_numpy(std::move(k.r)), mean_r);
        },
        arg("trains"), arg("t_start_ms"), arg("t_stop_ms"), arg("dt_ms"));
    m.def(
        "sttc",
        [](const Doubles& a, const Doubles& b, double dt, double t0, double t1) {
            return an::sttc(span_of(a), span_of(b), dt, t0, t1);
        },
        arg("a_ms"), arg("b_ms"), arg("dt_ms"), arg("t_start_ms"), arg("t_stop_ms"));
    m.def(
        "welch_psd",
        [](const Doubles& x, double fs, std::size_t nperseg, std::int64_t noverlap) {
            if (noverlap < -1) fail("welch_psd", "noverlap", "must be >= 0 (or -1 for half a segment)");
            const std::size_t overlap = noverlap < 0 ? an::kHalfOverlap : static_cast<std::size_t>(noverlap);
            an::PowerSpectrum s;
            {
                py::gil_scoped_release release;
                s = an::welch_psd(span_of(x), fs, nperseg, overlap);
            }
            return spectrum_out(std::move(s));
        },
        arg("x"), arg("fs_hz"), arg("nperseg") = 256, arg("noverlap") = -1);
    m.def(
        "population_spectrum",
        [](const Doubles& times, std::size_t n, double t0, double t1, double bin, std::size_t nperseg) {
            an::PowerSpectrum s;
            {
                py::gil_scoped_release release;
                s = an::population_spectrum(span_of(times), n, t0, t1, bin, nperseg);
            }
            return spectrum_out(std::move(s));
        },
        arg("times_ms"), arg("n_neurons"), arg("t_start_ms"), arg("t_stop_ms"), arg("bin_ms"), arg("nperseg") = 1024);
    m.def(
        "peak_frequency",
        [](const Doubles& f, const Doubles& p, double lo, double hi) {
            const auto peak = an::peak_frequency(spectrum_of(f, p, "peak_frequency"), lo, hi);
            return py::make_tuple(peak.frequency_hz, peak.power);
        },
        arg("frequencies_hz"), arg("power"), arg("f_low_hz"), arg("f_high_hz"));
    m.def(
        "band_power",
        [](const Doubles& f, const Doubles& p, double lo, double hi) {
            return an::band_power(spectrum_of(f, p, "band_power"), lo, hi);
        },
        arg("frequencies_hz"), arg("power"), arg("f_low_hz"), arg("f_high_hz"));
    m.def(
        "bandpass_fft",
        [](const Doubles& x, double fs, double lo, double hi) {
            std::vector<double> y;
            {
                py::gil_scoped_release release;
                y = an::bandpass_fft(span_of(x), fs, lo, hi);
            }
            return to_numpy(std::move(y));
        },
        arg("x"), arg("fs_hz"), arg("f_low_hz"), arg("f_high_hz"));
    m.def(
        "analytic_signal",
        [](const Doubles& x) {
            std::vector<std::complex<double>> y;
            {
                py::gil_scoped_release release;
                y = an::analytic_signal(span_of(x));
            }
            return to_numpy(std::move(y));
        },
        arg("x"));
    m.def(
        "modulation_index",
        [](const Doubles& phase, const Doubles& amplitude, std::size_t n_bins) {
            auto r = an::modulation_index(span_of(phase), span_of(amplitude), n_bins);
            const double mi = r.modulation_index;
            return py::make_tuple(mi, to_numpy(std::move(r.amplitude_distribution)));
        },
        arg("phase"), arg("amplitude"), arg("n_bins") = 18);
    m.def(
        "phase_amplitude_coupling",
        [](const Doubles& x, double fs, double plo, double phi, double alo, double ahi, std::size_t n_bins,
           std::size_t trim) {
            an::PhaseAmplitudeCoupling r;
            {
                py::gil_scoped_release release;
                r = an::phase_amplitude_coupling(span_of(x), fs, plo, phi, alo, ahi, n_bins, trim);
            }
            const double mi = r.modulation_index;
            return py::make_tuple(mi, to_numpy(std::move(r.amplitude_distribution)));
        },
        arg("x"), arg("fs_hz"), arg("phase_low_hz"), arg("phase_high_hz"), arg("amplitude_low_hz"),
        arg("amplitude_high_hz"), arg("n_bins") = 18, arg("trim") = 0);
    m.def(
        "fit_aperiodic",
        [](const Doubles& f, const Doubles& p, double lo, double hi, const std::string& mode) {
            const auto r = an::fit_aperiodic(spectrum_of(f, p, "fit_aperiodic"), lo, hi,
                                             choice(mode, "fit_aperiodic", "mode", kModes));
            py::dict d;
            d["offset"] = r.offset;
            d["exponent"] = r.exponent;
            d["knee"] = r.knee;
            d["exponent_stderr"] = r.exponent_stderr;
            d["r_squared"] = r.r_squared;
            d["n_points"] = r.n_points;
            return d;
        },
        arg("frequencies_hz"), arg("power"), arg("f_low_hz"), arg("f_high_hz"), arg("mode") = "fixed");

    // fft.hpp
    m.def(
        "fft",
        [](const Complexes& x, bool inverse) {
            std::vector<std::complex<double>> y(x.data(), x.data() + x.size());
            if (y.empty()) fail("fft", "x", "is empty");
            {
                py::gil_scoped_release release;
                an::FftPlan plan(y.size());
                if (inverse)
                    plan.inverse(y);
                else
                    plan.forward(y);
            }
            return to_numpy(std::move(y));
        },
        arg("x"), arg("inverse") = false);
    m.def(
        "rfft",
        [](const Doubles& x) {
            std::vector<std::complex<double>> y;
            {
                py::gil_scoped_release release;
                y = an::rfft(span_of(x));
            }
            return to_numpy(std::move(y));
        },
        arg("x"));

    // ---- criticality ---------------------------------------------------------------
    m.def(
        "mean_inter_event_interval_ms", [](const Doubles& t) { return an::mean_inter_event_interval_ms(span_of(t)); },
        arg("times_ms"));
    m.def(
        "avalanches_from_counts", [](const Doubles& c) { return avalanches_out(an::avalanches_from_counts(span_of(c))); },
        arg("counts"));
    m.def(
        "avalanches_from_spikes",
        [](const Doubles& t, double t0, double t1, double bin) {
            an::Avalanches a;
            {
                py::gil_scoped_release release;
                a = an::avalanches_from_spikes(span_of(t), t0, t1, bin);
            }
            return avalanches_out(std::move(a));
        },
        arg("times_ms"), arg("t_start_ms"), arg("t_stop_ms"), arg("bin_ms") = 0.0);
    m.def(
        "fit_discrete_power_law",
        [](py::handle data, std::uint64_t x_min, std::size_t min_tail, std::size_t max_candidates) {
            auto d = integers_of<std::uint64_t>(data, "fit_discrete_power_law", "data", 1);
            an::PowerLawFit f;
            {
                py::gil_scoped_release release;
                f = an::fit_discrete_power_law(d.view, x_min, min_tail, max_candidates);
            }
            return power_law_dict(f);
        },
        arg("data"), arg("x_min") = 0, arg("min_tail") = 10, arg("max_candidates") = 1000);
    m.def("hurwitz_zeta", &an::hurwitz_zeta, arg("s"), arg("q"));
    m.def(
        "compare_power_law",
        [](py::handle data, double alpha, std::uint64_t x_min) {
            auto d = integers_of<std::uint64_t>(data, "compare_power_law", "data", 1);
            an::PowerLawFit fit;
            fit.alpha = alpha;
            fit.x_min = x_min;
            an::PowerLawComparison c;
            {
                py::gil_scoped_release release;
                c = an::compare_power_law(d.view, fit);
            }
            py::dict out;
            out["vs_exponential"] = lr_dict(c.vs_exponential);
            out["vs_lognormal"] = lr_dict(c.vs_lognormal);
            out["exponential_lambda"] = c.exponential_lambda;
            out["lognormal_mu"] = c.lognormal_mu;
            out["lognormal_sigma"] = c.lognormal_sigma;
            return out;
        },
        arg("data"), arg("alpha"), arg("x_min"));
    m.def("branching_ratio_naive", [](const Doubles& a) { return an::branching_ratio_naive(span_of(a)); }, arg("activity"));
    m.def(
        "branching_ratio_mr",
        [](const Doubles& a, std::size_t k_max) {
            an::MultistepRegression r;
            {
                py::gil_scoped_release release;
                r = an::branching_ratio_mr(span_of(a), k_max);
            }
            py::dict d;
            d["m"] = r.m;
            d["b"] = r.b;
            d["tau_bins"] = r.tau_bins;
            d["slopes"] = to_numpy(std::move(r.slopes));
            return d;
        },
        arg("activity"), arg("k_max") = 40);

    // ---- connectivity --------------------------------------------------------------
    m.def(
        "correlation_matrix",
        [](const Doubles& signals) {
            const auto s = matrix_of(signals, "correlation_matrix", "signals");
            std::vector<double> r;
            {
                py::gil_scoped_release release;
                r = an::correlation_matrix(s.data, s.rows, s.columns);
            }
            return square(std::move(r), s.columns);
        },
        arg("signals"));
    m.def(
        "partial_correlation_matrix",
        [](const Doubles& signals) {
            const auto s = matrix_of(signals, "partial_correlation_matrix", "signals");
            std::vector<double> r;
            {
                py::gil_scoped_release release;
                r = an::partial_correlation_matrix(s.data, s.rows, s.columns);
            }
            return square(std::move(r), s.columns);
        },
        arg("signals"));
    m.def(
        "granger_causality",
        [](const Doubles& source, const Doubles& target, std::size_t order) {
            an::GrangerResult g;
            {
                py::gil_scoped_release release;
                g = an::granger_causality(span_of(source), span_of(target), order);
            }
            py::dict d;
            d["f_statistic"] = g.f_statistic;
            d["p_value"] = g.p_value;
            d["log_ratio"] = g.log_ratio;
            d["df1"] = g.df1;
            d["df2"] = g.df2;
            return d;
        },
        arg("source"), arg("target"), arg("order"));
    m.def(
        "granger_causality_matrix",
        [](const Doubles& signals, std::size_t order) {
            const auto s = matrix_of(signals, "granger_causality_matrix", "signals");
            std::vector<double> r;
            {
                py::gil_scoped_release release;
                r = an::granger_causality_matrix(s.data, s.rows, s.columns, order);
            }
            return square(std::move(r), s.columns);
        },
        arg("signals"), arg("order"));
    m.def(
        "compare_connectivity",
        [](const Doubles& scores, const Doubles& truth, double threshold, bool include_diagonal) {
            const auto s = matrix_of(scores, "compare_connectivity", "scores");
            if (s.rows != s.columns) fail("compare_connectivity", "scores", "must be a square matrix");
            const auto c = an::compare_connectivity(s.data, span_of(truth), s.rows, threshold, include_diagonal);
            py::dict d;
            d["true_positives"] = c.true_positives;
            d["false_positives"] = c.false_positives;
            d["false_negatives"] = c.false_negatives;
            d["true_negatives"] = c.true_negatives;
            d["precision"] = c.precision;
            d["recall"] = c.recall;
            d["f1"] = c.f1;
            d["auc"] = c.auc;
            return d;
        },
        arg("scores"), arg("truth"), arg("threshold"), arg("include_diagonal") = false);

    // ---- excitation-inhibition balance ---------------------------------------------
    m.def(
        "ei_current_correlation",
        [](const Doubles& excitatory, const Doubles& inhibitory, double interval_ms, double filter_tau_ms,
           std::size_t first_sample, std::size_t end_sample) {
            const auto e = matrix_of(excitatory, "ei_current_correlation", "excitatory");
            const auto i = matrix_of(inhibitory, "ei_current_correlation", "inhibitory");
            if (i.rows != e.rows || i.columns != e.columns)
                fail("ei_current_correlation", "inhibitory",
                     "must have the shape of excitatory (" + std::to_string(e.rows) + " x " + std::to_string(e.columns) +
                         "), got " + std::to_string(i.rows) + " x " + std::to_string(i.columns));
            an::CurrentCorrelation c;
            {
                py::gil_scoped_release release;
                c = an::ei_current_correlation(e.data, i.data, e.rows, e.columns, interval_ms, filter_tau_ms, first_sample,
                                               end_sample);
            }
            py::dict d;
            d["per_neuron"] = to_numpy(std::move(c.per_neuron));
            d["mean"] = c.mean;
            return d;
        },
        arg("excitatory"), arg("inhibitory"), arg("interval_ms"), arg("filter_tau_ms"), arg("first_sample"),
        arg("end_sample"));

    // ---- geometry ------------------------------------------------------------------
    m.def(
        "pca",
        [](const Doubles& data, std::size_t n_components) {
            const auto s = matrix_of(data, "pca", "data");
            an::Pca p;
            std::vector<double> scores;
            {
                py::gil_scoped_release release;
                p = an::pca(s.data, s.rows, s.columns, n_components);
                scores = an::pca_transform(p, s.data, s.rows);
            }
            const auto k = static_cast<py::ssize_t>(p.n_components);
            const auto f = static_cast<py::ssize_t>(p.n_features);
            py::dict d;
            d["mean"] = to_numpy(std::move(p.mean));
            d["explained_variance"] = to_numpy(std::move(p.explained_variance));
            d["explained_variance_ratio"] = to_numpy(std::move(p.explained_variance_ratio));
            d["components"] = to_numpy(std::move(p.components), {k, f});
            d["scores"] = to_numpy(std::move(scores), {static_cast<py::ssize_t>(s.rows), k});
            return d;
        },
        arg("data"), arg("n_components") = 0);
    m.def(
        "participation_ratio",
        [](const Doubles& eigenvalues) { return an::participation_ratio(span_of(eigenvalues)); }, arg("eigenvalues"));
    m.def(
        "participation_ratio_of_data",
        [](const Doubles& data) {
            const auto s = matrix_of(data, "participation_ratio", "data");
            py::gil_scoped_release release;
            return an::participation_ratio(s.data, s.rows, s.columns);
        },
        arg("data"));
    m.def(
        "representational_dissimilarity",
        [](const Doubles& data, const std::string& metric) {
            const auto s = matrix_of(data, "representational_dissimilarity", "data");
            const auto k = choice(metric, "representational_dissimilarity", "metric", kMetrics);
            std::vector<double> r;
            {
                py::gil_scoped_release release;
                r = an::representational_dissimilarity(s.data, s.rows, s.columns, k);
            }
            return square(std::move(r), s.rows);
        },
        arg("data"), arg("metric") = "correlation");
    m.def(
        "compare_rdms",
        [](const Doubles& a, const Doubles& b) {
            const auto s = matrix_of(a, "compare_rdms", "rdm_a");
            if (s.rows != s.columns) fail("compare_rdms", "rdm_a", "must be a square matrix");
            return an::compare_rdms(s.data, span_of(b), s.rows);
        },
        arg("rdm_a"), arg("rdm_b"));
    auto two = [](const Doubles& x, const Doubles& y, const char* function) {
        const auto a = matrix_of(x, function, "x");
        const auto b = matrix_of(y, function, "y");
        if (a.rows != b.rows)
            fail(function, "y", "must have as many rows (samples) as x (" + std::to_string(a.rows) + "), got " +
                                    std::to_string(b.rows));
        return std::pair{a, b};
    };
    m.def(
        "cka_linear",
        [two](const Doubles& x, const Doubles& y) {
            const auto [a, b] = two(x, y, "cka_linear");
            py::gil_scoped_release release;
            return an::cka_linear(a.data, b.data, a.rows, a.columns, b.columns);
        },
        arg("x"), arg("y"));
    m.def(
        "cka_rbf",
        [two](const Doubles& x, const Doubles& y, double sigma_fraction) {
            const auto [a, b] = two(x, y, "cka_rbf");
            py::gil_scoped_release release;
            return an::cka_rbf(a.data, b.data, a.rows, a.columns, b.columns, sigma_fraction);
        },
        arg("x"), arg("y"), arg("sigma_fraction") = 0.5);

    // ---- fixed points --------------------------------------------------------------
    m.def(
        "find_rate_network_fixed_points",
        [](const Doubles& weights, const Doubles& bias, const Doubles& initial, const std::string& kind,
           std::size_t max_iterations, double q_tolerance, double max_q, double fixed_point_q, double merge_distance) {
            const auto w = matrix_of(weights, "find_rate_network_fixed_points", "weights");
            if (w.rows != w.columns) fail("find_rate_network_fixed_points", "weights", "must be a square matrix");
            const auto x0 = matrix_of(initial, "find_rate_network_fixed_points", "initial_points");
            if (x0.columns != w.rows)
                fail("find_rate_network_fixed_points", "initial_points",
                     "must have n = " + std::to_string(w.rows) + " columns, got " + std::to_string(x0.columns));
            an::FixedPointOptions o;
            o.kind = choice(kind, "find_rate_network_fixed_points", "kind", kKinds);
            o.max_iterations = max_iterations;
            o.q_tolerance = q_tolerance;
            o.max_q = max_q;
            o.fixed_point_q = fixed_point_q;
            o.merge_distance = merge_distance;
            std::vector<an::FixedPoint> points;
            {
                py::gil_scoped_release release;
                points = an::find_rate_network_fixed_points(w.data, span_of(bias), w.rows, x0.data, o);
            }
            py::list out;
            for (auto& p : points) {
                py::dict d;
                d["x"] = to_numpy(std::move(p.x));
                d["q"] = p.q;
                d["is_fixed_point"] = p.is_fixed_point;
                d["count"] = p.count;
                d["eigenvalues"] = to_numpy(std::move(p.eigenvalues));
                out.append(d);
            }
            return out;
        },
        arg("weights"), arg("bias"), arg("initial_points"), arg("kind") = "map", arg("max_iterations") = 500,
        arg("q_tolerance") = 1e-20, arg("max_q") = 1e300, arg("fixed_point_q") = 1e-16, arg("merge_distance") = 1e-6);
}
