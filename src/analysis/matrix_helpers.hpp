#pragma once
// Private helpers of the analysis layer on top of Eigen (not part of the public API:
// the public headers take and return plain arrays, so Eigen's templates stay out of the
// widely included headers).

#include <Eigen/Dense>
#include <cmath>
#include <cstddef>
#include <span>
#include <string>

#include "neurodyn/core/error.hpp"

namespace neurodyn::analysis::detail {

using RowMatrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using ConstRowMap = Eigen::Map<const RowMatrix>;

// Checks a row-major [rows][cols] array: shape, size and finiteness.
inline ConstRowMap as_matrix(std::span<const double> data, std::size_t rows, std::size_t cols, const char* name,
                             std::size_t min_rows = 1) {
    if (rows < min_rows || cols == 0)
        throw ValueError(std::string(name) + ": need at least " + std::to_string(min_rows) + " rows and 1 column, got " +
                         std::to_string(rows) + " x " + std::to_string(cols));
    if (data.size() != rows * cols)
        throw ValueError(std::string(name) + ": size " + std::to_string(data.size()) + " != " + std::to_string(rows) +
                         " x " + std::to_string(cols));
    for (const double v : data)
        if (!std::isfinite(v)) throw ValueError(std::string(name) + " must be finite (NaN or inf found)");
    return ConstRowMap(data.data(), static_cast<Eigen::Index>(rows), static_cast<Eigen::Index>(cols));
}

// Column means and the sample covariance (divisor rows - 1) of a [rows][cols] matrix,
// centred in blocks of rows so that the data are never copied whole. Two passes.
inline Eigen::MatrixXd covariance(const ConstRowMap& x, Eigen::VectorXd* mean_out = nullptr) {
    const Eigen::Index n = x.rows(), p = x.cols();
    const Eigen::RowVectorXd mean = x.colwise().mean();
    Eigen::MatrixXd c = Eigen::MatrixXd::Zero(p, p);
    constexpr Eigen::Index kBlock = 1024;
    for (Eigen::Index start = 0; start < n; start += kBlock) {
        const Eigen::Index rows = std::min(kBlock, n - start);
        const Eigen::MatrixXd block = x.middleRows(start, rows).rowwise() - mean;
        c.selfadjointView<Eigen::Lower>().rankUpdate(block.transpose());
    }
    Eigen::MatrixXd full = c.selfadjointView<Eigen::Lower>();
    if (n > 1) full /= static_cast<double>(n - 1);
    if (mean_out) *mean_out = mean.transpose();
    return full;
}

}  // namespace neurodyn::analysis::detail
