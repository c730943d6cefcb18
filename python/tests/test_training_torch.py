"""BPTT gradients of neurodyn's trainer against PyTorch autograd on the same network.

The reference is the network written again in a few lines of torch (float64): the exact
propagators of IF_curr_exp / ALIF, one-step delays, the reset treated as a constant
(detached, snnTorch's default), and the spike as a custom autograd function whose backward
is the surrogate. Autograd then differentiates the whole unrolled computation, so the two
gradients differ only by rounding: they must agree to 1e-6 relative (the brief's bound;
the measured agreement is ~1e-15, double-precision rounding over a few hundred
operations). e-prop with symmetric feedback and no recurrent weights must equal BPTT
(its eligibility traces are then exact), to the same bound.
"""

import math

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from neurodyn import _core  # noqa: E402

DEFAULTS = {"cm": 1.0, "tau_m": 20.0, "tau_syn": 5.0, "v_rest": 0.0, "v_reset": 0.0, "v_thresh": 1.0,
            "i_offset": 0.0, "tau_adapt": 200.0, "beta": 1.0}


def surrogate_class(kind, slope):
    class Spike(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return (x >= 0).to(x.dtype)

        @staticmethod
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            if kind == "fast_sigmoid":
                return grad / (1.0 + slope * x.abs()) ** 2
            return grad * (slope / 2) / (1.0 + (math.pi / 2 * slope * x) ** 2)
    return Spike


def propagators(p, dt):
    a = abs(1.0 / p["tau_syn"] - 1.0 / p["tau_m"])
    integral = dt if a == 0 else -math.expm1(-dt * a) / a
    return {"p22": math.exp(-dt / p["tau_m"]), "p11": math.exp(-dt / p["tau_syn"]),
            "p20": -p["tau_m"] / p["cm"] * math.expm1(-dt / p["tau_m"]),
            "p21": math.exp(-dt / max(p["tau_m"], p["tau_syn"])) * integral / p["cm"],
            "pa": math.exp(-dt / p["tau_adapt"])}


def torch_loss(spikes, labels, weights, cfg):
    """Mean loss of the batch, the network of train_network.hpp in torch."""
    Spike = surrogate_class(cfg["surrogate"], cfg["slope"])
    sizes = list(cfg["hidden"]) + [cfg["outputs"]]
    layers = len(sizes)
    hp = dict(DEFAULTS, **cfg.get("hidden_params", {}))
    op = dict(DEFAULTS, **cfg.get("output_params", {}))
    total = 0.0
    for b in range(spikes.shape[0]):
        x = torch.tensor(spikes[b], dtype=torch.float64)
        steps = x.shape[0]
        v = [torch.full((n,), (op if l == layers - 1 else hp)["v_rest"], dtype=torch.float64) for l, n in enumerate(sizes)]
        i = [torch.zeros(n, dtype=torch.float64) for n in sizes]
        a = [torch.zeros(n, dtype=torch.float64) for n in sizes]
        s_prev = [torch.zeros(n, dtype=torch.float64) for n in sizes]
        x_prev = torch.zeros(x.shape[1], dtype=torch.float64)
        out_s, out_u = [], []
        for t in range(steps):
            s_now = []
            for l in range(layers):
                p = op if l == layers - 1 else hp
                c = propagators(p, cfg["dt"])
                source = x_prev if l == 0 else s_prev[l - 1]
                J = source @ weights[f"W{l}"]
                if f"R{l}" in weights:
                    J = J + s_prev[l] @ weights[f"R{l}"]
                u = p["v_rest"] + c["p22"] * (v[l] - p["v_rest"]) + c["p21"] * i[l] + c["p20"] * p["i_offset"]
                i[l] = c["p11"] * i[l] + J
                output = l == layers - 1
                spiking = not output or cfg["loss"] in ("count_ce", "rate_mse")
                alif = not output and cfg["model"] == "ALIF"
                if spiking:
                    decayed = c["pa"] * a[l]
                    threshold = p["v_thresh"] + (p["beta"] * decayed if alif else 0.0)
                    s = Spike.apply((u - threshold) / (p["v_thresh"] - p["v_rest"]))
                    v[l] = u * (1 - s.detach()) + p["v_reset"] * s.detach()
                    a[l] = decayed + s
                else:
                    s = torch.zeros_like(u)
                    v[l] = u
                s_now.append(s)
                if output:
                    out_s.append(s)
                    out_u.append(u)
            s_prev = s_now
            x_prev = x[t]
        S, U = torch.stack(out_s), torch.stack(out_u)
        label = torch.tensor([int(labels[b])])
        if cfg["loss"] == "count_ce":
            total = total + torch.nn.functional.cross_entropy(S.sum(0)[None], label)
        elif cfg["loss"] == "mean_membrane_ce":
            total = total + torch.nn.functional.cross_entropy(U.mean(0)[None], label)
        elif cfg["loss"] == "max_membrane_ce":
            total = total + torch.nn.functional.cross_entropy(U.max(0).values[None], label)
        else:
            target = torch.full((cfg["outputs"],), cfg.get("off", 0.02), dtype=torch.float64)
            target[int(labels[b])] = cfg.get("on", 0.5)
            total = total + ((S.mean(0) - target) ** 2).mean()
    return total / spikes.shape[0]


def make_trainer(cfg, seed=3, algorithm="bptt"):
    return _core.training.Trainer(
        cfg["inputs"], list(cfg["hidden"]), cfg["outputs"], model=cfg["model"], recurrent=cfg["recurrent"],
        hidden_params=cfg.get("hidden_params", {}), output_params=cfg.get("output_params", {}), dt=cfg["dt"],
        surrogate=cfg["surrogate"], surrogate_slope=cfg["slope"], loss=cfg["loss"], weight_scale=cfg["scale"],
        algorithm=algorithm, seed=seed)


def batch(cfg, samples=4, steps=30, seed=7):
    rng = np.random.default_rng(seed)
    spikes = (rng.random((samples, steps, cfg["inputs"])) < 0.3).astype(np.uint8)
    labels = rng.integers(0, cfg["outputs"], samples)
    return spikes, labels


CASES = {
    "lif_two_layers_count_ce": dict(hidden=(12, 9), model="LIF", recurrent=False, loss="count_ce"),
    "lif_recurrent_mean_membrane": dict(hidden=(10,), model="LIF", recurrent=True, loss="mean_membrane_ce"),
    "alif_recurrent_count_ce": dict(hidden=(10,), model="ALIF", recurrent=True, loss="count_ce",
                                    hidden_params={"beta": 0.5, "tau_adapt": 30.0}),
    "alif_two_layers_max_membrane_arctan": dict(hidden=(8, 8), model="ALIF", recurrent=False, loss="max_membrane_ce",
                                                surrogate="arctan", slope=2.0),
    "lif_rate_mse_other_params": dict(hidden=(10,), model="LIF", recurrent=True, loss="rate_mse",
                                      hidden_params={"tau_m": 10.0, "tau_syn": 3.0, "v_rest": -65.0, "v_reset": -70.0,
                                                     "v_thresh": -55.0, "i_offset": 0.1},
                                      dt=0.5, scale=20.0),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_bptt_gradient_equals_torch_autograd(name):
    cfg = dict(inputs=6, outputs=4, dt=1.0, surrogate="fast_sigmoid", slope=5.0, scale=3.0)
    cfg.update(CASES[name])
    trainer = make_trainer(cfg)
    spikes, labels = batch(cfg)
    loss, _, grads = trainer.gradient(spikes, labels)
    weights = {k: torch.tensor(w, requires_grad=True) for k, w in trainer.get_weights().items()}
    reference = torch_loss(spikes, labels, weights, cfg)
    reference.backward()
    assert loss == pytest.approx(reference.item(), rel=1e-12)
    # The network must be active for the comparison to mean something: hidden spikes exist
    # and every matrix gets a nonzero gradient.
    assert trainer.simulate(spikes[0])["spikes"][0].any()
    for key, tensor in weights.items():
        expected = tensor.grad.numpy()
        assert np.abs(expected).max() > 0, key
        scale = np.abs(expected).max()
        np.testing.assert_allclose(grads[key], expected, rtol=1e-6, atol=1e-6 * scale, err_msg=key)


@pytest.mark.parametrize("model", ["LIF", "ALIF"])
def test_eprop_equals_bptt_without_recurrence(model):
    cfg = dict(inputs=6, outputs=4, hidden=(10,), model=model, recurrent=False, loss="mean_membrane_ce", dt=1.0,
               surrogate="fast_sigmoid", slope=5.0, scale=3.0, hidden_params={"beta": 0.5, "tau_adapt": 30.0})
    spikes, labels = batch(cfg, samples=5)
    bptt = make_trainer(cfg, algorithm="bptt")
    eprop = make_trainer(cfg, algorithm="eprop")
    loss_b, _, grad_b = bptt.gradient(spikes, labels)
    loss_e, _, grad_e = eprop.gradient(spikes, labels)
    assert loss_b == loss_e
    for key in grad_b:
        scale = np.abs(grad_b[key]).max()
        assert scale > 0
        np.testing.assert_allclose(grad_e[key], grad_b[key], rtol=1e-6, atol=1e-9 * scale, err_msg=key)


def test_eprop_differs_from_bptt_with_recurrence():
    # With recurrent weights e-prop drops the paths through other neurons: its input
    # gradient must differ from BPTT's (else the test above would not test anything).
    cfg = dict(inputs=6, outputs=4, hidden=(10,), model="LIF", recurrent=True, loss="mean_membrane_ce", dt=1.0,
               surrogate="fast_sigmoid", slope=5.0, scale=3.0)
    spikes, labels = batch(cfg, samples=5)
    _, _, grad_b = make_trainer(cfg, algorithm="bptt").gradient(spikes, labels)
    _, _, grad_e = make_trainer(cfg, algorithm="eprop").gradient(spikes, labels)
    assert np.abs(grad_e["W0"] - grad_b["W0"]).max() > 1e-3 * np.abs(grad_b["W0"]).max()
    # The readout's gradient is exact in e-prop too.
    np.testing.assert_allclose(grad_e["W1"], grad_b["W1"], rtol=1e-9, atol=1e-12)
