"""EventProp: exact gradients for spiking networks, and learnable synaptic delays.

    from neurodyn import eventprop as ep
    x_train, y_train, x_test, y_test = ep.yin_yang(4000, 1000, seed=0)   # spike inputs + labels
    net = ep.EventPropNetwork(5, [60, 3], duration=60.0, seed=1)
    history = net.fit(x_train, y_train, epochs=20, batch_size=32, learning_rate=5e-3)
    print(net.evaluate(x_test, y_test)["accuracy"])
    sim_net = net.export_network(x_test[0], dt=0.1)     # an ordinary neurodyn.Network

Networks are feed-forward layers of leaky integrate-and-fire neurons with exponential
current synapses (the IF_curr_exp dynamics, parameters named as there), simulated event
by event in continuous time; every synapse has a weight (nA) and a delay (ms). The
gradient of a loss of the output spike times or of the maximum voltage of leaky outputs
is computed by the adjoint method of Wunderlich & Pehle (2021) in the C++ learn layer
(include/neurodyn/learn/eventprop.hpp). docs/eventprop.md has the equations and results.

Inputs: one entry per sample, each a pair ``(times, channels)`` of arrays (ms, channel
indices), or a boolean raster (samples, steps, channels) with ``dt``: a spike in step n
is at time (n + 1) dt, the engine's convention. Units: ms, mV, nA, nF.
"""

import math

import numpy as np

from . import _core
from .errors import NeurodynValueError

_ev = _core.event_training

__all__ = ["EventPropNetwork", "SpikeData", "spike_data", "raster_to_spikes", "yin_yang", "moving_dot",
           "LOSSES"]

SpikeData = _ev.SpikeData
LOSSES = ("first_spike_cross_entropy", "first_spike_mse", "max_voltage_cross_entropy")


def raster_to_spikes(raster, dt):
    """A boolean raster (samples, steps, channels), e.g. from neurodyn.datasets.latency_encode,
    as a list of (times, channels) pairs; a spike in step n is at (n + 1) dt ms."""
    raster = np.asarray(raster, dtype=bool)
    if raster.ndim != 3:
        raise NeurodynValueError(f"raster must be 3-D (samples, steps, channels), got shape {raster.shape}")
    if not (dt > 0 and math.isfinite(dt)):
        raise NeurodynValueError(f"dt must be > 0 ms, got {dt}")
    out = []
    for sample in raster:
        steps, channels = np.nonzero(sample)
        out.append(((steps + 1) * float(dt), channels.astype(np.int64)))
    return out


def spike_data(inputs, channels, dt=None):
    """The C++ data set of `inputs` (see the module docstring) with `channels` channels."""
    if isinstance(inputs, SpikeData):
        if inputs.channels != channels:
            raise NeurodynValueError(f"the data have {inputs.channels} channels but the network has {channels} inputs")
        return inputs
    if isinstance(inputs, np.ndarray) and inputs.ndim == 3:
        if dt is None:
            raise NeurodynValueError("a spike raster needs dt (ms) to become spike times")
        inputs = raster_to_spikes(inputs, dt)
    times, ids, offsets = [], [], [0]
    for k, sample in enumerate(inputs):
        try:
            t, c = sample
        except (TypeError, ValueError):
            raise NeurodynValueError(f"input sample {k} must be a pair (times, channels)") from None
        t = np.asarray(t, dtype=np.float64).ravel()
        c = np.asarray(c).ravel()
        if t.shape != c.shape:
            raise NeurodynValueError(f"input sample {k}: {t.size} times but {c.size} channels")
        if c.size and not np.issubdtype(c.dtype, np.integer):
            raise NeurodynValueError(f"input sample {k}: channels must be integers, got dtype {c.dtype}")
        times.append(t)
        ids.append(c.astype(np.int64))
        offsets.append(offsets[-1] + t.size)
    if len(offsets) == 1:
        raise NeurodynValueError("inputs must hold at least one sample")
    return SpikeData(np.concatenate(times), np.concatenate(ids), np.asarray(offsets, dtype=np.int64), int(channels))


def _psp_peak(tau_m, tau_syn, cm):
    """The peak (mV) of the PSP of a 1 nA weight: max over t of k(t)/cm."""
    if tau_m == tau_syn:
        return tau_m / math.e / cm
    t_peak = math.log(tau_m / tau_syn) / (1.0 / tau_syn - 1.0 / tau_m)
    return (math.exp(-t_peak / tau_m) - math.exp(-t_peak / tau_syn)) / (1.0 / tau_syn - 1.0 / tau_m) / cm


class EventPropNetwork:
    """A feed-forward spiking network trained with exact (EventProp) gradients.

    `n_inputs` input channels feed `layer_sizes` layers (hidden layers, then outputs) of
    IF_curr_exp neurons (no refractory period). With ``leaky_output=True`` the outputs
    never fire and are read out by their maximum voltage. `duration` (ms) is the trial
    length. Neuron parameters as IF_curr_exp: `tau_m`, `tau_syn` (ms), `cm` (nF),
    `v_rest`, `v_reset`, `v_thresh` (mV).

    Weights of layer l start as normal(weight_mean[l], weight_std[l]) nA; the defaults
    scale with the fan-in: mean 1.5 w1 / fan_in and std w1 / sqrt(fan_in), where w1 is
    the weight whose single PSP just reaches threshold. `delays`: one number (ms) for
    every synapse, or (low, high) for uniform random delays. Same `seed`, same network.
    """

    def __init__(self, n_inputs, layer_sizes, leaky_output=False, duration=50.0, *, tau_m=20.0, tau_syn=5.0,
                 cm=1.0, v_rest=-65.0, v_reset=-65.0, v_thresh=-50.0, weight_mean=None, weight_std=None,
                 delays=0.0, seed=0, max_spikes_per_neuron=1000):
        params = dict(cm=cm, tau_m=tau_m, tau_syn=tau_syn, v_rest=v_rest, v_reset=v_reset, v_thresh=v_thresh)
        layer_sizes = [int(n) for n in layer_sizes]
        if int(n_inputs) != n_inputs or n_inputs < 1:
            raise NeurodynValueError(f"n_inputs must be a positive integer, got {n_inputs}")
        self._net = _ev.EventNetwork(int(n_inputs), layer_sizes, bool(leaky_output), params, float(duration),
                                     int(max_spikes_per_neuron))
        fan_ins = [int(n_inputs)] + layer_sizes[:-1]
        w1 = (v_thresh - v_rest) / _psp_peak(tau_m, tau_syn, cm)
        mean = [1.5 * w1 / n for n in fan_ins] if weight_mean is None else _per_layer(weight_mean, len(fan_ins),
                                                                                          "weight_mean")
        std = [w1 / math.sqrt(n) for n in fan_ins] if weight_std is None else _per_layer(weight_std, len(fan_ins),
                                                                                        "weight_std")
        low, high = (delays, delays) if np.ndim(delays) == 0 else tuple(delays)
        self._net.initialize(int(seed), [float(m) for m in mean], [float(s) for s in std], float(low), float(high))
        self.seed = int(seed)

    @classmethod
    def _wrap(cls, core):
        self = cls.__new__(cls)
        self._net = core
        self.seed = None
        return self

    # --- description ------------------------------------------------------------------

    @property
    def n_inputs(self):
        return self._net.inputs

    @property
    def layer_sizes(self):
        return list(self._net.layer_sizes)

    @property
    def leaky_output(self):
        return self._net.leaky_output

    @property
    def duration(self):
        """Trial length (ms)."""
        return self._net.duration

    @property
    def params(self):
        """The neuron parameters (a dict, IF_curr_exp names; tau_syn for both receptors)."""
        return dict(self._net.params)

    @property
    def weights(self):
        """Weights (nA) of each layer: a list of (neurons, inputs) arrays (copies)."""
        return [self._net.weights(l) for l in range(self._net.layer_count)]

    @weights.setter
    def weights(self, values):
        self._set_all(values, self._net.set_weights, "weights")

    @property
    def delays(self):
        """Delays (ms) of each layer: a list of (neurons, inputs) arrays (copies)."""
        return [self._net.delays(l) for l in range(self._net.layer_count)]

    @delays.setter
    def delays(self, values):
        self._set_all(values, self._net.set_delays, "delays")

    def _set_all(self, values, setter, name):
        values = list(values)
        if len(values) != self._net.layer_count:
            raise NeurodynValueError(f"{name} needs one array per layer ({self._net.layer_count}), got {len(values)}")
        backup = [self._net.weights(l) if name == "weights" else self._net.delays(l) for l in range(len(values))]
        try:
            for l, v in enumerate(values):
                setter(l, np.asarray(v, dtype=np.float64))
        except Exception:
            for l, v in enumerate(backup):
                setter(l, v)
            raise

    def copy(self):
        """An independent copy (same weights, delays and parameters)."""
        return EventPropNetwork._wrap(self._net.copy())

    def rounded(self, dt):
        """The network the time-stepped simulator runs with step `dt`: a copy with every
        delay rounded to the nearest multiple of dt (at least one step) and the weights
        rounded to float32 (the engine's synapse weights)."""
        other = self.copy()
        other._net.round_delays_to_grid(float(dt))
        other.weights = [w.astype(np.float32).astype(np.float64) for w in other.weights]
        return other

    def __repr__(self):
        kind = "leaky" if self.leaky_output else "spiking"
        return (f"<EventPropNetwork {self.n_inputs} inputs -> {' -> '.join(map(str, self.layer_sizes))} "
                f"({kind} outputs), {self.duration:g} ms>")

    # --- running ----------------------------------------------------------------------

    def _data(self, inputs, dt=None):
        return spike_data(inputs, self.n_inputs, dt)

    def simulate(self, inputs, dt=None):
        """The event-based forward pass: for each sample, a list with one dict per layer:
        ``times`` (ms, per neuron ascending, neurons in order), ``ids`` (neuron of each
        spike) and, for a leaky output layer, ``vmax`` (mV above v_rest) and ``tmax`` (ms)."""
        data = self._data(inputs, dt)
        return [self._net.forward(data, s) for s in range(data.samples)]

    def _default_loss(self, loss):
        if loss is None:
            return "max_voltage_cross_entropy" if self.leaky_output else "first_spike_cross_entropy"
        if loss not in LOSSES:
            raise NeurodynValueError(f"loss must be one of {', '.join(LOSSES)}; got {loss!r}")
        return loss

    def _targets(self, data, labels, target_times):
        labels = np.zeros(0, dtype=np.int64) if labels is None else np.asarray(labels)
        if labels.size and not np.issubdtype(labels.dtype, np.integer):
            raise NeurodynValueError(f"labels must be integers, got dtype {labels.dtype}")
        times = np.zeros(0) if target_times is None else np.asarray(target_times, dtype=np.float64)
        return labels.astype(np.int64).ravel(), times.ravel()

    def evaluate(self, inputs, labels=None, target_times=None, loss=None, tau0=2.0, tau1=20.0, alpha=0.0,
                 dt=None, threads=1):
        """Mean loss, predictions and accuracy over all samples: a dict with ``loss``,
        ``predictions`` (the first output to fire, -1 if none; or the output with the
        highest maximum voltage) and ``accuracy`` (when labels are given)."""
        data = self._data(inputs, dt)
        loss = self._default_loss(loss)
        labels, times = self._targets(data, labels, target_times)
        r = self._net.evaluate(data, np.arange(data.samples), labels, times, loss, tau0, tau1, alpha, False, threads)
        out = {"loss": r["loss"], "predictions": r["predictions"]}
        if labels.size:
            out["accuracy"] = r["correct"] / data.samples
        return out

    def predict(self, inputs, dt=None):
        """The predicted class of each sample (see :meth:`evaluate`)."""
        data = self._data(inputs, dt)
        loss = "max_voltage_cross_entropy" if self.leaky_output else "first_spike_cross_entropy"
        labels = np.zeros(data.samples, dtype=np.int64)
        return self._net.evaluate(data, np.arange(data.samples), labels, np.zeros(0), loss, 1.0, 1.0, 0.0, False,
                                  1)["predictions"]

    def gradients(self, inputs, labels=None, target_times=None, loss=None, tau0=2.0, tau1=20.0, alpha=0.0,
                  dt=None, threads=1):
        """The exact gradient of the mean loss over the samples: a dict with ``loss``,
        ``weights`` and ``delays`` (one array per layer, shaped as the layer), and for a
        single sample ``input_times`` (dL/dt of each input spike, in the given order)."""
        data = self._data(inputs, dt)
        loss = self._default_loss(loss)
        labels, times = self._targets(data, labels, target_times)
        r = self._net.evaluate(data, np.arange(data.samples), labels, times, loss, tau0, tau1, alpha, True, threads)
        return {"loss": r["loss"], "weights": list(r["weights"]), "delays": list(r["delays"]),
                "input_times": r["input_times"]}

    def fit(self, inputs, labels=None, target_times=None, *, epochs=10, batch_size=32, learning_rate=1e-3,
            loss=None, tau0=2.0, tau1=20.0, alpha=0.0, learn_delays=False, delay_learning_rate=0.1,
            min_delay=0.0, max_delay=None, seed=0, threads=1, validation=None, dt=None, callback=None):
        """Trains with Adam on mini-batches (shuffled each epoch with `seed`).

        `learning_rate` (nA per step) for the weights; with `learn_delays`, the delays
        are trained too with `delay_learning_rate` (ms per step) and clipped to
        [min_delay, max_delay] (ms; max_delay None: the trial length). `validation`:
        (inputs, labels) evaluated after every epoch. `callback(epoch, history)` is called
        after each epoch. Returns the history: per epoch ``loss`` (mean training batch
        loss), ``accuracy`` (training, during the epoch), ``val_accuracy``."""
        data = self._data(inputs, dt)
        loss = self._default_loss(loss)
        labels, times = self._targets(data, labels, target_times)
        if int(epochs) != epochs or epochs < 0:
            raise NeurodynValueError(f"epochs must be an integer >= 0, got {epochs}")
        if int(batch_size) != batch_size or batch_size < 1:
            raise NeurodynValueError(f"batch_size must be a positive integer, got {batch_size}")
        max_delay = self.duration if max_delay is None else max_delay
        trainer = _ev.Trainer(self._net, float(learning_rate), bool(learn_delays), float(delay_learning_rate),
                              float(min_delay), float(max_delay))
        val_data = val_labels = None
        if validation is not None:
            val_data = self._data(validation[0], dt)
            val_labels = np.asarray(validation[1], dtype=np.int64)
        rng = np.random.default_rng(seed)
        history = {"loss": [], "accuracy": [], "val_accuracy": []}
        n = data.samples
        for epoch in range(int(epochs)):
            order = rng.permutation(n)
            total, correct = 0.0, 0
            for start in range(0, n, int(batch_size)):
                batch = order[start:start + int(batch_size)].astype(np.int64)
                r = trainer.step(self._net, data, batch, labels, times, loss, tau0, tau1, alpha, threads)
                total += r["loss"] * len(batch)
                correct += r["correct"]
            history["loss"].append(total / n)
            history["accuracy"].append(correct / n if labels.size else float("nan"))
            if val_data is not None:
                history["val_accuracy"].append(
                    self.evaluate(val_data, val_labels, loss=loss, tau0=tau0, tau1=tau1, alpha=alpha,
                                  threads=threads)["accuracy"])
            if callback is not None:
                callback(epoch, history)
        return history

    # --- export -----------------------------------------------------------------------

    def export_network(self, sample, dt=0.1, seed=12345, record_v=False):
        """This network as an ordinary :class:`neurodyn.Network` driven by one input
        `sample` ((times, channels)): a SpikeSourceArray population "input" and one
        IF_curr_exp population per layer ("layer0", ..., the last one "output") with
        tau_syn_E = tau_syn_I = tau_syn and tau_refrac = 0, all-to-all projections given by
        from_list with the weights (stored as float32 by the engine) and the delays rounded
        to the step (at least one step). Input times are rounded to the grid as
        SpikeSourceArray does and must be >= dt. A leaky output layer gets v_thresh 1e9 mV
        above v_rest (it never fires); `record_v` records the output layer's v every step.
        Every population's spikes are recorded; the run length is the trial length."""
        from .network import Network

        times, channels = sample
        times = np.asarray(times, dtype=np.float64)
        channels = np.asarray(channels, dtype=np.int64)
        if times.size and times.min() < dt * (1.0 - 1e-9):
            raise NeurodynValueError(f"input spike times must be >= dt = {dt} ms to be exported, "
                                     f"got {times.min()} ms")
        if channels.size and (channels.min() < 0 or channels.max() >= self.n_inputs):
            raise NeurodynValueError(f"input channels must be in [0, {self.n_inputs}), got {channels.min()}.."
                                     f"{channels.max()}")
        rounded = self.rounded(dt)
        net = Network(dt=float(dt), seed=int(seed), duration=self.duration)
        per_channel = [np.sort(times[channels == c]).tolist() for c in range(self.n_inputs)]
        source = net.population("input", "SpikeSourceArray", self.n_inputs, spike_times=per_channel)
        net.record_spikes(source)
        p = self.params
        previous = source
        n_layers = len(self.layer_sizes)
        for l, (size, w, d) in enumerate(zip(self.layer_sizes, rounded.weights, rounded.delays)):
            last = l == n_layers - 1
            leaky = last and self.leaky_output
            params = {"cm": p["cm"], "tau_m": p["tau_m"], "tau_syn_E": p["tau_syn"], "tau_syn_I": p["tau_syn"],
                      "v_rest": p["v_rest"], "v_reset": p["v_reset"],
                      "v_thresh": p["v_rest"] + 1e9 if leaky else p["v_thresh"], "tau_refrac": 0.0,
                      "i_offset": 0.0}
            population = net.population("output" if last else f"layer{l}", "IF_curr_exp", size, params=params,
                                        initial={"v": p["v_rest"]})
            post, pre = np.meshgrid(np.arange(size), np.arange(w.shape[1]), indexing="ij")
            rows = np.column_stack([pre.ravel(), post.ravel(), w.ravel(), d.ravel()])
            net.connect(previous, population, _core.from_list(rows), receptor="excitatory")
            net.record_spikes(population)
            if last and record_v:
                net.record_state(population, "v")
            previous = population
        return net


def _per_layer(value, n, name):
    values = [float(value)] * n if np.ndim(value) == 0 else [float(v) for v in value]
    if len(values) != n:
        raise NeurodynValueError(f"{name} needs one value per layer ({n}), got {len(values)}")
    return values


# --- data sets --------------------------------------------------------------------------

def _yin_yang_class(x, y, r_small=0.1, r_big=0.5):
    """Kriener et al. (2021): 0 yin, 1 yang, 2 dot, for points of the unit square inside
    the big circle."""
    d_right = math.hypot(x - 1.5 * r_big, y - r_big)
    d_left = math.hypot(x - 0.5 * r_big, y - r_big)
    if d_right < r_small or d_left < r_small:
        return 2
    is_yin = d_right <= r_small or (r_small < d_left <= 0.5 * r_big) or (y > r_big and d_right > 0.5 * r_big)
    return 0 if is_yin else 1


def yin_yang(n_train=4000, n_test=1000, seed=0, t_early=2.0, t_late=27.0, t_bias=None):
    """The Yin-Yang data set (Kriener, Göltz & Petrovici 2021): points of the yin-yang
    symbol, three classes (yin, yang, dots) drawn in equal numbers, encoded as in
    Wunderlich & Pehle (2021) by five input spikes per sample: (x, 1 - x, y, 1 - y) at
    t_early + value (t_late - t_early) ms, and a bias spike at `t_bias` (default t_early).
    Returns (x_train, y_train, x_test, y_test): lists of (times, channels) and int64
    labels; :func:`yin_yang_points` gives the coordinates of the same seed."""
    points_train, y_train, points_test, y_test = yin_yang_points(n_train, n_test, seed)
    t_bias = t_early if t_bias is None else t_bias

    def encode(points):
        out = []
        for x, y in points:
            values = np.array([x, 1.0 - x, y, 1.0 - y])
            out.append((np.append(t_early + values * (t_late - t_early), t_bias), np.arange(5, dtype=np.int64)))
        return out

    return encode(points_train), y_train, encode(points_test), y_test


def yin_yang_points(n_train=4000, n_test=1000, seed=0):
    """The Yin-Yang points: (points_train, y_train, points_test, y_test), points of shape
    (n, 2) in the unit square, classes cycling 0, 1, 2 (rejection sampling inside the big
    circle, as the reference generator does)."""
    for name, n in (("n_train", n_train), ("n_test", n_test)):
        if int(n) != n or n < 1:
            raise NeurodynValueError(f"{name} must be a positive integer, got {n}")
    rng = np.random.default_rng(seed)

    def draw(n):
        points, labels = [], []
        for k in range(int(n)):
            goal = k % 3
            while True:
                x, y = rng.uniform(0.0, 1.0, 2)
                if math.hypot(x - 0.5, y - 0.5) > 0.5:
                    continue
                if _yin_yang_class(x, y) == goal:
                    break
            points.append((x, y))
            labels.append(goal)
        return np.array(points), np.array(labels, dtype=np.int64)

    p_train, y_train = draw(n_train)
    p_test, y_test = draw(n_test)
    return p_train, y_train, p_test, y_test


def moving_dot(n_samples, channels=6, interval=20.0, interval_jitter=3.0, jitter=0.5, onset=(2.0, 10.0),
               noise_spikes=2.0, window=150.0, copies=1, seed=0):
    """A dot moving along a line of `channels` detectors, to the right (label 1) or to the
    left (label 0), in equal numbers: detector i fires once, at onset + i * interval
    (rightward) or onset + (channels - 1 - i) * interval (leftward), with the interval
    drawn per sample from interval ± interval_jitter and each spike jittered by a normal
    of std `jitter` (ms). Every detector fires exactly once in every sample, so a neuron
    that sums the inputs' PSPs without delays sees the same set of isolated PSPs in both
    directions whenever interval >> tau_syn, tau_m: only the order differs, and delays
    that line the spikes up are what tells the directions apart. `noise_spikes`: the mean
    number of extra spikes per sample (Poisson), each on a random channel at a uniform
    time in [0, window) ms, so that tiny order cues (the residue of a PSP 20 ms later)
    cannot be used instead. `copies`: every detector feeds `copies` input channels
    (channel i * copies + k), so that a layer can hold several candidate delays per
    detector (the heterogeneous delays of Grimaldi & Perrinet 2023).
    Returns (inputs, labels); the inputs have channels * copies channels."""
    if int(n_samples) != n_samples or n_samples < 1:
        raise NeurodynValueError(f"n_samples must be a positive integer, got {n_samples}")
    if int(channels) != channels or channels < 2:
        raise NeurodynValueError(f"channels must be an integer >= 2, got {channels}")
    if int(copies) != copies or copies < 1:
        raise NeurodynValueError(f"copies must be a positive integer, got {copies}")
    if not noise_spikes >= 0 or not window > 0:
        raise NeurodynValueError(f"need noise_spikes >= 0 and window > 0 ms, got {noise_spikes} and {window}")
    if not interval > 0 or interval_jitter < 0 or interval_jitter >= interval or jitter < 0:
        raise NeurodynValueError(f"need interval > interval_jitter >= 0 and jitter >= 0, got interval {interval}, "
                                 f"interval_jitter {interval_jitter}, jitter {jitter}")
    rng = np.random.default_rng(seed)
    inputs, labels = [], []
    position = np.arange(channels, dtype=np.float64)
    for k in range(int(n_samples)):
        label = k % 2
        step = rng.uniform(interval - interval_jitter, interval + interval_jitter)
        start = rng.uniform(*onset)
        order = position if label == 1 else (channels - 1 - position)
        times = start + order * step + rng.normal(0.0, jitter, channels)
        ids = np.arange(channels, dtype=np.int64)
        extra = rng.poisson(noise_spikes)
        times = np.concatenate([times, rng.uniform(0.0, window, extra)])
        ids = np.concatenate([ids, rng.integers(0, channels, extra)])
        times = np.repeat(np.maximum(times, 0.0), copies)
        ids = np.repeat(ids, copies) * copies + np.tile(np.arange(copies, dtype=np.int64), ids.size)
        inputs.append((times, ids))
        labels.append(label)
    return inputs, np.array(labels, dtype=np.int64)
