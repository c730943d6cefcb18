"""Homeostatic plasticity from Python and the command (docs/plasticity.md, "Homeostasis").

Network.homeostasis(...): the adaptive threshold, the intrinsic bias current and synaptic
scaling of stdp inputs bring neurons driven over a wide range to the target rate; the
adapted values (Simulation.param) obey the rule's exact bookkeeping identity; the same
results for 1 and 3 shards, 1 and 2 threads, and under mpirun on 1, 2 and 3 ranks (skipped
without mpirun or an MPI build); the model file's table through nd.load_model_file and
`neurodyn run`; an error naming the key for each bad argument.
The C++ tests (tests/integration/test_homeostasis.cpp) cover the closed form of the
scaling, split runs, every model's refresh of the adapted parameter, and the bounds.
"""

import math
import os
import shutil
import subprocess
import sys

import numpy as np
import pytest

from conftest import COMMAND_TIMEOUT_S, build_dir

PACKAGE_DIR = build_dir() / "python"
if not (PACKAGE_DIR / "neurodyn" / "__init__.py").is_file():
    pytest.skip(f"the Python package is not built: {PACKAGE_DIR} has no neurodyn", allow_module_level=True)
sys.path.insert(0, str(PACKAGE_DIR))

import neurodyn as nd  # noqa: E402

DT = 0.1
TARGET = 5.0  # Hz
TAU = 1000.0  # ms, the rate estimate's time constant
N = 60


def spread_network(spread, homeostasis=None, eta=None, seed=7):
    """N IF_curr_exp neurons under one Poisson drive (8 kHz x 0.02 nA), made different by
    `spread`: bias currents from -0.4 to 0.8 nA ("i_offset") or thresholds from -56 to
    -44 mV ("v_thresh"). Alone they fire from 0 to 60-80 Hz."""
    net = nd.Network(dt=DT, seed=seed)
    if spread == "i_offset":
        params = {"i_offset": np.linspace(-0.4, 0.8, N)}
    else:
        params = {"v_thresh": np.linspace(-56.0, -44.0, N)}
    pop = net.population("E", "IF_curr_exp", N, params=params, initial={"v": -65.0})
    net.poisson_input(pop, rate=8000.0, weight=0.02)
    if homeostasis:
        net.homeostasis(pop, homeostasis, target_rate=TARGET, eta=eta, tau=TAU)
    net.record_spikes(pop)
    return net


def window_counts(sim, population, n, duration):
    """Spikes per neuron over the next `duration` ms."""
    before = np.bincount(sim.spikes(population)[1], minlength=n)
    sim.run(duration)
    return np.bincount(sim.spikes(population)[1], minlength=n) - before


def four_sigma_hz(seconds):
    """4 sigma of a Poisson count at the target rate over `seconds`, in Hz: the spread of
    an irregular neuron's count without feedback; the integral feedback only narrows it.
    With 60 neurons at p = 6e-5 each, a false failure has probability < 0.4%."""
    return 4.0 * math.sqrt(TARGET * seconds) / seconds


# The threshold rule on neurons with different bias currents, the bias-current rule on
# neurons with different thresholds.
@pytest.mark.parametrize("rule, parameter, spread, eta, sign", [
    ("adaptive_threshold", "v_thresh", "i_offset", 0.1, 1.0),  # mV/(Hz s): theta rises while r > target
    ("intrinsic", "i_offset", "v_thresh", 0.01, -1.0),         # nA/(Hz s): i_offset falls while r > target
])
def test_rates_converge_to_the_target_for_a_spread_of_drives(rule, parameter, spread, eta, sign):
    # Without homeostasis the same drives give a wide spread of rates.
    baseline = spread_network(spread).build()
    rates = window_counts(baseline, "E", N, 5000.0) / 5.0
    assert rates.min() < 1.0 and rates.max() > 40.0, (rates.min(), rates.max())

    sim = spread_network(spread, rule, eta).build()
    sim.run(20000.0)
    seconds = 40.0
    theta0, r0 = sim.param("E", parameter), sim.homeostasis_rates("E")
    counts = window_counts(sim, "E", N, seconds * 1000.0)
    theta1, r1 = sim.param("E", parameter), sim.homeostasis_rates("E")
    measured = counts / seconds
    assert np.all(np.abs(measured - TARGET) < four_sigma_hz(seconds)), measured
    # The mean of N independent counts: 4 sigma / sqrt(N).
    assert abs(measured.mean() - TARGET) < four_sigma_hz(seconds) / math.sqrt(N), measured.mean()
    # The rule's exact bookkeeping (docs/plasticity.md): with a = exp(-dt/tau),
    # count = T target + sign (theta_end - theta_start)/eta + a dt/(1 - a) (r_end - r_start).
    # Rounding only: ~1e-7 spikes after 4e5 steps.
    a, dt_s = math.exp(-DT / TAU), DT * 1e-3
    predicted = seconds * TARGET + sign * (theta1 - theta0) / eta + a * dt_s / (1.0 - a) * (r1 - r0)
    np.testing.assert_allclose(counts, predicted, rtol=0, atol=1e-4)


def scaling_network(scaling, seed=11):
    """40 IF_curr_exp neurons with thresholds from -58 to -45 mV, all-to-all stdp inputs
    from 200 Poisson sources at 10 Hz (w = 0.1 nA in [0, 0.5]): alone ~12 to ~100 Hz."""
    net = nd.Network(dt=DT, seed=seed)
    src = net.population("in", "SpikeSourcePoisson", 200, params={"rate": 10.0})
    pop = net.population("E", "IF_curr_exp", 40, params={"v_thresh": np.linspace(-58.0, -45.0, 40)},
                         initial={"v": -65.0})
    net.connect(src, pop, nd.all_to_all(), weight=0.1, delay=1.0, name="in",
                synapse=nd.stdp(tau_plus=20.0, tau_minus=20.0, A_plus=0.0005, A_minus=0.0006, w_min=0.0, w_max=0.5))
    if scaling:
        net.homeostasis(pop, "synaptic_scaling", target_rate=TARGET, eta=0.005, tau=TAU, interval=100.0)
    net.record_spikes(pop)
    return net


def test_synaptic_scaling_of_plastic_inputs_brings_the_rates_to_the_target():
    baseline = scaling_network(False).build()
    rates = window_counts(baseline, "E", 40, 5000.0) / 5.0
    assert rates.min() < 15.0 and rates.max() > 80.0, (rates.min(), rates.max())
    sim = scaling_network(True).build()
    sim.run(40000.0)
    seconds = 40.0
    measured = window_counts(sim, "E", 40, seconds * 1000.0) / seconds
    # Per neuron within 4 sigma of a Poisson count; the mean is not held to 4 sigma/sqrt(N),
    # since STDP's drift between scalings biases every neuron alike.
    assert np.all(np.abs(measured - TARGET) < four_sigma_hz(seconds)), measured
    # Neurons with higher thresholds need, and got, larger input weights.
    connections = sim.connections("in")
    mean_weight = np.bincount(connections["target"], weights=sim.weights("in"), minlength=40) / 200.0
    assert np.all(np.diff(mean_weight[::10]) > 0), mean_weight


def mixed_network():
    """A threshold population, a bias-current population and a scaled population with
    recurrent stdp input, delays of 1.5 ms (15-step epochs, scalings inside epochs)."""
    net = nd.Network(dt=DT, seed=99)
    a = net.population("A", "IF_curr_exp", 30, params={"i_offset": nd.uniform(-0.2, 0.6)}, initial={"v": -65.0})
    b = net.population("B", "IF_cond_exp", 20, params={"v_thresh": nd.uniform(-54.0, -46.0)}, initial={"v": -65.0})
    c = net.population("C", "IF_curr_exp", 20, initial={"v": -65.0})
    src = net.population("in", "SpikeSourcePoisson", 80, params={"rate": 20.0})
    stdp = nd.stdp(A_plus=0.005, A_minus=0.006, w_min=0.0, w_max=1.0)
    net.connect(src, c, nd.fixed_probability(0.3), weight=0.3, delay=1.5, synapse=stdp, name="in->C")
    net.connect(a, c, nd.fixed_probability(0.3), weight=0.2, delay=1.5, synapse=stdp, name="A->C")
    net.connect(c, a, nd.fixed_probability(0.3), weight=0.1, delay=1.5)
    net.poisson_input(a, rate=8000.0, weight=0.02)
    net.poisson_input(b, rate=8000.0, weight=0.0015)
    net.homeostasis(a, "adaptive_threshold", target_rate=TARGET, eta=0.2, tau=TAU)
    net.homeostasis(b, "intrinsic", target_rate=TARGET, eta=0.02, tau=TAU)
    net.homeostasis(c, "synaptic_scaling", target_rate=TARGET, eta=0.01, tau=TAU, interval=100.0)
    for population in (a, b, c):
        net.record_spikes(population)
    return net


def run_mixed(shards, threads):
    sim = mixed_network().build(shards=shards, threads=threads)
    sim.run(600.0)  # 6 scalings; short, since a step's thread barrier is slow on a busy machine
    out = {name: sim.spikes(name) for name in ("A", "B", "C")}
    out["v_thresh"] = sim.param("A", "v_thresh")
    out["i_offset"] = sim.param("B", "i_offset")
    out["rates"] = [sim.homeostasis_rates(name) for name in ("A", "B", "C")]
    out["weights"] = [sim.weights("in->C"), sim.weights("A->C")]
    return out


def test_identical_for_1_and_3_shards_and_1_and_2_threads():
    reference = run_mixed(1, 1)
    assert len(reference["A"][0]) > 30
    assert np.abs(reference["v_thresh"] + 50.0).max() > 0.5  # the rule moved them
    for shards, threads in ((1, 1), (3, 1), (3, 2)):
        other = run_mixed(shards, threads)
        for name in ("A", "B", "C"):
            np.testing.assert_array_equal(reference[name][0], other[name][0])
            np.testing.assert_array_equal(reference[name][1], other[name][1])
        np.testing.assert_array_equal(reference["v_thresh"], other["v_thresh"])
        np.testing.assert_array_equal(reference["i_offset"], other["i_offset"])
        for mine, theirs in zip(reference["rates"] + reference["weights"], other["rates"] + other["weights"]):
            np.testing.assert_array_equal(mine, theirs)


MIXED_MODEL = """
[simulation]
dt = 0.1
seed = 99

[[population]]
name = "A"
model = "IF_curr_exp"
size = 31
params = { i_offset = { distribution = "uniform", low = -0.2, high = 0.6 } }
initial = { v = -65.0 }
homeostasis = { type = "adaptive_threshold", target_rate = 5.0, eta = 0.2 }

[[population]]
name = "B"
model = "IF_cond_exp"
size = 23
params = { v_thresh = { distribution = "uniform", low = -54.0, high = -46.0 } }
homeostasis = { type = "intrinsic", target_rate = 5.0, eta = 0.02 }

[[population]]
name = "C"
model = "IF_curr_exp"
size = 17
homeostasis = { type = "synaptic_scaling", target_rate = 5.0, eta = 0.01, interval = 100.0 }

[[population]]
name = "in"
model = "SpikeSourcePoisson"
size = 80
params = { rate = 20.0 }

[[projection]]
name = "in->C"
source = "in"
target = "C"
weight = 0.3
delay = 1.5
connector = { type = "fixed_probability", p = 0.3 }
synapse = { type = "stdp", timing = { type = "spike_pair", A_plus = 0.005, A_minus = 0.006 }, weight_dependence = { type = "additive", w_min = 0.0, w_max = 1.0 } }

[[projection]]
name = "A->C"
source = "A"
target = "C"
weight = 0.2
delay = 1.5
connector = { type = "fixed_probability", p = 0.3 }
synapse = { type = "stdp", timing = { type = "spike_pair", A_plus = 0.005, A_minus = 0.006 }, weight_dependence = { type = "additive", w_min = 0.0, w_max = 1.0 } }

[[stimulus]]
type = "poisson"
target = "A"
rate = 8000.0
weight = 0.02

[[stimulus]]
type = "poisson"
target = "B"
rate = 8000.0
weight = 0.0015

[[record]]
type = "spikes"
population = "C"
"""

MPI_SCRIPT = """
import sys
import numpy as np
import neurodyn as nd
sim = nd.load_model_file(sys.argv[1]).build(threads=int(sys.argv[3]))
sim.run(600.0)
out = dict(times=sim.spikes("C")[0], ids=sim.spikes("C")[1], theta=sim.param("A", "v_thresh"),
           current=sim.param("B", "i_offset"), rates=sim.homeostasis_rates("C"),
           w_in=sim.weights("in->C"), w_a=sim.weights("A->C"), ranks=nd.mpi_size())
if nd.mpi_rank() == 0:
    np.savez(sys.argv[2], **out)
"""
# As python/tests/test_mpi.py (which says why each is needed).
MPI_ENV = {"OMPI_ALLOW_RUN_AS_ROOT": "1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1",
           "OMPI_MCA_btl_vader_single_copy_mechanism": "none", "OMPI_MCA_rmaps_base_oversubscribe": "1",
           "OMP_WAIT_POLICY": "passive"}


def test_identical_on_1_2_3_mpi_ranks(neurodyn_binary, tmp_path):
    """Population sizes no rank count divides; every neuron's rule runs on the rank
    that owns it, and the gathered parameters, estimates and weights are the same."""
    mpirun = shutil.which("mpirun")
    if mpirun is None:
        pytest.skip("mpirun is not installed (Debian: openmpi-bin)")
    version = subprocess.run([str(neurodyn_binary), "--version"], capture_output=True, text=True).stdout
    if "(MPI)" not in version:
        pytest.skip(f"neurodyn was built without MPI ({version.strip()})")
    model = tmp_path / "mixed.toml"
    model.write_text(MIXED_MODEL)
    script = tmp_path / "script.py"
    script.write_text(MPI_SCRIPT)
    env = dict(os.environ)
    env.update(MPI_ENV)
    env["PYTHONPATH"] = str(PACKAGE_DIR)
    results = {}
    for ranks, threads in ((0, 1), (2, 1), (3, 2)):
        out = tmp_path / f"h{ranks}.npz"
        command = [sys.executable, str(script), str(model), str(out), str(threads)]
        if ranks:
            command = [mpirun, "--oversubscribe", "-np", str(ranks)] + command
        process = subprocess.run(command, capture_output=True, text=True, env=env, timeout=4 * COMMAND_TIMEOUT_S)
        assert process.returncode == 0, process.stderr
        results[ranks] = np.load(out)
    assert [int(results[r]["ranks"]) for r in (0, 2, 3)] == [1, 2, 3]
    assert results[0]["ids"].size > 20 and np.abs(results[0]["theta"] + 50.0).max() > 0.5
    for ranks in (2, 3):
        for key in ("times", "ids", "theta", "current", "rates", "w_in", "w_a"):
            assert np.array_equal(results[ranks][key], results[0][key]), f"{key} differs on {ranks} ranks"


MODEL = """
[simulation]
dt = 0.1
duration = 5000.0
seed = 3

[[population]]
name = "E"
model = "IF_curr_exp"
size = 20
params = {{ i_offset = {{ distribution = "uniform", low = -0.2, high = 0.8 }} }}
{homeostasis}

[[stimulus]]
type = "poisson"
target = "E"
rate = 8000.0
weight = 0.02

[[record]]
type = "spikes"
population = "E"
"""

HOMEOSTASIS = 'homeostasis = { type = "adaptive_threshold", target_rate = 5.0, eta = 0.5, tau = 500.0, min = -60.0, max = -20.0 }'


def test_model_file_and_command(neurodyn, tmp_path):
    path = tmp_path / "homeostasis.toml"
    path.write_text(MODEL.format(homeostasis=HOMEOSTASIS))
    sim = nd.load_model_file(path).build()
    sim.run()
    thresholds = sim.param("E", "v_thresh")
    assert np.all((thresholds >= -60.0) & (thresholds <= -20.0))
    assert thresholds.max() - thresholds.min() > 5.0  # adapted per neuron
    python_spikes = sim.spike_counts()["E"]
    # The command runs the same file to the same spikes; without the table, far more.
    summary = neurodyn.run(MODEL.format(homeostasis=HOMEOSTASIS), name="with").summary
    assert summary["populations"]["E"]["spikes"] == python_spikes
    without = neurodyn.run(MODEL.format(homeostasis=""), name="without").summary
    assert without["populations"]["E"]["spikes"] > 2 * python_spikes


def test_model_file_errors_name_the_key(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text(MODEL.format(homeostasis='homeostasis = { type = "adaptive_threshold", target_rate = 5.0, eta = -1.0 }'))
    with pytest.raises(ValueError, match=r"bad.toml:\d+:\d+: population\[0\].homeostasis.eta: eta must be >= 0") as error:
        nd.load_model_file(path)
    assert error.value.key == "population[0].homeostasis.eta"
    path.write_text(MODEL.format(homeostasis='homeostasis = { type = "intrinsic", target_rate = 5.0, eta = 0.1, interval = 10.0 }'))
    with pytest.raises(KeyError, match="'interval' does not apply to homeostasis type 'intrinsic'"):
        nd.load_model_file(path)


@pytest.mark.parametrize("kwargs, error, key, message", [
    (dict(type="adaptive_treshold"), KeyError, "population[0].homeostasis.type", "did you mean 'adaptive_threshold'"),
    (dict(target_rate=-2.0), ValueError, "population[0].homeostasis.target_rate", "target_rate must be >= 0 Hz, got -2"),
    (dict(eta=-0.1), ValueError, "population[0].homeostasis.eta", r"eta must be >= 0 mV/\(Hz s\), got -0.1"),
    (dict(tau=0.0), ValueError, "population[0].homeostasis.tau", "must be > 0 ms, got 0"),
    (dict(tau="slow"), ValueError, "population[0].homeostasis.tau", "expected a number"),
    (dict(interval=100.0), KeyError, "population[0].homeostasis.interval", "does not apply to homeostasis type"),
    (dict(min=-40.0, max=-60.0), ValueError, "population[0].homeostasis.max", r"max must be > min \(-40\)"),
    (dict(min=-45.0), ValueError, "population[0].homeostasis.min", "min must not exceed the initial v_thresh"),
])
def test_bad_arguments_name_the_key(kwargs, error, key, message):
    net = nd.Network(dt=DT)
    pop = net.population("E", "IF_curr_exp", 5)
    args = dict(type="adaptive_threshold", target_rate=TARGET, eta=0.1) | kwargs
    with pytest.raises(error, match=message) as raised:
        net.homeostasis(pop, **args)
    assert raised.value.key == key
    # Refused: the network is unchanged and builds without homeostasis.
    sim = net.build()
    with pytest.raises(ValueError, match="population 'E' has no homeostasis"):
        sim.homeostasis_rates("E")


def test_rules_that_do_not_fit_the_population_are_refused():
    net = nd.Network(dt=DT)
    izh = net.population("I", "Izhikevich", 5)
    with pytest.raises(ValueError, match="moves v_thresh, which Izhikevich does not have") as raised:
        net.homeostasis(izh, "adaptive_threshold", target_rate=TARGET, eta=0.1)
    assert raised.value.key == "population[0].homeostasis.type"
    src = net.population("S", "SpikeSourcePoisson", 5)
    with pytest.raises(ValueError, match="a spike source"):
        net.homeostasis(src, "intrinsic", target_rate=TARGET, eta=0.1)
    post = net.population("E", "IF_curr_exp", 5)
    with pytest.raises(ValueError, match="synaptic_scaling scales the stdp projections .* and it has none"):
        net.homeostasis(post, "synaptic_scaling", target_rate=TARGET, eta=0.01)
    net.connect(src, post, nd.all_to_all(), weight=0.1, synapse=nd.stdp(w_min=0.0, w_max=0.5))
    with pytest.raises(ValueError, match="interval must be a multiple of the time step"):
        net.homeostasis(post, "synaptic_scaling", target_rate=TARGET, eta=0.01, interval=0.25)
    net.homeostasis(post, "synaptic_scaling", target_rate=TARGET, eta=0.01, interval=200.0)
    with pytest.raises(KeyError, match="unknown population 'X'"):
        net.homeostasis("X", "intrinsic", target_rate=TARGET, eta=0.1)
    sim = net.build()
    np.testing.assert_array_equal(sim.homeostasis_rates(post), np.full(5, TARGET))  # the start value
    with pytest.raises(KeyError, match="'v_tresh' is not a parameter of IF_curr_exp; did you mean 'v_thresh'"):
        sim.param(post, "v_tresh")
