#!/usr/bin/python3
"""A plastic recurrent network (all E->E synapses with pair STDP) in neurodyn and in Brian2,
side by side: the plasticity benchmark.

Why it exists: bench/compare_brian2.py and bench/microcircuit_brian2.py measure static
synapses only. Simulators for plasticity (Auryn, Zenke & Gerstner 2014) are judged on
recurrent networks whose excitatory synapses all learn; this script measures neurodyn's
STDP engine (src/engine/plastic_stdp.cpp) on such a network against Brian2 in the same
run, and gives the figures docs/benchmarks.md ("Plastic network") records.

The network (chosen here; every value below says where it comes from):

  neurons     10,000 IF_cond_exp, 8,000 E and 2,000 I, with the cell of the Vogels &
              Abbott (2005) / Brette et al. (2007) COBA benchmark (examples/coba.toml):
              cm 0.2 nF, tau_m 20 ms, v_rest = v_reset = -60 mV, v_thresh -50 mV,
              tau_refrac 5 ms, e_rev_E 0 mV, e_rev_I -80 mV, tau_syn_E 5 ms, tau_syn_I 10 ms;
              initial v uniform in [-60, -50) mV, conductances 0
  connections every ordered pair with probability 0.02, no autapses in E->E and I->I:
              160 E and 40 I inputs per neuron, 1.28 M E->E synapses; delay 1 ms
              everywhere. Sizes and sparseness are those of the Vogels et al. (2011)
              network as Auryn's examples/sim_isp_orig.cpp builds it (NE 8000, NI 2000,
              sparseness 0.02, conductance-based TIF neurons), whose plastic synapses
              are I->E; here the E->E ones are
  weights     excitatory 1 nS (0.1 g_L), inhibitory 26.8 nS: COBA's 67 nS scaled to
              40 instead of 16 inputs (67 x 16 / 40). COBA's excitatory 6 nS scaled the
              same way (2.4 nS) makes the network sustain itself at ~17 Hz without
              drive (measured); at 1 nS it is silent without drive and follows it
  drive       every neuron an independent Poisson input of 1000 Hz x 1 nS (excitatory);
              the network then fires at ~5 Hz (E and I), asynchronous and irregular
  plasticity  E->E only, all-to-all pair STDP with the multiplicative (soft-bound)
              weight dependence of van Rossum, Bi & Turrigiano (2000) / Rubin, Lee &
              Sompolinsky (2001): dw+ = A_plus x_pre (w_max - w), dw- = -A_minus x_post w,
              tau_plus = tau_minus = 20 ms, A_plus = A_minus = 0.005, w in [0, 2 nS].
              For uncorrelated spikes the drift vanishes at w_max/2 = the initial 1 nS,
              so the weight distribution stays unimodal and the rates stay put for the
              length of a benchmark (the mean weight moves by 0.06 % in 5 s, measured).
              E->I, I->E and I->I are static.

Zenke & Gerstner (2014, Front. Neuroinform. 8:76) benchmark Auryn against NEST, Brian and
NEURON on plastic networks of a few thousand to tens of thousands of neurons; Auryn's
own benchmark script (build/release/run_benchmark.sh) runs the Vogels-Abbott network and
the "Zenke plasticity benchmark" (examples/sim_background: 25,000 neurons, sparseness
0.05, triplet STDP with homeostasis). This network is in that family with the pair rule
that both neurodyn and Brian2 express directly.

The Brian2 twin (same equations; bench/brian2_models.py explains the step semantics):
threshold after the synapses, transmission delay d - dt; exponential Euler for the
conductances (neurodyn integrates them exactly over the step, a difference of second
order in dt); the drive a PoissonInput of 100 sources at 10 Hz each (a binomial count per
step with neurodyn's Poisson mean, variance ratio 0.999). STDP with event-driven traces:

    on_pre:  w = clip(w - A_minus * apost * (w - w_min), w_min, w_max);  ge_post += w;  apre += 1
    on_post: w = clip(w + A_plus * apre * (w_max - w), w_min, w_max);  apost += 1

neurodyn's delay is dendritic (NEST's): a presynaptic spike meets the synapse when it is
emitted, a postsynaptic one d after it. In Brian2 the presynaptic side acts on arrival
(d - dt after emission), so its postsynaptic pathway gets the delay 2 d - dt: every
pre/post pair then has the same time difference in both simulators. The realisations
(connectivity, drive, initial state) differ, so the two are compared statistically:
rates, and the drift of the mean E->E weight.

Measured, each run in its own process (one thread):
  run         the simulation loop (neurodyn: Simulation.run; Brian2 runtime: Network.run
              after a one-step run that generates and compiles the code; cpp_standalone:
              Brian2's last_run_info), per simulated second; and the process CPU time of
              the loop (neurodyn, Brian2 runtime; the standalone binary's whole CPU time),
              which other jobs on a shared machine inflate much less than wall time
  phases      neurodyn: update, input, delivery (static + plastic), exchange
  events/s    plastic: sum over E spikes of the source's E->E out-degree (counted from
              the actual connectivity) / run; total: all recurrent synapses likewise
  memory      neurodyn: StdpProjection::bytes() per E->E synapse, measured as the
              simulator's synapse bytes minus those of the same network with static
              E->E synapses (built, not run) plus 10 bytes per static E->E synapse; the
              simulator's own estimate (Simulation estimated_bytes). Brian2: the arrays
              its E->E Synapses object holds, counted (runtime: every array of that
              object with one entry per synapse, + 4 bytes per synapse and pathway for
              the spike queues, cspikequeue.cpp); peak RSS of each process.

Command (from the repository root; about 5 minutes at the defaults on 2 cores):

    NEURODYN_BUILD_DIR=build /usr/bin/python3 bench/plastic_network.py --json out.json

--repeats N repeats the neurodyn run (the medians are reported); --brian2 none skips
Brian2 (for before/after measurements of the engine); --duration in ms; --save-state
FILE.npy keeps neurodyn's final weights and spikes, to compare two builds bit for bit
(`cmp`).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import pathlib
import platform
import resource
import statistics
import subprocess
import sys
import time

import numpy as np

HERE = pathlib.Path(__file__).resolve().parent
REPOSITORY = HERE.parent
sys.path.insert(0, str(HERE))
import brian2_models  # noqa: E402  (bench/ helpers: Brian2 device set-up, ISI CV)

KIB_TO_MB = brian2_models.KIB_TO_MB
WORK_ROOT = os.path.join(brian2_models.WORK_ROOT, "plastic_network")

# The COBA cell and sparseness of bench/brian2_models.COBA (Vogels & Abbott 2005), at
# Auryn's size, with its own weights, drive and plasticity. The COBA keys this benchmark
# does not use (kick, initial conductances) are left out.
_COBA_CELL = ("p_connect", "cm_nF", "tau_m_ms", "v_rest_mV", "v_thresh_mV", "v_reset_mV", "tau_refrac_ms",
              "e_rev_exc_mV", "e_rev_inh_mV", "tau_syn_exc_ms", "tau_syn_inh_ms", "dt_ms")
NETWORK = dict(
    {key: brian2_models.COBA[key] for key in _COBA_CELL},
    n_exc=8000,
    n_inh=2000,
    v_init_mV=(-60.0, -50.0),  # uniform [low, high)
    w_exc_uS=0.001,            # E->E (initial), E->I, drive
    w_inh_uS=0.0268,           # I->E, I->I
    delay_ms=1.0,
    drive_rate_hz=1000.0,
    drive_sources=100,         # Brian2's PoissonInput: N sources at rate / N
    tau_plus_ms=20.0,
    tau_minus_ms=20.0,
    A_plus=0.005,
    A_minus=0.005,
    w_min_uS=0.0,
    w_max_uS=0.002,
)


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def out_degree_events(spike_ids: np.ndarray, sources: np.ndarray, n_sources: int) -> int:
    """Synaptic events of a projection: each spike of a source times its out-degree."""
    degree = np.bincount(sources, minlength=n_sources)
    return int(degree[spike_ids.astype(np.int64)].sum())


# --- neurodyn ---------------------------------------------------------------------------

def neurodyn_network(nd, p: dict, seed: int, plastic: bool):
    net = nd.Network(dt=p["dt_ms"], seed=seed)
    cell = dict(cm=p["cm_nF"], tau_m=p["tau_m_ms"], v_rest=p["v_rest_mV"], v_thresh=p["v_thresh_mV"],
                v_reset=p["v_reset_mV"], tau_refrac=p["tau_refrac_ms"], e_rev_E=p["e_rev_exc_mV"],
                e_rev_I=p["e_rev_inh_mV"], tau_syn_E=p["tau_syn_exc_ms"], tau_syn_I=p["tau_syn_inh_ms"], i_offset=0.0)
    initial = {"v": nd.uniform(*p["v_init_mV"])}
    exc = net.population("E", "IF_cond_exp", p["n_exc"], params=cell, initial=initial)
    inh = net.population("I", "IF_cond_exp", p["n_inh"], params=cell, initial=initial)
    stdp = {}
    if plastic:
        stdp["synapse"] = nd.stdp(tau_plus=p["tau_plus_ms"], tau_minus=p["tau_minus_ms"], A_plus=p["A_plus"],
                                  A_minus=p["A_minus"], weight_dependence="multiplicative",
                                  w_min=p["w_min_uS"], w_max=p["w_max_uS"])
    prob, d = p["p_connect"], p["delay_ms"]
    net.connect(exc, exc, nd.fixed_probability(prob, allow_autapses=False), weight=p["w_exc_uS"], delay=d,
                name="EE", **stdp)
    net.connect(exc, inh, nd.fixed_probability(prob), weight=p["w_exc_uS"], delay=d, name="EI")
    net.connect(inh, exc, nd.fixed_probability(prob), weight=p["w_inh_uS"], delay=d, receptor="inhibitory",
                name="IE")
    net.connect(inh, inh, nd.fixed_probability(prob, allow_autapses=False), weight=p["w_inh_uS"], delay=d,
                receptor="inhibitory", name="II")
    for pop in (exc, inh):
        net.poisson_input(pop, rate=p["drive_rate_hz"], weight=p["w_exc_uS"])
        net.record_spikes(pop)
    return net


def run_neurodyn(duration_ms: float, seed: int, save_state: str | None = None) -> dict:
    import neurodyn as nd

    p = NETWORK
    t0 = time.perf_counter()
    sim = neurodyn_network(nd, p, seed, plastic=True).build()
    build_s = time.perf_counter() - t0
    w_initial = np.asarray(sim.weights("EE"))
    cpu0 = cpu_seconds()
    sim.run(duration_ms)
    run_cpu_s = cpu_seconds() - cpu0
    run_s = sim.run_seconds
    w_final = np.asarray(sim.weights("EE"))
    spikes = {name: sim.spikes(name) for name in ("E", "I")}
    times = {name: np.asarray(s[0]) for name, s in spikes.items()}  # (times in ms, ids)
    ids = {name: np.asarray(s[1]) for name, s in spikes.items()}
    if save_state:
        # Final weights and every spike as one float64 array: two builds simulate the same
        # thing bit for bit when `cmp` finds the files equal.
        np.save(save_state, np.concatenate([w_final, times["E"], ids["E"], times["I"], ids["I"]]).astype(np.float64))
    conns = {name: sim.connections(name) for name in ("EE", "EI", "IE", "II")}
    sources = {name: np.asarray(c["source"]) for name, c in conns.items()}
    n_ee = int(sources["EE"].size)
    plastic_events = out_degree_events(ids["E"], sources["EE"], p["n_exc"])
    total_events = (plastic_events + out_degree_events(ids["E"], sources["EI"], p["n_exc"])
                    + out_degree_events(ids["I"], sources["IE"], p["n_inh"])
                    + out_degree_events(ids["I"], sources["II"], p["n_inh"]))
    synapse_bytes = int(sim._core.synapse_bytes)
    estimated_bytes = float(sim._core.estimated_bytes)
    engine_events = int(sim._core.synaptic_events)
    phases = dict(sim.phase_times())
    peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * KIB_TO_MB
    # The same network with static E->E synapses, built only: its synapse bytes minus 10
    # per E->E synapse are everything but the E->E synapses.
    static = neurodyn_network(nd, p, seed, plastic=False).build()
    static_bytes = int(static._core.synapse_bytes)
    static_ee = int(np.asarray(static.connections("EE")["source"]).size)
    stdp_bytes = synapse_bytes - (static_bytes - 10 * static_ee)
    seconds = duration_ms / 1000.0
    return dict(
        simulator="neurodyn", device="engine", seed=seed, duration_ms=duration_ms, build_s=build_s, run_s=run_s,
        run_cpu_s=run_cpu_s, run_per_sim_s=run_s / seconds, phases_s=phases,
        rates_hz={name: ids[name].size / (p["n_" + ("exc" if name == "E" else "inh")] * seconds) for name in ids},
        cv_isi={name: brian2_models.mean_cv_isi(times[name], ids[name]) for name in ids},
        plastic_synapses=n_ee, plastic_events=plastic_events, total_events=total_events, engine_events=engine_events,
        plastic_events_per_s=plastic_events / run_s, total_events_per_s=total_events / run_s,
        stdp_bytes=stdp_bytes, bytes_per_plastic_synapse=stdp_bytes / n_ee, synapse_bytes=synapse_bytes,
        estimated_bytes=estimated_bytes, peak_rss_mb=peak_rss_mb,
        w_mean_initial_nS=float(w_initial.mean()) * 1e3, w_mean_final_nS=float(w_final.mean()) * 1e3,
        w_std_final_nS=float(w_final.std()) * 1e3,
    )


# --- Brian2 -----------------------------------------------------------------------------

_RUSAGE_WRAPPER = (
    "import json, os, subprocess, sys, time\n"
    "start = time.perf_counter()\n"
    "child = subprocess.Popen(sys.argv[2:])\n"
    "_, status, usage = os.wait4(child.pid, 0)\n"
    "wall = time.perf_counter() - start\n"
    "json.dump({'wall_s': wall, 'maxrss_kb': usage.ru_maxrss, 'cpu_s': usage.ru_utime + usage.ru_stime},"
    " open(sys.argv[1], 'w'))\n"
    "sys.exit(os.waitstatus_to_exitcode(status))\n"
)


def fixed_probability(rng: np.random.Generator, n_sources: int, n_targets: int, p: float,
                      autapses: bool) -> tuple[np.ndarray, np.ndarray]:
    """Every ordered pair independently with probability p; without autapses (same
    population) a target's sources are drawn from the n_sources - 1 others."""
    pool = n_sources if autapses else n_sources - 1
    counts = rng.binomial(pool, p, size=n_targets)
    targets = np.repeat(np.arange(n_targets, dtype=np.int32), counts)
    chunks = []
    for target, count in enumerate(counts):
        drawn = rng.choice(pool, size=count, replace=False)
        if not autapses:
            drawn = drawn + (drawn >= target)
        chunks.append(np.sort(drawn))
    return np.concatenate(chunks).astype(np.int32), targets


def run_brian2(duration_ms: float, seed: int, device: str) -> dict:
    p = NETWORK
    directory = os.path.join(WORK_ROOT, f"brian2_{device}")
    t_build = time.perf_counter()
    b2 = brian2_models._prepare_device(device, directory, threads=1)
    if device == "cpp_standalone":
        rusage_file = os.path.join(directory, "binary_rusage.json")
        b2.prefs.devices.cpp_standalone.run_cmd_unix = [sys.executable, "-c", _RUSAGE_WRAPPER, rusage_file, "./main"]
    b2.seed(seed)
    rng = np.random.default_rng(seed)
    ms, mV, nF, uS, nS, Hz = b2.ms, b2.mV, b2.nF, b2.uS, b2.nS, b2.Hz
    dt = p["dt_ms"]
    b2.defaultclock.dt = dt * ms
    n_exc, n_inh = p["n_exc"], p["n_inh"]
    n = n_exc + n_inh
    eqs = """
    dv/dt = (g_leak * (v_rest - v) + ge * (e_exc - v) + gi * (e_inh - v)) / c_m : volt (unless refractory)
    dge/dt = -ge / tau_exc : siemens
    dgi/dt = -gi / tau_inh : siemens
    """
    namespace = dict(
        c_m=p["cm_nF"] * nF, g_leak=p["cm_nF"] / p["tau_m_ms"] * uS, v_rest=p["v_rest_mV"] * mV,
        v_thresh=p["v_thresh_mV"] * mV, v_reset=p["v_reset_mV"] * mV, e_exc=p["e_rev_exc_mV"] * mV,
        e_inh=p["e_rev_inh_mV"] * mV, tau_exc=p["tau_syn_exc_ms"] * ms, tau_inh=p["tau_syn_inh_ms"] * ms,
        w_exc=p["w_exc_uS"] * uS, w_inh=p["w_inh_uS"] * uS, tau_plus=p["tau_plus_ms"] * ms,
        tau_minus=p["tau_minus_ms"] * ms, A_plus=p["A_plus"], A_minus=p["A_minus"], w_min=p["w_min_uS"] * uS,
        w_max=p["w_max_uS"] * uS,
    )
    neurons = b2.NeuronGroup(n, eqs, threshold="v >= v_thresh", reset="v = v_reset",
                             refractory=(p["tau_refrac_ms"] + dt) * ms, method="exponential_euler",
                             namespace=namespace, name="neurons")
    neurons.set_event_schedule("spike", when="after_synapses")
    neurons.v = rng.uniform(*p["v_init_mV"], n) * mV
    exc, inh = neurons[:n_exc], neurons[n_exc:]

    t_conn = time.perf_counter()
    ee_src, ee_tgt = fixed_probability(rng, n_exc, n_exc, p["p_connect"], autapses=False)
    ei_src, ei_tgt = fixed_probability(rng, n_exc, n_inh, p["p_connect"], autapses=True)
    ie_src, ie_tgt = fixed_probability(rng, n_inh, n_exc, p["p_connect"], autapses=True)
    ii_src, ii_tgt = fixed_probability(rng, n_inh, n_inh, p["p_connect"], autapses=False)
    connectivity_s = time.perf_counter() - t_conn

    d = p["delay_ms"]
    transmission = (d - dt) * ms  # threshold after the synapses (module docstring)
    ee = b2.Synapses(
        exc, exc,
        model="""w : siemens
                 dapre/dt = -apre / tau_plus : 1 (event-driven)
                 dapost/dt = -apost / tau_minus : 1 (event-driven)""",
        on_pre="""w = clip(w - A_minus * apost * (w - w_min), w_min, w_max)
                  ge_post += w
                  apre += 1""",
        on_post="""w = clip(w + A_plus * apre * (w_max - w), w_min, w_max)
                   apost += 1""",
        delay={"pre": transmission, "post": (2 * d - dt) * ms}, namespace=namespace, name="syn_ee")
    ee.connect(i=ee_src, j=ee_tgt)
    ee.w = p["w_exc_uS"] * uS
    ei = b2.Synapses(exc, inh, on_pre="ge_post += w_exc", delay=transmission, namespace=namespace, name="syn_ei")
    ei.connect(i=ei_src, j=ei_tgt)
    ie = b2.Synapses(inh, exc, on_pre="gi_post += w_inh", delay=transmission, namespace=namespace, name="syn_ie")
    ie.connect(i=ie_src, j=ie_tgt)
    ii = b2.Synapses(inh, inh, on_pre="gi_post += w_inh", delay=transmission, namespace=namespace, name="syn_ii")
    ii.connect(i=ii_src, j=ii_tgt)
    drive = b2.PoissonInput(neurons, "ge", N=p["drive_sources"], rate=p["drive_rate_hz"] / p["drive_sources"] * Hz,
                            weight="w_exc")
    spike_mon = b2.SpikeMonitor(neurons, name="spikes")
    net = b2.Network(neurons, ee, ei, ie, ii, drive, spike_mon)

    result = dict(simulator="brian2", device=device, seed=seed, duration_ms=duration_ms,
                  connectivity_s=connectivity_s, plastic_synapses=int(ee_src.size))
    if device == "runtime":
        # One step first: generates and compiles every code object (Cython, cached), so
        # the timed run is the simulation loop.
        net.run(dt * ms)
        t_first = float(b2.defaultclock.t / ms)
        result["build_s"] = time.perf_counter() - t_build
        w_initial = np.asarray(ee.w[:] / nS)
        cpu0 = cpu_seconds()
        t0 = time.perf_counter()
        net.run(duration_ms * ms)
        result["run_s"] = time.perf_counter() - t0
        result["run_cpu_s"] = cpu_seconds() - cpu0
        result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * KIB_TO_MB
        # Every array of the E->E Synapses object with one entry per synapse, each once
        # (i, j, _presynaptic_idx and _postsynaptic_idx name _synaptic_pre/_post again).
        per_synapse, seen = 0, set()
        for var in ee.variables.values():
            if getattr(var, "size", None) == ee_src.size and hasattr(var, "get_value") and id(var) not in seen:
                seen.add(id(var))
                per_synapse += np.asarray(var.get_value()).dtype.itemsize
        result["bytes_per_plastic_synapse"] = per_synapse + 4 * 2  # + pre and post spike queues
        result["array_bytes_per_plastic_synapse"] = per_synapse
        w_final = np.asarray(ee.w[:] / nS)
    else:
        w_initial = np.full(ee_src.size, p["w_exc_uS"] * 1e3)
        net.run(duration_ms * ms)
        t_first = 0.0
        result["build_s"] = time.perf_counter() - t_build
        t0 = time.perf_counter()
        b2.device.build(directory=directory, compile=True, run=True, clean=False, with_output=False)
        total = time.perf_counter() - t0
        timers = b2.device.timers
        result["compile_s"] = float(sum(v for v in timers.get("compile", {}).values() if v is not None))
        result["binary_s"] = float(timers.get("run_binary", 0.0))
        result["codegen_s"] = total - result["compile_s"] - result["binary_s"]
        result["run_s"] = float(b2.device._last_run_time)
        with open(os.path.join(directory, "binary_rusage.json")) as f:
            usage = json.load(f)
        result["peak_rss_mb"] = usage["maxrss_kb"] * KIB_TO_MB
        result["binary_cpu_s"] = usage["cpu_s"]
        w_final = np.asarray(ee.w[:] / nS)
    t_ms = np.asarray(spike_mon.t / ms) + dt - t_first
    ids = np.asarray(spike_mon.i, dtype=np.int64)
    keep = t_ms > 0
    t_ms, ids = t_ms[keep], ids[keep]
    e_sel = ids < n_exc
    e_ids, i_ids = ids[e_sel], ids[~e_sel] - n_exc
    plastic_events = out_degree_events(e_ids, ee_src, n_exc)
    total_events = (plastic_events + out_degree_events(e_ids, ei_src, n_exc)
                    + out_degree_events(i_ids, ie_src, n_inh) + out_degree_events(i_ids, ii_src, n_inh))
    seconds = duration_ms / 1000.0
    run_s = result["run_s"]
    result.update(
        run_per_sim_s=run_s / seconds,
        rates_hz={"E": e_ids.size / (n_exc * seconds), "I": i_ids.size / (n_inh * seconds)},
        cv_isi={"E": brian2_models.mean_cv_isi(t_ms[e_sel], e_ids), "I": brian2_models.mean_cv_isi(t_ms[~e_sel], i_ids)},
        plastic_events=plastic_events, total_events=total_events,
        plastic_events_per_s=plastic_events / run_s, total_events_per_s=total_events / run_s,
        w_mean_initial_nS=float(w_initial.mean()), w_mean_final_nS=float(w_final.mean()),
        w_std_final_nS=float(w_final.std()),
    )
    return result


# --- driver -----------------------------------------------------------------------------

def run_worker(kind: str, duration_ms: float, seed: int, env: dict, save_state: str | None = None) -> dict:
    """One simulation in its own process; returns its JSON result."""
    out = os.path.join(WORK_ROOT, f"result_{kind}_{os.getpid()}.json")
    command = [sys.executable, str(pathlib.Path(__file__).resolve()), "--worker", kind,
               "--duration", str(duration_ms), "--seed", str(seed), "--worker-out", out]
    if save_state:
        command += ["--save-state", os.path.abspath(save_state)]
    subprocess.run(command, check=True, env=env)
    with open(out) as f:
        return json.load(f)


def median_of(runs: list, key: str):
    return statistics.median(r[key] for r in runs)


def summarise(neurodyn_runs: list, brian2_runs: dict) -> dict:
    med = {key: median_of(neurodyn_runs, key) for key in
           ("run_s", "run_cpu_s", "run_per_sim_s", "plastic_events_per_s", "total_events_per_s", "build_s")}
    med["phases_s"] = {key: statistics.median(r["phases_s"][key] for r in neurodyn_runs)
                       for key in neurodyn_runs[0]["phases_s"]}
    ratios = {}
    for device, run in brian2_runs.items():
        ratios[device] = dict(
            run_per_sim_s=med["run_per_sim_s"] / run["run_per_sim_s"],
            # CPU time of the loops (runtime only: the standalone binary's CPU time includes
            # loading and initialising): robust to other jobs taking the processors away.
            run_cpu_s=med["run_cpu_s"] / run["run_cpu_s"] if "run_cpu_s" in run else None,
            plastic_events_per_s=med["plastic_events_per_s"] / run["plastic_events_per_s"],
            bytes_per_plastic_synapse=neurodyn_runs[0]["bytes_per_plastic_synapse"] / run["bytes_per_plastic_synapse"]
            if "bytes_per_plastic_synapse" in run else None,
        )
    return dict(neurodyn_median=med, ratios=ratios)


def print_report(neurodyn_runs: list, brian2_runs: dict, summary: dict) -> None:
    first = neurodyn_runs[0]
    med = summary["neurodyn_median"]
    print(f"\nplastic network: {NETWORK['n_exc']} E + {NETWORK['n_inh']} I, {first['plastic_synapses']:,} plastic "
          f"E->E synapses, {first['duration_ms'] / 1000:g} s simulated, seed {first['seed']}")
    print(f"neurodyn ({len(neurodyn_runs)} runs, medians): run {med['run_s']:.2f} s "
          f"({med['run_per_sim_s']:.2f} s per simulated s; CPU {med['run_cpu_s']:.2f} s), "
          f"plastic events {med['plastic_events_per_s'] / 1e6:.2f} M/s, total {med['total_events_per_s'] / 1e6:.2f} M/s")
    print("  phases (s): " + ", ".join(f"{k} {v:.2f}" for k, v in med["phases_s"].items()))
    print(f"  each run: " + ", ".join(f"{r['run_s']:.2f}" for r in neurodyn_runs) + " s")
    print(f"  rates E {first['rates_hz']['E']:.3f} Hz, I {first['rates_hz']['I']:.3f} Hz; CV E {first['cv_isi']['E']:.2f}; "
          f"mean w {first['w_mean_initial_nS']:.5f} -> {first['w_mean_final_nS']:.5f} nS (sd {first['w_std_final_nS']:.5f})")
    print(f"  memory: {first['bytes_per_plastic_synapse']:.2f} bytes per plastic synapse (StdpProjection), "
          f"estimate {first['estimated_bytes'] / 1e6:.1f} MB, peak RSS {first['peak_rss_mb']:.0f} MB")
    for device, run in brian2_runs.items():
        ratio = summary["ratios"][device]
        print(f"Brian2 {device}: run {run['run_s']:.2f} s ({run['run_per_sim_s']:.2f} s per simulated s), "
              f"plastic events {run['plastic_events_per_s'] / 1e6:.2f} M/s, total {run['total_events_per_s'] / 1e6:.2f} M/s")
        print(f"  rates E {run['rates_hz']['E']:.3f} Hz, I {run['rates_hz']['I']:.3f} Hz; CV E {run['cv_isi']['E']:.2f}; "
              f"mean w {run['w_mean_initial_nS']:.5f} -> {run['w_mean_final_nS']:.5f} nS (sd {run['w_std_final_nS']:.5f}); "
              f"peak RSS {run['peak_rss_mb']:.0f} MB"
              + (f"; {run['bytes_per_plastic_synapse']:.0f} bytes per plastic synapse" if "bytes_per_plastic_synapse" in run else "")
              + (f"; codegen {run['codegen_s']:.1f} s, compile {run['compile_s']:.1f} s" if "compile_s" in run else ""))
        print(f"  neurodyn / Brian2 {device}: run time {ratio['run_per_sim_s']:.3f}"
              + (f" (CPU time {ratio['run_cpu_s']:.3f})" if ratio["run_cpu_s"] else "")
              + f", plastic events/s {ratio['plastic_events_per_s']:.2f}"
              + (f", bytes per plastic synapse {ratio['bytes_per_plastic_synapse']:.2f}" if ratio["bytes_per_plastic_synapse"] else ""))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=float, default=5000.0, help="simulated time, ms (default 5000)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=3, help="neurodyn runs (medians reported; default 3)")
    parser.add_argument("--brian2", nargs="+", default=["runtime", "cpp_standalone"],
                        choices=["runtime", "cpp_standalone", "none"], help="Brian2 devices to run")
    parser.add_argument("--json", help="write every run and the summary here")
    parser.add_argument("--save-state", help="neurodyn's final E->E weights and spikes to this .npy (last run)")
    parser.add_argument("--worker", choices=["neurodyn", "runtime", "cpp_standalone"], help=argparse.SUPPRESS)
    parser.add_argument("--worker-out", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    os.makedirs(WORK_ROOT, exist_ok=True)

    if args.worker:
        result = (run_neurodyn(args.duration, args.seed, args.save_state) if args.worker == "neurodyn"
                  else run_brian2(args.duration, args.seed, args.worker))
        with open(args.worker_out, "w") as f:
            json.dump(result, f, indent=1)
        return 0

    env = dict(os.environ)
    build_dir = pathlib.Path(env.get("NEURODYN_BUILD_DIR") or REPOSITORY / "build").resolve()
    env["PYTHONPATH"] = str(build_dir / "python") + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env["OMP_NUM_THREADS"] = "1"
    neurodyn_runs = [run_worker("neurodyn", args.duration, args.seed, env, args.save_state) for _ in range(args.repeats)]
    brian2_runs = {}
    for device in args.brian2:
        if device != "none":
            brian2_runs[device] = run_worker(device, args.duration, args.seed, env)
    summary = summarise(neurodyn_runs, brian2_runs)
    print_report(neurodyn_runs, brian2_runs, summary)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(dict(date=datetime.date.today().isoformat(), machine=platform.processor() or platform.machine(),
                           load_average=os.getloadavg(), build_dir=str(build_dir), network=NETWORK,
                           neurodyn=neurodyn_runs, brian2=brian2_runs, **summary), f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
