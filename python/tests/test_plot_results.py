"""scripts/plot_results.py: the rate computation against spike trains of known rate, the
figure written for synthetic result files in the documented layout
(docs/output-format.md), and the errors for files it cannot plot."""

import importlib.util
import pathlib
import struct

import h5py
import numpy as np
import pytest

SCRIPT = pathlib.Path(__file__).resolve().parents[2] / "scripts" / "plot_results.py"


def load_script():
    spec = importlib.util.spec_from_file_location("plot_results", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


plot_results = load_script()

SORTING = h5py.enum_dtype({"none": 0, "by_id": 1, "by_time": 2}, basetype="i1")


def add_spikes(f, population, times_ms, node_ids, n_neurons=None, sorting="by_time"):
    """One SONATA spike population, as Hdf5ResultFile writes it."""
    group = f.require_group("spikes").create_group(population)
    group.attrs.create("sorting", {"none": 0, "by_id": 1, "by_time": 2}[sorting], dtype=SORTING)
    if n_neurons is not None:
        group.attrs.create("n_neurons", n_neurons, dtype=np.uint64)
    timestamps = group.create_dataset("timestamps", data=np.asarray(times_ms, dtype=np.float64),
                                      maxshape=(None,), chunks=(16384,))
    timestamps.attrs["units"] = "ms"
    group.create_dataset("node_ids", data=np.asarray(node_ids, dtype=np.uint64), maxshape=(None,),
                         chunks=(16384,))


def add_state_report(f, population, variable, unit, node_ids, t_start_ms, interval_ms, rows):
    """One sampled variable in the SONATA report layout, as Hdf5ResultFile writes it."""
    group = f.require_group("report").require_group(population).create_group(variable)
    rows = np.asarray(rows, dtype=np.float64)
    data = group.create_dataset("data", data=rows, maxshape=(None, rows.shape[1]), chunks=(8, rows.shape[1]))
    data.attrs["units"] = unit
    mapping = group.create_group("mapping")
    mapping.create_dataset("node_ids", data=np.asarray(node_ids, dtype=np.uint64))
    mapping.create_dataset("index_pointers", data=np.arange(len(node_ids) + 1, dtype=np.uint64))
    mapping.create_dataset("element_ids", data=np.zeros(len(node_ids), dtype=np.uint32))
    time = mapping.create_dataset(
        "time", data=np.array([t_start_ms, t_start_ms + rows.shape[0] * interval_ms, interval_ms]))
    time.attrs["units"] = "ms"


def write_root(f, complete=1, t_reached=1000.0, reason=None):
    f.attrs["format"] = "neurodyn-result"
    f.attrs.create("format_version", 1, dtype=np.int32)
    f.attrs["neurodyn_version"] = "0.1.0"
    f.attrs["dt"] = 0.1
    f.attrs["duration_requested"] = 1000.0
    f.attrs.create("seed", 42, dtype=np.uint64)
    f.attrs["model_source"] = "models/two_populations.toml"
    f.attrs["model_text"] = ""
    f.attrs.create("complete", complete, dtype=np.int32)
    f.attrs["t_reached"] = t_reached
    if reason is not None:
        f.attrs["incomplete_reason"] = reason
    f.create_group("summary")
    f.require_group("spikes")
    f.require_group("report")


def poisson_spikes(rng, n_neurons, rate_hz, duration_ms):
    """Time-sorted spikes of independent Poisson neurons."""
    counts = rng.poisson(rate_hz * duration_ms / 1000.0, size=n_neurons)
    ids = np.repeat(np.arange(n_neurons, dtype=np.uint64), counts)
    times = rng.uniform(0.0, duration_ms, size=ids.size)
    order = np.argsort(times, kind="stable")
    return times[order], ids[order]


def write_example(path, complete=1, t_reached=1000.0, reason=None, with_report=True):
    rng = np.random.default_rng(20240601)
    with h5py.File(path, "w") as f:
        write_root(f, complete=complete, t_reached=t_reached, reason=reason)
        times, ids = poisson_spikes(rng, 400, 8.0, 1000.0)
        add_spikes(f, "exc", times, ids, n_neurons=400)
        times, ids = poisson_spikes(rng, 100, 25.0, 1000.0)
        add_spikes(f, "inh", times, ids, n_neurons=100)
        if with_report:
            t = 0.5 + np.arange(1000) * 1.0
            rows = -65.0 + 5.0 * np.sin(np.outer(t / 50.0, np.arange(1, 8)))
            add_state_report(f, "exc", "v", "mV", np.arange(7), 0.5, 1.0, rows)
    return path


def png_size(path):
    """(width, height) from a PNG's IHDR, after checking the signature."""
    data = pathlib.Path(path).read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG file"
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


# --- the rate computation ---------------------------------------------------------

def test_regular_trains_give_their_rate_in_every_bin():
    # 10 neurons, each firing every 50 ms (20 Hz) with its own phase 1..10 ms: every
    # 100 ms bin holds exactly 2 spikes per neuron, so the rate is 20 Hz in each of the
    # 10 bins; only floating-point rounding of count / (n * width) separates them.
    times = np.concatenate([50.0 * np.arange(20) + 1.0 + k for k in range(10)])
    edges, rate = plot_results.population_rate(times, 10, 0.0, 1000.0, 100.0)
    np.testing.assert_allclose(edges, 100.0 * np.arange(11))
    np.testing.assert_allclose(rate, np.full(10, 20.0), rtol=1e-12)


def test_rate_is_count_over_neurons_times_bin_width():
    # 3 spikes of 2 neurons in the first 5 ms bin: 3 / (2 * 0.005 s) = 300 Hz. Spikes
    # outside the window, and in the partial bin [10, 12) ms, are not counted.
    times = [-1.0, 0.5, 1.0, 4.9, 7.0, 11.0, 13.0]
    edges, rate = plot_results.population_rate(times, 2, 0.0, 12.0, 5.0)
    np.testing.assert_allclose(edges, [0.0, 5.0, 10.0])
    np.testing.assert_allclose(rate, [300.0, 100.0], rtol=1e-12)


def test_a_window_that_is_a_whole_number_of_bins_keeps_its_last_bin():
    # 0.3 / 0.1 is 2.9999999999999996 in floating point; it must still be 3 bins.
    edges, rate = plot_results.population_rate([0.25], 1, 0.0, 0.3, 0.1)
    assert rate.size == 3
    assert rate[-1] == pytest.approx(1 / 0.0001)


def test_a_window_shorter_than_a_bin_is_one_bin():
    edges, rate = plot_results.population_rate([1.0, 2.0], 1, 0.0, 4.0, 5.0)
    np.testing.assert_allclose(edges, [0.0, 4.0])
    np.testing.assert_allclose(rate, [2 / 0.004])


@pytest.mark.parametrize("n_neurons, t_stop, bin_ms, message", [
    (0, 10.0, 1.0, "n_neurons must be > 0"),
    (1, 10.0, 0.0, "bin must be > 0 ms"),
    (1, 0.0, 1.0, "must be after t_start"),
])
def test_rate_rejects_bad_arguments(n_neurons, t_stop, bin_ms, message):
    with pytest.raises(ValueError, match=message):
        plot_results.population_rate([], n_neurons, 0.0, t_stop, bin_ms)


def test_rate_of_a_written_population_matches_its_poisson_rate(tmp_path):
    # 400 Poisson neurons at 8 Hz for 1 s: 3200 expected spikes, so the mean rate over
    # all bins is within 4 standard deviations (4 * sqrt(3200) / 400 = 0.57 Hz) of
    # 8 Hz with probability 1 - 6e-5 for the fixed seed's draw.
    path = write_example(tmp_path / "run.h5")
    with plot_results.open_result(str(path)) as f:
        times, ids, n_neurons = plot_results.read_spikes(f, 0.0, 1000.0)["exc"]
    assert n_neurons == 400
    _, rate = plot_results.population_rate(times, n_neurons, 0.0, 1000.0, 5.0)
    assert rate.mean() == pytest.approx(times.size / 400 / 1.0)  # counts conserved
    assert abs(rate.mean() - 8.0) < 4 * np.sqrt(3200) / 400


# --- reading ----------------------------------------------------------------------

@pytest.mark.parametrize("sorting", ["by_time", "none"])
def test_read_spikes_keeps_the_window_including_its_ends(tmp_path, sorting):
    times = np.array([1.0, 2.0, 3.0, 4.0, 5.0])
    ids = np.array([0, 1, 2, 3, 4])
    if sorting == "none":
        times, ids = times[::-1].copy(), ids[::-1].copy()
    with h5py.File(tmp_path / "w.h5", "w") as f:
        write_root(f)
        add_spikes(f, "p", times, ids, n_neurons=5, sorting=sorting)
    with plot_results.open_result(str(tmp_path / "w.h5")) as f:
        window_times, window_ids, _ = plot_results.read_spikes(f, 2.0, 4.0)["p"]
    assert sorted(window_times.tolist()) == [2.0, 3.0, 4.0]
    assert sorted(window_ids.tolist()) == [1, 2, 3]


def test_raster_shows_the_lowest_ids_up_to_the_limit():
    ids = np.array([9, 5, 3, 7, 3, 5], dtype=np.uint64)
    keep, rows, shown = plot_results.raster_rows(ids, 2)
    assert shown.tolist() == [3, 5]
    assert keep.tolist() == [False, True, True, False, True, True]
    assert rows.tolist() == [1, 0, 0, 1]


# --- the figure -------------------------------------------------------------------

@pytest.mark.parametrize("with_report", [True, False])
def test_main_writes_a_png(tmp_path, capsys, with_report):
    path = write_example(tmp_path / "run.h5", with_report=with_report)
    out = tmp_path / "run.png"
    assert plot_results.main([str(path), "-o", str(out)]) == 0
    width, height = png_size(out)
    # 10 inches at 120 dpi; 2 or 3 panels make it 0.6 to 0.9 times as tall.
    assert width == 1200
    assert 600 <= height <= 1100
    assert out.stat().st_size > 20_000  # a drawn raster, not an empty canvas
    assert capsys.readouterr().err == ""  # complete run, n_neurons known: no notes


def test_main_honours_window_neurons_and_bin(tmp_path):
    path = write_example(tmp_path / "run.h5")
    out = tmp_path / "window.png"
    status = plot_results.main([str(path), "-o", str(out), "--t-start", "200", "--t-stop", "400",
                                "--max-neurons", "20", "--bin", "10"])
    assert status == 0
    png_size(out)


def test_incomplete_run_is_plotted_with_a_note(tmp_path, capsys):
    path = write_example(tmp_path / "stopped.h5", complete=0, t_reached=412.5, reason="interrupted")
    out = tmp_path / "stopped.png"
    assert plot_results.main([str(path), "-o", str(out)]) == 0
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert "incomplete run" in err[0] and "412.5 ms" in err[0] and "interrupted" in err[0]
    with h5py.File(path, "r") as f:
        assert plot_results.figure_title(f.attrs, str(path)) == \
            "models/two_populations.toml (incomplete run, reached 412.5 ms)"
    png_size(out)


def test_title_of_a_complete_run_is_the_model_source(tmp_path):
    path = write_example(tmp_path / "run.h5")
    with h5py.File(path, "r") as f:
        assert plot_results.figure_title(f.attrs, str(path)) == "models/two_populations.toml"


# --- errors -----------------------------------------------------------------------

def run_failing(argv, capsys):
    status = plot_results.main(argv)
    return status, capsys.readouterr().err


def test_missing_file_is_exit_2_with_a_message(tmp_path, capsys):
    missing = tmp_path / "nothing.h5"
    status, err = run_failing([str(missing), "-o", str(tmp_path / "x.png")], capsys)
    assert status == 2
    assert err == f"plot_results.py: error: no such file: {missing}\n"
    assert not (tmp_path / "x.png").exists()


def test_hdf5_file_that_is_not_a_result_is_exit_2(tmp_path, capsys):
    other = tmp_path / "other.h5"
    with h5py.File(other, "w") as f:
        f.create_dataset("x", data=[1, 2, 3])
    status, err = run_failing([str(other), "-o", str(tmp_path / "x.png")], capsys)
    assert status == 2
    assert "is not a neurodyn result file" in err and str(other) in err


def test_file_that_is_not_hdf5_is_exit_2(tmp_path, capsys):
    text = tmp_path / "notes.h5"
    text.write_text("not HDF5\n")
    status, err = run_failing([str(text), "-o", str(tmp_path / "x.png")], capsys)
    assert status == 2
    assert "is not a readable HDF5 file" in err


def test_newer_format_version_is_exit_2(tmp_path, capsys):
    path = write_example(tmp_path / "future.h5")
    with h5py.File(path, "a") as f:
        f.attrs.create("format_version", 2, dtype=np.int32)
    status, err = run_failing([str(path), "-o", str(tmp_path / "x.png")], capsys)
    assert status == 2
    assert "format_version 2" in err


@pytest.mark.parametrize("populations", [0, 1])
def test_file_without_spikes_is_exit_2(tmp_path, capsys, populations):
    path = tmp_path / "silent.h5"
    with h5py.File(path, "w") as f:
        write_root(f)
        if populations:
            add_spikes(f, "exc", [], [], n_neurons=10)
    status, err = run_failing([str(path), "-o", str(tmp_path / "x.png")], capsys)
    assert status == 2
    assert "contains no spikes" in err


def test_bad_options_are_exit_2(tmp_path, capsys):
    path = write_example(tmp_path / "run.h5")
    for option in (["--bin", "0"], ["--max-neurons", "0"]):
        with pytest.raises(SystemExit) as exit_info:
            plot_results.main([str(path), "-o", str(tmp_path / "x.png")] + option)
        assert exit_info.value.code == 2
    assert "must be" in capsys.readouterr().err
