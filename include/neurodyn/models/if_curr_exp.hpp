#pragma once
// IF_curr_exp: leaky integrate-and-fire neuron with exponentially decaying synaptic
// currents (PyNN standard cell; NEST iaf_psc_exp).
//
//   cm dv/dt = cm (v_rest - v) / tau_m + isyn_exc + isyn_inh + i_offset + i_injected
//   d isyn_X / dt = -isyn_X / tau_syn_X,   isyn_X += w on arrival of a spike (nA)
//   v >= v_thresh: spike, v = v_reset, v clamped for tau_refrac (currents keep decaying)
//
// Integrated exactly (Rotter & Diesmann 1999): with h = dt and propagators
//   P22 = exp(-h/tau_m), P11X = exp(-h/tau_syn_X), P20 = tau_m/cm (1 - P22),
//   P21X = tau_m tau_syn_X / (cm (tau_m - tau_syn_X)) (P22 - P11X)
// one step is
//   v     <- v_rest + P22 (v - v_rest) + P21E isyn_exc + P21I isyn_inh + P20 (i_offset + i_inj)
//   isyn_X <- P11X isyn_X + (input arriving at the end of the step)
// P21X is evaluated in a form that stays accurate when tau_syn is close to tau_m and
// finite when one time constant is far below the step (current_to_voltage_propagator).

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <memory>
#include <numbers>

#include "neurodyn/core/strings.hpp"
#include "neurodyn/models/neuron_group.hpp"
#include "neurodyn/models/standard_fields.hpp"

namespace neurodyn::models {

// The propagator from a synaptic current with time constant tau_syn to the membrane
// potential over one step h (mV per nA):
//   P21 = (exp(-h/tau_m) - exp(-h/tau_syn)) / (cm |a|),  a = 1/tau_syn - 1/tau_m,
// written as exp(-h/tau_slow) (1 - exp(-h |a|)) / (cm |a|) with tau_slow the larger time
// constant, so no exponent is positive (no overflow however short tau_m is), expm1 keeps
// the digits as tau_syn -> tau_m, and a = 0 gives the limit h/cm exp(-h/tau_m).
inline double current_to_voltage_propagator(double h, double tau_m, double tau_syn, double cm) {
    const double a = std::abs(1.0 / tau_syn - 1.0 / tau_m);
    const double integral = (a == 0.0) ? h : -std::expm1(-h * a) / a;
    return std::exp(-h / std::max(tau_m, tau_syn)) * integral / cm;
}

class IfCurrExp final : public NeuronGroup {
public:
    enum Param : std::size_t { cm, tau_m, tau_refrac, tau_syn_E, tau_syn_I, v_rest, v_reset, v_thresh, i_offset };
    enum State : std::size_t { v, isyn_exc, isyn_inh };

    static constexpr std::array<FieldInfo, 9> kParams{{
        field::cm,
        field::tau_m,
        field::tau_refrac,
        {"tau_syn_E", "ms", 5.0, Bound::positive, "decay time of the excitatory synaptic current"},
        {"tau_syn_I", "ms", 5.0, Bound::positive, "decay time of the inhibitory synaptic current"},
        field::v_rest,
        field::v_reset,
        field::v_thresh,
        field::i_offset,
    }};
    static constexpr std::array<FieldInfo, 3> kState{{
        field::v,
        field::isyn_exc,
        field::isyn_inh,
    }};
    static constexpr std::array<std::string_view, 2> kPorts{"excitatory", "inhibitory"};
    static inline const ModelInfo kInfo{
        "IF_curr_exp",
        "Leaky integrate-and-fire neuron with exponentially decaying current-based synapses; exact integration.",
        kParams,
        kState,
        kPorts,
        PortKind::current,
        false,
        [](std::size_t n, std::uint64_t first) -> std::unique_ptr<NeuronGroup> {
            return std::make_unique<IfCurrExp>(n, first);
        }};

    IfCurrExp(std::size_t n, std::uint64_t first) : NeuronGroup(kInfo, n, first) {}

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
        const Column<H> rest{params_[v_rest].data()}, reset{params_[v_reset].data()}, thresh{params_[v_thresh].data()},
            offset{params_[i_offset].data()}, p22{p22_.data()}, p21_exc{p21_exc_.data()}, p21_inh{p21_inh_.data()},
            p20{p20_.data()}, p11_exc{p11_exc_.data()}, p11_inh{p11_inh_.data()};
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
            if (vm[i] >= thresh[i]) {
                vm[i] = reset[i];
                refractory[i] = refractory_period[i];
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
        refractory_steps_.resize(size_);
        for (std::size_t i = 0; i < size_; ++i) {
            const double c = params_[cm][i], tm = params_[tau_m][i];
            p22_[i] = std::exp(-h / tm);
            p11_exc_[i] = std::exp(-h / params_[tau_syn_E][i]);
            p11_inh_[i] = std::exp(-h / params_[tau_syn_I][i]);
            p20_[i] = -tm / c * std::expm1(-h / tm);
            p21_exc_[i] = current_to_voltage_propagator(h, tm, params_[tau_syn_E][i], c);
            p21_inh_[i] = current_to_voltage_propagator(h, tm, params_[tau_syn_I][i], c);
            refractory_steps_[i] = neurodyn::refractory_steps(params_[tau_refrac][i], h);
        }
    }

    std::vector<double> p22_, p11_exc_, p11_inh_, p20_, p21_exc_, p21_inh_;
    std::vector<std::int32_t> refractory_steps_;
};

// --- Gradient training: the backward step of this model (learn/bptt, learn/eprop) -------
//
// The spike s = H(u - v_thresh) has no useful derivative; surrogate-gradient training
// replaces ds/du by a smooth pseudo-derivative of x = (u - threshold) / (v_thresh - v_rest),
// the distance to threshold in units of the threshold's height above rest (so one slope
// suits any voltage scale). As in snnTorch:
//   fast sigmoid (Zenke & Ganguli 2018; snntorch.surrogate.fast_sigmoid): 1 / (1 + k |x|)^2
//   arctan (Fang et al. 2021; snntorch.surrogate.atan):  (k/2) / (1 + (pi k x / 2)^2)
enum class SurrogateKind : std::uint8_t { fast_sigmoid, arctan };

struct SpikeSurrogate {
    SurrogateKind kind = SurrogateKind::fast_sigmoid;
    double slope = 5.0;  // k above; > 0

    double derivative(double x) const {
        if (kind == SurrogateKind::fast_sigmoid) {
            const double d = 1.0 + slope * std::abs(x);
            return 1.0 / (d * d);
        }
        const double z = 0.5 * std::numbers::pi * slope * x;
        return 0.5 * slope / (1.0 + z * z);
    }
};

// One layer of IF_curr_exp neurons as trained: shared parameters, one synaptic current
// that takes signed weights (tau_syn_E = tau_syn_I, so the engine's excitatory and
// inhibitory currents sum to it exactly) and no refractory period. The forward step is
// IfCurrExp::advance's arithmetic for such a layer (same propagators, same order), so a
// trained network exported to the engine emits the same spikes.
//
// Per step t, with u the membrane before the threshold test:
//   u_t     = v_rest + P22 (v_t - v_rest) + P21 i_t + P20 i_offset
//   s_t     = H(u_t - v_thresh)                (spiking layers; a readout never fires)
//   v_{t+1} = u_t (1 - s_t) + v_reset s_t
//   i_{t+1} = P11 i_t + J_t                    (J_t: input arriving at the step's end)
// The reset is treated as a constant in the backward step (snnTorch's default, which
// detaches it): d v_{t+1} / d u_t = 1 - s_t.
struct LifTrainingStep {
    double v_rest = 0.0, v_reset = 0.0, v_thresh = 1.0, i_offset = 0.0;
    double p22 = 0.0, p21 = 0.0, p20 = 0.0, p11 = 0.0;
    double threshold_height = 1.0;  // v_thresh - v_rest (mV): the surrogate's unit of x

    // The same propagators as IfCurrExp::precompute (cm nF, times ms, potentials mV).
    static LifTrainingStep make(double cm_nF, double tau_m_ms, double tau_syn_ms, double v_rest_mV,
                                double v_reset_mV, double v_thresh_mV, double i_offset_nA, double dt_ms) {
        LifTrainingStep c;
        c.v_rest = v_rest_mV;
        c.v_reset = v_reset_mV;
        c.v_thresh = v_thresh_mV;
        c.i_offset = i_offset_nA;
        c.p22 = std::exp(-dt_ms / tau_m_ms);
        c.p11 = std::exp(-dt_ms / tau_syn_ms);
        c.p20 = -tau_m_ms / cm_nF * std::expm1(-dt_ms / tau_m_ms);
        c.p21 = current_to_voltage_propagator(dt_ms, tau_m_ms, tau_syn_ms, cm_nF);
        c.threshold_height = v_thresh_mV - v_rest_mV;
        return c;
    }

    double membrane(double v, double i) const { return v_rest + p22 * (v - v_rest) + p21 * i + p20 * (i_offset + 0.0); }

    // Forward step of n neurons: stores u_t, s_t; advances v and i (input: J_t).
    void forward(std::size_t n, double* v, double* i, const double* input, double* u, std::uint8_t* s,
                 bool spiking) const {
        for (std::size_t k = 0; k < n; ++k) {
            const double uk = membrane(v[k], i[k]);
            i[k] = p11 * i[k] + input[k];
            const bool fire = spiking && uk >= v_thresh;
            u[k] = uk;
            s[k] = fire ? 1 : 0;
            v[k] = fire ? v_reset : uk;
        }
    }

    // Adjoint of `forward` for step t, run backwards in time. On entry adj_v, adj_i hold
    // dL/dv_{t+1}, dL/di_{t+1}; on return dL/dv_t, dL/di_t. grad_spike is dL/ds_t through
    // every other path (loss, next layer, recurrence), grad_u a direct dL/du_t (a loss on
    // the membrane); either may be null.
    void backward(std::size_t n, const SpikeSurrogate& surrogate, const double* u, const std::uint8_t* s,
                  const double* grad_spike, const double* grad_u, double* adj_v, double* adj_i) const {
        const double inv_height = 1.0 / threshold_height;
        for (std::size_t k = 0; k < n; ++k) {
            double du = adj_v[k] * (1.0 - s[k]);
            if (grad_spike != nullptr) du += grad_spike[k] * surrogate.derivative((u[k] - v_thresh) * inv_height) * inv_height;
            if (grad_u != nullptr) du += grad_u[k];
            adj_v[k] = du * p22;
            adj_i[k] = du * p21 + adj_i[k] * p11;
        }
    }
};

}  // namespace neurodyn::models
