#!/usr/bin/python3
"""The Potjans & Diesmann (2014) microcircuit in neurodyn and in Brian2 (C++ standalone),
side by side, at a scale Brian2 can hold.

Why it exists: the microcircuit is the reference network of large-scale simulators;
bench/compare_brian2.py measures neurodyn against Brian2 on small E/I networks only.
This script builds the network of examples/microcircuit.toml at `--scale` in both and
reports, from the same run: build and compile times, the run time of the simulation loop
and the real-time factor, peak memory, the per-population rates after the warm-up, and
the ratios neurodyn / Brian2.

The Brian2 network is read from the model file itself (tomllib) and scaled by the rules
of docs/model-file.md `[network]`: population sizes max(1, round(size x s)),
fixed_total_number counts round(n x s^2), round half away from zero; weights, delays,
initial values and stimuli unchanged. The script checks its sizes and synapse count
against those neurodyn reports for the same scale.

  neurons       IF_curr_exp with the file's parameters, exact integration in Brian2
                (method "exact": v, isyn_exc, isyn_inh as one linear system, as neurodyn's
                propagators), v held at v_reset for tau_refrac
  step order    neurodyn's (NEST's): threshold tested after the synapses deliver, delays
                of d whole steps given to Brian2 as (d - 1) dt, refractory tau_refrac + dt
                (bench/brian2_models.py, module docstring, explains each)
  connectivity  per projection n pairs with source and target drawn uniformly, with
                replacement (fixed_total_number: multapses and autapses), NumPy
  weights       normal_clipped of the file: normal(mean, sd = 10 %) redrawn while it has
                the wrong sign
  delays        normal_clipped of the file (>= dt, <= mean + 8 sd), rounded to whole steps
                (half away from zero, as neurodyn's llround)
  drive         per neuron and step a Poisson count of mean K_ext x 8 Hz x dt, each of the
                file's weight (87.8 pA) on the excitatory current: neurodyn's `poisson`
                stimulus exactly (a run_regularly with Brian2's poisson())
  initial v     normal_clipped(-58, 10, -100, -50) mV of the file

The realisations differ (NumPy's generator against neurodyn's counter-based one), so the
two networks are statistically the same, not identical. The rates are compared with the
spread between neurodyn seeds (`--seeds`, each seed a new network, initial state and
drive): with k neurodyn seeds of mean m and sample sd s, the mean x of j Brian2 seeds
(`--brian2-seeds`) drawn from the same (normal) distribution has
(x - m) / (s sqrt(1/j + 1/k)) distributed as Student's t with k - 1 degrees of freedom,
so a population agrees when |x - m| <= t_{k-1}(1 - 5e-4) s sqrt(1/j + 1/k): a two-sided
prediction interval that a same-distribution Brian2 rate leaves with probability 1e-3
per population (8e-3 for the eight). The t quantile, not a normal 4 sd, because s from a
few seeds is itself uncertain: with k = 3 the bound would be 31.6 s sqrt(4/3) and say
almost nothing, hence 5 seeds by default (t_4 = 8.61). The populations of one run are
correlated (a realisation that is a little less excited is so in every layer), so the
eight checks are not independent.

Timings (seconds):
  Brian2  python build: reading the file, NumPy connectivity, creating the Brian2 objects;
          code generation; compile (make from clean, `--make-jobs` jobs); the binary from
          start to exit; run: the simulation loop (Brian2's last_run_info); peak memory of
          the binary alone (os.wait4 on exactly that process, bench/brian2_models.py)
  neurodyn `neurodyn run --scale s --threads 1 --summary-json`: build_time_s, run_time_s,
          peak_memory_mb of its summary, and the peak RSS of its process (os.wait4)

    NEURODYN_BUILD_DIR=build /usr/bin/python3 bench/microcircuit_brian2.py --scale 0.1
    ... --scale 0.25 --duration 1000 --json out.json

Results and the exact command: docs/microcircuit.md, "Side by side with Brian2".
"""

import argparse
import datetime
import json
import math
import os
import pathlib
import platform
import subprocess
import sys
import time
import tomllib

import h5py
import numpy as np
import scipy.stats

HERE = pathlib.Path(__file__).resolve().parent
REPOSITORY = HERE.parent
MODEL = REPOSITORY / "examples" / "microcircuit.toml"
sys.path.insert(0, str(HERE))
import brian2_models  # noqa: E402  (bench/ helpers: device set-up, truncated normal, ISI CV)

FALSE_ALARM_PER_POPULATION = 1e-3  # of the rate-agreement check (module docstring)
NEURON_PARAMETERS = ("cm", "tau_m", "tau_syn_E", "tau_syn_I", "tau_refrac", "v_rest", "v_reset", "v_thresh",
                     "i_offset")


def round_half_away(x: float) -> int:
    """round() of docs/model-file.md: half away from zero (2.5 -> 3)."""
    return int(math.copysign(math.floor(abs(x) + 0.5), x))


def read_model(path: pathlib.Path, scale: float) -> dict:
    """The model file's network at `scale` ([network] rules of docs/model-file.md)."""
    with open(path, "rb") as f:
        model = tomllib.load(f)
    dt_ms = float(model.get("simulation", {}).get("dt", 0.1))
    populations, offset = {}, 0
    shared_params = None
    for pop in model["population"]:
        if pop["model"] != "IF_curr_exp":
            raise ValueError(f"population {pop['name']}: model {pop['model']!r}, only IF_curr_exp is twinned here")
        params = {key: float(pop["params"][key]) for key in NEURON_PARAMETERS}
        if shared_params is None:
            shared_params = params
        elif params != shared_params:
            raise ValueError(f"population {pop['name']}: params {params} differ from the first population's "
                             f"{shared_params}; this twin uses one set of neuron parameters")
        size = max(1, round_half_away(pop["size"] * scale))
        populations[pop["name"]] = {"first": offset, "size": size, "v_init": pop["initial"]["v"]}
        offset += size
    projections = []
    for proj in model["projection"]:
        connector = proj["connector"]
        if connector["type"] != "fixed_total_number" or not connector.get("allow_multapses", True):
            raise ValueError(f"projection {proj['name']}: connector {connector}, only fixed_total_number with "
                             f"multapses is twinned here")
        projections.append({"name": proj["name"], "source": proj["source"], "target": proj["target"],
                            "receptor": proj["receptor"], "n": round_half_away(connector["n"] * scale * scale),
                            "weight": proj["weight"], "delay": proj["delay"]})
    drive_hz = {name: 0.0 for name in populations}
    drive_weight = {}
    for stim in model.get("stimulus", []):
        if stim["type"] != "poisson" or stim.get("receptor", "excitatory") != "excitatory":
            raise ValueError(f"stimulus {stim}: only excitatory poisson stimuli are twinned here")
        if drive_weight.setdefault(stim["target"], stim["weight"]) != stim["weight"]:
            raise ValueError(f"stimulus on {stim['target']}: two poisson stimuli of different weights")
        drive_hz[stim["target"]] += float(stim["rate"])
    return {"dt_ms": dt_ms, "seed": int(model.get("simulation", {}).get("seed", 0)), "params": shared_params,
            "populations": populations, "projections": projections, "drive_hz": drive_hz,
            "drive_weight_nA": drive_weight}


def draw(rng: np.random.Generator, spec: dict, n: int) -> np.ndarray:
    """A value or distribution of the model file, n draws (normal_clipped redraws outside
    [low, high], as neurodyn's)."""
    if not isinstance(spec, dict):
        return np.full(n, float(spec))
    if spec["distribution"] != "normal_clipped":
        raise ValueError(f"distribution {spec['distribution']!r}: only normal_clipped is twinned here")
    return brian2_models.truncated_normal(rng, spec["mean"], spec["std"], spec["low"], spec["high"], n)


def run_brian2(net_spec: dict, duration_ms: float, seed: int, directory: str, make_jobs: int) -> dict:
    t_start = time.perf_counter()
    b2 = brian2_models._prepare_device("cpp_standalone", directory, threads=1)
    b2.prefs.devices.cpp_standalone.extra_make_args_unix = [f"-j{make_jobs}"]
    b2.seed(seed)
    rng = np.random.default_rng(seed)
    ms, mV, nA, nF = b2.ms, b2.mV, b2.nA, b2.nF
    dt = net_spec["dt_ms"]
    b2.defaultclock.dt = dt * ms
    p = net_spec["params"]
    pops = net_spec["populations"]
    n_total = sum(pop["size"] for pop in pops.values())

    namespace = dict(c_m=p["cm"] * nF, tau_m=p["tau_m"] * ms, tau_syn_e=p["tau_syn_E"] * ms,
                     tau_syn_i=p["tau_syn_I"] * ms, v_rest=p["v_rest"] * mV, v_reset=p["v_reset"] * mV,
                     v_thresh=p["v_thresh"] * mV, i_offset=p["i_offset"] * nA)
    eqs = """
    dv/dt = (v_rest - v) / tau_m + (isyn_exc + isyn_inh + i_offset) / c_m : volt (unless refractory)
    disyn_exc/dt = -isyn_exc / tau_syn_e : amp
    disyn_inh/dt = -isyn_inh / tau_syn_i : amp
    drive_mean : 1 (constant)
    drive_weight : amp (constant)
    """
    neurons = b2.NeuronGroup(n_total, eqs, threshold="v >= v_thresh", reset="v = v_reset",
                             refractory=(p["tau_refrac"] + dt) * ms, method="exact", namespace=namespace,
                             name="neurons")
    neurons.set_event_schedule("spike", when="after_synapses")
    v0 = np.empty(n_total)
    drive_mean_count = np.zeros(n_total)  # per step
    drive_weight_nA = np.zeros(n_total)
    for name, pop in pops.items():
        block = slice(pop["first"], pop["first"] + pop["size"])
        v0[block] = draw(rng, pop["v_init"], pop["size"])
        drive_mean_count[block] = net_spec["drive_hz"][name] * dt / 1000.0
        drive_weight_nA[block] = net_spec["drive_weight_nA"].get(name, 0.0)
    neurons.v = v0 * mV
    neurons.drive_mean = drive_mean_count
    neurons.drive_weight = drive_weight_nA * nA
    # neurodyn's poisson stimulus: a Poisson count per neuron and step, added with the
    # synaptic input (before the threshold test).
    neurons.run_regularly("isyn_exc += drive_weight * poisson(drive_mean)", when="synapses", name="drive")

    t_conn = time.perf_counter()
    pairs = {"excitatory": ([], [], [], []), "inhibitory": ([], [], [], [])}
    for proj in net_spec["projections"]:
        source, target, n = pops[proj["source"]], pops[proj["target"]], proj["n"]
        sources, targets, weights, delays = pairs[proj["receptor"]]
        sources.append(source["first"] + rng.integers(0, source["size"], n, dtype=np.int32))
        targets.append(target["first"] + rng.integers(0, target["size"], n, dtype=np.int32))
        weights.append(draw(rng, proj["weight"], n))
        steps = np.floor(draw(rng, proj["delay"], n) / dt + 0.5)  # >= 1: the file's delays are >= dt
        delays.append((steps - 1.0) * dt)  # threshold after the synapses: one step less (docstring)
    connectivity_s = time.perf_counter() - t_conn
    synapse_objects, out_degree = [], np.zeros(n_total, dtype=np.int64)
    n_synapses = 0
    for receptor, (sources, targets, weights, delays) in pairs.items():
        if not sources:
            continue
        i, j = np.concatenate(sources), np.concatenate(targets)
        syn = b2.Synapses(neurons, neurons, "w : amp (constant)",
                          on_pre=f"isyn_{'exc' if receptor == 'excitatory' else 'inh'}_post += w",
                          namespace=namespace, name=f"syn_{receptor}")
        syn.connect(i=i, j=j)
        syn.w = np.concatenate(weights) * nA
        syn.delay = np.concatenate(delays) * ms
        synapse_objects.append(syn)
        out_degree += np.bincount(i, minlength=n_total)
        n_synapses += i.size
    spike_mon = b2.SpikeMonitor(neurons, name="spikes")
    net = b2.Network(neurons, *synapse_objects, spike_mon)
    net.run(duration_ms * ms)  # records the run; nothing is executed yet
    python_build_s = time.perf_counter() - t_start

    t0 = time.perf_counter()
    b2.device.build(directory=directory, compile=True, run=True, clean=True, with_output=False)
    total = time.perf_counter() - t0
    timers = b2.device.timers
    compile_s = float(sum(v for v in timers.get("compile", {}).values() if v is not None))
    binary_s = float(timers.get("run_binary", 0.0))
    run_s = float(b2.device._last_run_time)
    with open(os.path.join(directory, "binary_rusage.json")) as f:
        usage = json.load(f)
    groups = {name: (pop["first"], pop["size"]) for name, pop in pops.items()}
    spikes = brian2_models._collect_spikes(b2, spike_mon, groups, dt)  # stamps + dt: neurodyn's convention
    events = sum(int(out_degree[ids.astype(np.int64) + pops[name]["first"]].sum())
                 for name, (_, ids) in spikes.items())
    return {"neurons": n_total, "synapses": n_synapses, "connectivity_s": connectivity_s,
            "python_build_s": python_build_s, "codegen_s": total - compile_s - binary_s, "compile_s": compile_s,
            "binary_s": binary_s, "run_s": run_s, "construction_s": connectivity_s + max(binary_s - run_s, 0.0),
            "peak_rss_mb": usage["maxrss_kb"] * brian2_models.KIB_TO_MB, "synaptic_events": events,
            "compiler_flags": list(b2.prefs.codegen.cpp.extra_compile_args_gcc), "spikes": spikes,
            "sizes": {name: pop["size"] for name, pop in pops.items()}}


def run_neurodyn(binary: str, scale: float, seed: int, duration_ms: float, workdir: str) -> dict:
    result_h5 = os.path.join(workdir, f"neurodyn_seed{seed}.h5")
    summary_path = os.path.join(workdir, f"neurodyn_seed{seed}_summary.json")
    command = [binary, "run", str(MODEL), "--scale", repr(scale), "--seed", str(seed), "--threads", "1",
               "--duration", repr(duration_ms), "-o", result_h5, "--summary-json", summary_path, "--quiet"]
    start = time.perf_counter()
    with open(os.path.join(workdir, f"neurodyn_seed{seed}.err"), "w+") as err:
        child = subprocess.Popen(command, stderr=err)
        _, status, usage = os.wait4(child.pid, 0)  # the peak RSS of exactly this process
        wall = time.perf_counter() - start
        if os.waitstatus_to_exitcode(status) != 0:
            err.seek(0)
            sys.exit(f"neurodyn exited with {os.waitstatus_to_exitcode(status)}: {' '.join(command)}\n{err.read()}")
    with open(summary_path) as f:
        summary = json.load(f)
    spikes = {}
    with h5py.File(result_h5, "r") as f:
        for name in f["spikes"]:
            spikes[name] = (f[f"spikes/{name}/timestamps"][:], f[f"spikes/{name}/node_ids"][:])
    return {"summary": summary, "spikes": spikes, "wall_s": wall, "command": " ".join(command),
            "peak_rss_mb": usage.ru_maxrss * brian2_models.KIB_TO_MB,
            "sizes": {name: pop["size"] for name, pop in summary["populations"].items()}}


def rates_after(spikes: dict, sizes: dict, t_start_ms: float, t_stop_ms: float) -> dict:
    span_s = (t_stop_ms - t_start_ms) / 1000.0
    return {name: float(np.count_nonzero((t > t_start_ms) & (t <= t_stop_ms))) / (sizes[name] * span_s)
            for name, (t, _) in spikes.items()}


def cv_after(spikes: dict, t_start_ms: float) -> dict:
    return {name: brian2_models.mean_cv_isi(t[t > t_start_ms], i.astype(np.int64)[t > t_start_ms])
            for name, (t, i) in spikes.items()}


def machine_line() -> str:
    cpu = platform.processor() or "unknown CPU"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    import brian2

    load = os.getloadavg()[0]
    return (f"{datetime.date.today().isoformat()}, {cpu}, {os.cpu_count()} cores, load {load:.1f}, "
            f"Brian2 {brian2.__version__}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=0.1, help="network scale (default 0.1)")
    parser.add_argument("--duration", type=float, default=1000.0, help="simulated ms (default 1000)")
    parser.add_argument("--warmup", type=float, default=100.0, help="ms left out of the rates (default 100)")
    parser.add_argument("--seeds", type=int, nargs="+", default=[55, 56, 57, 58, 59],
                        help="neurodyn seeds for the between-seed spread; the first is also Brian2's "
                             "(default 55 .. 59; 55 is the model file's)")
    parser.add_argument("--brian2-seeds", type=int, nargs="+",
                        help="Brian2 seeds (default: the first of --seeds); timings are those of the first, "
                             "the rate compared is their mean")
    parser.add_argument("--neurodyn", default=os.environ.get("NEURODYN_BUILD_DIR", str(REPOSITORY / "build"))
                        + "/neurodyn", help="the neurodyn command (default $NEURODYN_BUILD_DIR/neurodyn)")
    parser.add_argument("--make-jobs", type=int, default=1, help="make -j for Brian2's compile (default 1)")
    parser.add_argument("--workdir", help=f"default {brian2_models.WORK_ROOT}/microcircuit_s<scale>")
    parser.add_argument("--json", help="write every number here")
    args = parser.parse_args()
    if args.scale <= 0:
        parser.error(f"--scale must be > 0, got {args.scale}")
    if args.duration <= args.warmup:
        parser.error(f"--duration ({args.duration} ms) must exceed --warmup ({args.warmup} ms)")
    args.brian2_seeds = args.brian2_seeds or args.seeds[:1]
    if len(args.seeds) < 2:
        parser.error(f"--seeds: at least 2 for a spread, got {args.seeds}")
    if not os.access(args.neurodyn, os.X_OK):
        parser.error(f"--neurodyn: no executable at {args.neurodyn}")
    workdir = args.workdir or os.path.join(brian2_models.WORK_ROOT, f"microcircuit_s{args.scale:g}")
    os.makedirs(workdir, exist_ok=True)
    seconds = args.duration / 1000.0

    net_spec = read_model(MODEL, args.scale)
    print(f"neurodyn, seeds {args.seeds} ...", flush=True)
    nd_runs = [run_neurodyn(args.neurodyn, args.scale, seed, args.duration, workdir) for seed in args.seeds]
    nd = nd_runs[0]
    expected_sizes = {name: pop["size"] for name, pop in net_spec["populations"].items()}
    expected_synapses = sum(proj["n"] for proj in net_spec["projections"])
    if nd["sizes"] != expected_sizes or nd["summary"]["synapses"] != expected_synapses:
        sys.exit(f"scaling differs from neurodyn's: sizes {expected_sizes} vs {nd['sizes']}, synapses "
                 f"{expected_synapses} vs {nd['summary']['synapses']}")

    print(f"Brian2 cpp_standalone, seed {args.brian2_seeds[0]} (generate, compile with make -j{args.make_jobs}, run) ...",
          flush=True)
    b2 = run_brian2(net_spec, args.duration, args.brian2_seeds[0], os.path.join(workdir, "brian2_project"), args.make_jobs)
    b2_runs = [b2]
    for seed in args.brian2_seeds[1:]:
        print(f"Brian2, seed {seed} ...", flush=True)
        b2_runs.append(run_brian2(net_spec, args.duration, seed, os.path.join(workdir, f"brian2_project_{seed}"),
                                  args.make_jobs))

    populations = list(expected_sizes)
    b2_rates_per_seed = [rates_after(run["spikes"], run["sizes"], args.warmup, args.duration) for run in b2_runs]
    b2_rates = {p: float(np.mean([r[p] for r in b2_rates_per_seed])) for p in b2_rates_per_seed[0]}
    b2_cv = cv_after(b2["spikes"], args.warmup)
    nd_rates = [rates_after(run["spikes"], run["sizes"], args.warmup, args.duration) for run in nd_runs]
    nd_cv = cv_after(nd["spikes"], args.warmup)
    k, j = len(nd_runs), len(b2_runs)
    nd_mean = {p: float(np.mean([r[p] for r in nd_rates])) for p in populations}
    nd_sd = {p: float(np.std([r[p] for r in nd_rates], ddof=1)) for p in populations}

    s = nd["summary"]
    nd_peak_mb = s["peak_memory_mb"]
    rows = [
        ("neurons", sum(nd["sizes"].values()), b2["neurons"]),
        ("synapses", s["synapses"], b2["synapses"]),
        ("build / construction (s)", s["build_time_s"], b2["construction_s"]),
        ("Brian2: Python build, code generation, compile (s)", None,
         b2["python_build_s"] + b2["codegen_s"] + b2["compile_s"]),
        ("run, simulation loop (s)", s["run_time_s"], b2["run_s"]),
        ("real-time factor", s["run_time_s"] / seconds, b2["run_s"] / seconds),
        ("synaptic events in the run", s["synaptic_events"], b2["synaptic_events"]),
        ("peak memory, simulator process (MB)", nd["peak_rss_mb"], b2["peak_rss_mb"]),
        ("peak memory, neurodyn's own figure (MB)", nd_peak_mb, None),
    ]
    machine = machine_line()
    print(f"\nMachine: {machine}")
    print(f"scale {args.scale:g}, {args.duration:g} ms, one thread; rates over ({args.warmup:g}, {args.duration:g}] ms")
    print(f"Brian2: Python build {b2['python_build_s']:.1f} s (NumPy connectivity {b2['connectivity_s']:.1f} s), "
          f"code generation {b2['codegen_s']:.1f} s, compile {b2['compile_s']:.1f} s, binary {b2['binary_s']:.1f} s; "
          f"flags {' '.join(b2['compiler_flags'])}")
    print(f"\n{'':52} {'neurodyn':>12} {'Brian2':>12} {'nd / B2':>8}")
    for name, a, b in rows:
        ratio = f"{a / b:.3g}" if a is not None and b else ""
        fa = "" if a is None else (f"{a:,}" if isinstance(a, int) else f"{a:.3g}")
        fb = "" if b is None else (f"{b:,}" if isinstance(b, int) else f"{b:.3g}")
        print(f"{name:52} {fa:>12} {fb:>12} {ratio:>8}")

    # Two-sided prediction interval of one new realisation, 1e-3 per population (docstring).
    limit_factor = float(scipy.stats.t.ppf(1.0 - FALSE_ALARM_PER_POPULATION / 2.0, k - 1)) * math.sqrt(1.0 / j + 1.0 / k)
    print(f"\n{'population':<10} {'neurodyn':>9} {'nd mean':>8} {'nd sd':>7} {'B2 mean':>8} {'B2 - nd':>10} "
          f"{'in sd':>6} {'CV nd':>6} {'CV B2':>6}  agree (|diff| <= {limit_factor:.2f} sd)")
    agreement = {}
    for p in populations:
        diff = b2_rates[p] - nd_mean[p]
        z = diff / nd_sd[p] if nd_sd[p] > 0 else float("inf")
        ok = abs(diff) <= limit_factor * nd_sd[p]
        agreement[p] = {"difference_hz": diff, "difference_in_sd": z, "agree": bool(ok)}
        print(f"{p:<10} {nd_rates[0][p]:>9.3f} {nd_mean[p]:>8.3f} {nd_sd[p]:>7.3f} {b2_rates[p]:>8.3f} "
              f"{diff:>+10.3f} {z:>+6.1f} {nd_cv[p]:>6.3f} {b2_cv[p]:>6.3f}  {'yes' if ok else 'NO'}")
    print("neurodyn per seed: " + "; ".join(
        f"{seed}: " + " ".join(f"{r[p]:.2f}" for p in populations) for seed, r in zip(args.seeds, nd_rates)))
    print("Brian2 per seed:   " + "; ".join(
        f"{seed}: " + " ".join(f"{r[p]:.2f}" for p in populations)
        for seed, r in zip(args.brian2_seeds, b2_rates_per_seed)))

    if args.json:
        out = {"machine": machine, "command": " ".join(["/usr/bin/python3", "bench/microcircuit_brian2.py"]
                                                         + sys.argv[1:]),
               "scale": args.scale, "duration_ms": args.duration, "warmup_ms": args.warmup, "seeds": args.seeds,
               "neurodyn": {"summary": s, "command": nd["command"], "wall_s": nd["wall_s"], "peak_rss_mb": nd["peak_rss_mb"],
                            "rates_hz_per_seed": nd_rates, "rate_mean_hz": nd_mean, "rate_sd_hz": nd_sd,
                            "cv_isi": nd_cv},
               "brian2": {key: value for key, value in b2.items() if key != "spikes"} | {"rates_hz": b2_rates, "rates_hz_per_seed": b2_rates_per_seed,
                                                                                        "cv_isi": b2_cv},
               "agreement": agreement, "agreement_limit_in_sd": limit_factor}
        with open(args.json, "w") as f:
            json.dump(out, f, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
