"""The Python package `neurodyn` (python/neurodyn, extension neurodyn._core): building,
running and continuing networks, reading results, state between runs, determinism and
equality with the `neurodyn` command, every error path with its message, Ctrl-C and the
GIL, and examples/python/brunel.py.

The package is imported from $NEURODYN_BUILD_DIR/python (default <repository>/build);
the module is skipped with the path in the reason when it has not been built.
"""

import math
import os
import pathlib
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from conftest import COMMAND_TIMEOUT_S, REPOSITORY, build_dir

PACKAGE_DIR = build_dir() / "python"
if not (PACKAGE_DIR / "neurodyn" / "__init__.py").is_file():
    pytest.skip(f"the Python package is not built: {PACKAGE_DIR / 'neurodyn'} does not exist (build the "
                "neurodyn_python target, or point NEURODYN_BUILD_DIR at the build directory)",
                allow_module_level=True)
sys.path.insert(0, str(PACKAGE_DIR))

import neurodyn as nd  # noqa: E402

SHORT_MS = 20.0  # Brunel runs: long enough for ~3000 spikes, short enough to stay fast

LIF_DELTA = {"tau_m": 20.0, "v_rest": 0.0, "v_thresh": 20.0, "v_reset": 10.0, "tau_refrac": 2.0}


def python_env():
    env = dict(os.environ)
    env["PYTHONPATH"] = str(PACKAGE_DIR) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def small_network(seed=7, n=200):
    """A driven recurrent LIF network that fires a few hundred spikes in 100 ms."""
    net = nd.Network(dt=0.1, seed=seed)
    E = net.population("E", "IF_curr_delta", n, params=LIF_DELTA, initial={"v": nd.uniform(0.0, 20.0)})
    net.connect(E, E, nd.fixed_number_pre(20, allow_autapses=False), weight=0.2, delay=1.5)
    net.poisson_input(E, rate=15000.0, weight=0.1)
    net.record_spikes(E)
    net.record_state(E, "v", neurons=[0, 1, 2], interval=1.0)
    return net, E


def single_neuron(model="IF_curr_exp", **params):
    net = nd.Network(dt=0.1, seed=1)
    P = net.population("n", model, 1, params=params)
    return net, P


# --- basics ------------------------------------------------------------------------------

def test_package_metadata_and_models():
    assert nd.__version__ == nd._core.__version__
    assert {"IF_curr_exp", "IF_curr_delta", "IF_cond_exp", "LeakyRate", "SpikeSourceArray"} <= set(nd.models())
    info = nd.describe_model("LeakyRate")
    transfer = next(p for p in info["params"] if p["name"] == "transfer")
    assert transfer["default"] == "tanh" and "relu" in transfer["choices"]
    assert info["receptors"] == ["input"]


def test_build_run_continue_and_read():
    net, E = small_network()
    assert repr(E) == "<Population 'E': 200 IF_curr_delta>"
    sim = net.build()
    assert sim.t == 0.0 and sim.populations == ["E"]
    sim.run(50.0)
    assert sim.t == pytest.approx(50.0) and sim.step == 500
    sim.run(50.0)
    assert sim.t == pytest.approx(100.0)
    times, ids = sim.spikes(E)
    assert times.dtype == np.float64 and ids.dtype == np.int64
    assert times.size == ids.size == sim.spike_counts()["E"] > 100
    assert np.all(np.diff(times) >= 0) and times.min() > 0 and times.max() <= 100.0
    assert ids.min() >= 0 and ids.max() < 200
    # Spike times are whole steps: (n + 1) dt.
    np.testing.assert_allclose(times / 0.1, np.round(times / 0.1), atol=1e-9)
    trace = sim.trace("E", "v")
    t, v = trace
    # Sampled every 1 ms from t = 0 to 100 ms inclusive: 101 rows of 3 neurons.
    np.testing.assert_allclose(t, np.arange(101.0))
    assert v.shape == (101, 3) and trace.unit == "mV" and trace.neurons.tolist() == [0, 1, 2]
    # The last sample is the current state.
    np.testing.assert_array_equal(v[-1], sim.state("E", "v")[:3])


def test_continuing_equals_one_long_run_and_same_seed_is_identical():
    net, _ = small_network(seed=11)
    once = net.build()
    once.run(100.0)
    pieces = net.build()
    for _ in range(4):
        pieces.run(25.0)
    t1, i1 = once.spikes("E")
    t2, i2 = pieces.spikes("E")
    np.testing.assert_array_equal(t1, t2)
    np.testing.assert_array_equal(i1, i2)
    np.testing.assert_array_equal(once.trace("E", "v").values, pieces.trace("E", "v").values)
    other, _ = small_network(seed=12)
    different = other.build()
    different.run(100.0)
    assert not np.array_equal(different.spikes("E")[0], t1)


def test_network_run_builds_once_and_then_continues():
    net, E = small_network()
    sim = net.run(30.0)
    assert net.simulation is sim
    assert net.run(20.0) is sim and sim.t == pytest.approx(50.0)
    with pytest.raises(RuntimeError, match="being simulated by Network.run"):
        net.record_spikes(E)


def test_results_are_arrays_owning_their_memory():
    net, _ = small_network()
    sim = net.build()
    sim.run(10.0)
    v = sim.state("E", "v")
    assert v.flags.c_contiguous and v.flags.writeable and v.base is not None  # a capsule owns the vector
    v[:] = 1e9  # a copy of the state: writing to it changes nothing
    assert np.all(sim.state("E", "v") < 1e9)


# --- state between runs --------------------------------------------------------------------

def test_set_state_takes_effect_exactly():
    # One IF_curr_exp neuron without input relaxes to v_rest: v(t) = v_rest + (v0 -
    # v_rest) exp(-t / tau_m), integrated exactly (propagator), so to rounding (1e-12).
    net, _ = single_neuron(tau_m=20.0, v_rest=-65.0, v_thresh=-50.0)
    net.record_state("n", "v")
    sim = net.build()
    sim.run(5.0)
    assert sim.state("n", "v")[0] == pytest.approx(-65.0, abs=1e-12)
    sim.set_state("n", "v", np.array([-55.0]))
    sim.run(10.0)
    assert sim.state("n", "v")[0] == pytest.approx(-65.0 + 10.0 * math.exp(-10.0 / 20.0), abs=1e-12)
    # The set value shows in the trace from the next sample on.
    times, v = sim.trace("n", "v")
    assert v[times.searchsorted(5.1), 0] == pytest.approx(-65.0 + 10.0 * math.exp(-0.1 / 20.0), abs=1e-12)


def test_set_state_above_threshold_spikes_at_the_next_step():
    net, _ = single_neuron(v_thresh=-50.0, v_reset=-70.0, tau_refrac=2.0)
    net.record_spikes("n")
    sim = net.build()
    sim.run(3.0)
    sim.set_state("n", "v", -40.0)  # one number for all neurons
    sim.run(1.0)
    times, ids = sim.spikes("n")
    # The spike of step n is stamped (n + 1) dt: the first step after t = 3 ms.
    np.testing.assert_allclose(times, [3.1], atol=1e-9)
    assert sim.state("n", "v")[0] == -70.0  # reset and still refractory: v_reset exactly


def test_set_param_between_runs_takes_effect_exactly_and_refuses_bad_values():
    # Relaxation from v0 = -55 to v_rest = -65: v = v_rest + (v(t0) - v_rest) exp(-(t - t0) / tau_m)
    # with the tau_m in force; exact propagator, so to rounding (1e-12).
    net, _ = single_neuron(tau_m=20.0, v_rest=-65.0, v_thresh=-50.0)
    sim = net.build()
    sim.set_state("n", "v", -55.0)
    sim.run(5.0)
    v5 = -65.0 + 10.0 * math.exp(-5.0 / 20.0)
    assert sim.state("n", "v")[0] == pytest.approx(v5, abs=1e-12)
    sim.set_param("n", "tau_m", 5.0)
    sim.run(5.0)
    assert sim.state("n", "v")[0] == pytest.approx(-65.0 + (v5 + 65.0) * math.exp(-5.0 / 5.0), abs=1e-12)
    v10 = sim.state("n", "v")[0]
    error = error_of(lambda: sim.set_param("n", "v_reset", -40.0))
    assert isinstance(error, ValueError)
    assert "v_reset must be < v_thresh" in str(error)
    error = error_of(lambda: sim.set_param("n", "tau_n", 5.0))
    assert isinstance(error, KeyError)
    assert "did you mean 'tau_m'" in str(error)
    error = error_of(lambda: sim.set_param("n", "tau_m", np.array([1.0, 2.0])))
    assert "has 1 neurons, got 2 values of tau_m" in str(error)
    sim.run(5.0)  # nothing changed: tau_m is still 5 ms
    assert sim.state("n", "v")[0] == pytest.approx(-65.0 + (v10 + 65.0) * math.exp(-1.0), abs=1e-12)


def test_set_stimulus_between_runs_takes_effect_exactly():
    # A DC current into R = tau_m / cm = 20 MOhm from v_rest: v = -65 + R I (1 - e^-t/tau),
    # then relaxing towards -65 + R I' after the change; exact integration (1e-12).
    net, _ = single_neuron(tau_m=20.0, v_rest=-65.0, v_thresh=-50.0)
    index = net.dc_input("n", amplitude=0.1)
    assert index == 0
    sim = net.build()
    sim.run(10.0)
    v10 = -65.0 + 2.0 * (1.0 - math.exp(-0.5))
    assert sim.state("n", "v")[0] == pytest.approx(v10, abs=1e-12)
    sim.set_stimulus(index, amplitude=0.3)
    assert sim.stimulus(index)["amplitude"] == 0.3
    sim.run(10.0)
    assert sim.state("n", "v")[0] == pytest.approx(-59.0 + (v10 + 59.0) * math.exp(-0.5), abs=1e-12)
    error = error_of(lambda: sim.set_stimulus(index, amplitude=float("nan")))
    assert error.key == "stimulus[0].amplitude"
    error = error_of(lambda: sim.set_stimulus(index, start=30.0, stop=25.0))
    assert error.key == "stimulus[0].stop"
    error = error_of(lambda: sim.set_stimulus(index, amplitdue=1.0))
    assert isinstance(error, KeyError)
    error_of(lambda: sim.set_stimulus(3, amplitude=1.0))
    assert sim.stimulus(index)["amplitude"] == 0.3 and sim.stimulus(index)["start"] == 0.0
    v20 = sim.state("n", "v")[0]
    sim.set_stimulus(index, stop=25.0)  # switched off at 25 ms
    assert sim.stimulus(index)["stop"] == 25.0
    sim.run(20.0)
    v25 = -59.0 + (v20 + 59.0) * math.exp(-5.0 / 20.0)
    assert sim.state("n", "v")[0] == pytest.approx(-65.0 + (v25 + 65.0) * math.exp(-15.0 / 20.0), abs=1e-12)
    sim.set_stimulus(index, stop=None)
    assert sim.stimulus(index)["stop"] is None


# --- the command and the file format ----------------------------------------------------------

@pytest.fixture(scope="module")
def cli_brunel(module_neurodyn):
    """`neurodyn run examples/brunel.toml --duration 20` and its results."""
    text = (REPOSITORY / "examples" / "brunel.toml").read_text()
    run = module_neurodyn.run(text, "--duration", str(SHORT_MS), name="brunel")
    return nd.load_results(run.result_path)


def test_model_file_in_python_gives_the_commands_spikes(cli_brunel):
    net = nd.load_model_file(REPOSITORY / "examples" / "brunel.toml")
    assert [p.name for p in net.populations] == ["E", "I"] and net["E"].size == 10000
    sim = net.build()
    sim.run(SHORT_MS)
    for population in ("E", "I"):
        times, ids = sim.spikes(population)
        assert times.size > 500
        np.testing.assert_array_equal(times, cli_brunel["spikes"][population]["times"])
        np.testing.assert_array_equal(ids, cli_brunel["spikes"][population]["ids"])


def test_example_script_builds_the_model_files_network(cli_brunel, tmp_path):
    # The Brunel network written in Python gives exactly the spikes of the model file.
    out = tmp_path / "brunel.h5"
    process = subprocess.run([sys.executable, str(REPOSITORY / "examples" / "python" / "brunel.py"),
                              "--duration", str(SHORT_MS), "--output", str(out)],
                             capture_output=True, text=True, env=python_env(), timeout=COMMAND_TIMEOUT_S)
    assert process.returncode == 0, process.stderr
    assert "15625000 synapses" in process.stdout
    results = nd.load_results(out)
    assert results["attrs"]["complete"] == 1 and results["attrs"]["t_reached"] == pytest.approx(SHORT_MS)
    assert results["attrs"]["model_source"] == "python"
    for population in ("E", "I"):
        np.testing.assert_array_equal(results["spikes"][population]["times"], cli_brunel["spikes"][population]["times"])
        np.testing.assert_array_equal(results["spikes"][population]["ids"], cli_brunel["spikes"][population]["ids"])
        assert results["spikes"][population]["n_neurons"] == cli_brunel["spikes"][population]["n_neurons"]


def test_output_file_holds_spikes_and_state(tmp_path):
    net, _ = small_network()
    sim = net.build(output=tmp_path / "run.h5")
    sim.run(40.0)
    sim.run(10.0)
    sim.close()
    results = nd.load_results(tmp_path / "run.h5")
    assert results["attrs"]["complete"] == 1 and results["attrs"]["t_reached"] == pytest.approx(50.0)
    times, ids = sim.spikes("E")
    np.testing.assert_array_equal(results["spikes"]["E"]["times"], times)
    np.testing.assert_array_equal(results["spikes"]["E"]["ids"], ids)
    state = results["state"]["E"]["v"]
    trace = sim.trace("E", "v")
    np.testing.assert_array_equal(state["values"], trace.values)
    np.testing.assert_allclose(state["times"], trace.times)
    assert state["unit"] == "mV" and results["summary"]["E.spikes"] == times.size


# --- connectors, weights, delays, synapses ------------------------------------------------------

@pytest.mark.parametrize("connector, expected", [
    (nd.all_to_all(), 6 * 4),
    (nd.fixed_probability(1.0), 6 * 4),
    (nd.fixed_probability(0.0), 0),
    (nd.fixed_number_pre(3), 3 * 4),
    (nd.fixed_number_post(2), 2 * 6),
    (nd.from_list(np.array([[0, 0], [5, 3], [2, 1]])), 3),
    (nd.from_list(sources=np.array([1, 2]), targets=[3, 3], weights=[0.5, 0.6], delays=[1.0, 2.0]), 2),
])
def test_connectors_make_the_expected_number_of_synapses(connector, expected):
    net = nd.Network()
    A = net.population("A", "IF_curr_exp", 6)
    B = net.population("B", "IF_curr_exp", 4)
    net.connect(A, B, connector, weight=0.1)
    assert net.build().synapse_count == expected


def test_one_to_one_and_autapses():
    net = nd.Network()
    A = net.population("A", "IF_curr_exp", 5)
    net.connect(A, A, nd.one_to_one())
    net.connect(A, A, nd.all_to_all(allow_autapses=False))
    assert net.build().synapse_count == 5 + 5 * 4


def jumps(weight, connector, n_sources=2, n_targets=3, synapse=None, spike_times=((10.0,), (10.0,))):
    """v of IF_curr_delta targets (v_rest = 0, tau_m = 1e7 ms) after the sources fire:
    the summed weights, decayed by exp(-t / 1e7) ~ 1 - 1e-6 at most."""
    net = nd.Network(dt=0.1, seed=3)
    S = net.population("S", "SpikeSourceArray", n_sources, spike_times=[list(t) for t in spike_times])
    T = net.population("T", "IF_curr_delta", n_targets,
                       params={"tau_m": 1e7, "v_rest": 0.0, "v_thresh": 1e3, "v_reset": 0.0},
                       initial={"v": 0.0})
    net.connect(S, T, connector, weight=weight, delay=1.0, synapse=synapse)
    sim = net.build()
    sim.run(50.0)
    return sim.state(T, "v")


def test_weight_matrix_is_source_by_target():
    w = np.array([[0.1, 0.2, 0.3], [1.0, 2.0, 3.0]])
    # relative 1e-5: the 40 ms of decay with tau_m = 1e7 ms (4e-6) plus float32 weights (6e-8)
    np.testing.assert_allclose(jumps(w, nd.all_to_all()), w.sum(axis=0), rtol=1e-5)


def test_from_list_weights_override_the_projections():
    connector = nd.from_list([[0, 0, 1.5], [1, 0, 2.0], [1, 2, -0.5]])
    np.testing.assert_allclose(jumps(99.0, connector), [3.5, 0.0, -0.5], rtol=1e-5)  # as above


def test_tsodyks_markram_depresses_the_second_spike():
    # One source firing at 10 and 20 ms, U = 0.5, tau_rec = 100 ms: efficacies
    # u1 x1 = 0.5 and u2 x2 = 0.5 (1 - 0.5 e^(-10/100)) (docs/models.md recursion).
    v = jumps(1.0, nd.all_to_all(), n_sources=1, n_targets=1,
              synapse=nd.tsodyks_markram(U=0.5, tau_rec=100.0), spike_times=((10.0, 20.0),))
    expected = 0.5 + 0.5 * (1.0 - 0.5 * math.exp(-10.0 / 100.0))
    assert v[0] == pytest.approx(expected, rel=1e-5)  # decay and float32 as above


def test_distributions_draw_within_their_support():
    net = nd.Network(seed=5)
    n = 4000
    P = net.population("P", "IF_curr_exp", n, params={"tau_m": nd.normal_clipped(20.0, 5.0, 10.0, 30.0)},
                       initial={"v": nd.uniform(-70.0, -60.0)})
    Q = net.population("Q", "IF_curr_exp", n, initial={"v": nd.normal(-65.0, 2.0)})
    net.connect(P, Q, nd.fixed_number_pre(2), weight=nd.exponential(0.1), delay=nd.uniform(1.0, 2.0))
    sim = net.build()
    v = sim.state(P, "v")
    assert v.min() >= -70.0 and v.max() < -60.0
    # Mean of n uniform draws: within 4 standard errors (10 / sqrt(12 n)) of -65.
    assert abs(v.mean() + 65.0) < 4 * 10.0 / math.sqrt(12 * n)
    q = sim.state(Q, "v")
    assert abs(q.mean() + 65.0) < 4 * 2.0 / math.sqrt(n)  # normal: 4 standard errors
    assert repr(nd.normal_clipped(0, 1, 0, 2)).startswith("neurodyn.normal_clipped")


def test_choice_parameter_by_name():
    net = nd.Network()
    net.population("R", "LeakyRate", 3, params={"transfer": "relu", "bias": 1.0}, initial={"x": -1.0})
    net.record_state("R", "r")
    sim = net.build()
    sim.run(1.0)
    # relu of a negative activation is 0 (tanh would give about -0.76).
    assert sim.trace("R", "r").values[0].tolist() == [0.0, 0.0, 0.0]


# --- stimuli ------------------------------------------------------------------------------

def steady_v(add_stimulus):
    net, P = single_neuron(tau_m=20.0, cm=1.0, v_rest=-65.0, v_thresh=-50.0)
    add_stimulus(net, P)
    sim = net.build()
    sim.run(500.0)
    return sim.state(P, "v")[0]


def test_every_current_source_giving_the_same_constant_current_agrees():
    # 0.1 nA into R = tau_m / cm = 20 MOhm: v -> -65 + 2 mV; after 500 ms = 25 tau_m the
    # remaining distance is 2 e^-25 ~ 3e-11 mV.
    dc = steady_v(lambda net, P: net.dc_input(P, amplitude=0.1))
    assert dc == pytest.approx(-63.0, abs=1e-9)
    # The same current four other ways: identical arithmetic, identical result.
    assert steady_v(lambda net, P: net.step_current_input(P, times=[0.0], amplitudes=[0.1])) == dc
    assert steady_v(lambda net, P: net.ac_input(P, amplitude=0.0, offset=0.1)) == dc
    assert steady_v(lambda net, P: net.noisy_current_input(P, mean=0.1, stdev=0.0)) == dc


def test_stimulus_window_and_poisson_input():
    stopped = steady_v(lambda net, P: net.dc_input(P, amplitude=0.1, start=0.0, stop=100.0))
    assert stopped == pytest.approx(-65.0, abs=1e-6)  # 400 ms = 20 tau_m of decay after the stop
    driven = steady_v(lambda net, P: net.poisson_input(P, rate=1000.0, weight=0.05))
    assert driven > -64.0  # 1000 Hz x 0.05 nA x 5 ms synapse x 20 MOhm ~ +5 mV mean


# --- errors ---------------------------------------------------------------------------------

def error_of(call):
    with pytest.raises(nd.NeurodynError) as info:
        call()
    return info.value


def test_value_errors_carry_the_engines_message_and_key():
    net = nd.Network()
    error = error_of(lambda: net.population("P", "IF_curr_exp", 10, params={"tau_m": -20.0}))
    assert isinstance(error, ValueError)
    assert str(error) == "population[0].params.tau_m: IF_curr_exp: tau_m must be > 0 ms, got -20 ms"
    assert error.key == "population[0].params.tau_m"
    # A failed addition leaves the network as it was.
    assert net.populations == []
    P = net.population("P", "IF_curr_exp", 10)
    assert P.index == 0
    error = error_of(lambda: net.connect(P, P, nd.all_to_all(), delay=0.05))
    assert str(error) == ("projection[0].delay: delay 0.05 ms is shorter than the time step dt = 0.1 ms; "
                          "delays must be >= dt")
    error = error_of(lambda: net.connect(P, P, nd.all_to_all(), weight=np.ones((3, 3))))
    assert isinstance(error, ValueError) and error.key == "projection[0].weight" and "100" in str(error)
    error = error_of(lambda: net.population("Q", "IF_curr_exp", 2, params={"tau_m": "long"}))
    assert str(error) == ("population[1].params.tau_m: expected a number, an array of numbers or a distribution, "
                          "got str 'long'")
    error = error_of(lambda: net.connect(P, P, nd.fixed_number_pre(20)))
    assert "fixed_number_pre asks for 20 distinct sources per neuron but only 10 are available" in str(error)
    error = error_of(lambda: net.population("P", "IF_curr_exp", 1))
    assert "population name 'P' is used twice" in str(error)
    error = error_of(lambda: net.record_spikes(P, neurons=[3, -1]))
    assert str(error) == "record[0].neurons[1]: expected an integer >= 0, got -1"
    error = error_of(lambda: net.record_state(P, "v", interval=0.05))
    assert str(error) == "record[0].interval: interval 0.05 ms is shorter than dt = 0.1 ms"
    error = error_of(lambda: net.dc_input(P, amplitude=float("nan")))
    assert str(error) == "stimulus[0].amplitude: amplitude must be a finite number, got NaN"
    error = error_of(lambda: nd.Network(dt=-0.1))
    assert isinstance(error, ValueError) and "dt" in str(error)


def test_key_errors_keep_their_message():
    net = nd.Network()
    error = error_of(lambda: net.population("P", "IF_curr_exp", 10, params={"tau_mem": 20.0}))
    assert isinstance(error, KeyError)
    # str() is the message itself, not repr(message) as for a plain KeyError.
    assert str(error).startswith("population[0].params.tau_mem: unknown parameter 'tau_mem' for IF_curr_exp; "
                                 "did you mean 'tau_m'?")
    error = error_of(lambda: net.population("P", "IF_cur_exp", 10))
    assert isinstance(error, KeyError) and "did you mean 'IF_curr_exp'?" in str(error)
    P = net.population("P", "IF_curr_exp", 10)
    error = error_of(lambda: net.connect(P, "Q", nd.all_to_all()))
    assert str(error) == "projection[0].target: unknown population 'Q'; did you mean 'P'? (populations: P)"
    error = error_of(lambda: net.connect(P, P, nd.all_to_all(), receptor="exc"))
    assert isinstance(error, KeyError) and "unknown receptor 'exc' for IF_curr_exp" in str(error)
    error = error_of(lambda: net.record_state(P, ["vv"]))
    assert isinstance(error, KeyError) and "'vv' is not a state variable of IF_curr_exp; did you mean 'v'?" in str(error)
    error = error_of(lambda: net.population("R", "LeakyRate", 1, params={"transfer": "rleu"}))
    assert str(error) == ("population[1].params.transfer: unknown transfer 'rleu'; did you mean 'relu'? "
                          "(choices: tanh, sigmoid, relu, linear)")
    assert isinstance(error, ValueError)  # as the model file reports it


def test_messages_are_the_commands(neurodyn):
    # The same mistake in a model file: the command prints "file:line:col: " + the
    # message Python raises.
    net = nd.Network()
    python_message = str(error_of(lambda: net.population("P", "IF_curr_exp", 10, params={"tau_m": -20.0})))
    path = neurodyn.write_model({"population": [{"name": "P", "model": "IF_curr_exp", "size": 10,
                                                  "params": {"tau_m": -20.0}}]})
    process = neurodyn.command("validate", path)
    assert process.returncode == 2
    assert process.stderr.startswith("neurodyn: error: ")
    assert process.stderr.rstrip().endswith(" " + python_message)
    # And the model file read from Python raises exactly the command's message.
    error = error_of(lambda: nd.load_model_file(path))
    assert "neurodyn: error: " + str(error) == process.stderr.rstrip()


def test_build_time_errors():
    net = nd.Network()
    net.population("P", "IF_curr_exp", 3, params={"v_reset": -40.0, "v_thresh": -50.0})
    error = error_of(net.check)
    assert isinstance(error, ValueError) and "v_reset" in str(error) and error.key.startswith("population[0]")
    assert str(error_of(net.build)) == str(error)
    big = nd.Network()
    A = big.population("A", "IF_curr_exp", 1000)
    big.connect(A, A, nd.all_to_all())
    error = error_of(lambda: big.build(memory_limit=1e6))
    assert isinstance(error, MemoryError)
    assert str(error) == ("the network needs about 26.6 MB (1e+06 synapses) but only 1 MB may be used; "
                          "reduce its size or raise the memory limit")


def test_run_and_read_errors(tmp_path):
    net, _ = small_network()
    net.population("quiet", "IF_curr_exp", 2)
    sim = net.build()
    error = error_of(lambda: sim.run(-1.0))
    assert str(error) == "run duration must be a finite time >= 0 ms, got -1"
    error = error_of(lambda: sim.spikes("quiet"))
    assert isinstance(error, KeyError) and str(error) == "spikes of population 'quiet' are not recorded (recorded: E)"
    error = error_of(lambda: sim.spikes("X"))
    assert isinstance(error, KeyError) and str(error).startswith("unknown population 'X'")
    error = error_of(lambda: sim.trace("quiet", "v"))
    assert isinstance(error, KeyError) and "v of population 'quiet' is not recorded (recorded: E.v)" in str(error)
    error = error_of(lambda: sim.state("E", "u"))
    assert isinstance(error, KeyError) and str(error) == "'u' is not a state variable of IF_curr_delta; did you mean 'v'?"
    error = error_of(lambda: sim.set_state("E", "v", np.zeros(3)))
    assert str(error) == "set_state: population 'E' has 200 neurons, got 3 values of v"
    error = error_of(lambda: sim.set_state("E", "v", float("nan")))
    assert str(error) == "set_state: v of neuron 0 of population 'E' must be a finite number, got NaN"
    with pytest.raises(TypeError):
        net.connect("E", "E", "all_to_all")


def test_file_errors(tmp_path):
    missing = tmp_path / "missing.toml"
    error = error_of(lambda: nd.load_model_file(missing))
    assert isinstance(error, FileNotFoundError)
    assert str(error) == f"cannot read model file '{missing}': No such file or directory"
    error = error_of(lambda: nd.load_model_file(tmp_path))
    assert isinstance(error, OSError) and not isinstance(error, FileNotFoundError)
    assert str(error) == f"cannot read model file '{tmp_path}': it is a directory"
    bad = tmp_path / "bad.toml"
    bad.write_text("[simulation]\ndt = \n")
    error = error_of(lambda: nd.load_model_file(bad))
    assert isinstance(error, ValueError) and str(error).startswith(f"{bad}:2:")
    error = error_of(lambda: nd.load_results(tmp_path / "none.h5"))
    assert isinstance(error, FileNotFoundError)
    error = error_of(lambda: nd.load_results(bad))
    assert isinstance(error, OSError) and "not a readable HDF5 file" in str(error)
    net, _ = small_network()
    error = error_of(lambda: net.build(output=tmp_path / "no" / "such" / "dir.h5"))
    assert isinstance(error, OSError) and "cannot create result file" in str(error)


# --- Ctrl-C and the GIL ------------------------------------------------------------------------

INTERRUPT_SCRIPT = textwrap.dedent("""
    import os, signal, sys, threading, time
    import neurodyn as nd

    net = nd.Network(dt=0.1, seed=3)
    E = net.population("E", "IF_curr_delta", 2000, params=%(lif)r, initial={"v": nd.uniform(0.0, 20.0)})
    net.connect(E, E, nd.fixed_number_pre(100), weight=0.1, delay=1.5)
    net.poisson_input(E, rate=20000.0, weight=0.1)
    net.record_spikes(E)
    sim = net.build(output=sys.argv[1])
    report = {"ticks": 0, "busy_error": None}
    started = threading.Event()

    def other_thread():
        started.wait()
        # Runs only if run() released the GIL: 200 sleeps of 1 ms while the main thread
        # simulates, then a query that must be refused, then Ctrl-C.
        for _ in range(200):
            time.sleep(0.001)
            report["ticks"] += 1
        try:
            sim.spikes("E")
        except RuntimeError as error:
            report["busy_error"] = str(error)
        os.kill(os.getpid(), signal.SIGINT)

    threading.Thread(target=other_thread, daemon=True).start()
    handler = signal.getsignal(signal.SIGINT)
    started.set()
    try:
        sim.run(1e7)  # hours of simulated time if nothing stops it
        print("not interrupted")
    except KeyboardInterrupt as error:
        print("interrupted:", error)
    t_stop = sim.t
    counted = sim.spike_counts()["E"]
    print("ticks", report["ticks"], "busy", report["busy_error"])
    print("handler restored", signal.getsignal(signal.SIGINT) is handler)
    print("t", t_stop, "consistent", len(sim.spikes("E")[0]) == counted)
    sim.run(10.0)
    print("continued", round(sim.t - t_stop, 6), "consistent", len(sim.spikes("E")[0]) == sim.spike_counts()["E"])
    sim.close()
""") % {"lif": LIF_DELTA}


def test_ctrl_c_interrupts_run_which_releases_the_gil(tmp_path):
    script = tmp_path / "interrupt.py"
    script.write_text(INTERRUPT_SCRIPT)
    out = tmp_path / "interrupted.h5"
    process = subprocess.run([sys.executable, str(script), str(out)], capture_output=True, text=True,
                             env=python_env(), timeout=COMMAND_TIMEOUT_S)
    assert process.returncode == 0, process.stderr
    lines = process.stdout.splitlines()
    assert lines[0].startswith("interrupted: simulation interrupted at t = ")
    assert lines[0].endswith(" ms; it can be continued with run()")
    # The other thread ran its 200 ticks while run() was simulating, and was refused.
    assert lines[1] == ("ticks 200 busy the simulation is running in another thread; "
                        "wait for run() to return")
    assert lines[2] == "handler restored True"
    _, t_stop, _, consistent = lines[3].split()
    assert 0.0 < float(t_stop) < 1e7 and consistent == "True"
    assert lines[4] == "continued 10.0 consistent True"
    # The result file of the continued run is complete; it reached the final time.
    results = nd.load_results(out)
    assert results["attrs"]["complete"] == 1
    assert results["attrs"]["t_reached"] == pytest.approx(float(t_stop) + 10.0)


def test_plot_helpers_draw(tmp_path):
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import neurodyn.plot as ndplot

    net, _ = small_network()
    sim = net.build()
    sim.run(50.0)
    fig = ndplot.raster(sim, bin_ms=10.0)
    raster_ax, rate_ax = fig.axes[:2]
    assert rate_ax.get_xlim() == (0.0, 50.0)
    fig.savefig(tmp_path / "raster.png")
    fig = ndplot.traces(sim, "E", "v")
    assert len(fig.axes[0].lines) == 3
    fig.savefig(tmp_path / "traces.png")
    assert (tmp_path / "raster.png").stat().st_size > 10_000


def test_connections_are_the_synapses_the_engine_delivers():
    """One source neuron fires once onto leak-free delta-synapse neurons: each target's v
    then moves by exactly the sum of the weights that connections() lists from it (the
    float32 weights summed in double: exact to rounding, 1e-12 mV)."""
    net = nd.Network(dt=0.1, seed=9)
    src = net.population("src", "SpikeSourceArray", 3, spike_times=[[], [5.0], []])
    tgt = net.population("tgt", "IF_curr_delta", 40,
                         params={"tau_m": 1e15, "v_rest": 0.0, "v_reset": -1.0, "v_thresh": 1e9},
                         initial={"v": 0.0})
    proj = net.connect(src, tgt, nd.fixed_probability(0.5), weight=nd.uniform(0.1, 1.0), delay=1.23)
    sim = net.build()
    c = sim.connections(proj)
    assert set(c) == {"source", "target", "weight", "delay"}
    assert c["source"].size > 20                         # ~60 of 120 pairs
    assert np.all((c["weight"] >= 0.1) & (c["weight"] < 1.0))
    np.testing.assert_allclose(c["delay"], 1.2, rtol=0, atol=1e-12)  # 1.23 ms rounds to 12 steps of 0.1 ms
    sim.run(10.0)
    expected = np.zeros(40)
    from_one = c["source"] == 1
    np.add.at(expected, c["target"][from_one], c["weight"][from_one])
    np.testing.assert_allclose(sim.state("tgt", "v"), expected, rtol=0, atol=1e-12)
    for key in ("source", "target", "weight"):   # the same by name and by index
        np.testing.assert_array_equal(sim.connections(proj.name)[key], c[key])
        np.testing.assert_array_equal(sim.connections(0)[key], c[key])
    with pytest.raises(KeyError, match="no projection named 'nope'"):
        sim.connections("nope")
    with pytest.raises(KeyError, match="no projection 5"):
        sim.connections(5)


def test_threads_give_the_spikes_of_one_thread():
    """Threads run whole shards, so the spikes are those of one thread (the C++ test
    covers more splits): the Brunel network for 30 ms on 2 threads, default 2 shards."""
    net = nd.load_model_file(REPOSITORY / "examples" / "brunel.toml")
    one, two = net.build(), net.build(threads=2)
    one.run(30.0)
    two.run(30.0)
    for population in ("E", "I"):
        for a, b in zip(one.spikes(population), two.spikes(population)):
            np.testing.assert_array_equal(a, b)
    with pytest.raises(ValueError, match="the number of threads must be >= 1, got 0"):
        net.build(threads=0)
