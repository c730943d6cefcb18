"""Figures of the analysis of a result file: what `neurodyn analyze --plot FILE` draws.

One figure, four panels for the first population with spikes (or the one named):
raster of up to 200 neurons, population rate (Gaussian kernel), the spectrum of the
population rate (Welch, log-log, its peak marked) and the avalanche size distribution
of a sample of 100 neurons (log-log, with the maximum-likelihood power law when there
are enough avalanches).
"""

from __future__ import annotations

import sys

import numpy as np

from . import analysis
from .results import load_results

MAX_RASTER_NEURONS = 200
MIN_AVALANCHES_FOR_FIT = 50
AVALANCHE_SAMPLE = 100  # neurons


def analysis_figure(result_path, out_path, population=None, from_ms=0.0, bin_ms=1.0):
    """Draws the four panels for `population` of the result file into `out_path` (PNG, SVG
    or PDF by its extension). Raises ValueError when the file has no spikes to analyse."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    result = load_results(result_path)
    spikes = result.get("spikes", {})
    names = [name for name in spikes if len(spikes[name]["times"]) > 0]
    if population is None:
        if not names:
            raise ValueError(f"{result_path}: no recorded spikes to plot")
        population = names[0]
    elif population not in spikes:
        raise KeyError(f"no spike population '{population}' in {result_path} (recorded: {', '.join(spikes)})")

    attrs = result["attrs"]
    half_step = 0.5 * float(attrs["dt"])
    t_stop = float(attrs.get("t_reached") or attrs.get("duration_requested"))
    window = dict(population=population, t_start=from_ms + half_step, t_stop=t_stop + half_step)
    data = analysis.spike_data(result, **window)

    fig, axes = plt.subplots(2, 2, figsize=(11, 7))
    raster_ax, rate_ax, spectrum_ax, avalanche_ax = axes.ravel()

    shown = (data.ids < MAX_RASTER_NEURONS) & (data.times >= data.t_start) & (data.times < data.t_stop)
    raster_ax.plot(data.times[shown], data.ids[shown], "|", markersize=2, color="tab:blue")
    raster_ax.set(xlabel="time (ms)", ylabel=f"neuron (first {MAX_RASTER_NEURONS})",
                  title=f"{population}: {data.n_neurons} neurons, {data.times.size} spikes")

    times, rate = analysis.population_rate(result, bin=bin_ms, kernel="gaussian", width=2.0, **window)
    rate_ax.plot(times, rate, color="tab:blue", linewidth=0.8)
    rate_ax.set(xlabel="time (ms)", ylabel="rate (Hz per neuron)", title="population rate (Gaussian, sd 2 ms)")

    n_bins = int((t_stop - from_ms) / bin_ms)
    frequencies, power = analysis.population_spectrum(result, bin=bin_ms, nperseg=min(1024, max(16, n_bins)),
                                                      **window)
    keep = frequencies > 0
    spectrum_ax.loglog(frequencies[keep], power[keep], color="tab:blue", linewidth=0.8)
    peak_f, peak_p = analysis.peak_frequency(frequencies, power, 2.0)
    spectrum_ax.plot([peak_f], [peak_p], "o", color="tab:red", label=f"peak {peak_f:.1f} Hz")
    spectrum_ax.legend(frameon=False)
    spectrum_ax.set(xlabel="frequency (Hz)", ylabel="power (Hz² / Hz)", title="spectrum of the population rate")

    # Avalanches of a sample of neurons, as an electrode array would see them: a whole
    # network of thousands is never silent for a bin, so it makes one endless avalanche.
    # Beggs & Plenz bin at the mean inter-event interval, but never below the time step
    # (spikes are stamped on the step grid; a finer bin only splits one step's events).
    sampled = (data.ids < AVALANCHE_SAMPLE) & (data.times >= data.t_start) & (data.times < data.t_stop)
    mean_interval = (data.t_stop - data.t_start) / max(np.count_nonzero(sampled), 1)
    aval = analysis.avalanches(data.times[sampled], data.ids[sampled], bin=max(mean_interval, float(attrs["dt"])),
                               n_neurons=min(AVALANCHE_SAMPLE, data.n_neurons), t_start=data.t_start,
                               t_stop=data.t_stop)
    sizes = np.asarray(aval.sizes)
    if sizes.size:
        values, counts = np.unique(sizes, return_counts=True)
        avalanche_ax.loglog(values, counts / sizes.size, ".", color="tab:blue", label=f"{sizes.size} avalanches")
        if sizes.size >= MIN_AVALANCHES_FOR_FIT and np.unique(sizes).size > 2:
            fit = analysis.fit_power_law(sizes)
            x = values[values >= fit.x_min].astype(float)
            tail_fraction = np.mean(sizes >= fit.x_min)
            model = x ** -fit.alpha
            model *= tail_fraction / np.sum(model) if np.sum(model) > 0 else 1.0
            avalanche_ax.loglog(x, model, color="tab:red", label=f"power law, alpha {fit.alpha:.2f}")
        avalanche_ax.legend(frameon=False)
    else:
        avalanche_ax.text(0.5, 0.5, "no complete avalanche", ha="center", va="center",
                          transform=avalanche_ax.transAxes)
    avalanche_ax.set(xlabel="avalanche size (spikes)", ylabel="fraction",
                     title=f"avalanches of {min(AVALANCHE_SAMPLE, data.n_neurons)} neurons (bins of {aval.bin_ms:.2g} ms)")

    complete = "" if int(attrs.get("complete", 1)) == 1 else " (incomplete run)"
    fig.suptitle(f"{result_path}{complete}, from {from_ms:g} ms")
    fig.tight_layout()
    fig.savefig(out_path, dpi=110)
    plt.close(fig)
    return population


def main(argv=None):
    """Command line used by `neurodyn analyze --plot`: RESULT OUT FROM_MS BIN_MS."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 4:
        print("usage: analysis_plot RESULT OUT FROM_MS BIN_MS", file=sys.stderr)
        return 2
    try:
        analysis_figure(args[0], args[1], from_ms=float(args[2]), bin_ms=float(args[3]))
    except (ValueError, KeyError, OSError) as error:
        print(f"neurodyn: error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
