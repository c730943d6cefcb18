"""Hebbian plasticity of rate projections (nd.rate_hebbian, docs/plasticity.md, "Hebbian
plasticity of rate projections"): the engine's weights and outputs equal the rule
iterated directly on the recorded presynaptic outputs, the same as the learn layer's
HebbianLayer, Oja's rule finds the principal component, shards/threads do not change
anything, the model file gives the same network, weights are recorded, set and
saved, and bad input is refused."""

import h5py
import numpy as np
import pytest

import neurodyn as nd
from test_mpi import mpi_binary, run_distributed  # noqa: F401  (a fixture, and the mpirun runner)

DT = 0.1
# exp(-dt/tau) underflows to exactly 0: a unit's output is its input of the step, so the
# network is y(t) = W x(t - d) with nothing of the leak in between.
FAST = {"tau": 1e-6, "transfer": "linear"}
MIXING = np.array([[1.0, 0.5, 0.2, 0.0], [0.3, 1.0, 0.0, 0.4], [0.0, 0.2, 1.0, 0.7]])  # 3 sources -> 4 inputs
W0 = np.array([[0.1, -0.2], [0.3, 0.05], [0.0, 0.2], [0.1, 0.1]])  # 4 inputs x 2 outputs


def input_network(seed=3, outputs=2, rate=2000.0):
    """x: 4 correlated, fluctuating rate inputs (3 Poisson-driven sources mixed by
    MIXING); y: `outputs` linear units. Returns (net, x, y)."""
    net = nd.Network(dt=DT, seed=seed)
    z = net.population("z", "LeakyRate", 3, params=FAST)
    x = net.population("x", "LeakyRate", 4, params=FAST)
    y = net.population("y", "LeakyRate", outputs, params=FAST)
    net.poisson_input(z, rate=rate, weight=0.5, receptor="input")
    net.connect(z, x, nd.all_to_all(), weight=MIXING, delay=DT, receptor="input")
    return net, x, y


def learn(synapse, duration=50.0, delay_steps=3, shards=None, threads=1, seed=3, record=True):
    net, x, y = input_network(seed)
    net.connect(x, y, nd.all_to_all(), weight=W0, delay=delay_steps * DT, receptor="input", synapse=synapse, name="h")
    if record:
        net.record_state(x, ["r"])
        net.record_state(y, ["r"])
    sim = net.build(shards=shards, threads=threads)
    sim.run(duration)
    return sim


def direct(sim, rule, eta, delay_steps, decay=0.0, tau_theta=100.0, theta0=0.0, w_min=-np.inf, w_max=np.inf):
    """The rule iterated on the recorded inputs: y(s) = W x(s - d), then the Euler step of
    models/rate_hebbian.hpp. Trace sample i (time i dt) is the state after step i - 1, so
    step s reads sample s - d + 1 (nothing before step d) and its y is sample s + 1.
    Returns (y per sample, final W as target x source)."""
    c = sim.connections("h")
    W = np.zeros((2, 4))
    W[c["target"], c["source"]] = c["weight"]  # the initial weights as the engine stores them (float32)
    X = np.asarray(sim.trace("x", "r").values)
    theta = np.full(2, theta0)
    rate = eta * DT
    ys = np.zeros((X.shape[0], 2))
    for s in range(X.shape[0] - 1):
        x = X[s - delay_steps + 1] if s >= delay_steps else np.zeros(4)
        y = W @ x
        ys[s + 1] = y
        if rule == "hebb":
            gain, loss = y, np.full(2, decay)
        elif rule == "anti_hebbian":
            gain, loss = -y, np.full(2, decay)
        elif rule == "oja":
            gain, loss = y, y * y
        else:
            gain, loss = y * (y - theta), np.zeros(2)
        W = np.clip(W + rate * (gain[:, None] * x[None, :] - loss[:, None] * W), w_min, w_max)
        if rule == "bcm":
            theta = theta + DT / tau_theta * (y * y - theta)
    return ys, W


def engine_matrix(sim):
    c = sim.connections("h")
    W = np.zeros((2, 4))
    W[c["target"], c["source"]] = sim.weights("h")
    return W


@pytest.mark.parametrize("rule, kwargs, bounds", [
    ("hebb", dict(eta=0.02, decay=0.5), {}),
    ("hebb", dict(eta=0.05), dict(w_min=-0.21, w_max=0.31)),  # grows along x: reaches w_max
    ("anti_hebbian", dict(eta=0.02, decay=0.3), {}),
    ("oja", dict(eta=0.05), {}),
    ("bcm", dict(eta=0.5, tau_theta=2.0, theta_initial=0.1), dict(w_min=-0.21, w_max=0.31)),
])
def test_engine_equals_the_rule_iterated_directly(rule, kwargs, bounds):
    sim = learn(nd.rate_hebbian(rule, **kwargs, **bounds))
    ys, W = direct(sim, rule, kwargs["eta"], 3, decay=kwargs.get("decay", 0.0), tau_theta=kwargs.get("tau_theta", 100.0),
                   theta0=kwargs.get("theta_initial", 0.0), **bounds)
    # The same floating-point operations in the same order: equal up to rounding of the
    # sum of 4 products (1e-12 is a thousand times the rounding of these magnitudes).
    assert np.abs(np.asarray(sim.trace("y", "r").values) - ys).max() < 1e-12
    assert np.abs(engine_matrix(sim) - W).max() < 1e-12
    assert np.abs(W - engine_matrix(learn(nd.rate_hebbian(rule, **kwargs, **bounds), duration=0.0))).max() > 1e-3  # it learnt
    if bounds:  # the bounds are reached and hold
        w = sim.weights("h")
        assert w.min() >= bounds["w_min"] and w.max() <= bounds["w_max"]
        assert np.isclose(w, bounds["w_min"]).any() or np.isclose(w, bounds["w_max"]).any()


@pytest.mark.parametrize("rule", ["oja", "bcm"])
def test_engine_equals_the_learn_layer_hebbian_layer(rule):
    # With a one-step delay the engine's update of step t is HebbianLayer.step on the
    # input x(t - 1), eta per update = eta dt and tau_theta in updates = tau_theta / dt.
    eta, tau_theta = 0.05, 2.0
    extra = dict(tau_theta=tau_theta) if rule == "bcm" else {}
    sim = learn(nd.rate_hebbian(rule, eta=eta, **extra), delay_steps=1)
    layer = nd.HebbianLayer(4, 2, rule, eta=eta * DT, **({"tau_theta": tau_theta / DT} if rule == "bcm" else {}))
    c = sim.connections("h")
    W = np.zeros((2, 4))
    W[c["target"], c["source"]] = c["weight"]
    layer.weights = W
    X = np.asarray(sim.trace("x", "r").values)
    assert not X[0].any()  # step 0 reads the initial outputs (0): nothing has been sent yet
    for x in X[:-1]:  # step s reads sample s, the outputs after step s - 1
        layer.step(x)
    assert np.abs(layer.weights - engine_matrix(sim)).max() < 1e-12  # same operations (see above)


def oja_fluctuation(eta, samples=1_000_000):
    """The inputs' correlation matrix C = <x x^T> (x = MIXING^T z, z = 0.5 x a Poisson count
    of mean m per step), its eigenvalues and eigenvectors, and the stationary mean of
    sin^2 (w, top eigenvector) under Oja's rule with eta dt per step. Linearised around
    w = e_1, the component along e_i follows d_i <- d_i (1 - eta dt (l_1 - l_i)) + eta dt a_1 a_i
    (a = V^T x), so its variance is eta dt <a_1^2 a_i^2> / (2 (l_1 - l_i)); for Gaussian
    inputs <a_1^2 a_i^2> = l_1 l_i (docs), for these sparse Poisson counts it is about 3 times
    that, and it is estimated from 10^6 draws (relative error < 1 %)."""
    m = 2000.0 * DT / 1000.0
    C = MIXING.T @ (0.25 * (m * np.eye(3) + m * m)) @ MIXING
    values, vectors = np.linalg.eigh(C)
    a = (0.5 * np.random.default_rng(0).poisson(m, size=(samples, 3)) @ MIXING) @ vectors
    # values[0] = 0: 3 sources span 3 of the 4 input dimensions; nothing moves along it.
    S = eta * DT * sum(np.mean(a[:, -1] ** 2 * a[:, i] ** 2) / (2 * (values[-1] - values[i])) for i in (1, 2))
    return values, vectors, S


def test_oja_finds_the_principal_component_of_its_inputs():
    eta = 0.02
    net, x, y = input_network()
    proj = net.connect(x, y, nd.all_to_all(), weight=W0, delay=0.3, receptor="input",
                       synapse=nd.rate_hebbian("oja", eta=eta), name="h")
    net.record_weights(proj, synapses=list(range(8)), interval=1.0)
    sim = net.build()
    # 12 s = 120,000 updates; the slowest time constant, 1 / (eta dt (l_1 - l_2)), is 0.38 s:
    # converged after 6 s, and the last 6 s hold ~16 independent stretches.
    sim.run(12000.0)
    values, vectors, S = oja_fluctuation(eta)
    top = vectors[:, -1]
    c = sim.connections("h")
    times, samples = np.asarray(sim.weight_trace("h").times), np.asarray(sim.weight_trace("h").values)
    late = times >= 6000.0
    for unit in (0, 1):
        columns = np.nonzero(c["target"] == unit)[0]
        w = np.zeros((times.size, 4))
        w[:, c["source"][columns]] = samples[:, columns]
        sin2 = 1.0 - (np.abs(w @ top) / np.linalg.norm(w, axis=1)) ** 2
        # The time average of sin^2 over the last 6 s against the stationary mean S: seeds
        # 3-7 give 0.66-1.26 S; the average of ~16 correlated stretches has a relative sd of
        # ~0.35, so [0.3, 2.5] S is 2 sd below and 4 above.
        assert 0.3 * S < sin2[late].mean() < 2.5 * S, (sin2[late].mean(), S)
        # |w| -> 1: its fluctuation is of order sqrt(S) ~ 0.02.
        assert abs(np.linalg.norm(w[-1]) - 1.0) < 0.05


def test_shards_and_threads_do_not_change_the_weights():
    one = learn(nd.rate_hebbian("bcm", eta=0.05, tau_theta=2.0), record=False)
    again = learn(nd.rate_hebbian("bcm", eta=0.05, tau_theta=2.0), record=False)
    many = learn(nd.rate_hebbian("bcm", eta=0.05, tau_theta=2.0), shards=3, threads=2, record=False)
    np.testing.assert_array_equal(one.weights("h"), again.weights("h"))
    np.testing.assert_array_equal(one.weights("h"), many.weights("h"))


MODEL_FILE = """
[simulation]
dt = 0.1
duration = 50.0
seed = 3

[[population]]
name = "z"
model = "LeakyRate"
size = 3
params = { tau = 1e-6, transfer = "linear" }

[[population]]
name = "x"
model = "LeakyRate"
size = 4
params = { tau = 1e-6, transfer = "linear" }

[[population]]
name = "y"
model = "LeakyRate"
size = 2
params = { tau = 1e-6, transfer = "linear" }

[[stimulus]]
type = "poisson"
target = "z"
rate = 2000.0
weight = 0.5
receptor = "input"

[[projection]]
source = "z"
target = "x"
connector = { type = "all_to_all" }
weight = [[1.0, 0.5, 0.2, 0.0], [0.3, 1.0, 0.0, 0.4], [0.0, 0.2, 1.0, 0.7]]
delay = 0.1
receptor = "input"

[[projection]]
name = "h"
source = "x"
target = "y"
connector = { type = "all_to_all" }
weight = [[0.1, -0.2], [0.3, 0.05], [0.0, 0.2], [0.1, 0.1]]
delay = 0.3
receptor = "input"
SYNAPSE
"""


def write_model(tmp_path, synapse):
    path = tmp_path / "hebbian.toml"
    path.write_text(MODEL_FILE.replace("SYNAPSE", "synapse = " + synapse))
    return path


def test_model_file_gives_the_python_network(tmp_path):
    path = write_model(tmp_path, '{ type = "rate_hebbian", rule = "anti_hebbian", eta = 0.02, decay = 0.3, '
                                 'w_min = -0.21, w_max = 0.31 }')
    net = nd.load_model_file(str(path))
    sim = net.build()
    sim.run()
    python = learn(nd.rate_hebbian("anti_hebbian", eta=0.02, decay=0.3, w_min=-0.21, w_max=0.31), record=False)
    np.testing.assert_array_equal(sim.weights("h"), python.weights("h"))


def test_weights_are_recorded_and_set():
    net, x, y = input_network()
    proj = net.connect(x, y, nd.all_to_all(), weight=W0, delay=0.3, receptor="input",
                       synapse=nd.rate_hebbian("oja", eta=0.05), name="h")
    net.record_weights(proj, synapses=[0, 5, 7], interval=1.0)
    sim = net.build()
    seen = [sim.weights("h")[[0, 5, 7]]]
    for _ in range(5):
        sim.run(1.0)
        seen.append(sim.weights("h")[[0, 5, 7]])
    trace = sim.weight_trace("h")
    np.testing.assert_allclose(trace.times, np.arange(0.0, 5.5, 1.0))
    # A sample at t is the weight weights() gives when the run stops at t: exactly.
    np.testing.assert_array_equal(np.asarray(trace.values), np.array(seen))

    new = np.linspace(-0.5, 0.5, 8)
    sim.set_weights("h", new)
    np.testing.assert_array_equal(sim.weights("h"), new)
    before = sim.weights("h")
    sim.run(1.0)
    assert np.abs(sim.weights("h") - before).max() > 1e-4  # learning goes on from the new weights


def test_command_saves_the_final_weights_and_their_trace(neurodyn, tmp_path):
    text = MODEL_FILE.replace("SYNAPSE", 'synapse = { type = "rate_hebbian", rule = "oja", eta = 0.05 }')
    text += '\n[[record]]\ntype = "weights"\nprojection = "h"\nsynapses = [1, 6]\ninterval = 5.0\n'
    run = neurodyn.run(text)
    with h5py.File(run.result_path, "r") as f:
        assert list(f["weights"]) == ["h"]
        saved = f["weights/h/weight"][()]
        last_sample = f["weight_traces/h/data"][-1]
    path = tmp_path / "same.toml"
    path.write_text(text)
    sim = nd.load_model_file(str(path)).build()
    sim.run()
    np.testing.assert_array_equal(saved, sim.weights("h"))
    np.testing.assert_array_equal(last_sample, saved[[1, 6]])


def test_bounds_refuse_initial_and_set_weights_outside():
    net, x, y = input_network()
    net.connect(x, y, nd.all_to_all(), weight=0.5, delay=0.3, receptor="input",
                synapse=nd.rate_hebbian("hebb", eta=0.01, w_min=0.0, w_max=0.4), name="h")
    with pytest.raises(nd.NeurodynValueError, match=r"initial weight 0\.5 of the rate_hebbian synapse.*\[0, 0\.4\]"):
        net.build()
    sim = learn(nd.rate_hebbian("hebb", eta=0.01, w_min=-1.0, w_max=1.0), duration=0.0, record=False)
    with pytest.raises(nd.NeurodynValueError, match=r"weight 3 .* must lie in \[w_min, w_max\] = \[-1, 1\], got 2"):
        sim.set_weights("h", [0, 0, 0, 2, 0, 0, 0, 0])
    with pytest.raises(nd.NeurodynValueError, match="has 8 synapses, got 3 weights"):
        sim.set_weights("h", [0, 0, 0])


@pytest.mark.parametrize("call, message", [
    (lambda: nd.rate_hebbian("ojja"), r"unknown rate_hebbian rule 'ojja'.*did you mean 'oja'"),
    (lambda: nd.rate_hebbian("oja", decay=0.1), "the oja rule has no parameter decay"),
    (lambda: nd.rate_hebbian("hebb", tau_theta=10.0), "the hebb rule has no parameter tau_theta"),
    (lambda: nd.rate_hebbian("oja", eta=0.0), r"eta must be finite and > 0 \(1/ms\), got 0"),
    (lambda: nd.rate_hebbian("hebb", decay=-1.0), "decay must be finite and >= 0"),
    (lambda: nd.rate_hebbian("bcm", theta_initial=-1.0), "theta_initial must be finite and >= 0"),
    (lambda: nd.rate_hebbian("oja", w_min=1.0, w_max=0.0), "w_max must be >= w_min = 1, got 0"),
])
def test_bad_rules_are_refused(call, message):
    with pytest.raises((nd.NeurodynValueError, nd.NeurodynKeyError), match=message):
        call()


def test_step_dependent_limits_and_unit_kinds_are_checked():
    net, x, y = input_network()
    with pytest.raises(nd.NeurodynValueError, match=r"projection\[1\]\.synapse\.tau_theta: .* >= dt = 0\.1 ms, got 0\.05"):
        net.connect(x, y, nd.all_to_all(), weight=0.1, delay=0.3, receptor="input",
                    synapse=nd.rate_hebbian("bcm", tau_theta=0.05))
    with pytest.raises(nd.NeurodynValueError, match=r"projection\[1\]\.synapse\.decay: .* below 1/\(eta dt\) = 10000"):
        net.connect(x, y, nd.all_to_all(), weight=0.1, delay=0.3, receptor="input",
                    synapse=nd.rate_hebbian("hebb", eta=0.001, decay=20000.0))
    net = nd.Network(dt=DT)
    spiking = net.population("s", "IF_curr_exp", 3)
    rate = net.population("r", "LeakyRate", 3)
    with pytest.raises(nd.NeurodynValueError, match="source population 's' is IF_curr_exp, not made of rate units"):
        net.connect(spiking, rate, nd.all_to_all(), weight=0.1, receptor="input", synapse=nd.rate_hebbian("oja"))
    with pytest.raises(nd.NeurodynValueError, match="target population 's' is IF_curr_exp, not made of rate units"):
        net.connect(rate, spiking, nd.all_to_all(), weight=0.1, synapse=nd.rate_hebbian("oja"))
    assert net.projections == []  # nothing half-added


@pytest.mark.parametrize("synapse, message", [
    ('{ type = "rate_hebbian", rule = "boja" }', r"hebbian\.toml:\d+:\d+: projection\[1\]\.synapse\.rule: unknown rate_hebbian rule 'boja'"),
    ('{ type = "rate_hebbian", rule = "oja", decay = 0.1 }', "the oja rule has no parameter decay"),
    ('{ type = "rate_hebbian", eta = 0.1 }', "missing required key 'rule'"),
    ('{ type = "rate_hebbian", rule = "oja", eta = -0.1 }', "eta must be finite and > 0"),
    ('{ type = "rate_hebbian", rule = "oja", etta = 0.1 }', r"unknown key 'etta'.*did you mean 'eta'"),
])
def test_model_file_errors_name_the_problem(tmp_path, synapse, message):
    path = write_model(tmp_path, synapse)
    with pytest.raises((nd.NeurodynValueError, nd.NeurodynKeyError), match=message):
        nd.load_model_file(str(path)).build()


def test_repr_and_parameters():
    s = nd.rate_hebbian("bcm", eta=0.01, tau_theta=50.0, w_max=2.0)
    assert s.kind == "rate_hebbian"
    assert repr(s) == "neurodyn.rate_hebbian(rule='bcm', eta=0.01, tau_theta=50, theta_initial=0, w_min=-inf, w_max=2)"
    assert s.rate_hebbian_parameters["tau_theta"] == 50.0


def test_identical_on_1_2_3_mpi_ranks(mpi_binary, tmp_path):
    """Populations of 3, 4 and 2 units over 2 and 3 ranks: some ranks own no target of the
    plastic projection, and every rank keeps the source outputs it reads from the others."""
    text = MODEL_FILE.replace("SYNAPSE", 'synapse = { type = "rate_hebbian", rule = "bcm", eta = 0.5, tau_theta = 2.0, '
                                         'w_min = -0.21, w_max = 0.31 }')
    text += '\n[[record]]\ntype = "weights"\nprojection = "h"\nsynapses = [0, 3, 7]\ninterval = 2.0\n'
    path = tmp_path / "h.toml"
    path.write_text(text)
    single = run_distributed(mpi_binary, tmp_path, path, 0, 1, "single")
    assert np.ptp(single["weights/h/weight"]) > 0.1  # it learnt
    for ranks, threads in ((2, 1), (3, 2)):
        distributed = run_distributed(mpi_binary, tmp_path, path, ranks, threads, f"r{ranks}")
        assert sorted(distributed) == sorted(single)
        for name, values in single.items():
            assert np.array_equal(distributed[name], values), f"{name} differs on {ranks} ranks"
