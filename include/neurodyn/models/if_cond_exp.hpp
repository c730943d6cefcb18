#pragma once
// IF_cond_exp: leaky integrate-and-fire neuron with exponentially decaying synaptic
// conductances (PyNN standard cell; NEST iaf_cond_exp; the neuron of the COBA benchmark).
//
//   cm dv/dt = cm (v_rest - v) / tau_m + gsyn_exc (e_rev_E - v) + gsyn_inh (e_rev_I - v)
//              + i_offset + i_injected
//   d gsyn_X / dt = -gsyn_X / tau_syn_X,   gsyn_X += w on arrival of a spike (uS, w >= 0)
//   v >= v_thresh: spike, v = v_reset, v clamped for tau_refrac (conductances keep decaying)
//
// Integrator: the conductances are integrated exactly. Over one step the membrane
// equation is linear in v with coefficients that decay exponentially; it is advanced
// with the exponential integrator whose coefficients are the conductances averaged
// exactly over the step (gbar_X = gsyn_X tau_syn_X (1 - exp(-h/tau_syn_X)) / h):
//   k = 1/tau_m + (gbar_exc + gbar_inh)/cm
//   v_inf = (v_rest/tau_m + (gbar_exc e_rev_E + gbar_inh e_rev_I + i_offset + i_inj)/cm) / k
//   v <- v_inf + (v - v_inf) exp(-k h)
// This is exact for constant conductances and second order in h otherwise; against a
// high-precision reference its error at dt = 0.1 ms is measured in tests/models
// (docs/models.md gives the figures). It never overshoots the reversal potentials.

#include <algorithm>
#include <array>
#include <cmath>
#include <memory>

#include "neurodyn/core/error.hpp"
#include "neurodyn/core/strings.hpp"
#include "neurodyn/core/vector_math.hpp"
#include "neurodyn/models/neuron_group.hpp"
#include "neurodyn/models/standard_fields.hpp"

namespace neurodyn::models {

class IfCondExp final : public NeuronGroup {
public:
    enum Param : std::size_t {
        cm, tau_m, tau_refrac, tau_syn_E, tau_syn_I, e_rev_E, e_rev_I, v_rest, v_reset, v_thresh, i_offset
    };
    enum State : std::size_t { v, gsyn_exc, gsyn_inh };

    static constexpr std::array<FieldInfo, 11> kParams{{
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
    }};
    static constexpr std::array<FieldInfo, 3> kState{{
        field::v,
        field::gsyn_exc,
        field::gsyn_inh,
    }};
    static constexpr std::array<std::string_view, 2> kPorts{"excitatory", "inhibitory"};
    static inline const ModelInfo kInfo{
        "IF_cond_exp",
        "Leaky integrate-and-fire neuron with exponentially decaying conductance-based synapses.",
        kParams,
        kState,
        kPorts,
        PortKind::conductance,
        false,
        [](std::size_t n, std::uint64_t first) -> std::unique_ptr<NeuronGroup> {
            return std::make_unique<IfCondExp>(n, first);
        }};

    IfCondExp(std::size_t n, std::uint64_t first) : NeuronGroup(kInfo, n, first) {}

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
        const Column<H> erev_e{params_[e_rev_E].data()}, erev_i{params_[e_rev_I].data()},
            reset{params_[v_reset].data()}, thresh{params_[v_thresh].data()}, offset_per_cm{offset_per_cm_.data()},
            rest_per_tau{rest_per_tau_.data()}, inv_c{inv_cm_.data()}, inv_tau_m{inv_tau_m_.data()},
            p11_exc{p11_exc_.data()}, p11_inh{p11_inh_.data()}, mean_g_exc{mean_factor_exc_.data()},
            mean_g_inh{mean_factor_inh_.data()};
        const Column<H, std::int32_t> refractory_period{refractory_steps_.data()};
        const double* in_exc = in.port_input[0];
        const double* in_inh = in.port_input[1];
        const double* injected = in.injected_current;
        std::int32_t* refractory = refractory_left_.data();
        const double h = h_;
        // Two passes per block of neurons that stays in L1: the integration pass has no
        // branches and vectorises (exp_nonpositive instead of the opaque std::exp); the
        // threshold pass is the only one with control flow and touches v alone.
        constexpr std::size_t kBlock = 512;
        for (std::size_t begin = 0; begin < size_; begin += kBlock) {
            const std::size_t end = std::min(size_, begin + kBlock);
            // State, parameters and inputs are distinct arrays: no iteration reads what
            // another writes (without this, GCC needs more run-time alias checks than it
            // allows and leaves the loop scalar).
#pragma GCC ivdep
            for (std::size_t i = begin; i < end; ++i) {
                const double gbar_e = ge[i] * mean_g_exc[i] * inv_c[i];
                const double gbar_i = gi[i] * mean_g_inh[i] * inv_c[i];
                const double k = inv_tau_m[i] + gbar_e + gbar_i;
                const double drive = rest_per_tau[i] + gbar_e * erev_e[i] + gbar_i * erev_i[i] + offset_per_cm[i] +
                                     injected[i] * inv_c[i];
                const double v_inf = drive / k;
                const double integrated = v_inf + (vm[i] - v_inf) * exp_nonpositive(-k * h);
                const std::int32_t left = refractory[i];
                vm[i] = left == 0 ? integrated : vm[i];
                refractory[i] = left == 0 ? 0 : left - 1;
                ge[i] = p11_exc[i] * ge[i] + in_exc[i];
                gi[i] = p11_inh[i] * gi[i] + in_inh[i];
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
        inv_tau_m_.resize(size_);
        p11_exc_.resize(size_);
        p11_inh_.resize(size_);
        mean_factor_exc_.resize(size_);
        mean_factor_inh_.resize(size_);
        refractory_steps_.resize(size_);
        inv_cm_.resize(size_);
        rest_per_tau_.resize(size_);
        offset_per_cm_.resize(size_);
        for (std::size_t i = 0; i < size_; ++i) {
            const double te = params_[tau_syn_E][i], ti = params_[tau_syn_I][i];
            inv_tau_m_[i] = 1.0 / params_[tau_m][i];
            inv_cm_[i] = 1.0 / params_[cm][i];
            rest_per_tau_[i] = params_[v_rest][i] * inv_tau_m_[i];
            offset_per_cm_[i] = params_[i_offset][i] * inv_cm_[i];
            p11_exc_[i] = std::exp(-h / te);
            p11_inh_[i] = std::exp(-h / ti);
            mean_factor_exc_[i] = -te * std::expm1(-h / te) / h;
            mean_factor_inh_[i] = -ti * std::expm1(-h / ti) / h;
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
    std::vector<double> inv_tau_m_, inv_cm_, rest_per_tau_, offset_per_cm_, p11_exc_, p11_inh_, mean_factor_exc_,
        mean_factor_inh_;
    std::vector<std::int32_t> refractory_steps_;
};

}  // namespace neurodyn::models
