#!/usr/bin/env python3
"""The figures of docs/eventprop.md:

- eventprop_gradients.png: EventProp gradients against central finite differences;
- eventprop_delays.png: the moving-dot direction task with no, fixed random and learned
  delays (test accuracy per epoch), and the learned delays against the detector position;
- eventprop_yinyang.png: Yin-Yang test points coloured by the trained network's class.

    PYTHONPATH=build/python /usr/bin/python3 docs/figures/make_eventprop_figures.py
"""

import pathlib

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from neurodyn import eventprop as ep  # noqa: E402

HERE = pathlib.Path(__file__).resolve().parent


def gradients_figure():
    rng = np.random.default_rng(1)
    x = [(rng.uniform(0.0, 20.0, 6), np.arange(6)) for _ in range(2)]
    y = np.array([0, 2])
    net = ep.EventPropNetwork(6, [10, 3], duration=60.0, seed=4, weight_mean=[3.0, 3.0], weight_std=[2.0, 1.5],
                              delays=(0.0, 4.0))
    g = net.gradients(x, y)
    h = 1e-5
    analytic, numeric = [], []
    for kind in ("weights", "delays"):
        for layer in range(2):
            values = getattr(net, kind)
            for index in np.ndindex(values[layer].shape):
                losses = []
                for sign in (1, -1):
                    changed = [v.copy() for v in values]
                    changed[layer][index] += sign * h
                    setattr(net, kind, changed)
                    losses.append(net.evaluate(x, y)["loss"])
                setattr(net, kind, values)
                analytic.append(g[kind][layer][index])
                numeric.append((losses[0] - losses[1]) / (2 * h))
    analytic, numeric = np.array(analytic), np.array(numeric)
    fig, ax = plt.subplots(figsize=(4.5, 4))
    ax.plot(numeric, analytic, ".", ms=4)
    lim = np.abs(numeric).max() * 1.1
    ax.plot([-lim, lim], [-lim, lim], "k-", lw=0.5)
    ax.set_xlabel("central finite difference")
    ax.set_ylabel("EventProp gradient")
    worst = np.max(np.abs(numeric - analytic)) / np.abs(analytic).max()
    ax.set_title(f"{analytic.size} weights and delays\nlargest error {worst:.1e} of the largest gradient")
    fig.tight_layout()
    fig.savefig(HERE / "eventprop_gradients.png", dpi=120)


def delays_figure():
    x, y = ep.moving_dot(400, seed=0)
    x_test, y_test = ep.moving_dot(400, seed=1)
    fig, (a, b) = plt.subplots(1, 2, figsize=(9, 3.6))
    learned = None
    for name, delays, learn in [("no delays", 0.0, False), ("fixed random delays", (0.0, 120.0), False),
                                ("learned delays", (0.0, 120.0), True)]:
        net = ep.EventPropNetwork(6, [2], leaky_output=True, duration=180.0, tau_m=4.0, tau_syn=2.0, seed=3,
                                  delays=delays)
        history = net.fit(x, y, epochs=30, batch_size=16, learning_rate=2e-2, learn_delays=learn,
                          delay_learning_rate=1.0, max_delay=120.0, validation=(x_test, y_test))
        a.plot(np.arange(1, 31), history["val_accuracy"], label=name)
        if learn:
            learned = net
    a.set_xlabel("epoch")
    a.set_ylabel("test accuracy")
    a.set_ylim(0.4, 1.02)
    a.legend()
    for k, marker in ((0, "o"), (1, "s")):
        b.plot(np.arange(6), learned.delays[0][k], marker + "-", label=f"output {k} ({'left' if k == 0 else 'right'})")
    b.set_xlabel("detector")
    b.set_ylabel("learned delay (ms)")
    b.legend()
    fig.tight_layout()
    fig.savefig(HERE / "eventprop_delays.png", dpi=120)


def yinyang_figure():
    x_train, y_train, x_test, y_test = ep.yin_yang(4000, 1000, seed=0)
    _, _, points, _ = ep.yin_yang_points(4000, 1000, seed=0)
    net = ep.EventPropNetwork(5, [120, 3], leaky_output=True, duration=60.0, seed=1)
    net.fit(x_train, y_train, epochs=20, batch_size=32, learning_rate=1e-2)
    predicted = net.predict(x_test)
    accuracy = np.mean(predicted == y_test)
    fig, ax = plt.subplots(figsize=(4.5, 4.5))
    for label, colour in enumerate(("tab:red", "tab:blue", "tab:green")):
        chosen = predicted == label
        ax.plot(points[chosen, 0], points[chosen, 1], ".", color=colour, ms=3)
    wrong = predicted != y_test
    ax.plot(points[wrong, 0], points[wrong, 1], "kx", ms=4, label="misclassified")
    ax.set_aspect("equal")
    ax.set_title(f"Yin-Yang, 5-120-3, test accuracy {accuracy:.3f}")
    ax.legend(loc="lower right")
    fig.tight_layout()
    fig.savefig(HERE / "eventprop_yinyang.png", dpi=120)


if __name__ == "__main__":
    gradients_figure()
    delays_figure()
    yinyang_figure()
