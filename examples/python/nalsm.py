#!/usr/bin/python3
"""NALSM: astrocyte-modulated STDP brings a liquid's branching factor near 1.

The liquid of Ivanov & Michmizos (NeurIPS 2021; neurodyn.nalsm): 1000 LIF neurons on a
10 x 10 x 10 grid, 784 Poisson inputs. Four runs of the same network: started
super-critical (every weight at its bound 3 mV, NALSM's start) or sub-critical (1.5 mV),
each with the astrocyte (depression rate A(t)) and without (the same STDP at the fixed
rate 0.15). Prints NALSM's branching factor every `--window` ms of learning and draws
it, with the astrocyte and the liquid's rate, into `--plot`.

    PYTHONPATH=build/python /usr/bin/python3 examples/python/nalsm.py [--duration MS]
        [--window MS] [--input-rate HZ] [--astrocyte-weight W] [--seed N] [--plot FIGURE.png]
    PYTHONPATH=build/python /usr/bin/python3 examples/python/nalsm.py --sweep [--seeds 10]

--sweep prints, for input rates of 10, 20 and 40 Hz and seeds 1..N, the branching
factor over the last second of learning (2 s from the super-critical start, 4 s from the
sub-critical one: the runs of python/tests/test_nalsm.py) as mean +- sd (min-max), and
the multistep-regression and naive estimates of the same runs; and the branching factor
of the same liquids without learning (learning_rate = bias = 0), over [500, 1500) ms.
"""

import argparse
import time

import numpy as np

import neurodyn.nalsm as nn

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--duration", type=float, default=5000.0, help="learning time (ms; default 5000)")
parser.add_argument("--window", type=float, default=250.0, help="branching factor every WINDOW ms (default 250)")
parser.add_argument("--input-rate", type=float, default=20.0, help="rate of the 784 inputs (Hz; default 20)")
parser.add_argument("--astrocyte-weight", type=float, default=0.015, help="w_astro (default 0.015)")
parser.add_argument("--seed", type=int, default=1)
parser.add_argument("--plot", help="draw the branching factor over learning into this image")
parser.add_argument("--sweep", action="store_true", help="the table of docs/plasticity.md instead")
parser.add_argument("--seeds", type=int, default=10, help="seeds of --sweep (default 10)")
args = parser.parse_args()

STARTS = {"super-critical": (3.0, 2000.0), "sub-critical": (1.5, 4000.0)}  # initial weight (mV), sweep duration


def liquid_rate(sim, liquid, t_start, t_stop):
    """Mean rate of the liquid's neurons in [t_start, t_stop) ms (Hz)."""
    spikes = sum(np.count_nonzero((sim.spikes(p)[0] > t_start) & (sim.spikes(p)[0] <= t_stop)) for p in ("E", "I"))
    return spikes / (liquid.n_exc + liquid.n_inh) / ((t_stop - t_start) / 1000.0)


def sweep():
    print(f"branching factor over the last second; seeds 1..{args.seeds}")
    for rate in (10.0, 20.0, 40.0):
        for start, (weight, duration) in STARTS.items():
            static = []
            for seed in range(1, args.seeds + 1):
                liquid = nn.NALSM(astrocyte=False, learning_rate=0.0, astrocyte_bias=0.0, initial_weight=weight,
                                  input_rate=rate, seed=seed)
                sim = liquid.build()
                sim.run(1500.0)
                static.append(nn.branching_ratio(sim, t_start=500.0))
            s = np.array(static)
            print(f"input {rate:4.0f} Hz, {start:>14}, {'no learning':>12}: "
                  f"{s.mean():.3f} +- {s.std(ddof=1):.3f} ({s.min():.3f}-{s.max():.3f})", flush=True)
            for astrocyte in (True, False):
                sigma, mr, naive = [], [], []
                for seed in range(1, args.seeds + 1):
                    liquid = nn.NALSM(astrocyte=astrocyte, initial_weight=weight, input_rate=rate, seed=seed,
                                      astrocyte_weight=args.astrocyte_weight)
                    sim = liquid.build()
                    sim.run(duration)
                    t_start = duration - 1000.0
                    sigma.append(nn.branching_ratio(sim, t_start=t_start))
                    mr.append(nn.branching_ratio(sim, method="mr", t_start=t_start))
                    naive.append(nn.branching_ratio(sim, method="naive", t_start=t_start))
                s = np.array(sigma)
                print(f"input {rate:4.0f} Hz, {start:>14}, {'astrocyte' if astrocyte else 'no astrocyte':>12}: "
                      f"{s.mean():.3f} +- {s.std(ddof=1):.3f} ({s.min():.3f}-{s.max():.3f}); "
                      f"MR {np.mean(mr):.2f} ({np.min(mr):.2f}-{np.max(mr):.2f}); naive {np.mean(naive):.3f}",
                      flush=True)


def over_learning():
    curves = {}
    for start, (weight, _) in STARTS.items():
        for astrocyte in (True, False):
            liquid = nn.NALSM(astrocyte=astrocyte, initial_weight=weight, input_rate=args.input_rate, seed=args.seed,
                              astrocyte_weight=args.astrocyte_weight)
            sim = liquid.build()
            began = time.perf_counter()
            times, sigma, astro, rate = [], [], [], []
            while sim.t < args.duration - 1e-9:
                sim.run(min(args.window, args.duration - sim.t))
                times.append(sim.t)
                sigma.append(nn.branching_ratio(sim, t_start=sim.t - args.window))
                astro.append(sim.modulator("astrocyte") if astrocyte else liquid.astrocyte_bias)
                rate.append(liquid_rate(sim, liquid, sim.t - args.window, sim.t))
            label = f"{start}, {'astrocyte' if astrocyte else 'no astrocyte'}"
            curves[label] = (np.array(times), np.array(sigma), np.array(astro), np.array(rate))
            print(f"{label} ({time.perf_counter() - began:.1f} s): branching factor "
                  + " ".join(f"{s:.2f}" for s in sigma[::max(1, len(sigma) // 10)])
                  + f" ... {sigma[-1]:.3f}; depression rate {astro[-1]:.3f}; liquid {rate[-1]:.1f} Hz", flush=True)
    if args.plot:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        fig, axes = plt.subplots(1, 3, figsize=(13, 3.6))
        for label, (t, sigma, astro, rate) in curves.items():
            style = {"color": "C0" if label.startswith("super") else "C1",
                     "linestyle": "-" if "no astrocyte" not in label else "--"}
            axes[0].plot(t / 1000.0, sigma, label=label, **style)
            axes[1].plot(t / 1000.0, astro, **style)
            axes[2].plot(t / 1000.0, rate, **style)
        axes[0].axhline(1.0, color="k", linewidth=0.8)
        axes[0].set(xlabel="learning time (s)", ylabel="branching factor", title="NALSM branching factor")
        axes[1].set(xlabel="learning time (s)", ylabel="depression rate A", title="astrocyte (dashed: fixed rate)")
        axes[2].set(xlabel="learning time (s)", ylabel="rate (Hz)", title="liquid rate")
        axes[0].legend(fontsize=7)
        fig.tight_layout()
        fig.savefig(args.plot, dpi=110)
        print(f"wrote {args.plot}")


if args.sweep:
    sweep()
else:
    over_learning()
