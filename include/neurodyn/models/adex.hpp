#pragma once
// EIF_cond_exp_isfa_ista and EIF_cond_alpha_isfa_ista: the adaptive exponential
// integrate-and-fire neuron (Brette & Gerstner 2005, "AdEx") with conductance-based
// synapses, exponential or alpha-shaped (PyNN standard cells; NEST aeif_cond_exp and
// aeif_cond_alpha). One template, two registered models: the synapse shape is the
// template argument.
//
//   cm dv/dt = g_L (v_rest - v) + g_L delta_T exp((v - v_thresh)/delta_T)
//              + gsyn_exc (e_rev_E - v) + gsyn_inh (e_rev_I - v) - w + i_offset + i_injected
//   tau_w dw/dt = a (v - v_rest) - w                     g_L = cm / tau_m (uS), a in nS
//   exponential synapses: d gsyn_X/dt = -gsyn_X/tau_syn_X,  gsyn_X += w_syn on arrival
//   alpha synapses:       d gsyn_X/dt = dgsyn_X - gsyn_X/tau_syn_X,  d dgsyn_X/dt = -dgsyn_X/tau_syn_X,
//                         dgsyn_X += w_syn e/tau_syn_X on arrival (the conductance peaks
//                         at w_syn, tau_syn_X after the arrival)
//   v reaches v_spike: spike; v = v_reset, w += b; v is held at v_reset for the rest of
//   the step and round(tau_refrac/dt) more steps (w and the conductances keep evolving,
//   w with v = v_reset in its equation). With delta_T = 0 the exponential term is dropped
//   and the spike is at v_thresh (NEST's integrate-and-fire limit).
//
// Integrator: adaptive Dormand–Prince 5(4) on (v, w, conductances) over each step, per
// neuron (ode_integrator.hpp), with the tolerances of kTolerance. Synaptic input jumps
// at the end of the step, after the integration, as for every model here. The spike is
// found inside the step, as NEST's aeif models find it: the integration stops at the
// sub-step where v reaches the spike value, located to within 1e-9 ms, applies the reset
// there and integrates the rest of the step from it. In the derivative, v is capped at
// the spike value (NEST does the same), so the exponential's argument never exceeds
// (v_spike - v_thresh)/delta_T, which the parameter checks keep <= 500: however large the
// input, no stage overflows and no NaN can appear. A neuron fires at most once per step:
// if v reaches v_spike a second time within the step it fired in (possible only with
// tau_refrac < dt/2), v is held at v_spike for the rest of that step and the neuron fires
// again at the start of the next one.
//
// Accuracy against SciPy's DOP853 at rtol = atol = 1e-12 (tests/models/test_adex.cpp,
// reference CSVs from tests/models/reference/make_adex.py): see docs/models.md.

#include <algorithm>
#include <array>
#include <cmath>
#include <memory>
#include <numbers>

#include "neurodyn/core/strings.hpp"
#include "neurodyn/models/neuron_group.hpp"
#include "neurodyn/models/standard_fields.hpp"
#include "neurodyn/models/ode_integrator.hpp"

namespace neurodyn::models {

namespace adex {

enum Param : std::size_t {
    cm, tau_m, tau_refrac, tau_syn_E, tau_syn_I, e_rev_E, e_rev_I, v_rest, v_reset, v_thresh, v_spike, delta_T, a, b,
    tau_w, i_offset
};

// PyNN's defaults (pyNN.standardmodels.cells.EIF_cond_*_isfa_ista): Brette & Gerstner's
// regular-spiking cell.
inline constexpr std::array<FieldInfo, 16> kParams{{
    {"cm", "nF", 0.281, Bound::positive, "membrane capacitance"},
    {"tau_m", "ms", 9.3667, Bound::positive, "membrane time constant cm/g_L"},
    field::tau_refrac,
    {"tau_syn_E", "ms", 5.0, Bound::positive, "excitatory synaptic time constant (decay, or rise of the alpha function)"},
    {"tau_syn_I", "ms", 5.0, Bound::positive, "inhibitory synaptic time constant (decay, or rise of the alpha function)"},
    field::e_rev_E,
    {"e_rev_I", "mV", -80.0, Bound::any, "inhibitory reversal potential"},
    {"v_rest", "mV", -70.6, Bound::any, "resting potential (leak reversal potential)"},
    {"v_reset", "mV", -70.6, Bound::any, "reset potential after a spike"},
    {"v_thresh", "mV", -50.4, Bound::any, "spike initiation threshold (centre of the exponential)"},
    {"v_spike", "mV", -40.0, Bound::any, "spike detection value: a spike is emitted when v reaches it"},
    {"delta_T", "mV", 2.0, Bound::non_negative, "slope factor of the exponential (0: hard threshold at v_thresh)"},
    {"a", "nS", 4.0, Bound::any, "subthreshold adaptation conductance"},
    {"b", "nA", 0.0805, Bound::any, "spike-triggered adaptation current increment"},
    {"tau_w", "ms", 144.0, Bound::positive, "adaptation time constant"},
    field::i_offset,
}};

inline constexpr std::array<std::string_view, 2> kPorts{"excitatory", "inhibitory"};

// The largest (v_spike - v_thresh) / delta_T allowed: exp(500) = 1.4e217 times the
// derivative's other factors stays far from overflow (NEST keeps a similar margin).
inline constexpr double kMaxExponent = 500.0;

// Exponentially decaying conductances: ODE state (v, w, gsyn_exc, gsyn_inh).
struct ExpSynapses {
    static constexpr std::size_t kSize = 4;
    static constexpr std::size_t kExc = 2, kInh = 3;  // where gsyn_X is in the ODE state (and the State enum)
    static constexpr std::array<FieldInfo, 4> kState{{
        {"v", "mV", -70.6, Bound::any, "membrane potential"},
        {"w", "nA", 0.0, Bound::any, "adaptation current"},
        field::gsyn_exc,
        field::gsyn_inh,
    }};
    static constexpr std::string_view kName = "EIF_cond_exp_isfa_ista";
    static constexpr std::string_view kDoc =
        "Adaptive exponential integrate-and-fire neuron (Brette & Gerstner 2005) with exponentially decaying "
        "conductance-based synapses; adaptive Dormand-Prince 5(4).";
    // d/dt of the synaptic part of the state; g_X = y[kX].
    static void synapse_derivative(const ode::Vec<kSize>& y, ode::Vec<kSize>& d, double inv_tau_e, double inv_tau_i) {
        d[kExc] = -y[kExc] * inv_tau_e;
        d[kInh] = -y[kInh] * inv_tau_i;
    }
    // Index (in the state and in the ODE state) that an arriving weight is added to, and
    // its factor (1 for exponential synapses, e/tau_syn for alpha ones).
    static constexpr std::size_t kJumpExc = kExc, kJumpInh = kInh;
    static double jump_factor(double /*tau_syn*/) { return 1.0; }
};

// Alpha-shaped conductances: ODE state (v, w, gsyn_exc, dgsyn_exc, gsyn_inh, dgsyn_inh).
struct AlphaSynapses {
    static constexpr std::size_t kSize = 6;
    static constexpr std::size_t kExc = 2, kInh = 4;
    static constexpr std::array<FieldInfo, 6> kState{{
        {"v", "mV", -70.6, Bound::any, "membrane potential"},
        {"w", "nA", 0.0, Bound::any, "adaptation current"},
        field::gsyn_exc,
        {"dgsyn_exc", "uS/ms", 0.0, Bound::non_negative, "auxiliary of the excitatory alpha function"},
        field::gsyn_inh,
        {"dgsyn_inh", "uS/ms", 0.0, Bound::non_negative, "auxiliary of the inhibitory alpha function"},
    }};
    static constexpr std::string_view kName = "EIF_cond_alpha_isfa_ista";
    static constexpr std::string_view kDoc =
        "Adaptive exponential integrate-and-fire neuron (Brette & Gerstner 2005) with alpha-shaped "
        "conductance-based synapses; adaptive Dormand-Prince 5(4).";
    static void synapse_derivative(const ode::Vec<kSize>& y, ode::Vec<kSize>& d, double inv_tau_e, double inv_tau_i) {
        d[kExc] = y[kExc + 1] - y[kExc] * inv_tau_e;
        d[kExc + 1] = -y[kExc + 1] * inv_tau_e;
        d[kInh] = y[kInh + 1] - y[kInh] * inv_tau_i;
        d[kInh + 1] = -y[kInh + 1] * inv_tau_i;
    }
    static constexpr std::size_t kJumpExc = kExc + 1, kJumpInh = kInh + 1;
    static double jump_factor(double tau_syn) { return std::numbers::e / tau_syn; }
};

}  // namespace adex

template <class Synapses>
class AdEx final : public NeuronGroup {
public:
    using Param = adex::Param;
    static constexpr std::size_t kOdeSize = Synapses::kSize;
    using Vec = ode::Vec<kOdeSize>;
    // State columns are laid out as the ODE state: v, w, then the synaptic variables.
    enum State : std::size_t { v = 0, w = 1, gsyn_exc = Synapses::kExc, gsyn_inh = Synapses::kInh };

    static constexpr const auto& kParams = adex::kParams;
    static constexpr const auto& kState = Synapses::kState;
    static inline const ModelInfo kInfo{
        Synapses::kName,
        Synapses::kDoc,
        adex::kParams,
        Synapses::kState,
        adex::kPorts,
        PortKind::conductance,
        false,
        [](std::size_t n, std::uint64_t first) -> std::unique_ptr<NeuronGroup> {
            return std::make_unique<AdEx>(n, first);
        }};

    // Error tolerances per step: relative 1e-9; absolute 1e-9 mV, 1e-12 nA, 1e-12 uS
    // (and uS/ms), far below anything the state is read to. Measured cost with irregular
    // synaptic input and adapting firing: 1.1 (exp) and 1.7 (alpha) accepted sub-steps
    // per 0.1 ms step (docs/models.md).
    static constexpr ode::Tolerance<kOdeSize> tolerance() {
        ode::Tolerance<kOdeSize> tol;
        tol.relative = 1e-9;
        tol.absolute.fill(1e-12);
        tol.absolute[0] = 1e-9;
        tol.event_time = 1e-9;
        return tol;
    }

    AdEx(std::size_t n, std::uint64_t first) : NeuronGroup(kInfo, n, first) {}

    void update(const StepInput& in, std::vector<std::uint32_t>& spiked) override {
        if (homogeneous_)
            advance<true>(in, spiked);
        else
            advance<false>(in, spiked);
    }

    // Trial sub-steps taken so far by the whole group (for tests and cost measurements).
    const ode::StepCount& step_count() const { return count_; }

private:
    // The right-hand side for one neuron during one step; `clamp` >= 0 holds v at v_clamp
    // (refractoriness, or a second crossing waiting for the next step).
    struct Derivative {
        double g_l, v_rest, delta_t, v_thresh, peak, inv_cm, e_rev_e, e_rev_i, inv_tau_e, inv_tau_i, a_us, inv_tau_w,
            current;
        bool clamped = false;
        double v_clamp = 0.0;

        void operator()(const Vec& y, Vec& d) const {
            const double vm = clamped ? v_clamp : std::min(y[0], peak);
            const double spike_current = delta_t > 0.0 ? g_l * delta_t * std::exp((vm - v_thresh) / delta_t) : 0.0;
            const double membrane = g_l * (v_rest - vm) + spike_current + y[Synapses::kExc] * (e_rev_e - vm) +
                                    y[Synapses::kInh] * (e_rev_i - vm) - y[1] + current;
            d[0] = clamped ? 0.0 : membrane * inv_cm;
            d[1] = (a_us * (vm - v_rest) - y[1]) * inv_tau_w;
            Synapses::synapse_derivative(y, d, inv_tau_e, inv_tau_i);
        }
    };

    template <bool H>
    void advance(const StepInput& in, std::vector<std::uint32_t>& spiked) {
        const Column<H> rest{params_[Param::v_rest].data()},
            reset{params_[Param::v_reset].data()}, thresh{params_[Param::v_thresh].data()},
            slope{params_[Param::delta_T].data()}, erev_e{params_[Param::e_rev_E].data()},
            erev_i{params_[Param::e_rev_I].data()}, jump_b{params_[Param::b].data()},
            offset{params_[Param::i_offset].data()}, inv_cm{inv_cm_.data()}, g_l{g_l_.data()}, peak{peak_.data()}, inv_tau_e{inv_tau_e_.data()},
            inv_tau_i{inv_tau_i_.data()}, a_us{a_us_.data()}, inv_tau_w{inv_tau_w_.data()},
            jump_e{jump_e_.data()}, jump_i{jump_i_.data()};
        const Column<H, std::int32_t> refractory_period{refractory_steps_.data()};
        const double* in_exc = in.port_input[0];
        const double* in_inh = in.port_input[1];
        const double* injected = in.injected_current;
        std::int32_t* refractory = refractory_left_.data();
        constexpr ode::Tolerance<kOdeSize> tol = tolerance();
        const double dt = dt_;
        for (std::size_t i = 0; i < size_; ++i) {
            Derivative f{g_l[i],      rest[i],      slope[i],  thresh[i],   peak[i],
                         inv_cm[i], erev_e[i],   erev_i[i], inv_tau_e[i], inv_tau_i[i],
                         a_us[i],     inv_tau_w[i], offset[i] + injected[i]};
            Vec y;
            for (std::size_t k = 0; k < kOdeSize; ++k) y[k] = state_[k][i];
            const auto event = [&f](const Vec& x) { return f.clamped ? -1.0 : x[0] - f.peak; };
            std::int32_t left = refractory[i];
            bool fired = false;
            if (left > 0) {
                f.clamped = true;
                f.v_clamp = y[0] = reset[i];
                ode::integrate(f, y, 0.0, dt, step_[i], tol, event, &count_);
                --left;
            } else {
                // Integrate to the end of the step, stopping at each crossing of the peak.
                double t = 0.0;
                for (;;) {
                    const ode::Outcome o = ode::integrate(f, y, t, dt, step_[i], tol, event, &count_);
                    if (!o.crossed) break;
                    t = o.t;
                    if (!fired) {
                        fired = true;
                        y[0] = reset[i];
                        y[1] += jump_b[i];
                        left = refractory_period[i];
                        if (left > 0) {
                            f.clamped = true;
                            f.v_clamp = reset[i];
                        }
                    } else {
                        f.clamped = true;  // second crossing in this step: wait at the peak
                        f.v_clamp = y[0] = f.peak;
                    }
                    if (t >= dt) break;
                }
            }
            for (std::size_t k = 0; k < kOdeSize; ++k) state_[k][i] = y[k];
            state_[Synapses::kJumpExc][i] += jump_e[i] * in_exc[i];
            state_[Synapses::kJumpInh][i] += jump_i[i] * in_inh[i];
            refractory[i] = left;
            if (fired) spiked.push_back(static_cast<std::uint32_t>(i));
        }
    }

    void check_relations() const override {
        for (std::size_t i = 0; i < size_; ++i) {
            const double reset = params_[Param::v_reset][i], thresh = params_[Param::v_thresh][i],
                         spike = params_[Param::v_spike][i], slope = params_[Param::delta_T][i];
            if (slope > 0.0) {
                if (!(thresh <= spike)) fail("v_spike", ">= v_thresh (" + format_number(thresh) + " mV)", spike, i);
                if (!(reset < spike)) fail("v_reset", "< v_spike (" + format_number(spike) + " mV)", reset, i);
                if (!(spike - thresh <= adex::kMaxExponent * slope))
                    fail("delta_T",
                         ">= (v_spike - v_thresh)/" + format_number(adex::kMaxExponent) + " (" +
                             format_number((spike - thresh) / adex::kMaxExponent) + " mV)",
                         slope, i);
            } else if (!(reset < thresh)) {
                fail("v_reset", "< v_thresh (" + format_number(thresh) + " mV) when delta_T = 0", reset, i);
            }
        }
    }

    void precompute(double dt) override {
        dt_ = dt;
        g_l_.resize(size_);
        inv_cm_.resize(size_);
        peak_.resize(size_);
        inv_tau_e_.resize(size_);
        inv_tau_i_.resize(size_);
        a_us_.resize(size_);
        inv_tau_w_.resize(size_);
        jump_e_.resize(size_);
        jump_i_.resize(size_);
        refractory_steps_.resize(size_);
        step_.assign(size_, dt);
        for (std::size_t i = 0; i < size_; ++i) {
            g_l_[i] = params_[Param::cm][i] / params_[Param::tau_m][i];  // nF/ms = uS
            inv_cm_[i] = 1.0 / params_[Param::cm][i];
            peak_[i] = params_[Param::delta_T][i] > 0.0 ? params_[Param::v_spike][i] : params_[Param::v_thresh][i];
            inv_tau_e_[i] = 1.0 / params_[Param::tau_syn_E][i];
            inv_tau_i_[i] = 1.0 / params_[Param::tau_syn_I][i];
            a_us_[i] = params_[Param::a][i] * 1e-3;  // nS -> uS
            inv_tau_w_[i] = 1.0 / params_[Param::tau_w][i];
            jump_e_[i] = Synapses::jump_factor(params_[Param::tau_syn_E][i]);
            jump_i_[i] = Synapses::jump_factor(params_[Param::tau_syn_I][i]);
            refractory_steps_[i] = neurodyn::refractory_steps(params_[Param::tau_refrac][i], dt);
        }
    }

    // Homeostasis may move v_thresh during the run (network/homeostasis.hpp): without the
    // exponential (delta_T = 0) it is the spike detection level.
    void refresh_derived(std::size_t index) override {
        if (index == Param::v_thresh)
            for (std::size_t i = 0; i < size_; ++i)
                peak_[i] = params_[Param::delta_T][i] > 0.0 ? params_[Param::v_spike][i] : params_[Param::v_thresh][i];
    }

    double dt_ = 0.1;
    std::vector<double> g_l_, inv_cm_, peak_, inv_tau_e_, inv_tau_i_, a_us_, inv_tau_w_, jump_e_, jump_i_;
    std::vector<double> step_;  // per neuron: the integrator's proposal for its next sub-step (ms)
    std::vector<std::int32_t> refractory_steps_;
    ode::StepCount count_;
};

using EifCondExpIsfaIsta = AdEx<adex::ExpSynapses>;
using EifCondAlphaIsfaIsta = AdEx<adex::AlphaSynapses>;

}  // namespace neurodyn::models
