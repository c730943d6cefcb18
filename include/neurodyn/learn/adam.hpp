#pragma once
// Adam (Kingma & Ba 2015) over one flat vector of parameters:
//   m <- b1 m + (1 - b1) g,   v <- b2 v + (1 - b2) g^2,
//   p <- p - lr * (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)
// (PyTorch's torch.optim.Adam without weight decay, the same arithmetic order).

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace neurodyn::learn {

struct AdamSettings {
    double learning_rate = 1e-3;
    double beta1 = 0.9;
    double beta2 = 0.999;
    double epsilon = 1e-8;
    // learning_rate > 0, beta1 and beta2 in [0, 1), epsilon > 0 (all finite); ValueError
    // naming the field and value otherwise.
    void validate() const;
};

class Adam {
public:
    Adam(std::size_t parameter_count, AdamSettings settings);
    // One update of `parameters` with `gradient` (same size as at construction).
    void step(std::span<double> parameters, std::span<const double> gradient);
    std::uint64_t steps_taken() const { return steps_; }
    const AdamSettings& settings() const { return settings_; }
    void set_learning_rate(double learning_rate);

private:
    AdamSettings settings_;
    std::vector<double> first_moment_, second_moment_;
    std::uint64_t steps_ = 0;
};

}  // namespace neurodyn::learn
