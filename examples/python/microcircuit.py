"""The Potjans & Diesmann (2014) cortical microcircuit through the Python API.

Builds the network of examples/microcircuit.toml (the same populations, connectivity,
weights, delays, drive and seed, declared in the same order, so at the same scale it
gives the same spikes as the model file), runs it and prints per population the rate,
the coefficient of variation of the inter-spike intervals and the synchrony after a
100 ms warm-up, next to NEST's full-scale rates.

    PYTHONPATH=build/python /usr/bin/python3 examples/python/microcircuit.py --scale 0.1
    ... --scale 0.1 --compensate      # NEST's weight and DC correction for the lost in-degree
    ... --scale 1 --threads 2         # the full circuit: ~3e8 synapses, ~6 GB while building

Numbers: NEST's pynest/examples/Potjans_2014/network_params.py (NEST 3); the model
file's header cites each. `--scale s` multiplies population sizes by s and the numbers of
synapses by s^2 (in-degrees by s), as the model file's [network] scale does
(docs/model-file.md).
"""

import argparse
import math
import time

import numpy as np

import neurodyn as nd

POPULATIONS = ["L23E", "L23I", "L4E", "L4I", "L5E", "L5I", "L6E", "L6I"]
SIZES = [20683, 5834, 21915, 5479, 4850, 1065, 14395, 2948]
# Connection probabilities C[target][source] (Potjans & Diesmann 2014, Table 5).
CONNECTION_PROBABILITY = np.array([
    [0.1009, 0.1689, 0.0437, 0.0818, 0.0323, 0.0, 0.0076, 0.0],
    [0.1346, 0.1371, 0.0316, 0.0515, 0.0755, 0.0, 0.0042, 0.0],
    [0.0077, 0.0059, 0.0497, 0.135, 0.0067, 0.0003, 0.0453, 0.0],
    [0.0691, 0.0029, 0.0794, 0.1597, 0.0033, 0.0, 0.1057, 0.0],
    [0.1004, 0.0622, 0.0505, 0.0057, 0.0831, 0.3726, 0.0204, 0.0],
    [0.0548, 0.0269, 0.0257, 0.0022, 0.06, 0.3158, 0.0086, 0.0],
    [0.0156, 0.0066, 0.0211, 0.0166, 0.0572, 0.0197, 0.0396, 0.2252],
    [0.0364, 0.001, 0.0034, 0.0005, 0.0277, 0.008, 0.0658, 0.1443]])
EXTERNAL_INDEGREE = [1600, 1500, 2100, 1900, 2000, 1900, 2900, 2100]
BACKGROUND_RATE_HZ = 8.0
# NEST's full-scale rates (full_mean_rates, Hz), which its DC compensation uses.
FULL_SCALE_RATES_HZ = [0.943, 3.026, 4.368, 5.882, 7.733, 8.664, 1.096, 7.851]

CM_NF, TAU_M_MS, TAU_SYN_MS = 0.25, 10.0, 0.5
NEURON = {"cm": CM_NF, "tau_m": TAU_M_MS, "tau_syn_E": TAU_SYN_MS, "tau_syn_I": TAU_SYN_MS, "tau_refrac": 2.0,
          "v_rest": -65.0, "v_reset": -65.0, "v_thresh": -50.0, "i_offset": 0.0}


def psc_over_psp_nA_per_mV(cm_nF, tau_m_ms, tau_syn_ms):
    """Peak current of an exponential PSC that gives a PSP of 1 mV (NEST's helpers)."""
    ratio = tau_m_ms / tau_syn_ms
    psp_per_nA = (1.0 / cm_nF * tau_m_ms * tau_syn_ms / (tau_syn_ms - tau_m_ms)
                  * (ratio ** (-tau_m_ms / (tau_m_ms - tau_syn_ms)) - ratio ** (-tau_syn_ms / (tau_m_ms - tau_syn_ms))))
    return 1.0 / psp_per_nA


# 0.15 mV -> 0.0878085 nA (87.81 pA).
WEIGHT_NA = round(0.15 * psc_over_psp_nA_per_mV(CM_NF, TAU_M_MS, TAU_SYN_MS), 7)


def total_synapses():
    """K[target][source] = log(1 - C) / log(1 - 1/(N_pre N_post)), truncated as NEST does."""
    sizes = np.array(SIZES, dtype=float)
    pairs = np.outer(sizes, sizes)
    return np.floor(np.log(1.0 - CONNECTION_PROBABILITY) / np.log((pairs - 1.0) / pairs)).astype(np.int64)


def mean_weight_nA(target, source):
    weight = WEIGHT_NA * (1.0 if source % 2 == 0 else -4.0)
    return 2.0 * weight if (target, source) == (0, 2) else weight


def build(scale, compensate=False, seed=55):
    """The microcircuit at `scale`. With `compensate`, recurrent weights are multiplied
    by 1/sqrt(scale) and each population gets the DC that restores the full-scale mean
    input (NEST's adjust_weights_and_input_to_synapse_scaling); the external drive is
    already at full scale here (stimuli are not scaled)."""
    net = nd.Network(dt=0.1, seed=seed, duration=1000.0, scale=scale)
    for name, size in zip(POPULATIONS, SIZES):
        net.population(name, "IF_curr_exp", size, params=NEURON,
                       initial={"v": nd.normal_clipped(-58.0, 10.0, -100.0, -50.0)})
    synapses = total_synapses()
    weight_factor = 1.0 / math.sqrt(scale) if compensate else 1.0
    for t, target in enumerate(POPULATIONS):
        for s, source in enumerate(POPULATIONS):
            if synapses[t, s] == 0:
                continue
            excitatory = s % 2 == 0
            mean = mean_weight_nA(t, s) * weight_factor
            low, high = (0.0, math.inf) if excitatory else (-math.inf, 0.0)
            delay_mean, delay_sd = (1.5, 0.75) if excitatory else (0.75, 0.375)
            net.connect(source, target, nd.fixed_total_number(int(synapses[t, s]), allow_multapses=True),
                        # sd = 10 % of the mean, rounded as the model file writes it
                        weight=nd.normal_clipped(mean, round(0.1 * abs(mean), 10), low, high),
                        delay=nd.normal_clipped(delay_mean, delay_sd, 0.1, delay_mean + 8.0 * delay_sd),
                        receptor="excitatory" if excitatory else "inhibitory", name=f"{source}->{target}")
    for t, target in enumerate(POPULATIONS):
        net.poisson_input(target, rate=EXTERNAL_INDEGREE[t] * BACKGROUND_RATE_HZ, weight=WEIGHT_NA)
    if compensate and scale != 1.0:
        indegree = synapses / np.array(SIZES, dtype=float)[:, None]
        for t, target in enumerate(POPULATIONS):
            # Mean synaptic current lost: sum over sources of w K r tau_syn (nA ms Hz / 1000).
            lost = sum(mean_weight_nA(t, s) * indegree[t, s] * FULL_SCALE_RATES_HZ[s] for s in range(8))
            net.dc_input(target, amplitude=0.001 * TAU_SYN_MS * (1.0 - math.sqrt(scale)) * lost)
    for name in POPULATIONS:
        net.record_spikes(name)
    return net


def statistics(sim, net, warmup_ms, bin_ms=3.0, sync_neurons=1000):
    """Per population: rate (Hz), mean CV of ISIs over neurons with >= 2 spikes after the
    warm-up, and synchrony: variance / mean of the spike count of (up to) the first
    `sync_neurons` neurons in `bin_ms` bins (as in the paper's Fig. 6)."""
    t_end = sim.t
    rows = {}
    for name in sim.populations:
        size = net[name].size
        times, ids = sim.spikes(name)
        keep = times > warmup_ms
        times, ids = times[keep], ids[keep]
        rate = len(times) / size / ((t_end - warmup_ms) / 1000.0)
        order = np.lexsort((times, ids))
        times, ids = times[order], ids[order]
        cvs = []
        boundaries = np.flatnonzero(np.diff(ids)) + 1
        for train in np.split(times, boundaries):
            if len(train) >= 3:
                isi = np.diff(train)
                cvs.append(isi.std() / isi.mean())
        subset = times[ids < sync_neurons]
        counts, _ = np.histogram(subset, bins=np.arange(warmup_ms, t_end + bin_ms / 2, bin_ms))
        sync = counts.var() / counts.mean() if counts.mean() > 0 else float("nan")
        rows[name] = (rate, float(np.mean(cvs)) if cvs else float("nan"), sync)
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=0.1, help="network scale (default 0.1; 1 = full size)")
    parser.add_argument("--duration", type=float, default=1000.0, help="simulated time, ms (default 1000)")
    parser.add_argument("--threads", type=int, default=1, help="threads that build and run it (default 1)")
    parser.add_argument("--warmup", type=float, default=100.0, help="ms left out of the statistics (default 100)")
    parser.add_argument("--compensate", action="store_true",
                        help="NEST's correction of a scaled network: weights / sqrt(scale) plus DC")
    parser.add_argument("--seed", type=int, default=55)
    args = parser.parse_args()

    net = build(args.scale, args.compensate, args.seed)
    print(net)
    start = time.perf_counter()
    sim = net.build(threads=args.threads)
    print(f"built in {time.perf_counter() - start:.1f} s: {sim.synapse_count} synapses")
    sim.run(args.duration)
    print(f"ran {args.duration:g} ms in {sim.run_seconds:.1f} s "
          f"(real-time factor {sim.run_seconds / (args.duration / 1000.0):.1f})")
    print(f"\n{'population':<10} {'rate (Hz)':>10} {'NEST (Hz)':>10} {'CV ISI':>8} {'synchrony':>10}")
    for (name, (rate, cv, sync)), reference in zip(statistics(sim, net, args.warmup).items(), FULL_SCALE_RATES_HZ):
        print(f"{name:<10} {rate:>10.3f} {reference:>10.3f} {cv:>8.3f} {sync:>10.2f}")


if __name__ == "__main__":
    main()
