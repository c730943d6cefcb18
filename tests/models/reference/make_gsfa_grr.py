"""Reference runs of IF_cond_exp_gsfa_grr (NEST iaf_cond_exp_sfa_rr) for
tests/models/test_if_cond_exp_gsfa_grr.cpp, from SciPy.

The model is written here independently of the C++ header, in PyNN's names and units
(ms, mV, nF, uS, nA; g_s, g_r, q_sfa, q_rr in nS):

    cm dv/dt = cm (v_rest - v)/tau_m + g_exc (e_rev_E - v) + g_inh (e_rev_I - v)
               + 1e-3 g_s (e_rev_sfa - v) + 1e-3 g_r (e_rev_rr - v) + i_offset
    g_X' = -g_X/tau_syn_X (g_X += w on arrival),  g_s' = -g_s/tau_sfa,  g_r' = -g_r/tau_rr
    at a spike: v = v_reset, g_s += q_sfa, g_r += q_rr; v held at v_reset for tau_refrac

Protocol: PyNN's default parameters with i_offset = 2 nA (R I = 40 mV, rheobase
0.75 nA) and tau_refrac = 2 ms, 1000 ms: tonic firing whose intervals lengthen as g_s
builds up, converging within a few tau_sfa = 100 ms; then, in the last 100 ms, some
irregular excitation and inhibition (the synaptic terms).

Two kinds of run:
* grid (dt = 0.1 and 0.01 ms): neurodyn's conventions (docs/models.md): the threshold is
  tested at the grid points k dt; the spike is stamped there and v is held for
  round(tau_refrac/dt) steps; input arriving at t (on the 0.1 ms grid) is added at t.
* continuous: the threshold crossing is located by solve_ivp's event finder (to ~1e-12
  ms) and v is reset and held from the crossing itself: the limit dt -> 0 of the grid run.

Integration: solve_ivp, method DOP853, rtol = atol = 1e-12 (conductances in uS inside,
so the absolute tolerance is relative to their scale), restarted at every arrival, reset
and end of refractoriness; grid values from the dense output.

Files (comma-separated, one header line):
    gsfa_grr_events.csv   time_ms,port,weight_uS        (port 0 excitatory, 1 inhibitory)
    gsfa_grr_spikes.csv   run,time_ms                   (run: 0.1, 0.01 (grid: step end
                                                         times) or "continuous")
    gsfa_grr_trace.csv    dt_ms,t_ms,v,g_s,g_r,E        (grid runs, every 5 ms; E: the
                                                         leading-order error coefficient of
                                                         neurodyn's integrator, E' = -A E +
                                                         (A' B - A B')/12 along the solution,
                                                         0 from each reset: v = B - A v')

Regenerate with:  /usr/bin/python3 tests/models/reference/make_gsfa_grr.py
"""

import pathlib

import numpy as np
from scipy.integrate import solve_ivp

HERE = pathlib.Path(__file__).resolve().parent
TOL = dict(method="DOP853", rtol=1e-12, atol=1e-12, dense_output=True)

P = dict(cm=1.0, tau_m=20.0, tau_refrac=2.0, tau_syn_E=5.0, tau_syn_I=5.0, e_rev_E=0.0, e_rev_I=-70.0,
         v_rest=-65.0, v_reset=-65.0, v_thresh=-50.0, i_offset=2.0, tau_sfa=100.0, e_rev_sfa=-75.0, q_sfa=15.0,
         tau_rr=2.0, e_rev_rr=-75.0, q_rr=3000.0)
DURATION = 1000.0
TRACE_UNTIL, TRACE_EVERY = 1000.0, 5.0


def make_events():
    """Arrival times on the 0.1 ms grid in [900, 1000) ms (in tenths of ms), ports, weights."""
    rng = np.random.default_rng(31)
    n_exc, n_inh = 40, 20
    ticks = rng.integers(9000, 10000, n_exc + n_inh)
    ports = np.array([0] * n_exc + [1] * n_inh)
    weights = rng.uniform(0.0, 0.02, n_exc + n_inh)
    order = np.lexsort((ports, ticks))
    return ticks[order], ports[order], weights[order]


def rhs_factory(clamped):
    """Right-hand side of (v, g_exc, g_inh, g_s, g_r, E); E is the leading-order error
    coefficient of neurodyn's integrator (see the C++ test): E' = -A E + (A' B - A B')/12
    with v' = B - A v."""
    taus = np.array([P["tau_syn_E"], P["tau_syn_I"], P["tau_sfa"], P["tau_rr"]])
    scale = np.array([1.0, 1.0, 1e-3, 1e-3])  # to uS
    reversal = np.array([P["e_rev_E"], P["e_rev_I"], P["e_rev_sfa"], P["e_rev_rr"]])

    def rhs(t, y):
        v, g, err = y[0], y[1:5], y[5]
        g_us = g * scale
        a = 1.0 / P["tau_m"] + g_us.sum() / P["cm"]
        b = P["v_rest"] / P["tau_m"] + (g_us @ reversal + P["i_offset"]) / P["cm"]
        a_dot = -(g_us / taus).sum() / P["cm"]
        b_dot = -((g_us / taus) @ reversal) / P["cm"]
        dv = 0.0 if clamped else b - a * v
        derr = 0.0 if clamped else -a * err + (a_dot * b - a * b_dot) / 12.0
        return [dv, *(-g / taus), derr]

    return rhs


def spike(y):
    y[0] = P["v_reset"]
    y[5] = 0.0  # v is set exactly: no error carried over
    y[3] += P["q_sfa"]
    y[4] += P["q_rr"]


def arrivals_per_tick():
    arrivals = {}
    for tick, port, weight in zip(*make_events()):
        arrivals.setdefault(int(tick), []).append((int(port), float(weight)))
    return arrivals


def simulate_grid(dt):
    """Spike stamps (ms) and trace rows (dt, t, v, g_s, g_r) of the grid run."""
    per_tick = round(0.1 / dt)
    arrivals = {tick * per_tick: items for tick, items in arrivals_per_tick().items()}
    total = round(DURATION / dt)
    refractory = round(P["tau_refrac"] / dt)
    trace_every = round(TRACE_EVERY / dt)
    trace_until = round(TRACE_UNTIL / dt)
    breakpoints = sorted(set(arrivals) | {total})
    y = np.array([P["v_rest"], 0.0, 0.0, 0.0, 0.0, 0.0])
    k, clamp_until = 0, 0
    spikes, rows = [], []

    def record(index, state):
        if index % trace_every == 0 and index <= trace_until:
            rows.append((dt, index * dt, state[0], state[3], state[4], state[5]))

    record(0, y)
    while k < total:
        clamped = k < clamp_until
        stop = min(b for b in breakpoints if b > k)
        if clamped:
            stop = min(stop, clamp_until)
        sol = solve_ivp(rhs_factory(clamped), (k * dt, stop * dt), y, **TOL)
        grid = np.arange(k + 1, stop + 1)
        states = sol.sol(grid * dt)
        fired_at = None
        if not clamped:
            above = np.nonzero(states[0] >= P["v_thresh"])[0]
            if above.size:
                fired_at = int(grid[above[0]])
        end = fired_at if fired_at is not None else stop
        for index in range(k + 1, end):
            record(index, states[:, index - k - 1])
        y = states[:, end - k - 1].copy()
        for port, weight in arrivals.get(end, []):
            y[1 + port] += weight
        if fired_at is not None:
            spike(y)
            spikes.append(fired_at * dt)
            clamp_until = fired_at + refractory
        record(end, y)
        k = end
    return spikes, rows


def simulate_continuous():
    """Spike times (ms) with exact threshold crossings, resets and refractory periods."""
    arrivals = arrivals_per_tick()
    times = sorted(tick / 10 for tick in arrivals) + [DURATION]
    y = np.array([P["v_rest"], 0.0, 0.0, 0.0, 0.0, 0.0])
    t, clamp_until, spikes = 0.0, 0.0, []

    def crossing(t, y):
        return y[0] - P["v_thresh"]

    crossing.terminal, crossing.direction = True, 1
    while t < DURATION:
        clamped = t < clamp_until
        stop = min(s for s in times if s > t)
        if clamped and clamp_until < stop:
            stop = clamp_until
        sol = solve_ivp(rhs_factory(clamped), (t, stop), y, events=None if clamped else crossing,
                        **{k: v for k, v in TOL.items() if k != "dense_output"})
        if not clamped and sol.t_events[0].size:
            t = float(sol.t_events[0][0])
            y = sol.y_events[0][0].copy()
            spike(y)
            spikes.append(t)
            clamp_until = t + P["tau_refrac"]
            continue
        y = sol.y[:, -1].copy()
        t = stop
        if stop in times:  # an arrival time (not the end of a refractory period)
            for port, weight in arrivals.pop(round(t * 10), []):
                y[1 + port] += weight
    return spikes


def main():
    ticks, ports, weights = make_events()
    with open(HERE / "gsfa_grr_events.csv", "w") as f:
        f.write("time_ms,port,weight_uS\n")
        for tick, port, weight in zip(ticks, ports, weights):
            f.write(f"{tick / 10!r},{port},{weight!r}\n")
    spike_rows, trace_rows = [], []
    for dt in (0.1, 0.01):
        spikes, rows = simulate_grid(dt)
        spike_rows += [(repr(dt), s) for s in spikes]
        trace_rows += rows
    continuous = simulate_continuous()
    spike_rows += [("continuous", s) for s in continuous]
    isi = np.diff(continuous)
    print(f"{len(continuous)} spikes; ISIs {isi[:4]} ... {isi[-4:]}")
    with open(HERE / "gsfa_grr_spikes.csv", "w") as f:
        f.write("run,time_ms\n")
        for run, time in spike_rows:
            f.write(f"{run},{float(time)!r}\n")
    with open(HERE / "gsfa_grr_trace.csv", "w") as f:
        f.write("dt_ms,t_ms,v,g_s,g_r,E\n")
        for row in trace_rows:
            f.write(",".join(repr(float(x)) for x in row) + "\n")


if __name__ == "__main__":
    main()
