"""Gradient training of spiking networks: surrogate-gradient BPTT and e-prop.

    from neurodyn import datasets
    from neurodyn.training import SpikingClassifier
    x_train, y_train, x_test, y_test = datasets.load_digits()
    clf = SpikingClassifier(hidden=(128,), encoding="rate", steps=20, epochs=10, seed=1)
    clf.fit(x_train, y_train)
    print(clf.evaluate(x_test, y_test))          # accuracy
    net = clf.export_network(x_test[0])          # an ordinary neurodyn Network
    sim = net.build(); sim.run()                 # the trainer's spikes, step for step

The network is a stack of IF_curr_exp or ALIF layers (optionally recurrent) with an
IF_curr_exp output layer, integrated exactly as the engine does (C++: neurodyn/learn/
train_network.hpp; the backward steps live in the model headers). docs/training.md gives
the equations, the losses, the surrogates and the export.
"""

import time

import numpy as np

from . import _core, datasets
from .errors import NeurodynValueError
from .network import Network

__all__ = ["SpikingClassifier", "LOSSES", "SURROGATES"]

LOSSES = ("count_ce", "max_membrane_ce", "mean_membrane_ce", "rate_mse")
SURROGATES = ("fast_sigmoid", "arctan")
_ENCODINGS = (None, "rate", "latency")
# A readout that must never fire is exported with this threshold (mV): far above any
# membrane a trained readout reaches, and finite as the engine requires.
_READOUT_THRESHOLD_MV = 1e12


def _positive_int(name, value):
    if isinstance(value, bool) or int(value) != value or value < 1:
        raise NeurodynValueError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


class SpikingClassifier:
    """A spiking classifier trained by surrogate-gradient BPTT or by e-prop.

    Parameters
    ----------
    hidden : sequence of int
        Hidden layer sizes (e-prop: exactly one layer).
    model : "LIF" or "ALIF"
        Hidden neurons: IF_curr_exp or ALIF (adaptive threshold). The output layer is
        IF_curr_exp.
    recurrent : bool
        All-to-all recurrent weights in every hidden layer.
    algorithm : "bptt" or "eprop"
    feedback : "symmetric" or "random"
        e-prop's feedback weights: the readout weights, or a fixed random matrix.
    loss : "count_ce", "max_membrane_ce", "mean_membrane_ce" or "rate_mse"
        Cross-entropy on output spike counts, on the maxima or the time averages of
        non-spiking readout membranes, or MSE of output rates against
        `target_rate_on` / `target_rate_off` (spikes per step). e-prop: "mean_membrane_ce".
    surrogate, surrogate_slope : "fast_sigmoid" or "arctan", slope > 0
        Pseudo-derivative of the spike (snnTorch's fast_sigmoid slope / atan alpha), of
        x = (u - threshold) / (v_thresh - v_rest).
    dt : float
        Time step (ms); every connection has a delay of one step.
    steps : int
        Time steps per sample when `encoding` turns images into spikes.
    encoding : None, "rate" or "latency"
        None: `x` is already spikes, (samples, steps, inputs) of 0/1. "rate": `x` in
        [0, 1] becomes Bernoulli spike trains (datasets.rate_encode, fresh draws each
        epoch); "latency": one spike per value (datasets.latency_encode).
    hidden_params, output_params : dict
        cm (nF), tau_m, tau_syn (ms), v_rest, v_reset, v_thresh (mV), i_offset (nA),
        tau_adapt (ms), beta (mV; ALIF). Defaults: cm 1, tau_m 20, tau_syn 5, v_rest 0,
        v_reset 0, v_thresh 1, i_offset 0, tau_adapt 200, beta 1.
    weight_scale : float
        Initial weights are normal with sd weight_scale / sqrt(fan-in) (nA).
    learning_rate, batch_size, epochs : Adam's step, samples per mini-batch, passes.
    learning_rate_decay : float
        The learning rate is multiplied by this after every epoch (1: constant).
    seed : int
        Weights, feedback, shuffling and spike encodings all derive from it.
    threads : int
        OpenMP threads over the samples of a batch; results do not depend on it.
    """

    def __init__(self, hidden=(128,), model="LIF", recurrent=False, algorithm="bptt", feedback="symmetric",
                 loss="count_ce", surrogate="fast_sigmoid", surrogate_slope=5.0, dt=1.0, steps=25, encoding=None,
                 hidden_params=None, output_params=None, weight_scale=1.0, learning_rate=2e-3, batch_size=32,
                 epochs=10, learning_rate_decay=1.0, target_rate_on=0.5, target_rate_off=0.02, seed=0, threads=1):
        if isinstance(hidden, int):
            hidden = (hidden,)
        self.hidden = tuple(_positive_int("hidden size", h) for h in hidden)
        if loss not in LOSSES:
            raise NeurodynValueError(f"loss must be one of {', '.join(LOSSES)}, got {loss!r}")
        if encoding not in _ENCODINGS:
            raise NeurodynValueError(f"encoding must be None, 'rate' or 'latency', got {encoding!r}")
        if not (np.isfinite(learning_rate_decay) and 0.0 < learning_rate_decay <= 1.0):
            raise NeurodynValueError(f"learning_rate_decay must be in (0, 1], got {learning_rate_decay!r}")
        self.model, self.recurrent, self.algorithm, self.feedback = model, bool(recurrent), algorithm, feedback
        self.loss, self.surrogate, self.surrogate_slope = loss, surrogate, float(surrogate_slope)
        self.dt, self.steps, self.encoding = float(dt), _positive_int("steps", steps), encoding
        self.hidden_params, self.output_params = dict(hidden_params or {}), dict(output_params or {})
        self.weight_scale, self.learning_rate = float(weight_scale), float(learning_rate)
        self.batch_size, self.epochs = _positive_int("batch_size", batch_size), _positive_int("epochs", epochs)
        self.learning_rate_decay = float(learning_rate_decay)
        self.target_rate_on, self.target_rate_off = float(target_rate_on), float(target_rate_off)
        self.seed, self.threads = int(seed), _positive_int("threads", threads)
        self.history_ = []
        self._trainer = None
        self._inputs = None
        self.classes_ = None

    # --- the C++ trainer --------------------------------------------------------------

    def _make_trainer(self, inputs, classes):
        self._inputs, self.classes_ = inputs, classes
        self._trainer = _core.training.Trainer(
            inputs, list(self.hidden), classes, model=self.model, recurrent=self.recurrent,
            hidden_params=self.hidden_params, output_params=self.output_params, dt=self.dt,
            surrogate=self.surrogate, surrogate_slope=self.surrogate_slope, loss=self.loss,
            target_rate_on=self.target_rate_on, target_rate_off=self.target_rate_off,
            weight_scale=self.weight_scale, algorithm=self.algorithm, feedback=self.feedback,
            learning_rate=self.learning_rate, seed=self.seed)

    def _require_trainer(self):
        if self._trainer is None:
            raise NeurodynValueError("this SpikingClassifier has not been fitted (call fit first)")
        return self._trainer

    # --- input ----------------------------------------------------------------------------

    def encode(self, x, seed=0):
        """Spikes (samples, steps, inputs) as uint8 for `x`: passed through when `encoding`
        is None, else encoded with `seed`."""
        if self.encoding is None:
            spikes = np.asarray(x)
            if spikes.ndim != 3:
                raise NeurodynValueError(f"x must be spikes of shape (samples, steps, inputs) when encoding is None, "
                                         f"got shape {spikes.shape}")
            return np.ascontiguousarray(spikes, dtype=np.uint8)
        if self.encoding == "rate":
            return datasets.rate_encode(x, self.steps, seed=seed).astype(np.uint8)
        return datasets.latency_encode(x, self.steps).astype(np.uint8)

    def _samples(self, x):
        x = np.asarray(x)
        expected = 3 if self.encoding is None else 2
        if x.ndim != expected:
            raise NeurodynValueError(f"x must have {expected} dimensions "
                                     f"({'samples, steps, inputs' if expected == 3 else 'samples, features'}), "
                                     f"got shape {x.shape}")
        return x

    def _evaluation_seed(self, chunk):
        # Spike encodings for prediction: fixed per chunk, apart from the training draws.
        return [self.seed, 2, chunk]

    # --- training ----------------------------------------------------------------------

    def fit(self, x, y, x_val=None, y_val=None, verbose=False):
        """Trains for `epochs` passes over (x, y); `history_` gets one dict per epoch
        (loss, train_accuracy, val_accuracy when validation data are given, seconds).
        Returns self."""
        x = self._samples(x)
        y = np.asarray(y)
        if y.ndim != 1 or len(y) != len(x):
            raise NeurodynValueError(f"y must be 1-D with one label per sample ({len(x)}), got shape {y.shape}")
        if not np.issubdtype(y.dtype, np.integer) or (y.size and y.min() < 0):
            raise NeurodynValueError("y must hold non-negative integer labels")
        classes = int(y.max()) + 1 if self.classes_ is None else self.classes_
        if self._trainer is None:
            self._make_trainer(x.shape[2] if self.encoding is None else x.shape[1], max(classes, 2))
        trainer = self._trainer
        rng = np.random.default_rng([self.seed, 1])
        for epoch in range(self.epochs):
            start = time.perf_counter()
            order = rng.permutation(len(x))
            loss_sum, correct = 0.0, 0
            for first in range(0, len(order), self.batch_size):
                batch = order[first:first + self.batch_size]
                spikes = self.encode(x[batch], seed=[self.seed, 3, len(self.history_), first])
                loss, right = trainer.train_batch(spikes, y[batch], threads=self.threads)
                loss_sum += loss * len(batch)
                correct += right
            record = {"epoch": len(self.history_) + 1, "loss": loss_sum / len(x), "train_accuracy": correct / len(x),
                      "learning_rate": trainer.learning_rate, "seconds": time.perf_counter() - start}
            if x_val is not None:
                record["val_accuracy"] = self.evaluate(x_val, y_val)
            self.history_.append(record)
            if verbose:
                print(" ".join(f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}" for k, v in record.items()),
                      flush=True)
            if self.learning_rate_decay != 1.0:
                trainer.learning_rate = trainer.learning_rate * self.learning_rate_decay
        return self

    def output_values(self, x, chunk=2000):
        """What the loss sees, (samples, classes): spike counts, membrane maxima or means,
        or rates."""
        trainer = self._require_trainer()
        x = self._samples(x)
        parts = [trainer.output_values(self.encode(x[first:first + chunk], seed=self._evaluation_seed(first)),
                                       threads=self.threads)
                 for first in range(0, len(x), chunk)]
        return np.concatenate(parts) if parts else np.zeros((0, self.classes_))

    def predict(self, x):
        """The class of each sample: the output with the largest value (first on ties)."""
        return np.argmax(self.output_values(x), axis=1)

    def evaluate(self, x, y):
        """Accuracy on (x, y)."""
        y = np.asarray(y)
        return float(np.mean(self.predict(x) == y))

    def gradient(self, x, y):
        """(mean loss, {matrix name: dL/dW}) of (x, y) without changing the weights (the
        same gradient a training step would use)."""
        trainer = self._require_trainer()
        loss, _, grads = trainer.gradient(self.encode(self._samples(x), seed=self._evaluation_seed(0)), np.asarray(y),
                                          threads=self.threads)
        return loss, grads

    # --- weights and the engine ------------------------------------------------------------

    def get_weights(self):
        """{name: (sources, targets) array, nA}: "W0" input -> hidden 0, "W1", ... up to
        the output layer; "R0", ... recurrent weights of hidden layers."""
        return self._require_trainer().get_weights()

    def set_weights(self, weights):
        """Replaces the named matrices (shapes as get_weights())."""
        self._require_trainer().set_weights(dict(weights))

    def simulate(self, x_sample):
        """The trainer's forward pass of one sample: {'spikes': [(steps, n) bool per
        layer, hidden first, output last], 'output_membrane': (steps, classes),
        'output_values': (classes,)}. `x_sample` is one sample as fit takes it."""
        trainer = self._require_trainer()
        spikes = self.encode(np.asarray(x_sample)[None], seed=self._evaluation_seed(0))[0]
        return trainer.simulate(spikes)

    def _neuron_params(self, given, spiking, alif):
        p = {"cm": 1.0, "tau_m": 20.0, "tau_syn": 5.0, "v_rest": 0.0, "v_reset": 0.0, "v_thresh": 1.0,
             "i_offset": 0.0, "tau_adapt": 200.0, "beta": 1.0}
        p.update(given)
        params = {"cm": p["cm"], "tau_m": p["tau_m"], "tau_syn_E": p["tau_syn"], "tau_syn_I": p["tau_syn"],
                  "v_rest": p["v_rest"], "v_reset": p["v_reset"],
                  "v_thresh": p["v_thresh"] if spiking else _READOUT_THRESHOLD_MV,
                  "i_offset": p["i_offset"], "tau_refrac": 0.0}
        if alif:
            params.update(tau_adapt=p["tau_adapt"], beta=p["beta"])
        return params, p["v_rest"]

    def export_network(self, x_sample, record_membrane=True):
        """An ordinary neurodyn :class:`Network` that runs the trained network on one
        sample: a SpikeSourceArray "input" (the sample's spikes, step t at (t + 1) dt),
        populations "hidden0", ..., "output" (IF_curr_exp / ALIF; a non-spiking readout
        gets an unreachable threshold), projections from lists of the trained weights
        (positive ones on the excitatory receptor, negative ones on the inhibitory one;
        delay dt). Spikes of every population are recorded, and the output's `v` every
        step when `record_membrane`. The engine keeps weights as float32: with weights
        already float32-exact (see set_weights), its spikes are the trainer's."""
        trainer = self._require_trainer()
        spikes = self.encode(np.asarray(x_sample)[None], seed=self._evaluation_seed(0))[0]
        steps, inputs = spikes.shape
        net = Network(dt=self.dt, seed=self.seed, duration=steps * self.dt)
        times = [[(t + 1) * self.dt for t in np.flatnonzero(spikes[:, j])] for j in range(inputs)]
        populations = [net.population("input", "SpikeSourceArray", inputs, spike_times=times)]
        spiking_output = self.loss in ("count_ce", "rate_mse")
        sizes = list(self.hidden) + [self.classes_]
        for l, size in enumerate(sizes):
            output = l == len(sizes) - 1
            alif = not output and self.model == "ALIF"
            params, v_rest = self._neuron_params(self.output_params if output else self.hidden_params,
                                                 spiking_output or not output, alif)
            populations.append(net.population("output" if output else f"hidden{l}", "ALIF" if alif else "IF_curr_exp",
                                              size, params=params, initial={"v": v_rest}))
        weights = trainer.get_weights()

        def connect(source, target, matrix):
            for receptor, keep in (("excitatory", matrix > 0), ("inhibitory", matrix < 0)):
                pre, post = np.nonzero(keep)
                if len(pre):
                    net.connect(source, target, _core.from_list(sources=pre, targets=post, weights=matrix[pre, post]),
                                delay=self.dt, receptor=receptor)

        for l in range(len(sizes)):
            connect(populations[l], populations[l + 1], weights[f"W{l}"])
            if f"R{l}" in weights:
                connect(populations[l + 1], populations[l + 1], weights[f"R{l}"])
        for population in populations[1:]:
            net.record_spikes(population)
        if record_membrane:
            net.record_state(populations[-1], "v")
        return net
