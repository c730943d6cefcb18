"""Recording plastic weights over time (docs/plasticity.md, "Recording weights"):
Network.record_weights / Simulation.weight_trace, the model file's weights recorder, the
result file's /weight_traces group (docs/output-format.md), the plot, and mpirun.

Every sample must equal Simulation.weights() read at the same time (bit for bit: the
sample applies the same operations to the same numbers; for the dopamine rule to a few
ulps), the file must hold what Python reads, and 1, 2 and 3 MPI ranks must write the
same samples. Bad recorders are refused
with a message naming the key. The C++ test (tests/integration/test_weight_recording.cpp)
covers the three rules at once, decompositions and run pieces.
"""

import os
import shutil
import subprocess
import sys

import h5py
import numpy as np
import pytest

from conftest import COMMAND_TIMEOUT_S, build_dir, to_toml

PACKAGE_DIR = build_dir() / "python"
if not (PACKAGE_DIR / "neurodyn" / "__init__.py").is_file():
    pytest.skip(f"the Python package is not built: {PACKAGE_DIR} has no neurodyn", allow_module_level=True)
sys.path.insert(0, str(PACKAGE_DIR))

import neurodyn as nd  # noqa: E402

DT = 0.1


def plastic_model(duration=150.0, record=None):
    """Poisson sources onto IF_curr_exp neurons through a triplet-rule projection "PE"
    (multapses, delays 0.5–3 ms), a recurrent pair-rule projection "EE" and a static "PS"."""
    delay = {"distribution": "uniform", "low": 0.5, "high": 3.0}
    return {
        "simulation": {"dt": DT, "duration": duration, "seed": 31},
        "population": [
            {"name": "P", "model": "SpikeSourcePoisson", "size": 30, "params": {"rate": 20.0}},
            {"name": "E", "model": "IF_curr_exp", "size": 25, "params": {"tau_refrac": 2.0},
             "initial": {"v": {"distribution": "uniform", "low": -65.0, "high": -55.0}}},
        ],
        "projection": [
            {"name": "PE", "source": "P", "target": "E", "weight": 0.15, "delay": delay,
             "connector": {"type": "fixed_number_pre", "n": 10, "allow_multapses": True},
             "synapse": {"type": "stdp", "timing": {"type": "triplet", "A2_plus": 0.003, "A3_plus": 0.01},
                         "weight_dependence": {"type": "additive", "w_min": 0.0, "w_max": 0.3}}},
            {"name": "EE", "source": "E", "target": "E", "weight": 0.05, "delay": 1.5,
             "connector": {"type": "fixed_probability", "p": 0.2},
             "synapse": {"type": "stdp", "timing": {"type": "spike_pair", "A_plus": 0.02, "A_minus": 0.021},
                         "weight_dependence": {"type": "additive", "w_max": 0.1}}},
            {"name": "PS", "source": "P", "target": "E", "weight": 0.01, "connector": {"type": "fixed_probability", "p": 0.1}},
        ],
        "stimulus": [{"type": "poisson", "target": "E", "rate": 5000.0, "weight": 0.12}],
        "record": (record if record is not None else
                   [{"type": "weights", "projection": "PE", "synapses": [249, 0, 17, 100], "interval": 0.7},
                    {"type": "weights", "projection": 1, "synapses": [3, 0], "interval": 2.0},
                    {"type": "spikes", "population": "E"}]),
    }


def load(tmp_path, model, name="m"):
    path = tmp_path / f"{name}.toml"
    path.write_text(to_toml(model))
    return nd.load_model_file(str(path))


def test_samples_equal_the_weights_read_at_the_same_times(tmp_path):
    duration = 150.0
    sim = load(tmp_path, plastic_model(duration)).build()
    sim.run()
    pe, ee = sim.weight_trace("PE"), sim.weight_trace(1)
    # Samples at 0, 0.7, ..., 149.8 ms (215 rows) and 0, 2, ..., 150 ms (76 rows).
    # Times are k x 7 steps x 0.1 ms in the engine, k x 0.7 here: rounding only.
    np.testing.assert_allclose(pe.times, 0.7 * np.arange(215), rtol=1e-12)
    np.testing.assert_allclose(ee.times, 2.0 * np.arange(76), rtol=1e-12)
    assert pe.values.shape == (215, 4) and ee.values.shape == (76, 2)
    assert list(pe.synapses) == [249, 0, 17, 100] and pe.unit == "nA" and pe.projection == 0
    # The same network advanced one step at a time, its weights read at every step.
    reference = load(tmp_path, plastic_model(duration, record=[]), "r").build()
    rows = {0: 0, 1: 0}
    for step in range(int(round(duration / DT)) + 1):
        if step:
            reference.run(DT)
        for trace, interval_steps in ((pe, 7), (ee, 20)):
            if step % interval_steps == 0:
                expected = reference.weights(trace.projection)[trace.synapses]
                np.testing.assert_array_equal(trace.values[rows[trace.projection]], expected,
                                              err_msg=f"projection {trace.projection}, step {step}")
                rows[trace.projection] += 1
    assert rows == {0: 215, 1: 76}
    # The weights moved, and the last row of "EE" (at 150 ms) is the final weight.
    assert np.all(pe.values[0] != pe.values[-1]) and np.any(ee.values[0] != ee.values[-1])
    np.testing.assert_array_equal(ee.values[-1], sim.weights("EE")[[3, 0]])


def test_dopamine_rule_samples_equal_the_weights_read_at_the_same_times():
    """The three-factor rule integrates weight and eligibility together: a sample runs
    that integration on copies (docs/plasticity.md, "Three-factor rule")."""
    def network():
        net = nd.Network(dt=DT, seed=11)
        inp = net.population("inp", "SpikeSourcePoisson", 40, params=dict(rate=20.0))
        exc = net.population("exc", "IF_curr_exp", 30)
        da = net.population("da", "SpikeSourcePoisson", 5, params=dict(rate=10.0))
        net.modulator("DA", sources={da: 0.01}, tau=100.0, baseline=0.001)
        net.poisson_input(exc, rate=4000.0, weight=0.12)
        plastic = net.connect(inp, exc, nd.fixed_probability(0.3), weight=0.1, delay=nd.uniform(0.5, 3.0),
                              synapse=nd.stdp(timing="dopamine", modulator="DA", A_plus=0.01, A_minus=0.015,
                                              w_min=0.0, w_max=0.3))
        return net, plastic
    net, plastic = network()
    synapses = [9, 24, 27, 42, 49, 52]
    net.record_weights(plastic, synapses, 0.5)
    sim = net.build(shards=3)
    sim.run(150.0)
    values = sim.weight_trace(plastic).values
    reference = network()[0].build()
    rows = [reference.weights(plastic)[synapses]]
    for _ in range(300):
        reference.run(0.5)
        rows.append(reference.weights(plastic)[synapses])
    # A read (bring_up_to) splits the exact integration between events where a sample
    # does not: products of exponentials in another order, a few ulps (measured: equal).
    np.testing.assert_allclose(values, rows, rtol=1e-13, atol=0)
    assert np.all(np.ptp(values, axis=0) > 0.01)  # every recorded weight moved


def test_synaptic_scaling_is_sampled_in_time_order():
    """Synaptic scaling (homeostasis) multiplies the weights after the spikes of its step:
    a sample at S dt includes the scalings of steps <= S - 1 only, also when several
    scalings and samples fall in one epoch (min delay 3 ms, scaling every 1 ms)."""
    def network():
        net = nd.Network(dt=DT, seed=21)
        pre = net.population("pre", "SpikeSourcePoisson", 30, params={"rate": 20.0})
        post = net.population("post", "IF_curr_exp", 10)
        plastic = net.connect(pre, post, nd.fixed_number_pre(10), weight=0.2, delay=3.0,
                              synapse=nd.stdp(A_plus=0.01, A_minus=0.012, w_min=0.0, w_max=0.5))
        net.homeostasis(post, "synaptic_scaling", target_rate=5.0, eta=0.5, tau=50.0, interval=1.0)
        net.poisson_input(post, rate=6000.0, weight=0.12)
        return net, plastic
    net, plastic = network()
    synapses = [0, 13, 57, 99]
    net.record_weights(plastic, synapses, DT)  # every step: before and after each scaling
    sim = net.build(shards=2)
    sim.run(60.0)
    values = sim.weight_trace(plastic).values
    reference = network()[0].build(shards=2)
    rows = [reference.weights(plastic)[synapses]]
    for _ in range(600):
        reference.run(DT)
        rows.append(reference.weights(plastic)[synapses])
    np.testing.assert_array_equal(values, np.array(rows))
    # The scalings act: every 1 ms all weights are multiplied by a factor != 1 (the rates
    # are not at the target), whether or not their sources spiked; measured: all 60
    # intervals change all four weights. Half of them is required, so that a test of the
    # ordering cannot pass with scaling switched off.
    scaled = np.all(np.diff(values[::10], axis=0) != 0, axis=1)
    assert scaled.sum() > 30


def test_python_api_handle_name_and_index(tmp_path):
    net = nd.Network(dt=DT, seed=4)
    pre = net.population("pre", "SpikeSourcePoisson", 20, params={"rate": 30.0})
    post = net.population("post", "IF_curr_exp", 5)
    plastic = net.connect(pre, post, nd.all_to_all(), weight=0.2, delay=1.0,
                          synapse=nd.stdp(timing="vogels_sprekeler", eta=0.01, w_min=0.0, w_max=0.5))
    net.poisson_input(post, rate=8000.0, weight=0.1)
    assert net.record_weights(plastic, [0, 99], 1.0) == 0
    assert net.record_weights("pre->post", np.array([5]), 0.5) == 1
    assert net.record_weights(0, [7, 8], 2.0) == 2
    sim = net.build(shards=3)  # threads: tests/integration/test_weight_recording.cpp
    sim.run(50.0)
    reference = net.build()
    reference.run(50.0)
    for recorder, synapses in ((0, [0, 99]), (1, [5]), (2, [7, 8])):
        trace = sim.weight_trace(recorder=recorder)
        assert list(trace.synapses) == synapses and trace.recorder == recorder
        times, values = trace
        np.testing.assert_array_equal(values[-1], sim.weights(plastic)[synapses])
        # 3 shards sample what one shard does.
        np.testing.assert_array_equal(values, reference.weight_trace(recorder=recorder).values)
    assert repr(sim.weight_trace(plastic, recorder=1)) == "<WeightTrace of projection 0 (nA): 101 samples x 1 synapses>"
    with pytest.raises(nd.NeurodynValueError, match=r"several weights recorders of projection .* \(0, 1, 2\); choose one"):
        sim.weight_trace(plastic)
    with pytest.raises(nd.NeurodynKeyError, match=r"no weights recorder with index 5"):
        sim.weight_trace(recorder=5)


def test_result_file_holds_what_python_reads(tmp_path):
    out = tmp_path / "w.h5"
    sim = load(tmp_path, plastic_model(100.0)).build(output=str(out))
    sim.run()
    sim.close()
    connections = sim.connections("PE")
    with h5py.File(out, "r") as f:
        assert sorted(f["weight_traces"]) == ["EE", "PE"]
        group = f["weight_traces/PE"]
        assert group.attrs["projection"] == "PE" and group.attrs["projection_index"] == 0
        assert group.attrs["source"] == "P" and group.attrs["target"] == "E"
        assert group["data"].attrs["units"] == "nA" and group["time"].attrs["units"] == "ms"
        trace = sim.weight_trace("PE")
        np.testing.assert_array_equal(group["data"][()], trace.values)
        np.testing.assert_array_equal(group["synapse"][()], [249, 0, 17, 100])
        np.testing.assert_array_equal(group["source"][()], connections["source"][[249, 0, 17, 100]])
        np.testing.assert_array_equal(group["target"][()], connections["target"][[249, 0, 17, 100]])
        t_start, t_stop, interval = group["time"][()]
        # 7 steps of 0.1 ms (0.7000000000000001 in binary); t_stop exclusive, after 143 rows.
        assert t_start == 0.0 and interval == 7 * DT and t_stop == pytest.approx(0.7 * 143, rel=1e-12)
        assert group["data"].shape == (143, 4)
    loaded = nd.load_results(out)["weight_traces"]["PE"]
    np.testing.assert_array_equal(loaded["values"], trace.values)
    np.testing.assert_allclose(loaded["times"], trace.times, rtol=1e-12)  # t0 + k dt against k dt: rounding
    np.testing.assert_array_equal(loaded["sources"], connections["source"][[249, 0, 17, 100]])
    assert loaded["projection"] == "PE" and loaded["unit"] == "nA" and list(loaded["synapses"]) == [249, 0, 17, 100]


def test_command_writes_the_same_weight_traces(neurodyn, tmp_path):
    model = plastic_model(120.0)
    run = neurodyn.run(model)
    sim = load(tmp_path, model).build()
    sim.run()
    with run.h5() as f:
        for name, recorder in (("PE", 0), ("EE", 1)):
            np.testing.assert_array_equal(f[f"weight_traces/{name}/data"][()], sim.weight_trace(recorder=recorder).values)
        # The final snapshot (/weights) and the last sample at 120 ms agree.
        np.testing.assert_array_equal(f["weight_traces/EE/data"][-1], f["weights/EE/weight"][()][[3, 0]])


def test_plot_draws_the_recorded_weights(tmp_path):
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import neurodyn.plot as ndplot
    sim = load(tmp_path, plastic_model(30.0)).build()
    sim.run()
    fig = ndplot.weights(sim, "PE", max_traces=3)
    lines = fig.axes[0].get_lines()
    assert len(lines) == 3
    np.testing.assert_array_equal(lines[1].get_ydata(), sim.weight_trace("PE").values[:, 1])
    fig.savefig(tmp_path / "w.png")


@pytest.mark.parametrize("arguments,error,message", [
    (("PQ", [0], 1.0), nd.NeurodynKeyError,
     r"^record\[0\]\.projection: unknown projection 'PQ'; did you mean 'PE'\? \(projections: PE, EE, PS\)$"),
    ((7, [0], 1.0), nd.NeurodynKeyError, r"^record\[0\]\.projection: there is no projection 7 \(the network has 3\)$"),
    (("PS", [0], 1.0), nd.NeurodynValueError,
     r"^record\[0\]\.projection: projection\[2\] \('PS'\) has fixed weights \(synapse type static\); only stdp and "
     r"rate_hebbian projections have weights that change over time$"),
    (("PE", [0], 0.0), nd.NeurodynValueError, r"^record\[0\]\.interval: interval must be a finite time > 0 ms, got 0$"),
    (("PE", [0], -2.0), nd.NeurodynValueError, r"^record\[0\]\.interval: .* > 0 ms, got -2$"),
    (("PE", [0], 0.25), nd.NeurodynValueError,
     r"^record\[0\]\.interval: interval must be a whole number of steps \(dt = 0.1 ms\), got 0.25 ms$"),
    (("PE", [], 1.0), nd.NeurodynValueError, r"^record\[0\]\.synapses: a weights recorder needs at least one synapse"),
    (("PE", [1, 1], 1.0), nd.NeurodynValueError, r"^record\[0\]\.synapses: synapse index 1 is listed twice$"),
    (("PE", [-1], 1.0), nd.NeurodynValueError, r"^record\[0\]\.synapses\[0\]: expected an integer >= 0, got -1$"),
    (("PE", [0.5], 1.0), nd.NeurodynValueError, r"^record\[0\]\.synapses: expected a list or array of synapse indices"),
    ((1.5, [0], 1.0), nd.NeurodynValueError, r"^record\[0\]\.projection: expected a projection, its name or its index"),
])
def test_bad_recorders_are_refused_at_once(tmp_path, arguments, error, message):
    net = load(tmp_path, plastic_model(10.0, record=[]))
    with pytest.raises(error, match=message):
        net.record_weights(*arguments)
    assert net._spec.n_recorders == 0  # undone


def test_synapse_index_out_of_range_is_refused_at_build(tmp_path):
    net = load(tmp_path, plastic_model(10.0, record=[]))
    net.record_weights("PE", [0, 250], 1.0)  # "PE" has 25 x 10 = 250 synapses
    with pytest.raises(nd.NeurodynValueError,
                       match=r"^record\[0\]\.synapses: synapse index 250 is out of range: projection\[0\] \('PE'\) "
                             r"has 250 synapses \(indices in the order of its weights\)$"):
        net.build()
    with pytest.raises(nd.NeurodynKeyError, match=r"no weights recorder .*use Network.record_weights"):
        load(tmp_path, plastic_model(10.0, record=[])).build().weight_trace()


def test_scaled_networks_refuse_synapse_lists():
    net = nd.Network(scale=0.5)
    pre = net.population("pre", "SpikeSourcePoisson", 10)
    post = net.population("post", "IF_curr_exp", 10)
    plastic = net.connect(pre, post, nd.all_to_all(), weight=0.1, synapse=nd.stdp())
    with pytest.raises(nd.NeurodynValueError, match=r"record\[0\]\.synapses: a list of synapse indices cannot be scaled"):
        net.record_weights(plastic, [0], 1.0)


MPIRUN = shutil.which("mpirun")
# As python/tests/test_mpi.py (which says why each is needed).
MPI_ENV = {"OMPI_ALLOW_RUN_AS_ROOT": "1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1",
           "OMPI_MCA_btl_vader_single_copy_mechanism": "none", "OMPI_MCA_rmaps_base_oversubscribe": "1",
           "OMP_WAIT_POLICY": "passive"}

SCRIPT = """
import sys
import numpy as np
import neurodyn as nd
sim = nd.load_model_file(sys.argv[1]).build(threads=int(sys.argv[3]))
sim.run(61.3)
sim.run(38.7)
if nd.mpi_rank() == 0:
    np.savez(sys.argv[2], pe=sim.weight_trace("PE").values, ee=sim.weight_trace("EE").values, ranks=nd.mpi_size())
"""


def test_identical_weight_traces_on_1_2_3_ranks(neurodyn_binary, tmp_path):
    if MPIRUN is None:
        pytest.skip("mpirun is not installed (Debian: openmpi-bin)")
    version = subprocess.run([str(neurodyn_binary), "--version"], capture_output=True, text=True).stdout
    if "(MPI)" not in version:
        pytest.skip(f"neurodyn was built without MPI ({version.strip()})")
    model = tmp_path / "m.toml"
    model.write_text(to_toml(plastic_model(100.0)))
    env = dict(os.environ)
    env.update(MPI_ENV)
    env["PYTHONPATH"] = str(PACKAGE_DIR)
    files = {}
    for ranks in (0, 2, 3):  # the command; rank 0 writes the file
        out = tmp_path / f"c{ranks}.h5"
        command = [str(neurodyn_binary), "run", str(model), "-o", str(out), "--quiet"]
        if ranks:
            command = [MPIRUN, "--oversubscribe", "-np", str(ranks)] + command
        process = subprocess.run(command, capture_output=True, text=True, env=env, timeout=4 * COMMAND_TIMEOUT_S)
        assert process.returncode == 0, process.stderr
        with h5py.File(out, "r") as f:
            files[ranks] = {name: f[f"weight_traces/{name}/data"][()] for name in ("PE", "EE")}
    for ranks in (2, 3):
        for name in ("PE", "EE"):
            np.testing.assert_array_equal(files[ranks][name], files[0][name], err_msg=f"{name} on {ranks} ranks")
    # Python under mpirun, in two pieces, on 2 ranks with 2 threads each.
    script = tmp_path / "script.py"
    script.write_text(SCRIPT)
    out = tmp_path / "p.npz"
    process = subprocess.run([MPIRUN, "--oversubscribe", "-np", "2", sys.executable, str(script), str(model), str(out), "2"],
                             capture_output=True, text=True, env=env, timeout=4 * COMMAND_TIMEOUT_S)
    assert process.returncode == 0, process.stderr
    result = np.load(out)
    assert int(result["ranks"]) == 2
    np.testing.assert_array_equal(result["pe"], files[0]["PE"])
    np.testing.assert_array_equal(result["ee"], files[0]["EE"])
