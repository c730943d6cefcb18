"""The task generators of neurodyn.tasks: NARMA-10 against its recurrence, the
Mackey-Glass RK4 integration against a finer step and its known attractor range, the
memory-capacity targets and score (a perfect delay line has MC = number of delays; the
i.i.d. input has none), NRMSE, determinism and errors."""

import os
import sys

import numpy as np
import pytest

sys.path.insert(0, os.path.join(os.environ.get("NEURODYN_BUILD_DIR", ""), "python"))

import neurodyn as nd  # noqa: E402
from neurodyn import tasks  # noqa: E402


def test_narma10_follows_its_recurrence():
    u, y = tasks.narma10(500, seed=3)
    assert u.shape == y.shape == (500,)
    assert u.min() >= 0.0 and u.max() < 0.5
    for t in range(9, 499):
        expected = 0.3 * y[t] + 0.05 * y[t] * y[t - 9:t + 1].sum() + 1.5 * u[t - 9] * u[t] + 0.1
        assert y[t + 1] == pytest.approx(expected, rel=1e-14)  # the same arithmetic
    u2, y2 = tasks.narma10(500, seed=3)
    assert np.array_equal(y, y2)
    assert not np.array_equal(u, tasks.narma10(500, seed=4)[0])


def test_mackey_glass_converges_with_the_step_and_stays_on_its_attractor():
    # From the initial history (no washout): over the first 100 time units chaos has not
    # yet amplified the step's error. RK4 with the delayed term interpolated linearly at
    # half steps is second order in the delayed argument: halving dt changes the series
    # by far less than 1e-3 of its range of about 1.
    coarse = tasks.mackey_glass(100, dt=0.1, washout=0.0)
    fine = tasks.mackey_glass(100, dt=0.05, washout=0.0)
    assert np.max(np.abs(coarse - fine)) < 1e-3
    coarse = tasks.mackey_glass(2000)
    # tau = 17: the attractor lies within about [0.2, 1.4] (Mackey & Glass 1977 Fig. 2).
    assert 0.15 < coarse.min() and coarse.max() < 1.45
    assert np.std(coarse) > 0.1  # it oscillates, no fixed point
    with pytest.raises(nd.NeurodynValueError, match="tau must be a multiple of dt"):
        tasks.mackey_glass(10, tau=17.05)
    with pytest.raises(nd.NeurodynValueError, match="length must be a positive integer, got 0"):
        tasks.mackey_glass(0)


def test_memory_capacity_of_a_delay_line_and_of_noise():
    u, targets = tasks.memory_capacity_data(3000, max_delay=10, seed=1)
    assert targets.shape == (3000, 10)
    assert np.array_equal(targets[5:, 4], u[:-5])  # column k-1 holds u[t-k]
    # A perfect delay line of 10 taps as "states": MC = 10 exactly (r^2 = 1 each).
    line = np.stack([np.concatenate([np.zeros(k), u[:-k]]) for k in range(1, 11)], axis=1)
    mc, r2 = tasks.memory_capacity(line[20:2000], targets[20:2000], line[2000:], targets[2000:])
    assert mc == pytest.approx(10.0, abs=1e-9)
    # States of fresh noise carry no memory: MC is the chance r^2 of 10 delays with 20
    # features over 1000 test samples, about 10 x 20/1000 = 0.2.
    noise = np.random.default_rng(2).normal(size=(3000, 20))
    mc_noise, _ = tasks.memory_capacity(noise[20:2000], targets[20:2000], noise[2000:], targets[2000:])
    assert mc_noise < 0.5


def test_nrmse_and_errors():
    t = np.sin(np.arange(100.0))
    assert tasks.nrmse(t, t) == 0.0
    assert tasks.nrmse(np.full(100, t.mean()), t) == pytest.approx(1.0, rel=1e-12)
    with pytest.raises(nd.NeurodynValueError, match="same shape"):
        tasks.nrmse(t[:5], t)
    with pytest.raises(nd.NeurodynValueError, match="target must vary"):
        tasks.nrmse(np.ones(5), np.ones(5))
    with pytest.raises(nd.NeurodynValueError, match="high must be > low"):
        tasks.memory_capacity_data(100, low=1.0, high=0.0)
    with pytest.raises(nd.NeurodynValueError, match="length must be a positive integer, got -5"):
        tasks.narma10(-5)
