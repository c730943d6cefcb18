"""HH_cond_exp in neurodyn (through the `neurodyn` command) against Brian2 on one neuron
driven by excitatory and inhibitory input spikes and a constant current.

Brian2 integrates the same equations (those of its COBAHH example, with PyNN's default
parameters: Traub & Miles kinetics written with `exprel`) with method "rk4" at
dt = 0.01 ms, the sub-step neurodyn's RK4 takes inside each 0.1 ms step. The schemes
differ only in the conductances: neurodyn feeds the RK4 stages their exact values
g exp(-c h/tau_syn), Brian2 RK4's polynomial stage values, which differ from those by
O((h/tau_syn)^2) ~ 2.5e-3 relative inside a step (tau_syn_E = 0.2 ms). Both schemes are
fourth order, so their difference in v is O(h^4) too, with a smaller constant than the
truncation error of either against the exact solution (2e-3 mV during spikes,
tests/models/test_hh_cond_exp.cpp). Checked:

- spikes: neurodyn stamps a spike at the end of the 0.1 ms step in which v crosses 0 mV
  upwards; Brian2 (threshold `v >= 0 mV`, refractory while `v >= 0 mV`, so one spike per
  crossing) at the start t_n of the 0.01 ms step whose end t_n + 0.01 first has v >= 0.
  The coarse grid is part of the fine one, so the neurodyn stamp S and the Brian2 step end
  E satisfy S - 0.1 < E <= S exactly;
- v every 0.1 ms: measured max |difference| 6.6e-5 mV, on an upstroke (~300 mV/ms: a
  timing difference of 2e-7 ms), and 7.5e-7 mV where |dv/dt| < 10 mV/ms. Bounds 3e-4 mV
  and 1e-5 mV: below the truncation error by 7x, so a neurodyn scheme of lower order, a
  longer sub-step or a misplaced input (an input one sub-step late moves v by ~1 mV)
  fails them.

Event timing as in test_brian2_crosscheck.py: input arriving at t_a (spike time + delay)
acts at the end of the step ending at t_a. Brian2's SpikeGeneratorGroup emits at
t_a - 0.01 ms with no synaptic delay and its `on_pre` runs after the groups' update in
that step, so the jump happens at t_a in both.
"""

import numpy as np
import pytest

import brian2 as b2  # Debian's python3-brian, installed by scripts/setup.sh: the reference simulator
b2.prefs.codegen.target = "numpy"

DT_MS = 0.1
FINE_DT_MS = 0.01
DURATION_MS = 50.0
DELAY_MS = 1.0
PARAMS = dict(gbar_Na=20.0, gbar_K=6.0, g_leak=0.01, cm=0.2, v_offset=-63.0, e_rev_Na=50.0, e_rev_K=-90.0,
              e_rev_leak=-65.0, e_rev_E=0.0, e_rev_I=-80.0, tau_syn_E=0.2, tau_syn_I=2.0, i_offset=0.0625,
              v_thresh=0.0)
# Weights are exact in float32 (neurodyn stores weights as float).
EXC_TIMES = (5.0, 15.0, 15.5, 30.0, 31.0, 40.0, 45.0, 45.2)
INH_TIMES = (22.0, 29.0, 43.0)
EXC_WEIGHT = 0.25     # uS
INH_WEIGHT = 0.125    # uS
V0 = -65.0


def resting_gates(v):
    u = v - PARAMS["v_offset"]
    am = 1.28 * ((13 - u) / 4) / np.expm1((13 - u) / 4)
    bm = 1.4 * ((u - 40) / 5) / np.expm1((u - 40) / 5)
    ah = 0.128 * np.exp((17 - u) / 18)
    bh = 4 / (1 + np.exp((40 - u) / 5))
    an = 0.16 * ((15 - u) / 5) / np.expm1((15 - u) / 5)
    bn = 0.5 * np.exp((10 - u) / 40)
    return am / (am + bm), ah / (ah + bh), an / (an + bn)


def simulate_neurodyn(runner):
    m, h, n = resting_gates(V0)
    model = {
        "simulation": {"dt": DT_MS, "duration": DURATION_MS, "seed": 1},
        "population": [
            {"name": "input", "model": "SpikeSourceArray", "size": 2,
             "spike_times": [list(EXC_TIMES), list(INH_TIMES)]},
            {"name": "neuron", "model": "HH_cond_exp", "size": 1, "params": PARAMS,
             "initial": {"v": V0, "m": float(m), "h": float(h), "n": float(n)}},
        ],
        "projection": [
            {"source": "input", "target": "neuron", "receptor": "excitatory",
             "connector": {"type": "from_list", "connections": [[0, 0, EXC_WEIGHT, DELAY_MS]]}},
            {"source": "input", "target": "neuron", "receptor": "inhibitory",
             "connector": {"type": "from_list", "connections": [[1, 0, INH_WEIGHT, DELAY_MS]]}},
        ],
        "record": [
            {"type": "state", "population": "neuron", "variables": ["v", "m", "gsyn_exc"], "interval": DT_MS},
            {"type": "spikes", "population": "neuron"},
        ],
    }
    f = runner.run(model, name="hh").h5()
    traces = {name: f["report/neuron"][name]["data"][:, 0] for name in ("v", "m", "gsyn_exc")}
    return traces, f["spikes/neuron/timestamps"][:]


EQUATIONS = """
    dv/dt = (g_leak*(e_rev_leak - v) - gbar_Na*m**3*h*(v - e_rev_Na) - gbar_K*n**4*(v - e_rev_K)
             + gsyn_exc*(e_rev_E - v) + gsyn_inh*(e_rev_I - v) + i_offset)/c_m : volt
    dm/dt = alpha_m*(1 - m) - beta_m*m : 1
    dh/dt = alpha_h*(1 - h) - beta_h*h : 1
    dn/dt = alpha_n*(1 - n) - beta_n*n : 1
    alpha_m = 1.28/exprel((13*mV - v + v_offset)/(4*mV))/ms : Hz
    beta_m = 1.4/exprel((v - v_offset - 40*mV)/(5*mV))/ms : Hz
    alpha_h = 0.128*exp((17*mV - v + v_offset)/(18*mV))/ms : Hz
    beta_h = 4/(1 + exp((40*mV - v + v_offset)/(5*mV)))/ms : Hz
    alpha_n = 0.16/exprel((15*mV - v + v_offset)/(5*mV))/ms : Hz
    beta_n = 0.5*exp((10*mV - v + v_offset)/(40*mV))/ms : Hz
    dgsyn_exc/dt = -gsyn_exc/tau_syn_E : siemens
    dgsyn_inh/dt = -gsyn_inh/tau_syn_I : siemens
"""


def brian2_namespace():
    units = {"gbar_Na": b2.uS, "gbar_K": b2.uS, "g_leak": b2.uS, "cm": b2.nF, "i_offset": b2.nA,
             "tau_syn_E": b2.ms, "tau_syn_I": b2.ms}
    return {("c_m" if name == "cm" else name): value * units.get(name, b2.mV) for name, value in PARAMS.items()}


def simulate_brian2():
    clock = b2.Clock(dt=FINE_DT_MS * b2.ms)
    neuron = b2.NeuronGroup(1, EQUATIONS, method="rk4", clock=clock, threshold="v >= v_thresh",
                            refractory="v >= v_thresh")
    m, h, n = resting_gates(V0)
    neuron.v, neuron.m, neuron.h, neuron.n = V0 * b2.mV, m, h, n
    objects = [neuron]
    for times, target, weight in ((EXC_TIMES, "gsyn_exc", EXC_WEIGHT), (INH_TIMES, "gsyn_inh", INH_WEIGHT)):
        arrival = np.array(times) + DELAY_MS
        source = b2.SpikeGeneratorGroup(1, np.zeros(len(times), dtype=int), (arrival - FINE_DT_MS) * b2.ms,
                                        clock=clock)
        synapses = b2.Synapses(source, neuron, on_pre=f"{target}_post += {weight!r}*uS", clock=clock)
        synapses.connect()
        objects += [source, synapses]
    state = b2.StateMonitor(neuron, ["v"], record=True, clock=clock)
    spikes = b2.SpikeMonitor(neuron)
    network = b2.Network(*objects, state, spikes)
    network.run(DURATION_MS * b2.ms, namespace=brian2_namespace())
    v = np.append(state.v[0] / b2.mV, neuron.v[0] / b2.mV)   # t = 0, 0.01, ..., DURATION_MS
    return v, np.asarray(spikes.t / b2.ms) + FINE_DT_MS


@pytest.fixture(scope="module")
def runs(module_neurodyn):
    return simulate_neurodyn(module_neurodyn), simulate_brian2()


def test_hh_spikes_fall_in_the_same_step_as_brian2s(runs):
    (_, stamps), (_, brian_ends) = runs
    assert stamps.size >= 3, "the protocol is meant to fire the neuron"
    assert brian_ends.size == stamps.size
    # S - 0.1 < E <= S (the grids share points; 1e-9 absorbs the stamps' rounding).
    assert np.all(brian_ends > stamps - DT_MS + 1e-9), (stamps, brian_ends)
    assert np.all(brian_ends <= stamps + 1e-9), (stamps, brian_ends)


def test_hh_trace_matches_brian2_rk4(runs):
    (traces, _), (brian_v, _) = runs
    v = traces["v"]
    steps = round(DURATION_MS / DT_MS)
    assert v.size == steps + 1
    coarse = brian_v[::round(DT_MS / FINE_DT_MS)]
    assert coarse.size == v.size
    assert v.max() > 20.0, "action potentials overshoot 0 mV"
    assert np.abs(traces["gsyn_exc"]).max() > 0.2     # the excitatory input arrived
    difference = np.abs(v - coarse)
    slow = np.abs(np.gradient(v, DT_MS)) < 10.0      # mV/ms: away from the upstrokes and downstrokes
    print(f"HH_cond_exp vs Brian2 rk4: max |v difference| {difference.max():.3g} mV, "
          f"{difference[slow].max():.3g} mV where |dv/dt| < 10 mV/ms")
    assert slow.sum() > 0.8 * slow.size
    assert difference.max() < 3e-4, difference.max()
    assert difference[slow].max() < 1e-5, difference[slow].max()
