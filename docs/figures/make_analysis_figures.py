#!/usr/bin/python3
"""Figures of docs/analysis.md: each measure on a case with a known answer.

Run from the repository root after building (the package is taken from build/python):

    PYTHONPATH=build/python /usr/bin/python3 docs/figures/make_analysis_figures.py

Writes docs/figures/analysis_{spike_trains,oscillations,criticality,geometry}.png.
Every input is generated here with fixed seeds, so the figures are reproducible.
"""

import pathlib

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

import neurodyn.analysis as na  # noqa: E402

OUT = pathlib.Path(__file__).resolve().parent
rng = np.random.default_rng(2026)


def gamma_trains(n, rate_hz, shape, duration_ms):
    """n independent gamma renewal trains (shape k: ISI CV 1/sqrt(k))."""
    times, ids = [], []
    mean_isi = 1000.0 / rate_hz
    for i in range(n):
        isis = rng.gamma(shape, mean_isi / shape, size=int(3 * duration_ms / mean_isi) + 10)
        t = np.cumsum(isis)
        t = t[t < duration_ms]
        times.append(t)
        ids.append(np.full(t.size, i))
    t, i = np.concatenate(times), np.concatenate(ids)
    order = np.argsort(t, kind="stable")
    return t[order], i[order]


def spike_trains_figure():
    fig, axes = plt.subplots(1, 3, figsize=(12, 3.4))
    shapes = [1, 4, 16]
    cvs, lvs = [], []
    for k in shapes:
        t, i = gamma_trains(200, 20.0, k, 20000.0)
        cvs.append(np.nanmean(na.isi_cv(t, i, n_neurons=200, t_start=0.0, t_stop=20000.0)))
        lvs.append(np.nanmean(na.local_variation(t, i, n_neurons=200, t_start=0.0, t_stop=20000.0)))
        hist = na.isi_histogram(t, i, n_neurons=200, t_start=0.0, t_stop=20000.0, bin=2.0, max_isi=200.0)
        centres = (np.arange(len(hist["counts"])) + 0.5) * hist["bin_ms"]
        axes[0].plot(centres, hist["counts"] / max(1, hist["n_intervals"]) / hist["bin_ms"], label=f"gamma k={k}")
    axes[0].set(xlabel="ISI (ms)", ylabel="density (1/ms)", title="ISI distributions, 20 Hz")
    axes[0].legend(frameon=False)
    axes[1].plot(shapes, cvs, "o", label="CV measured")
    axes[1].plot(shapes, 1 / np.sqrt(shapes), "-", color="gray", label="1/sqrt(k)")
    axes[1].plot(shapes, lvs, "s", label="LV measured")
    axes[1].plot(shapes, 3 / (2 * np.array(shapes) + 1), "--", color="gray", label="3/(2k+1)")
    axes[1].set(xscale="log", xlabel="gamma shape k", title="CV and LV against theory")
    axes[1].legend(frameon=False)
    # A delayed copy: the cross-correlogram peaks at the delay.
    a = np.sort(rng.uniform(0, 20000.0, 400))
    b = np.sort(np.concatenate([a[rng.random(a.size) < 0.5] + 3.0, rng.uniform(0, 20000.0, 200)]))
    lags, values = na.cross_correlogram(a, b, bin=1.0, max_lag=30.0, t_start=0.0, t_stop=20003.0, norm="independence")
    axes[2].bar(lags, values, width=1.0)
    axes[2].set(xlabel="lag (ms)", ylabel="counts / expected", title="cross-correlogram, b = a + 3 ms (half)")
    fig.tight_layout()
    fig.savefig(OUT / "analysis_spike_trains.png", dpi=100)
    plt.close(fig)


def oscillations_figure():
    fig, axes = plt.subplots(1, 3, figsize=(12, 3.4))
    # Inhomogeneous Poisson population modulated at 40 Hz: the spectral peak.
    duration, n = 10000.0, 500
    grid = np.arange(0.0, duration, 0.1)
    rate = 20.0 * (1 + 0.5 * np.sin(2 * np.pi * 40.0 * grid / 1000.0))
    counts = rng.poisson(rate * 0.1e-3 * n)
    t = np.repeat(grid, counts) + rng.uniform(0, 0.1, counts.sum())
    i = rng.integers(0, n, t.size)
    f, p = na.population_spectrum(t, i, n_neurons=n, t_start=0.0, t_stop=duration, bin=1.0, nperseg=1024)
    axes[0].loglog(f[1:], p[1:])
    peak = na.peak_frequency(f, p, 2.0)
    axes[0].plot([peak[0]], [peak[1]], "o", color="tab:red", label=f"peak {peak[0]:.1f} Hz")
    axes[0].set(xlabel="frequency (Hz)", ylabel="power", title="rate modulated at 40 Hz")
    axes[0].legend(frameon=False)
    # 1/f^1.5 noise: the aperiodic exponent.
    x = np.fft.irfft(np.fft.rfft(rng.normal(size=2 ** 16)) / np.maximum(np.arange(2 ** 15 + 1), 1) ** 0.75)
    f2, p2 = na.welch(x, 1000.0, nperseg=2048)
    fit = na.aperiodic_exponent(f2, p2, 2.0, 200.0)
    axes[1].loglog(f2[1:], p2[1:], label="Welch")
    band = (f2 >= 2) & (f2 <= 200)
    axes[1].loglog(f2[band], 10 ** fit["offset"] * f2[band] ** -fit["exponent"], color="tab:red",
                   label=f"fit exponent {fit['exponent']:.2f} (true 1.5)")
    axes[1].set(xlabel="frequency (Hz)", title="aperiodic 1/f exponent")
    axes[1].legend(frameon=False)
    # Kuramoto order of locked against independent oscillators.
    periods = 100.0
    locked = [np.arange(100.0, 5000.0, periods) + rng.normal(0, 2, 49) for _ in range(100)]
    free = [np.arange(rng.uniform(0, 100), 5000.0, rng.uniform(90, 110)) for _ in range(100)]
    for trains, label in ((locked, "locked"), (free, "independent")):
        k = na.kuramoto([np.sort(tr) for tr in trains], t_start=0.0, t_stop=5000.0, dt=5.0)
        axes[2].plot(k.times, k.r, label=f"{label}: mean R {k.mean_r:.2f}")
    axes[2].axhline(np.sqrt(np.pi / 400), color="gray", linestyle=":", label="sqrt(pi/4N)")
    axes[2].set(xlabel="time (ms)", ylabel="R(t)", title="Kuramoto order from spike phases", ylim=(0, 1.05))
    axes[2].legend(frameon=False, fontsize=8)
    fig.tight_layout()
    fig.savefig(OUT / "analysis_oscillations.png", dpi=100)
    plt.close(fig)


def criticality_figure():
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.4))
    # A critical branching process (m = 1) with rare drive: power-law avalanche sizes
    # with exponent 3/2 (mean-field).
    activity = np.zeros(400000, dtype=np.int64)
    for start in range(0, activity.size, 400):
        a = 1
        step = start
        while a > 0 and step < activity.size and step < start + 399:
            activity[step] += a
            a = rng.poisson(1.0 * a)
            step += 1
    aval = na.avalanches(counts=activity)
    sizes = np.asarray(aval.sizes)
    # Complementary distribution P(S >= s): a power law of exponent alpha has slope 1 - alpha.
    ordered = np.sort(sizes)
    ccdf = 1.0 - np.arange(ordered.size) / ordered.size
    axes[0].loglog(ordered, ccdf, ".", markersize=3, label=f"{sizes.size} avalanches")
    fit = na.fit_power_law(sizes)
    x = np.unique(ordered[ordered >= fit.x_min]).astype(float)
    tail = np.mean(sizes >= fit.x_min)
    axes[0].loglog(x, tail * (x / fit.x_min) ** (1.0 - fit.alpha), color="tab:red",
                   label=f"MLE alpha {fit.alpha:.2f} (theory 1.5)")
    axes[0].set(xlabel="size s", ylabel="P(S >= s)", title="avalanches of a critical branching process")
    axes[0].legend(frameon=False)
    # Branching ratio under subsampling: naive vs multistep regression.
    m_true, drive = 0.9, 20.0
    a = np.zeros(50000)
    a[0] = drive / (1 - m_true)
    for t in range(1, a.size):
        a[t] = rng.poisson(m_true * a[t - 1] + drive)
    fractions = [1.0, 0.5, 0.2, 0.1, 0.05]
    naive, mr = [], []
    for q in fractions:
        observed = rng.binomial(a.astype(np.int64), q)
        naive.append(na.branching_ratio_naive(observed))
        mr.append(na.branching_ratio(observed).m)
    axes[1].plot(fractions, naive, "o-", label="naive")
    axes[1].plot(fractions, mr, "s-", label="multistep regression")
    axes[1].axhline(m_true, color="gray", linestyle=":", label="true m = 0.9")
    axes[1].set(xscale="log", xlabel="fraction of units observed", ylabel="estimated m",
                title="branching ratio under subsampling")
    axes[1].legend(frameon=False)
    fig.tight_layout()
    fig.savefig(OUT / "analysis_criticality.png", dpi=100)
    plt.close(fig)


def geometry_figure():
    fig, axes = plt.subplots(1, 3, figsize=(12, 3.4))
    # Data on a 3-D subspace of 50 dimensions: the participation ratio counts it.
    latent = rng.normal(size=(2000, 3)) * [3.0, 2.0, 1.0]
    data = latent @ rng.normal(size=(3, 50)) + 0.1 * rng.normal(size=(2000, 50))
    p = na.pca(data)
    axes[0].plot(np.arange(1, 11), p.explained_variance_ratio[:10], "o-")
    axes[0].set(xlabel="component", ylabel="explained variance ratio",
                title=f"PCA; participation ratio {na.participation_ratio(data):.2f}")
    # RDMs of 20 conditions in two rotated representations: identical geometry.
    conditions = rng.normal(size=(20, 30))
    q, _ = np.linalg.qr(rng.normal(size=(30, 30)))
    r1 = na.rdm(conditions, metric="euclidean")
    r2 = na.rdm(2.0 * conditions @ q, metric="euclidean")
    axes[1].imshow(r1, cmap="viridis")
    axes[1].set(title=f"RDM; vs rotated+scaled: rho {na.compare_rdms(r1, r2):.3f}")
    # CKA as noise is added to a representation.
    noise_levels = [0.0, 0.5, 1.0, 2.0, 4.0]
    cka = [na.cka(conditions, conditions + s * rng.normal(size=conditions.shape)) for s in noise_levels]
    axes[2].plot(noise_levels, cka, "o-")
    axes[2].set(xlabel="added noise (sd)", ylabel="linear CKA", title="CKA: 1 for the same geometry", ylim=(0, 1.05))
    fig.tight_layout()
    fig.savefig(OUT / "analysis_geometry.png", dpi=100)
    plt.close(fig)


if __name__ == "__main__":
    spike_trains_figure()
    oscillations_figure()
    criticality_figure()
    geometry_figure()
    print("wrote", ", ".join(sorted(p.name for p in OUT.glob("analysis_*.png"))))
