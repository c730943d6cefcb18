"""The `neurodyn` command end to end: a small network run from a model file, its summary
JSON against its HDF5 result file (docs/output-format.md), the SONATA layout of spikes and
sampled state, --seed and --duration, partial recording, and the exit codes and messages
of `validate` and `models`."""

import h5py
import numpy as np
import pytest

DT_MS = 0.1
DURATION_MS = 200.0
SEED = 20250101
INTERVAL_MS = 0.5           # state sampling interval
N_EXC, N_INH = 40, 10
EXC_PARAMS = {"tau_m": 20.0, "tau_syn_E": 5.0, "tau_syn_I": 5.0, "v_rest": -65.0, "v_reset": -70.0,
              "v_thresh": -50.0, "tau_refrac": 2.0}
INH_PARAMS = {"tau_m": 10.0, "v_rest": 0.0, "v_reset": 5.0, "v_thresh": 20.0, "tau_refrac": 1.0}
EXC_INITIAL_V = [-70.0 + 0.4 * i for i in range(N_EXC)]   # mV, all below threshold
INH_INITIAL_V = [1.5 * i for i in range(N_INH)]
# Given times and where SpikeSourceArray emits them: round(s / dt) * dt.
PROBE_TIMES_MS = [[5.04, 50.0], [99.96]]
PROBE_STAMPS = [(5.0, 0), (50.0, 0), (100.0, 1)]

# The exc neurons whose potential every run samples, in the order given (not sorted).
PROBED = [7, 0, 3]
# Synapses made by connectors whose count does not depend on the seed:
# in-degree 10 onto 10 inh, in-degree 3 onto 40 exc, 2 probes to all 40 exc.
N_SYNAPSES = 10 * N_INH + 3 * N_EXC + 2 * N_EXC


def network(**simulation):
    """Excitatory IF_curr_exp neurons driven by Poisson input (mean drive 20 mV above
    rest, 15 mV to threshold, so they fire irregularly), inhibitory IF_curr_delta
    neurons driven by them, and two spike sources at fixed times."""
    return {
        "simulation": {"dt": DT_MS, "duration": DURATION_MS, "seed": SEED, **simulation},
        "population": [
            {"name": "exc", "model": "IF_curr_exp", "size": N_EXC, "params": EXC_PARAMS,
             "initial": {"v": EXC_INITIAL_V}},
            {"name": "inh", "model": "IF_curr_delta", "size": N_INH, "params": INH_PARAMS,
             "initial": {"v": INH_INITIAL_V}},
            {"name": "probe", "model": "SpikeSourceArray", "size": 2, "spike_times": PROBE_TIMES_MS},
        ],
        "projection": [
            {"name": "exc->inh", "source": "exc", "target": "inh", "weight": 4.0, "delay": 1.5,
             "connector": {"type": "fixed_number_pre", "n": 10}},
            {"name": "inh->exc", "source": "inh", "target": "exc", "receptor": "inhibitory", "weight": -0.5,
             "delay": {"distribution": "uniform", "low": 1.0, "high": 2.0},
             "connector": {"type": "fixed_number_pre", "n": 3}},
            {"name": "probe->exc", "source": "probe", "target": "exc", "weight": 1.0,
             "connector": {"type": "all_to_all"}},
        ],
        # 2000 Hz x 0.1 nA x tau_syn 5 ms = 1 nA mean current, x tau_m / cm = 20 mV.
        "stimulus": [{"type": "poisson", "target": "exc", "rate": 2000.0, "weight": 0.1}],
        "record": [
            {"type": "spikes", "population": "exc"},
            {"type": "spikes", "population": "inh"},
            {"type": "spikes", "population": "probe"},
            {"type": "state", "population": "exc", "neurons": PROBED, "variables": ["v", "isyn_exc"],
             "interval": INTERVAL_MS},
            {"type": "state", "population": "inh", "variables": ["v"], "interval": INTERVAL_MS},
        ],
    }


SIZES = {"exc": N_EXC, "inh": N_INH, "probe": 2}
MODELS = {"exc": "IF_curr_exp", "inh": "IF_curr_delta", "probe": "SpikeSourceArray"}


def spikes(f, population):
    group = f["spikes"][population]
    return group["timestamps"][:], group["node_ids"][:]


@pytest.fixture(scope="module")
def reference_run(module_neurodyn):
    """The network run once from its file, with every neuron's spikes recorded."""
    return module_neurodyn.run(network(), name="reference")


# --- one run: exit status, summary, layout ---------------------------------------------

def test_run_exits_zero_and_marks_the_file_complete(reference_run):
    assert reference_run.returncode == 0
    assert reference_run.process.stdout == ""  # --quiet
    f = reference_run.h5()
    assert f.attrs["format"] == "neurodyn-result"
    assert f.attrs["format_version"] == 1
    assert f.attrs["complete"] == 1
    assert f.attrs["t_reached"] == pytest.approx(DURATION_MS, abs=1e-9)
    assert f.attrs["duration_requested"] == DURATION_MS
    assert f.attrs["dt"] == DT_MS
    assert f.attrs["seed"] == SEED
    assert "incomplete_reason" not in f.attrs
    assert f.attrs["model_text"] == reference_run.model_path.read_text()
    assert f.attrs["model_source"].endswith("reference.toml")


def test_summary_json_has_every_field(reference_run):
    summary = reference_run.summary
    for key in ("model", "complete", "simulated_ms", "build_time_s", "run_time_s", "realtime_factor",
                "peak_memory_mb", "synapses", "bytes_per_synapse", "synaptic_events", "events_per_second",
                "phases_s", "populations"):
        assert key in summary, key
    assert set(summary["phases_s"]) == {"update", "input", "delivery", "exchange", "record"}
    assert summary["complete"] is True
    assert summary["simulated_ms"] == pytest.approx(DURATION_MS, abs=1e-9)
    assert summary["synapses"] == N_SYNAPSES
    assert set(summary["populations"]) == set(SIZES)
    for name, entry in summary["populations"].items():
        assert entry["model"] == MODELS[name]
        assert entry["size"] == SIZES[name]


def test_summary_counts_and_rates_match_the_recorded_spikes(reference_run):
    summary, f = reference_run.summary, reference_run.h5()
    seconds = summary["simulated_ms"] / 1000.0
    for name, entry in summary["populations"].items():
        times, _ = spikes(f, name)
        # Every neuron of every population is recorded: the file holds all spikes.
        assert entry["spikes"] == times.size, name
        # rate = spikes / neurons / seconds; the JSON prints the shortest round-trip
        # decimal, so only the order of the divisions can differ (a few ulp).
        assert entry["rate_hz"] == pytest.approx(entry["spikes"] / entry["size"] / seconds, rel=1e-12), name
        assert f["summary"].attrs[f"{name}.spikes"] == entry["spikes"], name
        assert f["summary"].attrs[f"{name}.rate_hz"] == pytest.approx(entry["rate_hz"], rel=1e-12), name
    assert f["summary"].attrs["synapses"] == N_SYNAPSES
    # The network is active but not saturated (the Poisson drive was sized for it), so
    # the checks above compare real, non-trivial counts.
    assert 5.0 < summary["populations"]["exc"]["rate_hz"] < 200.0
    assert summary["populations"]["inh"]["spikes"] > 0
    assert summary["populations"]["probe"]["spikes"] == len(PROBE_STAMPS)


def test_spikes_follow_the_sonata_layout(reference_run):
    f = reference_run.h5()
    sorting = h5py.check_enum_dtype(f["spikes/exc"].attrs.get_id("sorting").dtype)
    assert sorting == {"none": 0, "by_id": 1, "by_time": 2}
    for name, size in SIZES.items():
        group = f["spikes"][name]
        assert group.attrs["sorting"] == sorting["by_time"], name
        assert group.attrs["n_neurons"] == size, name
        assert group["timestamps"].dtype == np.float64, name
        assert group["node_ids"].dtype == np.uint64, name
        assert group["timestamps"].attrs["units"] == "ms", name
        times, ids = spikes(f, name)
        assert times.shape == ids.shape, name
        assert np.all(np.diff(times) >= 0.0), name
        assert np.all(ids < size), name
        # Spikes are stamped at the end of the step that emits them: dt, 2 dt, ..., duration.
        steps = times / DT_MS
        assert np.all(np.abs(steps - np.round(steps)) < 1e-9), name
        assert times.size == 0 or (times[0] >= DT_MS - 1e-12 and times[-1] <= DURATION_MS + 1e-9), name


def test_spike_source_array_emits_at_the_nearest_grid_time(reference_run):
    times, ids = spikes(reference_run.h5(), "probe")
    np.testing.assert_allclose(times, [t for t, _ in PROBE_STAMPS], rtol=0, atol=1e-12)
    np.testing.assert_array_equal(ids, [i for _, i in PROBE_STAMPS])


def test_state_report_layout_and_samples(reference_run):
    f = reference_run.h5()
    n_samples = round(DURATION_MS / INTERVAL_MS) + 1     # t = 0, interval, ..., duration
    for population, nodes, variables in (("exc", PROBED, ("v", "isyn_exc")), ("inh", range(N_INH), ("v",))):
        for variable in variables:
            report = f["report"][population][variable]
            assert report["data"].dtype == np.float64
            assert report["data"].shape == (n_samples, len(nodes)), (population, variable)
            assert report["data"].attrs["units"] == ("nA" if variable == "isyn_exc" else "mV")
            mapping = report["mapping"]
            np.testing.assert_array_equal(mapping["node_ids"][:], list(nodes))
            assert mapping["node_ids"].dtype == np.uint64
            np.testing.assert_array_equal(mapping["index_pointers"][:], np.arange(len(nodes) + 1))
            np.testing.assert_array_equal(mapping["element_ids"][:], np.zeros(len(nodes)))
            # [t_start, t_stop, interval] with t_stop exclusive: t_start + n_samples * interval.
            np.testing.assert_allclose(mapping["time"][:], [0.0, n_samples * INTERVAL_MS, INTERVAL_MS],
                                       rtol=0, atol=1e-9)
    # The first sample is the initial state, in the column order of node_ids.
    np.testing.assert_array_equal(f["report/exc/v/data"][0], [EXC_INITIAL_V[i] for i in PROBED])
    np.testing.assert_array_equal(f["report/exc/isyn_exc/data"][0], np.zeros(len(PROBED)))
    np.testing.assert_array_equal(f["report/inh/v/data"][0], INH_INITIAL_V)


def test_sampled_potential_is_clamped_at_reset_after_each_spike(reference_run):
    """A spike stamped t leaves v = v_reset from t until t + tau_refrac (the neuron is
    clamped for round(tau_refrac / dt) steps after the step that ends at t), and a
    sampled v is never at or above threshold (samples are taken after the reset)."""
    f = reference_run.h5()
    times, ids = spikes(f, "exc")
    v = f["report/exc/v/data"][:]
    sample_times = np.arange(v.shape[0]) * INTERVAL_MS
    assert np.all(v < EXC_PARAMS["v_thresh"])
    clamped_samples = 0
    for column, neuron in enumerate(PROBED):
        for stamp in times[ids == neuron]:
            window = (sample_times >= stamp - 1e-9) & (sample_times <= stamp + EXC_PARAMS["tau_refrac"] + 1e-9)
            np.testing.assert_array_equal(v[window, column], EXC_PARAMS["v_reset"])
            clamped_samples += np.count_nonzero(window)
    assert clamped_samples > 0  # the probed neurons did spike


# --- options ----------------------------------------------------------------------------

def test_seed_changes_the_spikes_and_reproduces_them_byte_for_byte(neurodyn):
    first = neurodyn.run(network(), "--seed", 1, name="seed1").h5()
    again = neurodyn.run(network(), "--seed", 1, name="seed1_again").h5()
    other = neurodyn.run(network(), "--seed", 2, name="seed2").h5()
    assert first.attrs["seed"] == 1 and other.attrs["seed"] == 2
    for population in SIZES:
        for dataset in ("timestamps", "node_ids"):
            path = f"spikes/{population}/{dataset}"
            assert first[path][:].tobytes() == again[path][:].tobytes(), path
    for path in ("report/exc/v/data", "report/exc/isyn_exc/data", "report/inh/v/data"):
        assert first[path][:].tobytes() == again[path][:].tobytes(), path
    # The Poisson drive (and the random delays) follow the seed: with ~1000 spikes,
    # two seeds giving the same raster would be a seed that is ignored.
    first_exc, other_exc = spikes(first, "exc"), spikes(other, "exc")
    assert first_exc[0].size > 100
    assert first_exc[0].size != other_exc[0].size or not np.array_equal(first_exc[0], other_exc[0]) \
        or not np.array_equal(first_exc[1], other_exc[1])
    # The spike sources do not depend on the seed.
    np.testing.assert_array_equal(spikes(first, "probe")[0], spikes(other, "probe")[0])


def test_recording_a_subset_records_exactly_those_neurons(neurodyn, reference_run):
    model = network()
    exc_subset = {"start": 1, "stop": N_EXC, "step": 3}
    selected = list(range(1, N_EXC, 3))
    inh_subset = [8, 2]
    model["record"] = [
        {"type": "spikes", "population": "exc", "neurons": exc_subset},
        {"type": "spikes", "population": "inh", "neurons": inh_subset},
        {"type": "state", "population": "inh", "neurons": inh_subset, "variables": ["v"],
         "interval": INTERVAL_MS},
    ]
    run = neurodyn.run(model, name="subset")
    subset, full = run.h5(), reference_run.h5()
    assert set(subset["spikes"]) == {"exc", "inh"}      # nothing for unrecorded populations
    assert set(subset["report"]) == {"inh"}
    for population, neurons in (("exc", selected), ("inh", inh_subset)):
        assert subset["spikes"][population].attrs["n_neurons"] == len(neurons)
        times, ids = spikes(subset, population)
        full_times, full_ids = spikes(full, population)
        keep = np.isin(full_ids, neurons)
        assert keep.sum() > 0, population                       # the check compares spikes
        assert (~keep).sum() > 0, population                    # ... and some were left out
        np.testing.assert_array_equal(times, full_times[keep])
        np.testing.assert_array_equal(ids, full_ids[keep])
        # The summary counts the population's spikes, recorded or not.
        assert run.summary["populations"][population]["spikes"] == full_times.size
    np.testing.assert_array_equal(subset["report/inh/v/mapping/node_ids"][:], inh_subset)
    np.testing.assert_array_equal(subset["report/inh/v/data"][:], full["report/inh/v/data"][:][:, inh_subset])


def test_duration_option_overrides_the_file(neurodyn, reference_run):
    short_ms = 50.0
    run = neurodyn.run(network(), "--duration", short_ms, name="short")
    f, full = run.h5(), reference_run.h5()
    assert run.summary["simulated_ms"] == pytest.approx(short_ms, abs=1e-9)
    assert f.attrs["duration_requested"] == short_ms
    assert f.attrs["t_reached"] == pytest.approx(short_ms, abs=1e-9)
    assert f["report/exc/v/data"].shape == (round(short_ms / INTERVAL_MS) + 1, len(PROBED))
    # The run is causal and deterministic: the short run is the start of the long one.
    for population in SIZES:
        times, ids = spikes(f, population)
        full_times, full_ids = spikes(full, population)
        early = full_times <= short_ms + 1e-9
        np.testing.assert_array_equal(times, full_times[early])
        np.testing.assert_array_equal(ids, full_ids[early])
        expected_rate = times.size / SIZES[population] / (short_ms / 1000.0)
        assert run.summary["populations"][population]["rate_hz"] == pytest.approx(expected_rate, rel=1e-12)
    np.testing.assert_array_equal(f["report/exc/v/data"][:], full["report/exc/v/data"][: f["report/exc/v/data"].shape[0]])


# --- validate and models ----------------------------------------------------------------

VALID_FILE = """\
[simulation]
dt = 0.1
duration = 10.0

[[population]]
name = "cells"
model = "IF_curr_exp"
size = 3
params = { tau_m = 20.0 }

[[projection]]
source = "cells"
target = "cells"
weight = 0.1
delay = 1.0
connector = { type = "all_to_all" }
"""


def test_validate_accepts_a_valid_file(neurodyn):
    path = neurodyn.write_model(VALID_FILE)
    process = neurodyn.command("validate", path.name)
    assert process.returncode == 0, process.stderr
    assert f"{path.name}: valid (1 populations, 3 neurons, 1 projections" in process.stdout


# (replace this line of VALID_FILE, with this, the error names this key and says this)
INVALID_FILES = {
    "unknown parameter": ("params = { tau_m = 20.0 }", "params = { tau_mem = 20.0 }",
                          "population[0].params.tau_mem", "did you mean 'tau_m'"),
    "delay below dt": ("delay = 1.0", "delay = 0.05", "projection[0].delay", "shorter than the time step"),
    "unknown population": ('target = "cells"', 'target = "cell"', "projection[0].target", "'cell'"),
    "wrong type": ("size = 3", 'size = "three"', "population[0].size", "expected an integer"),
    "TOML syntax": ("weight = 0.1", "weight = ", "TOML syntax error", ""),
}


@pytest.mark.parametrize("case", sorted(INVALID_FILES))
def test_validate_rejects_an_invalid_file_naming_file_and_line(neurodyn, case):
    original, replacement, key, detail = INVALID_FILES[case]
    assert VALID_FILE.count(original + "\n") == 1
    text = VALID_FILE.replace(original + "\n", replacement + "\n")
    line = text.splitlines().index(replacement) + 1
    path = neurodyn.write_model(text, name="broken")
    process = neurodyn.command("validate", path.name)
    assert process.returncode == 2
    message = process.stderr
    assert message.startswith("neurodyn: error: "), message
    assert f"{path.name}:{line}:" in message, message
    assert key in message and detail in message, message
    assert "internal error" not in message
    # `run` refuses the same file in the same words, before creating a result file.
    run = neurodyn.run(text, name="broken", check=False)
    assert run.returncode == 2
    assert f"{path.name}:{line}:" in run.process.stderr
    assert not run.result_path.exists()


def test_validate_reports_a_missing_file(neurodyn):
    process = neurodyn.command("validate", "no_such_model.toml")
    assert process.returncode == 2
    assert "cannot read model file 'no_such_model.toml'" in process.stderr


def test_models_lists_the_registered_models(neurodyn):
    process = neurodyn.command("models")
    assert process.returncode == 0, process.stderr
    names = [line.split(":")[0] for line in process.stdout.splitlines()]
    for name in ("IF_curr_exp", "IF_cond_exp", "IF_curr_delta", "SpikeSourcePoisson", "SpikeSourceArray"):
        assert name in names


def test_models_describes_one_model(neurodyn):
    process = neurodyn.command("models", "IF_curr_exp")
    assert process.returncode == 0, process.stderr
    rows = {line.split()[0]: line.split() for line in process.stdout.splitlines()[2:] if line.startswith("  ")}
    assert rows["tau_m"][1:3] == ["ms", "20"]
    assert rows["cm"][1:3] == ["nF", "1"]
    assert "v" in rows and "(state)" in " ".join(rows["v"])
    assert "receptors: excitatory, inhibitory (weights in nA)" in process.stdout


def test_models_rejects_an_unknown_name(neurodyn):
    process = neurodyn.command("models", "IF_curr_exq")
    assert process.returncode == 2
    assert "did you mean 'IF_curr_exp'" in process.stderr
