#!/usr/bin/python3
"""Reference values for the Brunel (2000) network of examples/brunel.toml.

1. Mean-field theory. In the diffusion approximation the stationary rate nu0 of the
   asynchronous state solves (Brunel 2000, eqs. 4.3-4.6; Amit & Brunel 1997)

     mu      = C_E J tau (nu_ext + nu0 (1 - g gamma))              mean input (mV)
     sigma^2 = J^2 C_E tau (nu_ext + nu0 (1 + g^2 gamma))          input variance (mV^2)
     1/nu0   = tau_rp + tau sqrt(pi) * integral from (V_r - mu)/sigma to (theta - mu)/sigma
                                       of exp(u^2) (1 + erf(u)) du

   with gamma = C_I / C_E. The delay does not enter the stationary rate; the formula
   neglects the synaptic time scale (delta synapses, sigma from uncorrelated Poisson
   input) and finite-size effects, which at J = 0.1 mV = theta/200 shift the rate by a
   few percent. exp(u^2) (1 + erf(u)) is evaluated as scipy.special.erfcx(-u), which
   does not overflow.

2. Simulation reference. The Brian2 twin (bench/brian2_models.py) is run for several
   seeds, and for each the mean E and I rates, the mean ISI CV and Golomb's synchrony
   measure are printed, then their mean and between-seed spread. These are the numbers
   neurodyn's integration test of examples/brunel.toml is checked against.

   Golomb's synchrony measure (Golomb & Rinzel 1993; Golomb 2007, Scholarpedia) on a
   sample of neurons with membrane potentials v_i(t):
     chi^2 = Var_t[ mean_i v_i(t) ] / mean_i Var_t[ v_i(t) ]
   chi^2 is 1 for full synchrony and of order 1/N_sample for independent neurons. Both
   chi^2 and chi are printed.

Run (about 2 minutes with the C++ standalone device, most of it compilation):

    /usr/bin/python3 bench/brunel_meanfield.py [--seeds 1 2 3] [--device cpp_standalone]
        [--duration 1000] [--no-brian2] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys

import numpy as np
from scipy import integrate, optimize, special

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import brian2_models  # noqa: E402  (the module lives beside this script)


def siegert_rate_hz(mu_mV: float, sigma_mV: float, p: dict) -> float:
    """Firing rate (Hz) of the LIF neuron driven by white noise of mean mu, std sigma."""
    tau_s = p["tau_m_ms"] / 1000.0
    tau_rp_s = p["tau_refrac_ms"] / 1000.0
    theta = p["v_thresh_mV"] - p["v_rest_mV"]
    v_r = p["v_reset_mV"] - p["v_rest_mV"]
    lower, upper = (v_r - mu_mV) / sigma_mV, (theta - mu_mV) / sigma_mV
    value, _ = integrate.quad(lambda u: special.erfcx(-u), lower, upper, limit=200)
    return 1.0 / (tau_rp_s + tau_s * math.sqrt(math.pi) * value)


def input_moments(nu_hz: float, p: dict) -> tuple[float, float]:
    """(mu, sigma) in mV of the total input at recurrent rate nu_hz."""
    tau_s = p["tau_m_ms"] / 1000.0
    gamma = p["c_inh"] / p["c_exc"]
    nu_ext = brian2_models.brunel_external_rate_hz(p)
    j, g, c_e = p["j_mV"], p["g"], p["c_exc"]
    mu = c_e * j * tau_s * (nu_ext + nu_hz * (1.0 - g * gamma))
    sigma = math.sqrt(j * j * c_e * tau_s * (nu_ext + nu_hz * (1.0 + g * g * gamma)))
    return mu, sigma


def stationary_rate(p: dict = brian2_models.BRUNEL) -> dict:
    """Self-consistent rate nu0 = phi(mu(nu0), sigma(nu0)), by bracketing root search."""

    def mismatch(nu):
        return nu - siegert_rate_hz(*input_moments(nu, p), p)

    nu_max = 1000.0 / p["tau_refrac_ms"]  # the rate can never exceed 1 / tau_rp
    nu0 = optimize.brentq(mismatch, 1e-6, nu_max * (1.0 - 1e-9), xtol=1e-12)
    mu, sigma = input_moments(nu0, p)
    return {"nu0_hz": nu0, "mu_mV": mu, "sigma_mV": sigma,
            "nu_ext_hz": brian2_models.brunel_external_rate_hz(p)}


def golomb_chi_squared(v: np.ndarray) -> float:
    """chi^2 of a (neurons, samples) array of membrane potentials."""
    population_variance = np.var(v.mean(axis=0))
    single_variances = np.var(v, axis=1)
    return float(population_variance / single_variances.mean())


def simulate(seeds, duration_ms: float, device: str, sample: int, transient_ms: float) -> list[dict]:
    rows = []
    for seed in seeds:
        run = brian2_models.run_brunel(duration_ms=duration_ms, seed=seed, device=device, record_v=sample,
                                       v_sample_dt_ms=1.0)
        rates = run.rates_hz()
        steady_rates = run.rates_hz(t_start_ms=transient_ms)
        first_kept = int(round(transient_ms / run.v_sample_dt_ms))
        chi2_all = golomb_chi_squared(run.v_sample)
        chi2_steady = golomb_chi_squared(run.v_sample[:, first_kept:])
        rows.append({
            "seed": seed,
            "rate_E_hz": rates["E"], "rate_I_hz": rates["I"],
            "rate_E_steady_hz": steady_rates["E"], "rate_I_steady_hz": steady_rates["I"],
            "cv_E": brian2_models.mean_cv_isi(*run.spikes["E"]),
            "cv_I": brian2_models.mean_cv_isi(*run.spikes["I"]),
            "chi2": chi2_all, "chi": math.sqrt(chi2_all),
            "chi2_steady": chi2_steady, "chi_steady": math.sqrt(chi2_steady),
            "run_s": run.run_s,
        })
    return rows


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--duration", type=float, default=1000.0, help="ms per run (default 1000)")
    parser.add_argument("--device", choices=["runtime", "cpp_standalone"], default="cpp_standalone")
    parser.add_argument("--sample", type=int, default=500, help="neurons sampled for chi (default 500)")
    parser.add_argument("--transient", type=float, default=100.0,
                        help="ms left out of the 'steady' rates and chi (default 100)")
    parser.add_argument("--no-brian2", action="store_true", help="mean-field theory only")
    parser.add_argument("--json", help="write all numbers here")
    args = parser.parse_args(argv)

    p = brian2_models.BRUNEL
    theory = stationary_rate(p)
    print("Brunel (2000) model A, g = %g, eta = %g, J = %g mV, C_E = %d, C_I = %d, D = %g ms"
          % (p["g"], p["eta"], p["j_mV"], p["c_exc"], p["c_inh"], p["delay_ms"]))
    print(f"mean field: nu0 = {theory['nu0_hz']:.3f} Hz, mu = {theory['mu_mV']:.3f} mV, "
          f"sigma = {theory['sigma_mV']:.3f} mV (nu_ext = {theory['nu_ext_hz']:.1f} Hz per input)")
    out = {"mean_field": theory}

    if not args.no_brian2:
        rows = simulate(args.seeds, args.duration, args.device, args.sample, args.transient)
        print(f"\nBrian2 twin ({args.device}), {args.duration:g} ms per seed; chi on {args.sample} neurons, "
              f"v sampled every 1 ms; 'steady' leaves out the first {args.transient:g} ms")
        header = ("seed", "rate_E_hz", "rate_I_hz", "rate_E_steady_hz", "cv_E", "cv_I", "chi2", "chi",
                  "chi_steady")
        print(" ".join(f"{h:>16}" for h in header))
        for row in rows:
            print(" ".join(f"{row[h]:>16.4f}" if isinstance(row[h], float) else f"{row[h]:>16}" for h in header))
        stats = {}
        for key in rows[0]:
            if key == "seed":
                continue
            values = np.array([row[key] for row in rows])
            stats[key] = {"mean": float(values.mean()),
                          "sd": float(values.std(ddof=1)) if len(values) > 1 else float("nan")}
        print(" ".join([f"{'mean':>16}"] + [f"{stats[h]['mean']:>16.4f}" for h in header[1:]]))
        print(" ".join([f"{'sd':>16}"] + [f"{stats[h]['sd']:>16.4f}" for h in header[1:]]))
        rel = stats["rate_E_hz"]["mean"] / theory["nu0_hz"] - 1.0
        print(f"\nsimulated E rate / mean-field rate - 1 = {rel:+.3%}")
        out.update({"brian2": {"device": args.device, "duration_ms": args.duration, "sample": args.sample,
                               "transient_ms": args.transient, "runs": rows, "stats": stats}})
    if args.json:
        with open(args.json, "w") as f:
            json.dump(out, f, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
