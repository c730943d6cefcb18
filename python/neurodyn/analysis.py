"""neurodyn.analysis: the measures of neurodyn's C++ analysis layer on NumPy arrays,
neurodyn simulations and result files, and Neo objects.

Spike data can be given as

- ``times, ids``: two arrays, spike times in ms and neuron indices (integers >= 0);
- a :class:`neurodyn.Simulation` (its recorded spikes; ``population=`` picks one when
  several are recorded);
- a result dict from :func:`neurodyn.load_results` (``population=`` likewise);
- a ``neo.Segment`` or a list of ``neo.SpikeTrain`` (neuron i is the i-th train; times
  are converted to ms);
- a list of arrays, one per neuron, of spike times in ms.

Every spike measure analyses the window ``[t_start, t_stop)`` (ms). By default it is the
whole recording: for a simulation or result file ``[dt/2, t + dt/2)``, where t is the
time reached (neurodyn stamps a spike at the end of its step, so this holds exactly
the spikes of the steps run, as ``neurodyn analyze`` does); for a Neo segment the
trains' ``[t_start, t_stop]``; for plain arrays ``[0, last spike]`` (``[min, ...]`` if
there are negative times). ``n_neurons`` defaults to the population size, the number of
Neo trains, or the largest id + 1.

Units: times and durations in ms, rates in Hz, frequencies in Hz, power spectral
densities in (signal unit)^2 / Hz. Bad input raises :class:`neurodyn.NeurodynValueError`
(a ValueError) with the C++ layer's message, which names the function and argument.
Definitions and references: docs/analysis.md.
"""

import math
from collections import namedtuple

import numpy as np

from . import _core

_a = _core.analysis

__all__ = [
    "SpikeData", "spike_data", "spike_trains",
    "rates", "isi_cv", "local_variation", "fano_factor", "count_correlations", "cross_correlogram",
    "population_rate", "isi_histogram", "kuramoto", "sttc", "chi",
    "welch", "population_spectrum", "peak_frequency", "band_power", "modulation_index", "phase_amplitude_coupling",
    "aperiodic_exponent", "bandpass", "analytic_signal", "fft", "rfft",
    "avalanches", "fit_power_law", "compare_power_law", "branching_ratio", "branching_ratio_naive",
    "correlation_matrix", "partial_correlation", "granger", "granger_matrix", "compare_connectivity",
    "pca", "participation_ratio", "rdm", "compare_rdms", "cka", "fixed_points", "report",
    "ei_current_correlation",
]

SpikeData = namedtuple("SpikeData", "times ids n_neurons t_start t_stop")
SpikeData.__doc__ = """Spikes normalised for the analysis: times (float64, ms), ids (uint32), n_neurons,
and the analysis window [t_start, t_stop) in ms."""

Kuramoto = namedtuple("Kuramoto", "times r mean_r")
Avalanches = namedtuple("Avalanches", "sizes durations bin_ms")
PowerLawFit = namedtuple("PowerLawFit", "alpha alpha_stderr x_min n_tail ks_distance log_likelihood")
BranchingRatio = namedtuple("BranchingRatio", "m b tau_bins slopes")
Granger = namedtuple("Granger", "f_statistic p_value log_ratio df1 df2")
Pca = namedtuple("Pca", "mean explained_variance explained_variance_ratio components scores")
FixedPoint = namedtuple("FixedPoint", "x q is_fixed_point count eigenvalues")
Coupling = namedtuple("Coupling", "modulation_index amplitude_distribution")
CurrentCorrelation = namedtuple("CurrentCorrelation", "per_neuron mean")


# --- spike data from any source ------------------------------------------------------

def _is_neo_train(obj):
    return hasattr(obj, "rescale") and hasattr(obj, "t_start") and hasattr(obj, "t_stop")


def _pick_population(names, population, what):
    if population is not None:
        population = getattr(population, "name", population)
        if population not in names:
            raise _value_error(f"population: '{population}' has no recorded spikes in this {what} "
                               f"(recorded: {', '.join(names) or 'none'})")
        return population
    if len(names) != 1:
        raise _value_error(f"population: this {what} records spikes of {len(names)} populations "
                           f"({', '.join(names) or 'none'}); choose one with population=")
    return names[0]


def _value_error(message):
    from .errors import NeurodynValueError
    return NeurodynValueError(message)


def _from_trains(trains):
    """Times and ids from a list of per-neuron spike time arrays (ms)."""
    times = [np.asarray(t, dtype=np.float64).ravel() for t in trains]
    ids = [np.full(len(t), i, dtype=np.uint32) for i, t in enumerate(times)]
    if not times:
        return np.empty(0), np.empty(0, np.uint32)
    return np.concatenate(times), np.concatenate(ids)


def spike_data(spikes, ids=None, *, population=None, n_neurons=None, t_start=None, t_stop=None):
    """Normalises spike data from any supported source (see the module docstring) to a
    :class:`SpikeData` (times in ms, ids, n_neurons, window [t_start, t_stop) in ms)."""
    from .network import Simulation

    default_start = default_stop = None
    if ids is not None:
        times = np.ascontiguousarray(spikes, dtype=np.float64).ravel()
        ids = np.asarray(ids).ravel()
        n = n_neurons
        if n is None:
            n = int(ids.max()) + 1 if ids.size else 0
        if times.size:
            lo, hi = float(np.min(times)), float(np.max(times))
            default_start = min(0.0, lo)
            default_stop = float(np.nextafter(hi, math.inf))
    elif isinstance(spikes, Simulation):
        core = spikes._core
        names = [name for name, _, _ in core.populations() if core.records_spikes(name)]
        name = _pick_population(names, population, "simulation")
        times, ids = spikes.spikes(name)
        n = dict((p, size) for p, _, size in core.populations())[name]
        half = 0.5 * spikes.dt
        default_start, default_stop = half, spikes.t + half
    elif isinstance(spikes, dict) and "spikes" in spikes and "attrs" in spikes:
        name = _pick_population(list(spikes["spikes"]), population, "result")
        entry = spikes["spikes"][name]
        times, ids = entry["times"], entry["ids"]
        n = max(entry.get("n_neurons") or 0, int(ids.max()) + 1 if len(ids) else 0)
        attrs = spikes["attrs"]
        reached = float(attrs.get("t_reached", 0.0))
        stop = reached if reached > 0.0 else float(attrs.get("duration_requested", 0.0))
        half = 0.5 * float(attrs["dt"])
        default_start, default_stop = half, stop + half
    else:
        trains = getattr(spikes, "spiketrains", spikes)  # a neo.Segment
        trains = list(trains)
        if trains and all(_is_neo_train(t) for t in trains):
            times, ids = _from_trains([t.rescale("ms").magnitude for t in trains])
            default_start = min(float(t.t_start.rescale("ms").magnitude) for t in trains)
            default_stop = float(np.nextafter(max(float(t.t_stop.rescale("ms").magnitude) for t in trains), math.inf))
        else:
            times, ids = _from_trains(trains)
            if times.size:
                default_start = min(0.0, float(times.min()))
                default_stop = float(np.nextafter(times.max(), math.inf))
        n = len(trains)
    if n_neurons is not None:
        n = int(n_neurons)
    t_start = default_start if t_start is None else float(t_start)
    t_stop = default_stop if t_stop is None else float(t_stop)
    if t_start is None or t_stop is None:
        raise _value_error("t_start, t_stop: there are no spikes to take the window from; give t_start and t_stop (ms)")
    return SpikeData(np.ascontiguousarray(times, dtype=np.float64), ids, int(n), t_start, t_stop)


def _ids_u32(ids):
    ids = np.asarray(ids)
    if ids.dtype == np.uint32:
        return np.ascontiguousarray(ids)
    return ids  # checked and converted by the C++ side (negative ids are refused there)


def spike_trains(spikes, ids=None, **source):
    """Groups the spikes by neuron once (``group_by_neuron``, O(spikes + neurons)):
    returns ``(trains, data)``, a C++ SpikeTrains (``trains.train(i)``: sorted times of
    neuron i, read-only) and the :class:`SpikeData`. All spikes are grouped; the
    measures use the window."""
    d = spike_data(spikes, ids, **source)
    return _a.group_by_neuron(d.times, _ids_u32(d.ids), d.n_neurons), d


# --- spike-train statistics ----------------------------------------------------------

def rates(spikes, ids=None, **source):
    """Firing rate of each neuron (Hz): its spikes in [t_start, t_stop) / (t_stop - t_start).
    Keyword arguments: population, n_neurons, t_start, t_stop (ms)."""
    trains, d = spike_trains(spikes, ids, **source)
    return _a.firing_rates_hz(trains, d.t_start, d.t_stop)


def _in_window(d):
    keep = (d.times >= d.t_start) & (d.times < d.t_stop)
    if keep.all():
        return d
    return d._replace(times=np.ascontiguousarray(d.times[keep]), ids=np.asarray(d.ids)[keep])


def _windowed_trains(spikes, ids, source):
    d = _in_window(spike_data(spikes, ids, **source))
    return _a.group_by_neuron(d.times, _ids_u32(d.ids), d.n_neurons), d


def isi_cv(spikes, ids=None, min_intervals=2, **source):
    """Coefficient of variation of the inter-spike intervals (sd / mean, sd with n - 1) of
    each neuron's spikes in the window; NaN for neurons with fewer than
    max(min_intervals, 2) intervals. Poisson: 1; regular: 0. Summarise with np.nanmean."""
    trains, _ = _windowed_trains(spikes, ids, source)
    return _a.isi_cv_per_neuron(trains, int(min_intervals))


def local_variation(spikes, ids=None, min_intervals=2, **source):
    """Local variation LV = 3/(n-1) sum ((I_i - I_{i+1}) / (I_i + I_{i+1}))^2 of each
    neuron's intervals in the window (Shinomoto et al. 2003); Poisson 1, gamma(k)
    3/(2k+1), regular 0; NaN with too few intervals."""
    trains, _ = _windowed_trains(spikes, ids, source)
    return _a.local_variation(trains, int(min_intervals))


def fano_factor(spikes, ids=None, window=100.0, **source):
    """Fano factor (sample variance / mean) of each neuron's spike counts in consecutive
    windows of `window` ms from t_start; NaN for a silent neuron. Poisson: 1."""
    trains, d = spike_trains(spikes, ids, **source)
    return _a.fano_factors(trains, d.t_start, d.t_stop, float(window))


def count_correlations(spikes, ids=None, bin=5.0, neurons=None, max_neurons=200, **source):
    """Matrix (k x k) of Pearson correlations of the spike counts in bins of `bin` ms of
    the neurons listed in `neurons` (default: the first `max_neurons` neurons that spike
    in the window, as ``neurodyn analyze``). Returns ``(matrix, neurons)``. Cost O(k^2 B)."""
    trains, d = _windowed_trains(spikes, ids, source)
    if neurons is None:
        counts = np.diff(trains.offsets)
        neurons = np.flatnonzero(counts > 0)[:int(max_neurons)].astype(np.uint32)
    neurons = np.asarray(neurons)
    return _a.count_correlation_matrix(trains, neurons, d.t_start, d.t_stop, float(bin)), neurons


def cross_correlogram(a, b, bin=1.0, max_lag=50.0, t_start=None, t_stop=None, norm="counts"):
    """Cross-correlogram of train b relative to train a (spike times in ms): counts of
    t_b - t_a in bins of `bin` ms centred on multiples of `bin` up to `max_lag`. `norm`:
    "counts", "rate_hz" (counts / (n_a bin)) or "independence" (1 = no correlation).
    Returns ``(lags_ms, values)``. The window (default: from the earliest to just after
    the last spike) is the recording time used by the normalisations."""
    a = np.sort(np.asarray(a, dtype=np.float64).ravel())
    b = np.sort(np.asarray(b, dtype=np.float64).ravel())
    t_start, t_stop = _pair_window(a, b, t_start, t_stop)
    return _a.cross_correlogram(a, b, float(bin), float(max_lag), t_start, t_stop, norm)


def _pair_window(a, b, t_start, t_stop):
    both = np.concatenate([a, b])
    if t_start is None:
        t_start = min(0.0, float(both.min())) if both.size else 0.0
    if t_stop is None:
        t_stop = float(np.nextafter(both.max(), math.inf)) if both.size else 1.0
    return float(t_start), float(t_stop)


def population_rate(spikes, ids=None, bin=1.0, kernel="gaussian", width=5.0, **source):
    """Time-resolved population rate (Hz per neuron): the spike count histogram in bins of
    `bin` ms over the window, convolved with a unit-area `kernel` ("box": full width,
    "gaussian": sd, "exponential" and "alpha": time constant `width` ms), divided by
    n_neurons x bin. Returns ``(times_ms, rate_hz)``, times at the bin centres."""
    d = spike_data(spikes, ids, **source)
    rate = _a.population_rate_hz(d.times, d.n_neurons, d.t_start, d.t_stop, float(bin), kernel, float(width))
    return d.t_start + (np.arange(rate.size) + 0.5) * float(bin), rate


def isi_histogram(spikes, ids=None, bin=1.0, max_isi=200.0, **source):
    """Pooled histogram of the inter-spike intervals in the window in bins of `bin` ms up
    to `max_isi` ms: dict with counts, bin_ms, n_intervals and n_beyond (longer ones)."""
    trains, _ = _windowed_trains(spikes, ids, source)
    return _a.isi_histogram(trains, float(bin), float(max_isi))


# --- synchrony and oscillations --------------------------------------------------------

def kuramoto(spikes, ids=None, dt=1.0, **source):
    """Kuramoto order parameter from spike phases (each neuron's phase grows by 2 pi from
    one spike to the next): R(t) on a grid of `dt` ms and its time mean. Returns
    ``Kuramoto(times, r, mean_r)``; ~1 when phase-locked, ~sqrt(pi/4N) for N independent."""
    trains, d = spike_trains(spikes, ids, **source)
    return Kuramoto(*_a.kuramoto_order(trains, d.t_start, d.t_stop, float(dt)))


def sttc(a, b, dt=5.0, t_start=None, t_stop=None):
    """Spike-time tiling coefficient (Cutts & Eglen 2014) of two spike trains (ms) with
    coincidence window +-dt ms: 1 identical, ~0 independent, < 0 avoiding."""
    a = np.sort(np.asarray(a, dtype=np.float64).ravel())
    b = np.sort(np.asarray(b, dtype=np.float64).ravel())
    t_start, t_stop = _pair_window(a, b, t_start, t_stop)
    return _a.sttc(a, b, float(dt), t_start, t_stop)


def chi(signals):
    """Golomb's synchrony measure chi of signals [time][neuron] (a 2-D array, or a
    neurodyn Trace): sqrt(Var_t(mean_i x_i) / mean_i Var_t(x_i)); ~1/sqrt(N) independent,
    1 identical."""
    values = getattr(signals, "values", signals)
    return _a.synchrony_chi(values)


def welch(x, fs, nperseg=256, noverlap=None):
    """One-sided power spectral density of `x` sampled at `fs` Hz by Welch's method, with
    scipy.signal.welch's defaults (Hann window, half overlap, mean detrend). Returns
    ``(frequencies_hz, power)``, power in units^2 / Hz."""
    f, p, _ = _a.welch_psd(x, float(fs), int(nperseg), -1 if noverlap is None else int(noverlap))
    return f, p


def population_spectrum(spikes, ids=None, bin=1.0, nperseg=1024, **source):
    """Welch spectrum of the population rate (Hz per neuron) in bins of `bin` ms (sampling
    frequency 1000 / bin Hz). Returns ``(frequencies_hz, power)`` (Hz^2 / Hz)."""
    d = spike_data(spikes, ids, **source)
    f, p, _ = _a.population_spectrum(d.times, d.n_neurons, d.t_start, d.t_stop, float(bin), int(nperseg))
    return f, p


def peak_frequency(frequencies, power, f_low=0.0, f_high=None):
    """The largest power at a frequency in [f_low, f_high] Hz (f_high: the highest
    frequency when None): ``(frequency_hz, power)``."""
    frequencies = np.asarray(frequencies, dtype=np.float64)
    if f_high is None:
        f_high = float(frequencies[-1]) if frequencies.size else 0.0
    return _a.peak_frequency(frequencies, power, float(f_low), float(f_high))


def band_power(frequencies, power, f_low, f_high):
    """Power in the band [f_low, f_high] Hz: sum of power x frequency step over its bins."""
    return _a.band_power(frequencies, power, float(f_low), float(f_high))


def modulation_index(phase, amplitude, n_bins=18):
    """Tort et al. (2010) modulation index of amplitude by phase (radians): 0 flat, 1 all
    amplitude in one of `n_bins` phase bins. Returns ``Coupling(modulation_index,
    amplitude_distribution)``."""
    return Coupling(*_a.modulation_index(phase, amplitude, int(n_bins)))


def phase_amplitude_coupling(x, fs, phase_band, amplitude_band, n_bins=18, trim=0):
    """Tort et al.'s pipeline on one signal sampled at `fs` Hz: the phase of x band-passed
    to `phase_band` (Hz, (low, high)), the envelope of x band-passed to
    `amplitude_band`, then :func:`modulation_index`, dropping `trim` samples at each end."""
    return Coupling(*_a.phase_amplitude_coupling(x, float(fs), float(phase_band[0]), float(phase_band[1]),
                                                 float(amplitude_band[0]), float(amplitude_band[1]), int(n_bins),
                                                 int(trim)))


def aperiodic_exponent(frequencies, power, f_low, f_high, mode="fixed"):
    """FOOOF-style fit of the aperiodic component over [f_low, f_high] Hz: "fixed" log10 P
    = offset - exponent log10 f (P ~ 1/f^exponent), "knee" log10 P = offset -
    log10(knee + f^exponent). Returns a dict: offset, exponent, knee, exponent_stderr,
    r_squared, n_points."""
    return _a.fit_aperiodic(frequencies, power, float(f_low), float(f_high), mode)


def bandpass(x, fs, f_low, f_high):
    """Ideal zero-phase band-pass of `x` (sampled at `fs` Hz) to [f_low, f_high] Hz by FFT
    (circular)."""
    return _a.bandpass_fft(x, float(fs), float(f_low), float(f_high))


def analytic_signal(x):
    """x + i H[x] by the FFT, as scipy.signal.hilbert (complex array)."""
    return _a.analytic_signal(x)


def fft(x, inverse=False):
    """DFT of any length (radix-2 or Bluestein), as numpy.fft.fft (inverse: numpy.fft.ifft)."""
    return _a.fft(np.asarray(x, dtype=np.complex128), bool(inverse))


def rfft(x):
    """The first N/2 + 1 DFT coefficients of a real signal, as numpy.fft.rfft."""
    return _a.rfft(x)


# --- criticality ---------------------------------------------------------------------

def avalanches(spikes=None, ids=None, bin=None, counts=None, **source):
    """Neuronal avalanches (Beggs & Plenz 2003): maximal runs of non-empty bins of the
    pooled activity. From spikes (any source; a times array alone also works) in bins of
    `bin` ms (default: the mean inter-event interval), or from `counts` per bin.
    Incomplete runs at the edges are left out. Returns ``Avalanches(sizes, durations
    (bins), bin_ms)``."""
    if counts is not None:
        return Avalanches(*_a.avalanches_from_counts(counts))
    if ids is None and isinstance(spikes, np.ndarray) and spikes.ndim == 1:
        ids = np.zeros(spikes.size, np.uint32)
    d = spike_data(spikes, ids, **source)
    return Avalanches(*_a.avalanches_from_spikes(d.times, d.t_start, d.t_stop, 0.0 if bin is None else float(bin)))


def fit_power_law(data, x_min=None, min_tail=10, max_candidates=1000):
    """Discrete power law p(x) = x^-alpha / zeta(alpha, x_min) fitted by maximum likelihood
    to positive integers (avalanche sizes or durations; Clauset et al. 2009); x_min is
    chosen by Kolmogorov-Smirnov minimisation when None. Returns a PowerLawFit."""
    r = _a.fit_discrete_power_law(data, 0 if x_min is None else int(x_min), int(min_tail), int(max_candidates))
    return PowerLawFit(**r)


def compare_power_law(data, fit=None):
    """Vuong likelihood-ratio tests of the power law `fit` (default: fit_power_law(data))
    against exponential and lognormal tails: dict with vs_exponential and vs_lognormal
    (log_likelihood_ratio R > 0 favours the power law, normalized_ratio, p_value) and the
    fitted exponential_lambda, lognormal_mu, lognormal_sigma."""
    if fit is None:
        fit = fit_power_law(data)
    return _a.compare_power_law(data, float(fit.alpha), int(fit.x_min))


def branching_ratio(activity, k_max=40):
    """Branching ratio m of the activity (counts per bin) by multistep regression (Wilting
    & Priesemann 2018), robust to subsampling: ``BranchingRatio(m, b, tau_bins, slopes)``."""
    return BranchingRatio(**_a.branching_ratio_mr(activity, int(k_max)))


def branching_ratio_naive(activity):
    """Naive branching ratio sum A_{t+1} / sum A_t over bins with A_t > 0 (Beggs & Plenz)."""
    return _a.branching_ratio_naive(activity)


# --- excitation-inhibition balance ------------------------------------------------------

def ei_current_correlation(excitatory, inhibitory, interval=None, filter_tau=0.0, t_start=None, t_stop=None):
    """Detailed E/I balance (Vogels et al. 2011): the Pearson correlation, per neuron,
    of its excitatory and inhibitory input currents over time.

    `excitatory` and `inhibitory` are [samples x neurons] arrays or neurodyn Traces
    (``sim.trace("E", "isyn_exc")``); give the inhibitory input as a magnitude, e.g.
    ``-isyn_inh`` of IF_curr_exp (a negated Trace: pass ``-trace.values``), so that
    inhibition that tracks excitation gives r > 0. `interval` (ms) is the sampling
    interval (taken from the Traces' times when not given). With `filter_tau` > 0 (ms)
    both are first low-pass filtered by a causal exponential filter of that time
    constant, over the whole trace. The correlation uses the samples at times in
    [t_start, t_stop) (ms; Traces only; default: all). Returns
    ``CurrentCorrelation(per_neuron, mean)``, NaN for a neuron with a constant current."""
    times = getattr(excitatory, "times", None)
    e = np.asarray(getattr(excitatory, "values", excitatory), dtype=float)
    i = np.asarray(getattr(inhibitory, "values", inhibitory), dtype=float)
    e = e[:, None] if e.ndim == 1 else e  # one neuron
    i = i[:, None] if i.ndim == 1 else i
    if interval is None:
        if times is None or len(times) < 2:
            raise _value_error("ei_current_correlation: interval must be given for plain arrays (ms between samples)")
        interval = float(times[1] - times[0])
    first, end = 0, e.shape[0]
    if t_start is not None or t_stop is not None:
        if times is None:
            raise _value_error("ei_current_correlation: t_start and t_stop need Traces (with times); "
                               "slice plain arrays instead")
        times = np.asarray(times, dtype=float)
        half = 0.5 * float(interval)  # a sample at exactly t_start is in, one at t_stop out
        if t_start is not None:
            first = int(np.searchsorted(times, float(t_start) - half, side="right"))
        if t_stop is not None:
            end = int(np.searchsorted(times, float(t_stop) - half, side="right"))
    result = _a.ei_current_correlation(e, i, float(interval), float(filter_tau), first, end)
    return CurrentCorrelation(result["per_neuron"], result["mean"])


# --- functional connectivity -----------------------------------------------------------

def correlation_matrix(signals):
    """Pearson correlation matrix of the columns of `signals` [time][signal] (as
    numpy.corrcoef(signals.T); NaN for a constant signal)."""
    return _a.correlation_matrix(signals)


def partial_correlation(signals):
    """Partial correlations -P_ij / sqrt(P_ii P_jj), P the inverse covariance of the
    columns of `signals` [time][signal]; needs more times than signals."""
    return _a.partial_correlation_matrix(signals)


def granger(source, target, order=1):
    """Bivariate Granger causality source -> target with autoregressive `order`:
    ``Granger(f_statistic, p_value, log_ratio, df1, df2)``; log_ratio = ln(RSS_r / RSS_f)."""
    return Granger(**_a.granger_causality(source, target, int(order)))


def granger_matrix(signals, order=1):
    """Pairwise Granger log-ratios G[i, j] for i -> j of the columns of `signals`."""
    return _a.granger_causality_matrix(signals, int(order))


def compare_connectivity(scores, truth, threshold, include_diagonal=False):
    """Inferred `scores` (n x n) against the true connectivity (edge where truth != 0,
    predicted where score >= threshold): dict of TP/FP/FN/TN counts, precision, recall,
    f1 and the ROC auc."""
    scores = np.asarray(scores, dtype=np.float64)
    return _a.compare_connectivity(scores, np.asarray(truth, dtype=np.float64).ravel(), float(threshold),
                                   bool(include_diagonal))


# --- population geometry -----------------------------------------------------------

def pca(data, n_components=None):
    """Principal components of `data` [sample][feature] (as scikit-learn's PCA):
    ``Pca(mean, explained_variance, explained_variance_ratio, components, scores)``,
    eigenvalues descending, components [k][feature], scores [sample][k]."""
    return Pca(**_a.pca(data, 0 if n_components is None else int(n_components)))


def participation_ratio(data=None, eigenvalues=None):
    """Participation ratio (sum lambda)^2 / sum lambda^2 of the covariance eigenvalues of
    `data` [sample][feature] (computed without eigendecomposition), or of `eigenvalues`."""
    if eigenvalues is not None:
        return _a.participation_ratio(eigenvalues)
    return _a.participation_ratio_of_data(data)


def rdm(data, metric="correlation"):
    """Representational dissimilarity matrix of the rows of `data` [condition][feature]:
    "correlation" (1 - Pearson r) or "euclidean"."""
    return _a.representational_dissimilarity(data, metric)


def compare_rdms(rdm_a, rdm_b):
    """Spearman correlation of the upper triangles of two RDMs (n x n, n >= 3)."""
    return _a.compare_rdms(rdm_a, rdm_b)


def cka(x, y, kernel="linear", sigma_fraction=0.5):
    """Centred kernel alignment of two representations [sample][feature] of the same
    samples (Kornblith et al. 2019): "linear" or "rbf" (sigma = sigma_fraction x the
    median distance). 1 for identical representations."""
    if kernel == "linear":
        return _a.cka_linear(x, y)
    if kernel == "rbf":
        return _a.cka_rbf(x, y, float(sigma_fraction))
    raise _value_error(f"cka: kernel must be 'linear' or 'rbf', got {kernel!r}")


# --- fixed points --------------------------------------------------------------------

def fixed_points(weights, bias=None, initial_points=None, kind="map", n_initial=100, scale=1.0, seed=0, **options):
    """Fixed and slow points of the rate network F(x) = tanh(W x + b), as a map x -> F(x)
    (kind="map") or the flow dx/dt = -x + F(x) (kind="flow"), by minimising q = |r|^2 / 2
    from each initial point (Sussillo & Barak 2013). `initial_points` [k][n] default to
    `n_initial` points uniform in [-scale, scale]^n (seeded). Options: max_iterations,
    q_tolerance, max_q, fixed_point_q, merge_distance. Returns a list of
    ``FixedPoint(x, q, is_fixed_point, count, eigenvalues)`` sorted by q; eigenvalues of
    the Jacobian of F."""
    weights = np.asarray(weights, dtype=np.float64)
    n = weights.shape[0] if weights.ndim == 2 else 0
    bias = np.zeros(n) if bias is None else bias
    if initial_points is None:
        initial_points = np.random.default_rng(seed).uniform(-scale, scale, size=(int(n_initial), n))
    points = _a.find_rate_network_fixed_points(weights, bias, np.atleast_2d(initial_points), kind, **options)
    return [FixedPoint(**p) for p in points]


# --- the figures of `neurodyn analyze` ---------------------------------------------------

def _finite_or_none(x):
    x = float(x)
    return x if math.isfinite(x) else None


def report(result, from_ms=0.0, window=100.0, bin=1.0, correlation_sample=200):
    """The per-population figures of ``neurodyn analyze`` (apps/neurodyn.cpp) as a dict
    shaped like its ``--json`` output: ``{"complete", "from_ms", "to_ms", "populations":
    {name: {"neurons", "spikes", "rate_hz", "cv_isi", "lv", "fano", "count_correlation",
    "peak_hz", "peak_power"}}, "synchrony_chi": {"pop.var": chi}}`` (and "file" for a
    path). Undefined figures are None. `result`: a result-file path, a
    :func:`neurodyn.load_results` dict or a :class:`neurodyn.Simulation`. `from_ms`
    leaves out a transient; `window`: Fano factor windows (ms); `bin`: population-rate
    bins of the spectrum (ms; 5 x bin for the count correlations)."""
    import os
    from .network import Simulation
    from .results import load_results

    path = None
    if isinstance(result, (str, os.PathLike)):
        path = os.fspath(result)
        result = load_results(path)
    if isinstance(result, Simulation):
        sim = result
        core = sim._core
        sizes = {name: size for name, _, size in core.populations()}
        dt, t_stop, complete = sim.dt, sim.t, True
        spikes = {}
        for name in sizes:
            if core.records_spikes(name):
                times, ids = sim.spikes(name)
                spikes[name] = (times, ids, sizes[name])
        traces = []
        for population, variable in core.recorded_states():
            for times, values, neurons, _, _ in core.traces(population, variable):
                traces.append((population, variable, np.asarray(times), np.asarray(values)))
    else:
        attrs = result["attrs"]
        dt = float(attrs["dt"])
        reached = float(attrs.get("t_reached", 0.0))
        t_stop = reached if reached > 0.0 else float(attrs.get("duration_requested", 0.0))
        complete = bool(attrs.get("complete", 0))
        spikes = {name: (e["times"], e["ids"], e.get("n_neurons") or 0) for name, e in result["spikes"].items()}
        traces = [(population, variable, v["times"], v["values"])
                  for population, variables in result["state"].items() for variable, v in variables.items()]

    from_ms, window, bin = float(from_ms), float(window), float(bin)
    if not (0.0 <= from_ms < t_stop):
        raise _value_error(f"from_ms must be >= 0 and before the end of the recording ({t_stop:g} ms), got {from_ms:g} ms")
    if not (window > 0.0 and bin > 0.0):
        raise _value_error("window and bin must be > 0 ms")
    half = 0.5 * dt
    t_start, t_end = from_ms + half, t_stop + half
    populations = {}
    for name, (times, ids, n) in spikes.items():
        times = np.asarray(times, dtype=np.float64)
        ids = np.asarray(ids)
        n = max(int(n), int(ids.max()) + 1 if ids.size else 0)
        keep = (times >= t_start) & (times < t_end)
        times, ids = np.ascontiguousarray(times[keep]), np.ascontiguousarray(ids[keep])
        row = {"neurons": n, "spikes": int(times.size), "rate_hz": None, "cv_isi": None, "lv": None, "fano": None,
               "count_correlation": None, "peak_hz": None, "peak_power": None}
        populations[name] = row
        if n == 0:
            continue
        trains = _a.group_by_neuron(times, ids, n)
        row["rate_hz"] = _finite_or_none(_a.mean_rate_hz(times.size, n, t_end - t_start))
        row["cv_isi"] = _finite_or_none(_a.finite_mean(_a.isi_cv_per_neuron(trains, 2)))
        row["lv"] = _finite_or_none(_a.finite_mean(_a.local_variation(trains, 2)))
        if t_end - t_start >= 2.0 * window:
            row["fano"] = _finite_or_none(_a.finite_mean(_a.fano_factors(trains, t_start, t_end, window)))
        sample = np.flatnonzero(np.diff(trains.offsets) > 0)[:int(correlation_sample)].astype(np.uint32)
        if sample.size >= 2:
            matrix = _a.count_correlation_matrix(trains, sample, t_start, t_end, 5.0 * bin)
            row["count_correlation"] = _finite_or_none(_a.finite_mean(matrix[np.triu_indices(sample.size, 1)]))
        bins = int((t_end - t_start) / bin)
        if bins >= 16:
            f, p, _ = _a.population_spectrum(times, n, t_start, t_end, bin, min(1024, bins))
            nyquist = 500.0 / bin
            peak_hz, peak_power = _a.peak_frequency(f, p, min(2.0, nyquist), nyquist)
            row["peak_hz"], row["peak_power"] = _finite_or_none(peak_hz), _finite_or_none(peak_power)
    synchrony = {}
    for population, variable, times, values in traces:
        values = np.asarray(values, dtype=np.float64)
        if values.ndim != 2 or values.shape[1] < 2 or len(times) < 2:
            continue
        interval = float(times[1] - times[0])
        if interval <= 0.0:
            continue
        first = int(max(0.0, math.ceil((from_ms - float(times[0])) / interval)))
        if first + 2 > values.shape[0]:
            continue
        synchrony[f"{population}.{variable}"] = _finite_or_none(_a.synchrony_chi(np.ascontiguousarray(values[first:])))
    out = {} if path is None else {"file": path}
    out.update({"complete": complete, "from_ms": from_ms, "to_ms": t_stop, "populations": populations,
                "synchrony_chi": synchrony})
    return out
