"""Distributed runs: the same spikes and traces for any number of MPI ranks and threads.

The model mixes what a decomposition could disturb: population sizes that no number of
shards divides, heterogeneous delays (uniform over 0.5-3 ms; epochs of 5 steps), Poisson sources and Poisson drives, noisy currents, every connector type,
Tsodyks-Markram synapses, a rate population (its outputs are exchanged with the spikes)
and state recording of neurons that live on different ranks. `neurodyn run` under
`mpirun -np R --threads T` must write a result file whose spikes and traces equal the
single-process, single-thread run bit for bit (np.array_equal, no tolerance).

Skipped when `mpirun` is missing or the command was built without MPI (`neurodyn
--version` says which); the rest of the suite does not need MPI.
"""

import os
import shutil
import subprocess
import sys

import h5py
import numpy as np
import pytest

from conftest import COMMAND_TIMEOUT_S, to_toml

MPIRUN = shutil.which("mpirun")

# OpenMPI refuses to start as root without these (CI machines run as root), and its
# shared-memory transport's single-copy mode needs ptrace rights that containers lack.
# Up to 3 ranks x 2 threads share 2 cores here: OpenMP threads that spin while they wait
# would starve the other processes, so they sleep instead.
MPI_ENV = {"OMPI_ALLOW_RUN_AS_ROOT": "1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1",
           "OMPI_MCA_btl_vader_single_copy_mechanism": "none", "OMPI_MCA_rmaps_base_oversubscribe": "1",
           "OMP_WAIT_POLICY": "passive"}


def mpi_environment():
    env = dict(os.environ)
    env.update(MPI_ENV)
    return env


@pytest.fixture(scope="module")
def mpi_binary(neurodyn_binary):
    if MPIRUN is None:
        pytest.skip("mpirun is not installed (Debian: openmpi-bin)")
    version = subprocess.run([str(neurodyn_binary), "--version"], capture_output=True, text=True).stdout
    if "(MPI)" not in version:
        pytest.skip(f"neurodyn was built without MPI ({version.strip()})")
    return neurodyn_binary


def mixed_model(duration=100.0):
    uniform_delay = {"distribution": "uniform", "low": 0.5, "high": 3.0}
    return {
        "simulation": {"dt": 0.1, "duration": duration, "seed": 4242},
        "population": [
            {"name": "P", "model": "SpikeSourcePoisson", "size": 37, "params": {"rate": 40.0}},
            # ~200 spikes per 0.5 ms epoch from many sources: busy exchanges.
            {"name": "B", "model": "SpikeSourcePoisson", "size": 200, "params": {"rate": 2000.0}},
            {"name": "A", "model": "SpikeSourceArray", "size": 5,
             "spike_times": [[5.0, 30.0], [12.5], [], [40.0, 41.0, 42.0], [60.0]]},
            {"name": "E", "model": "IF_cond_exp", "size": 103,
             "initial": {"v": {"distribution": "uniform", "low": -65.0, "high": -50.0}}},
            {"name": "I", "model": "IF_curr_exp", "size": 29,
             "initial": {"v": {"distribution": "uniform", "low": -65.0, "high": -52.0}}},
            {"name": "Z", "model": "Izhikevich", "size": 11},
            {"name": "R", "model": "LeakyRate", "size": 13, "params": {"tau": 5.0, "transfer": "tanh"}},
        ],
        "projection": [
            {"source": "P", "target": "E", "weight": 0.004, "delay": uniform_delay,
             "connector": {"type": "fixed_probability", "p": 0.3}},
            {"source": "B", "target": "I", "weight": 0.01, "delay": uniform_delay,
             "connector": {"type": "fixed_number_pre", "n": 4}},
            {"source": "E", "target": "E", "weight": {"distribution": "uniform", "low": 0.001, "high": 0.004},
             "delay": uniform_delay, "connector": {"type": "fixed_number_pre", "n": 20, "allow_autapses": False}},
            {"source": "E", "target": "I", "weight": 0.3, "delay": uniform_delay,
             "connector": {"type": "fixed_number_post", "n": 7}},
            {"source": "I", "target": "E", "receptor": "inhibitory", "weight": 0.02, "delay": 0.8,
             "connector": {"type": "all_to_all"},
             "synapse": {"type": "tsodyks_markram", "U": 0.4, "tau_rec": 200.0, "tau_facil": 50.0}},
            {"source": "A", "target": "Z", "weight": 20.0, "delay": 1.0,
             "connector": {"type": "from_list", "connections": [[0, 0], [1, 3], [3, 10], [4, 7], [2, 5]]}},
            {"source": "E", "target": "Z", "weight": 0.5, "delay": uniform_delay,
             "connector": {"type": "fixed_probability", "p": 0.2}},
            {"source": "R", "target": "R", "receptor": "input", "weight": {"distribution": "normal", "mean": 0.0, "std": 0.4},
             "delay": 0.5, "connector": {"type": "all_to_all"}},
            {"source": "I", "target": "R", "receptor": "input", "weight": 0.1, "delay": 1.0,
             "connector": {"type": "fixed_number_pre", "n": 3}},
            {"source": "I", "target": "I", "receptor": "inhibitory", "weight": 0.1, "delay": 2.0,
             "connector": {"type": "one_to_one"}},
        ],
        "stimulus": [
            {"type": "poisson", "target": "E", "rate": 3000.0, "weight": 0.003},
            {"type": "poisson", "target": "I", "rate": 2500.0, "weight": 0.35},
            {"type": "noisy_current", "target": "Z", "mean": 5.0, "stdev": 3.0},
            {"type": "dc", "target": "R", "amplitude": 0.2, "neurons": [0, 4, 12]},
        ],
        "record": [
            {"type": "spikes", "population": "P"}, {"type": "spikes", "population": "A"},
            {"type": "spikes", "population": "B"},
            {"type": "spikes", "population": "E"}, {"type": "spikes", "population": "I"},
            {"type": "spikes", "population": "Z"},
            {"type": "state", "population": "E", "variables": ["v", "gsyn_exc"], "neurons": [0, 34, 51, 52, 102]},
            {"type": "state", "population": "R", "variables": ["r"]},
        ],
    }


def datasets(path):
    """Every dataset of a result file but the run summary (timings differ run to run)."""
    found = {}
    with h5py.File(path, "r") as f:
        def visit(name, obj):
            if isinstance(obj, h5py.Dataset) and not name.startswith("summary"):
                found[name] = obj[()]
        f.visititems(visit)
    return found


def run_distributed(binary, directory, model_path, ranks, threads, name):
    result = directory / f"{name}.h5"
    command = [str(binary), "run", str(model_path), "-o", str(result), "--quiet", "--threads", str(threads)]
    if ranks > 0:
        command = [MPIRUN, "--oversubscribe", "-np", str(ranks)] + command
    process = subprocess.run(command, capture_output=True, text=True, env=mpi_environment(),
                             timeout=4 * COMMAND_TIMEOUT_S)
    assert process.returncode == 0, f"{' '.join(command)} exited with {process.returncode}:\n{process.stderr}"
    return datasets(result)


@pytest.fixture(scope="module")
def reference(mpi_binary, tmp_path_factory):
    directory = tmp_path_factory.mktemp("mpi")
    model_path = directory / "mixed.toml"
    model_path.write_text(to_toml(mixed_model()))
    return directory, model_path, run_distributed(mpi_binary, directory, model_path, 0, 1, "reference")


def test_reference_is_not_trivial(reference):
    _, _, data = reference
    for population in ("P", "A", "B", "E", "I", "Z"):
        assert data[f"spikes/{population}/node_ids"].size > 0, f"{population} did not fire"
    assert any(name.startswith("report/") for name in data)


@pytest.mark.parametrize("ranks,threads", [(1, 1), (1, 2), (2, 1), (2, 2), (3, 1), (3, 2)])
def test_identical_results_for_any_ranks_and_threads(mpi_binary, reference, ranks, threads):
    directory, model_path, expected = reference
    got = run_distributed(mpi_binary, directory, model_path, ranks, threads, f"r{ranks}t{threads}")
    assert sorted(got) == sorted(expected)
    for name, values in expected.items():
        assert np.array_equal(got[name], values), f"{name} differs with {ranks} ranks x {threads} threads"


def test_summary_counts_all_ranks(mpi_binary, reference):
    directory, model_path, _ = reference
    summary = directory / "summary.json"
    process = subprocess.run([MPIRUN, "--oversubscribe", "-np", "2", str(mpi_binary), "run", str(model_path),
                              "--no-output", "--summary-json", str(summary)],
                             capture_output=True, text=True, env=mpi_environment(), timeout=4 * COMMAND_TIMEOUT_S)
    assert process.returncode == 0, process.stderr
    # Rank 0 alone prints: one summary, not one per rank.
    assert process.stdout.count("synaptic events:") == 1
    assert "ran on 2 MPI ranks x 1 thread (2 shards)" in process.stdout
    single = subprocess.run([str(mpi_binary), "run", str(model_path), "--no-output", "--quiet", "--summary-json",
                             str(directory / "single.json")], capture_output=True, text=True, timeout=COMMAND_TIMEOUT_S)
    assert single.returncode == 0, single.stderr
    import json
    distributed, alone = json.loads(summary.read_text()), json.loads((directory / "single.json").read_text())
    assert distributed["processes"] == 2 and alone["processes"] == 1
    # Synapses and events are summed over the ranks: the whole network's counts.
    for key in ("synapses", "synaptic_events"):
        assert distributed[key] == alone[key], key
    assert distributed["populations"] == alone["populations"]


def test_error_on_one_rank_stops_every_rank(mpi_binary, tmp_path):
    # v_reset >= v_thresh only for neurons that rank 1 owns: the refusal must reach rank
    # 0 too (both exit with status 2, one message), not leave it waiting in an exchange.
    model = mixed_model(duration=10.0)
    model["population"][4]["params"] = {"v_reset": [-70.0] * 28 + [-40.0]}
    path = tmp_path / "bad.toml"
    path.write_text(to_toml(model))
    process = subprocess.run([MPIRUN, "--oversubscribe", "-np", "2", str(mpi_binary), "run", str(path), "--no-output"],
                             capture_output=True, text=True, env=mpi_environment(), timeout=4 * COMMAND_TIMEOUT_S)
    assert process.returncode == 2, process.stderr
    assert process.stderr.count("neurodyn: error:") == 1, process.stderr
    assert "population[4].params.v_reset" in process.stderr


def test_memory_limit_refuses_per_rank(mpi_binary, tmp_path):
    # A limit below the estimate of each rank's part is refused before the build, with
    # the estimate and the limit in the message.
    path = tmp_path / "model.toml"
    path.write_text(to_toml(mixed_model(duration=10.0)))
    process = subprocess.run([MPIRUN, "--oversubscribe", "-np", "2", str(mpi_binary), "run", str(path), "--no-output",
                              "--memory-limit", "0.0001"],
                             capture_output=True, text=True, env=mpi_environment(), timeout=4 * COMMAND_TIMEOUT_S)
    assert process.returncode == 2, process.stderr
    assert "per rank" in process.stderr and "but only 0.1 MB may be used" in process.stderr, process.stderr


PYTHON_SCRIPT = """
import sys
import numpy as np
import neurodyn as nd

net = nd.load_model_file(sys.argv[1])
sim = net.build(threads=int(sys.argv[3]))
sim.run(60.0)
v = sim.state("E", "v")
sim.run(40.0)
if nd.mpi_rank() == 0:
    times, ids = sim.spikes("E")
    np.savez(sys.argv[2], times=times, ids=ids, v=v, ranks=nd.mpi_size())
"""


def test_python_script_runs_unchanged_under_mpirun(mpi_binary, reference, tmp_path):
    from conftest import build_dir
    directory, model_path, _ = reference
    script = tmp_path / "script.py"
    script.write_text(PYTHON_SCRIPT)
    env = mpi_environment()
    env["PYTHONPATH"] = str(build_dir() / "python")
    results = {}
    for ranks, threads in ((0, 1), (3, 2)):
        out = tmp_path / f"py{ranks}.npz"
        command = [sys.executable, str(script), str(model_path), str(out), str(threads)]
        if ranks:
            command = [MPIRUN, "--oversubscribe", "-np", str(ranks)] + command
        process = subprocess.run(command, capture_output=True, text=True, env=env, timeout=4 * COMMAND_TIMEOUT_S)
        assert process.returncode == 0, process.stderr
        results[ranks] = np.load(out)
    assert results[0]["ranks"] == 1 and results[3]["ranks"] == 3
    for key in ("times", "ids", "v"):
        assert np.array_equal(results[0][key], results[3][key]), key
    assert results[0]["ids"].size > 0


def test_memory_limit_refuses_before_building(neurodyn, tmp_path):
    # Without mpirun too: the estimate and the limit are in the message, exit status 2,
    # and no result file that could pass for a run is left behind.
    model = mixed_model(duration=10.0)
    run = neurodyn.run(model, "--memory-limit", "0.0001", check=False)
    assert run.returncode == 2
    assert "the network needs about" in run.process.stderr, run.process.stderr
    assert "but only 0.1 MB may be used" in run.process.stderr, run.process.stderr
    assert not run.result_path.exists()
