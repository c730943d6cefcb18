#pragma once
// Rate-based Hebbian plasticity for rate networks: a dense layer y = W x (W is
// outputs x inputs, row-major) whose weights follow one of five local rules, a
// Hebbian/anti-Hebbian network with lateral connections (Földiák), and the Hebbian
// principal-subspace circuit of HLOP with its orthogonal projection of updates.
//
// Rates are dimensionless here (the units of x); eta is per update (one sample).
// Every rule is applied online, one sample per update; the batch calls loop over the
// rows of a samples x inputs matrix in C++ (docs/plasticity.md, "Rate-based Hebbian rules").
//
//   hebb          dW = eta (y x^T - decay W)                 Hebb with passive decay
//   oja           dW_o = eta y_o (x - y_o W_o)               Oja 1982, per output unit
//   oja_subspace  dW = eta (y x^T - y y^T W)                 Oja 1989 subspace rule
//   sanger        dW = eta (y x^T - LT[y y^T] W)             Sanger 1989, GHA (LT: lower triangle
//                                                             with the diagonal)
//   bcm           dW_o = eta y_o (y_o - theta_o) x           BCM in the Intrator & Cooper 1992 form,
//                 theta_o <- theta_o + (y_o^2 - theta_o) / tau_theta   (theta = <y^2>, tau in samples)
//
// y = W x, except that the rules whose post-synaptic activity is not tied to W
// (hebb, bcm) may be given y. Bounds w_min <= W <= w_max clip every weight after
// each update.

#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <string_view>
#include <vector>

namespace neurodyn::learn {

enum class HebbianRule { hebb, oja, oja_subspace, sanger, bcm };

// "hebb", "oja", "oja_subspace", "sanger" (alias "gha"), "bcm"; KeyError naming the
// choices otherwise.
HebbianRule hebbian_rule_from_name(std::string_view name);
std::string_view hebbian_rule_name(HebbianRule rule);

struct HebbianParams {
    HebbianRule rule = HebbianRule::oja;
    double eta = 0.01;            // learning rate per update, > 0
    double decay = 0.0;           // hebb: lambda >= 0 (the weight decays as (1 - eta lambda) per update)
    double tau_theta = 100.0;     // bcm: time constant of the sliding threshold, in updates (samples), >= 1
    double theta_initial = 0.0;   // bcm: theta before the first update, >= 0
    double w_min = -std::numeric_limits<double>::infinity();  // lower bound of every weight
    double w_max = std::numeric_limits<double>::infinity();   // upper bound, >= w_min

    // ValueError naming the first bad field and its value.
    void validate() const;
};

// A dense layer y = W x with one of the Hebbian rules.
class HebbianLayer {
public:
    // W starts as N(0, (initial_scale / sqrt(inputs))^2) entries drawn from neurodyn's
    // counter-based stream of `seed` (clipped to the bounds): a row of W then has a norm
    // near initial_scale, whatever the number of inputs.
    HebbianLayer(std::size_t inputs, std::size_t outputs, const HebbianParams& params, std::uint64_t seed,
                 double initial_scale = 1.0);

    // y = W x for one sample (x: inputs values, y: outputs values).
    void respond(std::span<const double> x, std::span<double> y) const;
    // y = W x for samples rows of x (samples x inputs); returns samples x outputs.
    std::vector<double> respond(std::span<const double> x, std::size_t samples) const;

    // One update with sample x; `post` (outputs values) replaces y = W x for the rules
    // hebb and bcm (empty: y = W x). Writes y into `response` when it is not empty.
    void step(std::span<const double> x, std::span<const double> post = {}, std::span<double> response = {});

    // `epochs` passes over the samples rows of x (samples x inputs), one update per row,
    // in order or, with shuffle, in a fresh permutation per epoch drawn from the seed.
    // `post` is empty or samples x outputs. Returns the y of every sample in the last
    // epoch (samples x outputs, row i for row i of x), as used in its update.
    std::vector<double> train(std::span<const double> x, std::size_t samples, std::span<const double> post = {},
                              std::size_t epochs = 1, bool shuffle = false);

    std::size_t inputs() const { return inputs_; }
    std::size_t outputs() const { return outputs_; }
    const HebbianParams& params() const { return params_; }
    const std::vector<double>& weights() const { return weights_; }  // outputs x inputs, row-major
    void set_weights(std::span<const double> weights);
    const std::vector<double>& theta() const { return theta_; }  // bcm thresholds, one per output
    void set_theta(std::span<const double> theta);
    std::size_t updates() const { return updates_; }

private:
    void update(const double* x, const double* post, double* response);

    std::size_t inputs_, outputs_;
    HebbianParams params_;
    std::uint64_t seed_;
    std::vector<double> weights_, theta_;
    std::vector<double> y_, residual_;  // scratch
    std::size_t updates_ = 0, shuffled_epochs_ = 0;
};

// Földiák's (1989, 1990) network: feedforward weights W (outputs x inputs) learn with
// Oja's rule per unit, lateral weights L (outputs x outputs, zero diagonal) with the
// anti-Hebbian rule, and the output is the fixed point of the recurrent response:
//     y = W x + L y   =>   y = (I - L)^-1 W x        (a linear solve per sample)
//     dW_o  = eta_forward y_o (x - y_o W_o)
//     dL_ij = -eta_lateral y_i y_j   (i != j; L_ii stays 0)
// At the stationary point the outputs are uncorrelated (<y_i y_j> = 0 for i != j) and
// the rows of the effective filters (I - L)^-1 W span the principal subspace of the
// input covariance. The lateral rule must be faster than the feedforward one
// (eta_lateral > eta_forward, docs), or the network oscillates.
class AntiHebbianNetwork {
public:
    AntiHebbianNetwork(std::size_t inputs, std::size_t outputs, double eta_forward, double eta_lateral,
                       std::uint64_t seed, double initial_scale = 1.0);

    void respond(std::span<const double> x, std::span<double> y) const;
    std::vector<double> respond(std::span<const double> x, std::size_t samples) const;
    void step(std::span<const double> x, std::span<double> response = {});
    std::vector<double> train(std::span<const double> x, std::size_t samples, std::size_t epochs = 1,
                              bool shuffle = false);

    std::size_t inputs() const { return inputs_; }
    std::size_t outputs() const { return outputs_; }
    double eta_forward() const { return eta_forward_; }
    double eta_lateral() const { return eta_lateral_; }
    const std::vector<double>& forward_weights() const { return forward_; }  // outputs x inputs
    const std::vector<double>& lateral_weights() const { return lateral_; }  // outputs x outputs, zero diagonal
    void set_forward_weights(std::span<const double> weights);
    void set_lateral_weights(std::span<const double> weights);  // the diagonal must be 0
    // (I - L)^-1 W: the linear map from x to y (outputs x inputs).
    std::vector<double> filters() const;
    std::size_t updates() const { return updates_; }

private:
    void update(const double* x, double* response);

    std::size_t inputs_, outputs_;
    double eta_forward_, eta_lateral_;
    std::uint64_t seed_;
    std::vector<double> forward_, lateral_;
    std::vector<double> drive_, y_;  // scratch
    std::size_t updates_ = 0, shuffled_epochs_ = 0;
};

// The Hebbian circuit of HLOP (Xiao et al. 2024, ICLR, "Hebbian learning based
// orthogonal projection for continual learning of spiking neural networks"): lateral
// neurons y = H x read a layer's pre-synaptic activity x and feed back H^T y; their
// weights learn with Oja's subspace rule on the reconstruction residual
//     dH_new = eta y_new (x - H^T y)^T        (y = H x over all lateral neurons)
// so the rows of H converge to an orthonormal basis of the principal subspace of the
// activity. Each task adds `new_components` lateral neurons and trains only them; the
// rows of earlier tasks are frozen, so the new rows learn the principal subspace of the
// activity left after the earlier subspaces are projected out.
//
// Protecting old tasks: an update dV = G (outputs x inputs) of weights V that act on x
// is replaced by
//     G (I - H^T H)
// which, with H's rows orthonormal, removes every component along the learnt subspaces:
// V x is unchanged for x in them. (HLOP applies the same projection to the
// pre-synaptic traces, x - H^T H x; the weight update is then G (I - H^T H) for a
// gradient G = delta x^T.)
class HebbianSubspace {
public:
    HebbianSubspace(std::size_t inputs, double eta, std::uint64_t seed);

    // Adds `new_components` lateral neurons (0: none; the total must stay <= inputs),
    // then trains the newest block (the neurons of the last call that added any) for
    // `epochs` passes over the samples rows of x (samples x inputs); older rows are frozen.
    void learn(std::span<const double> x, std::size_t samples, std::size_t new_components, std::size_t epochs = 1,
               bool shuffle = false);

    // In place, for `rows` rows of `inputs` values each: g <- g - (g H^T) H.
    void project_out(std::span<double> matrix, std::size_t rows) const;
    // The lateral responses y = H x for samples rows of x (samples x components).
    std::vector<double> respond(std::span<const double> x, std::size_t samples) const;

    std::size_t inputs() const { return inputs_; }
    std::size_t components() const { return components_; }
    std::size_t frozen_components() const { return frozen_; }  // rows of earlier blocks
    double eta() const { return eta_; }
    const std::vector<double>& weights() const { return weights_; }  // H: components x inputs
    void set_weights(std::span<const double> weights, std::size_t components, std::size_t frozen_components);
    std::size_t updates() const { return updates_; }

private:
    std::size_t inputs_;
    double eta_;
    std::uint64_t seed_;
    std::size_t components_ = 0, frozen_ = 0;
    std::vector<double> weights_;
    std::vector<double> y_, residual_;  // scratch
    std::size_t updates_ = 0, shuffled_epochs_ = 0, blocks_ = 0;
};

}  // namespace neurodyn::learn
