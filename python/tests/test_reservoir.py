"""Reservoir computing from Python (neurodyn.reservoir): ridge against NumPy's lstsq,
cross-validation, the ESN on published NARMA-10 and memory-capacity ranges against a
no-recurrence ablation, an ESN built from a neurodyn LeakyRate network against the
engine's own simulation of it, FORCE on a sum of sines, the three-factor readout,
E/I adaptation, a small liquid state machine (static digits, and sequential digits against
its no-recurrence ablation), determinism, and errors."""

import os
import sys

import numpy as np
import pytest

sys.path.insert(0, os.path.join(os.environ.get("NEURODYN_BUILD_DIR", ""), "python"))

import neurodyn as nd  # noqa: E402
import neurodyn.reservoir as nr  # noqa: E402
from neurodyn import datasets, tasks  # noqa: E402


# --- ridge -----------------------------------------------------------------------------

def test_ridge_equals_numpy_lstsq_reference():
    rng = np.random.default_rng(1)
    x = rng.normal(1.0, 2.0, (150, 20))
    y = x @ rng.normal(size=(20, 3)) + rng.normal(size=(150, 3)) + 4.0
    for lam in (1e-4, 0.3, 50.0):
        model = nr.Ridge(lam).fit(x, y)
        xc, yc = x - x.mean(0), y - y.mean(0)
        augmented = np.vstack([xc, np.sqrt(lam) * np.eye(20)])
        reference = np.linalg.lstsq(augmented, np.vstack([yc, np.zeros((20, 3))]), rcond=None)[0]
        # Both solve a system of condition number < 1e3: rounding, not modelling, error.
        assert np.max(np.abs(model.coef_ - reference)) < 1e-10
        assert np.max(np.abs(model.intercept_ - (y.mean(0) - x.mean(0) @ reference))) < 1e-10
    vector = nr.Ridge(0.1).fit(x, y[:, 0])
    assert vector.predict(x).shape == (150,)


def test_ridge_cv_fold_errors_and_a_sensible_lambda():
    rng = np.random.default_rng(2)
    n, p = 80, 50
    x = rng.normal(size=(n, p))
    w = rng.normal(0.0, 0.2, p)
    y = x @ w + rng.normal(0.0, 1.0, n)
    lambdas = np.logspace(-3, 4, 29)
    model = nr.RidgeCV(lambdas, folds=4, fit_intercept=False).fit(x, y)
    # Brute force: refit on each training block with NumPy, score on the held-out block.
    for f in range(4):
        held = np.arange(f * n // 4, (f + 1) * n // 4)
        kept = np.setdiff1d(np.arange(n), held)
        for j in (0, 14, 28):
            a = np.vstack([x[kept], np.sqrt(lambdas[j]) * np.eye(p)])
            coef = np.linalg.lstsq(a, np.concatenate([y[kept], np.zeros(p)]), rcond=None)[0]
            mse = np.mean((x[held] @ coef - y[held]) ** 2)
            assert model.fold_mse_[f, j] == pytest.approx(mse, rel=1e-10)  # rounding
    # The Bayes-optimal lambda is sigma^2 / tau^2 = 25; one data set's CV choice
    # scatters by about a decade around it (the C++ test averages 20 problems).
    assert 1.0 <= model.lam <= 1000.0
    assert model.cv_mse_[0] > model.cv_mse_.min()  # lambda -> 0 overfits (p/n = 0.6)


def test_readout_errors():
    x, y = np.ones((10, 2)), np.ones(10)
    with pytest.raises(nd.NeurodynValueError, match="lam must be >= 0, got -1"):
        nr.Ridge(-1.0)
    with pytest.raises(nd.NeurodynValueError, match="lambda must be finite and >= 0, got -0.5"):
        nr.RidgeCV([1.0, -0.5]).fit(x, y)
    with pytest.raises(nd.NeurodynValueError, match=r"y must have one row per sample of x \(10\), got 9"):
        nr.Ridge(1.0).fit(x, y[:9])
    with pytest.raises(nd.NeurodynValueError, match=r"folds must be in \[2, samples = 10\], got 20"):
        nr.RidgeCV(folds=20).fit(x, y)
    with pytest.raises(nd.NeurodynValueError, match="x must have 2 columns"):
        nr.Ridge(1.0).fit(x, y).predict(np.ones((3, 4)))
    with pytest.raises(nd.NeurodynValueError, match="x must be finite, got nan"):
        nr.Ridge(1.0).fit(np.full((10, 2), np.nan), y)


# --- echo-state networks ---------------------------------------------------------------------

def _narma_nrmse(units, recurrent=True, seed=1):
    u, y = tasks.narma10(5000, seed=seed)
    esn = nr.EchoStateNetwork(units=units, spectral_radius=0.9 if recurrent else 1e-9, input_scaling=0.1,
                              connectivity=0.1, seed=seed)
    states = esn.run(u)
    readout = nr.RidgeCV().fit(states[200:3500], y[200:3500])
    return tasks.nrmse(readout.predict(states[3500:]), y[3500:])


def test_esn_narma10_in_the_published_range_and_better_than_no_recurrence():
    # Published NARMA-10 NRMSE for ESNs of 100-200 units: about 0.2-0.4 (Jaeger 2003;
    # Rodan & Tino 2011 report NMSE 0.08-0.2, i.e. NRMSE 0.28-0.45, for N = 100-200).
    nrmse_100 = _narma_nrmse(100)
    nrmse_200 = _narma_nrmse(200)
    print(f"NARMA-10 NRMSE: N=100 {nrmse_100:.3f}, N=200 {nrmse_200:.3f}")
    assert 0.15 < nrmse_100 < 0.45
    assert 0.15 < nrmse_200 < 0.4
    assert nrmse_200 < nrmse_100
    # Ablation: the same units without recurrence (spectral radius ~ 0): no memory of
    # u[t-9], which NARMA-10 needs; its error stays near that of a linear filter of u[t].
    ablation = _narma_nrmse(200, recurrent=False)
    print(f"NARMA-10 NRMSE without recurrence: {ablation:.3f}")
    assert ablation > 1.5 * nrmse_200


def test_esn_memory_capacity_approaches_but_stays_below_n():
    u, targets = tasks.memory_capacity_data(4000, max_delay=200, seed=2)
    capacities = {}
    for units in (50, 100):
        esn = nr.EchoStateNetwork(units=units, spectral_radius=0.99, input_scaling=0.01, seed=1)
        s = esn.run(u)
        capacities[units], r2 = tasks.memory_capacity(s[200:2500], targets[200:2500], s[2500:], targets[2500:],
                                                      lam=1e-10)
        assert r2[0] > 0.95  # the last input is recalled almost perfectly
    print(f"memory capacity: N=50 {capacities[50]:.1f}, N=100 {capacities[100]:.1f}")
    # Jaeger 2002: MC <= N for i.i.d. input; tanh ESNs reach a large fraction of N with
    # small input scaling (a nearly linear regime) and spectral radius near 1.
    for units, capacity in capacities.items():
        assert 0.25 * units < capacity < units
    assert capacities[100] > capacities[50]
    # Ablation without recurrence: only u[t-1] survives one step (MC about 1).
    esn = nr.EchoStateNetwork(units=100, spectral_radius=1e-9, input_scaling=0.01, seed=1)
    s = esn.run(u)
    ablation, _ = tasks.memory_capacity(s[200:2500], targets[200:2500], s[2500:], targets[2500:], lam=1e-10)
    assert ablation < 2.0


def test_esn_is_scaled_to_its_spectral_radius_and_deterministic():
    a = nr.EchoStateNetwork(units=300, spectral_radius=0.8, connectivity=0.05, seed=4)
    assert a.spectral_radius("dense") == pytest.approx(0.8, rel=1e-10)  # scaled by the same solver
    assert a.spectral_radius("arnoldi") == pytest.approx(0.8, rel=1e-4)  # converged to residual 1e-6
    b = nr.EchoStateNetwork(units=300, spectral_radius=0.8, connectivity=0.05, seed=4)
    c = nr.EchoStateNetwork(units=300, spectral_radius=0.8, connectivity=0.05, seed=5)
    u = np.sin(np.arange(200) / 5.0)
    sa, sb, sc = a.run(u), b.run(u), c.run(u)
    assert np.array_equal(sa, sb)
    assert not np.array_equal(sa, sc)


def test_esn_from_a_leaky_rate_network_follows_the_engine():
    params = {"tau": 5.0, "gain": 1.2, "bias": 0.1}
    net = nd.Network(dt=1.0, seed=7)
    R = net.population("R", "LeakyRate", 80, params=params, initial={"x": nd.uniform(-1.0, 1.0)})
    net.connect(R, R, nd.fixed_probability(0.2), weight=nd.normal(0.0, 0.3), delay=1.0, receptor="input")
    net.record_state(R, "x")
    sim = net.build()
    esn = nr.EchoStateNetwork.from_network(sim, R, params=params)
    assert esn.leak == pytest.approx(1.0 - np.exp(-0.2), rel=1e-15)
    sim.run(60.0)
    _, x = sim.trace(R, "x")
    # The engine transmits no output before its first step; from then on both compute
    # the same update with the same (float32) weights: equal to rounding.
    esn.state = x[1]
    states = []
    for _ in range(59):
        esn.run(steps=1)
        states.append(esn.state)
    states = np.array(states)
    assert np.max(np.abs(states - x[2:61])) < 1e-12
    with pytest.raises(nd.NeurodynValueError, match="is IF_curr_exp; an echo-state network needs LeakyRate"):
        net2 = nd.Network(dt=1.0)
        net2.population("P", "IF_curr_exp", 5)
        nr.EchoStateNetwork.from_network(net2, "P")
    with pytest.raises(nd.NeurodynValueError, match="delays must be one step"):
        net3 = nd.Network(dt=1.0)
        Q = net3.population("Q", "LeakyRate", 5)
        net3.connect(Q, Q, nd.all_to_all(), weight=0.1, delay=2.0, receptor="input")
        nr.EchoStateNetwork.from_network(net3, Q)


def test_esn_bad_hyper_parameters():
    cases = [({"leak": -0.1}, "leak must be in \\(0, 1\\], got -0.1"),
             ({"leak": 0.0}, "leak must be in \\(0, 1\\], got 0"),
             ({"spectral_radius": 0.0}, "spectral_radius must be > 0, got 0"),
             ({"spectral_radius": -1.0}, "spectral_radius must be > 0, got -1"),
             ({"connectivity": 0.0}, "connectivity must be in \\(0, 1\\], got 0"),
             ({"input_scaling": -1.0}, "input_scaling must be >= 0, got -1"),
             ({"units": 0}, "units must be >= 1, got 0"),
             ({"excitatory_fraction": 1.0}, "excitatory_fraction must be in \\(0, 1\\), got 1")]
    for kwargs, message in cases:
        with pytest.raises(nd.NeurodynValueError, match=message):
            nr.EchoStateNetwork(units=kwargs.pop("units", 20), **kwargs)
    with pytest.raises(nd.NeurodynKeyError, match="unknown transfer 'softplus'"):
        nr.EchoStateNetwork(units=20, transfer="softplus")
    esn = nr.EchoStateNetwork(units=20, inputs=2)
    with pytest.raises(nd.NeurodynValueError, match=r"u must have shape \(steps, 2\), got \(10, 3\)"):
        esn.run(np.zeros((10, 3)))
    with pytest.raises(nd.NeurodynValueError, match=r"washout must be in \[0, steps = 10\], got 11"):
        esn.run(np.zeros((10, 2)), washout=11)


# --- FORCE, three-factor readout, E/I adaptation ----------------------------------------------------

def _sum_of_sines(steps, start=0):
    t = np.arange(start + 1, start + steps + 1, dtype=np.float64)
    w = 2 * np.pi / 240.0
    return 0.6 * (np.sin(w * t) + np.sin(2 * w * t) / 2 + np.sin(3 * w * t) / 6 + np.sin(4 * w * t) / 3)


def test_force_learns_a_sum_of_sines():
    # Sussillo & Abbott 2009's setting at N = 300: g = 1.5 (chaotic), tau = 10 dt.
    esn = nr.EchoStateNetwork(units=300, spectral_radius=1.5, leak=1 - np.exp(-0.1), connectivity=0.1,
                              inputs=0, feedbacks=1, seed=3)
    esn.state = np.random.default_rng(3).normal(0.0, 0.5, 300)
    force = nr.FORCE(esn, alpha=1.0, update_every=2)
    force.train(_sum_of_sines(240 * 40))
    z = force.run(steps=240 * 5)
    error = tasks.nrmse(z, _sum_of_sines(240 * 5, start=240 * 40))
    print(f"FORCE test NRMSE {error:.4f}")
    # The learned output is visually indistinguishable from the target in the paper;
    # 0.1 is 10% of the target's RMS, far from the 1.0 of a failed readout.
    assert error < 0.1
    with pytest.raises(nd.NeurodynValueError, match="FORCE needs a reservoir with fed-back outputs"):
        nr.FORCE(nr.EchoStateNetwork(units=20))
    with pytest.raises(nd.NeurodynValueError, match="alpha must be > 0, got 0"):
        nr.FORCE(esn, alpha=0.0)


def test_three_factor_readout_converges_to_least_squares_and_respects_the_gate():
    rng = np.random.default_rng(5)
    s = rng.uniform(-1, 1, (6000, 5))
    w = np.array([0.5, -1.0, 2.0, 0.0, 0.3])
    y = s @ w + 0.2
    readout = nr.ThreeFactorReadout(5, eta=0.05)
    readout.train(s, y)
    # Noise-free data and gate 1: the delta rule converges to w (contraction factor per
    # step about 1 - eta * lambda_min = 0.98 -> far below 1e-6 after 6000 steps).
    assert np.max(np.abs(readout.weights[0, :5] - w)) < 1e-6
    assert readout.weights[0, 5] == pytest.approx(0.2, abs=1e-6)
    closed = nr.ThreeFactorReadout(5, eta=0.05)
    closed.train(s, y, gate=0.0)
    assert np.all(closed.weights == 0.0)  # gate 0: no plasticity at all
    gated = nr.ThreeFactorReadout(5, eta=0.05, tau_steps=3.0)
    gated.train(s[:100], y[:100], gate=(np.arange(100) % 2).astype(float))
    assert np.any(gated.weights != 0.0)
    with pytest.raises(nd.NeurodynValueError, match="eta must be > 0, got -1"):
        nr.ThreeFactorReadout(5, eta=-1.0)


def test_ei_adaptation_reaches_heterogeneous_targets():
    esn = nr.EchoStateNetwork(units=200, spectral_radius=2.0, transfer="sigmoid", excitatory_fraction=0.8,
                              input_scaling=1.0, bias_scaling=0.5, connectivity=0.1, leak=0.5, seed=6)
    rng = np.random.default_rng(6)
    u = rng.uniform(0, 1, (3000, 1))
    targets = rng.uniform(0.1, 0.4, 200)
    before = esn.copy().run(u[:1000]).mean(0)
    deviation = esn.adapt(u, targets, learning_rate=0.01)
    after = esn.run(u[:1000]).mean(0)
    print(f"E/I adaptation: mean |<r> - target| {np.mean(np.abs(before - targets)):.3f} -> "
          f"{np.mean(np.abs(after - targets)):.3f}")
    # Units reach their own targets to a fraction of the targets' spread (0.3); a unit
    # whose target lies above its rate without any inhibition cannot, which keeps the
    # mean from 0 (measured 0.038).
    assert np.mean(np.abs(after - targets)) < 0.05
    assert np.mean(np.abs(after - targets)) < 0.3 * np.mean(np.abs(before - targets))
    assert deviation.shape == (3000,)
    with pytest.raises(nd.NeurodynValueError, match="needs non-negative rates"):
        nr.EchoStateNetwork(units=20, excitatory_fraction=0.8).adapt(u, 0.2)
    with pytest.raises(nd.NeurodynValueError, match="inhibitory connections are needed"):
        nr.EchoStateNetwork(units=20, transfer="sigmoid").adapt(u, 0.2)


# --- liquid state machine -------------------------------------------------------------------

def test_liquid_state_machine_on_digits_is_deterministic_and_informative():
    x_train, y_train, x_test, y_test = datasets.load_digits()
    spikes_train = datasets.rate_encode(x_train[:300], steps=20, max_probability=0.3, seed=1)
    spikes_test = datasets.rate_encode(x_test[:150], steps=20, max_probability=0.3, seed=2)
    lsm = nr.LiquidStateMachine(nr.lsm_network(n_exc=160, n_inh=40), inputs=64, seed=3, gap_ms=30.0)
    states = lsm.transform(spikes_train)
    assert states.shape == (300, 200)
    assert np.array_equal(states, lsm.transform(spikes_train))  # same seed: the same liquid and spikes
    accuracy = nr.RidgeClassifier().fit(states, y_train[:300]).score(lsm.transform(spikes_test), y_test[:150])
    print(f"LSM digits accuracy (300 training samples): {accuracy:.3f}")
    # 10 classes: chance is 0.1 (sd of 150 test samples 0.025); a liquid whose states
    # carry the input reaches far above it. The comparison with ablations is in
    # bench/reservoir_tasks.py (docs/benchmarks.md).
    assert accuracy > 0.5
    with pytest.raises(nd.NeurodynValueError, match=r"spikes must have shape \(samples, steps, 64\)"):
        lsm.transform(np.zeros((3, 20, 10), bool))
    with pytest.raises(nd.NeurodynValueError, match="tau_ms must be > 0, got 0"):
        nr.LiquidStateMachine(nr.lsm_network(), inputs=64, tau_ms=0.0)


def test_liquid_remembers_earlier_rows_of_sequential_digits_that_its_ablation_forgets():
    # Rows of a digit shown one after the other (10 ms each), the state read once at the
    # end: without memory only the last row is visible.
    x_train, y_train, x_test, y_test = datasets.load_digits()
    spikes_train = nr.row_sequence_encode(x_train[:500], rows=8, steps_per_row=10, copies=8, seed=1)
    spikes_test = nr.row_sequence_encode(x_test[:200], rows=8, steps_per_row=10, copies=8, seed=2)
    assert spikes_train.shape == (500, 80, 64)
    assert np.array_equal(spikes_train, nr.row_sequence_encode(x_train[:500], rows=8, seed=1))  # same seed
    # Copy k of column c is input c * copies + k and sees pixel (row, c) during row's steps.
    assert not spikes_train[:, 10:20, 8:16][x_train[:500, 9] == 0].any()
    accuracy = {}
    for recurrent in (True, False):
        lsm = nr.LiquidStateMachine(nr.lsm_network(n_exc=160, n_inh=40, recurrent=recurrent), inputs=64, seed=3,
                                    gap_ms=50.0, readout_fractions=(1.0,))
        classifier = nr.RidgeClassifier().fit(lsm.transform(spikes_train), y_train[:500])
        accuracy[recurrent] = classifier.score(lsm.transform(spikes_test), y_test[:200])
    last_row = nr.RidgeClassifier().fit(spikes_train[:, -10:].sum(1), y_train[:500])
    accuracy["last row"] = last_row.score(spikes_test[:, -10:].sum(1), y_test[:200])
    print(f"sequential digits: LSM {accuracy[True]:.3f}, no recurrence {accuracy[False]:.3f}, "
          f"ridge on the last row {accuracy['last row']:.3f}")
    # Measured: 0.700, 0.455 and 0.370. One accuracy on 200 test samples has a binomial sd
    # <= sqrt(0.25 / 200) = 0.035, a difference of two <= 0.05: the 0.1 margins sit ~3 sd
    # below the measured gaps (0.245, 0.33) and 2 sd above zero, so a liquid whose
    # recurrence adds no memory fails them.
    assert accuracy[True] > accuracy[False] + 0.1
    assert accuracy[True] > accuracy["last row"] + 0.1
    with pytest.raises(nd.NeurodynValueError, match="rows must divide the 64 pixels of an image, got 7"):
        nr.row_sequence_encode(x_train[:3], rows=7)
    with pytest.raises(nd.NeurodynValueError, match="steps_per_row and copies must be >= 1, got 0 and 8"):
        nr.row_sequence_encode(x_train[:3], rows=8, steps_per_row=0)
    with pytest.raises(nd.NeurodynValueError, match=r"max_probability must be in \(0, 1\], got 1.5"):
        nr.row_sequence_encode(x_train[:3], rows=8, max_probability=1.5)
    with pytest.raises(nd.NeurodynValueError, match=r"images must be in \[0, 1\], got \[0, 16\]"):
        nr.row_sequence_encode(x_train[:3] * 16, rows=8)
    with pytest.raises(nd.NeurodynValueError, match="images must be a 2-D array"):
        nr.row_sequence_encode(x_train[0], rows=8)


def test_filtered_spike_traces_match_their_definition():
    times = np.array([1.0, 2.0, 2.0, 5.0])
    ids = np.array([0, 1, 0, 0])
    traces = nr.filtered_spike_traces(times, ids, 2, 4.0, [3.0, 6.0])
    expected = np.array([[np.exp(-0.5) + np.exp(-0.25), np.exp(-0.25)],
                         [np.exp(-1.25) + np.exp(-1.0) + np.exp(-0.25), np.exp(-1.0)]])
    assert np.max(np.abs(traces - expected)) < 1e-14  # rounding
