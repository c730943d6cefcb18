#pragma once
// Shared pieces of the model validation tests: a driver that feeds a NeuronGroup one
// step at a time, closed forms of the leaky membrane written independently of the
// models' propagators, and a classical RK4 step for high-precision references.
//
// The closed forms are evaluated in long double (64-bit mantissa on x86-64) so that their
// own rounding stays far below the 1e-9 mV the exact integrators are held to.

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <fstream>
#include <limits>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "neurodyn/models/neuron_group.hpp"

namespace neurodyn::test {

// The rows of the reference file tests/models/reference/NAME (written by the make_*.py
// scripts there), split at commas. Blank lines and '#' comments are skipped, and so is
// the first line when `has_header`.
inline std::vector<std::vector<std::string>> reference_csv_rows(const std::string& name, bool has_header = false) {
    const std::string path = std::string(NEURODYN_SOURCE_DIR) + "/tests/models/reference/" + name;
    std::ifstream file(path);
    if (!file) throw std::runtime_error("cannot read reference file " + path);
    std::vector<std::vector<std::string>> rows;
    std::string line;
    if (has_header) std::getline(file, line);
    while (std::getline(file, line)) {
        if (line.empty() || line[0] == '#') continue;
        std::vector<std::string> fields;
        std::stringstream stream(line);
        for (std::string field; std::getline(stream, field, ',');) fields.push_back(field);
        rows.push_back(std::move(fields));
    }
    return rows;
}

// The same, for files of numbers only.
inline std::vector<std::vector<double>> reference_csv_numbers(const std::string& name, bool has_header = false) {
    std::vector<std::vector<double>> rows;
    for (const auto& fields : reference_csv_rows(name, has_header)) {
        std::vector<double> row;
        for (const auto& field : fields) row.push_back(std::stod(field));
        rows.push_back(std::move(row));
    }
    return rows;
}

// Steps a group the way a shard does: per receptor port an array of the input arriving
// at the end of the step (cleared after each step), and an injected current (nA) held
// until changed.
class GroupDriver {
public:
    explicit GroupDriver(NeuronGroup& group)
        : group_(group),
          port_input_(group.info().ports.size(), std::vector<double>(group.size(), 0.0)),
          injected_(group.size(), 0.0) {
        for (auto& port : port_input_) port_pointers_.push_back(port.data());
    }

    // Input on `port` that arrives at the end of the next step.
    std::vector<double>& input(std::size_t port) { return port_input_[port]; }
    std::vector<double>& injected() { return injected_; }
    // The step the next call to step() advances (from t = next_step*dt).
    std::int64_t next_step() const { return next_step_; }

    // Advances one step; returns the group-local indices of the neurons that fired.
    const std::vector<std::uint32_t>& step(std::uint64_t seed = 0) {
        spiked_.clear();
        group_.update(StepInput{next_step_, port_pointers_, injected_.data(), seed}, spiked_);
        for (auto& port : port_input_) std::fill(port.begin(), port.end(), 0.0);
        ++next_step_;
        return spiked_;
    }

    // Runs `steps` steps; returns per neuron the steps in which it fired.
    std::vector<std::vector<std::int64_t>> run(std::int64_t steps, std::uint64_t seed = 0) {
        std::vector<std::vector<std::int64_t>> fired(group_.size());
        for (std::int64_t s = 0; s < steps; ++s) {
            const std::int64_t this_step = next_step_;
            for (const std::uint32_t i : step(seed)) fired[i].push_back(this_step);
        }
        return fired;
    }

private:
    NeuronGroup& group_;
    std::vector<std::vector<double>> port_input_;
    std::vector<const double*> port_pointers_;
    std::vector<double> injected_;
    std::vector<std::uint32_t> spiked_;
    std::int64_t next_step_ = 0;
};

// Neuron models update a group whose neurons all share their parameters through a fast
// path that reads each parameter once (NeuronGroup::homogeneous()). Runs a homogeneous
// group of 3 neurons and a group of the same 3 plus one whose `perturbed_param` is 1.5
// times larger (nonzero: general path) under the same irregular input, and expects the 3 shared
// neurons to have bit-identical state and spikes at every step. `configure` sets the
// parameters of every neuron of a group alike; they should make the neurons fire.
template <class Group, class Configure>
void expect_fast_path_matches_general_path(const Configure& configure, std::size_t perturbed_param, double dt,
                                           std::int64_t steps, double weight) {
    constexpr std::size_t n = 3;
    Group uniform(n, 0), mixed(n + 1, 0);
    configure(uniform);
    configure(mixed);
    mixed.param(perturbed_param)[n] *= 1.5;
    for (std::size_t i = 0; i < n; ++i)
        uniform.state(0)[i] = mixed.state(0)[i] = uniform.state(0)[i] + 4.0 * static_cast<double>(i);  // state 0 is v
    uniform.prepare(dt);
    mixed.prepare(dt);
    ASSERT_TRUE(uniform.homogeneous());
    ASSERT_FALSE(mixed.homogeneous());
    GroupDriver a(uniform), b(mixed);
    // Conductances are >= 0; current and voltage inputs on the second port are inhibitory.
    const double second_port_sign = uniform.info().port_kind == PortKind::conductance ? 1.0 : -0.5;
    std::size_t spikes = 0;
    for (std::int64_t s = 0; s < steps; ++s) {
        for (std::size_t port = 0; port < uniform.info().ports.size(); ++port)
            for (std::size_t i = 0; i < n; ++i)
                if ((s * 7 + static_cast<std::int64_t>(i * 3 + port)) % 11 == 0)
                    a.input(port)[i] = b.input(port)[i] = weight * (port == 0 ? 1.0 : second_port_sign);
        std::vector<std::uint32_t> fired_a = a.step(), fired_b = b.step();
        std::erase(fired_b, static_cast<std::uint32_t>(n));
        ASSERT_EQ(fired_a, fired_b) << "step " << s;
        spikes += fired_a.size();
        for (std::size_t var = 0; var < uniform.info().state.size(); ++var)
            for (std::size_t i = 0; i < n; ++i)
                ASSERT_EQ(uniform.state(var)[i], mixed.state(var)[i])
                    << "state " << var << ", neuron " << i << ", step " << s;
    }
    EXPECT_GT(spikes, 0u);
}

// integral_0^u exp(-(u - s)/tau_m) exp(-s/tau_syn) ds (ms): the membrane response (times
// cm) to a unit current jump decaying with tau_syn, u after its arrival. Written as a
// difference of exponentials where that is well conditioned and as the power series of
// exp(-u/tau_m) u sum_k (-a u)^k/(k+1)!, a = 1/tau_syn - 1/tau_m, where it is not
// (|a u| < 1/2, where the difference would cancel), so it shares no formula with the
// models' expm1 propagator.
inline long double psc_kernel(long double u, long double tau_m, long double tau_syn) {
    const long double a = 1.0L / tau_syn - 1.0L / tau_m;
    if (std::fabs(a * u) >= 0.5L) return (std::exp(-u / tau_m) - std::exp(-u / tau_syn)) / a;
    long double term = 1.0L, sum = 0.0L;  // term_k = (-a u)^k / (k+1)!
    for (int k = 0; k < 40; ++k) {
        sum += term;
        term *= -a * u / static_cast<long double>(k + 2);
    }
    return std::exp(-u / tau_m) * u * sum;
}

// Membrane potential of a leaky integrator (no threshold) after time t (ms), from v0,
// driven by a constant current i_nA: v_rest + R i (1 - exp(-t/tau_m)) + (v0 - v_rest) exp(-t/tau_m).
inline long double lif_relaxation(long double t, long double v0, long double v_rest, long double tau_m, long double cm,
                                  long double i_nA) {
    const long double decay = std::exp(-t / tau_m);
    return v_rest + tau_m / cm * i_nA * (1.0L - decay) + (v0 - v_rest) * decay;
}

// Time (ms) for a leaky integrator starting at v_reset to reach v_thresh under a constant
// current, T = tau_m ln((R I + v_rest - v_reset) / (R I + v_rest - v_thresh)); infinite
// below rheobase (R I <= v_thresh - v_rest).
inline double lif_time_to_threshold(double tau_m, double cm, double i_nA, double v_rest, double v_reset,
                                    double v_thresh) {
    const double drive = tau_m / cm * i_nA;  // R I, mV (ms/nF = MOhm)
    if (!(drive > v_thresh - v_rest)) return std::numeric_limits<double>::infinity();
    return tau_m * std::log((drive + v_rest - v_reset) / (drive + v_rest - v_thresh));
}

// One classical fourth-order Runge-Kutta step of the autonomous system y' = f(y).
template <class Real, std::size_t N, class Derivative>
void rk4_step(std::array<Real, N>& y, Real h, const Derivative& f) {
    using Vec = std::array<Real, N>;
    auto shifted = [&](const Vec& k, Real c) {
        Vec out;
        for (std::size_t i = 0; i < N; ++i) out[i] = y[i] + c * k[i];
        return out;
    };
    const Vec k1 = f(y);
    const Vec k2 = f(shifted(k1, h / 2));
    const Vec k3 = f(shifted(k2, h / 2));
    const Vec k4 = f(shifted(k3, h));
    for (std::size_t i = 0; i < N; ++i) y[i] += h / 6 * (k1[i] + 2 * k2[i] + 2 * k3[i] + k4[i]);
}

}  // namespace neurodyn::test
