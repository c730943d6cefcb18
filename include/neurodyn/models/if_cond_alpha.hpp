#pragma once
// IF_cond_alpha: leaky integrate-and-fire neuron with alpha-shaped synaptic conductances
// (PyNN standard cell; NEST iaf_cond_alpha).
//
//   cm dv/dt = cm (v_rest - v) / tau_m + gsyn_exc (e_rev_E - v) + gsyn_inh (e_rev_I - v)
//              + i_offset + i_injected
//   a spike of weight w (uS, w >= 0) arriving at t0 adds w (t - t0)/tau_syn exp(1 - (t - t0)/tau_syn),
//   which peaks at w when t - t0 = tau_syn; as in NEST it is the solution of
//   d gsyn_X / dt = -gsyn_X / tau_syn_X + dgsyn_X,   d dgsyn_X / dt = -dgsyn_X / tau_syn_X,
//   dgsyn_X += w e / tau_syn_X on arrival
//   v >= v_thresh: spike, v = v_reset, v clamped for tau_refrac (conductances keep evolving)
//
// Integrator: the conductances are integrated exactly (P11 = exp(-h/tau_syn), P21 = h P11):
//   gsyn_X <- P11X gsyn_X + P21X dgsyn_X,   dgsyn_X <- P11X dgsyn_X + (e/tau_syn_X) input.
// The membrane equation is advanced as IF_cond_exp's: with the conductances averaged
// exactly over the step, gbar_X = M0X gsyn_X + M1X dgsyn_X where
//   M0 = (1/h) integral_0^h exp(-s/tau) ds = tau (1 - exp(-h/tau)) / h
//   M1 = (1/h) integral_0^h s exp(-s/tau) ds = h alpha_moment_first(h/tau)
// (g(s) = (gsyn + dgsyn s) exp(-s/tau) within the step),
//   k = 1/tau_m + (gbar_exc + gbar_inh)/cm
//   v_inf = (v_rest/tau_m + (gbar_exc e_rev_E + gbar_inh e_rev_I + i_offset + i_inj)/cm) / k
//   v <- v_inf + (v - v_inf) exp(-k h)
// Exact for constant conductances, second order in h otherwise (the measured errors
// against a SciPy reference are in docs/models.md), and v never leaves the interval
// spanned by v_rest, the reversal potentials and the current's equilibrium.

#include <algorithm>
#include <array>
#include <cmath>
#include <memory>
#include <numbers>

#include "neurodyn/core/strings.hpp"
#include "neurodyn/core/vector_math.hpp"
#include "neurodyn/models/if_curr_alpha.hpp"
#include "neurodyn/models/neuron_group.hpp"
#include "neurodyn/models/standard_fields.hpp"

namespace neurodyn::models {

class IfCondAlpha final : public NeuronGroup {
public:
    enum Param : std::size_t {
        cm, tau_m, tau_refrac, tau_syn_E, tau_syn_I, e_rev_E, e_rev_I, v_rest, v_reset, v_thresh, i_offset
    };
    enum State : std::size_t { v, gsyn_exc, gsyn_inh, dgsyn_exc, dgsyn_inh };

    static constexpr std::array<FieldInfo, 11> kParams{{
        field::cm,
        field::tau_m,
        field::tau_refrac,
        {"tau_syn_E", "ms", 0.3, Bound::positive, "rise time (time to peak) of the excitatory alpha conductance"},
        {"tau_syn_I", "ms", 0.5, Bound::positive, "rise time (time to peak) of the inhibitory alpha conductance"},
        field::e_rev_E,
        field::e_rev_I,
        field::v_rest,
        field::v_reset,
        field::v_thresh,
        field::i_offset,
    }};
    static constexpr std::array<FieldInfo, 5> kState{{
        field::v,
        field::gsyn_exc,
        field::gsyn_inh,
        {"dgsyn_exc", "uS/ms", 0.0, Bound::non_negative,
         "auxiliary of the excitatory alpha conductance: d gsyn_exc/dt = -gsyn_exc/tau_syn_E + dgsyn_exc"},
        {"dgsyn_inh", "uS/ms", 0.0, Bound::non_negative,
         "auxiliary of the inhibitory alpha conductance: d gsyn_inh/dt = -gsyn_inh/tau_syn_I + dgsyn_inh"},
    }};
    static constexpr std::array<std::string_view, 2> kPorts{"excitatory", "inhibitory"};
    static inline const ModelInfo kInfo{
        "IF_cond_alpha",
        "Leaky integrate-and-fire neuron with alpha-shaped conductance-based synapses (peak = weight at t = tau_syn).",
        kParams,
        kState,
        kPorts,
        PortKind::conductance,
        false,
        [](std::size_t n, std::uint64_t first) -> std::unique_ptr<NeuronGroup> {
            return std::make_unique<IfCondAlpha>(n, first);
        }};

    IfCondAlpha(std::size_t n, std::uint64_t first) : NeuronGroup(kInfo, n, first) {}

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
        double* ye = state_[dgsyn_exc].data();
        double* yi = state_[dgsyn_inh].data();
        const Column<H> erev_e{params_[e_rev_E].data()}, erev_i{params_[e_rev_I].data()},
            reset{params_[v_reset].data()}, thresh{params_[v_thresh].data()}, offset_per_cm{offset_per_cm_.data()},
            rest_per_tau{rest_per_tau_.data()}, inv_c{inv_cm_.data()}, inv_tau_m{inv_tau_m_.data()},
            p11_exc{p11_exc_.data()}, p11_inh{p11_inh_.data()}, p21_exc{p21_exc_.data()}, p21_inh{p21_inh_.data()},
            m0_exc{m0_exc_.data()}, m0_inh{m0_inh_.data()}, m1_exc{m1_exc_.data()}, m1_inh{m1_inh_.data()},
            jump_exc{jump_exc_.data()}, jump_inh{jump_inh_.data()};
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
                // Mean conductances over the step (per cm): (M0 g + M1 dg) / cm.
                const double gbar_e = (m0_exc[i] * ge[i] + m1_exc[i] * ye[i]) * inv_c[i];
                const double gbar_i = (m0_inh[i] * gi[i] + m1_inh[i] * yi[i]) * inv_c[i];
                const double k = inv_tau_m[i] + gbar_e + gbar_i;
                const double drive = rest_per_tau[i] + gbar_e * erev_e[i] + gbar_i * erev_i[i] + offset_per_cm[i] +
                                     injected[i] * inv_c[i];
                const double v_inf = drive / k;
                const double integrated = v_inf + (vm[i] - v_inf) * exp_nonpositive(-k * h);
                const std::int32_t left = refractory[i];
                vm[i] = left == 0 ? integrated : vm[i];
                refractory[i] = left == 0 ? 0 : left - 1;
                ge[i] = p11_exc[i] * ge[i] + p21_exc[i] * ye[i];
                gi[i] = p11_inh[i] * gi[i] + p21_inh[i] * yi[i];
                ye[i] = p11_exc[i] * ye[i] + jump_exc[i] * in_exc[i];
                yi[i] = p11_inh[i] * yi[i] + jump_inh[i] * in_inh[i];
            }
            for (std::size_t i = begin; i < end; ++i) {
                if (vm[i] >= thresh[i]) {
                    vm[i] = reset[i];
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
        for (auto* column : {&inv_tau_m_, &inv_cm_, &rest_per_tau_, &offset_per_cm_, &p11_exc_, &p11_inh_, &p21_exc_,
                             &p21_inh_, &m0_exc_, &m0_inh_, &m1_exc_, &m1_inh_, &jump_exc_, &jump_inh_})
            column->resize(size_);
        refractory_steps_.resize(size_);
        for (std::size_t i = 0; i < size_; ++i) {
            const double te = params_[tau_syn_E][i], ti = params_[tau_syn_I][i];
            inv_tau_m_[i] = 1.0 / params_[tau_m][i];
            inv_cm_[i] = 1.0 / params_[cm][i];
            rest_per_tau_[i] = params_[v_rest][i] * inv_tau_m_[i];
            offset_per_cm_[i] = params_[i_offset][i] * inv_cm_[i];
            p11_exc_[i] = std::exp(-h / te);
            p11_inh_[i] = std::exp(-h / ti);
            p21_exc_[i] = h * p11_exc_[i];
            p21_inh_[i] = h * p11_inh_[i];
            m0_exc_[i] = -te * std::expm1(-h / te) / h;
            m0_inh_[i] = -ti * std::expm1(-h / ti) / h;
            m1_exc_[i] = h * alpha_moment_first(h / te);
            m1_inh_[i] = h * alpha_moment_first(h / ti);
            jump_exc_[i] = std::numbers::e / te;  // dgsyn jump that makes the conductance peak at w
            jump_inh_[i] = std::numbers::e / ti;
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
    std::vector<double> inv_tau_m_, inv_cm_, rest_per_tau_, offset_per_cm_, p11_exc_, p11_inh_, p21_exc_, p21_inh_,
        m0_exc_, m0_inh_, m1_exc_, m1_inh_, jump_exc_, jump_inh_;
    std::vector<std::int32_t> refractory_steps_;
};

}  // namespace neurodyn::models
