#pragma once
// HH_cond_exp: single-compartment Hodgkin–Huxley neuron with Traub & Miles (1991) sodium
// and potassium kinetics and exponentially decaying synaptic conductances (PyNN standard
// cell; NEST hh_cond_exp_traub; the neuron of Brian2's COBAHH example).
//
//   cm dv/dt = -gbar_Na m^3 h (v - e_rev_Na) - gbar_K n^4 (v - e_rev_K) - g_leak (v - e_rev_leak)
//              + gsyn_exc (e_rev_E - v) + gsyn_inh (e_rev_I - v) + i_offset + i_injected
//   dx/dt = alpha_x(u) (1 - x) - beta_x(u) x   for x = m, h, n,   u = v - v_offset (mV)
//     alpha_m = 0.32 (13 - u) / (exp((13 - u)/4) - 1)    beta_m = 0.28 (u - 40) / (exp((u - 40)/5) - 1)
//     alpha_h = 0.128 exp((17 - u)/18)                  beta_h = 4 / (1 + exp((40 - u)/5))
//     alpha_n = 0.032 (15 - u) / (exp((15 - u)/5) - 1)  beta_n = 0.5 exp((10 - u)/40)      (1/ms)
//   d gsyn_X / dt = -gsyn_X / tau_syn_X,   gsyn_X += w on arrival of a spike (uS, w >= 0)
//
// Spikes: the neuron fires in the step in which v crosses v_thresh upwards (v < v_thresh
// at the step's start, v >= v_thresh at its end), stamped at the step's end. Nothing is
// reset and there is no refractory period: the action potential is the model's own, and
// v must fall below v_thresh before it can cross again. PyNN has no threshold parameter
// for this cell (its NEURON backend detects upward crossings of +10 mV, NEST a maximum of
// v above v_offset + 30 mV, Brian2's COBAHH crossings of -20 mV); the default 0 mV sits
// on the upstroke, where all of these pick the same action potentials.
//
// Integrator: classical RK4 on (v, m, h, n) with n_sub = ceil(dt / 0.01 ms) equal
// sub-steps per step (h_sub = dt / n_sub <= 0.01 ms; the fastest rate of the system
// during an action potential, gbar_Na m^3 h / cm, reaches ~50 /ms, well inside RK4's
// stability bound 2.8 / h_sub = 280 /ms). The conductances are integrated exactly: the
// RK4 stages use their exact values at the stage times (g exp(-c h_sub / tau_syn)), so
// only the nonlinear part carries truncation error. Global error is fourth order in
// h_sub; measured against SciPy (tests/models/test_hh_cond_exp.cpp, docs/models.md).
// The rate functions of the form x / (exp(x) - 1) use their Taylor series for |x| < 1e-4,
// so u = 13, 15 and 40 mV (removable singularities) are regular.
//
// The update loop runs sub-step by sub-step over blocks of neurons, with a vectorisable
// exponential (exp_nonpositive, on -|x| and inverted for x > 0), so it uses SIMD lanes.

#include <algorithm>
#include <array>
#include <cmath>
#include <memory>
#include <string>

#include "neurodyn/core/error.hpp"
#include "neurodyn/core/strings.hpp"
#include "neurodyn/core/vector_math.hpp"
#include "neurodyn/models/neuron_group.hpp"
#include "neurodyn/models/standard_fields.hpp"

namespace neurodyn::models {

namespace hh_detail {

// x / (exp(x) - 1), continuous at x = 0 (value 1). For |x| < 1e-4 the series
// 1 - x/2 + x^2/12 (next term x^4/720 < 2e-19); above it the direct quotient, whose
// cancellation costs at most eps/|x| < 2.2e-12 relative.
inline double x_over_expm1(double x) {
    const double series = 1.0 - x * 0.5 + x * x * (1.0 / 12.0);
    const double safe = std::abs(x) < 1e-4 ? 1.0 : x;
    const double direct = safe / (exp_any(safe) - 1.0);
    return std::abs(x) < 1e-4 ? series : direct;
}

struct Gates {
    double alpha_m, beta_m, alpha_h, beta_h, alpha_n, beta_n;
};

// Traub & Miles rates (1/ms) at u = v - v_offset (mV).
inline Gates traub_rates(double u) {
    Gates g;
    g.alpha_m = 0.32 * 4.0 * x_over_expm1((13.0 - u) * 0.25);
    g.beta_m = 0.28 * 5.0 * x_over_expm1((u - 40.0) * 0.2);
    g.alpha_h = 0.128 * exp_any((17.0 - u) * (1.0 / 18.0));
    g.beta_h = 4.0 / (1.0 + exp_any((40.0 - u) * 0.2));
    g.alpha_n = 0.032 * 5.0 * x_over_expm1((15.0 - u) * 0.2);
    g.beta_n = 0.5 * exp_any((10.0 - u) * (1.0 / 40.0));
    return g;
}

}  // namespace hh_detail

class HhCondExp final : public NeuronGroup {
public:
    enum Param : std::size_t {
        gbar_Na, gbar_K, g_leak, cm, v_offset, e_rev_Na, e_rev_K, e_rev_leak, e_rev_E, e_rev_I, tau_syn_E, tau_syn_I,
        i_offset, v_thresh
    };
    enum State : std::size_t { v, m, h, n, gsyn_exc, gsyn_inh };

    // The largest RK4 sub-step (ms); each step of dt is cut into ceil(dt / kMaxSubstepMs).
    static constexpr double kMaxSubstepMs = 0.01;

    static constexpr std::array<FieldInfo, 14> kParams{{
        {"gbar_Na", "uS", 20.0, Bound::non_negative, "maximal sodium conductance"},
        {"gbar_K", "uS", 6.0, Bound::non_negative, "maximal potassium (delayed rectifier) conductance"},
        {"g_leak", "uS", 0.01, Bound::non_negative, "leak conductance"},
        {"cm", "nF", 0.2, Bound::positive, "membrane capacitance"},
        {"v_offset", "mV", -63.0, Bound::any, "shift of the gating kinetics (NEST V_T): rates depend on v - v_offset"},
        {"e_rev_Na", "mV", 50.0, Bound::any, "sodium reversal potential"},
        {"e_rev_K", "mV", -90.0, Bound::any, "potassium reversal potential"},
        {"e_rev_leak", "mV", -65.0, Bound::any, "leak reversal potential"},
        field::e_rev_E,
        {"e_rev_I", "mV", -80.0, Bound::any, "inhibitory reversal potential"},
        {"tau_syn_E", "ms", 0.2, Bound::positive, "decay time of the excitatory synaptic conductance"},
        {"tau_syn_I", "ms", 2.0, Bound::positive, "decay time of the inhibitory synaptic conductance"},
        field::i_offset,
        {"v_thresh", "mV", 0.0, Bound::any, "spike detection: upward crossing of this potential (not in PyNN)"},
    }};
    // m, h, n default to their steady state at v = -65 mV with the default v_offset
    // (tests/models/reference/make_hh.py prints them); set them with v otherwise.
    static constexpr std::array<FieldInfo, 6> kState{{
        field::v,
        {"m", "", 0.00973240451640272, Bound::non_negative, "sodium activation, in [0, 1]"},
        {"h", "", 0.9975610872011336, Bound::non_negative, "sodium inactivation, in [0, 1]"},
        {"n", "", 0.027074478957283758, Bound::non_negative, "potassium activation, in [0, 1]"},
        field::gsyn_exc,
        field::gsyn_inh,
    }};
    static constexpr std::array<std::string_view, 2> kPorts{"excitatory", "inhibitory"};
    static inline const ModelInfo kInfo{
        "HH_cond_exp",
        "Hodgkin-Huxley neuron (Traub & Miles kinetics) with exponentially decaying conductance-based synapses; "
        "RK4 with sub-steps <= 0.01 ms.",
        kParams,
        kState,
        kPorts,
        PortKind::conductance,
        false,
        [](std::size_t size, std::uint64_t first) -> std::unique_ptr<NeuronGroup> {
            return std::make_unique<HhCondExp>(size, first);
        }};

    HhCondExp(std::size_t size, std::uint64_t first) : NeuronGroup(kInfo, size, first) {}

    // Sub-steps per step of dt (set by prepare()).
    int substeps() const { return substeps_; }

    void update(const StepInput& in, std::vector<std::uint32_t>& spiked) override {
        if (homogeneous_)
            advance<true>(in, spiked);
        else
            advance<false>(in, spiked);
    }

private:
    template <bool H>
    void advance(const StepInput& in, std::vector<std::uint32_t>& spiked) {
        double* vm = state_[v].data();
        double* mm = state_[m].data();
        double* hh = state_[h].data();
        double* nn = state_[n].data();
        double* ge = state_[gsyn_exc].data();
        double* gi = state_[gsyn_inh].data();
        const Column<H> g_na{g_na_per_cm_.data()}, g_k{g_k_per_cm_.data()}, g_l{g_l_per_cm_.data()},
            inv_c{inv_cm_.data()}, offset{params_[v_offset].data()}, e_na{params_[e_rev_Na].data()},
            e_k{params_[e_rev_K].data()}, e_l{params_[e_rev_leak].data()}, e_e{params_[e_rev_E].data()},
            e_i{params_[e_rev_I].data()}, i_off{params_[i_offset].data()}, thresh{params_[v_thresh].data()},
            half_e{half_decay_exc_.data()}, half_i{half_decay_inh_.data()};
        const double* in_exc = in.port_input[0];
        const double* in_inh = in.port_input[1];
        const double* injected = in.injected_current;
        const double hs = h_sub_;
        const int substeps = substeps_;

        // dv/dt, dm/dt, dh/dt, dn/dt at one point; ge and gi already per nF (1/ms).
        const auto rhs = [&](std::size_t i, double vv, double mv, double hv, double nv, double ge_c, double gi_c,
                             double drive, double& dv, double& dm, double& dh, double& dn) {
            const hh_detail::Gates r = hh_detail::traub_rates(vv - offset[i]);
            const double m3h = mv * mv * mv * hv;
            const double n2 = nv * nv;
            dv = -g_na[i] * m3h * (vv - e_na[i]) - g_k[i] * n2 * n2 * (vv - e_k[i]) - g_l[i] * (vv - e_l[i]) +
                 ge_c * (e_e[i] - vv) + gi_c * (e_i[i] - vv) + drive;
            dm = r.alpha_m - (r.alpha_m + r.beta_m) * mv;
            dh = r.alpha_h - (r.alpha_h + r.beta_h) * hv;
            dn = r.alpha_n - (r.alpha_n + r.beta_n) * nv;
        };

        constexpr std::size_t kBlock = 256;
        std::array<double, kBlock> v_start;
        for (std::size_t begin = 0; begin < size_; begin += kBlock) {
            const std::size_t end = std::min(size_, begin + kBlock);
            for (std::size_t i = begin; i < end; ++i) v_start[i - begin] = vm[i];
            for (int s = 0; s < substeps; ++s) {
                // State, parameters and inputs are distinct arrays (see IF_cond_exp).
#pragma GCC ivdep
                for (std::size_t i = begin; i < end; ++i) {
                    // Conductances per nF at the stage times t, t + hs/2, t + hs (exact).
                    const double ge0 = ge[i] * inv_c[i], gi0 = gi[i] * inv_c[i];
                    const double ge1 = ge0 * half_e[i], gi1 = gi0 * half_i[i];
                    const double ge2 = ge1 * half_e[i], gi2 = gi1 * half_i[i];
                    const double drive = (i_off[i] + injected[i]) * inv_c[i];
                    const double v0 = vm[i], m0 = mm[i], h0 = hh[i], n0 = nn[i];
                    double kv1, km1, kh1, kn1, kv2, km2, kh2, kn2, kv3, km3, kh3, kn3, kv4, km4, kh4, kn4;
                    rhs(i, v0, m0, h0, n0, ge0, gi0, drive, kv1, km1, kh1, kn1);
                    const double half = 0.5 * hs;
                    rhs(i, v0 + half * kv1, m0 + half * km1, h0 + half * kh1, n0 + half * kn1, ge1, gi1, drive, kv2,
                        km2, kh2, kn2);
                    rhs(i, v0 + half * kv2, m0 + half * km2, h0 + half * kh2, n0 + half * kn2, ge1, gi1, drive, kv3,
                        km3, kh3, kn3);
                    rhs(i, v0 + hs * kv3, m0 + hs * km3, h0 + hs * kh3, n0 + hs * kn3, ge2, gi2, drive, kv4, km4,
                        kh4, kn4);
                    const double sixth = hs * (1.0 / 6.0);
                    vm[i] = v0 + sixth * (kv1 + 2.0 * (kv2 + kv3) + kv4);
                    mm[i] = m0 + sixth * (km1 + 2.0 * (km2 + km3) + km4);
                    hh[i] = h0 + sixth * (kh1 + 2.0 * (kh2 + kh3) + kh4);
                    nn[i] = n0 + sixth * (kn1 + 2.0 * (kn2 + kn3) + kn4);
                    ge[i] *= half_e[i] * half_e[i];
                    gi[i] *= half_i[i] * half_i[i];
                }
            }
            for (std::size_t i = begin; i < end; ++i) {
                ge[i] = ge[i] + in_exc[i];
                gi[i] = gi[i] + in_inh[i];
                if (v_start[i - begin] < thresh[i] && vm[i] >= thresh[i]) spiked.push_back(static_cast<std::uint32_t>(i));
            }
        }
    }

    void check_relations() const override {
        for (const State gate : {m, h, n})
            for (std::size_t i = 0; i < size_; ++i)
                if (!(state_[gate][i] <= 1.0)) {
                    const std::string name(kState[gate].name);
                    std::string message = "HH_cond_exp: initial " + name + " must be in [0, 1], got " +
                                          format_number(state_[gate][i]);
                    if (size_ > 1) message += " (neuron " + std::to_string(first_ + i) + ")";
                    throw ValueError(message, name);
                }
    }

    void precompute(double dt) override {
        substeps_ = std::max(1, static_cast<int>(std::ceil(dt / kMaxSubstepMs - 1e-9)));
        h_sub_ = dt / substeps_;
        g_na_per_cm_.resize(size_);
        g_k_per_cm_.resize(size_);
        g_l_per_cm_.resize(size_);
        inv_cm_.resize(size_);
        half_decay_exc_.resize(size_);
        half_decay_inh_.resize(size_);
        for (std::size_t i = 0; i < size_; ++i) {
            inv_cm_[i] = 1.0 / params_[cm][i];
            g_na_per_cm_[i] = params_[gbar_Na][i] * inv_cm_[i];
            g_k_per_cm_[i] = params_[gbar_K][i] * inv_cm_[i];
            g_l_per_cm_[i] = params_[g_leak][i] * inv_cm_[i];
            half_decay_exc_[i] = std::exp(-0.5 * h_sub_ / params_[tau_syn_E][i]);
            half_decay_inh_[i] = std::exp(-0.5 * h_sub_ / params_[tau_syn_I][i]);
        }
    }

    int substeps_ = 10;
    double h_sub_ = 0.01;
    std::vector<double> g_na_per_cm_, g_k_per_cm_, g_l_per_cm_, inv_cm_, half_decay_exc_, half_decay_inh_;
};

}  // namespace neurodyn::models
