#pragma once
// ALIF: leaky integrate-and-fire neuron with an adaptive threshold, the neuron of long
// short-term memory spiking networks (LSNN, Bellec et al. 2018) and of e-prop (Bellec et
// al. 2020; NEST eprop_iaf_adapt), with exponentially decaying synaptic currents as in
// IF_curr_exp.
//
//   cm dv/dt = cm (v_rest - v) / tau_m + isyn_exc + isyn_inh + i_offset + i_injected
//   d isyn_X / dt = -isyn_X / tau_syn_X,   isyn_X += w on arrival of a spike (nA)
//   da/dt = -a / tau_adapt,                a += 1 at each spike (dimensionless)
//   threshold A = v_thresh + beta a;  v >= A: spike, v = v_reset, v clamped for tau_refrac
//
// Reset: to v_reset, with refractoriness, as in IF_curr_exp (so that beta = 0 gives
// IF_curr_exp exactly); Bellec et al. subtract the threshold instead, which for v_reset
// = v_rest differs only by the overshoot above A within the step.
//
// Exact integration (all linear): v and isyn_X with IF_curr_exp's propagators, and
// a <- exp(-dt/tau_adapt) a. Order within a step: v (unless refractory), isyn_X decay plus
// input, a decays; then the threshold test against v_thresh + beta a (a at the step's end,
// before this step's jump); on a spike v = v_reset, refractory counter set, a += 1.

#include <algorithm>
#include <array>
#include <cmath>
#include <memory>

#include "neurodyn/core/strings.hpp"
#include "neurodyn/models/if_curr_exp.hpp"
#include "neurodyn/models/neuron_group.hpp"
#include "neurodyn/models/standard_fields.hpp"

namespace neurodyn::models {

class Alif final : public NeuronGroup {
public:
    enum Param : std::size_t {
        cm, tau_m, tau_refrac, tau_syn_E, tau_syn_I, v_rest, v_reset, v_thresh, i_offset, tau_adapt, beta
    };
    enum State : std::size_t { v, isyn_exc, isyn_inh, a };

    static constexpr std::array<FieldInfo, 11> kParams{{
        field::cm,
        field::tau_m,
        field::tau_refrac,
        {"tau_syn_E", "ms", 5.0, Bound::positive, "decay time of the excitatory synaptic current"},
        {"tau_syn_I", "ms", 5.0, Bound::positive, "decay time of the inhibitory synaptic current"},
        field::v_rest,
        field::v_reset,
        {"v_thresh", "mV", -50.0, Bound::any, "baseline spike threshold (threshold with a = 0)"},
        field::i_offset,
        {"tau_adapt", "ms", 200.0, Bound::positive, "decay time of the threshold adaptation a"},
        {"beta", "mV", 1.0, Bound::non_negative, "threshold increase per unit of a (a jumps by 1 per spike)"},
    }};
    static constexpr std::array<FieldInfo, 4> kState{{
        field::v,
        field::isyn_exc,
        field::isyn_inh,
        {"a", "", 0.0, Bound::non_negative, "threshold adaptation (spikes, exponentially forgotten)"},
    }};
    static constexpr std::array<std::string_view, 2> kPorts{"excitatory", "inhibitory"};
    static inline const ModelInfo kInfo{
        "ALIF",
        "Leaky integrate-and-fire neuron with an adaptive threshold v_thresh + beta a (LSNN / e-prop) and "
        "exponentially decaying current-based synapses; exact integration.",
        kParams,
        kState,
        kPorts,
        PortKind::current,
        false,
        [](std::size_t size, std::uint64_t first) -> std::unique_ptr<NeuronGroup> {
            return std::make_unique<Alif>(size, first);
        }};

    Alif(std::size_t size, std::uint64_t first) : NeuronGroup(kInfo, size, first) {}

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
        double* ie = state_[isyn_exc].data();
        double* ii = state_[isyn_inh].data();
        double* adapt = state_[a].data();
        const Column<H> rest{params_[v_rest].data()}, reset{params_[v_reset].data()}, thresh{params_[v_thresh].data()},
            offset{params_[i_offset].data()}, gain{params_[beta].data()}, p22{p22_.data()}, p21_exc{p21_exc_.data()},
            p21_inh{p21_inh_.data()}, p20{p20_.data()}, p11_exc{p11_exc_.data()}, p11_inh{p11_inh_.data()},
            p_adapt{p_adapt_.data()};
        const Column<H, std::int32_t> refractory_period{refractory_steps_.data()};
        const double* in_exc = in.port_input[0];
        const double* in_inh = in.port_input[1];
        const double* injected = in.injected_current;
        std::int32_t* refractory = refractory_left_.data();
        for (std::size_t i = 0; i < size_; ++i) {
            if (refractory[i] == 0) {
                vm[i] = rest[i] + p22[i] * (vm[i] - rest[i]) + p21_exc[i] * ie[i] + p21_inh[i] * ii[i] +
                        p20[i] * (offset[i] + injected[i]);
            } else {
                --refractory[i];
            }
            ie[i] = p11_exc[i] * ie[i] + in_exc[i];
            ii[i] = p11_inh[i] * ii[i] + in_inh[i];
            adapt[i] *= p_adapt[i];
            if (vm[i] >= thresh[i] + gain[i] * adapt[i]) {
                vm[i] = reset[i];
                refractory[i] = refractory_period[i];
                adapt[i] += 1.0;
                spiked.push_back(static_cast<std::uint32_t>(i));
            }
        }
    }

    void check_relations() const override {
        for (std::size_t i = 0; i < size_; ++i)
            if (!(params_[v_reset][i] < params_[v_thresh][i]))
                fail("v_reset", "< v_thresh (" + format_number(params_[v_thresh][i]) + " mV)", params_[v_reset][i], i);
    }

    void precompute(double h) override {
        p22_.resize(size_);
        p11_exc_.resize(size_);
        p11_inh_.resize(size_);
        p20_.resize(size_);
        p21_exc_.resize(size_);
        p21_inh_.resize(size_);
        p_adapt_.resize(size_);
        refractory_steps_.resize(size_);
        for (std::size_t i = 0; i < size_; ++i) {
            const double c = params_[cm][i], tm = params_[tau_m][i];
            p22_[i] = std::exp(-h / tm);
            p11_exc_[i] = std::exp(-h / params_[tau_syn_E][i]);
            p11_inh_[i] = std::exp(-h / params_[tau_syn_I][i]);
            p20_[i] = -tm / c * std::expm1(-h / tm);
            p21_exc_[i] = current_to_voltage_propagator(h, tm, params_[tau_syn_E][i], c);
            p21_inh_[i] = current_to_voltage_propagator(h, tm, params_[tau_syn_I][i], c);
            p_adapt_[i] = std::exp(-h / params_[tau_adapt][i]);
            refractory_steps_[i] = neurodyn::refractory_steps(params_[tau_refrac][i], h);
        }
    }

    std::vector<double> p22_, p11_exc_, p11_inh_, p20_, p21_exc_, p21_inh_, p_adapt_;
    std::vector<std::int32_t> refractory_steps_;
};

// --- Gradient training: the backward step of this model (learn/bptt, learn/eprop) -------
//
// A layer of ALIF neurons as trained (shared parameters, one signed synaptic current, no
// refractory period; see LifTrainingStep). The forward step is Alif::advance's arithmetic:
//   u_t     = v_rest + P22 (v_t - v_rest) + P21 i_t + P20 i_offset
//   i_{t+1} = P11 i_t + J_t
//   b_t     = P_a a_t                          (adaptation decayed over the step)
//   A_t     = v_thresh + beta b_t,   s_t = H(u_t - A_t)
//   v_{t+1} = u_t (1 - s_t) + v_reset s_t,     a_{t+1} = b_t + s_t
// The surrogate argument is x = (u_t - A_t) / (v_thresh - v_rest). The reset is treated
// as a constant (d v_{t+1}/d u_t = 1 - s_t); the adaptation's jump is not: gradients flow
// through a_{t+1} = b_t + s_t, as in LSNNs and e-prop.
struct AlifTrainingStep {
    LifTrainingStep lif;
    double beta = 1.0;     // mV per unit of a
    double p_adapt = 0.0;  // exp(-dt / tau_adapt)

    static AlifTrainingStep make(double cm_nF, double tau_m_ms, double tau_syn_ms, double v_rest_mV,
                                 double v_reset_mV, double v_thresh_mV, double i_offset_nA, double tau_adapt_ms,
                                 double beta_mV, double dt_ms) {
        AlifTrainingStep c;
        c.lif = LifTrainingStep::make(cm_nF, tau_m_ms, tau_syn_ms, v_rest_mV, v_reset_mV, v_thresh_mV, i_offset_nA,
                                      dt_ms);
        c.beta = beta_mV;
        c.p_adapt = std::exp(-dt_ms / tau_adapt_ms);
        return c;
    }

    // Forward step of n neurons: stores u_t and the threshold A_t; advances v, i, a.
    void forward(std::size_t n, double* v, double* i, double* a, const double* input, double* u,
                 double* threshold, std::uint8_t* s) const {
        for (std::size_t k = 0; k < n; ++k) {
            const double uk = lif.membrane(v[k], i[k]);
            i[k] = lif.p11 * i[k] + input[k];
            const double decayed = a[k] * p_adapt;
            const double thr = lif.v_thresh + beta * decayed;
            const bool fire = uk >= thr;
            u[k] = uk;
            threshold[k] = thr;
            s[k] = fire ? 1 : 0;
            v[k] = fire ? lif.v_reset : uk;
            a[k] = fire ? decayed + 1.0 : decayed;
        }
    }

    // Adjoint of `forward` (as LifTrainingStep::backward), with adj_a = dL/da_{t+1} on
    // entry and dL/da_t on return.
    void backward(std::size_t n, const SpikeSurrogate& surrogate, const double* u, const double* threshold,
                  const std::uint8_t* s, const double* grad_spike, double* adj_v, double* adj_i,
                  double* adj_a) const {
        const double inv_height = 1.0 / lif.threshold_height;
        for (std::size_t k = 0; k < n; ++k) {
            const double grad_s = (grad_spike != nullptr ? grad_spike[k] : 0.0) + adj_a[k];
            const double ds_du = surrogate.derivative((u[k] - threshold[k]) * inv_height) * inv_height;
            const double du = adj_v[k] * (1.0 - s[k]) + grad_s * ds_du;
            const double d_decayed = adj_a[k] - beta * grad_s * ds_du;
            adj_v[k] = du * lif.p22;
            adj_i[k] = du * lif.p21 + adj_i[k] * lif.p11;
            adj_a[k] = d_decayed * p_adapt;
        }
    }
};

}  // namespace neurodyn::models
