#pragma once
// Izhikevich: the quadratic integrate-and-fire neuron with a recovery variable of
// Izhikevich (2003), IEEE Trans. Neural Networks 14:1569 (PyNN standard cell; NEST
// izhikevich). Parameters and units follow PyNN:
//
//   dv/dt = 0.04 v^2 + 5 v + 140 - u + I        (v in mV, t in ms, u and I in mV/ms)
//   du/dt = a (b v - u)
//   v reaches 30 mV: spike; v = c, u += d
//   I = 1000 (i_offset + i_injected): a current of 1 nA is 1000 mV/ms, i.e. 1 pA is one
//   unit of Izhikevich's I (PyNN passes i_offset to NEST's I_e in pA, and NEST adds I_e
//   to dv/dt as it is). Izhikevich's I = 10 is i_offset = 0.01 nA.
//   Synapses are delta currents, as in the original model and in NEST: a spike of weight
//   w (mV) arriving at the end of a step makes v jump by w (PyNN: "voltage step").
//   There is no refractory period.
//
// Integrator: adaptive Dormand–Prince 5(4) on (v, u) over each step, per neuron
// (ode_integrator.hpp), not the two 0.5 ms Euler half-steps of Izhikevich's program
// (nor NEST's Euler step): relative error 1e-10, absolute 1e-9 mV and 1e-10 mV/ms per
// sub-step. The spike is found inside the step: the integration stops where v reaches
// 30 mV (located to within 1e-9 ms), resets there and integrates the rest of the step
// from (c, u + d). v is capped at 30 mV in the derivative, so the quadratic blow-up
// cannot overflow a trial stage. After the integration the synaptic jumps are added;
// if they take v to 30 mV or more the neuron fires then (and resets), as in NEST. A
// neuron fires at most once per step: if v reaches 30 mV a second time within the step
// it fired in (only with inputs of several nA), it is held at 30 mV for the rest of
// that step and fires again at the start of the next one.

#include <algorithm>
#include <array>
#include <cmath>
#include <memory>

#include "neurodyn/core/strings.hpp"
#include "neurodyn/models/neuron_group.hpp"
#include "neurodyn/models/ode_integrator.hpp"

namespace neurodyn::models {

class Izhikevich final : public NeuronGroup {
public:
    enum Param : std::size_t { a, b, c, d, i_offset };
    enum State : std::size_t { v, u };

    static constexpr double kPeak = 30.0;            // mV: spike cut-off (Izhikevich 2003; NEST V_th)
    static constexpr double kCurrentScale = 1000.0;  // (mV/ms)/nA: I = 1000 (i_offset + i_injected)

    // PyNN's defaults (pyNN.standardmodels.cells.Izhikevich).
    static constexpr std::array<FieldInfo, 5> kParams{{
        {"a", "1/ms", 0.02, Bound::any, "rate of the recovery variable u"},
        {"b", "1/ms", 0.2, Bound::any, "sensitivity of u to v"},
        {"c", "mV", -65.0, Bound::any, "reset value of v after a spike"},
        {"d", "mV/ms", 2.0, Bound::any, "increment of u after a spike"},
        {"i_offset", "nA", 0.0, Bound::any, "constant injected current (1 nA = 1000 mV/ms in dv/dt)"},
    }};
    static constexpr std::array<FieldInfo, 2> kState{{
        {"v", "mV", -70.0, Bound::any, "membrane potential"},
        {"u", "mV/ms", -14.0, Bound::any, "recovery variable"},
    }};
    static constexpr std::array<std::string_view, 2> kPorts{"excitatory", "inhibitory"};
    static inline const ModelInfo kInfo{
        "Izhikevich",
        "Izhikevich (2003) quadratic neuron with recovery variable and delta synapses (weights in mV); adaptive "
        "Dormand-Prince 5(4).",
        kParams,
        kState,
        kPorts,
        PortKind::voltage,
        false,
        [](std::size_t n, std::uint64_t first) -> std::unique_ptr<NeuronGroup> {
            return std::make_unique<Izhikevich>(n, first);
        }};

    static constexpr ode::Tolerance<2> tolerance() {
        ode::Tolerance<2> tol;
        tol.relative = 1e-10;
        tol.absolute = {1e-9, 1e-10};
        tol.event_time = 1e-9;
        return tol;
    }

    Izhikevich(std::size_t n, std::uint64_t first) : NeuronGroup(kInfo, n, first) {}

    void update(const StepInput& in, std::vector<std::uint32_t>& spiked) override {
        if (homogeneous_)
            advance<true>(in, spiked);
        else
            advance<false>(in, spiked);
    }

    const ode::StepCount& step_count() const { return count_; }

private:
    struct Derivative {
        double a, b, current;
        bool clamped = false;  // held at the peak after a second crossing in one step

        void operator()(const ode::Vec<2>& y, ode::Vec<2>& dy) const {
            const double vm = clamped ? kPeak : std::min(y[0], kPeak);
            dy[0] = clamped ? 0.0 : (0.04 * vm + 5.0) * vm + 140.0 - y[1] + current;
            dy[1] = a * (b * vm - y[1]);
        }
    };

    template <bool H>
    void advance(const StepInput& in, std::vector<std::uint32_t>& spiked) {
        const Column<H> rate{params_[a].data()}, sensitivity{params_[b].data()}, reset{params_[c].data()},
            jump{params_[d].data()}, offset{params_[i_offset].data()};
        double* vm = state_[v].data();
        double* um = state_[u].data();
        const double* in_exc = in.port_input[0];
        const double* in_inh = in.port_input[1];
        const double* injected = in.injected_current;
        constexpr ode::Tolerance<2> tol = tolerance();
        const double dt = dt_;
        for (std::size_t i = 0; i < size_; ++i) {
            Derivative f{rate[i], sensitivity[i], kCurrentScale * (offset[i] + injected[i])};
            const auto event = [&f](const ode::Vec<2>& x) { return f.clamped ? -1.0 : x[0] - kPeak; };
            ode::Vec<2> y{vm[i], um[i]};
            bool fired = false;
            double t = 0.0;
            for (;;) {
                const ode::Outcome o = ode::integrate(f, y, t, dt, step_[i], tol, event, &count_);
                if (!o.crossed) break;
                t = o.t;
                if (!fired) {
                    fired = true;
                    y[0] = reset[i];
                    y[1] += jump[i];
                } else {
                    f.clamped = true;  // second crossing in this step: wait at the peak
                    y[0] = kPeak;
                }
                if (t >= dt) break;
            }
            y[0] += in_exc[i] + in_inh[i];
            if (y[0] >= kPeak && !fired) {
                fired = true;
                y[0] = reset[i];
                y[1] += jump[i];
            }
            vm[i] = y[0];
            um[i] = y[1];
            if (fired) spiked.push_back(static_cast<std::uint32_t>(i));
        }
    }

    void check_relations() const override {
        for (std::size_t i = 0; i < size_; ++i)
            if (!(params_[c][i] < kPeak))
                fail("c", "< the spike cut-off (" + format_number(kPeak) + " mV)", params_[c][i], i);
    }

    void precompute(double dt) override {
        dt_ = dt;
        step_.assign(size_, dt);
    }

    double dt_ = 0.1;
    std::vector<double> step_;  // per neuron: the integrator's proposal for its next sub-step (ms)
    ode::StepCount count_;
};

}  // namespace neurodyn::models
