#!/usr/bin/env python3
"""Projects neurodyn's run time to 10-1000 cluster nodes from figures measured on one
machine (docs/scaling.md gives the model and its assumptions).

    /usr/bin/python3 bench/scaling_model.py --compute-s 9.0 --spikes-per-s 2.7e5 \\
        --min-delay-ms 0.1 --neurons 77169 [--weak] [--latency-us 2 --bandwidth-gbs 10]

Per simulated second, on P nodes (one rank per node, its cores running the shards):

    T(P) = C / P                       compute: update + delivery of the node's part
         + E * s * t_scan              every rank looks up every spike's row
         + E * (a * ceil(log2 P) + 8 B * s * (P - 1) / P / b)    one all-gather per epoch

with E = 1000 / min_delay epochs per simulated second, s the spikes per epoch of the
whole network, a the latency of one stage of the all-gather, b the link bandwidth and
t_scan the cost of skipping a spike that has no local target. --weak grows the network
with P (C per node and spikes per node fixed: s = P * s_1), the strong default keeps it
fixed.
"""

import argparse
import math


def project(p, args):
    epochs = 1000.0 / args.min_delay_ms
    spikes_per_epoch = args.spikes_per_s / epochs * (p if args.weak else 1)
    compute = args.compute_s if args.weak else args.compute_s / p
    scan = epochs * spikes_per_epoch * args.scan_ns * 1e-9
    stages = math.ceil(math.log2(p)) if p > 1 else 0
    bytes_per_epoch = 8.0 * spikes_per_epoch * (p - 1) / p
    comm = epochs * (stages * args.latency_us * 1e-6 + bytes_per_epoch / (args.bandwidth_gbs * 1e9))
    return compute, scan, comm


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--compute-s", type=float, required=True,
                        help="measured compute seconds per simulated second of the whole network on one node "
                             "(with --weak: of one node's part)")
    parser.add_argument("--spikes-per-s", type=float, required=True,
                        help="spikes per simulated second of the network (with --weak: of one node's part)")
    parser.add_argument("--min-delay-ms", type=float, required=True)
    parser.add_argument("--neurons", type=int, required=True, help="neurons (with --weak: per node)")
    parser.add_argument("--weak", action="store_true")
    parser.add_argument("--latency-us", type=float, default=2.0, help="latency per all-gather stage (us)")
    parser.add_argument("--bandwidth-gbs", type=float, default=10.0, help="link bandwidth (GB/s)")
    parser.add_argument("--scan-ns", type=float, default=2.0, help="ns to skip a spike without local targets")
    parser.add_argument("--nodes", default="1,10,30,100,300,1000")
    args = parser.parse_args()

    kind = "weak" if args.weak else "strong"
    print(f"{kind} scaling: {args.neurons} neurons{' per node' if args.weak else ''}, "
          f"min delay {args.min_delay_ms} ms, latency {args.latency_us} us/stage, {args.bandwidth_gbs} GB/s")
    print(f"{'nodes':>6} {'compute s':>10} {'scan s':>8} {'comm s':>8} {'total s':>8} {'efficiency':>10}")
    base = sum(project(1, args))
    for p in (int(n) for n in args.nodes.split(",")):
        compute, scan, comm = project(p, args)
        total = compute + scan + comm
        efficiency = base / total if args.weak else base / (p * total)
        print(f"{p:>6} {compute:10.4f} {scan:8.4f} {comm:8.4f} {total:8.4f} {efficiency:10.2f}")


if __name__ == "__main__":
    main()
