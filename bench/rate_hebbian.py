#!/usr/bin/python3
"""Hebbian plasticity of a rate projection (Oja's rule) in neurodyn and in Brian2, side by
side, with the static twin of each: what learning at every step costs per synapse.

Why it exists: a rate_hebbian projection is read as a gather where its targets live and
updates every weight at every step (include/neurodyn/engine/plastic_rate.hpp), where a
static rate projection is pushed once per epoch. This script gives the figures of
docs/benchmarks.md ("Hebbian rate projection").

The network (chosen here):
  x   1,000 input rate units; each step's output is 0.5 x a Poisson count of mean 0.2,
      redrawn every step (neurodyn: LeakyRate with tau 1e-6 ms, linear, driven by a
      2000 Hz Poisson input of weight 0.5; Brian2: run_regularly with poisson(0.2))
  y   1,000 leaky rate units, tau 10 ms, output tanh(x) (LeakyRate; Brian2: the same
      linear equation integrated exactly, r = tanh(v))
  x -> y  fixed probability 0.05 (about 50,000 synapses), weight 0.01, delay one step
      (Brian2's summed variable has none); static, or Oja's rule dw/dt = eta y (x - y w)
      with eta = 1e-3 /ms (Brian2: a clock-driven dw/dt, forward Euler)
dt 0.1 ms, 1 s simulated, one thread. Brian2 runs in runtime mode with Cython; its first
run (code generation and compilation) is a 1 ms warm-up outside the timing.

    NEURODYN_BUILD_DIR=build /usr/bin/python3 bench/rate_hebbian.py [--duration 1000] [--repeats 3]
"""

import argparse
import json
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.join(os.environ.get("NEURODYN_BUILD_DIR", "build"), "python"))
import neurodyn as nd  # noqa: E402

DT = 0.1
N_IN, N_OUT, P = 1000, 1000, 0.05
TAU_Y, ETA, W0 = 10.0, 1e-3, 0.01


def run_neurodyn(duration_ms, plastic, seed=1):
    net = nd.Network(dt=DT, seed=seed)
    x = net.population("x", "LeakyRate", N_IN, params={"tau": 1e-6, "transfer": "linear"})
    y = net.population("y", "LeakyRate", N_OUT, params={"tau": TAU_Y, "transfer": "tanh"})
    net.poisson_input(x, rate=2000.0, weight=0.5, receptor="input")
    synapse = nd.rate_hebbian("oja", eta=ETA) if plastic else None
    net.connect(x, y, nd.fixed_probability(P), weight=W0, delay=DT, receptor="input", synapse=synapse, name="xy")
    sim = net.build()
    start = time.perf_counter()
    sim.run(duration_ms)
    seconds = time.perf_counter() - start
    w = sim.weights("xy")
    return {"seconds": seconds, "synapses": int(sim.synapse_count), "mean_weight": float(np.mean(w)),
            "mean_output": float(np.mean(sim.state("y", "r")))}


def run_brian2(duration_ms, plastic, seed=1):
    import brian2 as b2
    b2.start_scope()
    b2.prefs.codegen.target = "cython"
    b2.seed(seed)
    b2.defaultclock.dt = DT * b2.ms
    x = b2.NeuronGroup(N_IN, "r : 1")
    x.run_regularly("r = 0.5 * poisson(0.2)", dt=DT * b2.ms)
    y = b2.NeuronGroup(N_OUT, """dv/dt = (-v + I) / tau : 1
                                 I : 1
                                 r = tanh(v) : 1""", method="exact", namespace={"tau": TAU_Y * b2.ms})
    model = "I_post = w * r_pre : 1 (summed)\n" + (
        "dw/dt = eta * r_post * (r_pre - r_post * w) : 1 (clock-driven)" if plastic else "w : 1")
    syn = b2.Synapses(x, y, model, method="euler", namespace={"eta": ETA / b2.ms})
    syn.connect(p=P)
    syn.w = W0
    net = b2.Network(x, y, syn)
    net.run(1 * b2.ms)  # code generation and compilation
    start = time.perf_counter()
    net.run(duration_ms * b2.ms)
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "synapses": int(len(syn)), "mean_weight": float(np.mean(syn.w[:])),
            "mean_output": float(np.mean(y.r[:]))}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=float, default=1000.0, help="simulated ms (default 1000)")
    parser.add_argument("--repeats", type=int, default=3, help="runs of each case; the median is kept")
    parser.add_argument("--json", help="write the results here")
    args = parser.parse_args()
    import brian2
    results = {"brian2_version": brian2.__version__, "duration_ms": args.duration}
    for name, runner in (("neurodyn", run_neurodyn), ("brian2", run_brian2)):
        for plastic in (False, True):
            runs = [runner(args.duration, plastic) for _ in range(args.repeats)]
            median = sorted(runs, key=lambda r: r["seconds"])[len(runs) // 2]
            steps = args.duration / DT
            median["ns_per_synapse_step"] = median["seconds"] / (median["synapses"] * steps) * 1e9
            results[f"{name}_{'oja' if plastic else 'static'}"] = median
            print(f"{name:8s} {'oja' if plastic else 'static':6s}: {median['seconds']:.3f} s for "
                  f"{median['synapses']} synapses x {steps:.0f} steps = {median['ns_per_synapse_step']:.2f} ns per "
                  f"synapse and step; mean w {median['mean_weight']:.4f}, mean y {median['mean_output']:.4f}")
    for case in ("static", "oja"):
        ratio = results[f"neurodyn_{case}"]["seconds"] / results[f"brian2_{case}"]["seconds"]
        results[f"ratio_{case}"] = ratio
        print(f"neurodyn / Brian2 run time, {case}: {ratio:.2f}")
    learning = {name: results[f"{name}_oja"]["seconds"] / results[f"{name}_static"]["seconds"] for name in ("neurodyn", "brian2")}
    print(f"oja / static run time: neurodyn {learning['neurodyn']:.2f}, Brian2 {learning['brian2']:.2f}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=2)


if __name__ == "__main__":
    main()
