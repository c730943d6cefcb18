"""Figures of neurodyn results: a spike raster with the population rate underneath, and
membrane (state) traces.

From Python::

    import neurodyn.plot as ndplot
    fig = ndplot.raster(sim)                # every population whose spikes are recorded
    fig = ndplot.traces(sim, "E", "v")      # recorded samples of E.v
    fig = ndplot.weights(sim, "EE")         # weights recorded by Network.record_weights
    fig.savefig("brunel.png")

The same drawing makes the figure of a result file, ``plot_result_file`` (what
``scripts/plot_results.py`` calls). This module needs NumPy and matplotlib (and h5py for
files) and leaves the matplotlib backend alone; it does not need neurodyn's compiled
module, so the script can load it from a source tree that is not built.
"""

import os

import h5py
import numpy as np

FORMAT_NAME = "neurodyn-result"
FORMAT_VERSION = 1
TRACES_SHOWN = 5


class ResultFileError(Exception):
    """A result file that cannot be plotted; the message is for the user."""


def population_rate(times_ms, n_neurons, t_start_ms, t_stop_ms, bin_ms):
    """Population firing rate in Hz, per neuron, in whole bins of `bin_ms` from t_start.

    Returns (bin_edges_ms, rate_hz): rate_hz[i] = (spikes in [edge i, edge i+1)) /
    (n_neurons * bin_ms / 1000). Only whole bins are used, so the last edge is at or
    before t_stop (a partial last bin would read as a drop in rate); a window shorter
    than one bin gives one bin of the window's length.
    """
    if n_neurons <= 0:
        raise ValueError(f"n_neurons must be > 0, got {n_neurons}")
    if not bin_ms > 0:
        raise ValueError(f"bin must be > 0 ms, got {bin_ms}")
    if not t_stop_ms > t_start_ms:
        raise ValueError(f"t_stop ({t_stop_ms} ms) must be after t_start ({t_start_ms} ms)")
    span_ms = t_stop_ms - t_start_ms
    # The small tolerance keeps a window that is a whole number of bins (up to rounding,
    # e.g. 1000 / 0.1) from losing its last bin.
    n_bins = int(np.floor(span_ms / bin_ms + 1e-9))
    if n_bins == 0:
        edges = np.array([t_start_ms, t_stop_ms])
    else:
        edges = t_start_ms + bin_ms * np.arange(n_bins + 1)
    counts, _ = np.histogram(np.asarray(times_ms, dtype=float), bins=edges)
    widths_s = np.diff(edges) / 1000.0
    return edges, counts / (n_neurons * widths_s)


def _text(value):
    """An HDF5 string attribute as str (h5py gives bytes for fixed-length strings)."""
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, np.ndarray) and value.shape == ():
        return _text(value[()])
    return str(value)


def _sorted_by_time(group):
    """Whether a SONATA spike group declares sorting = by_time (an HDF5 enum)."""
    if "sorting" not in group.attrs:
        return False
    value = group.attrs["sorting"]
    names = h5py.check_enum_dtype(group.attrs.get_id("sorting").dtype)
    if names is None:  # a string attribute, as some writers store it
        return _text(value) == "by_time"
    return int(value) == names.get("by_time")


def open_result(path):
    """Opens `path` as a neurodyn result file or raises ResultFileError."""
    if not os.path.exists(path):
        raise ResultFileError(f"no such file: {path}")
    try:
        f = h5py.File(path, "r")
    except OSError as error:
        raise ResultFileError(f"{path} is not a readable HDF5 file ({error})") from None
    fmt = _text(f.attrs["format"]) if "format" in f.attrs else None
    if fmt != FORMAT_NAME:
        f.close()
        raise ResultFileError(f"{path} is not a neurodyn result file (root attribute format is "
                              f"{fmt!r}, expected {FORMAT_NAME!r})")
    version = int(f.attrs.get("format_version", 0))
    if version > FORMAT_VERSION:
        f.close()
        raise ResultFileError(f"{path} has format_version {version}; this script reads up to "
                              f"{FORMAT_VERSION} (use the plot script of the neurodyn that wrote it)")
    return f


def read_spikes(f, t_start_ms, t_stop_ms):
    """{population: (times_ms, node_ids, n_neurons or None)} within [t_start, t_stop]."""
    populations = {}
    spikes = f.get("spikes")
    if not isinstance(spikes, h5py.Group):
        return populations
    for name, group in spikes.items():
        if not isinstance(group, h5py.Group) or "timestamps" not in group or "node_ids" not in group:
            continue
        times = group["timestamps"][()]
        if _sorted_by_time(group):
            # Only the window's node ids are read from a time-sorted population.
            first = np.searchsorted(times, t_start_ms, side="left")
            last = np.searchsorted(times, t_stop_ms, side="right")
            ids = group["node_ids"][first:last]
            times = times[first:last]
        else:
            ids = group["node_ids"][()]
            inside = (times >= t_start_ms) & (times <= t_stop_ms)
            times, ids = times[inside], ids[inside]
        n_neurons = int(group.attrs["n_neurons"]) if "n_neurons" in group.attrs else None
        populations[name] = (times, ids.astype(np.uint64), n_neurons)
    return populations


def last_spike_time(f):
    """The latest spike time in the file (ms), or None when there are no spikes."""
    latest = None
    for group in f.get("spikes", {}).values():
        if isinstance(group, h5py.Group) and "timestamps" in group and group["timestamps"].shape[0] > 0:
            times = group["timestamps"]
            t = times[-1] if _sorted_by_time(group) else times[()].max()
            latest = t if latest is None else max(latest, t)
    return None if latest is None else float(latest)


def first_state_report(f):
    """(population, variable, group) of the first sampled variable, or None."""
    report = f.get("report")
    if not isinstance(report, h5py.Group):
        return None
    for population, variables in report.items():
        if not isinstance(variables, h5py.Group):
            continue
        for variable, group in variables.items():
            if isinstance(group, h5py.Group) and "data" in group and "mapping" in group:
                return population, variable, group
    return None


def raster_rows(ids, max_neurons):
    """Row of each spike in the raster and the ids shown: the lowest `max_neurons` ids."""
    shown = np.unique(ids)[:max_neurons]
    keep = np.isin(ids, shown)
    return keep, np.searchsorted(shown, ids[keep]), shown


def figure_title(attrs, source_name):
    """The model source, and "incomplete run" when the run did not finish."""
    title = _text(attrs.get("model_source", "")) or source_name
    if int(attrs.get("complete", 0)) != 1:
        title += f" (incomplete run, reached {float(attrs.get('t_reached', 0.0)):g} ms)"
    return title




# --- drawing ------------------------------------------------------------------------

def draw_raster(raster_ax, rate_ax, populations, t_start_ms, t_stop_ms, max_neurons=200, bin_ms=5.0):
    """Draws a raster of `populations` ({name: (times_ms, ids, n_neurons or None)}),
    stacked, each in its own colour (at most `max_neurons` per population: the lowest ids
    that fire), into `raster_ax`, and each population's rate (Hz, bins of `bin_ms`)
    into `rate_ax`. Returns notes for the user (rates that assume a neuron count)."""
    import matplotlib.pyplot as plt

    notes = []
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    offset = 0
    highest_rate = 0.0
    tick_positions, tick_labels = [], []
    for index, (name, (times, ids, n_neurons)) in enumerate(populations.items()):
        colour = colours[index % len(colours)]
        keep, rows, shown = raster_rows(ids, max_neurons)
        raster_ax.plot(times[keep], offset + rows, linestyle="none", marker="|", markersize=2,
                       color=colour, rasterized=True)
        band = max(len(shown), 1)
        tick_positions.append(offset + band / 2)
        tick_labels.append(name)
        offset += band
        if index + 1 < len(populations):
            raster_ax.axhline(offset - 0.5, color="0.8", linewidth=0.8)

        label = f"{name} ({n_neurons} neurons)"
        if n_neurons is None:
            # Without the recorded count, the neurons numbered up to the highest id that
            # fired: exact when the last one fired, otherwise the rate reads high.
            n_neurons = int(ids.max()) + 1 if ids.size else 1
            label = f"{name} ({n_neurons} neurons assumed)"
            if ids.size:
                notes.append(f"note: {name} has no n_neurons attribute; its rate assumes {n_neurons} neurons")
        edges, rate = population_rate(times, n_neurons, t_start_ms, t_stop_ms, bin_ms)
        rate_ax.stairs(rate, edges, baseline=None, color=colour, label=label)
        highest_rate = max(highest_rate, float(rate.max()))

    raster_ax.set_yticks(tick_positions)
    raster_ax.set_yticklabels(tick_labels)
    raster_ax.set_ylim(-0.5, offset - 0.5)
    raster_ax.set_ylabel(f"neuron (≤ {max_neurons} per population)")
    rate_ax.set_ylabel(f"rate (Hz, {bin_ms:g} ms bins)")
    rate_ax.set_ylim(0, 1.15 * highest_rate if highest_rate > 0 else 1)
    rate_ax.legend(loc="upper right", fontsize="small")
    return notes


def draw_traces(ax, times, values, neurons, population, variable, unit, t_start_ms, t_stop_ms,
                max_traces=TRACES_SHOWN):
    """Draws the first `max_traces` columns of `values` (samples x neurons, sampled at
    `times` ms) within [t_start, t_stop] into `ax`, labelled population[neuron]."""
    times = np.asarray(times, dtype=float)
    inside = np.nonzero((times >= t_start_ms) & (times <= t_stop_ms))[0]
    columns = min(max_traces, values.shape[1])
    if inside.size:
        window = values[inside[0]:inside[-1] + 1, :columns]
        for column in range(columns):
            ax.plot(times[inside], window[:, column], linewidth=0.8, label=f"{population}[{neurons[column]}]")
        ax.legend(loc="upper right", fontsize="small")
    ax.set_ylabel(f"{variable} ({unit})" if unit else variable)


def _figure(n_panels):
    import matplotlib.pyplot as plt

    heights = [3, 1.5, 1.5][:n_panels]
    return plt.subplots(n_panels, 1, sharex=True, figsize=(10, 1.4 * sum(heights)),
                        gridspec_kw={"height_ratios": heights})


def plot(f, out_path, t_start_ms=None, t_stop_ms=None, max_neurons=200, bin_ms=5.0, source_name=""):
    """Draws the figure of an open result file into `out_path`: raster, rates and, when
    the file holds sampled state, the first traces of the first variable. Returns the
    run's notes; ResultFileError when there is nothing to plot."""
    import matplotlib.pyplot as plt

    notes = []
    complete = int(f.attrs.get("complete", 0)) == 1
    t_reached = float(f.attrs.get("t_reached", 0.0))
    if not complete:
        reason = _text(f.attrs["incomplete_reason"]) if "incomplete_reason" in f.attrs else ""
        note = f"note: {source_name} is from an incomplete run (t_reached = {t_reached:g} ms"
        note += f": {reason})" if reason else ")"
        notes.append(note)

    if t_start_ms is None:
        t_start_ms = 0.0
    if t_stop_ms is None:
        # How far the run got; a run that never marked its end only shows its spikes.
        last = last_spike_time(f)
        t_stop_ms = t_reached if t_reached > 0 else (last if last is not None else 0.0)
    if not t_stop_ms > t_start_ms:
        raise ResultFileError(f"empty time window: t_stop ({t_stop_ms:g} ms) must be after "
                              f"t_start ({t_start_ms:g} ms)")

    populations = read_spikes(f, t_start_ms, t_stop_ms)
    if not populations:
        raise ResultFileError(f"{source_name} contains no spikes (no populations under /spikes)")
    if sum(times.size for times, _, _ in populations.values()) == 0:
        raise ResultFileError(f"{source_name} contains no spikes between {t_start_ms:g} and {t_stop_ms:g} ms")

    state = first_state_report(f)
    fig, axes = _figure(3 if state is not None else 2)
    notes += draw_raster(axes[0], axes[1], populations, t_start_ms, t_stop_ms, max_neurons, bin_ms)
    if state is not None:
        population, variable, group = state
        data = group["data"]
        t0, _, interval = (float(x) for x in group["mapping/time"][()])
        sample_times = t0 + interval * np.arange(data.shape[0])
        unit = _text(data.attrs["units"]) if "units" in data.attrs else ""
        inside = np.nonzero((sample_times >= t_start_ms) & (sample_times <= t_stop_ms))[0]
        columns = min(TRACES_SHOWN, data.shape[1])
        # Only the window's rows and the shown columns are read from the file.
        values = data[inside[0]:inside[-1] + 1, :columns] if inside.size else np.empty((0, columns))
        draw_traces(axes[2], sample_times[inside[0]:inside[-1] + 1] if inside.size else sample_times[:0],
                    values, group["mapping/node_ids"][()], population, variable, unit, t_start_ms, t_stop_ms)

    axes[-1].set_xlabel("time (ms)")
    axes[-1].set_xlim(t_start_ms, t_stop_ms)
    fig.suptitle(figure_title(f.attrs, source_name))
    fig.tight_layout()
    fig.savefig(out_path, dpi=120)
    plt.close(fig)
    return notes


def plot_result_file(path, out_path, t_start_ms=None, t_stop_ms=None, max_neurons=200, bin_ms=5.0):
    """Opens the result file at `path` and draws its figure into `out_path`; returns the
    notes (see :func:`plot`)."""
    with open_result(path) as f:
        return plot(f, out_path, t_start_ms=t_start_ms, t_stop_ms=t_stop_ms, max_neurons=max_neurons,
                    bin_ms=bin_ms, source_name=str(path))


# --- figures of a live simulation ---------------------------------------------------------

def raster(sim, populations=None, t_start=None, t_stop=None, max_neurons=200, bin_ms=5.0, title=None):
    """A new figure: the spike raster of a :class:`neurodyn.Simulation` (every population
    whose spikes are recorded, or those named in `populations`) with the population
    rates (Hz, bins of `bin_ms`) underneath, over [t_start, t_stop] ms (default: from 0
    to the simulation's time). Returns the matplotlib Figure."""
    if populations is None:
        populations = [name for name in sim.populations if sim._core.records_spikes(name)]
    names = [p if isinstance(p, str) else p.name for p in populations]
    if not names:
        raise ValueError("no population's spikes are recorded (Network.record_spikes)")
    t_start = 0.0 if t_start is None else float(t_start)
    t_stop = sim.t if t_stop is None else float(t_stop)
    if not t_stop > t_start:
        raise ValueError(f"empty time window: t_stop ({t_stop:g} ms) must be after t_start ({t_start:g} ms)")
    data = {}
    for name in names:
        times, ids = sim.spikes(name)
        inside = (times >= t_start) & (times <= t_stop)
        data[name] = (times[inside], ids[inside], sim._core.spike_recorded_count(name))
    fig, axes = _figure(2)
    draw_raster(axes[0], axes[1], data, t_start, t_stop, max_neurons, bin_ms)
    axes[-1].set_xlabel("time (ms)")
    axes[-1].set_xlim(t_start, t_stop)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def traces(sim, population, variable, max_traces=TRACES_SHOWN, t_start=None, t_stop=None, recorder=None,
           ax=None):
    """Draws the recorded samples of `variable` of `population` (its first `max_traces`
    neurons) into `ax`, or into a new figure. Returns the Figure."""
    import matplotlib.pyplot as plt

    trace = sim.trace(population, variable, recorder=recorder)
    if ax is None:
        fig, ax = plt.subplots(figsize=(10, 3))
    else:
        fig = ax.figure
    t_start = 0.0 if t_start is None else float(t_start)
    t_stop = sim.t if t_stop is None else float(t_stop)
    draw_traces(ax, trace.times, trace.values, trace.neurons, trace.population, trace.variable, trace.unit,
                t_start, t_stop, max_traces)
    ax.set_xlabel("time (ms)")
    ax.set_xlim(t_start, t_stop)
    fig.tight_layout()
    return fig


def weights(sim, projection=None, recorder=None, max_traces=TRACES_SHOWN, t_start=None, t_stop=None, ax=None):
    """Draws the weights recorded by ``Network.record_weights`` (the first `max_traces`
    recorded synapses of `projection`, or of weights recorder `recorder`) into `ax`, or
    into a new figure. Returns the Figure."""
    import matplotlib.pyplot as plt

    trace = sim.weight_trace(projection, recorder=recorder)
    if ax is None:
        fig, ax = plt.subplots(figsize=(10, 3))
    else:
        fig = ax.figure
    t_start = 0.0 if t_start is None else float(t_start)
    t_stop = sim.t if t_stop is None else float(t_stop)
    names = sim._core.projection_names()
    draw_traces(ax, trace.times, trace.values, trace.synapses, f"{names[trace.projection]} synapse", "weight",
                trace.unit, t_start, t_stop, max_traces)
    ax.set_xlabel("time (ms)")
    ax.set_xlim(t_start, t_stop)
    fig.tight_layout()
    return fig
