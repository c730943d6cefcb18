"""Reference runs of the Izhikevich neuron for tests/models/test_izhikevich.cpp, from SciPy.

The model (Izhikevich 2003) is written here independently of the C++ header, in PyNN's
names and units (v mV, u and d mV/ms, a and b 1/ms, c mV, currents nA):

    dv/dt = 0.04 v^2 + 5 v + 140 - u + 1000 (i_offset + i_dc)
    du/dt = a (b v - u)
    v reaches 30 mV: v = c, u += d

(1 nA is 1000 mV/ms: PyNN hands i_offset to NEST's izhikevich as I_e in pA, which NEST
adds to dv/dt as it is). neurodyn's event conventions on a grid of dt = 0.1 ms: the
crossing of 30 mV is found inside the step by solve_ivp's event finder (a root of the
dense output), the reset is applied there and the integration continues to the end of
the step; then the delta-synapse jumps of the input arriving in that step are added to v
(weights in mV), and if that takes v to 30 mV or more and the neuron has not fired in
this step, it fires and resets then. A spike is reported in the step it falls in.

Integration: solve_ivp, method DOP853, rtol = atol = 1e-12, restarted at every step
boundary and every crossing.

Each case is one file, tests/models/reference/izhikevich_<case>.csv, in the record format
of make_adex.py (model, dt, steps, param, initial, input, columns, sample, spike).
Cases, 300 ms each, with a current step of 0.01 nA (Izhikevich's I = 10) from 20 to
250 ms and irregular delta inputs of up to +-3 mV throughout:
    rs  regular spiking      a 0.02, b 0.2, c -65, d 8
    ch  chattering (bursts)  a 0.02, b 0.2, c -50, d 2

Regenerate with:  /usr/bin/python3 tests/models/reference/make_izhikevich.py
"""

import pathlib

import numpy as np
from scipy.integrate import solve_ivp

HERE = pathlib.Path(__file__).resolve().parent
DT = 0.1
STEPS = 3000
SAMPLE_EVERY = 10
PEAK = 30.0
TOL = dict(method="DOP853", rtol=1e-12, atol=1e-12)


def make_inputs(seed):
    rng = np.random.default_rng(seed)
    inputs = []
    for port, count, sign in ((0, 150, 1.0), (1, 100, -1.0)):
        steps = rng.integers(10, STEPS, size=count)
        # Weights in multiples of 2^-16 mV: exact in float32, as the engine stores them.
        weights = np.round(rng.uniform(0.0, 3.0, size=count) * 2**16) / 2**16
        inputs += [(int(s), port, float(sign * w)) for s, w in zip(steps, weights)]
    inputs += [(200, 2, 0.01), (2500, 2, 0.0)]
    return sorted(inputs)


def run(params, initial, inputs):
    a, b, c, d, i_offset = params["a"], params["b"], params["c"], params["d"], params.get("i_offset", 0.0)
    by_step = {}
    for step, port, value in inputs:
        by_step.setdefault(step, []).append((port, value))
    y = np.array([initial["v"], initial["u"]], dtype=float)
    current = 1000.0 * i_offset
    samples, spikes = [], []

    def crossing(_t, y):
        return y[0] - PEAK

    crossing.terminal = True
    crossing.direction = 1
    for n in range(STEPS):
        for port, value in by_step.get(n, []):
            if port == 2:
                current = 1000.0 * (i_offset + value)

        def f(_t, y, current=current):
            v = min(y[0], PEAK)
            return [(0.04 * v + 5.0) * v + 140.0 - y[1] + current, a * (b * v - y[1])]

        t, t_end = n * DT, (n + 1) * DT
        fired = False
        while True:
            sol = solve_ivp(f, (t, t_end), y, events=[crossing], **TOL)
            y = sol.y[:, -1].copy()
            if sol.status != 1:
                break
            assert not fired, "second crossing in one step: not part of these protocols"
            fired = True
            t = sol.t_events[0][0]
            spikes.append((n, t))
            y[0] = c
            y[1] += d
            if t >= t_end:
                break
        y[0] += sum(value for port, value in by_step.get(n, []) if port in (0, 1))
        if y[0] >= PEAK and not fired:
            spikes.append((n, t_end))
            y[0] = c
            y[1] += d
        if (n + 1) % SAMPLE_EVERY == 0:
            samples.append((n, y.copy()))
    return samples, spikes


def write_case(name, params, initial, seed):
    inputs = make_inputs(seed)
    samples, spikes = run(params, initial, inputs)
    lines = ["model,Izhikevich", f"dt,{DT!r}", f"steps,{STEPS}"]
    lines += [f"param,{key},{value!r}" for key, value in params.items()]
    lines += [f"initial,{key},{value!r}" for key, value in initial.items()]
    lines += [f"input,{s},{port},{value!r}" for s, port, value in inputs]
    lines.append("columns,v,u")
    lines += [f"sample,{n}," + ",".join(f"{x:.13g}" for x in y) for n, y in samples]
    lines += [f"spike,{n},{t:.15g}" for n, t in spikes]
    path = HERE / f"izhikevich_{name}.csv"
    path.write_text("\n".join(lines) + "\n")
    print(f"{path.name}: {len(spikes)} spikes, {path.stat().st_size} bytes")


if __name__ == "__main__":
    write_case("rs", dict(a=0.02, b=0.2, c=-65.0, d=8.0), dict(v=-70.0, u=-14.0), seed=3)
    write_case("ch", dict(a=0.02, b=0.2, c=-50.0, d=2.0), dict(v=-70.0, u=-14.0), seed=4)
