// The main example, Brunel (2000) model A, in its asynchronous-irregular regime, checked
// against theory: the mean-field rate, equal E and I rates, irregular firing, and no
// population-wide synchrony — with the synchronous-regular regime (g = 3) as the
// contrast that shows the synchrony measure can fail.

#include <gtest/gtest.h>

#include <cmath>

#include "neurodyn/analysis/spike_statistics.hpp"
#include "neurodyn/engine/simulator.hpp"
#include "neurodyn/io/model_file.hpp"
#include "neurodyn/record/spike_recorder.hpp"

using namespace neurodyn;

namespace {

struct RegimeMeasures {
    double rate_e = 0.0, rate_i = 0.0;  // Hz
    double cv_e = 0.0;                   // mean ISI CV of excitatory neurons
    double chi = 0.0;                    // Golomb synchrony of the membrane potential, 500 E neurons
};

RegimeMeasures simulate_brunel(double g, double duration_ms, double transient_ms) {
    NetworkSpec spec = load_model_file(std::string(NEURODYN_SOURCE_DIR) + "/examples/brunel.toml");
    for (auto& projection : spec.projections)
        if (projection.receptor == "inhibitory") projection.weight = -g * 0.1;
    RecorderSpec traces;
    traces.kind = RecorderSpec::Kind::state;
    traces.population = "E";
    traces.variables = {"v"};
    traces.interval = 0.5;
    for (std::uint32_t i = 0; i < 500; ++i) traces.neurons.push_back(i * 20);
    spec.recorders.push_back(traces);
    Simulator sim(spec);
    SpikeRecorder spikes(sim, true);
    std::vector<double> v;
    std::size_t rows = 0;
    struct Traces : EpochObserver {
        std::vector<double>* values;
        std::size_t* rows;
        double from_ms;
        void on_epoch(const Simulator& s, const EpochSpikes&) override {
            const auto& probe = s.state_probes()[0];
            for (std::size_t r = 0; r < probe.pending_times.size(); ++r) {
                if (probe.pending_times[r] < from_ms) continue;
                values->insert(values->end(), probe.pending_values.begin() + r * 500,
                               probe.pending_values.begin() + (r + 1) * 500);
                ++*rows;
            }
        }
    } observer;
    observer.values = &v;
    observer.rows = &rows;
    observer.from_ms = transient_ms;
    sim.add_observer(&spikes);
    sim.add_observer(&observer);
    sim.run(duration_ms);

    RegimeMeasures m;
    const double window = duration_ms - transient_ms;
    auto after_transient = [&](const std::string& name) {
        SpikeTrains kept;
        const auto& all = spikes.spikes(name);
        for (std::size_t k = 0; k < all.times_ms.size(); ++k)
            if (all.times_ms[k] > transient_ms) {
                kept.times_ms.push_back(all.times_ms[k]);
                kept.ids.push_back(all.ids[k]);
            }
        return kept;
    };
    const SpikeTrains e = after_transient("E"), i = after_transient("I");
    m.rate_e = analysis::mean_rate_hz(e.times_ms.size(), 10000, window);
    m.rate_i = analysis::mean_rate_hz(i.times_ms.size(), 2500, window);
    m.cv_e = analysis::isi_cv(e.times_ms, e.ids, 10000).mean_cv;
    m.chi = analysis::synchrony_chi(v, rows, 500);
    return m;
}

}  // namespace

TEST(BrunelRegime, AsynchronousIrregularMatchesMeanFieldTheory) {
    const RegimeMeasures m = simulate_brunel(5.0, 1000.0, 200.0);
    // Reference: the self-consistent rate of Brunel's diffusion approximation (eqs. 4.2-4.6,
    // computed by bench/brunel_meanfield.py) is 37.95 Hz for these parameters. The
    // approximation neglects the finite PSP size (J = 0.1 mV against sigma = 7.7 mV),
    // correlations and the delay; Brunel (2000, Fig. 2) reports agreement within a few
    // percent in this regime. 10% bounds those systematic errors; the statistical error of
    // the measured rate (3e5 spikes) is 0.2%. (Brian2 running the same network: E rate
    // 38.05 +- 0.07 Hz over 3 seeds, +0.3% from the mean-field value.)
    const double mean_field_hz = 37.95;
    EXPECT_NEAR(m.rate_e, mean_field_hz, 0.10 * mean_field_hz);
    // E and I neurons receive statistically identical input: equal rates. Their
    // difference is dominated by the rate heterogeneity over neurons (about 30% of the
    // mean), giving a sampling sd of 0.3 * 38 / sqrt(2500) = 0.23 Hz; 4 sd = 0.9 Hz.
    EXPECT_NEAR(m.rate_e, m.rate_i, 0.9);
    // Irregular firing: the mean input (mu = 21 mV) is just above threshold, so ISIs are
    // shaped by both drift and noise; Brian2 running the same network gives a CV of
    // 0.420 +- 0.002 over 3 seeds (bench/brunel_meanfield.py). A regular (clock-like)
    // neuron has CV near 0; the band (0.3, 0.6) is wide because it only has to tell
    // irregular from regular firing, which the SR test below checks it does.
    EXPECT_GT(m.cv_e, 0.3);
    EXPECT_LT(m.cv_e, 0.6);
    // No population-wide synchrony: chi for 500 independent signals is about
    // 1/sqrt(500) = 0.045; shared input fluctuations and the weak fast oscillation that
    // the delay sustains in this state (Brunel 2000, section 5) raise it: Brian2 gives
    // 0.231 +- 0.009 over 3 seeds (bench/brunel_meanfield.py), neurodyn 0.21-0.23,
    // against 0.5 in the synchronous state below; 0.3 separates them.
    EXPECT_LT(m.chi, 0.3);
}

TEST(BrunelRegime, SynchronousRegularStateIsToldApart) {
    // g = 3: excitation dominates and neurons fire at the maximal rate allowed by
    // refractoriness, regularly and in synchronous volleys (Brunel 2000, Fig. 8A).
    // Measured here: rate 333 Hz, CV 0.001, chi 0.51 (against 38 Hz, 0.42, 0.21 in AI).
    const RegimeMeasures m = simulate_brunel(3.0, 300.0, 100.0);
    EXPECT_GT(m.chi, 0.4);
    EXPECT_LT(m.cv_e, 0.1);
    EXPECT_GT(m.rate_e, 200.0);
}
