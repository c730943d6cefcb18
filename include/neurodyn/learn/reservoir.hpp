#pragma once
// Reservoirs: a rate reservoir (echo-state network) stepper on a sparse recurrent matrix,
// the spectral radius of that matrix, and the collection of reservoir states from
// recorded spikes (liquid state machines).
//
// The rate reservoir follows neurodyn's LeakyRate model (docs/models.md) with one step
// delay on every connection, so a network of LeakyRate units built by the engine and
// this stepper compute the same thing (a test checks it):
//     x[n] = (1 - a) x[n-1] + a (W r[n-1] + g_I * (W_I r[n-1]) + W_in u[n] + W_fb z[n-1] + bias)
//     r[n] = f(gain x[n])
// with leak a = 1 - exp(-dt/tau) in (0, 1] (a = 1: no leak, Jaeger's standard ESN),
// W the recurrent matrix, W_I an optional second recurrent matrix of inhibitory
// connections scaled per target unit by g_I (E/I adaptation; 1 by default), W_in the
// input weights, W_fb the weights of fed-back readout outputs z.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "neurodyn/learn/force.hpp"

namespace neurodyn::learn {

// A sparse matrix in compressed sparse rows: row i holds columns
// column[row_start[i] .. row_start[i+1]), sorted, no duplicates.
struct CsrMatrix {
    std::size_t rows = 0, columns = 0;
    std::vector<std::size_t> row_start{0};
    std::vector<std::uint32_t> column;
    std::vector<double> value;

    std::size_t nonzeros() const { return value.size(); }
    // y = A x (x: columns values, y: rows values).
    void multiply(std::span<const double> x, std::span<double> y) const;
    void scale(double factor);
    std::vector<double> to_dense() const;  // rows x columns, row-major

    // From (row, column, value) triplets; repeated pairs are summed (multapses of the
    // engine's connectors add their weights, as the engine does).
    static CsrMatrix from_triplets(std::size_t rows, std::size_t columns, std::span<const std::int64_t> row,
                                   std::span<const std::int64_t> column, std::span<const double> value);
};

enum class WeightDistribution { normal, uniform };  // N(0, 1), or uniform on [-1, 1)

// A random sparse matrix with exactly `per_row` nonzeros in every row (fixed in-degree,
// columns drawn without replacement, no diagonal entry when allow_diagonal is false),
// values from `distribution`. A pure function of (seed, shape, per_row): the numbers
// come from neurodyn's counter-based streams, one per row.
CsrMatrix random_sparse(std::size_t rows, std::size_t columns, std::size_t per_row, WeightDistribution distribution,
                        std::uint64_t seed, bool allow_diagonal = false);

struct SpectralRadius {
    double value = 0.0;      // |largest eigenvalue|
    double residual = 0.0;   // ||A v - lambda v|| / |lambda| of the Ritz pair (0 for the dense method)
    std::size_t iterations = 0;  // Arnoldi restarts (0: dense)
    bool converged = true;
};

// The spectral radius of a square matrix. Dense (all eigenvalues, LAPACK-style QR on
// the dense matrix: exact to rounding, O(n^3)) or restarted Arnoldi with a Krylov space
// of `krylov_dimension` vectors, restarted from the leading Ritz vector until its
// relative residual is below `tolerance` (for large sparse matrices).
SpectralRadius spectral_radius_dense(const CsrMatrix& matrix);
SpectralRadius spectral_radius_arnoldi(const CsrMatrix& matrix, std::size_t krylov_dimension = 64,
                                       double tolerance = 1e-6, std::size_t max_restarts = 300, std::uint64_t seed = 1);

enum class Transfer { tanh, sigmoid, relu, linear };
Transfer transfer_from_name(std::string_view name);
std::string_view transfer_name(Transfer transfer);

class RateReservoir {
public:
    // units = recurrent.rows; input_weights: units x inputs (row-major); bias: units;
    // feedback_weights: units x feedbacks; inhibitory: empty or units x units.
    RateReservoir(CsrMatrix recurrent, std::vector<double> input_weights, std::size_t inputs, std::vector<double> bias,
                  double leak, Transfer transfer, double gain, std::vector<double> feedback_weights = {},
                  std::size_t feedbacks = 0, CsrMatrix inhibitory = {});

    std::size_t units() const { return units_; }
    std::size_t inputs() const { return inputs_; }
    std::size_t feedbacks() const { return feedbacks_; }

    // Runs `steps` steps on `input` (steps x inputs) and returns r of every step
    // (steps x units). `feedback` (steps x feedbacks, or empty) is the fed-back signal
    // z[n-1] used in step n (teacher forcing); without it, z = 0.
    std::vector<double> run(std::span<const double> input, std::size_t steps, std::span<const double> feedback = {});

    // FORCE (Sussillo & Abbott 2009): runs `steps` steps with the readout z[n] = W_out r[n]
    // of `rls` fed back in the next step; when `target` (steps x outputs) is given, RLS
    // updates W_out towards target[n] every `update_every` steps. Returns z (steps x outputs).
    std::vector<double> run_force(std::span<const double> input, std::size_t steps, RecursiveLeastSquares& rls,
                                  std::span<const double> target = {}, std::size_t update_every = 1);

    // E/I self-adaptation: runs `steps` steps while every unit moves the gain of its
    // inhibitory input towards its own target activity:
    //     g_I[i] <- max(0, g_I[i] + learning_rate (r_i[n] - target_rate[i]))
    // (more inhibition when too active, less when too quiet; local to the unit). Returns
    // the mean over units of |r_i - target_i| per step (steps values).
    std::vector<double> adapt_inhibition(std::span<const double> input, std::size_t steps,
                                         std::span<const double> target_rate, double learning_rate);

    const std::vector<double>& x() const { return x_; }
    const std::vector<double>& r() const { return r_; }
    void set_x(std::span<const double> x);  // r follows
    const std::vector<double>& inhibitory_gain() const { return inhibitory_gain_; }
    void set_inhibitory_gain(std::span<const double> gain);
    const CsrMatrix& recurrent() const { return recurrent_; }
    const CsrMatrix& inhibitory() const { return inhibitory_; }
    // W + diag(g_I) W_I: the recurrent matrix in force.
    CsrMatrix effective_recurrent() const;

private:
    void step(const double* input, const double* feedback);
    void apply_transfer();

    std::size_t units_, inputs_, feedbacks_;
    CsrMatrix recurrent_, inhibitory_;
    std::vector<double> input_weights_, bias_, feedback_weights_, inhibitory_gain_;
    double leak_, gain_;
    Transfer transfer_;
    std::vector<double> x_, r_, drive_, inhibition_;
};

// Exponentially filtered spike trains sampled at chosen times (liquid-state-machine
// states): trace_i(s) = sum over spikes of neuron i at t_k <= s of exp(-(s - t_k)/tau).
// times_ms non-decreasing (as recorders return them), ids in [0, neurons), sample times
// non-decreasing. Returns samples x neurons.
std::vector<double> filtered_spike_traces(std::span<const double> times_ms, std::span<const std::int64_t> ids,
                                          std::size_t neurons, double tau_ms,
                                          std::span<const double> sample_times_ms);

// Spike counts of each neuron in windows [start, end) (ms). Returns windows x neurons.
std::vector<double> windowed_spike_counts(std::span<const double> times_ms, std::span<const std::int64_t> ids,
                                          std::size_t neurons, std::span<const double> window_start_ms,
                                          std::span<const double> window_end_ms);

}  // namespace neurodyn::learn
