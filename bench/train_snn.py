#!/usr/bin/env python3
"""Validation and throughput of neurodyn's spiking-network training (docs/training.md,
docs/benchmarks.md "Training").

    PYTHONPATH=build/python /usr/bin/python3 bench/train_snn.py digits           # BPTT, >= 97% target
    PYTHONPATH=build/python /usr/bin/python3 bench/train_snn.py eprop            # e-prop, >= 93% target
    PYTHONPATH=build/python /usr/bin/python3 bench/train_snn.py fashion          # BPTT, >= 85% target
    PYTHONPATH=build/python /usr/bin/python3 bench/train_snn.py throughput       # samples/s vs PyTorch
    PYTHONPATH=build/python /usr/bin/python3 bench/train_snn.py forward          # inference vs Brian2
    ... --threads N --epochs N --json out.json

Why it exists: the learning targets take longer than the regular suite allows (the suite
keeps smaller learning tests), and the throughput comparison needs PyTorch on the same
machine and threads.

forward: the speed of the forward simulation of the Fashion-MNIST network (784-256-10,
LIF hidden layer, leaky readout, 25 steps of 1 ms) on --samples rate-coded test images,
three ways, one thread each, checked to give the same hidden spikes and predicted classes:
(a) the trainer's own forward pass (SpikingClassifier.predict, and .simulate per sample for
the spikes), (b) the exported network (SpikingClassifier.export_network) run by the engine,
(c) the same network in Brian2 (exact integration, SpikeGeneratorGroup input; C++
standalone by default). The weights are random (normal, sd --weight-scale / sqrt(fan-in)
nA; 0.1 makes the hidden layer fire at ~40 Hz), or trained briefly with --train-samples N
(--epochs, default 1). Samples run back to back in one simulation, each followed by one
silent step; the hidden and readout states are set to rest at the end of the sample and
again after the silent step (the one-step delays leave input in flight into that step), so
every sample starts from the state the trainer starts from.
"""

import argparse
import json
import os
import platform
import sys
import time

import numpy as np

from neurodyn import datasets
from neurodyn.training import SpikingClassifier


def run_digits(args, algorithm):
    x_train, y_train, x_test, y_test = datasets.load_digits()
    eprop = algorithm == "eprop"
    clf = SpikingClassifier(hidden=(200,), recurrent=eprop, algorithm=algorithm, feedback="random",
                            loss="mean_membrane_ce", encoding="rate", steps=25, epochs=args.epochs or 30,
                            learning_rate=5e-3, learning_rate_decay=0.93, seed=args.seed, threads=args.threads)
    start = time.perf_counter()
    clf.fit(x_train, y_train, x_val=x_test, y_val=y_test, verbose=True)
    return {"task": f"digits-{algorithm}", "test_accuracy": clf.history_[-1]["val_accuracy"],
            "best_test_accuracy": max(h["val_accuracy"] for h in clf.history_), "epochs": len(clf.history_),
            "train_seconds": sum(h["seconds"] for h in clf.history_), "wall_seconds": time.perf_counter() - start,
            "history": clf.history_}


def run_fashion(args):
    x_train, y_train, x_test, y_test = datasets.load_fashion_mnist()
    if args.train_samples:
        x_train, y_train = x_train[:args.train_samples], y_train[:args.train_samples]
    # Fast synapses and membranes (tau_syn 1 ms, tau_m 10 ms): with 25 steps of 1 ms the
    # defaults (5 ms, 20 ms) leave the layers too little time to respond, and the network
    # underfits (train accuracy 0.77 after 3 epochs on 12,000 images against 0.84).
    fast = {"tau_syn": 1.0, "tau_m": 10.0}
    clf = SpikingClassifier(hidden=(256,), loss="mean_membrane_ce", encoding="rate", steps=25,
                            hidden_params=fast, output_params=fast,
                            epochs=args.epochs or 6, batch_size=64, learning_rate=2e-3, learning_rate_decay=0.9,
                            seed=args.seed, threads=args.threads)
    start = time.perf_counter()
    clf.fit(x_train, y_train, x_val=x_test, y_val=y_test, verbose=True)
    return {"task": "fashion-bptt", "test_accuracy": clf.history_[-1]["val_accuracy"], "epochs": len(clf.history_),
            "train_samples": len(x_train), "train_seconds": sum(h["seconds"] for h in clf.history_),
            "wall_seconds": time.perf_counter() - start, "history": clf.history_}


def torch_throughput(spikes, labels, hidden, threads, batch_size, repeats):
    """The same 2-layer network (LIF hidden layer with exponential current, leaky readout,
    cross-entropy on the mean readout membrane, fast-sigmoid surrogate, Adam) written in
    torch the snnTorch way: dense matrix products per step over the batch, autograd."""
    import torch
    torch.set_num_threads(threads)
    dtype = torch.float64  # neurodyn trains in double precision
    n_in, n_out, steps = spikes.shape[2], 10, spikes.shape[1]
    import math
    p22, p11 = math.exp(-1 / 20), math.exp(-1 / 5)
    p21 = math.exp(-1 / 20) * -math.expm1(-(1 / 5 - 1 / 20)) / (1 / 5 - 1 / 20)

    class Spike(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return (x >= 0).to(x.dtype)

        @staticmethod
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            return grad / (1 + 5 * x.abs()) ** 2

    g = torch.Generator().manual_seed(0)
    w1 = (torch.randn(n_in, hidden, generator=g, dtype=dtype) / n_in ** 0.5).requires_grad_()
    w2 = (torch.randn(hidden, n_out, generator=g, dtype=dtype) / hidden ** 0.5).requires_grad_()
    opt = torch.optim.Adam([w1, w2], lr=2e-3)
    x_all = torch.tensor(spikes, dtype=dtype)
    y_all = torch.tensor(labels)

    def step(x, y):
        b = x.shape[0]
        v1 = torch.zeros(b, hidden, dtype=dtype); i1 = torch.zeros_like(v1); s1_prev = torch.zeros_like(v1)
        v2 = torch.zeros(b, n_out, dtype=dtype); i2 = torch.zeros_like(v2)
        x_prev = torch.zeros(b, n_in, dtype=dtype)
        total = 0
        for t in range(steps):
            u1 = p22 * v1 + p21 * i1
            i1 = p11 * i1 + x_prev @ w1
            s1 = Spike.apply(u1 - 1.0)
            v1 = u1 * (1 - s1.detach())
            u2 = p22 * v2 + p21 * i2
            i2 = p11 * i2 + s1_prev @ w2
            v2 = u2
            total = total + u2
            s1_prev, x_prev = s1, x[:, t]
        loss = torch.nn.functional.cross_entropy(total / steps, y)
        opt.zero_grad()
        loss.backward()
        opt.step()

    start = time.perf_counter()
    count = 0
    for _ in range(repeats):
        for first in range(0, len(labels), batch_size):
            step(x_all[first:first + batch_size], y_all[first:first + batch_size])
            count += min(batch_size, len(labels) - first)
    return count / (time.perf_counter() - start)


def run_throughput(args):
    x_train, y_train, _, _ = datasets.load_fashion_mnist()
    n = args.train_samples or 2048
    spikes = datasets.rate_encode(x_train[:n], 25, seed=1).astype(np.uint8)
    labels = y_train[:n]
    hidden, batch = 256, 64
    clf = SpikingClassifier(hidden=(hidden,), loss="mean_membrane_ce", steps=25, epochs=1, batch_size=batch,
                            learning_rate=2e-3, seed=0, threads=args.threads)
    clf.fit(spikes[:batch], labels[:batch])  # builds the trainer
    start = time.perf_counter()
    clf.fit(spikes, labels)
    ours = n / (time.perf_counter() - start)
    theirs = torch_throughput(spikes, labels, hidden, args.threads, batch, 1)
    import torch
    return {"task": "throughput", "network": f"784-{hidden}(LIF)-10(readout), 25 steps, batch {batch}, float64",
            "samples": n, "threads": args.threads, "neurodyn_samples_per_s": ours, "torch_samples_per_s": theirs,
            "ratio": ours / theirs, "torch_version": torch.__version__}


def brian2_forward(spikes, weights, neuron, steps_per_sample, device):
    """The trained network in Brian2: IF_curr_exp neurons (one signed synaptic current, as
    the trainer), exact integration, a SpikeGeneratorGroup for the input spikes. Samples run
    back to back as in neurodyn's run: a sample's step t is Brian2 step k * steps_per_sample
    + t, and the states are set to rest at the start of steps k * steps_per_sample and
    k * steps_per_sample + steps. Returns hidden spike counts (samples, hidden), the readout's
    mean membrane (samples, classes) and timings (s)."""
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import brian2_models

    directory = os.path.join(brian2_models.WORK_ROOT, f"snn_forward_{device}")
    samples, steps, inputs = spikes.shape
    hidden, classes = weights["W1"].shape
    start = time.perf_counter()
    b2 = brian2_models._prepare_device(device, directory, threads=1)
    ms, mV, nA, nF = b2.ms, b2.mV, b2.nA, b2.nF
    dt_ms = neuron["dt"]  # not "dt": Brian2 would also see it in this frame
    b2.defaultclock.dt = dt_ms * ms
    namespace = dict(c_m=neuron["cm"] * nF, tau_m=neuron["tau_m"] * ms, tau_syn=neuron["tau_syn"] * ms,
                     v_rest=neuron["v_rest"] * mV, v_reset=neuron["v_reset"] * mV, v_thresh=neuron["v_thresh"] * mV,
                     i_offset=neuron["i_offset"] * nA, period=steps_per_sample, sample_steps=steps)
    eqs = """dv/dt = (v_rest - v) / tau_m + (i_syn + i_offset) / c_m : volt
             di_syn/dt = -i_syn / tau_syn : amp"""
    # The spike test after the synapses and a delay of 0: the step semantics of neurodyn
    # (bench/brian2_models.py, module docstring), so a spike of step t adds to the current
    # of the next layer in step t + 1, as the trainer's one-step delay.
    layer_hidden = b2.NeuronGroup(hidden, eqs, threshold="v >= v_thresh", reset="v = v_reset", method="exact",
                                  namespace=namespace, name="hidden")
    layer_hidden.set_event_schedule("spike", when="after_synapses")
    readout = b2.NeuronGroup(classes, eqs, method="exact", namespace=namespace, name="readout")
    for group in (layer_hidden, readout):
        group.v = neuron["v_rest"] * mV
        group.run_regularly("at_rest = int(timestep(t, dt) % period == 0 or timestep(t, dt) % period == sample_steps)\n"
                            "v = at_rest * v_rest + (1 - at_rest) * v\n"
                            "i_syn = (1 - at_rest) * i_syn", when="start")
    sample, step, source = np.nonzero(spikes)
    # Input spike of step t at (t + 1) dt: delivered in step t + 1 (delay 0), as neurodyn's
    # SpikeSourceArray spike at (t + 1) dt with delay dt.
    times = (sample * steps_per_sample + step + 1) * dt_ms
    source_group = b2.SpikeGeneratorGroup(inputs, source, times * ms, name="input")
    projections = []
    for name, pre, post in (("W0", source_group, layer_hidden), ("W1", layer_hidden, readout)):
        matrix = weights[name]
        i, j = np.nonzero(matrix)
        synapses = b2.Synapses(pre, post, "w : amp", on_pre="i_syn_post += w", delay=0 * ms, name=f"syn_{name}")
        synapses.connect(i=i, j=j)
        synapses.w = matrix[i, j] * nA
        projections.append(synapses)
    hidden_spikes = b2.SpikeMonitor(layer_hidden, name="hidden_spikes")
    membrane = b2.StateMonitor(readout, "v", record=True, when="end", name="readout_v")  # u_t of the trainer
    net = b2.Network(source_group, layer_hidden, readout, *projections, hidden_spikes, membrane)
    duration = samples * steps_per_sample * dt_ms
    timings = {}
    if device == "runtime":
        timings["build_s"] = time.perf_counter() - start
        t0 = time.perf_counter()
        net.run(duration * ms)
        timings["run_s"] = time.perf_counter() - t0  # includes Cython code generation not cached
    else:
        net.run(duration * ms)  # records the run; nothing is executed yet
        timings["build_s"] = time.perf_counter() - start
        t0 = time.perf_counter()
        b2.device.build(directory=directory, compile=True, run=True, clean=True, with_output=False)
        total = time.perf_counter() - t0
        compile_s = float(sum(v for v in b2.device.timers.get("compile", {}).values() if v is not None))
        timings["binary_s"] = float(b2.device.timers.get("run_binary", 0.0))
        timings["codegen_compile_s"] = total - timings["binary_s"]
        timings["compile_s"] = compile_s
        timings["run_s"] = float(b2.device._last_run_time)  # the simulation loop alone
    timings["wall_s"] = time.perf_counter() - start
    step_of_spike = np.rint(np.asarray(hidden_spikes.t / ms) / dt_ms).astype(np.int64)
    counts = _counts_per_sample(step_of_spike, np.asarray(hidden_spikes.i), samples, steps_per_sample, steps, hidden)
    v = np.asarray(membrane.v / mV).T  # (Brian2 steps, classes)
    return counts, _mean_per_sample(v, samples, steps_per_sample, steps), timings


def _counts_per_sample(step, neuron, samples, steps_per_sample, steps, size):
    """Spikes per (sample, neuron) from global step indices; spikes in the silent steps
    between samples (there should be none) make the result invalid."""
    if np.any(step % steps_per_sample >= steps):
        raise RuntimeError("spikes in the silent steps between samples: the states were not reset")
    counts = np.zeros((samples, size), dtype=np.int64)
    np.add.at(counts, (step // steps_per_sample, neuron.astype(np.int64)), 1)
    return counts


def _mean_per_sample(values, samples, steps_per_sample, steps):
    """Mean over each sample's steps of values[step] (values: (global steps, neurons))."""
    return values[:samples * steps_per_sample].reshape(samples, steps_per_sample, -1)[:, :steps].mean(axis=1)


def run_forward(args):
    x_train, y_train, x_test, y_test = datasets.load_fashion_mnist()
    samples, steps, dt, hidden = args.samples, 25, 1.0, 256
    steps_per_sample = steps + 1  # one silent step between samples
    spikes = datasets.rate_encode(x_test[:samples], steps, seed=[args.seed, 7]).astype(np.uint8)
    labels = y_test[:samples]
    clf = SpikingClassifier(hidden=(hidden,), loss="mean_membrane_ce", encoding=None, steps=steps, dt=dt,
                            weight_scale=args.weight_scale, epochs=args.epochs or 1, batch_size=64,
                            learning_rate=2e-3, seed=args.seed, threads=1)
    if args.train_samples:
        train_spikes = datasets.rate_encode(x_train[:args.train_samples], steps, seed=[args.seed, 8]).astype(np.uint8)
        clf.fit(train_spikes, y_train[:args.train_samples], verbose=True)
        weights_from = f"trained {clf.epochs} epoch(s) on {args.train_samples} training images"
    else:
        clf.fit(spikes[:1], np.array([9]))  # builds the trainer for classes 0..9; its weights are replaced
        weights_from = f"random, normal with sd {args.weight_scale} / sqrt(fan-in) nA"
        rng = np.random.default_rng([args.seed, 9])
        clf.set_weights({"W0": rng.normal(0.0, args.weight_scale / np.sqrt(784), (784, hidden)),
                         "W1": rng.normal(0.0, args.weight_scale / np.sqrt(hidden), (hidden, 10))})
    # The engine keeps weights as float32: the trainer and Brian2 get the same numbers.
    weights = {k: w.astype(np.float32).astype(np.float64) for k, w in clf.get_weights().items()}
    clf.set_weights(weights)

    # (a) the trainer's forward pass: all samples (predict), then per sample with spikes.
    start = time.perf_counter()
    trainer_mean_membrane = clf.output_values(spikes)
    trainer_predict_s = time.perf_counter() - start
    start = time.perf_counter()
    per_sample = [clf.simulate(sample) for sample in spikes]
    trainer_simulate_s = time.perf_counter() - start
    trainer_counts = np.stack([r["spikes"][0].sum(axis=0) for r in per_sample]).astype(np.int64)

    # (b) the exported network in the engine: one network, samples back to back.
    start = time.perf_counter()
    back_to_back = np.zeros((samples * steps_per_sample, 784), dtype=np.uint8)
    for k in range(samples):
        back_to_back[k * steps_per_sample:k * steps_per_sample + steps] = spikes[k]
    sim = clf.export_network(back_to_back).build(threads=1)
    engine_build_s = time.perf_counter() - start

    def rest():
        for population in ("hidden0", "output"):
            for variable, value in (("v", 0.0), ("isyn_exc", 0.0), ("isyn_inh", 0.0)):
                sim.set_state(population, variable, value)

    start = time.perf_counter()
    for _ in range(samples):
        sim.run(steps * dt)
        rest()  # before the silent step: no spike in it, whatever was in flight
        sim.run(dt)
        rest()  # after it: what the silent step received is cleared
    engine_run_s = time.perf_counter() - start
    times, ids = sim.spikes("hidden0")
    engine_counts = _counts_per_sample(np.rint(times / dt).astype(np.int64) - 1, ids, samples, steps_per_sample,
                                       steps, hidden)
    trace = sim.trace("output", "v")  # sample j at time j dt: the membrane after step j - 1
    engine_mean_membrane = _mean_per_sample(np.asarray(trace.values)[1:], samples, steps_per_sample, steps)

    # (c) Brian2.
    neuron = {"dt": dt, "cm": 1.0, "tau_m": 20.0, "tau_syn": 5.0, "v_rest": 0.0, "v_reset": 0.0, "v_thresh": 1.0,
              "i_offset": 0.0}
    brian2_counts, brian2_mean_membrane, brian2_timings = brian2_forward(spikes, weights, neuron, steps_per_sample,
                                                                         args.brian2_device)
    import brian2

    classes = {name: np.argmax(m, axis=1) for name, m in
               (("trainer", trainer_mean_membrane), ("engine", engine_mean_membrane), ("brian2", brian2_mean_membrane))}
    agree = bool(np.array_equal(classes["trainer"], classes["engine"])
                 and np.array_equal(classes["trainer"], classes["brian2"]))
    rate = lambda seconds: samples / seconds
    b2_run = brian2_timings["run_s"]
    return {
        "task": "forward", "network": f"784-{hidden}(LIF)-10(leaky readout), {steps} steps of {dt} ms, float64",
        "weights": weights_from, "samples": samples, "threads": 1, "brian2_device": args.brian2_device,
        "brian2_version": brian2.__version__,
        "hidden_rate_hz": float(trainer_counts.mean() / (steps * dt) * 1000.0),
        "input_spikes_per_step": float(spikes.sum() / (samples * steps)),
        "test_accuracy": float(np.mean(classes["trainer"] == labels)),
        "trainer_predict_s": trainer_predict_s, "trainer_simulate_s": trainer_simulate_s,
        "engine_build_s": engine_build_s, "engine_run_s": engine_run_s, "brian2": brian2_timings,
        "samples_per_s": {"trainer_predict": rate(trainer_predict_s), "trainer_simulate": rate(trainer_simulate_s),
                          "engine_run": rate(engine_run_s), "brian2_run": rate(b2_run)},
        "brian2_run_over": {"trainer_predict": b2_run / trainer_predict_s,
                            "trainer_simulate": b2_run / trainer_simulate_s, "engine_run": b2_run / engine_run_s},
        "classes_agree": agree,
        "hidden_spikes": {"trainer": int(trainer_counts.sum()), "engine": int(engine_counts.sum()),
                          "brian2": int(brian2_counts.sum())},
        "hidden_counts_differing": {"engine": int(np.count_nonzero(engine_counts != trainer_counts)),
                                    "brian2": int(np.count_nonzero(brian2_counts != trainer_counts))},
        "readout_mean_membrane_max_diff_mV": {
            "engine": float(np.abs(engine_mean_membrane - trainer_mean_membrane).max()),
            "brian2": float(np.abs(brian2_mean_membrane - trainer_mean_membrane).max())},
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("task", choices=["digits", "eprop", "fashion", "throughput", "forward"])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--epochs", type=int, default=0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--train-samples", type=int, default=0)
    parser.add_argument("--json", default="")
    parser.add_argument("--samples", type=int, default=200, help="forward: test images simulated")
    parser.add_argument("--weight-scale", type=float, default=0.1,
                        help="forward: sd of the random weights times sqrt(fan-in) (nA)")
    parser.add_argument("--brian2-device", choices=["cpp_standalone", "runtime"], default="cpp_standalone",
                        help="forward: Brian2's C++ standalone or its Cython runtime")
    args = parser.parse_args()
    if args.task == "digits":
        result = run_digits(args, "bptt")
    elif args.task == "eprop":
        result = run_digits(args, "eprop")
    elif args.task == "fashion":
        result = run_fashion(args)
    elif args.task == "forward":
        result = run_forward(args)
    else:
        result = run_throughput(args)
    result["machine"] = f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores"
    summary = {k: v for k, v in result.items() if k != "history"}
    print(json.dumps(summary, indent=1))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(result, f, indent=1)
    if result.get("classes_agree") is False:
        sys.exit("forward: the three simulations predict different classes")


if __name__ == "__main__":
    main()
