"""Reference traces for HH_cond_exp (tests/models/test_hh_cond_exp.cpp), from SciPy.

The model is PyNN's HH_cond_exp (Traub & Miles 1991 kinetics, as NEST's hh_cond_exp_traub
and Brian2's COBAHH example) with its default parameters, written here independently of
the C++ header. Units: ms, mV, nF, uS, nA (uS * mV = nA, nA / nF = mV/ms).

Integration: solve_ivp, method DOP853, rtol = atol = 1e-13, restarted at every input
event (a conductance jump of w uS at time t, applied as the model applies input arriving
at t). The conductance columns written are the closed form sum w exp(-(t - t_k)/tau_syn)
rather than the solver's values. Spikes are upward crossings of v_thresh = 0 mV located by solve_ivp's event
finder (root of the dense output; its error is below the integration tolerance).

Files written next to this script:
  hh_subthreshold.csv  t, v, m, h, n, gsyn_exc, gsyn_inh every 0.5 ms of 100 ms with
                       small excitatory and inhibitory inputs that do not fire the cell
  hh_driven.csv        the same columns for 100 ms of strong input (a current step and
                       conductance inputs) that fires the cell repeatedly
  hh_driven_spikes.csv the crossing times (ms) of that run
  hh_fi.csv            constant currents i_offset (nA), the number of spikes in 500 ms
                       from rest and the first and last crossing times
  hh_onset.csv         the onset current: the smallest i_offset that fires the cell
                       within 500 ms from rest (bisection to 1e-9 nA), and the fold of the
                       steady-state I-V curve (the saddle-node current, infinite T)
The inputs are defined at the top of the file; the C++ test repeats them.

Regenerate with:  /usr/bin/python3 tests/models/reference/make_hh.py
"""

import pathlib

import numpy as np
from scipy.integrate import solve_ivp
from scipy.optimize import minimize_scalar

HERE = pathlib.Path(__file__).resolve().parent

P = dict(gbar_Na=20.0, gbar_K=6.0, g_leak=0.01, cm=0.2, v_offset=-63.0, e_rev_Na=50.0, e_rev_K=-90.0,
         e_rev_leak=-65.0, e_rev_E=0.0, e_rev_I=-80.0, tau_syn_E=0.2, tau_syn_I=2.0)
V_THRESH = 0.0
V0 = -65.0
TOL = dict(method="DOP853", rtol=1e-13, atol=1e-13)

# (time ms, port 0 = excitatory / 1 = inhibitory, weight uS)
SUBTHRESHOLD_EVENTS = [(5.0, 0, 0.02), (20.0, 0, 0.03), (20.5, 0, 0.03), (40.0, 1, 0.01), (55.0, 0, 0.05),
                       (70.0, 1, 0.02), (72.0, 0, 0.04)]
SUBTHRESHOLD_CURRENT = 0.0
DRIVEN_EVENTS = [(10.0, 0, 0.25), (12.0, 0, 0.2), (30.0, 1, 0.1), (45.0, 0, 0.5), (45.2, 0, 0.5), (60.0, 1, 0.05),
                 (80.0, 0, 0.3)]
DRIVEN_CURRENT = 0.5  # nA between DRIVEN_STEP_MS
DRIVEN_STEP_MS = (50.0, 90.0)
FI_CURRENTS = [0.02, 0.03, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0]
FI_DURATION = 500.0


def rates(v):
    u = v - P["v_offset"]
    alpha_m = 0.32 * (13.0 - u) / np.expm1((13.0 - u) / 4.0)
    beta_m = 0.28 * (u - 40.0) / np.expm1((u - 40.0) / 5.0)
    alpha_h = 0.128 * np.exp((17.0 - u) / 18.0)
    beta_h = 4.0 / (1.0 + np.exp((40.0 - u) / 5.0))
    alpha_n = 0.032 * (15.0 - u) / np.expm1((15.0 - u) / 5.0)
    beta_n = 0.5 * np.exp((10.0 - u) / 40.0)
    return alpha_m, beta_m, alpha_h, beta_h, alpha_n, beta_n


def steady_state(v):
    am, bm, ah, bh, an, bn = rates(v)
    return am / (am + bm), ah / (ah + bh), an / (an + bn)


def ionic_current(v, m, h, n):
    """Current flowing out through the channels and the leak (nA)."""
    return (P["gbar_Na"] * m ** 3 * h * (v - P["e_rev_Na"]) + P["gbar_K"] * n ** 4 * (v - P["e_rev_K"]) +
            P["g_leak"] * (v - P["e_rev_leak"]))


def rhs(t, y, current):
    v, m, h, n, ge, gi = y
    am, bm, ah, bh, an, bn = rates(v)
    i_syn = ge * (P["e_rev_E"] - v) + gi * (P["e_rev_I"] - v)
    return [(-ionic_current(v, m, h, n) + i_syn + current(t)) / P["cm"],
            am - (am + bm) * m, ah - (ah + bh) * h, an - (an + bn) * n,
            -ge / P["tau_syn_E"], -gi / P["tau_syn_I"]]


def crossing(t, y, current):
    return y[0] - V_THRESH


crossing.direction = 1


def simulate(events, current, t_end, samples, breaks=()):
    """Integrates piecewise between events and current switches; returns the state at
    `samples` (rows) and the crossing times."""
    y = np.array([V0, *steady_state(V0), 0.0, 0.0])
    cuts = sorted({0.0, t_end, *[e[0] for e in events], *breaks})
    rows, spikes = [], []
    samples = np.asarray(samples)
    for a, b in zip(cuts[:-1], cuts[1:]):
        # the current on [a, b): evaluated at the interval's midpoint, constant inside it
        level = current((a + b) / 2)
        sol = solve_ivp(rhs, (a, b), y, args=(lambda t, level=level: level,), events=crossing, dense_output=True,
                        **TOL)
        assert sol.success, sol.message
        inside = samples[(samples >= a) & ((samples < b) | ((b == t_end) & (samples <= b)))]
        if inside.size:
            rows.append(np.column_stack([inside, sol.sol(inside).T]))
        spikes.extend(sol.t_events[0])
        y = sol.y[:, -1].copy()
        for time, port, weight in events:
            if time == b:
                y[4 + port] += weight
    if rows:
        rows = np.vstack(rows)
        for column, port, tau in ((5, 0, P["tau_syn_E"]), (6, 1, P["tau_syn_I"])):
            rows[:, column] = sum(np.where(rows[:, 0] >= time, weight * np.exp(-(rows[:, 0] - time) / tau), 0.0)
                                  for time, p, weight in events if p == port)
    return (rows if len(rows) else np.empty((0, 7))), np.array(spikes)


def write(name, header, table, fmt="%.17g"):
    np.savetxt(HERE / name, table, delimiter=",", header=header, comments="# ", fmt=fmt)


def onset_current(duration):
    """Smallest i_offset (nA) that fires the cell within `duration` ms, by bisection."""
    def fires(current):
        _, spikes = simulate([], lambda t: current, duration, [])
        return spikes.size > 0
    low, high = 0.0, 0.05
    assert not fires(low) and fires(high)
    while high - low > 1e-9:
        mid = (low + high) / 2
        low, high = (low, mid) if fires(mid) else (mid, high)
    return (low + high) / 2


def saddle_node_current():
    """The maximum of the steady-state I-V curve below the upstroke: constant currents
    above it leave no resting state (a fold of the rest branch, onset of repetitive
    firing at zero frequency)."""
    def negative_current(v):
        return -ionic_current(v, *steady_state(v))
    result = minimize_scalar(negative_current, bounds=(-70.0, -40.0), method="bounded",
                             options=dict(xatol=1e-10))
    return -result.fun, result.x


def main():
    samples = np.arange(0.0, 100.0 + 1e-9, 0.5)
    sub_rows, sub_spikes = simulate(SUBTHRESHOLD_EVENTS, lambda t: SUBTHRESHOLD_CURRENT, 100.0, samples)
    assert sub_spikes.size == 0
    columns = "t_ms,v_mV,m,h,n,gsyn_exc_uS,gsyn_inh_uS"
    write("hh_subthreshold.csv", "HH_cond_exp, small inputs (make_hh.py)\n" + columns, sub_rows)

    def driven_current(t):
        return DRIVEN_CURRENT if DRIVEN_STEP_MS[0] <= t < DRIVEN_STEP_MS[1] else 0.0
    drv_rows, drv_spikes = simulate(DRIVEN_EVENTS, driven_current, 100.0, samples, breaks=DRIVEN_STEP_MS)
    write("hh_driven.csv", "HH_cond_exp, strong inputs and a current step (make_hh.py)\n" + columns, drv_rows)
    write("hh_driven_spikes.csv", "HH_cond_exp upward crossings of 0 mV (make_hh.py)\nt_ms", drv_spikes[:, None])
    for dt in (0.1, 0.005):
        distance = np.abs(drv_spikes / dt - np.round(drv_spikes / dt)).min() * dt
        print(f"driven: {drv_spikes.size} spikes, closest to a {dt} ms grid point: {distance:.2e} ms")

    fi = []
    for current in FI_CURRENTS:
        _, spikes = simulate([], lambda t, c=current: c, FI_DURATION, [])
        fi.append([current, spikes.size, spikes[0], spikes[-1]])
        print(f"f-I: {current} nA: {spikes.size} spikes in {FI_DURATION} ms")
    write("hh_fi.csv", "HH_cond_exp constant current from rest, 500 ms (make_hh.py)\n"
          "i_offset_nA,spikes,first_ms,last_ms", np.array(fi))

    onset = onset_current(FI_DURATION)
    fold, v_fold = saddle_node_current()
    print(f"onset within {FI_DURATION} ms: {onset:.9f} nA; saddle-node current {fold:.9f} nA at v = {v_fold:.4f} mV")
    write("hh_onset.csv", "HH_cond_exp onset current (make_hh.py)\n"
          "onset_within_500ms_nA,saddle_node_nA,v_saddle_node_mV", np.array([[onset, fold, v_fold]]))
    m, h, n = steady_state(V0)
    print(f"rest at {V0} mV: m = {m!r}, h = {h!r}, n = {n!r}")


if __name__ == "__main__":
    main()
