#!/usr/bin/env python3
"""How evenly a decomposition spreads neurons and synapses over MPI ranks.

    PYTHONPATH=build/python /usr/bin/python3 bench/decomposition_balance.py examples/microcircuit.toml --scale 0.1
        [--ranks 2,4,16,64,256]

Compares neurodyn's decomposition (each rank owns a contiguous part of every population:
neurons size*r/R .. size*(r+1)/R of each) with NEST's round-robin (global id modulo R).
Synapses live with their target, so a rank's synapse count is the sum of its targets'
in-degrees, counted here from the generated connectivity (Simulation.connections). The
figure of merit is max/mean over ranks: the slowest rank sets the pace of every epoch.
"""

import argparse

import numpy as np

import neurodyn as nd


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("model")
    parser.add_argument("--scale", type=float, default=None)
    parser.add_argument("--ranks", default="2,4,16,64,256")
    args = parser.parse_args()

    net = nd.load_model_file(args.model) if args.scale is None else nd.load_model_file(args.model, scale=args.scale)
    sim = net.build()
    sizes = {p.name: p.size for p in net.populations}
    first = {}
    total = 0
    for p in net.populations:
        first[p.name] = total
        total += p.size
    in_degree = np.zeros(total, dtype=np.int64)
    for index, projection in enumerate(net.projections):
        target = np.asarray(sim.connections(index)["target"], dtype=np.int64)
        in_degree[first[projection.target]:first[projection.target] + sizes[projection.target]] += np.bincount(
            target, minlength=sizes[projection.target])
    print(f"{args.model}: {total} neurons, {in_degree.sum()} synapses")
    print(f"{'ranks':>6} {'contiguous: neurons':>20} {'synapses':>9} {'round-robin: neurons':>21} {'synapses':>9}")
    for ranks in (int(r) for r in args.ranks.split(",")):
        contiguous = np.zeros(total, dtype=np.int64)
        for name, size in sizes.items():
            local = np.arange(size, dtype=np.int64)
            # The owner of local neuron i: the largest r with size*r // R <= i.
            contiguous[first[name]:first[name] + size] = ((local + 1) * ranks - 1) // size
        round_robin = np.arange(total, dtype=np.int64) % ranks
        row = [ranks]
        for owner in (contiguous, round_robin):
            neurons = np.bincount(owner, minlength=ranks)
            synapses = np.bincount(owner, weights=in_degree, minlength=ranks)
            row += [neurons.max() / neurons.mean(), synapses.max() / synapses.mean()]
        print(f"{row[0]:>6} {row[1]:>20.4f} {row[2]:>9.4f} {row[3]:>21.4f} {row[4]:>9.4f}")


if __name__ == "__main__":
    main()
