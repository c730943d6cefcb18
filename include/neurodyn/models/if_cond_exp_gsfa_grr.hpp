#pragma once
// IF_cond_exp_gsfa_grr: IF_cond_exp with a spike-frequency adaptation conductance and a
// relative refractory conductance (PyNN standard cell; NEST iaf_cond_exp_sfa_rr; Muller
// et al. 2007, Neural Computation 19: 2958-3010; Dayan & Abbott 2001, p. 166).
//
//   cm dv/dt = cm (v_rest - v) / tau_m + gsyn_exc (e_rev_E - v) + gsyn_inh (e_rev_I - v)
//              + g_s (e_rev_sfa - v) + g_r (e_rev_rr - v) + i_offset + i_injected
//   d gsyn_X / dt = -gsyn_X / tau_syn_X,   gsyn_X += w on arrival of a spike (uS, w >= 0)
//   d g_s / dt = -g_s / tau_sfa,   d g_r / dt = -g_r / tau_rr
//   v >= v_thresh: spike, v = v_reset, g_s += q_sfa, g_r += q_rr, v clamped for tau_refrac
//   (all conductances keep decaying)
// g_s, g_r and q_sfa, q_rr are in nS, as PyNN has them (gsyn in uS): 1 nS = 1e-3 uS.
//
// Integrator: IF_cond_exp's. Every conductance decays exponentially and is integrated
// exactly; the membrane equation is advanced with the exponential integrator whose
// coefficients are the four conductances averaged exactly over the step
// (gbar = g tau (1 - exp(-h/tau)) / h):
//   k = 1/tau_m + (gbar_exc + gbar_inh + gbar_s + gbar_r)/cm
//   v_inf = (v_rest/tau_m + (gbar_exc e_rev_E + gbar_inh e_rev_I + gbar_s e_rev_sfa
//            + gbar_r e_rev_rr + i_offset + i_inj)/cm) / k
//   v <- v_inf + (v - v_inf) exp(-k h)
// Exact for constant conductances, second order in h otherwise, unconditionally stable
// (q_rr = 3000 nS on 1 nF is a rate of 3 /ms) and never beyond the reversal potentials.

#include <algorithm>
#include <array>
#include <cmath>
#include <memory>

#include "neurodyn/core/strings.hpp"
#include "neurodyn/core/vector_math.hpp"
#include "neurodyn/models/neuron_group.hpp"
#include "neurodyn/models/standard_fields.hpp"

namespace neurodyn::models {

class IfCondExpGsfaGrr final : public NeuronGroup {
public:
    enum Param : std::size_t {
        cm, tau_m, tau_refrac, tau_syn_E, tau_syn_I, e_rev_E, e_rev_I, v_rest, v_reset, v_thresh, i_offset,
        tau_sfa, e_rev_sfa, q_sfa, tau_rr, e_rev_rr, q_rr
    };
    enum State : std::size_t { v, gsyn_exc, gsyn_inh, g_s, g_r };

    static constexpr std::array<FieldInfo, 17> kParams{{
        field::cm,
        field::tau_m,
        field::tau_refrac,
        {"tau_syn_E", "ms", 5.0, Bound::positive, "decay time of the excitatory synaptic conductance"},
        {"tau_syn_I", "ms", 5.0, Bound::positive, "decay time of the inhibitory synaptic conductance"},
        field::e_rev_E,
        field::e_rev_I,
        field::v_rest,
        field::v_reset,
        field::v_thresh,
        field::i_offset,
        {"tau_sfa", "ms", 100.0, Bound::positive, "decay time of the spike-frequency adaptation conductance"},
        {"e_rev_sfa", "mV", -75.0, Bound::any, "reversal potential of the spike-frequency adaptation conductance"},
        {"q_sfa", "nS", 15.0, Bound::non_negative, "increase of the adaptation conductance g_s at each spike"},
        {"tau_rr", "ms", 2.0, Bound::positive, "decay time of the relative refractory conductance"},
        {"e_rev_rr", "mV", -75.0, Bound::any, "reversal potential of the relative refractory conductance"},
        {"q_rr", "nS", 3000.0, Bound::non_negative, "increase of the relative refractory conductance g_r at each spike"},
    }};
    static constexpr std::array<FieldInfo, 5> kState{{
        field::v,
        field::gsyn_exc,
        field::gsyn_inh,
        {"g_s", "nS", 0.0, Bound::non_negative, "spike-frequency adaptation conductance"},
        {"g_r", "nS", 0.0, Bound::non_negative, "relative refractory conductance"},
    }};
    static constexpr std::array<std::string_view, 2> kPorts{"excitatory", "inhibitory"};
    static inline const ModelInfo kInfo{
        "IF_cond_exp_gsfa_grr",
        "IF_cond_exp with spike-triggered adaptation (g_s) and relative refractory (g_r) conductances.",
        kParams,
        kState,
        kPorts,
        PortKind::conductance,
        false,
        [](std::size_t n, std::uint64_t first) -> std::unique_ptr<NeuronGroup> {
            return std::make_unique<IfCondExpGsfaGrr>(n, first);
        }};

    IfCondExpGsfaGrr(std::size_t n, std::uint64_t first) : NeuronGroup(kInfo, n, first) {}

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
        double* ge = state_[gsyn_exc].data();
        double* gi = state_[gsyn_inh].data();
        double* gs = state_[g_s].data();
        double* gr = state_[g_r].data();
        const Column<H> erev_e{params_[e_rev_E].data()}, erev_i{params_[e_rev_I].data()},
            erev_s{params_[e_rev_sfa].data()}, erev_r{params_[e_rev_rr].data()}, quantum_s{params_[q_sfa].data()},
            quantum_r{params_[q_rr].data()}, reset{params_[v_reset].data()}, thresh{params_[v_thresh].data()},
            offset_per_cm{offset_per_cm_.data()}, rest_per_tau{rest_per_tau_.data()}, inv_c{inv_cm_.data()},
            inv_tau_m{inv_tau_m_.data()}, p_exc{p_exc_.data()}, p_inh{p_inh_.data()}, p_s{p_s_.data()},
            p_r{p_r_.data()}, mean_exc{mean_exc_.data()}, mean_inh{mean_inh_.data()}, mean_s{mean_s_.data()},
            mean_r{mean_r_.data()};
        const Column<H, std::int32_t> refractory_period{refractory_steps_.data()};
        const double* in_exc = in.port_input[0];
        const double* in_inh = in.port_input[1];
        const double* injected = in.injected_current;
        std::int32_t* refractory = refractory_left_.data();
        const double h = h_;
        // As IF_cond_exp: a branch-free integration pass that vectorises, then a threshold
        // pass, per block of neurons that stays in L1.
        constexpr std::size_t kBlock = 512;
        for (std::size_t begin = 0; begin < size_; begin += kBlock) {
            const std::size_t end = std::min(size_, begin + kBlock);
            // State, parameters and inputs are distinct arrays (see IF_cond_exp).
#pragma GCC ivdep
            for (std::size_t i = begin; i < end; ++i) {
                // Mean conductances over the step divided by cm (mean_s, mean_r include nS -> uS).
                const double gbar_e = ge[i] * mean_exc[i];
                const double gbar_i = gi[i] * mean_inh[i];
                const double gbar_s = gs[i] * mean_s[i];
                const double gbar_r = gr[i] * mean_r[i];
                const double k = inv_tau_m[i] + gbar_e + gbar_i + gbar_s + gbar_r;
                const double drive = rest_per_tau[i] + gbar_e * erev_e[i] + gbar_i * erev_i[i] + gbar_s * erev_s[i] +
                                     gbar_r * erev_r[i] + offset_per_cm[i] + injected[i] * inv_c[i];
                const double v_inf = drive / k;
                const double integrated = v_inf + (vm[i] - v_inf) * exp_nonpositive(-k * h);
                const std::int32_t left = refractory[i];
                vm[i] = left == 0 ? integrated : vm[i];
                refractory[i] = left == 0 ? 0 : left - 1;
                ge[i] = p_exc[i] * ge[i] + in_exc[i];
                gi[i] = p_inh[i] * gi[i] + in_inh[i];
                gs[i] = p_s[i] * gs[i];
                gr[i] = p_r[i] * gr[i];
            }
            for (std::size_t i = begin; i < end; ++i) {
                if (vm[i] >= thresh[i]) {
                    vm[i] = reset[i];
                    gs[i] += quantum_s[i];
                    gr[i] += quantum_r[i];
                    refractory[i] = refractory_period[i];
                    spiked.push_back(static_cast<std::uint32_t>(i));
                }
            }
        }
    }

    void check_relations() const override {
        for (std::size_t i = 0; i < size_; ++i)
            if (!(params_[v_reset][i] < params_[v_thresh][i]))
                fail("v_reset", "< v_thresh (" + format_number(params_[v_thresh][i]) + " mV)", params_[v_reset][i], i);
    }

    void precompute(double h) override {
        h_ = h;
        for (auto* column : {&inv_tau_m_, &inv_cm_, &rest_per_tau_, &offset_per_cm_, &p_exc_, &p_inh_, &p_s_, &p_r_,
                             &mean_exc_, &mean_inh_, &mean_s_, &mean_r_})
            column->resize(size_);
        refractory_steps_.resize(size_);
        constexpr double kUsPerNs = 1e-3;
        for (std::size_t i = 0; i < size_; ++i) {
            const double c = params_[cm][i];
            inv_tau_m_[i] = 1.0 / params_[tau_m][i];
            inv_cm_[i] = 1.0 / c;
            rest_per_tau_[i] = params_[v_rest][i] * inv_tau_m_[i];
            offset_per_cm_[i] = params_[i_offset][i] * inv_cm_[i];
            // Decay over a step, and the step mean of a decaying conductance per unit
            // conductance and per cm: tau (1 - exp(-h/tau)) / (h cm).
            const auto decay = [h](double tau) { return std::exp(-h / tau); };
            const auto mean = [h, c](double tau) { return -tau * std::expm1(-h / tau) / h / c; };
            p_exc_[i] = decay(params_[tau_syn_E][i]);
            p_inh_[i] = decay(params_[tau_syn_I][i]);
            p_s_[i] = decay(params_[tau_sfa][i]);
            p_r_[i] = decay(params_[tau_rr][i]);
            mean_exc_[i] = mean(params_[tau_syn_E][i]);
            mean_inh_[i] = mean(params_[tau_syn_I][i]);
            mean_s_[i] = kUsPerNs * mean(params_[tau_sfa][i]);
            mean_r_[i] = kUsPerNs * mean(params_[tau_rr][i]);
            refractory_steps_[i] = neurodyn::refractory_steps(params_[tau_refrac][i], h);
        }
    }

    // Homeostasis may move i_offset during the run (network/homeostasis.hpp): its per-cm
    // form follows.
    void refresh_derived(std::size_t index) override {
        if (index == i_offset)
            for (std::size_t i = 0; i < size_; ++i) offset_per_cm_[i] = params_[i_offset][i] * inv_cm_[i];
    }

    double h_ = 0.1;
    std::vector<double> inv_tau_m_, inv_cm_, rest_per_tau_, offset_per_cm_, p_exc_, p_inh_, p_s_, p_r_, mean_exc_,
        mean_inh_, mean_s_, mean_r_;
    std::vector<std::int32_t> refractory_steps_;
};

}  // namespace neurodyn::models
