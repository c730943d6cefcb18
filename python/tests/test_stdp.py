"""Spike-timing-dependent plasticity from Python, PyNN, the model file and mpirun
(docs/plasticity.md).

The window of one spike pair is checked against its closed form through nd.stdp and
through PyNN's STDPMechanism; Simulation.weights / set_weights and PyNN's
Projection.get/set("weight") read and replace the plastic weights; the command writes
the final weights to /weights/<projection>; and a plastic network gives the same weights
on 1, 2 and 3 MPI ranks, bit for bit (skipped without mpirun or an MPI build, with the
environment of test_mpi.py).
"""

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
DELAY = 1.0  # ms, the plastic projection's (dendritic) delay
TAU_PLUS, TAU_MINUS, A_PLUS, A_MINUS = 16.8, 33.7, 0.01, 0.012
W0, W_MAX = 0.005, 0.01
# One exp and a multiply-add in double: 1e-12 of w_max is ~1e5 ulps of the weights.
TOL = 1e-12 * W_MAX


def expected_weight(delta_t, kind, w0, mu_plus=0.5, mu_minus=0.5, w_min=0.0, w_max=W_MAX):
    """The closed form for one pair, Δt = t_post + delay - t_pre (docs/plasticity.md)."""
    mu = {"additive": (0.0, 0.0), "multiplicative": (1.0, 1.0), "gutig": (mu_plus, mu_minus)}[kind]
    if delta_t > 0:
        a = A_PLUS * np.exp(-delta_t / TAU_PLUS)
        return min(w0 + a * w_max * ((w_max - w0) / w_max) ** mu[0], w_max)
    if delta_t < 0:
        a = A_MINUS * np.exp(delta_t / TAU_MINUS)
        return max(w0 - a * w_max * ((w0 - w_min) / w_max) ** mu[1], w_min)
    return w0


def pair_network(offsets_steps, synapse, t_pre=120.0):
    """Synapse i pairs pre i (at t_pre) with post i, made to fire at
    t_pre + offsets[i] dt - delay by a 100 mV input (IF_curr_delta without leak)."""
    n = len(offsets_steps)
    net = nd.Network(dt=DT, seed=5)
    pre = net.population("pre", "SpikeSourceArray", n, spike_times=[[t_pre]] * n)
    driver = net.population("driver", "SpikeSourceArray", n,
                            spike_times=[[t_pre + k * DT - DELAY - 1.0] for k in offsets_steps])
    post = net.population("post", "IF_curr_delta", n,
                          params={"tau_m": 1e15, "v_rest": 0.0, "v_thresh": 1.0, "v_reset": 0.0, "tau_refrac": 0.0},
                          initial={"v": 0.0})
    net.connect(pre, post, nd.one_to_one(), weight=W0, delay=DELAY, synapse=synapse, name="plastic")
    net.connect(driver, post, nd.one_to_one(), weight=100.0, delay=1.0)
    return net


@pytest.mark.parametrize("kind", ["additive", "multiplicative", "gutig"])
@pytest.mark.parametrize("pairing", ["all_to_all", "nearest_symmetric"])
def test_window_matches_the_closed_form(kind, pairing):
    offsets = np.arange(-1000, 1001, 25)  # Δt from -100 to 100 ms
    synapse = nd.stdp(tau_plus=TAU_PLUS, tau_minus=TAU_MINUS, A_plus=A_PLUS, A_minus=A_MINUS,
                      weight_dependence=kind, w_min=0.0, w_max=W_MAX, mu_plus=0.3, mu_minus=0.8, pairing=pairing)
    assert synapse.kind == "stdp" and synapse.stdp_parameters["pairing"] == pairing
    sim = pair_network(offsets, synapse).build()
    sim.run(240.0)
    w = sim.weights("plastic")
    w0 = float(np.float32(W0))  # initial weights are generated as float32
    expected = [expected_weight(k * DT, kind, w0, 0.3, 0.8) for k in offsets]
    np.testing.assert_allclose(w, expected, rtol=0, atol=TOL)
    assert np.all(w[offsets > 0] > w0) and np.all(w[offsets < 0] < w0)


def test_weights_can_be_set_between_runs_and_are_checked():
    offsets = [-50, 50, 0]
    synapse = nd.stdp(tau_plus=TAU_PLUS, tau_minus=TAU_MINUS, A_plus=A_PLUS, A_minus=A_MINUS,
                      weight_dependence="multiplicative", w_max=W_MAX)
    net = pair_network(offsets, synapse, t_pre=20.0)
    sim = net.build()
    sim.run(10.0)
    sim.set_weights("plastic", [0.002, 0.004, 0.006])
    np.testing.assert_array_equal(sim.weights("plastic"), [0.002, 0.004, 0.006])
    sim.run(40.0)
    w = sim.weights("plastic")
    np.testing.assert_allclose(w, [expected_weight(-5.0, "multiplicative", 0.002),
                                   expected_weight(5.0, "multiplicative", 0.004),
                                   0.006], rtol=0, atol=TOL)
    with pytest.raises(nd.NeurodynValueError, match=r"weight 1 of projection\[0\] \('plastic'\) must lie in "
                                                    r"\[w_min, w_max\] = \[0, 0.01\], got 0.02"):
        sim.set_weights("plastic", [0.001, 0.02, 0.001])
    with pytest.raises(nd.NeurodynValueError, match="has 3 synapses, got 2 weights"):
        sim.set_weights(0, [0.001, 0.002])
    with pytest.raises(nd.NeurodynValueError, match="has fixed weights"):
        sim.set_weights(1, [1.0, 1.0, 1.0])
    np.testing.assert_array_equal(sim.weights("plastic"), w)  # refused: nothing changed
    # A static projection's weights are its fixed ones.
    np.testing.assert_array_equal(sim.weights(1), sim.connections(1)["weight"])


@pytest.mark.parametrize("arguments,message", [
    ({"tau_plus": 0.0}, r"synapse.timing.tau_plus: SpikePairRule tau_plus must be > 0 ms, got 0"),
    ({"tau_minus": -3.0}, r"synapse.timing.tau_minus: SpikePairRule tau_minus must be > 0 ms, got -3"),
    ({"A_plus": -0.1}, r"synapse.timing.A_plus: SpikePairRule A_plus must be a finite number >= 0, got -0.1"),
    ({"A_minus": float("nan")}, r"synapse.timing.A_minus"),
    ({"w_max": -1.0}, r"synapse.weight_dependence.w_max: additive weight dependence w_max must be a finite weight > 0"),
    ({"w_min": 0.02, "w_max": 0.01}, r"synapse.weight_dependence.w_min: .* must be a finite weight < w_max"),
    ({"weight_dependence": "gutig", "mu_plus": -1.0}, r"synapse.weight_dependence.mu_plus"),
    ({"weight_dependence": "gutig", "mu_minus": -1.0}, r"synapse.weight_dependence.mu_minus"),
    ({"dendritic_delay_fraction": 0.0}, r"synapse.dendritic_delay_fraction: only 1 is supported"),
    ({"w_max": 0.001}, r"projection\[0\].weight: the initial weight 0.005 of an stdp synapse must lie in"),
])
def test_each_bad_parameter_is_named(arguments, message):
    values = dict(w_max=W_MAX)
    values.update(arguments)
    # Network.connect checks the projection as it is added.
    with pytest.raises(nd.NeurodynValueError, match=message):
        pair_network([10], nd.stdp(**values)).build()


def test_unknown_names_are_refused_at_once():
    with pytest.raises(nd.NeurodynValueError, match="unknown pairing 'nearest'"):
        nd.stdp(pairing="nearest")
    with pytest.raises(nd.NeurodynValueError, match="unknown weight_dependence 'multiplcative'.*did you mean"):
        nd.stdp(weight_dependence="multiplcative")


# --- PyNN -------------------------------------------------------------------------------

@pytest.fixture
def pynn():
    pytest.importorskip("pyNN", reason="python3-pynn is not installed (scripts/setup.sh)")
    pytest.importorskip("neo", reason="python3-neo is not installed (scripts/setup.sh)")
    import neurodyn.pynn as sim
    sim.setup(timestep=DT)
    yield sim
    sim.end()


def test_pynn_stdp_mechanism_window_and_get_weight(pynn):
    sim = pynn
    offsets = np.arange(-500, 501, 50)
    n = offsets.size
    t_pre = 70.0
    pre = sim.Population(n, sim.SpikeSourceArray(spike_times=[t_pre]))
    driver = sim.Population(n, sim.SpikeSourceArray(
        spike_times=[sim.Sequence([t_pre + k * DT - DELAY - 1.0]) for k in offsets]))
    post = sim.Population(n, sim.IF_curr_delta(tau_m=1e15, v_rest=0.0, v_thresh=1.0, v_reset=0.0, tau_refrac=0.0,
                                               i_offset=0.0))
    post.initialize(v=0.0)
    post.record("spikes")
    stdp = sim.STDPMechanism(
        timing_dependence=sim.SpikePairRule(tau_plus=TAU_PLUS, tau_minus=TAU_MINUS, A_plus=A_PLUS, A_minus=A_MINUS),
        weight_dependence=sim.GutigWeightDependence(w_min=0.0, w_max=W_MAX, mu_plus=0.3, mu_minus=0.8),
        weight=W0, delay=DELAY)
    projection = sim.Projection(pre, post, sim.OneToOneConnector(), stdp)
    sim.Projection(driver, post, sim.OneToOneConnector(), sim.StaticSynapse(weight=100.0, delay=1.0))
    sim.run(140.0)
    # Δt from the recorded post spikes, so the check does not assume when they fired.
    trains = post.get_data("spikes").segments[-1].spiketrains
    w0 = float(np.float32(W0))
    expected = [expected_weight(float(train.magnitude[0]) + DELAY - t_pre, "gutig", w0, 0.3, 0.8) for train in trains]
    weights = np.array(projection.get("weight", format="list"))[:, 2]
    np.testing.assert_allclose(weights, expected, rtol=0, atol=TOL)
    assert weights.max() > w0 > weights.min()
    # Replaced between runs through Projection.set.
    projection.set(weight=0.001)
    np.testing.assert_array_equal(np.array(projection.get("weight", format="list"))[:, 2], 0.001)


def test_pynn_nearest_neighbour_and_multiplicative(pynn):
    sim = pynn
    # pre at 20 and 30 ms, the post spike reaches the synapse at 45 ms: nearest pairing
    # counts only 30 -> 45.
    pre = sim.Population(1, sim.SpikeSourceArray(spike_times=[20.0, 30.0]))
    driver = sim.Population(1, sim.SpikeSourceArray(spike_times=[45.0 - DELAY - 1.0]))
    post = sim.Population(1, sim.IF_curr_delta(tau_m=1e15, v_rest=0.0, v_thresh=1.0, v_reset=0.0, tau_refrac=0.0))
    post.initialize(v=0.0)
    weights = {}
    for rule in (sim.SpikePairRule, sim.NearestNeighbourSpikePairRule):
        stdp = sim.STDPMechanism(timing_dependence=rule(tau_plus=TAU_PLUS, A_plus=A_PLUS),
                                 weight_dependence=sim.MultiplicativeWeightDependence(w_max=W_MAX), weight=W0,
                                 delay=DELAY)
        weights[rule.__name__] = sim.Projection(pre, post, sim.AllToAllConnector(), stdp)
    sim.Projection(driver, post, sim.OneToOneConnector(), sim.StaticSynapse(weight=100.0, delay=1.0))
    sim.run(60.0)
    w0 = float(np.float32(W0))
    near, far = np.exp(-15.0 / TAU_PLUS), np.exp(-25.0 / TAU_PLUS)
    # multiplicative potentiation by the summed (all-to-all) or nearest trace
    all_to_all = w0 + A_PLUS * (near + far) * (W_MAX - w0)
    nearest = w0 + A_PLUS * near * (W_MAX - w0)
    assert weights["SpikePairRule"].get("weight", format="list")[0][2] == pytest.approx(all_to_all, abs=TOL)
    assert weights["NearestNeighbourSpikePairRule"].get("weight", format="list")[0][2] == pytest.approx(nearest, abs=TOL)


def test_pynn_refuses_what_neurodyn_cannot_do(pynn):
    sim = pynn
    rule, dependence = sim.SpikePairRule(), sim.AdditiveWeightDependence()
    with pytest.raises(NotImplementedError, match="dendritic_delay_fraction=0.5"):
        sim.STDPMechanism(timing_dependence=rule, weight_dependence=dependence, dendritic_delay_fraction=0.5)
    # Vogels2011Rule is supported (python/tests/test_pynn_plasticity.py), with the
    # additive dependence only.
    with pytest.raises(NotImplementedError, match="Vogels2011Rule takes AdditiveWeightDependence only"):
        sim.STDPMechanism(timing_dependence=sim.Vogels2011Rule(), weight_dependence=sim.GutigWeightDependence())


# --- the command: weight snapshot, and MPI ------------------------------------------------

def plastic_model(duration=200.0):
    uniform_delay = {"distribution": "uniform", "low": 0.5, "high": 3.0}
    return {
        "simulation": {"dt": DT, "duration": duration, "seed": 77},
        "population": [
            {"name": "P", "model": "SpikeSourcePoisson", "size": 31, "params": {"rate": 30.0}},
            {"name": "E", "model": "IF_curr_exp", "size": 47, "params": {"tau_refrac": 2.0},
             "initial": {"v": {"distribution": "uniform", "low": -65.0, "high": -52.0}}},
        ],
        "projection": [
            {"name": "PE", "source": "P", "target": "E", "weight": {"distribution": "uniform", "low": 0.1, "high": 0.5},
             "delay": uniform_delay, "connector": {"type": "fixed_probability", "p": 0.4},
             "synapse": {"type": "stdp",
                         "timing": {"type": "spike_pair", "tau_plus": 20.0, "tau_minus": 20.0, "A_plus": 0.05,
                                    "A_minus": 0.06},
                         "weight_dependence": {"type": "multiplicative", "w_min": 0.0, "w_max": 0.6}}},
            {"name": "EE", "source": "E", "target": "E", "weight": 0.05, "delay": uniform_delay,
             "connector": {"type": "fixed_number_pre", "n": 9, "allow_multapses": True},
             "synapse": {"type": "stdp",
                         "timing": {"type": "spike_pair", "A_plus": 0.02, "A_minus": 0.02, "pairing": "nearest_symmetric"},
                         "weight_dependence": {"type": "gutig", "w_max": 0.1, "mu_plus": 0.5, "mu_minus": 0.5}}},
        ],
        "stimulus": [{"type": "poisson", "target": "E", "rate": 2000.0, "weight": 0.12}],
        "record": [{"type": "spikes", "population": "E"}],
    }


def snapshot(path):
    with h5py.File(path, "r") as f:
        return {name: {key: f[f"weights/{name}/{key}"][()] for key in ("source", "target", "weight")}
                for name in f["weights"]}


def test_command_writes_the_final_weights(neurodyn, tmp_path):
    model = plastic_model()
    run = neurodyn.run(model)
    saved = snapshot(run.result_path)
    assert sorted(saved) == ["EE", "PE"]
    with h5py.File(run.result_path, "r") as f:
        assert f["weights/PE"].attrs["source"] == "P" and f["weights/PE"].attrs["target"] == "E"
    # The same network from Python: identical weights, in the order of connections().
    path = tmp_path / "m.toml"
    path.write_text(to_toml(model))
    sim = nd.load_model_file(str(path)).build()
    sim.run()
    for name in ("PE", "EE"):
        connections = sim.connections(name)
        np.testing.assert_array_equal(saved[name]["source"], connections["source"])
        np.testing.assert_array_equal(saved[name]["target"], connections["target"])
        np.testing.assert_array_equal(saved[name]["weight"], sim.weights(name))
        assert np.mean(saved[name]["weight"] != connections["weight"]) > 0.5, f"{name}: the rule changed little"


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
sim.run(80.0)
half = sim.weights("EE")
sim.run(70.0)
pe, ee = sim.weights("PE"), sim.weights("EE")
if nd.mpi_rank() == 0:
    np.savez(sys.argv[2], pe=pe, ee=ee, half=half, ranks=nd.mpi_size())
"""


def test_identical_weights_on_1_2_3_ranks(neurodyn_binary, tmp_path):
    import os
    if MPIRUN is None:
        pytest.skip("mpirun is not installed (Debian: openmpi-bin)")
    version = subprocess.run([str(neurodyn_binary), "--version"], capture_output=True, text=True).stdout
    if "(MPI)" not in version:
        pytest.skip(f"neurodyn was built without MPI ({version.strip()})")
    model = tmp_path / "m.toml"
    model.write_text(to_toml(plastic_model(duration=150.0)))
    script = tmp_path / "script.py"
    script.write_text(SCRIPT)
    env = dict(os.environ)
    env.update(MPI_ENV)
    env["PYTHONPATH"] = str(PACKAGE_DIR)
    results = {}
    for ranks, threads in ((0, 1), (2, 1), (3, 2)):
        out = tmp_path / f"w{ranks}.npz"
        command = [sys.executable, str(script), str(model), str(out), str(threads)]
        if ranks:
            command = [MPIRUN, "--oversubscribe", "-np", str(ranks)] + command
        process = subprocess.run(command, capture_output=True, text=True, env=env, timeout=4 * COMMAND_TIMEOUT_S)
        assert process.returncode == 0, process.stderr
        results[ranks] = np.load(out)
    assert [int(results[r]["ranks"]) for r in (0, 2, 3)] == [1, 2, 3]
    for ranks in (2, 3):
        for key in ("pe", "ee", "half"):
            assert np.array_equal(results[ranks][key], results[0][key]), f"{key} differs on {ranks} ranks"
    assert not np.array_equal(results[0]["half"], results[0]["ee"])  # the weights moved
    # The command's snapshot under mpirun equals the single-process one.
    snapshots = {}
    for ranks in (0, 3):
        out = tmp_path / f"c{ranks}.h5"
        command = [str(neurodyn_binary), "run", str(model), "-o", str(out), "--quiet"]
        if ranks:
            command = [MPIRUN, "--oversubscribe", "-np", str(ranks)] + command
        process = subprocess.run(command, capture_output=True, text=True, env=env, timeout=4 * COMMAND_TIMEOUT_S)
        assert process.returncode == 0, process.stderr
        snapshots[ranks] = snapshot(out)
    for name in ("PE", "EE"):
        for key in ("source", "target", "weight"):
            assert np.array_equal(snapshots[3][name][key], snapshots[0][name][key]), f"{name}/{key}"
