#!/usr/bin/env python3
"""Strong and weak scaling of `neurodyn run` over threads and MPI ranks.

    /usr/bin/python3 bench/scaling.py --neurodyn build/neurodyn [--model examples/brunel.toml]
        [--configs 1x1,1x2,2x1] [--duration 1000] [--repeats 1] [--weak]

Each configuration RxT runs the model on R ranks (mpirun; R = 1 runs without mpirun)
with T threads each, and reports wall-clock run time, the speed-up over the first
configuration, the time of each phase (update, delivery, exchange) on rank 0 and the
communication volume per min-delay epoch: every rank receives every spike of the
epoch, 8 bytes each (docs/scaling.md).

--weak grows the network with the number of ranks: every population's `size` in the
model file is multiplied by R while the connectors' in-degrees stay as written, so each
rank keeps the same neurons, synapses and spikes, and the growth of the exchange shows.

Every configuration must give the same spikes as the first (compared through the
per-population spike counts of the summary; python/tests/test_mpi.py checks the spikes
themselves); a difference is reported as an error.
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

MPI_ENV = {"OMPI_ALLOW_RUN_AS_ROOT": "1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1",
           "OMPI_MCA_btl_vader_single_copy_mechanism": "none"}


def run(binary, model, ranks, threads, duration, extra, directory):
    summary = os.path.join(directory, f"summary_{ranks}x{threads}.json")
    command = [binary, "run", model, "--no-output", "--quiet", "--threads", str(threads), "--duration",
               str(duration), "--summary-json", summary, *extra]
    if ranks > 1:
        mpirun = shutil.which("mpirun")
        if mpirun is None:
            sys.exit("mpirun not found (Debian: openmpi-bin)")
        command = [mpirun, "--oversubscribe", "--bind-to", "none", "-np", str(ranks)] + command
    env = dict(os.environ)
    env.update(MPI_ENV)
    # Sleeping OpenMP threads only when the cores are oversubscribed: spinning is faster
    # otherwise (a step has several parallel regions).
    if ranks * threads > (os.cpu_count() or 1):
        env["OMP_WAIT_POLICY"] = "passive"
    process = subprocess.run(command, capture_output=True, text=True, env=env)
    if process.returncode != 0:
        sys.exit(f"{' '.join(command)} failed:\n{process.stderr}")
    with open(summary) as f:
        return json.load(f)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--neurodyn", default="build/neurodyn")
    parser.add_argument("--model", default="examples/brunel.toml")
    parser.add_argument("--configs", default="1x1,1x2,2x1", help="comma-separated RANKSxTHREADS")
    parser.add_argument("--duration", type=float, default=1000.0, help="simulated ms")
    parser.add_argument("--repeats", type=int, default=1, help="runs per configuration; the fastest counts")
    parser.add_argument("--weak", action="store_true", help="scale the network with the number of ranks")
    parser.add_argument("--scale", type=float, default=1.0, help="the model's scale (times R with --weak)")
    parser.add_argument("--json", help="also write the table as JSON")
    args = parser.parse_args()

    configs = [tuple(int(x) for x in c.split("x")) for c in args.configs.split(",")]
    rows = []
    with open(args.model) as f:
        model_text = f.read()
    with tempfile.TemporaryDirectory() as directory:
        for ranks, threads in configs:
            extra = [] if args.scale == 1.0 else ["--scale", repr(args.scale)]
            scale = args.scale
            model = args.model
            if args.weak:
                model = os.path.join(directory, f"weak_{ranks}.toml")
                with open(model, "w") as f:
                    f.write(re.sub(r"^(size\s*=\s*)(\d+)", lambda m: m.group(1) + str(int(m.group(2)) * ranks),
                                   model_text, flags=re.M))
                scale = ranks
            best = None
            for _ in range(args.repeats):
                summary = run(args.neurodyn, model, ranks, threads, args.duration, extra, directory)
                if best is None or summary["run_time_s"] < best["run_time_s"]:
                    best = summary
            spikes = sum(p["spikes"] for p in best["populations"].values())
            epochs = args.duration / best["min_delay_ms"] if best.get("min_delay_ms") else float("nan")
            rows.append({"ranks": ranks, "threads": threads, "scale": scale, "run_s": best["run_time_s"],
                         "build_s": best["build_time_s"], "phases": best["phases_s"], "spikes": spikes,
                         "counts": {k: v["spikes"] for k, v in best["populations"].items()},
                         "synapses": best["synapses"], "epochs": epochs,
                         "bytes_per_epoch": 8.0 * spikes / epochs * ranks,
                         "peak_mb": best["peak_memory_mb"]})

    base = rows[0]
    print(f"model {args.model}, {args.duration:g} ms{' (weak scaling)' if args.weak else ''}")
    print(f"{'R x T':>6} {'scale':>6} {'run s':>8} {'speed-up':>8} {'update':>7} {'deliv.':>7} {'exch.':>7} "
          f"{'spikes/epoch':>12} {'recv B/epoch':>12} {'peak MB':>8}")
    for row in rows:
        speedup = base["run_s"] / row["run_s"]
        if not args.weak and row["counts"] != base["counts"]:
            print(f"ERROR: {row['ranks']}x{row['threads']} gave other spike counts than {base['ranks']}x{base['threads']}")
        p = row["phases"]
        print(f"{row['ranks']:>3} x {row['threads']:<2}{row['scale']:>6g} {row['run_s']:8.2f} {speedup:8.2f} "
              f"{p['update']:7.2f} {p['delivery']:7.2f} {p['exchange']:7.2f} "
              f"{row['spikes'] / row['epochs']:12.1f} {row['bytes_per_epoch']:12.0f} {row['peak_mb']:8.1f}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(rows, f, indent=1)


if __name__ == "__main__":
    main()
