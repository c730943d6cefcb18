#!/usr/bin/python3
"""Joint "what" and "when" prediction by a spiking reservoir (neurodyn.prediction; after
Yamada & Chao 2025, arXiv:2510.14382): a heterogeneous Izhikevich network learns, with an
attention-gated three-factor rule, which stimulus a cue announces and when it arrives,
then relearns when the latencies are swapped.

    PYTHONPATH=build/python /usr/bin/python3 examples/python/what_when.py [--trials N]
        [--train N] [--switch-trials N] [--seed S] [--plot FIGURE.png]

One engine simulation runs the whole stream: `--trials` trials of the task (cues 0..3
announce identity A/B x latency 30/50 ms; 40 % of the targets omitted), of which the
first `--train` teach the readouts and the rest test them (learning off), then
`--switch-trials` trials with the latencies swapped, during which the rule keeps
learning online (each block of 20 trials is scored before it is learned from). The same
readouts are also trained with the gate off, and a reservoir without recurrent
connections is run on the first part as a control. docs/computing.md ("Predicting what
and when") shows the output.
"""

import argparse
import time

import numpy as np

import neurodyn.prediction as npred

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--trials", type=int, default=400, help="trials before the switch (default 400)")
parser.add_argument("--train", type=int, default=300, help="of which training trials (default 300)")
parser.add_argument("--switch-trials", type=int, default=200, help="trials after the latency switch (default 200)")
parser.add_argument("--seed", type=int, default=2, help="seed of the reservoir, its noise and inputs (default 2)")
parser.add_argument("--plot", help="draw the figure into this image")
args = parser.parse_args()

BLOCK = 20
task = npred.WhatWhenTask()                                            # latencies (30, 50, 30, 50) ms
swapped = npred.WhatWhenTask(cue_soa_ms=(50.0, 30.0, 50.0, 30.0))      # the same cues, latencies swapped
trials = task.trials(args.trials, seed=1).then(swapped.trials(args.switch_trials, seed=3))

model = npred.WhatWhenModel(task, seed=args.seed)
start = time.perf_counter()
times, states = model.simulate(trials)
simulated = time.perf_counter() - start
print(f"{len(trials)} trials, {trials.duration_ms / 1000:.1f} s of network time, {states.shape[1]} neurons "
      f"simulated in {simulated:.1f} s; rates {', '.join(f'{k} {v:.1f} Hz' for k, v in model.rates.items())}")


def summary(name, r):
    print(f"  {name:<26} what {r['what_accuracy']:.3f} ({r['what_trials']} trials, chance {r['what_chance']:.2f})"
          f"   when |error| {r['when_abs_error_ms']:4.1f} ms ({r['when_trials']} omissions, cue-blind "
          f"{r['when_cue_blind_error_ms']:.1f} ms)   when peak {r['when_peak']:.2f}")


print(f"test trials {args.train}..{args.trials} (readouts frozen):")
model.train(trials, times, states, stop=args.train)
summary("gated (attention)", model.evaluate(trials, times, states, start=args.train, stop=args.trials))
ungated = npred.WhatWhenModel(task, seed=args.seed, gated=False).train(trials, times, states, stop=args.train)
summary("gate off", ungated.evaluate(trials, times, states, start=args.train, stop=args.trials))
online = npred.WhatWhenModel(task, seed=args.seed, replays=0).train(trials, times, states, stop=args.train)
summary("no replay of 'what'", online.evaluate(trials, times, states, start=args.train, stop=args.trials))

first = task.trials(args.trials, seed=1)
control = npred.WhatWhenModel(task, reservoir=npred.izhikevich_reservoir(recurrent=False, seed=args.seed),
                              seed=args.seed)
control_times, control_states = control.simulate(first)
control.train(first, control_times, control_states, stop=args.train)
summary("no recurrence", control.evaluate(first, control_times, control_states, start=args.train))

w = model.weights[:, :-1]
difference = w[1] - w[2]
cosine = w[0] @ difference / (np.linalg.norm(w[0]) * np.linalg.norm(difference))
print(f"cos(when weights, what A - what B weights) = {cosine:+.3f} (random: +-{1 / np.sqrt(w.shape[1]):.2f})")

# Latencies swapped: the readouts keep learning; each block is scored, then learned from.
print(f"after the switch (latencies swapped), blocks of {BLOCK} trials, scored before learning from them:")
model.train(trials, times, states, start=args.train, stop=args.trials)        # the test trials too, first
adaptation = []
for block_start in range(args.trials, len(trials), BLOCK):
    block_stop = min(block_start + BLOCK, len(trials))
    r = model.evaluate(trials, times, states, start=block_start, stop=block_stop)
    adaptation.append((block_start - args.trials, r["what_accuracy"], r["when_abs_error_ms"]))
    model.train(trials, times, states, start=block_start, stop=block_stop)
print("  trials after switch  " + " ".join(f"{a[0]:5d}" for a in adaptation))
print("  what accuracy        " + " ".join(f"{a[1]:5.2f}" for a in adaptation))
print("  when |error| (ms)    " + " ".join(f"{a[2]:5.1f}" for a in adaptation))

if args.plot:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    frozen = npred.WhatWhenModel(task, seed=args.seed).train(trials, times, states, stop=args.train)
    z = frozen.predict(states)
    lag = np.arange(-10.0, 80.0, model.sample_ms)

    def aligned(selected, column):
        rows = [np.interp(trials.onset_ms[n] + lag, times, z[:, column]) for n in selected]
        return np.mean(rows, axis=0)

    test = np.arange(args.train, args.trials)
    fig, axes = plt.subplots(1, 3, figsize=(13, 3.6))
    ax = axes[0]
    for soa, colour in ((30.0, "tab:blue"), (50.0, "tab:red")):
        omitted = test[(trials.identity[test] < 0) & (trials.soa_ms[test] == soa)]
        ax.plot(lag, aligned(omitted, 0), color=colour, label=f"cue announces {soa:g} ms")
        ax.axvline(soa, color=colour, ls=":")
    ax.set(xlabel="time since cue onset (ms)", ylabel="'when' readout", title="omission trials: anticipation")
    ax.legend(fontsize=8)
    ax = axes[1]
    for identity, colour in ((0, "tab:green"), (1, "tab:purple")):
        # Omission trials of the cues announcing 50 ms: no target arrives, and the "what"
        # readouts were taught up to 50 ms after these cues; the whole curve is prediction.
        announced = test[(trials.identity[test] < 0) & (task.cue_identity[trials.cue[test]] == identity)
                         & (trials.soa_ms[test] == 50.0)]
        difference = aligned(announced, 1) - aligned(announced, 2)
        ax.plot(lag, difference, color=colour, label=f"cue announces {'AB'[identity]}, 50 ms")
    ax.axhline(0.0, color="k", lw=0.5)
    ax.axvline(50.0, color="k", ls=":", lw=0.8)
    ax.set(xlabel="time since cue onset (ms)", ylabel="'what' A - B", title="omission trials: identity")
    ax.legend(fontsize=8)
    ax = axes[2]
    ax.plot([a[0] + BLOCK / 2 for a in adaptation], [a[2] for a in adaptation], "o-")
    ax.axhline(10.0, color="k", ls=":", label="cue-blind")
    ax.set(xlabel="trials after the latency switch", ylabel="'when' |error| (ms)", title="relearning online")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(args.plot, dpi=110)
    print(f"figure: {args.plot}")
