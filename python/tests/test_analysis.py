"""neurodyn.analysis (python/neurodyn/analysis.py over the bindings in python/src/analysis.cpp):
every measure against a known answer, the sources of spike data (arrays, Simulation,
load_results, Neo, lists of trains), the errors (ValueError with the C++ message), and
report() equal to `neurodyn analyze --json`.

Statistical tolerances are 4 standard deviations with fixed seeds; exact ones say where
their size comes from (rounding of a few hundred operations: 1e-12; SciPy/NumPy agree
with the C++ implementation to rounding: 1e-10).
"""

import json
import math
import sys

import numpy as np
import pytest

from conftest import build_dir

PACKAGE_DIR = build_dir() / "python"
if not (PACKAGE_DIR / "neurodyn" / "analysis.py").is_file():
    pytest.skip(f"the Python package is not built: {PACKAGE_DIR / 'neurodyn'} lacks analysis.py (build the "
                "neurodyn_python target, or point NEURODYN_BUILD_DIR at the build directory)",
                allow_module_level=True)
sys.path.insert(0, str(PACKAGE_DIR))

import neurodyn as nd  # noqa: E402
import neurodyn.analysis as na  # noqa: E402

try:
    import neo  # noqa: F401
    import quantities as pq
    HAVE_NEO = True
except ImportError:
    HAVE_NEO = False


def poisson_spikes(n=100, rate_hz=20.0, t_ms=10000.0, seed=1):
    """Homogeneous Poisson trains: times (ms, sorted in time) and ids."""
    rng = np.random.default_rng(seed)
    counts = rng.poisson(rate_hz * t_ms / 1000.0, size=n)
    times = rng.uniform(0.0, t_ms, size=counts.sum())
    ids = np.repeat(np.arange(n), counts)
    order = np.argsort(times, kind="stable")
    return times[order], ids[order]


# --- spike-train statistics --------------------------------------------------------------

def test_poisson_rates_cv_lv_fano():
    n, rate, t = 100, 20.0, 10000.0
    times, ids = poisson_spikes(n, rate, t)
    r = na.rates(times, ids, n_neurons=n, t_start=0.0, t_stop=t)
    # exactly the counts / T
    np.testing.assert_array_equal(r, np.bincount(ids, minlength=n) / (t / 1000.0))
    # total count is Poisson(n r T): 4 sd of the mean rate = 4 sqrt(n r T) / (n T)
    assert abs(r.mean() - rate) < 4 * math.sqrt(n * rate * t / 1000.0) / (n * t / 1000.0)

    cv = na.isi_cv(times, ids, n_neurons=n, t_start=0.0, t_stop=t)
    expected = [np.std(np.diff(times[ids == i]), ddof=1) / np.mean(np.diff(times[ids == i])) for i in range(n)]
    np.testing.assert_allclose(cv, expected, rtol=1e-12)  # the same formula, summation order aside
    # CV of ~200 exponential intervals has sd ~ 1/sqrt(200) = 0.071; the mean of 100: 0.0071
    assert abs(cv.mean() - 1.0) < 4 * 0.0071

    lv = na.local_variation(times, ids, n_neurons=n, t_start=0.0, t_stop=t)
    assert abs(np.nanmean(lv) - 1.0) < 4 * np.nanstd(lv) / math.sqrt(n)  # 4 standard errors over neurons

    ff = na.fano_factor(times, ids, window=100.0, n_neurons=n, t_start=0.0, t_stop=t)
    # W = 100 windows: sd of a Fano factor ~ sqrt(2 / (W - 1)) = 0.142, of the mean of 100: 0.0142
    assert abs(np.nanmean(ff) - 1.0) < 4 * 0.0142


def test_regular_train_and_isi_histogram():
    times = np.arange(1.0, 1001.0, 10.0)
    ids = np.zeros(times.size, dtype=np.int64)
    assert na.isi_cv(times, ids)[0] == pytest.approx(0.0, abs=1e-12)
    assert na.local_variation(times, ids)[0] == pytest.approx(0.0, abs=1e-12)
    h = na.isi_histogram(times, ids, bin=1.0, max_isi=20.0)
    assert h["n_intervals"] == 99 and h["counts"][10] == 99 and h["n_beyond"] == 0


def test_count_correlations_cross_correlogram_sttc():
    a, _ = poisson_spikes(1, 20.0, 10000.0, seed=3)
    both = np.concatenate([a, a + 3.0])
    ids = np.repeat([0, 1], a.size)
    order = np.argsort(both, kind="stable")
    matrix, neurons = na.count_correlations(both[order], ids[order], bin=50.0, t_start=0.0, t_stop=10010.0)
    assert list(neurons) == [0, 1] and matrix.shape == (2, 2)
    assert matrix[0, 1] > 0.9  # a copy 3 ms later shares almost every 50 ms bin
    lags, values = na.cross_correlogram(a, a + 3.0, bin=1.0, max_lag=10.0)
    assert lags[np.argmax(values)] == 3.0 and values.max() >= a.size
    lag = (a + 3.0)[None, :] - a[:, None]  # brute force over all pairs (no lag lands on a bin edge)
    brute = [np.count_nonzero(np.abs(lag - m) < 0.5) for m in lags]
    np.testing.assert_array_equal(values, brute)
    assert na.sttc(a, a, dt=5.0) == pytest.approx(1.0, abs=1e-12)
    assert na.sttc(a, a + 3.0, dt=5.0) == pytest.approx(1.0, abs=1e-12)  # shift < dt


def test_population_rate_and_spectrum():
    n, rate, t = 100, 20.0, 10000.0
    times, ids = poisson_spikes(n, rate, t, seed=4)
    centres, r = na.population_rate(times, ids, bin=1.0, kernel="box", width=1.0, n_neurons=n, t_start=0.0, t_stop=t)
    assert centres[0] == 0.5 and r.size == 10000
    # a box of one bin is the histogram itself: mean = count / (n T)
    assert r.mean() == pytest.approx(times.size / n / (t / 1000.0), rel=1e-12)
    f, p = na.population_spectrum(times, ids, bin=1.0, nperseg=1000, n_neurons=n, t_start=0.0, t_stop=t)
    assert f[1] == pytest.approx(1.0) and p.size == 501
    # shot noise: flat at 2 r / N (Hz^2/Hz); the mean over 499 bins of ~19 averaged segments
    assert np.mean(p[1:-1]) == pytest.approx(2 * rate / n, rel=0.05)


def test_kuramoto_quarter_period():
    a = np.arange(0.0, 1000.0, 10.0)
    b = a + 2.5
    k = na.kuramoto([a, b], dt=0.5, t_start=2.5, t_stop=990.0)
    assert k.mean_r == pytest.approx(math.cos(math.pi / 4), abs=1e-12)  # a phase lag of pi/2, exactly


def test_welch_equals_scipy():
    signal = pytest.importorskip("scipy.signal")
    x = np.random.default_rng(5).normal(size=5000).cumsum()
    for nperseg, noverlap in [(256, None), (250, 100), (333, 0), (1000, 999)]:
        f, p = na.welch(x, 250.0, nperseg=nperseg, noverlap=noverlap)
        fs, ps = signal.welch(x, 250.0, nperseg=nperseg, noverlap=noverlap)
        np.testing.assert_allclose(f, fs, rtol=1e-12)
        np.testing.assert_allclose(p, ps, rtol=1e-10, atol=0)


def test_peak_band_aperiodic_pac_fft():
    f = np.arange(0.0, 101.0)
    p = np.where(f > 0, f, 1.0) ** -1.5
    p[40] = 1.0
    assert na.peak_frequency(f, p, 20.0, 60.0) == (40.0, 1.0)
    assert na.band_power(f, np.ones_like(f), 10.0, 19.5) == pytest.approx(10.0)
    clean = np.arange(1.0, 100.0) ** -1.5
    fit = na.aperiodic_exponent(np.arange(1.0, 100.0), clean, 1.0, 99.0)
    assert fit["exponent"] == pytest.approx(1.5, abs=1e-12)  # an exact power law, least squares to rounding
    phase = np.linspace(-math.pi, math.pi, 1800, endpoint=False)
    assert na.modulation_index(phase, np.ones_like(phase)).modulation_index == pytest.approx(0.0, abs=1e-12)
    x = np.random.default_rng(6).normal(size=1000)
    np.testing.assert_allclose(na.fft(x), np.fft.fft(x), atol=1e-12 * np.abs(np.fft.fft(x)).max())
    np.testing.assert_allclose(na.rfft(x[:997]), np.fft.rfft(x[:997]), atol=1e-12 * 1000)  # Bluestein
    np.testing.assert_allclose(na.analytic_signal(x).real, x, atol=1e-12)


def test_chi():
    x = np.random.default_rng(7).normal(size=(2000, 1))
    assert na.chi(np.repeat(x, 10, axis=1)) == pytest.approx(1.0, abs=1e-12)
    independent = np.random.default_rng(8).normal(size=(2000, 100))
    assert na.chi(independent) == pytest.approx(0.1, abs=0.02)  # 1 / sqrt(N), N = 100


# --- criticality ---------------------------------------------------------------------------

def test_avalanches_and_power_law():
    av = na.avalanches(counts=[0, 1, 2, 0, 0, 3, 0, 5])
    assert list(av.sizes) == [3, 3] and list(av.durations) == [2, 1]  # the run touching the end is dropped
    av = na.avalanches(np.array([1.0, 2.0, 10.0, 11.0, 12.0, 30.0]), bin=4.0, t_start=0.0, t_stop=40.0)
    # 4 ms bins: [0, 4) holds 2 spikes but touches the first bin (dropped); then 3 in [8, 12) and [12, 16)
    # (durations 2) and 1 in [28, 32)
    assert list(av.sizes) == [3, 1] and list(av.durations) == [2, 1] and av.bin_ms == 4.0

    data = np.random.default_rng(9).zipf(2.5, size=10000)  # exact discrete power law, x_min = 1
    fit = na.fit_power_law(data, x_min=1)
    assert fit.x_min == 1 and fit.n_tail == data.size
    assert abs(fit.alpha - 2.5) < 4 * fit.alpha_stderr  # SE = (alpha - 1) / sqrt(n) = 0.015
    searched = na.fit_power_law(data)
    assert abs(searched.alpha - 2.5) < 4 * searched.alpha_stderr
    cmp = na.compare_power_law(data, fit)
    assert cmp["vs_exponential"]["log_likelihood_ratio"] > 0 and cmp["vs_exponential"]["p_value"] < 1e-4


def test_branching_ratio_of_a_branching_process():
    rng = np.random.default_rng(10)
    m, h, n = 0.9, 10.0, 100000
    a = np.empty(n)
    a[0] = h / (1 - m)
    for t in range(1, n):
        a[t] = rng.poisson(m * a[t - 1] + h)
    mr = na.branching_ratio(a)
    # sd of the MR estimate over seeds 0.0046 (docs/analysis.md), bound ~4 sd
    assert abs(mr.m - 0.9) < 0.02 and abs(mr.b - 1.0) < 0.1 and mr.slopes.size == 40
    # with a drive h the naive ratio is biased to E[A_{t+1}] / E[A_t] = 1 for a stationary process
    assert na.branching_ratio_naive(a) == pytest.approx(1.0, abs=0.01)


# --- connectivity and geometry -----------------------------------------------------------------

def test_correlations_granger_and_comparison():
    rng = np.random.default_rng(11)
    x = rng.normal(size=(3000, 4))
    x[:, 1] += 0.8 * x[:, 0]
    np.testing.assert_allclose(na.correlation_matrix(x), np.corrcoef(x.T), atol=1e-12)
    precision = np.linalg.inv(np.cov(x.T))
    d = np.sqrt(np.diag(precision))
    expected = -precision / np.outer(d, d)
    np.fill_diagonal(expected, 1.0)
    np.testing.assert_allclose(na.partial_correlation(x), expected, atol=1e-10)

    source = np.zeros(2000)
    target = np.zeros(2000)
    e = rng.normal(size=(2000, 2))
    for t in range(1, 2000):
        source[t] = 0.5 * source[t - 1] + e[t, 0]
        target[t] = 0.3 * target[t - 1] + 0.8 * source[t - 1] + e[t, 1]
    forward, backward = na.granger(source, target, order=2), na.granger(target, source, order=2)
    assert forward.p_value < 1e-12 and backward.p_value > 1e-3 and forward.df1 == 2
    g = na.granger_matrix(np.column_stack([source, target]), order=2)
    assert g[0, 1] == pytest.approx(forward.log_ratio, rel=1e-12) and g[0, 0] == 0.0

    truth = np.array([[0, 1, 0], [0, 0, 1], [1, 0, 0]])
    c = na.compare_connectivity(truth * 2.0 + 0.1, truth, threshold=1.0)
    assert (c["true_positives"], c["false_positives"], c["false_negatives"], c["true_negatives"]) == (3, 0, 0, 3)
    assert c["precision"] == c["recall"] == c["f1"] == c["auc"] == 1.0


def test_pca_participation_rdm_cka():
    rng = np.random.default_rng(12)
    data = rng.normal(size=(300, 6)) @ rng.normal(size=(6, 6))
    result = na.pca(data)
    eig = np.sort(np.linalg.eigvalsh(np.cov(data.T)))[::-1]
    np.testing.assert_allclose(result.explained_variance, eig, atol=1e-10 * eig[0])
    assert result.components.shape == (6, 6) and result.scores.shape == (300, 6)
    np.testing.assert_allclose(result.scores, (data - data.mean(axis=0)) @ result.components.T, atol=1e-10)
    assert na.participation_ratio(data) == pytest.approx(eig.sum() ** 2 / (eig ** 2).sum(), rel=1e-10)
    assert na.participation_ratio(np.vstack([np.eye(7), -np.eye(7)])) == pytest.approx(7.0, rel=1e-12)
    assert na.participation_ratio(eigenvalues=[1.0, 1.0]) == 2.0

    triangle = np.array([[0.0, 0.0], [3.0, 0.0], [0.0, 4.0]])
    np.testing.assert_allclose(na.rdm(triangle, "euclidean"), [[0, 3, 4], [3, 0, 5], [4, 5, 0]], atol=1e-12)
    r = na.rdm(data[:10], "correlation")
    assert na.compare_rdms(r, r) == pytest.approx(1.0, abs=1e-12)
    q, _ = np.linalg.qr(rng.normal(size=(6, 6)))
    assert na.cka(data, data) == pytest.approx(1.0, abs=1e-12)
    assert na.cka(data, 3.0 * data @ q + 1.0) == pytest.approx(1.0, abs=1e-12)  # invariances
    assert na.cka(data[:50], data[:50], kernel="rbf") == pytest.approx(1.0, abs=1e-12)


def test_fixed_points_of_a_bistable_network():
    points = na.fixed_points(2.0 * np.eye(2), n_initial=200, scale=1.5, seed=1)
    fixed = [p for p in points if p.is_fixed_point]
    assert len(fixed) == 9  # {0, +-x*}^2 with x* = tanh(2 x*)
    x_star = max(abs(p.x).max() for p in fixed)
    assert x_star == pytest.approx(math.tanh(2 * x_star), abs=1e-10) and x_star == pytest.approx(0.9575, abs=1e-4)
    corner = next(p for p in fixed if np.all(np.abs(p.x) > 0.5))
    np.testing.assert_allclose(np.sort(corner.eigenvalues.real), 2 * (1 - x_star ** 2), rtol=1e-8)


# --- errors ------------------------------------------------------------------------------

def test_errors_carry_the_cpp_message():
    with pytest.raises(ValueError, match=r"^welch_psd: fs_hz must be a finite number > 0, got -1$") as info:
        na.welch(np.ones(10), -1.0)
    assert isinstance(info.value, nd.NeurodynValueError) and info.value.key == "fs_hz"
    with pytest.raises(ValueError, match=r"^group_by_neuron: ids must have as many elements as times_ms \(3\), got 2$"):
        na.rates([1.0, 2.0, 3.0], [0, 1])
    with pytest.raises(ValueError, match=r"^group_by_neuron: ids must be >= 0; element 1 is -4$"):
        na.rates([1.0, 2.0], [0, -4], n_neurons=2)
    with pytest.raises(ValueError, match=r"^group_by_neuron: ids must be < n_neurons \(2\); element 1 is 5$"):
        na.rates([1.0, 2.0], [0, 5], n_neurons=2)
    with pytest.raises(ValueError, match=r"^fit_discrete_power_law: data must be >= 1; element 2 is 0$"):
        na.fit_power_law([1, 2, 0])
    with pytest.raises(ValueError, match=r"^pca: data must be a 2-D array, got 1 dimensions$"):
        na.pca(np.ones(5))
    with pytest.raises(ValueError, match=r"^population_rate_hz: kernel must be one of box, gaussian, exponential, "
                                         r"alpha, got 'boxy'$"):
        na.population_rate([1.0], [0], kernel="boxy")
    with pytest.raises(ValueError, match=r"^cka_linear: y must have as many rows \(samples\) as x \(3\), got 4$"):
        na.cka(np.ones((3, 2)), np.ones((4, 2)))


# --- sources of spike data -------------------------------------------------------------

LIF = {"tau_m": 20.0, "v_rest": 0.0, "v_thresh": 20.0, "v_reset": 10.0, "tau_refrac": 2.0}


def small_simulation(output=None):
    net = nd.Network(dt=0.1, seed=3)
    E = net.population("E", "IF_curr_delta", 200, params=LIF, initial={"v": nd.uniform(0.0, 20.0)})
    I = net.population("I", "IF_curr_delta", 50, params=LIF, initial={"v": nd.uniform(0.0, 20.0)})
    for source, weight, receptor in [(E, 0.2, "excitatory"), (I, -1.0, "inhibitory")]:
        for target in (E, I):
            net.connect(source, target, nd.fixed_number_pre(20, allow_autapses=False), weight=weight, delay=1.5,
                        receptor=receptor)
    for target in (E, I):
        net.poisson_input(target, rate=15000.0, weight=0.1)
        net.record_spikes(target)
    net.record_state(E, "v", neurons=[0, 1, 2, 3], interval=1.0)
    sim = net.build(output=output)
    sim.run(500.0)
    return sim


def test_sources_agree(tmp_path):
    path = tmp_path / "run.h5"
    sim = small_simulation(output=str(path))
    sim.close()
    times, ids = sim.spikes("E")
    from_sim = na.rates(sim, population="E")
    assert from_sim.size == 200 and times.size > 1000
    # the default window [dt/2, t + dt/2) holds every recorded spike
    np.testing.assert_allclose(from_sim, np.bincount(ids, minlength=200) / 0.5, rtol=1e-12)
    np.testing.assert_array_equal(na.rates(nd.load_results(path), population="E"), from_sim)
    np.testing.assert_array_equal(na.rates(times, ids, n_neurons=200, t_start=0.05, t_stop=500.05), from_sim)
    trains = [times[ids == i] for i in range(200)]
    np.testing.assert_array_equal(na.rates(trains, t_start=0.05, t_stop=500.05), from_sim)
    with pytest.raises(ValueError, match="records spikes of 2 populations"):
        na.rates(sim)


@pytest.mark.skipif(not HAVE_NEO, reason="neo (python3-neo) is not installed")
def test_neo_segment_and_spike_trains():
    import neo
    times, ids = poisson_spikes(20, 20.0, 2000.0, seed=13)
    seconds = [neo.SpikeTrain(times[ids == i] / 1000.0 * pq.s, t_start=0.0 * pq.s, t_stop=2.0 * pq.s)
               for i in range(20)]
    segment = neo.Segment()
    segment.spiketrains.extend(seconds)
    expected = na.rates(times, ids, n_neurons=20, t_start=0.0, t_stop=2000.0)
    np.testing.assert_allclose(na.rates(segment), expected, rtol=1e-12)  # window [0, 2 s] from the trains
    np.testing.assert_allclose(na.isi_cv(seconds), na.isi_cv(times, ids, n_neurons=20, t_start=0.0, t_stop=2000.0),
                               rtol=1e-9)  # s -> ms conversion rounds each time
    d = na.spike_data(segment)
    assert d.n_neurons == 20 and d.t_start == 0.0 and d.t_stop == pytest.approx(2000.0)


# --- report() against the command ------------------------------------------------------

def test_report_equals_cli_json(neurodyn, tmp_path):
    path = tmp_path / "run.h5"
    sim = small_simulation(output=str(path))
    sim.close()
    out = tmp_path / "analysis.json"
    process = neurodyn.command("analyze", path, "--from", "50", "--window", "50", "--bin", "2", "--json", out)
    assert process.returncode == 0, process.stderr
    cli = json.loads(out.read_text())
    ours = na.report(path, from_ms=50.0, window=50.0, bin=2.0)
    assert ours["file"] == str(path)
    assert ours == cli  # the same C++ functions on the same numbers: equal to the last bit
    assert set(cli["populations"]) == {"E", "I"} and "E.v" in cli["synchrony_chi"]
    assert cli["populations"]["E"]["cv_isi"] is not None
    from_sim = na.report(sim, from_ms=50.0, window=50.0, bin=2.0)
    del ours["file"]
    assert from_sim == ours


def test_pca_matches_scikit_learn():
    """The issue's reference in Debian: scikit-learn's PCA (python3-sklearn, installed by
    scripts/setup.sh). Explained variances and ratios agree to 1e-10 relative; components
    and scores to 1e-8 up to each component's sign (both are eigenvectors; scikit-learn
    fixes the sign by its own convention)."""
    from sklearn.decomposition import PCA

    rng = np.random.default_rng(5)
    data = rng.normal(size=(300, 6)) @ rng.normal(size=(6, 6)) + rng.normal(size=6)
    ours = na.pca(data, 4)
    theirs = PCA(n_components=4, svd_solver="full").fit(data)
    np.testing.assert_allclose(ours.explained_variance[:4], theirs.explained_variance_, rtol=1e-10)
    np.testing.assert_allclose(ours.explained_variance_ratio[:4], theirs.explained_variance_ratio_, rtol=1e-10)
    signs = np.sign(np.sum(ours.components * theirs.components_, axis=1))
    np.testing.assert_allclose(ours.components * signs[:, None], theirs.components_, atol=1e-8)
    np.testing.assert_allclose(ours.scores[:, :4] * signs, theirs.transform(data), atol=1e-8)
