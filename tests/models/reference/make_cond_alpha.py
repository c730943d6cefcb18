"""Reference runs of IF_cond_alpha (NEST iaf_cond_alpha) for tests/models/test_if_cond_alpha.cpp,
from SciPy.

The model is written here independently of the C++ header, in PyNN's names and units
(ms, mV, nF, uS, nA):

    cm dv/dt = cm (v_rest - v)/tau_m + g_exc (e_rev_E - v) + g_inh (e_rev_I - v) + i_offset
    g' = dg - g/tau_syn,  dg' = -dg/tau_syn,  dg += w e/tau_syn on arrival (w >= 0, uS)

so that one input gives g(u) = w (u/tau_syn) exp(1 - u/tau_syn), peak w at u = tau_syn.
Event conventions as neurodyn's (docs/models.md): input "arriving at t" is added at t (all
arrival times lie on the 0.1 ms grid, so on the grid of every dt used); the threshold is
tested at the grid points t = k dt only; at a grid point where v >= v_thresh the spike
is stamped, v is set to v_reset and held there for round(tau_refrac/dt) steps while the
conductances keep evolving.

Integration: solve_ivp, method DOP853, rtol = atol = 1e-12, restarted at every arrival,
at every reset and at the end of every refractory period; v at the grid points comes
from the dense output (DOP853's 7th-order interpolant, accurate to the tolerance).

Two protocols, parameters below (the C++ test repeats them):

* "sub": a subthreshold run of 200 ms under irregular excitation and inhibition and a DC
  current. Besides v and the conductances, the reference integrates the leading-order
  error coefficient of neurodyn's integrator along the exact solution,
      E' = -A E + (A' B - A B')/12,   A = 1/tau_m + (g_exc + g_inh)/cm,
      B = v_rest/tau_m + (g_exc e_rev_E + g_inh e_rev_I + i_offset)/cm,
  (derivation in tests/models/test_if_cond_exp.cpp): the model's error is h^2 E + O(h^4).
* "spk": 300 ms of stronger irregular input on a DC just below threshold: the neuron
  fires irregularly; reference spike steps for dt = 0.1 and 0.01 ms.

Files (comma-separated, one header line):
    cond_alpha_events.csv   protocol,time_ms,port,weight_uS   (port 0 excitatory, 1 inhibitory)
    cond_alpha_trace.csv    t_ms,v,gsyn_exc,gsyn_inh,E        ("sub", every 0.5 ms)
    cond_alpha_spikes.csv   dt_ms,step                          ("spk": steps in which it fires)

Regenerate with:  /usr/bin/python3 tests/models/reference/make_cond_alpha.py
"""

import math
import pathlib

import numpy as np
from scipy.integrate import solve_ivp

HERE = pathlib.Path(__file__).resolve().parent
TOL = dict(method="DOP853", rtol=1e-12, atol=1e-12, dense_output=True)

PROTOCOLS = {
    "sub": dict(params=dict(cm=0.5, tau_m=20.0, tau_refrac=0.1, tau_syn_E=1.0, tau_syn_I=3.0, e_rev_E=0.0,
                            e_rev_I=-70.0, v_rest=-65.0, v_reset=-65.0, v_thresh=50.0, i_offset=0.15),
                duration=200.0, seed=21, n_exc=150, max_exc=0.02, n_inh=80, max_inh=0.03),
    "spk": dict(params=dict(cm=0.5, tau_m=20.0, tau_refrac=2.0, tau_syn_E=0.3, tau_syn_I=0.5, e_rev_E=0.0,
                            e_rev_I=-70.0, v_rest=-65.0, v_reset=-60.0, v_thresh=-50.0, i_offset=0.35),
                duration=300.0, seed=22, n_exc=600, max_exc=0.06, n_inh=150, max_inh=0.06),
}
SAMPLE_MS = 0.5


def make_events(protocol):
    """Arrival grid indices (0.1 ms units) in [10, duration*10), ports and weights."""
    rng = np.random.default_rng(protocol["seed"])
    n_exc, n_inh = protocol["n_exc"], protocol["n_inh"]
    ticks = rng.integers(10, round(protocol["duration"] * 10), n_exc + n_inh)
    ports = np.array([0] * n_exc + [1] * n_inh)
    weights = rng.uniform(0.0, 1.0, n_exc + n_inh) * np.where(ports == 0, protocol["max_exc"], protocol["max_inh"])
    order = np.lexsort((ports, ticks))
    return ticks[order], ports[order], weights[order]


def rhs_factory(p, clamped):
    cm, tau_m, te, ti = p["cm"], p["tau_m"], p["tau_syn_E"], p["tau_syn_I"]

    def rhs(t, y):
        v, ge, dge, gi, dgi, err = y
        a = 1.0 / tau_m + (ge + gi) / cm
        b = p["v_rest"] / tau_m + (ge * p["e_rev_E"] + gi * p["e_rev_I"] + p["i_offset"]) / cm
        dge_dt = dge - ge / te
        dgi_dt = dgi - gi / ti
        a_dot = (dge_dt + dgi_dt) / cm
        b_dot = (dge_dt * p["e_rev_E"] + dgi_dt * p["e_rev_I"]) / cm
        dv = 0.0 if clamped else b - a * v
        derr = 0.0 if clamped else -a * err + (a_dot * b - a * b_dot) / 12.0
        return [dv, dge_dt, -dge / te, dgi_dt, -dgi / ti, derr]

    return rhs


def simulate(protocol, dt, sample_every_steps=None):
    """Runs the protocol on the grid of dt. Returns the spike steps and, when
    sample_every_steps is given, rows (t, v, g_exc, g_inh, E) every that many steps."""
    p = protocol["params"]
    per_tick = round(0.1 / dt)  # grid steps per 0.1 ms
    ticks, ports, weights = make_events(protocol)
    arrivals = {}
    for tick, port, weight in zip(ticks, ports, weights):
        arrivals.setdefault(int(tick) * per_tick, []).append((port, weight))
    total = round(protocol["duration"] / dt)
    refractory = round(p["tau_refrac"] / dt)
    breakpoints = sorted(set(arrivals) | {total})
    y = np.array([p["v_rest"], 0.0, 0.0, 0.0, 0.0, 0.0])
    k, clamp_until = 0, 0  # grid index of the state; v held until grid index clamp_until
    spikes, rows = [], []

    def record(index, state):
        if sample_every_steps and index % sample_every_steps == 0:
            rows.append((index * dt, state[0], state[1], state[3], state[5]))

    record(0, y)
    while k < total:
        clamped = k < clamp_until
        stop = min(b for b in breakpoints if b > k)
        if clamped:
            stop = min(stop, clamp_until)
        sol = solve_ivp(rhs_factory(p, clamped), (k * dt, stop * dt), y, **TOL)
        grid = np.arange(k + 1, stop + 1)
        states = sol.sol(grid * dt)
        fired_at = None
        if not clamped:
            above = np.nonzero(states[0] >= p["v_thresh"])[0]
            if above.size:
                fired_at = int(grid[above[0]])
        end = fired_at if fired_at is not None else stop
        for index in range(k + 1, end):
            record(index, states[:, index - k - 1])
        y = states[:, end - k - 1].copy()
        for port, weight in arrivals.get(end, []):
            y[2 + 2 * port] += weight * math.e / (p["tau_syn_E"] if port == 0 else p["tau_syn_I"])
        if fired_at is not None:
            y[0] = p["v_reset"]
            y[5] = 0.0
            spikes.append(fired_at - 1)  # the step that ends at the grid point
            clamp_until = fired_at + refractory
        record(end, y)
        k = end
    return spikes, rows


def main():
    with open(HERE / "cond_alpha_events.csv", "w") as f:
        f.write("protocol,time_ms,port,weight_uS\n")
        for name, protocol in PROTOCOLS.items():
            for tick, port, weight in zip(*make_events(protocol)):
                f.write(f"{name},{tick / 10!r},{port},{weight!r}\n")
    spikes, rows = simulate(PROTOCOLS["sub"], 0.1, sample_every_steps=round(SAMPLE_MS / 0.1))
    assert not spikes
    with open(HERE / "cond_alpha_trace.csv", "w") as f:
        f.write("t_ms,v,gsyn_exc,gsyn_inh,E\n")
        for row in rows:
            f.write(",".join(repr(float(x)) for x in row) + "\n")
    with open(HERE / "cond_alpha_spikes.csv", "w") as f:
        f.write("dt_ms,step\n")
        for dt in (0.1, 0.01):
            spikes, _ = simulate(PROTOCOLS["spk"], dt)
            print(f"spk dt = {dt}: {len(spikes)} spikes")
            for step in spikes:
                f.write(f"{dt!r},{step}\n")


if __name__ == "__main__":
    main()
