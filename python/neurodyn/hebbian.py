"""Rate-based Hebbian plasticity on neurodyn: Hebb with decay, Oja's rule, Oja's subspace
rule, Sanger's generalized Hebbian algorithm, BCM, Földiák's anti-Hebbian lateral network,
and the Hebbian principal-subspace circuit of HLOP with its orthogonal projection of
updates (continual learning).

    import neurodyn.hebbian as nh
    layer = nh.HebbianLayer(inputs=8, outputs=3, rule="sanger", eta=5e-4, seed=1)
    layer.train(x)                       # x: samples x inputs, one update per row
    layer.weights                        # outputs x inputs: the top 3 principal components, in order

    hlop = nh.HebbianSubspace(inputs=20, eta=0.005, seed=1)
    hlop.learn(activity_task_a, new_components=4)
    grad = hlop.project_out(grad)        # leaves the outputs on task A's activity unchanged

Weights are dense (outputs x inputs), rates are in the units of x, eta is per update (one
sample). The sample loops run in C++ (``neurodyn._core.hebbian``,
include/neurodyn/learn/hebbian.hpp); docs/plasticity.md ("Rate-based Hebbian rules") has
the equations and what the tests verify.
"""

import numpy as np

from . import _core
from .errors import NeurodynValueError

_ch = _core.hebbian

__all__ = ["HebbianLayer", "AntiHebbianNetwork", "HebbianSubspace", "principal_angles", "RULES"]

RULES = ("hebb", "oja", "oja_subspace", "sanger", "bcm")

# Parameters that only one rule reads; passing them with another rule is an error
# (a silently ignored parameter hides a mistake).
_RULE_PARAMETERS = {"decay": ("hebb",), "tau_theta": ("bcm",), "theta_initial": ("bcm",)}
_DEFAULTS = {"decay": 0.0, "tau_theta": 100.0, "theta_initial": 0.0}


def _value_error(message, key):
    error = NeurodynValueError(message)
    error.key = key
    return error


def _samples(x, name="x"):
    """x as a C-ordered float64 matrix (samples x values); a 1-D x is one sample."""
    a = np.asarray(x, dtype=np.float64)
    if a.ndim == 1:
        a = a[None, :]
    if a.ndim != 2:
        raise _value_error(f"{name} must be a 1-D (one sample) or 2-D (samples x values) array, got shape {a.shape}",
                           name)
    return np.ascontiguousarray(a)


def _vector(x, name):
    a = np.ascontiguousarray(np.asarray(x, dtype=np.float64))
    if a.ndim != 1:
        raise _value_error(f"{name} must be a 1-D array (one sample), got shape {a.shape}", name)
    return a


def _count(value, name, minimum=1):
    if isinstance(value, (bool, np.bool_)) or int(value) != value or value < minimum:
        raise _value_error(f"{name} must be an integer >= {minimum}, got {value!r}", name)
    return int(value)


def _seed(seed):
    if isinstance(seed, (bool, np.bool_)) or int(seed) != seed or not 0 <= int(seed) < 2**64:
        raise _value_error(f"seed must be an integer in [0, 2^64), got {seed!r}", "seed")
    return int(seed)


def _restore_shape(result, x):
    return result[0] if np.ndim(x) == 1 else result


class HebbianLayer:
    """A dense layer y = W x whose weights W (outputs x inputs) follow a Hebbian rule.

    rule:
      "hebb"          dW = eta (y x^T - decay W)          Hebb with passive decay
      "oja"           dW_o = eta y_o (x - y_o W_o)        Oja 1982, each unit on its own
      "oja_subspace"  dW = eta (y x^T - y y^T W)          Oja 1989: the top-k subspace
      "sanger"/"gha"  dW = eta (y x^T - LT[y y^T] W)      Sanger 1989: the top-k components in order
      "bcm"           dW_o = eta y_o (y_o - theta_o) x,   theta_o += (y_o^2 - theta_o) / tau_theta

    y = W x, except that "hebb" and "bcm" may be given the post-synaptic activity
    (``post``). ``decay`` (hebb), ``tau_theta`` and ``theta_initial`` (bcm, in updates)
    belong to their rule and are refused with another. ``w_min``/``w_max`` clip every
    weight after each update. Initial weights are N(0, (initial_scale / sqrt(inputs))^2)
    from ``seed``, or ``weights``.
    """

    def __init__(self, inputs, outputs, rule="oja", eta=0.01, *, decay=None, tau_theta=None, theta_initial=None,
                 w_min=None, w_max=None, seed=1, initial_scale=1.0, weights=None):
        given = {"decay": decay, "tau_theta": tau_theta, "theta_initial": theta_initial}
        rule = str(rule)
        for name, value in given.items():
            # (an unknown rule is left to the engine, whose KeyError lists the choices)
            if value is not None and rule in RULES + ("gha",) and rule not in _RULE_PARAMETERS[name]:
                raise _value_error(f"{name} applies to rule {' or '.join(map(repr, _RULE_PARAMETERS[name]))} only, "
                                   f"not {rule!r}", name)
        values = {name: (_DEFAULTS[name] if value is None else float(value)) for name, value in given.items()}
        self._layer = _ch.HebbianLayer(
            _count(inputs, "inputs"), _count(outputs, "outputs"), rule, float(eta), values["decay"],
            values["tau_theta"], values["theta_initial"], -np.inf if w_min is None else float(w_min),
            np.inf if w_max is None else float(w_max), _seed(seed), float(initial_scale))
        if weights is not None:
            self.weights = weights

    def respond(self, x):
        """y = W x: x one sample (1-D) or samples x inputs; no learning."""
        return _restore_shape(self._layer.respond(_samples(x)), x)

    def step(self, x, post=None):
        """One update with one sample x (inputs values); returns the y it used."""
        return self._layer.step(_vector(x, "x"), None if post is None else _vector(post, "post"))

    def train(self, x, post=None, epochs=1, shuffle=False):
        """One update per row of x (samples x inputs), ``epochs`` passes, in order or in a
        fresh permutation per pass (``shuffle``, drawn from the seed). ``post``: None or
        samples x outputs. Returns y of every sample in the last pass (samples x outputs)."""
        return self._layer.train(_samples(x), None if post is None else _samples(post, "post"),
                                 _count(epochs, "epochs"), bool(shuffle))

    @property
    def weights(self):
        """W, outputs x inputs (a copy; assign to set)."""
        return self._layer.weights

    @weights.setter
    def weights(self, w):
        w = np.asarray(w, dtype=np.float64)
        if w.shape != (self.outputs, self.inputs):
            raise _value_error(f"weights must have shape (outputs, inputs) = {(self.outputs, self.inputs)}, "
                               f"got {w.shape}", "weights")
        self._layer.weights = np.ascontiguousarray(w)

    @property
    def theta(self):
        """BCM thresholds, one per output (a copy; assign to set)."""
        return self._layer.theta

    @theta.setter
    def theta(self, t):
        self._layer.theta = np.ascontiguousarray(np.broadcast_to(np.asarray(t, dtype=np.float64), (self.outputs,)))

    rule = property(lambda self: self._layer.rule)
    eta = property(lambda self: self._layer.eta)
    inputs = property(lambda self: self._layer.inputs)
    outputs = property(lambda self: self._layer.outputs)
    updates = property(lambda self: self._layer.updates, doc="Updates made so far.")

    def __repr__(self):
        return (f"HebbianLayer(inputs={self.inputs}, outputs={self.outputs}, rule={self.rule!r}, eta={self.eta:g}, "
                f"updates={self.updates})")


class AntiHebbianNetwork:
    """Földiák's network: feedforward weights W learn with Oja's rule per unit, lateral
    weights L (zero diagonal) with the anti-Hebbian rule dL_ij = -eta_lateral y_i y_j,
    and the output is the fixed point y = W x + L y, i.e. y = (I - L)^-1 W x (solved per
    sample). The outputs decorrelate and the filters (I - L)^-1 W span the principal
    subspace of the input. Keep eta_lateral several times eta_forward (docs)."""

    def __init__(self, inputs, outputs, eta_forward=1e-3, eta_lateral=5e-3, *, seed=1, initial_scale=1.0):
        self._net = _ch.AntiHebbianNetwork(_count(inputs, "inputs"), _count(outputs, "outputs"), float(eta_forward),
                                           float(eta_lateral), _seed(seed), float(initial_scale))

    def respond(self, x):
        """y = (I - L)^-1 W x for one sample or samples x inputs; no learning."""
        return _restore_shape(self._net.respond(_samples(x)), x)

    def step(self, x):
        """One update with one sample; returns its y."""
        return self._net.step(_vector(x, "x"))

    def train(self, x, epochs=1, shuffle=False):
        """One update per row of x; returns y of the last pass (samples x outputs)."""
        return self._net.train(_samples(x), _count(epochs, "epochs"), bool(shuffle))

    @property
    def forward_weights(self):
        return self._net.forward_weights

    @forward_weights.setter
    def forward_weights(self, w):
        self._net.forward_weights = np.ascontiguousarray(np.asarray(w, dtype=np.float64))

    @property
    def lateral_weights(self):
        return self._net.lateral_weights

    @lateral_weights.setter
    def lateral_weights(self, w):
        self._net.lateral_weights = np.ascontiguousarray(np.asarray(w, dtype=np.float64))

    filters = property(lambda self: self._net.filters, doc="(I - L)^-1 W: the map from x to y (outputs x inputs).")
    eta_forward = property(lambda self: self._net.eta_forward)
    eta_lateral = property(lambda self: self._net.eta_lateral)
    inputs = property(lambda self: self._net.inputs)
    outputs = property(lambda self: self._net.outputs)
    updates = property(lambda self: self._net.updates)

    def __repr__(self):
        return (f"AntiHebbianNetwork(inputs={self.inputs}, outputs={self.outputs}, eta_forward={self.eta_forward:g}, "
                f"eta_lateral={self.eta_lateral:g}, updates={self.updates})")


class HebbianSubspace:
    """HLOP's Hebbian principal-subspace circuit (Xiao et al., ICLR 2024): lateral neurons
    y = H x learn with Oja's subspace rule, dH_new = eta y_new (x - H^T y)^T, so the rows
    of H become an orthonormal basis of the principal subspace of the activity x they see.
    Each task adds lateral neurons (``learn(x, new_components=k)``) and trains only them;
    the rows of earlier tasks are frozen.

    ``project_out(g)`` returns g (I - H^T H): an update of weights that act on x, with
    every component along the learnt subspaces removed, so the weights' outputs on the
    old tasks' activity do not change."""

    def __init__(self, inputs, eta=0.005, *, seed=1):
        self._subspace = _ch.HebbianSubspace(_count(inputs, "inputs"), float(eta), _seed(seed))

    def learn(self, x, new_components=0, epochs=1, shuffle=False):
        """Adds ``new_components`` lateral neurons (0: keep training the newest block) and
        trains the newest block on x (samples x inputs), one update per row."""
        self._subspace.learn(_samples(x), _count(new_components, "new_components", 0), _count(epochs, "epochs"),
                             bool(shuffle))
        return self

    def project_out(self, g):
        """g - (g H^T) H for g of shape (inputs,) or (rows, inputs) (e.g. the gradient of
        weights, outputs x inputs, that act on this activity); returns a new array of g's
        shape."""
        return _restore_shape(self._subspace.project_out(_samples(g, "matrix")), g)

    def respond(self, x):
        """The lateral responses y = H x (samples x components)."""
        return _restore_shape(self._subspace.respond(_samples(x)), x)

    def set_weights(self, weights, frozen_components=0):
        """Replaces H (components x inputs); its first ``frozen_components`` rows are frozen."""
        w = np.asarray(weights, dtype=np.float64)
        if w.ndim != 2:
            raise _value_error(f"weights must be a 2-D array (components x inputs), got shape {w.shape}", "weights")
        self._subspace.set_weights(np.ascontiguousarray(w), _count(frozen_components, "frozen_components", 0))

    weights = property(lambda self: self._subspace.weights, doc="H, components x inputs (a copy).")
    components = property(lambda self: self._subspace.components)
    frozen_components = property(lambda self: self._subspace.frozen_components)
    eta = property(lambda self: self._subspace.eta)
    inputs = property(lambda self: self._subspace.inputs)
    updates = property(lambda self: self._subspace.updates)

    def __repr__(self):
        return (f"HebbianSubspace(inputs={self.inputs}, components={self.components}, "
                f"frozen_components={self.frozen_components}, eta={self.eta:g})")


def principal_angles(a, b):
    """Principal angles (radians, ascending) between the row spaces of a (k x n) and b
    (m x n): arccos of the singular values of Qa^T Qb for orthonormal bases Qa, Qb."""
    qa = np.linalg.qr(np.atleast_2d(np.asarray(a, dtype=np.float64)).T)[0]
    qb = np.linalg.qr(np.atleast_2d(np.asarray(b, dtype=np.float64)).T)[0]
    cosines = np.linalg.svd(qa.T @ qb, compute_uv=False)
    return np.sort(np.arccos(np.clip(cosines, -1.0, 1.0)))
