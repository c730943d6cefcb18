#pragma once
// Geometry of population activity: principal components, dimensionality,
// representational similarity (RDMs) and centred kernel alignment (CKA). Data are
// row-major [sample][feature] (samples: time points or conditions/stimuli; features:
// neurons or units); matrices are returned row-major.
//
// References
//   Jolliffe (2002) Principal Component Analysis, 2nd ed.
//   Gao et al. (2017) bioRxiv 214262; Recanatesi et al. (2022) — participation ratio.
//   Kriegeskorte, Mur & Bandettini (2008) Front Syst Neurosci 2:4 — RSA and RDMs.
//   Kornblith, Norouzi, Lee & Hinton (2019) ICML — similarity of representations, CKA.

#include <cstddef>
#include <span>
#include <vector>

namespace neurodyn::analysis {

// Principal components of the sample covariance C = Xc^T Xc / (n - 1) (Xc: columns
// centred), as scikit-learn's PCA: eigenvalues in descending order, the components
// (unit eigenvectors) with the sign fixed so that the entry of largest magnitude is
// positive. When n_samples < n_features the n x n Gram matrix is decomposed instead
// (same non-zero eigenvalues; components = Xc^T u / sqrt((n-1) lambda)), so a few
// samples of many neurons stay cheap; components of zero variance are then all zeros.
struct Pca {
    std::size_t n_features = 0;
    std::size_t n_components = 0;
    std::vector<double> mean;                      // n_features
    std::vector<double> explained_variance;        // min(n_samples, n_features), descending
    std::vector<double> explained_variance_ratio;  // lambda_k / trace(C)
    std::vector<double> components;                // [n_components][n_features]
};
// n_components = 0 keeps min(n_samples, n_features). Needs n_samples >= 2.
Pca pca(std::span<const double> data, std::size_t n_samples, std::size_t n_features, std::size_t n_components = 0);

// Scores of samples on the first `pca.n_components` components: (x - mean) V^T,
// returned [n_samples][n_components].
std::vector<double> pca_transform(const Pca& pca, std::span<const double> data, std::size_t n_samples);

// Participation ratio PR = (sum_k lambda_k)^2 / sum_k lambda_k^2 of covariance
// eigenvalues: between 1 (one dimension) and their number (isotropic).
double participation_ratio(std::span<const double> eigenvalues);
// From data, without an eigendecomposition: PR = trace(C)^2 / ||C||_F^2.
double participation_ratio(std::span<const double> data, std::size_t n_samples, std::size_t n_features);

// Representational dissimilarity matrix between the n_conditions rows of `data`
// ([condition][feature]), n x n row-major, zero diagonal:
//   correlation: 1 - Pearson r of the two activity patterns across features
//                (NaN for a constant pattern);
//   euclidean:   ||x_i - x_j||.
enum class RdmMetric { correlation, euclidean };
std::vector<double> representational_dissimilarity(std::span<const double> data, std::size_t n_conditions,
                                                   std::size_t n_features, RdmMetric metric = RdmMetric::correlation);

// Comparison of two RDMs (n x n) by the Spearman rank correlation of their upper
// triangles (i < j), ties given mid-ranks (Kriegeskorte et al. 2008). Needs n >= 3.
double compare_rdms(std::span<const double> rdm_a, std::span<const double> rdm_b, std::size_t n);

// Linear CKA (Kornblith et al. 2019, eq. for linear HSIC) of two representations of
// the same n samples, x [n][p] and y [n][q], columns centred:
//   CKA = ||Y^T X||_F^2 / (||X^T X||_F ||Y^T Y||_F)   in [0, 1].
// Invariant to orthogonal transforms and isotropic scaling of either representation;
// 1 for identical ones. Computed in feature space or through n x n Gram matrices,
// whichever is cheaper.
double cka_linear(std::span<const double> x, std::span<const double> y, std::size_t n_samples, std::size_t p,
                  std::size_t q);

// RBF CKA: CKA = <HKH, HLH>_F / (||HKH||_F ||HLH||_F), K_ij = exp(-||x_i - x_j||^2 /
// (2 sigma^2)), sigma = sigma_fraction x the median distance between distinct samples
// (Kornblith et al. 2019 use fractions 0.2 to 0.8), H = I - 11^T/n. O(n^2 (p + q)).
double cka_rbf(std::span<const double> x, std::span<const double> y, std::size_t n_samples, std::size_t p,
               std::size_t q, double sigma_fraction = 0.5);

}  // namespace neurodyn::analysis
