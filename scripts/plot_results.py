#!/usr/bin/python3
"""Plots a neurodyn result file: spike raster, population rates and sampled state.

    plot_results.py RESULT.h5 -o OUT.png [--t-start MS] [--t-stop MS]
                    [--max-neurons N] [--bin MS]

The top panel is a raster of every spike population, stacked, each in its own colour
(at most N neurons per population: the lowest node ids that fire in the window). Below
it, sharing the time axis, the population firing rate in Hz, from spike counts in bins
of --bin ms. When the file holds sampled state (/report), a third panel shows the first
few traces of the first recorded variable. The layout read is docs/output-format.md.

Exit status 2, with a message on stderr, for a file that is missing, is not a neurodyn
result, or holds no spikes. A file from a run that did not finish is plotted, with a
note and "incomplete run" in the title.

The drawing is neurodyn.plot (python/neurodyn/plot.py), loaded from this checkout's
source tree so that the script works without the compiled module; from Python, use
neurodyn.plot directly.

Runs with Debian's /usr/bin/python3 (h5py, NumPy, matplotlib).
"""

import argparse
import importlib.util
import pathlib
import sys

import matplotlib

matplotlib.use("Agg")  # files only: no display is needed or wanted


def _load_plot_module():
    """neurodyn.plot from this checkout (python/neurodyn/plot.py), or from the installed
    package when the script runs outside a checkout."""
    source = pathlib.Path(__file__).resolve().parents[1] / "python" / "neurodyn" / "plot.py"
    if not source.is_file():
        from neurodyn import plot as installed
        return installed
    spec = importlib.util.spec_from_file_location("neurodyn_plot", source)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_plot = _load_plot_module()

# The names this script has always offered (tests and other scripts use them).
FORMAT_NAME = _plot.FORMAT_NAME
FORMAT_VERSION = _plot.FORMAT_VERSION
TRACES_SHOWN = _plot.TRACES_SHOWN
ResultFileError = _plot.ResultFileError
population_rate = _plot.population_rate
open_result = _plot.open_result
read_spikes = _plot.read_spikes
last_spike_time = _plot.last_spike_time
first_state_report = _plot.first_state_report
raster_rows = _plot.raster_rows
figure_title = _plot.figure_title
plot = _plot.plot


def positive_float(text):
    value = float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be > 0, got {text}")
    return value


def positive_int(text):
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be >= 1, got {text}")
    return value


def parse_arguments(argv):
    parser = argparse.ArgumentParser(prog="plot_results.py",
                                     description="Raster, population rates and sampled state of a "
                                                 "neurodyn result file.")
    parser.add_argument("result", help="result file (HDF5) written by neurodyn")
    parser.add_argument("-o", "--output", required=True, help="image to write (PNG)")
    parser.add_argument("--t-start", type=float, default=None, metavar="MS",
                        help="start of the time window (ms; default 0)")
    parser.add_argument("--t-stop", type=float, default=None, metavar="MS",
                        help="end of the time window (ms; default: how far the run got)")
    parser.add_argument("--max-neurons", type=positive_int, default=200, metavar="N",
                        help="neurons shown per population in the raster (default 200)")
    parser.add_argument("--bin", type=positive_float, default=5.0, metavar="MS",
                        help="bin width of the rate histogram (ms; default 5)")
    return parser.parse_args(argv)


def main(argv=None):
    """Command-line entry point; returns the exit status (2 for an unusable file)."""
    args = parse_arguments(sys.argv[1:] if argv is None else argv)
    try:
        with open_result(args.result) as f:
            notes = plot(f, args.output, t_start_ms=args.t_start, t_stop_ms=args.t_stop,
                         max_neurons=args.max_neurons, bin_ms=args.bin, source_name=args.result)
    except ResultFileError as error:
        print(f"plot_results.py: error: {error}", file=sys.stderr)
        return 2
    for note in notes:
        print(note, file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
