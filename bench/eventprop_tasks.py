#!/usr/bin/env python3
"""EventProp and learnable delays: the long runs behind docs/eventprop.md.

Why it exists: the test suite trains small networks for a few epochs; this script trains
the full-size ones, over several seeds, and measures (1) Yin-Yang accuracy with the
max-voltage and the first-spike losses, (2) the moving-dot direction task with no delays,
fixed random delays and learned delays, (3) how the exported, time-stepped network's spikes
compare with the event-based forward pass at dt = 0.1 and 0.01 ms, and (4) the cost of one
EventProp gradient against its peer, the central finite-difference gradient (two forward
passes per parameter), measured in the same run.

    PYTHONPATH=build/python /usr/bin/python3 bench/eventprop_tasks.py [--quick]
"""

import argparse
import time

import numpy as np

from neurodyn import eventprop as ep


def yin_yang(seeds, epochs):
    x_train, y_train, x_test, y_test = ep.yin_yang(4000, 1000, seed=0)
    rows = []
    for leaky, loss_args, lr in [(True, {}, 1e-2), (False, {"alpha": 0.01}, 2e-3)]:
        for seed in seeds:
            net = ep.EventPropNetwork(5, [120, 3], leaky_output=leaky, duration=60.0, seed=seed)
            start = time.perf_counter()
            history = net.fit(x_train, y_train, epochs=epochs, batch_size=32, learning_rate=lr, seed=seed,
                              validation=(x_test, y_test), **loss_args)
            seconds = time.perf_counter() - start
            rows.append((leaky, seed, max(history["val_accuracy"]), history["val_accuracy"][-1], seconds))
            print(f"yin-yang {'max-voltage' if leaky else 'first-spike'} seed {seed}: best test accuracy "
                  f"{rows[-1][2]:.3f}, final {rows[-1][3]:.3f}, {seconds:.1f} s", flush=True)
    return rows


def moving_dot(seeds):
    x, y = ep.moving_dot(400, seed=0)
    x_test, y_test = ep.moving_dot(1000, seed=1)
    results = {}
    for name, delays, learn in [("no delays", 0.0, False), ("fixed random delays", (0.0, 120.0), False),
                                ("learned delays", (0.0, 120.0), True)]:
        final = []
        for seed in seeds:
            net = ep.EventPropNetwork(6, [2], leaky_output=True, duration=180.0, tau_m=4.0, tau_syn=2.0,
                                      seed=seed, delays=delays)
            history = net.fit(x, y, epochs=30, batch_size=16, learning_rate=2e-2, learn_delays=learn,
                              delay_learning_rate=1.0, max_delay=120.0, seed=seed, validation=(x_test, y_test))
            final.append(np.mean(history["val_accuracy"][-5:]))
        results[name] = final
        print(f"moving dot, {name}: test accuracy {np.mean(final):.3f} +- {np.std(final):.3f} "
              f"(seeds {list(seeds)}: {np.round(final, 3).tolist()})", flush=True)
    return results


def export_agreement(dt, n_samples=100):
    x_train, y_train, x_test, _ = ep.yin_yang(1000, n_samples, seed=0)
    trained = ep.EventPropNetwork(5, [60, 3], duration=60.0, seed=1, delays=(0.5, 5.0))
    trained.fit(x_train, y_train, epochs=3, learning_rate=2e-3, alpha=0.01)
    net = trained.rounded(dt)
    first_diffs, all_diffs, count_equal, neurons, same_prediction = [], [], 0, 0, 0
    for times, channels in x_test:
        times = np.maximum(np.round(times / dt), 1) * dt
        exact = net.simulate([(times, channels)])[0]
        sim = net.export_network((times, channels), dt=dt).run()
        firsts = {}
        for name, layer in (("layer0", exact[0]), ("output", exact[1])):
            st, si = sim.spikes(name)
            for n in range(net.layer_sizes[0 if name == "layer0" else 1]):
                a, b = layer["times"][layer["ids"] == n], st[si == n]
                neurons += 1
                if len(a) == len(b):
                    count_equal += 1
                    all_diffs.extend(b - a)
                if len(a) and len(b):
                    first_diffs.append(b[0] - a[0])
                    if name == "output":
                        firsts[n] = (a[0], b[0])
        pred_exact = min(firsts, key=lambda n: firsts[n][0]) if firsts else -1
        pred_sim = min(firsts, key=lambda n: firsts[n][1]) if firsts else -1
        same_prediction += pred_exact == pred_sim
    first_diffs, all_diffs = np.array(first_diffs), np.array(all_diffs)
    print(f"export dt = {dt} ms: {count_equal}/{neurons} neurons with equal spike counts; first spikes "
          f"(end to end, both layers): {np.sum((first_diffs >= -1e-9) & (first_diffs <= dt + 1e-9))}/{first_diffs.size} "
          f"within [0, dt], max |diff| {np.abs(first_diffs).max():.3g} ms; all spikes: max |diff| "
          f"{np.abs(all_diffs).max():.3g} ms; same predicted class in {same_prediction}/{n_samples}", flush=True)


def gradient_cost():
    x_train, y_train, _, _ = ep.yin_yang(32, 1, seed=0)
    net = ep.EventPropNetwork(5, [120, 3], leaky_output=True, duration=60.0, seed=1)
    repeats = 20
    start = time.perf_counter()
    for _ in range(repeats):
        net.gradients(x_train, y_train)
    eventprop_s = (time.perf_counter() - start) / repeats
    start = time.perf_counter()
    for _ in range(repeats):
        net.evaluate(x_train, y_train)
    forward_s = (time.perf_counter() - start) / repeats
    n_params = sum(w.size for w in net.weights) * 2  # weights and delays
    fd_s = 2 * n_params * forward_s
    print(f"gradient of a batch of 32 (5-120-3, {n_params} weights + delays): EventProp {eventprop_s * 1e3:.2f} ms, "
          f"forward pass {forward_s * 1e3:.2f} ms, central finite differences (2 forward passes per parameter) "
          f"{fd_s:.2f} s: EventProp is {fd_s / eventprop_s:.0f}x faster, and costs "
          f"{eventprop_s / forward_s:.2f} forward passes", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one seed, fewer epochs")
    args = parser.parse_args()
    seeds = [1] if args.quick else [1, 2, 3]
    gradient_cost()
    for dt in (0.1, 0.01):
        export_agreement(dt)
    moving_dot(seeds if args.quick else [1, 2, 3, 4, 5])
    yin_yang(seeds, 10 if args.quick else 30)


if __name__ == "__main__":
    main()
