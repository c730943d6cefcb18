#!/usr/bin/python3
"""Brian2 twins of examples/brunel.toml, examples/coba.toml, examples/cobahh.toml and
examples/adex.toml.

The same networks, with the same parameters and the same update semantics as
neurodyn (which follows NEST), written for Brian2 (python3-brian 2.5, Debian), the peer
that neurodyn is benchmarked and cross-checked against (bench/compare_brian2.py,
bench/brunel_meanfield.py).

Matching NEST's step semantics in Brian2
----------------------------------------
neurodyn, like NEST, advances a neuron from t to t + dt, then adds the input that
arrives at t + dt, then tests the threshold; a spike is stamped t + dt and reaches its
targets at t + dt + delay. Brian2's default schedule tests the threshold *before* the
synapses deliver (groups, thresholds, synapses, resets), so an input jump would cause
its spike one step later. Three changes make the twin step for step equivalent:

* the spike threshold runs in the ``after_synapses`` slot
  (``NeuronGroup.set_event_schedule``), so input delivered in a step is tested in that
  step, as in NEST;
* a spike found there reaches the synaptic pathway in the next step's ``synapses``
  slot, one step later than under the default schedule, so the Brian2 delay is
  ``delay - dt`` (1.4 ms for Brunel's 1.5 ms, 0 for COBA's 0.1 ms); the input then
  lands in the same step as in neurodyn;
* Brian2 counts the refractory period from the clock time of the spiking step
  (``lastspike = t``, one step before NEST's stamp t + dt) and integrates again once
  ``t - lastspike >= refractory``; ``refractory = tau_refrac + dt`` therefore clamps
  the same 20 steps after the stamp as NEST's ``tau_refrac`` (2 ms at dt = 0.1 ms).

Delta synapses add to v only when the target is not refractory (NEST's
iaf_psc_delta discards input during the refractory period; Brian2's own
Brunel_2000 example does not): ``v_post += J * int(not_refractory_post)``. The same
guard applies to the external drive.

Brian2 stamps a spike with the clock time of its step (t); neurodyn and NEST stamp it
t + dt. The spike times returned here are shifted by + dt to neurodyn's convention.

External drive (Brunel): ``PoissonInput(N=C_E, rate=nu_ext, weight=J)`` draws, each
step, a binomial count B(C_E, nu_ext dt) of input spikes, where neurodyn draws a Poisson
count with the same mean C_E nu_ext dt = 2. The two have the same mean and variances
in the ratio 1 - nu_ext dt = 0.998: equivalent to O(dt).

COBA integration: Brian2's ``exponential_euler`` holds the conductances at their value
at the start of the step while advancing v exactly; neurodyn uses the conductances
averaged exactly over the step. Both integrate the conductances exactly; the
difference in v is second order in dt. The refractory clamp holds v only; the
conductances keep decaying and keep receiving input, as in neurodyn.

COBAHH integration: Brian2's COBAHH example's ``exponential_euler`` at dt (0.1 ms); neurodyn
uses RK4 on 0.01 ms sub-steps, so the two differ by Brian2's integration error (at
0.1 ms the network fires ~15 % less; ``--hh-dt 0.01`` gives neurodyn's rates, see
docs/benchmarks.md). Spike detection is the example's ``v > -20 mV`` with a 3 ms
refractory period, where neurodyn counts upward crossings of -20 mV: the same action
potentials. The example's zero delay is one step of latency less than neurodyn's
shortest; the twin uses neurodyn's (threshold after the synapses, Brian2 delay 0).

AdEx integration: ``rk4`` at dt with the threshold tested at the step's end (neurodyn:
adaptive Dormand-Prince with the crossing located inside the step); v is capped at
v_spike in the derivatives and held at v_reset for ``tau_refrac + dt`` as above. The
external drive is ``PoissonInput(N=100, rate=rate/100)``: a binomial count with the mean
of neurodyn's Poisson count and variance ratio 1 - rate dt / 100 (0.9995 at 500 Hz).

Connectivity and initial states are drawn with NumPy (``numpy.random.Generator`` seeded
with the run's seed) and handed to Brian2 as arrays: Brian2 has no fixed-in-degree
rule, and this keeps the distributions (truncated normals, uniform) exactly those of the
model files. The realisations differ from neurodyn's (a different generator), so the
two simulators are compared statistically, never spike by spike.

Everything Brian2 writes (generated C++ projects, the Cython cache) goes under
/tmp/neurodyn-brian2 unless a directory is given.

Command line (used by compare_brian2.py to run each benchmark in its own process):

    /usr/bin/python3 bench/brian2_models.py brunel --duration 1000 --seed 1 \\
        --device cpp_standalone --threads 1 --json /tmp/out.json [--spikes /tmp/out.npz]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import sys
import time
from dataclasses import asdict, dataclass, field

import numpy as np

WORK_ROOT = "/tmp/neurodyn-brian2"

# ru_maxrss is in KiB on Linux; memory is reported in MB = 10^6 bytes, as neurodyn does.
KIB_TO_MB = 1024.0 / 1e6

# Brunel (2000) model A, AI regime of Fig. 8C: the values of examples/brunel.toml.
BRUNEL = dict(
    n_exc=10000,          # N_E
    n_inh=2500,           # N_I
    c_exc=1000,           # C_E, excitatory in-degree
    c_inh=250,            # C_I, inhibitory in-degree
    tau_m_ms=20.0,
    v_rest_mV=0.0,
    v_thresh_mV=20.0,     # theta
    v_reset_mV=10.0,      # V_r
    tau_refrac_ms=2.0,    # tau_rp
    j_mV=0.1,             # J
    g=5.0,                # relative inhibition
    eta=2.0,              # nu_ext / nu_thr
    delay_ms=1.5,         # D
    dt_ms=0.1,
    v_init_low_mV=0.0,    # initial v ~ uniform[low, high)
    v_init_high_mV=20.0,
)

# COBA, benchmark 1 of Brette et al. (2007): the values of examples/coba.toml.
COBA = dict(
    n_exc=3200,
    n_inh=800,
    p_connect=0.02,
    cm_nF=0.2,
    tau_m_ms=20.0,
    v_rest_mV=-60.0,
    v_thresh_mV=-50.0,
    v_reset_mV=-60.0,
    tau_refrac_ms=5.0,
    e_rev_exc_mV=0.0,
    e_rev_inh_mV=-80.0,
    tau_syn_exc_ms=5.0,
    tau_syn_inh_ms=10.0,
    w_exc_uS=0.006,
    w_inh_uS=0.067,
    delay_ms=0.1,
    dt_ms=0.1,
    # Ignition: independent Poisson input to every neuron during the first kick_ms
    # (see examples/coba.toml)
    kick_rate_hz=1000.0,
    kick_weight_uS=0.006,
    kick_ms=50.0,
    # initial state: normal(mean, std) redrawn until inside [low, high]; the choice
    # is explained in examples/coba.toml
    v_init=(-55.0, 5.0, -80.0, -50.0),        # mV
    g_exc_init=(0.004, 0.0015, 0.0, 1.0),     # uS
    g_inh_init=(0.02, 0.012, 0.0, 1.0),       # uS
)


# COBAHH, benchmark 3 of Brette et al. (2007), as Brian2's COBAHH example writes it: the
# values of examples/cobahh.toml. Traub & Miles HH cell of area 20000 um^2.
COBAHH = dict(
    n_exc=3200,
    n_inh=800,
    p_connect=0.02,
    cm_nF=0.2,            # 1 uF/cm^2
    g_leak_uS=0.01,       # 5e-5 S/cm^2
    e_leak_mV=-60.0,
    gbar_na_uS=20.0,      # 100 mS/cm^2
    gbar_k_uS=6.0,        # 30 mS/cm^2
    e_na_mV=50.0,
    e_k_mV=-90.0,
    v_offset_mV=-63.0,    # V_T
    e_rev_exc_mV=0.0,
    e_rev_inh_mV=-80.0,
    tau_syn_exc_ms=5.0,
    tau_syn_inh_ms=10.0,
    w_exc_uS=0.006,       # 6 nS
    w_inh_uS=0.067,       # 67 nS
    delay_ms=0.1,         # neurodyn's shortest; Brian2's example has none (module docstring)
    dt_ms=0.1,
    v_detect_mV=-20.0,    # spike detection
    refractory_ms=3.0,    # Brian2 only: no second detection within 3 ms
    # initial state (Brian2's example): v = El + (randn*5 - 5) mV, ge = (randn*1.5 + 4)*10 nS,
    # gi = (randn*12 + 20)*10 nS, the conductances redrawn until >= 0 (neurodyn's
    # normal_clipped); m = h = n = 0 (Brian2's default initial value).
    v_init=(-65.0, 5.0),                           # mV, normal(mean, std)
    g_exc_init=(0.04, 0.015, 0.0, math.inf),       # uS, normal_clipped
    g_inh_init=(0.2, 0.12, 0.0, math.inf),         # uS, normal_clipped
)

# AdEx network (examples/adex.toml): COBA's topology, synapses and weights on the
# Brette & Gerstner (2005) cell, with external Poisson drive.
ADEX = dict(
    n_exc=3200,
    n_inh=800,
    p_connect=0.02,
    cm_nF=0.281,
    tau_m_ms=9.3667,      # g_L = 30 nS
    v_rest_mV=-70.6,
    v_reset_mV=-70.6,
    v_thresh_mV=-50.4,    # V_T, centre of the exponential
    v_spike_mV=-40.0,     # spike detection (PyNN's default)
    delta_t_mV=2.0,
    a_nS=4.0,
    b_nA=0.0805,
    tau_w_ms=144.0,
    tau_refrac_ms=0.1,
    e_rev_exc_mV=0.0,
    e_rev_inh_mV=-80.0,
    tau_syn_exc_ms=5.0,
    tau_syn_inh_ms=10.0,
    w_exc_uS=0.006,
    w_inh_uS=0.067,
    delay_ms=0.1,
    dt_ms=0.1,
    ext_rate_hz=500.0,    # independent Poisson input per neuron
    ext_weight_uS=0.006,
    ext_sources=100,      # Brian2's PoissonInput: N sources at ext_rate / N (module docstring)
    v_init=(-65.0, 5.0, -80.0, -50.4),             # mV, normal_clipped
)


def brunel_external_rate_hz(p: dict = BRUNEL) -> float:
    """nu_ext = eta * nu_thr, nu_thr = theta / (J C_E tau_m): the rate of each external input."""
    theta = p["v_thresh_mV"] - p["v_rest_mV"]
    nu_thr_per_ms = theta / (p["j_mV"] * p["c_exc"] * p["tau_m_ms"])
    return p["eta"] * nu_thr_per_ms * 1000.0


@dataclass
class Brian2Run:
    """What one Brian2 simulation gives back.

    Times in seconds unless named otherwise. For cpp_standalone:
      build_s     Python: drawing connectivity and initial state with NumPy, creating
                  the Brian2 objects (the code is not generated yet)
      codegen_s   device.build minus compile and binary: generating the C++ project
      compile_s   make (g++) of the generated project
      binary_s    the compiled binary from start to exit: loading the connectivity
                  arrays, creating synapses, initialising, simulating, writing results
      run_s       the simulation loop alone (Brian2's last_run_info.txt)
      peak_rss_mb peak resident memory of the binary alone (MB = 10^6 bytes)
    For runtime: build_s as above, run_s = Network.run (including code generation and
    Cython compilation of what is not cached), peak_rss_mb of the Python process.
    """

    network: str
    device: str
    seed: int
    duration_ms: float
    threads: int
    dt_ms: float
    sizes: dict
    synapses: int
    connectivity_s: float = 0.0
    build_s: float = 0.0
    codegen_s: float = 0.0
    compile_s: float = 0.0
    binary_s: float = 0.0
    run_s: float = 0.0
    peak_rss_mb: float = 0.0
    # Per-synapse memory Brian2 keeps (see per_synapse_bytes()).
    bytes_per_synapse: float = 0.0
    # Recurrent synaptic events: sum over spikes of the source's out-degree.
    synaptic_events: int = 0
    compiler_flags: list = field(default_factory=list)
    # Not serialised to the JSON summary:
    spikes: dict = field(default_factory=dict, repr=False)  # population -> (times_ms, ids)
    v_sample: np.ndarray | None = field(default=None, repr=False)  # (neurons, samples) mV
    v_sample_dt_ms: float = 0.0

    def rates_hz(self, t_start_ms: float = 0.0) -> dict:
        span_s = (self.duration_ms - t_start_ms) / 1000.0
        return {
            pop: float(np.count_nonzero(t >= t_start_ms)) / (self.sizes[pop] * span_s)
            for pop, (t, _) in self.spikes.items()
        }

    def summary(self) -> dict:
        out = asdict(self)
        for key in ("spikes", "v_sample", "v_sample_dt_ms"):
            out.pop(key)
        out["spike_counts"] = {pop: int(t.size) for pop, (t, _) in self.spikes.items()}
        out["rates_hz"] = self.rates_hz()
        out["cv_isi"] = {pop: mean_cv_isi(t, i) for pop, (t, i) in self.spikes.items()}
        return out


def per_synapse_bytes(device: str) -> float:
    """Bytes Brian2 keeps per synapse with constant weights and a homogeneous delay.

    From the Brian2 2.5 data structures: _synaptic_pre and _synaptic_post (int32 each)
    and the spike queue's per-source synapse lists (int32, cspikequeue.cpp) make 12
    bytes; cpp_standalone also keeps the i and j arrays given to connect() (int32 each)
    in memory for the whole run, 8 more.
    """
    return 12.0 + (8.0 if device == "cpp_standalone" else 0.0)


def mean_cv_isi(times_ms: np.ndarray, ids: np.ndarray, min_spikes: int = 3) -> float:
    """Mean over neurons with at least `min_spikes` spikes of std(ISI) / mean(ISI)."""
    if times_ms.size == 0:
        return float("nan")
    order = np.lexsort((times_ms, ids))
    t, i = times_ms[order], ids[order]
    cvs = []
    boundaries = np.flatnonzero(np.diff(i)) + 1
    for chunk in np.split(t, boundaries):
        if chunk.size >= min_spikes:
            isi = np.diff(chunk)
            cvs.append(isi.std() / isi.mean())
    return float(np.mean(cvs)) if cvs else float("nan")


def fixed_indegree(rng: np.random.Generator, n_sources: int, n_targets: int, indegree: int,
                   exclude_self: bool) -> tuple[np.ndarray, np.ndarray]:
    """Sources drawn uniformly with replacement, `indegree` per target (PyNN/NEST
    fixed_number_pre with multapses); returns (source index, target index) arrays.

    exclude_self: sources and targets are the same population and a neuron never
    connects to itself; each source is drawn from the n_sources - 1 others (a draw at or
    above the target's own index is shifted up by one).
    """
    targets = np.repeat(np.arange(n_targets, dtype=np.int32), indegree)
    if not exclude_self:
        return rng.integers(0, n_sources, size=targets.size, dtype=np.int32), targets
    sources = rng.integers(0, n_sources - 1, size=targets.size, dtype=np.int32)
    sources += (sources >= targets).astype(np.int32)
    return sources, targets


def fixed_probability(rng: np.random.Generator, n_sources: int, n_targets: int,
                      p: float) -> tuple[np.ndarray, np.ndarray]:
    """Every ordered pair independently with probability p, self-connections included
    (Brian2's Synapses.connect(p=...), PyNN FixedProbabilityConnector)."""
    counts = rng.binomial(n_sources, p, size=n_targets)
    targets = np.repeat(np.arange(n_targets, dtype=np.int32), counts)
    sources = np.concatenate([rng.choice(n_sources, size=c, replace=False) for c in counts]).astype(np.int32)
    return sources, targets


def truncated_normal(rng: np.random.Generator, mean: float, std: float, low: float, high: float,
                     n: int) -> np.ndarray:
    """normal(mean, std) redrawn until inside [low, high] (neurodyn's normal_clipped)."""
    x = rng.normal(mean, std, n)
    bad = (x < low) | (x > high)
    while bad.any():
        x[bad] = rng.normal(mean, std, int(bad.sum()))
        bad = (x < low) | (x > high)
    return x


def _prepare_device(device: str, directory: str, threads: int):
    """Selects and resets the Brian2 device; returns the brian2 module."""
    import brian2 as b2

    b2.prefs.codegen.runtime.cython.cache_dir = os.path.join(WORK_ROOT, "cython-cache")
    if device == "runtime":
        b2.set_device("runtime")
        b2.device.reinit()
        b2.device.activate()
    elif device == "cpp_standalone":
        b2.set_device("cpp_standalone", build_on_run=False, directory=directory)
        b2.device.reinit()
        b2.device.activate(build_on_run=False, directory=directory)
        # 0 = the serial code without OpenMP; > 1 = that many OpenMP threads.
        b2.prefs.devices.cpp_standalone.openmp_threads = threads if threads > 1 else 0
        # Run the binary under a wrapper that records its own wall time and peak RSS
        # (wait4 on exactly that process, so the compiler's memory is not counted).
        rusage_file = os.path.join(directory, "binary_rusage.json")
        b2.prefs.devices.cpp_standalone.run_cmd_unix = [sys.executable, "-c", _RUSAGE_WRAPPER, rusage_file, "./main"]
    else:
        raise ValueError(f"device must be 'runtime' or 'cpp_standalone', got {device!r}")
    b2.start_scope()
    return b2


_RUSAGE_WRAPPER = (
    "import json, os, subprocess, sys, time\n"
    "start = time.perf_counter()\n"
    "child = subprocess.Popen(sys.argv[2:])\n"
    "_, status, usage = os.wait4(child.pid, 0)\n"
    "wall = time.perf_counter() - start\n"
    "json.dump({'wall_s': wall, 'maxrss_kb': usage.ru_maxrss}, open(sys.argv[1], 'w'))\n"
    "sys.exit(os.waitstatus_to_exitcode(status))\n"
)


def _finish(b2, net, result: Brian2Run, directory: str, clean: bool, t_build_start: float,
            duration_ms: float):
    """Runs the network on the selected device and fills the timings of `result`."""
    if result.device == "runtime":
        result.build_s = time.perf_counter() - t_build_start
        t0 = time.perf_counter()
        net.run(duration_ms * b2.ms)
        result.run_s = time.perf_counter() - t0
        result.peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * KIB_TO_MB
    else:
        net.run(duration_ms * b2.ms)  # records the run; nothing is executed yet
        result.build_s = time.perf_counter() - t_build_start
        t0 = time.perf_counter()
        b2.device.build(directory=directory, compile=True, run=True, clean=clean, with_output=False)
        total = time.perf_counter() - t0
        timers = b2.device.timers
        result.compile_s = float(sum(v for v in timers.get("compile", {}).values() if v is not None))
        result.binary_s = float(timers.get("run_binary", 0.0))
        result.codegen_s = total - result.compile_s - result.binary_s
        result.run_s = float(b2.device._last_run_time)
        with open(os.path.join(directory, "binary_rusage.json")) as f:
            usage = json.load(f)
        result.peak_rss_mb = usage["maxrss_kb"] * KIB_TO_MB
        result.compiler_flags = list(b2.prefs.codegen.cpp.extra_compile_args_gcc)
    result.bytes_per_synapse = per_synapse_bytes(result.device)


def _collect_spikes(b2, monitor, groups: dict, dt_ms: float) -> dict:
    """Splits one SpikeMonitor on the whole group into populations, times + dt (ms)."""
    t_ms = np.asarray(monitor.t / b2.ms) + dt_ms
    ids = np.asarray(monitor.i, dtype=np.int64)
    out = {}
    for name, (first, size) in groups.items():
        sel = (ids >= first) & (ids < first + size)
        out[name] = (t_ms[sel], (ids[sel] - first).astype(np.uint64))
    return out


def _recurrent_events(spikes: dict, groups: dict, out_degree: np.ndarray) -> int:
    total = 0
    for name, (first, _) in groups.items():
        ids = spikes[name][1].astype(np.int64) + first
        total += int(out_degree[ids].sum())
    return total


def run_brunel(duration_ms: float = 1000.0, seed: int = 12345, device: str = "runtime", threads: int = 1,
               record_v: int = 0, v_sample_dt_ms: float = 1.0, directory: str | None = None,
               clean: bool = False, params: dict = BRUNEL) -> Brian2Run:
    """Brunel (2000) model A (examples/brunel.toml) in Brian2.

    record_v > 0 records v of that many neurons (the first record_v * N_E/N of E and the
    rest of I, drawn at random with the run's seed) every v_sample_dt_ms, for the
    synchrony measure.
    """
    p = params
    directory = directory or os.path.join(WORK_ROOT, f"brunel_{device}")
    t_build = time.perf_counter()
    b2 = _prepare_device(device, directory, threads)
    b2.seed(seed)
    rng = np.random.default_rng(seed)
    ms, mV, Hz = b2.ms, b2.mV, b2.Hz
    dt = p["dt_ms"]
    b2.defaultclock.dt = dt * ms
    n_exc, n_inh = p["n_exc"], p["n_inh"]
    n = n_exc + n_inh

    eqs = "dv/dt = (v_rest - v) / tau_m : volt (unless refractory)"
    namespace = dict(
        tau_m=p["tau_m_ms"] * ms, v_rest=p["v_rest_mV"] * mV, v_thresh=p["v_thresh_mV"] * mV,
        v_reset=p["v_reset_mV"] * mV, J=p["j_mV"] * mV, J_inh=-p["g"] * p["j_mV"] * mV,
    )
    neurons = b2.NeuronGroup(n, eqs, threshold="v >= v_thresh", reset="v = v_reset",
                             refractory=(p["tau_refrac_ms"] + dt) * ms, method="exact",
                             namespace=namespace, name="neurons")
    neurons.set_event_schedule("spike", when="after_synapses")
    neurons.v = rng.uniform(p["v_init_low_mV"], p["v_init_high_mV"], n) * mV
    exc, inh = neurons[:n_exc], neurons[n_exc:]

    t_conn = time.perf_counter()
    # Every neuron of the network (targets 0..n-1) gets C_E sources in E and C_I in I;
    # a neuron of E never draws itself from E, nor one of I from I.
    e_src, e_tgt = _indegree_whole_network(rng, n_exc, 0, n, p["c_exc"])
    i_src, i_tgt = _indegree_whole_network(rng, n_inh, n_exc, n, p["c_inh"])
    connectivity_s = time.perf_counter() - t_conn

    delay = (p["delay_ms"] - dt) * ms  # see the module docstring
    syn_exc = b2.Synapses(exc, neurons, on_pre="v_post += J * int(not_refractory_post)",
                          delay=delay, namespace=namespace, name="syn_exc")
    syn_exc.connect(i=e_src, j=e_tgt)
    syn_inh = b2.Synapses(inh, neurons, on_pre="v_post += J_inh * int(not_refractory_post)",
                          delay=delay, namespace=namespace, name="syn_inh")
    syn_inh.connect(i=i_src, j=i_tgt)
    drive = b2.PoissonInput(neurons, "v", N=p["c_exc"], rate=brunel_external_rate_hz(p) * Hz,
                            weight="J * int(not_refractory)")
    spike_mon = b2.SpikeMonitor(neurons, name="spikes")
    objects = [neurons, syn_exc, syn_inh, drive, spike_mon]
    state_mon = None
    if record_v > 0:
        n_e_rec = int(round(record_v * n_exc / n))
        sample = np.sort(np.concatenate([
            rng.choice(n_exc, n_e_rec, replace=False),
            n_exc + rng.choice(n_inh, record_v - n_e_rec, replace=False)]))
        state_mon = b2.StateMonitor(neurons, "v", record=sample, dt=v_sample_dt_ms * ms, name="v_sample")
        objects.append(state_mon)
    net = b2.Network(*objects)

    groups = {"E": (0, n_exc), "I": (n_exc, n_inh)}
    result = Brian2Run(network="brunel", device=device, seed=seed, duration_ms=duration_ms, threads=threads,
                       dt_ms=dt, sizes={"E": n_exc, "I": n_inh}, synapses=int(e_src.size + i_src.size),
                       connectivity_s=connectivity_s)
    _finish(b2, net, result, directory, clean, t_build, duration_ms)
    result.spikes = _collect_spikes(b2, spike_mon, groups, dt)
    out_degree = np.concatenate([np.bincount(e_src, minlength=n_exc), np.bincount(i_src, minlength=n_inh)])
    result.synaptic_events = _recurrent_events(result.spikes, groups, out_degree)
    if state_mon is not None:
        result.v_sample = np.asarray(state_mon.v / mV)
        result.v_sample_dt_ms = v_sample_dt_ms
    return result


def _indegree_whole_network(rng, n_sources: int, first_source: int, n_targets: int, indegree: int):
    """C sources from the population [first_source, first_source + n_sources) for every
    target of the whole network, with no autapse for targets inside that population."""
    last = first_source + n_sources
    inside = np.arange(first_source, last, dtype=np.int32)
    outside = np.concatenate([np.arange(0, first_source), np.arange(last, n_targets)]).astype(np.int32)
    s_in, t_in = fixed_indegree(rng, n_sources, inside.size, indegree, exclude_self=True)
    s_out, t_out = fixed_indegree(rng, n_sources, outside.size, indegree, exclude_self=False)
    sources = np.concatenate([s_in, s_out])
    targets = np.concatenate([inside[t_in], outside[t_out]])
    order = np.argsort(targets, kind="stable")
    return sources[order], targets[order]


def connect_conductance_ei(b2, rng, neurons, n_exc, n_inh, p, dt, namespace):
    """The E and I pathways of the COBA-family networks (COBA, COBAHH, AdEx): every
    neuron of the first n_exc (then the next n_inh) connects to every neuron with
    probability p_connect, adding w_exc to ge (w_inh to gi) after p["delay_ms"].
    Returns (syn_exc, syn_inh, e_src, i_src, seconds spent drawing the connectivity)."""
    n = n_exc + n_inh
    exc, inh = neurons[:n_exc], neurons[n_exc:]
    t_conn = time.perf_counter()
    e_src, e_tgt = fixed_probability(rng, n_exc, n, p["p_connect"])
    i_src, i_tgt = fixed_probability(rng, n_inh, n, p["p_connect"])
    connectivity_s = time.perf_counter() - t_conn
    delay = max(p["delay_ms"] - dt, 0.0) * b2.ms  # see the module docstring
    syn_exc = b2.Synapses(exc, neurons, on_pre="ge_post += w_exc", delay=delay, namespace=namespace,
                          name="syn_exc")
    syn_exc.connect(i=e_src, j=e_tgt)
    syn_inh = b2.Synapses(inh, neurons, on_pre="gi_post += w_inh", delay=delay, namespace=namespace,
                          name="syn_inh")
    syn_inh.connect(i=i_src, j=i_tgt)
    return syn_exc, syn_inh, e_src, i_src, connectivity_s


def run_coba(duration_ms: float = 1000.0, seed: int = 12345, device: str = "runtime", threads: int = 1,
             directory: str | None = None, clean: bool = False, params: dict = COBA) -> Brian2Run:
    """COBA, benchmark 1 of Brette et al. (2007) (examples/coba.toml) in Brian2."""
    p = params
    directory = directory or os.path.join(WORK_ROOT, f"coba_{device}")
    t_build = time.perf_counter()
    b2 = _prepare_device(device, directory, threads)
    b2.seed(seed)
    rng = np.random.default_rng(seed)
    ms, mV, nF, uS = b2.ms, b2.mV, b2.nF, b2.uS
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
        c_m=p["cm_nF"] * nF, g_leak=p["cm_nF"] / p["tau_m_ms"] * uS,  # nF / ms = uS
        v_rest=p["v_rest_mV"] * mV, v_thresh=p["v_thresh_mV"] * mV, v_reset=p["v_reset_mV"] * mV,
        e_exc=p["e_rev_exc_mV"] * mV, e_inh=p["e_rev_inh_mV"] * mV,
        tau_exc=p["tau_syn_exc_ms"] * ms, tau_inh=p["tau_syn_inh_ms"] * ms,
        w_exc=p["w_exc_uS"] * uS, w_inh=p["w_inh_uS"] * uS,
    )
    neurons = b2.NeuronGroup(n, eqs, threshold="v >= v_thresh", reset="v = v_reset",
                             refractory=(p["tau_refrac_ms"] + dt) * ms, method="exponential_euler",
                             namespace=namespace, name="neurons")
    neurons.set_event_schedule("spike", when="after_synapses")
    neurons.v = truncated_normal(rng, *p["v_init"], n) * mV
    neurons.ge = truncated_normal(rng, *p["g_exc_init"], n) * uS
    neurons.gi = truncated_normal(rng, *p["g_inh_init"], n) * uS
    syn_exc, syn_inh, e_src, i_src, connectivity_s = connect_conductance_ei(b2, rng, neurons, n_exc, n_inh, p, dt,
                                                                            namespace)
    objects = [neurons, syn_exc, syn_inh]
    if p["kick_rate_hz"] > 0 and p["kick_ms"] > 0:
        # Input at clock t lands in the step ending t + dt: steps ending in (0, kick_ms].
        objects.append(b2.PoissonInput(neurons, "ge", N=1, rate=p["kick_rate_hz"] * b2.Hz,
                                       weight="w_kick * int(t < t_kick)"))
        namespace.update(w_kick=p["kick_weight_uS"] * uS, t_kick=p["kick_ms"] * ms)
    spike_mon = b2.SpikeMonitor(neurons, name="spikes")
    net = b2.Network(*objects, spike_mon)

    groups = {"E": (0, n_exc), "I": (n_exc, n_inh)}
    result = Brian2Run(network="coba", device=device, seed=seed, duration_ms=duration_ms, threads=threads,
                       dt_ms=dt, sizes={"E": n_exc, "I": n_inh}, synapses=int(e_src.size + i_src.size),
                       connectivity_s=connectivity_s)
    _finish(b2, net, result, directory, clean, t_build, duration_ms)
    result.spikes = _collect_spikes(b2, spike_mon, groups, dt)
    out_degree = np.concatenate([np.bincount(e_src, minlength=n_exc), np.bincount(i_src, minlength=n_inh)])
    result.synaptic_events = _recurrent_events(result.spikes, groups, out_degree)
    return result


def run_cobahh(duration_ms: float = 1000.0, seed: int = 12345, device: str = "runtime", threads: int = 1,
               directory: str | None = None, clean: bool = False, params: dict = COBAHH,
               method: str = "exponential_euler") -> Brian2Run:
    """COBAHH, benchmark 3 of Brette et al. (2007) (examples/cobahh.toml) in Brian2: the
    equations of Brian2's COBAHH example, integrated with `method` (the example's
    exponential_euler) at dt."""
    p = params
    directory = directory or os.path.join(WORK_ROOT, f"cobahh_{device}")
    t_build = time.perf_counter()
    b2 = _prepare_device(device, directory, threads)
    b2.seed(seed)
    rng = np.random.default_rng(seed)
    ms, mV, nF, uS = b2.ms, b2.mV, b2.nF, b2.uS
    dt = p["dt_ms"]
    b2.defaultclock.dt = dt * ms
    n_exc, n_inh = p["n_exc"], p["n_inh"]
    n = n_exc + n_inh

    eqs = """
    dv/dt = (g_leak * (e_leak - v) + ge * (e_exc - v) + gi * (e_inh - v)
             - g_na * (m * m * m) * h * (v - e_na) - g_k * (n * n * n * n) * (v - e_k)) / c_m : volt
    dm/dt = alpha_m * (1 - m) - beta_m * m : 1
    dn/dt = alpha_n * (1 - n) - beta_n * n : 1
    dh/dt = alpha_h * (1 - h) - beta_h * h : 1
    dge/dt = -ge / tau_exc : siemens
    dgi/dt = -gi / tau_inh : siemens
    alpha_m = 0.32 * (mV**-1) * 4 * mV / exprel((13 * mV - v + v_t) / (4 * mV)) / ms : Hz
    beta_m = 0.28 * (mV**-1) * 5 * mV / exprel((v - v_t - 40 * mV) / (5 * mV)) / ms : Hz
    alpha_h = 0.128 * exp((17 * mV - v + v_t) / (18 * mV)) / ms : Hz
    beta_h = 4. / (1 + exp((40 * mV - v + v_t) / (5 * mV))) / ms : Hz
    alpha_n = 0.032 * (mV**-1) * 5 * mV / exprel((15 * mV - v + v_t) / (5 * mV)) / ms : Hz
    beta_n = .5 * exp((10 * mV - v + v_t) / (40 * mV)) / ms : Hz
    """
    namespace = dict(
        c_m=p["cm_nF"] * nF, g_leak=p["g_leak_uS"] * uS, e_leak=p["e_leak_mV"] * mV,
        g_na=p["gbar_na_uS"] * uS, g_k=p["gbar_k_uS"] * uS, e_na=p["e_na_mV"] * mV, e_k=p["e_k_mV"] * mV,
        v_t=p["v_offset_mV"] * mV, e_exc=p["e_rev_exc_mV"] * mV, e_inh=p["e_rev_inh_mV"] * mV,
        tau_exc=p["tau_syn_exc_ms"] * ms, tau_inh=p["tau_syn_inh_ms"] * ms,
        w_exc=p["w_exc_uS"] * uS, w_inh=p["w_inh_uS"] * uS, v_detect=p["v_detect_mV"] * mV,
    )
    neurons = b2.NeuronGroup(n, eqs, threshold="v > v_detect", refractory=p["refractory_ms"] * ms,
                             method=method, namespace=namespace, name="neurons")
    neurons.set_event_schedule("spike", when="after_synapses")
    neurons.v = rng.normal(*p["v_init"], n) * mV
    neurons.ge = truncated_normal(rng, *p["g_exc_init"], n) * uS
    neurons.gi = truncated_normal(rng, *p["g_inh_init"], n) * uS
    syn_exc, syn_inh, e_src, i_src, connectivity_s = connect_conductance_ei(b2, rng, neurons, n_exc, n_inh, p, dt,
                                                                            namespace)
    spike_mon = b2.SpikeMonitor(neurons, name="spikes")
    net = b2.Network(neurons, syn_exc, syn_inh, spike_mon)

    groups = {"E": (0, n_exc), "I": (n_exc, n_inh)}
    result = Brian2Run(network="cobahh", device=device, seed=seed, duration_ms=duration_ms, threads=threads,
                       dt_ms=dt, sizes={"E": n_exc, "I": n_inh}, synapses=int(e_src.size + i_src.size),
                       connectivity_s=connectivity_s)
    _finish(b2, net, result, directory, clean, t_build, duration_ms)
    result.spikes = _collect_spikes(b2, spike_mon, groups, dt)
    out_degree = np.concatenate([np.bincount(e_src, minlength=n_exc), np.bincount(i_src, minlength=n_inh)])
    result.synaptic_events = _recurrent_events(result.spikes, groups, out_degree)
    return result


def run_adex(duration_ms: float = 1000.0, seed: int = 12345, device: str = "runtime", threads: int = 1,
             directory: str | None = None, clean: bool = False, params: dict = ADEX) -> Brian2Run:
    """AdEx network (examples/adex.toml) in Brian2: Brette & Gerstner (2005) cells,
    integrated with RK4 at dt."""
    p = params
    directory = directory or os.path.join(WORK_ROOT, f"adex_{device}")
    t_build = time.perf_counter()
    b2 = _prepare_device(device, directory, threads)
    b2.seed(seed)
    rng = np.random.default_rng(seed)
    ms, mV, nF, uS, nS, nA, Hz = b2.ms, b2.mV, b2.nF, b2.uS, b2.nS, b2.nA, b2.Hz
    dt = p["dt_ms"]
    b2.defaultclock.dt = dt * ms
    n_exc, n_inh = p["n_exc"], p["n_inh"]
    n = n_exc + n_inh

    # v is capped at v_spike in the derivatives (vc), as in neurodyn and NEST. While
    # refractory, v is held (at v_reset) and w evolves with it.
    eqs = """
    vc = clip(v, -1 * volt, v_spike) : volt
    dv/dt = (g_leak * (v_rest - vc) + g_leak * delta_t * exp((vc - v_t) / delta_t)
             + ge * (e_exc - vc) + gi * (e_inh - vc) - w) / c_m : volt (unless refractory)
    dw/dt = (a * (vc - v_rest) - w) / tau_w : amp
    dge/dt = -ge / tau_exc : siemens
    dgi/dt = -gi / tau_inh : siemens
    """
    namespace = dict(
        c_m=p["cm_nF"] * nF, g_leak=p["cm_nF"] / p["tau_m_ms"] * uS,  # nF / ms = uS
        v_rest=p["v_rest_mV"] * mV, v_reset=p["v_reset_mV"] * mV, v_t=p["v_thresh_mV"] * mV,
        v_spike=p["v_spike_mV"] * mV, delta_t=p["delta_t_mV"] * mV, a=p["a_nS"] * nS, b=p["b_nA"] * nA,
        tau_w=p["tau_w_ms"] * ms, e_exc=p["e_rev_exc_mV"] * mV, e_inh=p["e_rev_inh_mV"] * mV,
        tau_exc=p["tau_syn_exc_ms"] * ms, tau_inh=p["tau_syn_inh_ms"] * ms,
        w_exc=p["w_exc_uS"] * uS, w_inh=p["w_inh_uS"] * uS, w_ext=p["ext_weight_uS"] * uS,
    )
    neurons = b2.NeuronGroup(n, eqs, threshold="v >= v_spike", reset="v = v_reset\nw += b",
                             refractory=(p["tau_refrac_ms"] + dt) * ms, method="rk4",
                             namespace=namespace, name="neurons")
    neurons.set_event_schedule("spike", when="after_synapses")
    neurons.v = truncated_normal(rng, *p["v_init"], n) * mV
    syn_exc, syn_inh, e_src, i_src, connectivity_s = connect_conductance_ei(b2, rng, neurons, n_exc, n_inh, p, dt,
                                                                            namespace)
    drive = b2.PoissonInput(neurons, "ge", N=p["ext_sources"], rate=p["ext_rate_hz"] / p["ext_sources"] * Hz,
                            weight="w_ext")
    spike_mon = b2.SpikeMonitor(neurons, name="spikes")
    net = b2.Network(neurons, syn_exc, syn_inh, drive, spike_mon)

    groups = {"E": (0, n_exc), "I": (n_exc, n_inh)}
    result = Brian2Run(network="adex", device=device, seed=seed, duration_ms=duration_ms, threads=threads,
                       dt_ms=dt, sizes={"E": n_exc, "I": n_inh}, synapses=int(e_src.size + i_src.size),
                       connectivity_s=connectivity_s)
    _finish(b2, net, result, directory, clean, t_build, duration_ms)
    result.spikes = _collect_spikes(b2, spike_mon, groups, dt)
    out_degree = np.concatenate([np.bincount(e_src, minlength=n_exc), np.bincount(i_src, minlength=n_inh)])
    result.synaptic_events = _recurrent_events(result.spikes, groups, out_degree)
    return result


RUNNERS = {"brunel": run_brunel, "coba": run_coba, "cobahh": run_cobahh, "adex": run_adex}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Run a Brian2 twin of a neurodyn example network.")
    parser.add_argument("network", choices=sorted(RUNNERS))
    parser.add_argument("--duration", type=float, default=1000.0, help="ms (default 1000)")
    parser.add_argument("--seed", type=int, default=12345)
    parser.add_argument("--device", choices=["runtime", "cpp_standalone"], default="cpp_standalone")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--directory", help=f"Brian2 project directory (default under {WORK_ROOT})")
    parser.add_argument("--clean", action="store_true", help="rebuild the standalone project from scratch")
    parser.add_argument("--json", help="write the timings and statistics here")
    parser.add_argument("--spikes", help="write the spikes here (.npz: <pop>_times_ms, <pop>_ids)")
    parser.add_argument("--hh-dt", type=float, help="cobahh only: time step (ms) instead of 0.1, for the "
                        "integrator-accuracy check in docs/benchmarks.md (the delay stays 0.1 ms)")
    parser.add_argument("--hh-method", default="exponential_euler",
                        help="cobahh only: Brian2 integration method (default exponential_euler, the example's)")
    args = parser.parse_args(argv)

    extra = {}
    if args.network == "cobahh":
        extra["method"] = args.hh_method
        if args.hh_dt is not None:
            extra["params"] = dict(COBAHH, dt_ms=args.hh_dt)
    elif args.hh_dt is not None or args.hh_method != "exponential_euler":
        parser.error("--hh-dt and --hh-method apply to cobahh only")
    result = RUNNERS[args.network](duration_ms=args.duration, seed=args.seed, device=args.device,
                                   threads=args.threads, directory=args.directory, clean=args.clean, **extra)
    summary = result.summary()
    if args.json:
        with open(args.json, "w") as f:
            json.dump(summary, f, indent=2)
    if args.spikes:
        arrays = {}
        for pop, (t, i) in result.spikes.items():
            arrays[f"{pop}_times_ms"] = t
            arrays[f"{pop}_ids"] = i
        np.savez_compressed(args.spikes, **arrays)
    print(json.dumps({k: summary[k] for k in ("network", "device", "seed", "rates_hz", "cv_isi", "build_s",
                                               "compile_s", "run_s", "peak_rss_mb")}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
