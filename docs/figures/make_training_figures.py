#!/usr/bin/env python3
"""Learning curves of docs/training.md: BPTT and e-prop on the 8x8 digits.

    PYTHONPATH=build/python /usr/bin/python3 docs/figures/make_training_figures.py
    -> docs/figures/training_digits.png  (about 5 min on one core)
    ... --from-json digits.json eprop.json   # histories saved by bench/train_snn.py --json
"""

import argparse
import json
import pathlib

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from neurodyn import datasets  # noqa: E402
from neurodyn.training import SpikingClassifier  # noqa: E402

HERE = pathlib.Path(__file__).resolve().parent


LABELS = {"digits-bptt": "BPTT, LIF 200, feed-forward",
          "digits-eprop": "e-prop, LIF 200, recurrent, random feedback"}


def histories_from_training():
    x_train, y_train, x_test, y_test = datasets.load_digits()
    runs = {
        "BPTT, LIF 200, feed-forward": dict(hidden=(200,), algorithm="bptt"),
        "e-prop, LIF 200, recurrent, random feedback": dict(hidden=(200,), recurrent=True, algorithm="eprop",
                                                             feedback="random"),
    }
    histories = {}
    for label, kwargs in runs.items():
        clf = SpikingClassifier(loss="mean_membrane_ce", encoding="rate", steps=25, epochs=30, learning_rate=5e-3,
                                learning_rate_decay=0.93, seed=1, **kwargs)
        clf.fit(x_train, y_train, x_val=x_test, y_val=y_test)
        histories[label] = clf.history_
    return histories


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--from-json", nargs="*", default=None)
    args = parser.parse_args()
    if args.from_json:
        histories = {}
        for path in args.from_json:
            result = json.loads(pathlib.Path(path).read_text())
            histories[LABELS.get(result["task"], result["task"])] = result["history"]
    else:
        histories = histories_from_training()
    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(10, 3.8))
    for label, history in histories.items():
        epochs = [h["epoch"] for h in history]
        ax_loss.plot(epochs, [h["loss"] for h in history], label=label)
        ax_acc.plot(epochs, [100 * h["val_accuracy"] for h in history], label=label)
    ax_loss.set_yscale("log")
    ax_loss.set_xlabel("epoch")
    ax_loss.set_ylabel("training loss (cross-entropy)")
    ax_acc.set_xlabel("epoch")
    ax_acc.set_ylabel("test accuracy (%)")
    ax_acc.set_ylim(80, 100)
    ax_acc.axhline(97, color="grey", lw=0.8, ls="--")
    ax_acc.legend(fontsize=8, loc="lower right")
    fig.suptitle("8x8 digits, rate-coded input (25 steps of 1 ms)")
    fig.tight_layout()
    fig.savefig(HERE / "training_digits.png", dpi=110)


if __name__ == "__main__":
    main()
