"""Reference runs of EIF_cond_exp_isfa_ista and EIF_cond_alpha_isfa_ista (AdEx, Brette &
Gerstner 2005) for tests/models/test_adex.cpp, from SciPy.

The model is written here independently of the C++ header, in PyNN's names and units
(ms, mV, nF, uS, nA; a in nS):

    cm dv/dt = g_L (v_rest - v) + g_L delta_T exp((v - v_thresh)/delta_T)
               + g_exc (e_rev_E - v) + g_inh (e_rev_I - v) - w + i_offset + i_dc
    tau_w dw/dt = a (v - v_rest) - w,        g_L = cm / tau_m
    exp synapses:   g' = -g/tau_syn;                  g += weight on arrival
    alpha synapses: g' = dg - g/tau_syn, dg' = -dg/tau_syn;  dg += weight e/tau_syn

with neurodyn's event conventions on a grid of dt = 0.1 ms: input arriving in step n
(from n dt to (n+1) dt) is added at the end of that step; a spike is the upward crossing
of v_spike inside a step, located by solve_ivp's event finder (a root of the dense
output, to ~1e-15 ms), where v is reset to v_reset and w jumps by b; v is then held at
v_reset for the rest of that step and round(tau_refrac/dt) more steps while w and the
conductances evolve (w with v = v_reset). A spike is reported in the step it falls in.

Integration: solve_ivp, method DOP853, rtol = atol = 1e-12, restarted at every step
boundary and every crossing.

Each case is one file, tests/models/reference/adex_<case>.csv, of comma-separated records:
    model,<name>                       the neurodyn model
    dt,<ms>   steps,<count>
    param,<name>,<value>               parameters that differ from the defaults
    initial,<name>,<value>             initial state
    input,<step>,<port>,<value>        port 0/1: weight (uS) arriving at the end of the step
                                       on the excitatory/inhibitory receptor; port 2: the
                                       injected current (nA) from this step on
    columns,<state names...>
    sample,<step>,<values...>          the state after the step (t = (step + 1) dt), every 1 ms
    spike,<step>,<crossing time ms>
Cases: exp (defaults, tau_refrac 2 ms, tau_syn_I 10 ms) and alpha (tau_syn_E 2 ms,
default tau_refrac 0.1 ms): 100 ms of irregular excitatory and inhibitory input below
threshold, then a current step of 1 nA (rheobase ~0.6 nA) for 200 ms on top of the
same input: adapting tonic firing.

Regenerate with:  /usr/bin/python3 tests/models/reference/make_adex.py
"""

import math
import pathlib

import numpy as np
from scipy.integrate import solve_ivp

HERE = pathlib.Path(__file__).resolve().parent
DT = 0.1
STEPS = 3000
SAMPLE_EVERY = 10
TOL = dict(method="DOP853", rtol=1e-12, atol=1e-12)

DEFAULTS = dict(cm=0.281, tau_m=9.3667, tau_refrac=0.1, tau_syn_E=5.0, tau_syn_I=5.0, e_rev_E=0.0, e_rev_I=-80.0,
                v_rest=-70.6, v_reset=-70.6, v_thresh=-50.4, v_spike=-40.0, delta_T=2.0, a=4.0, b=0.0805,
                tau_w=144.0, i_offset=0.0)


def make_inputs(seed):
    """Irregular synaptic input over the whole run and a DC step from 100 ms on."""
    rng = np.random.default_rng(seed)
    inputs = []
    for port, count, max_weight in ((0, 300, 0.004), (1, 120, 0.008)):
        steps = rng.integers(10, STEPS, size=count)
        weights = rng.uniform(0.0, max_weight, size=count)
        # Weights rounded to multiples of 2^-20 uS: exact in float32 (the engine stores
        # weights as float), so the C++ side can feed them through any path unchanged.
        inputs += [(int(s), port, float(np.round(w * 2**20) / 2**20)) for s, w in zip(steps, weights)]
    inputs.append((1000, 2, 1.0))
    return sorted(inputs)


class AdEx:
    def __init__(self, shape, params):
        self.shape = shape
        self.p = dict(DEFAULTS, **params)
        self.names = (["v", "w", "gsyn_exc", "gsyn_inh"] if shape == "exp"
                      else ["v", "w", "gsyn_exc", "dgsyn_exc", "gsyn_inh", "dgsyn_inh"])
        self.exc = 2
        self.inh = 3 if shape == "exp" else 4

    def rhs(self, current, clamp):
        p = self.p
        g_l = p["cm"] / p["tau_m"]
        a_us = p["a"] * 1e-3
        te, ti = p["tau_syn_E"], p["tau_syn_I"]
        exc, inh, shape = self.exc, self.inh, self.shape

        def f(_t, y):
            v = clamp if clamp is not None else min(y[0], p["v_spike"])
            ge, gi = y[exc], y[inh]
            dv = 0.0 if clamp is not None else (
                g_l * (p["v_rest"] - v) + g_l * p["delta_T"] * math.exp((v - p["v_thresh"]) / p["delta_T"])
                + ge * (p["e_rev_E"] - v) + gi * (p["e_rev_I"] - v) - y[1] + current) / p["cm"]
            dw = (a_us * (v - p["v_rest"]) - y[1]) / p["tau_w"]
            if shape == "exp":
                return [dv, dw, -ge / te, -gi / ti]
            return [dv, dw, y[3] - ge / te, -y[3] / te, y[5] - gi / ti, -y[5] / ti]

        return f

    def run(self, inputs, initial):
        p = self.p
        y = np.array([initial.get(name, 0.0) for name in self.names], dtype=float)
        by_step = {}
        for step, port, value in inputs:
            by_step.setdefault(step, []).append((port, value))
        refractory_steps = round(p["tau_refrac"] / DT)
        left = 0
        current = p["i_offset"]
        samples, spikes = [], []

        def crossing(_t, y):
            return y[0] - p["v_spike"]

        crossing.terminal = True
        crossing.direction = 1
        for n in range(STEPS):
            for port, value in by_step.get(n, []):
                if port == 2:
                    current = p["i_offset"] + value
            t, t_end = n * DT, (n + 1) * DT
            if left > 0:
                y[0] = p["v_reset"]
                y = solve_ivp(self.rhs(current, p["v_reset"]), (t, t_end), y, **TOL).y[:, -1]
                left -= 1
            else:
                clamp, fired = None, False
                while True:
                    events = None if clamp is not None else [crossing]
                    sol = solve_ivp(self.rhs(current, clamp), (t, t_end), y, events=events, **TOL)
                    y = sol.y[:, -1].copy()
                    if sol.status != 1:     # reached t_end without a crossing
                        break
                    assert not fired, "second crossing in one step: not part of these protocols"
                    fired = True
                    t = sol.t_events[0][0]
                    spikes.append((n, t))
                    y[0] = p["v_reset"]
                    y[1] += p["b"]
                    left = refractory_steps
                    if left > 0:
                        clamp = p["v_reset"]
                    if t >= t_end:
                        break
            for port, value in by_step.get(n, []):
                if port == 0:
                    y[self.exc + (self.shape == "alpha")] += value * (math.e / p["tau_syn_E"] if self.shape == "alpha" else 1.0)
                elif port == 1:
                    y[self.inh + (self.shape == "alpha")] += value * (math.e / p["tau_syn_I"] if self.shape == "alpha" else 1.0)
            if (n + 1) % SAMPLE_EVERY == 0:
                samples.append((n, y.copy()))
        return samples, spikes


def write_case(name, model, shape, params, initial, seed):
    adex = AdEx(shape, params)
    inputs = make_inputs(seed)
    samples, spikes = adex.run(inputs, initial)
    lines = [f"model,{model}", f"dt,{DT!r}", f"steps,{STEPS}"]
    lines += [f"param,{key},{value!r}" for key, value in params.items()]
    lines += [f"initial,{key},{value!r}" for key, value in initial.items()]
    lines += [f"input,{s},{port},{value!r}" for s, port, value in inputs]
    lines.append("columns," + ",".join(adex.names))
    lines += [f"sample,{n}," + ",".join(f"{x:.13g}" for x in y) for n, y in samples]
    lines += [f"spike,{n},{t:.15g}" for n, t in spikes]
    path = HERE / f"adex_{name}.csv"
    path.write_text("\n".join(lines) + "\n")
    print(f"{path.name}: {len(spikes)} spikes, first at {spikes[0][1] if spikes else None} ms, "
          f"{path.stat().st_size} bytes")


if __name__ == "__main__":
    write_case("exp", "EIF_cond_exp_isfa_ista", "exp", dict(tau_refrac=2.0, tau_syn_I=10.0), dict(v=-70.6), seed=1)
    write_case("alpha", "EIF_cond_alpha_isfa_ista", "alpha", dict(tau_syn_E=2.0), dict(v=-65.0, w=0.01), seed=2)
