#!/usr/bin/python3
"""What recording plastic weights over time costs (docs/plasticity.md, "Recording weights
over time").

Why it exists: a weights recorder must cost nothing when absent and, when present, a few
operations per recorded synapse per sample, never a pass over the projection. This
script runs one plastic network (2000 Poisson sources onto 500 IF_curr_exp neurons, 10^6
pair-rule synapses, 2 s) three ways and prints the run times and their ratios to the
unrecorded run:

  none      no recorder;
  recorder  100 synapses sampled every 1 ms by Network.record_weights;
  reads     the same 100 weights read with Simulation.weights() after every 1 ms run,
            the way to follow weights before recorders existed.

    PYTHONPATH=build/python /usr/bin/python3 bench/weight_recording.py [--repeat 2]
"""

import argparse
import time

import neurodyn as nd

DURATION_MS = 2000.0
CHOSEN = slice(0, 500000, 5000)  # 100 synapses spread over the projection


def network(record):
    net = nd.Network(dt=0.1, seed=3)
    pre = net.population("pre", "SpikeSourcePoisson", 2000, params={"rate": 10.0})
    post = net.population("post", "IF_curr_exp", 500)
    plastic = net.connect(pre, post, nd.fixed_number_pre(1000), weight=0.01, delay=1.0, name="P",
                          synapse=nd.stdp(A_plus=0.01, A_minus=0.012, w_min=0.0, w_max=0.05))
    net.poisson_input(post, rate=9000.0, weight=0.1)
    if record:
        net.record_weights(plastic, list(range(CHOSEN.start, CHOSEN.stop, CHOSEN.step)), 1.0)
    return net


def run(mode):
    sim = network(mode == "recorder").build()
    start = time.perf_counter()
    if mode == "reads":
        for _ in range(int(DURATION_MS)):
            sim.run(1.0)
            sim.weights("P")[CHOSEN]
    else:
        sim.run(DURATION_MS)
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=2, help="runs of each mode; the fastest counts")
    args = parser.parse_args()
    best = {mode: min(run(mode) for _ in range(args.repeat)) for mode in ("none", "recorder", "reads")}
    for mode, seconds in best.items():
        print(f"{mode:9s} {seconds:8.2f} s   x{seconds / best['none']:.2f}")


if __name__ == "__main__":
    main()
