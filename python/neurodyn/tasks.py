"""Standard reservoir-computing tasks and their scores, generated here (no files).

    from neurodyn import tasks
    u, y = tasks.narma10(4000, seed=1)                  # input U[0, 0.5], NARMA-10 output
    series = tasks.mackey_glass(3000)                   # tau = 17, sampled every 1 time unit
    u, targets = tasks.memory_capacity_data(3000, max_delay=200, seed=1)
    tasks.nrmse(prediction, y); tasks.memory_capacity(states, u, ...)

References: NARMA-10 (Atiya & Parlos 2000; Jaeger 2003), memory capacity (Jaeger
2002, "Short term memory in echo state networks", GMD Report 152), Mackey-Glass
(Mackey & Glass 1977; tau = 17 as in Jaeger & Haas 2004).
"""

import numpy as np

from .errors import NeurodynValueError

__all__ = ["narma10", "mackey_glass", "memory_capacity_data", "memory_capacity", "nrmse"]


def _length(n, name="length"):
    if int(n) != n or n < 1:
        raise NeurodynValueError(f"{name} must be a positive integer, got {n}")
    return int(n)


def nrmse(prediction, target):
    """Normalised root-mean-square error sqrt(mean((p - t)^2) / var(t)): 0 is perfect,
    1 is the error of predicting the mean."""
    p, t = np.asarray(prediction, dtype=np.float64), np.asarray(target, dtype=np.float64)
    if p.shape != t.shape:
        raise NeurodynValueError(f"prediction and target must have the same shape, got {p.shape} and {t.shape}")
    variance = np.var(t)
    if not variance > 0:
        raise NeurodynValueError("target must vary (its variance is 0)")
    return float(np.sqrt(np.mean((p - t) ** 2) / variance))


def narma10(length, seed=0):
    """NARMA-10: u ~ U[0, 0.5] i.i.d. and
        y[t+1] = 0.3 y[t] + 0.05 y[t] sum_{i=0..9} y[t-i] + 1.5 u[t-9] u[t] + 0.1,
    from y = 0. Returns (u, y), y[t] the target for the reservoir that has seen u up to
    u[t-1]... written so that y[t] depends on u[t-10 .. t-1]: feed u, predict y (both of
    `length`). Regenerates with another seed in the rare case it diverges."""
    n = _length(length)
    for attempt in range(100):
        rng = np.random.default_rng([int(seed), attempt])
        u = rng.uniform(0.0, 0.5, n)
        y = np.zeros(n)
        for t in range(9, n - 1):
            y[t + 1] = 0.3 * y[t] + 0.05 * y[t] * np.sum(y[t - 9:t + 1]) + 1.5 * u[t - 9] * u[t] + 0.1
        if np.all(np.isfinite(y)) and np.max(np.abs(y)) < 10.0:
            return u, y
    raise NeurodynValueError("NARMA-10 diverged for 100 input draws")  # never seen with U[0, 0.5]


def mackey_glass(length, tau=17.0, beta=0.2, gamma=0.1, n=10, dt=0.1, sample_every=1.0, x0=1.2, washout=1000.0):
    """The Mackey-Glass delay equation dx/dt = beta x(t - tau) / (1 + x(t - tau)^n) -
    gamma x(t), integrated by RK4 with step dt (the delayed term at half steps is the
    mean of its neighbours on the grid), from x = x0 on [-tau, 0]; the first `washout`
    time units are dropped, then `length` samples every `sample_every` time units.
    tau = 17 gives the mildly chaotic attractor of the benchmarks."""
    count = _length(length)
    for name, value in (("tau", tau), ("dt", dt), ("sample_every", sample_every)):
        if not value > 0:
            raise NeurodynValueError(f"{name} must be > 0, got {value}")
    delay_steps = int(round(tau / dt))
    if abs(delay_steps * dt - tau) > 1e-9 * tau:
        raise NeurodynValueError(f"tau must be a multiple of dt = {dt}, got {tau}")
    stride = int(round(sample_every / dt))
    if stride < 1 or abs(stride * dt - sample_every) > 1e-9 * sample_every:
        raise NeurodynValueError(f"sample_every must be a multiple of dt = {dt}, got {sample_every}")
    first = int(round(washout / dt))
    steps = first + count * stride
    history = np.empty(delay_steps + steps + 1)
    history[:delay_steps + 1] = x0

    def f(x, x_delayed):
        return beta * x_delayed / (1.0 + x_delayed ** n) - gamma * x

    for k in range(steps):
        i = delay_steps + k  # index of x(t)
        x = history[i]
        d0, d1 = history[i - delay_steps], history[i - delay_steps + 1]
        dm = 0.5 * (d0 + d1)
        k1 = f(x, d0)
        k2 = f(x + 0.5 * dt * k1, dm)
        k3 = f(x + 0.5 * dt * k2, dm)
        k4 = f(x + dt * k3, d1)
        history[i + 1] = x + dt / 6.0 * (k1 + 2 * k2 + 2 * k3 + k4)
    samples = history[delay_steps + first + stride::stride]
    return samples[:count]


def memory_capacity_data(length, max_delay=100, low=-0.8, high=0.8, seed=0):
    """I.i.d. input u ~ U[low, high] and the targets of the memory-capacity task:
    targets[t, k-1] = u[t - k] for k = 1..max_delay (0 before the series starts;
    discard at least max_delay steps as washout). Returns (u, targets)."""
    n = _length(length)
    max_delay = _length(max_delay, "max_delay")
    if not high > low:
        raise NeurodynValueError(f"high must be > low, got [{low}, {high}]")
    u = np.random.default_rng(int(seed)).uniform(low, high, n)
    targets = np.zeros((n, max_delay))
    for k in range(1, max_delay + 1):
        targets[k:, k - 1] = u[:-k]
    return u, targets


def memory_capacity(train_states, train_targets, test_states, test_targets, lam=1e-8):
    """Jaeger's memory capacity MC = sum_k r^2(u[t-k], y_k[t]): y_k the ridge readout
    (lam) trained to recall u[t-k], r^2 its squared correlation with u[t-k] on the
    test data. Returns (MC, per-delay r^2)."""
    from .reservoir import Ridge
    train_targets = np.asarray(train_targets, dtype=np.float64)
    test_targets = np.asarray(test_targets, dtype=np.float64)
    if train_targets.ndim != 2 or test_targets.ndim != 2 or train_targets.shape[1] != test_targets.shape[1]:
        raise NeurodynValueError(f"targets must be 2-D (steps, delays) with the same delays, got "
                                 f"{train_targets.shape} and {test_targets.shape}")
    prediction = Ridge(lam).fit(train_states, train_targets).predict(test_states)
    prediction = prediction.reshape(test_targets.shape)
    r2 = np.empty(test_targets.shape[1])
    for k in range(test_targets.shape[1]):
        p, t = prediction[:, k], test_targets[:, k]
        c = np.corrcoef(p, t)[0, 1] if np.std(p) > 0 and np.std(t) > 0 else 0.0
        r2[k] = c * c
    return float(r2.sum()), r2
