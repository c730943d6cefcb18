#!/usr/bin/python3
"""neurodyn against Brian2 (C++ standalone) on the example networks, side by side.

Why: Brian2 is the peer that runs on the same machine (Debian's python3-brian), so it
is the one measured here, not quoted. Each simulator runs the same network
(examples/brunel.toml for 1 s, examples/coba.toml for 10 s, examples/cobahh.toml for
0.5 s, examples/adex.toml for 1 s; Brian2 twins in bench/brian2_models.py) on one thread
with the same seed, each in its own process, and the script reports:

  construction  neurodyn: build_time_s of its summary (connectivity, state, buffers).
                Brian2: drawing the connectivity with NumPy + the part of the compiled
                binary that is not the simulation loop (loading the connection arrays,
                creating synapses, initialising, writing results).
  codegen+compile  Brian2 only: generating the C++ project and compiling it (make from
                clean); neurodyn reads the model file at run time and needs neither.
  run           the simulation loop alone (neurodyn run_time_s; Brian2's own
                last_run_info), and the real-time factor run / simulated time.
  wall          the whole process, start to exit.
  events/s      neurodyn: synaptic_events / run_time_s from its summary. Brian2: recurrent
                synaptic events (each spike times its source's out-degree, counted from
                the actual connectivity) / run. A like-for-like recurrent estimate for
                both (spikes x mean out-degree) is also given.
  memory        peak resident memory of the simulating process: neurodyn's summary (and
                its process as measured here); Brian2's compiled binary alone, and the
                Brian2 process tree with Python and the compiler.
  bytes/synapse neurodyn's accounting; Brian2's per-synapse arrays (see
                brian2_models.per_synapse_bytes).
  agreement     mean E and I rates, ISI CV.

Rate agreement. The networks are chaotic, and the two simulators draw different
realisations of the same random network, so spike trains cannot be compared, only
statistics. The between-seed standard deviation s of each population rate is measured
with Brian2 on the benchmark seed and --spread-seeds further seeds (the run-to-run
spread of a finite network, which dominates any integrator difference). The difference
of two independent runs has standard deviation sqrt(2) s, and the rates agree when
|rate_neurodyn - rate_Brian2| <= 4 sqrt(2) s. For a Gaussian spread that fails by chance
with probability 6e-5 per population; the factor 4 also covers the uncertainty of s
estimated from a few seeds (with 4 seeds the 95 % upper bound of s is about 3.7 s).

Process memory is read with os.wait4 on each child, which gives that process' (and its
reaped children's) peak RSS, so one run's memory never masks another's (as
getrusage(RUSAGE_CHILDREN), a maximum over all children so far, could). MB = 10^6 bytes
throughout, as in neurodyn's summary.

Commands (from the repository root):

    /usr/bin/python3 bench/compare_brian2.py --brian2-only             # Brian2 half only
    /usr/bin/python3 bench/compare_brian2.py --neurodyn build/neurodyn \\
        --json results/compare_brian2.json --markdown results/compare_brian2.md
    /usr/bin/python3 bench/compare_brian2.py --neurodyn build/neurodyn --networks cobahh adex \\
        --json results/compare_hh_adex.json --markdown results/compare_hh_adex.md

The default is --networks brunel coba; cobahh and adex are chosen by name.

Everything temporary goes under /tmp/neurodyn-brian2 (--workdir).
"""

from __future__ import annotations

import argparse
import datetime
import json
import math
import os
import platform
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, HERE)
import brian2_models  # noqa: E402

NETWORKS = {
    # model file, benchmark duration (ms), mean out-degree of each population for the
    # like-for-like recurrent event estimate (derived from the connectivity rule)
    "brunel": dict(
        model="examples/brunel.toml", duration_ms=1000.0,
        # fixed in-degree: every one of the 12500 neurons has 1000 E and 250 I sources
        mean_out_degree={"E": 12500 * 1000 / 10000, "I": 12500 * 250 / 2500}),
    "coba": dict(
        model="examples/coba.toml", duration_ms=10000.0,
        # fixed probability 0.02 onto all 4000 neurons
        mean_out_degree={"E": 0.02 * 4000, "I": 0.02 * 4000}),
    # Hodgkin-Huxley: neurodyn's RK4 with 10 sub-steps per step costs ~70x real time on
    # this machine, so 0.5 s keeps its run under ~60 s (docs/benchmarks.md).
    "cobahh": dict(
        model="examples/cobahh.toml", duration_ms=500.0,
        mean_out_degree={"E": 0.02 * 4000, "I": 0.02 * 4000}),
    "adex": dict(
        model="examples/adex.toml", duration_ms=1000.0,
        mean_out_degree={"E": 0.02 * 4000, "I": 0.02 * 4000}),
}


def run_measured(cmd: list[str], log_stem: str, cwd: str | None = None) -> dict:
    """Runs cmd with its output in log_stem.{out,err}; returns exit status, wall time and
    the peak RSS of its process tree (os.wait4 on exactly this child)."""
    start = time.perf_counter()
    with open(log_stem + ".out", "w") as out, open(log_stem + ".err", "w") as err:
        child = subprocess.Popen(cmd, cwd=cwd, stdout=out, stderr=err)
        _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - start
    with open(log_stem + ".err") as f:
        stderr_tail = f.read()[-4000:]
    return {"rc": os.waitstatus_to_exitcode(status), "wall_s": wall,
            "peak_rss_mb": usage.ru_maxrss * brian2_models.KIB_TO_MB,
            "stderr_tail": stderr_tail, "cmd": " ".join(cmd), "log": log_stem}


def cv_isi_from_spikes(times_ms: np.ndarray, ids: np.ndarray) -> float:
    return brian2_models.mean_cv_isi(np.asarray(times_ms, dtype=float), np.asarray(ids, dtype=np.int64))


def run_neurodyn(binary: str, network: str, seed: int, duration_ms: float, workdir: str) -> dict:
    spec = NETWORKS[network]
    out_h5 = os.path.join(workdir, f"neurodyn_{network}.h5")
    summary_json = os.path.join(workdir, f"neurodyn_{network}_summary.json")
    for stale in (out_h5, summary_json):
        if os.path.exists(stale):
            os.remove(stale)
    cmd = [binary, "run", os.path.join(REPO, spec["model"]), "-o", out_h5, "--summary-json", summary_json,
           "--seed", str(seed), "--duration", f"{duration_ms:g}", "--quiet"]
    proc = run_measured(cmd, os.path.join(workdir, f"neurodyn_{network}"))
    if proc["rc"] != 0:
        raise RuntimeError(f"neurodyn failed (exit {proc['rc']}): {proc['cmd']}\n{proc['stderr_tail']}")
    with open(summary_json) as f:
        summary = json.load(f)
    result = {"process": {k: proc[k] for k in ("wall_s", "peak_rss_mb", "cmd")}, "summary": summary}
    pops = summary["populations"]
    result["rates_hz"] = {p: pops[p]["rate_hz"] for p in pops}
    result["cv_isi_summary"] = {p: pops[p].get("cv_isi") for p in pops}
    result["spike_counts"] = {p: int(pops[p]["spikes"]) for p in pops}
    # The same CV estimator as for Brian2, from the result file.
    try:
        import h5py

        with h5py.File(out_h5, "r") as f:
            result["cv_isi"] = {p: cv_isi_from_spikes(f[f"spikes/{p}/timestamps"][:], f[f"spikes/{p}/node_ids"][:])
                                for p in f["spikes"]}
    except (ImportError, OSError, KeyError) as error:
        print(f"  note: CV from {out_h5} not computed ({error}); using the summary's", file=sys.stderr)
        result["cv_isi"] = result["cv_isi_summary"]
    return result


def run_brian2(network: str, seed: int, duration_ms: float, threads: int, workdir: str, clean: bool) -> dict:
    tag = f"{network}_seed{seed}"
    out_json = os.path.join(workdir, f"brian2_{tag}.json")
    cmd = [sys.executable, os.path.join(HERE, "brian2_models.py"), network, "--device", "cpp_standalone",
           "--threads", str(threads), "--seed", str(seed), "--duration", f"{duration_ms:g}",
           "--directory", os.path.join(workdir, f"brian2_{network}_project"), "--json", out_json]
    if clean:
        cmd.append("--clean")
    proc = run_measured(cmd, os.path.join(workdir, f"brian2_{tag}"), cwd=workdir)
    if proc["rc"] != 0:
        raise RuntimeError(f"Brian2 twin failed (exit {proc['rc']}): {proc['cmd']}\n{proc['stderr_tail']}")
    with open(out_json) as f:
        summary = json.load(f)
    return {"process": {k: proc[k] for k in ("wall_s", "peak_rss_mb", "cmd")}, "summary": summary}


def recurrent_events_estimate(spike_counts: dict, network: str) -> float:
    degrees = NETWORKS[network]["mean_out_degree"]
    return float(sum(spike_counts[p] * degrees[p] for p in spike_counts))


def compare_network(network: str, args) -> dict:
    duration_ms = args.duration.get(network, NETWORKS[network]["duration_ms"])
    print(f"== {network}: {duration_ms:g} ms, seed {args.seed}, {args.threads} thread(s)", flush=True)
    entry = {"network": network, "duration_ms": duration_ms, "seed": args.seed, "threads": args.threads}

    print("  Brian2 (cpp_standalone, clean build) ...", flush=True)
    b2 = run_brian2(network, args.seed, duration_ms, args.threads, args.workdir, clean=True)
    s = b2["summary"]
    brian2 = {
        "synapses": s["synapses"],
        "construction_s": s["connectivity_s"] + max(s["binary_s"] - s["run_s"], 0.0),
        "python_build_s": s["build_s"],
        "codegen_s": s["codegen_s"],
        "compile_s": s["compile_s"],
        "run_s": s["run_s"],
        "realtime_factor": s["run_s"] / (duration_ms / 1000.0),
        "wall_s": b2["process"]["wall_s"],
        "synaptic_events": s["synaptic_events"],
        "events_per_s": s["synaptic_events"] / s["run_s"] if s["run_s"] > 0 else float("nan"),
        "recurrent_events_estimate_per_s": recurrent_events_estimate(s["spike_counts"], network) / s["run_s"],
        "peak_rss_binary_mb": s["peak_rss_mb"],
        "peak_rss_tree_mb": b2["process"]["peak_rss_mb"],
        "bytes_per_synapse": s["bytes_per_synapse"],
        "rates_hz": s["rates_hz"],
        "cv_isi": s["cv_isi"],
        "spike_counts": s["spike_counts"],
        "compiler_flags": s["compiler_flags"],
        "command": b2["process"]["cmd"],
    }
    entry["brian2"] = brian2
    print(f"    rates {fmt_rates(brian2['rates_hz'])}, run {brian2['run_s']:.2f} s, "
          f"compile {brian2['compile_s']:.1f} s, binary peak {brian2['peak_rss_binary_mb']:.0f} MB", flush=True)

    # Between-seed spread of the population rates, for the agreement test.
    spread_rates = {p: [v] for p, v in brian2["rates_hz"].items()}
    for k in range(1, args.spread_seeds + 1):
        seed = args.seed + k
        print(f"  Brian2 spread run, seed {seed} ...", flush=True)
        extra = run_brian2(network, seed, duration_ms, args.threads, args.workdir, clean=False)
        for p, v in extra["summary"]["rates_hz"].items():
            spread_rates[p].append(v)
    entry["brian2_seed_rates_hz"] = spread_rates
    sd = {p: float(np.std(v, ddof=1)) if len(v) > 1 else float("nan") for p, v in spread_rates.items()}
    entry["brian2_rate_sd_hz"] = sd

    if not args.brian2_only:
        print("  neurodyn ...", flush=True)
        nd = run_neurodyn(args.neurodyn, network, args.seed, duration_ms, args.workdir)
        ns = nd["summary"]
        neurodyn = {
            "synapses": ns["synapses"],
            "construction_s": ns["build_time_s"],
            "run_s": ns["run_time_s"],
            "realtime_factor": ns["run_time_s"] / (duration_ms / 1000.0),
            "wall_s": nd["process"]["wall_s"],
            "synaptic_events": ns["synaptic_events"],
            "events_per_s": ns["events_per_second"],
            "recurrent_events_estimate_per_s": recurrent_events_estimate(nd["spike_counts"], network) / ns["run_time_s"],
            "peak_rss_summary_mb": ns["peak_memory_mb"],
            "peak_rss_process_mb": nd["process"]["peak_rss_mb"],
            "bytes_per_synapse": ns["bytes_per_synapse"],
            "rates_hz": nd["rates_hz"],
            "cv_isi": nd["cv_isi"],
            "spike_counts": nd["spike_counts"],
            "phases_s": ns.get("phases_s"),
            "command": nd["process"]["cmd"],
        }
        entry["neurodyn"] = neurodyn
        print(f"    rates {fmt_rates(neurodyn['rates_hz'])}, run {neurodyn['run_s']:.2f} s", flush=True)
        agreement = {}
        for p in brian2["rates_hz"]:
            diff = neurodyn["rates_hz"][p] - brian2["rates_hz"][p]
            limit = 4.0 * math.sqrt(2.0) * sd[p]
            agreement[p] = {"difference_hz": diff, "limit_hz": limit, "relative": diff / brian2["rates_hz"][p]
                            if brian2["rates_hz"][p] else float("nan"), "agree": bool(abs(diff) <= limit)}
        entry["rate_agreement"] = agreement
    return entry


def fmt_rates(rates: dict) -> str:
    return ", ".join(f"{p} {v:.2f} Hz" for p, v in rates.items())


def ratio(a, b):
    if a is None or b is None or not b or (isinstance(b, float) and math.isnan(b)):
        return ""
    return f"{a / b:.3g}"


def fmt(value, digits=3):
    if value is None:
        return "n/a"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        if math.isnan(value):
            return "n/a"
        if abs(value) >= 1e5:
            return f"{value:.3g}"
        return f"{value:.{digits}g}"
    return str(value)


def table_rows(entry: dict) -> list[tuple[str, object, object, str]]:
    b = entry["brian2"]
    n = entry.get("neurodyn")

    def get(d, key):
        return d.get(key) if d else None

    rows = [
        ("synapses", get(n, "synapses"), b["synapses"]),
        ("construction (s)", get(n, "construction_s"), b["construction_s"]),
        ("code generation + compile (s), Brian2 only", None, b["codegen_s"] + b["compile_s"]),
        ("run, simulation loop (s)", get(n, "run_s"), b["run_s"]),
        ("real-time factor (run / simulated)", get(n, "realtime_factor"), b["realtime_factor"]),
        ("wall, whole process (s)", get(n, "wall_s"), b["wall_s"]),
        ("synaptic events / s (own count)", get(n, "events_per_s"), b["events_per_s"]),
        ("recurrent events / s (spikes x mean out-degree)", get(n, "recurrent_events_estimate_per_s"),
         b["recurrent_events_estimate_per_s"]),
        ("peak memory of the simulator (MB)", get(n, "peak_rss_summary_mb"), b["peak_rss_binary_mb"]),
        ("peak memory, process tree (MB)", get(n, "peak_rss_process_mb"), b["peak_rss_tree_mb"]),
        ("bytes per synapse", get(n, "bytes_per_synapse"), b["bytes_per_synapse"]),
    ]
    for p in b["rates_hz"]:
        rows.append((f"rate {p} (Hz)", n["rates_hz"][p] if n else None, b["rates_hz"][p]))
    for p in b["cv_isi"]:
        rows.append((f"ISI CV {p}", n["cv_isi"].get(p) if n else None, b["cv_isi"][p]))
    return [(name, nv, bv, ratio(nv, bv) if nv is not None else "") for name, nv, bv in rows]


def render_text(entries: list[dict]) -> str:
    lines = []
    for entry in entries:
        lines.append(f"\n{entry['network']}: {entry['duration_ms']:g} ms simulated, seed {entry['seed']}, "
                     f"{entry['threads']} thread(s)")
        lines.append(f"{'':48} {'neurodyn':>12} {'Brian2':>12} {'ratio':>8}")
        for name, nv, bv, r in table_rows(entry):
            lines.append(f"{name:48} {fmt(nv):>12} {fmt(bv):>12} {r:>8}")
        lines.extend(agreement_lines(entry))
    return "\n".join(lines)


def agreement_lines(entry: dict) -> list[str]:
    sd = entry["brian2_rate_sd_hz"]
    seeds = len(next(iter(entry["brian2_seed_rates_hz"].values())))
    out = [f"between-seed SD of Brian2 rates over {seeds} seeds: "
           + ", ".join(f"{p} {v:.3f} Hz" for p, v in sd.items())]
    for p, a in entry.get("rate_agreement", {}).items():
        out.append(f"rate {p}: neurodyn - Brian2 = {a['difference_hz']:+.3f} Hz ({a['relative']:+.2%}), "
                   f"limit 4*sqrt(2)*SD = {a['limit_hz']:.3f} Hz: {'agree' if a['agree'] else 'DISAGREE'}")
    return out


def machine_line() -> str:
    cpu = platform.processor() or "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    try:
        commit = subprocess.run(["git", "-C", REPO, "rev-parse", "--short", "HEAD"], capture_output=True,
                                text=True).stdout.strip()
    except OSError:
        commit = ""
    import brian2

    return (f"{datetime.date.today().isoformat()}, {cpu}, {os.cpu_count()} cores, Linux {platform.release()}, "
            f"Brian2 {brian2.__version__}" + (f", neurodyn {commit}" if commit else ""))


def render_markdown(entries: list[dict], machine: str, command: str) -> str:
    out = [f"Machine: {machine}  ", f"Command: `{command}`", ""]
    for entry in entries:
        out.append(f"### {entry['network']}: {entry['duration_ms']:g} ms, seed {entry['seed']}, "
                   f"{entry['threads']} thread(s)")
        out.append("")
        out.append("| | neurodyn | Brian2 (cpp_standalone) | neurodyn / Brian2 |")
        out.append("|---|---:|---:|---:|")
        for name, nv, bv, r in table_rows(entry):
            out.append(f"| {name} | {fmt(nv)} | {fmt(bv)} | {r} |")
        out.append("")
        out.extend(f"- {line}" for line in agreement_lines(entry))
        out.append(f"- Brian2 compiler flags: `{' '.join(entry['brian2']['compiler_flags'])}`")
        out.append("")
    return "\n".join(out)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Benchmark neurodyn against Brian2 on the example networks.")
    parser.add_argument("--neurodyn", default=os.path.join(REPO, "build", "neurodyn"),
                        help="the neurodyn command (default build/neurodyn)")
    parser.add_argument("--brian2-only", action="store_true", help="run only the Brian2 half")
    parser.add_argument("--networks", nargs="+", choices=sorted(NETWORKS), default=["brunel", "coba"])
    parser.add_argument("--seed", type=int, default=12345)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--brunel-duration", type=float, default=NETWORKS["brunel"]["duration_ms"], help="ms")
    parser.add_argument("--coba-duration", type=float, default=NETWORKS["coba"]["duration_ms"], help="ms")
    parser.add_argument("--cobahh-duration", type=float, default=NETWORKS["cobahh"]["duration_ms"], help="ms")
    parser.add_argument("--adex-duration", type=float, default=NETWORKS["adex"]["duration_ms"], help="ms")
    parser.add_argument("--spread-seeds", type=int, default=3,
                        help="extra Brian2 seeds for the between-seed rate spread (default 3)")
    parser.add_argument("--workdir", default=os.path.join(brian2_models.WORK_ROOT, "compare"))
    parser.add_argument("--json", help="write every number here")
    parser.add_argument("--markdown", help="write the tables here")
    args = parser.parse_args(argv)
    args.duration = {"brunel": args.brunel_duration, "coba": args.coba_duration, "cobahh": args.cobahh_duration,
                     "adex": args.adex_duration}
    if not args.brian2_only and not (os.path.isfile(args.neurodyn) and os.access(args.neurodyn, os.X_OK)):
        parser.error(f"--neurodyn: no executable at {args.neurodyn}; build it (scripts/build.sh) or run "
                     f"the Brian2 half alone with --brian2-only")
    if args.spread_seeds < 1:
        parser.error("--spread-seeds must be >= 1 to estimate the between-seed spread of the rates")
    os.makedirs(args.workdir, exist_ok=True)

    command = " ".join(["/usr/bin/python3", "bench/compare_brian2.py"] + (argv if argv is not None else sys.argv[1:]))
    entries = [compare_network(network, args) for network in args.networks]
    machine = machine_line()
    print(f"\nMachine: {machine}")
    print(render_text(entries))
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"machine": machine, "command": command, "results": entries}, f, indent=2)
    if args.markdown:
        with open(args.markdown, "w") as f:
            f.write(render_markdown(entries, machine, command) + "\n")
    disagreements = [(e["network"], p) for e in entries for p, a in e.get("rate_agreement", {}).items()
                     if not a["agree"]]
    if disagreements:
        print("rates disagree: " + ", ".join(f"{n} {p}" for n, p in disagreements), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
