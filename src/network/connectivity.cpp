#include "neurodyn/network/connectivity.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <limits>
#include <span>
#include <string>

#include "neurodyn/core/error.hpp"
#include "neurodyn/core/random.hpp"
#include "neurodyn/core/strings.hpp"
#include "neurodyn/core/time.hpp"

namespace neurodyn {

namespace {

// Unbiased integer in [0, n), 1 <= n < 2^32, from one 32-bit word per draw (Lemire 2019,
// multiply-and-reject). Population sizes fit in 32 bits, so this takes half the random
// bits of RandomStream::below and is the connectivity generator's inner draw.
inline std::uint32_t draw_below(RandomStream& stream, std::uint32_t n) noexcept {
    std::uint64_t product = std::uint64_t{stream.next_u32()} * n;
    auto low = static_cast<std::uint32_t>(product);
    if (low < n) [[unlikely]] {
        const std::uint32_t threshold = (0u - n) % n;
        while (low < threshold) {
            product = std::uint64_t{stream.next_u32()} * n;
            low = static_cast<std::uint32_t>(product);
        }
    }
    return static_cast<std::uint32_t>(product >> 32);
}

// Chooses `count` distinct values of [0, range) uniformly with Floyd's algorithm
// (Bentley & Floyd 1987): exactly `count` draws, whatever count/range, where rejection
// sampling degrades as count approaches range. The chosen set depends only on the
// stream; how membership is tracked does not change it. A bitmap of `range` bits is used
// when it is small next to the sample (scanning it then yields the values in increasing
// order for free); otherwise an open-addressing hash set of ~2-4x `count` slots, and the
// values are sorted.
class DistinctSampler {
public:
    // Samples of at most `capacity` (>= 1) values; the hash set is sized for it.
    DistinctSampler(std::uint32_t range, std::uint32_t capacity) : range_(range), capacity_(capacity) {
        chosen_.reserve(capacity);
        // Scanning the bitmap costs range/64 word reads: worth it while that stays within
        // ~16 reads per chosen value (a sort costs ~log2(count) comparisons per value).
        dense_ = range / 64 <= 16 * std::uint64_t{capacity} + 64;
        if (dense_) {
            bitmap_.assign((std::uint64_t{range} + 63) / 64, 0);
        } else {
            const unsigned bits = std::bit_width(std::uint64_t{capacity} * 2);
            slots_.assign(std::size_t{1} << bits, kEmptySlot);
            slot_shift_ = 64 - bits;
        }
    }

    // Draws a fresh sample of `count` <= capacity values (<= range); the values,
    // unordered, are in chosen().
    void draw(RandomStream& stream, std::uint32_t count) {
        if (count > capacity_ || count > range_)
            throw InternalError("DistinctSampler: " + std::to_string(count) + " values asked of a sampler for " +
                                std::to_string(capacity_) + " out of " + std::to_string(range_));
        for (std::uint64_t j = std::uint64_t{range_} - count; j < range_; ++j) {
            std::uint32_t value = draw_below(stream, static_cast<std::uint32_t>(j + 1));
            if (!insert(value)) {
                // j itself is free: every value inserted so far is < j.
                value = static_cast<std::uint32_t>(j);
                insert(value);
            }
            chosen_.push_back(value);
        }
    }

    const std::vector<std::uint32_t>& chosen() const { return chosen_; }

    // Moves the sample, in increasing order, into `out` and forgets it.
    void take_sorted(std::vector<std::uint32_t>& out) {
        out.clear();
        if (dense_) {
            for (std::size_t word = 0; word < bitmap_.size(); ++word) {
                std::uint64_t bits = bitmap_[word];
                while (bits != 0) {
                    out.push_back(static_cast<std::uint32_t>(word * 64 + static_cast<unsigned>(std::countr_zero(bits))));
                    bits &= bits - 1;
                }
                bitmap_[word] = 0;
            }
            chosen_.clear();
        } else {
            out.swap(chosen_);
            std::sort(out.begin(), out.end());
            forget();
        }
    }

    // Forgets the sample (cost O(count)).
    void forget() {
        if (dense_) {
            for (const std::uint32_t value : chosen_) bitmap_[value / 64] = 0;
        } else {
            std::fill(slots_.begin(), slots_.end(), kEmptySlot);
        }
        chosen_.clear();
    }

private:
    // Population indices are < 2^32 - 1, so the largest uint32 never names a neuron.
    static constexpr std::uint32_t kEmptySlot = 0xFFFFFFFFu;

    // Adds `value`; false when it was already present.
    bool insert(std::uint32_t value) {
        if (dense_) {
            std::uint64_t& word = bitmap_[value / 64];
            const std::uint64_t bit = std::uint64_t{1} << (value % 64);
            if (word & bit) return false;
            word |= bit;
            return true;
        }
        const std::size_t mask = slots_.size() - 1;
        // Fibonacci hashing: the top bits of value * 2^64/phi spread consecutive values.
        std::size_t slot = static_cast<std::size_t>((value * 0x9E3779B97F4A7C15ull) >> slot_shift_) & mask;
        while (slots_[slot] != kEmptySlot) {
            if (slots_[slot] == value) return false;
            slot = (slot + 1) & mask;
        }
        slots_[slot] = value;
        return true;
    }

    std::uint32_t range_;
    std::uint32_t capacity_;
    bool dense_ = true;
    std::vector<std::uint64_t> bitmap_;
    std::vector<std::uint32_t> slots_;
    unsigned slot_shift_ = 0;
    std::vector<std::uint32_t> chosen_;
};

// `count` independent uniform draws from [0, range) (with replacement), delivered in
// increasing order. When `range` is small next to `count` (the same criterion as
// DistinctSampler) the draws are tallied per value and read back by scanning a bitmap of
// the values seen, which is several times faster than sorting; otherwise they are sorted.
// Either way the output is the sorted draw sequence.
class SortedDraws {
public:
    // `typical_count`: the usual number of draws, which decides the method.
    SortedDraws(std::uint32_t range, std::uint32_t typical_count) : range_(range) {
        dense_ = range / 64 <= 16 * std::uint64_t{typical_count} + 64;
        if (dense_) {
            seen_.assign((std::uint64_t{range} + 63) / 64, 0);
            multiplicity_.assign(range, 0);
        }
    }

    // `count` draws, sorted, into `out`.
    void draw(RandomStream& stream, std::uint32_t count, std::vector<std::uint32_t>& out) {
        out.resize(count);
        if (!dense_) {
            for (std::uint32_t k = 0; k < count; ++k) out[k] = draw_below(stream, range_);
            std::sort(out.begin(), out.end());
            return;
        }
        for (std::uint32_t k = 0; k < count; ++k) {
            const std::uint32_t value = draw_below(stream, range_);
            if (multiplicity_[value]++ == 0) seen_[value / 64] |= std::uint64_t{1} << (value % 64);
        }
        std::uint32_t* next = out.data();
        for (std::size_t word = 0; word < seen_.size(); ++word) {
            std::uint64_t bits = seen_[word];
            while (bits != 0) {
                const auto value = static_cast<std::uint32_t>(word * 64 + static_cast<unsigned>(std::countr_zero(bits)));
                next = std::fill_n(next, multiplicity_[value], value);
                multiplicity_[value] = 0;
                bits &= bits - 1;
            }
            seen_[word] = 0;
        }
    }

private:
    std::uint32_t range_;
    bool dense_ = true;
    std::vector<std::uint64_t> seen_;
    std::vector<std::uint32_t> multiplicity_;
};

// What a projection connects, resolved from the spec once per call.
struct ProjectionShape {
    const ProjectionSpec* projection = nullptr;
    std::size_t index = 0;
    std::uint32_t n_source = 0;
    std::uint32_t n_target = 0;
    // Source and target are one population and a neuron may not connect to itself.
    bool exclude_autapses = false;
};

ProjectionShape resolve(const NetworkSpec& spec, std::size_t projection_index) {
    if (projection_index >= spec.projections.size())
        throw InternalError("connectivity: projection index " + std::to_string(projection_index) + " out of range (" +
                            std::to_string(spec.projections.size()) + " projections)");
    const ProjectionSpec& projection = spec.projections[projection_index];
    const int source = spec.population_index(projection.source);
    const int target = spec.population_index(projection.target);
    if (source < 0 || target < 0)
        throw InternalError("connectivity: " + projection_key(projection_index) +
                            " names an unknown population; the spec was not validated");
    ProjectionShape shape;
    shape.projection = &projection;
    shape.index = projection_index;
    shape.n_source = static_cast<std::uint32_t>(spec.populations[static_cast<std::size_t>(source)].size);
    shape.n_target = static_cast<std::uint32_t>(spec.populations[static_cast<std::size_t>(target)].size);
    shape.exclude_autapses = source == target && !projection.connector.allow_autapses;
    return shape;
}

// Turns the sources chosen for a target into synapses: weights and delays from
// constants, from the target's own weight/delay streams (drawn in synapse order), from
// the [source][target] arrays, or from a from_list connector's per-connection values.
class SynapseFactory {
public:
    SynapseFactory(const NetworkSpec& spec, const ProjectionShape& shape)
        : seed_(spec.simulation.seed),
          dt_(spec.simulation.dt),
          n_target_(shape.n_target),
          weight_domain_(random_domain(RandomPurpose::weight, static_cast<std::uint32_t>(shape.index))),
          delay_domain_(random_domain(RandomPurpose::delay, static_cast<std::uint32_t>(shape.index))),
          key_(projection_key(shape.index)) {
        const ProjectionSpec& projection = *shape.projection;
        const ConnectorSpec& connector = projection.connector;
        const bool from_list = connector.kind == ConnectorSpec::Kind::from_list;

        if (from_list && !connector.list_weights.empty()) {
            weight_source_ = Source::list;
            list_weights_ = connector.list_weights.data();
        } else {
            weight_source_ = source_of(projection.weight);
            if (projection.weight.is_constant()) constant_weight_ = static_cast<float>(projection.weight.constant());
            if (projection.weight.is_distribution()) weight_distribution_ = projection.weight.distribution();
            if (projection.weight.is_array()) weight_array_ = projection.weight.array().data();
        }

        if (from_list && !connector.list_delays.empty()) {
            delay_source_ = Source::list;
            list_delays_ = connector.list_delays.data();
        } else {
            const ValueSpec& delay = projection.delay;
            delay_source_ = source_of(delay);
            if (delay.is_constant())
                constant_delay_ = checked_steps(delay.constant(), [this] { return key_ + ".delay"; }, nowhere);
            if (delay.is_distribution()) {
                delay_distribution_ = delay.distribution();
                // Checked once against the largest value the distribution can produce, so
                // the error does not depend on which synapses a range happens to draw.
                const double longest = delay.max_possible();
                const Step steps = steps_from_ms(longest, dt_);
                if (steps > Step{kMaxDelaySteps})
                    throw_out_of_range(key_ + ".delay", longest, steps, ", which " + delay.describe() + " can produce,");
            }
            if (delay.is_array()) delay_array_ = delay.array().data();
        }
    }

    // Appends the synapses from `sources` onto `target`; `list_index[i]` is the from_list
    // connection that sources[i] comes from (needed only for per-connection values).
    void emit(std::uint32_t target, std::span<const std::uint32_t> sources, const std::uint32_t* list_index,
              std::vector<IncomingSynapse>& out) const {
        const std::size_t count = sources.size();
        if (count == 0) return;
        const std::size_t first = out.size();
        out.resize(first + count);
        IncomingSynapse* const synapse = out.data() + first;
        for (std::size_t i = 0; i < count; ++i)
            synapse[i] = IncomingSynapse{sources[i], target, constant_weight_, constant_delay_};

        switch (weight_source_) {
            case Source::constant: break;
            case Source::distribution: {
                RandomStream stream(seed_, weight_domain_, target);
                for (std::size_t i = 0; i < count; ++i)
                    synapse[i].weight = static_cast<float>(weight_distribution_.draw(stream));
                break;
            }
            case Source::array:
                for (std::size_t i = 0; i < count; ++i)
                    synapse[i].weight = static_cast<float>(weight_array_[matrix_index(sources[i], target)]);
                break;
            case Source::list:
                for (std::size_t i = 0; i < count; ++i) synapse[i].weight = static_cast<float>(list_weights_[list_index[i]]);
                break;
        }

        const auto delay_key = [this] { return key_ + ".delay"; };
        switch (delay_source_) {
            case Source::constant: break;
            case Source::distribution: {
                RandomStream stream(seed_, delay_domain_, target);
                for (std::size_t i = 0; i < count; ++i)
                    synapse[i].delay_steps = checked_steps(delay_distribution_.draw(stream), delay_key, nowhere);
                break;
            }
            case Source::array:
                for (std::size_t i = 0; i < count; ++i) {
                    const auto where = [&] {
                        return " (source " + std::to_string(sources[i]) + ", target " + std::to_string(target) + ")";
                    };
                    synapse[i].delay_steps = checked_steps(delay_array_[matrix_index(sources[i], target)], delay_key, where);
                }
                break;
            case Source::list: {
                const auto list_key = [this] { return key_ + ".connector.delays"; };
                for (std::size_t i = 0; i < count; ++i) {
                    const auto where = [&] { return " (connection " + std::to_string(list_index[i]) + ")"; };
                    synapse[i].delay_steps = checked_steps(list_delays_[list_index[i]], list_key, where);
                }
                break;
            }
        }
    }

private:
    enum class Source { constant, distribution, array, list };

    static Source source_of(const ValueSpec& value) {
        if (value.is_distribution()) return Source::distribution;
        if (value.is_array()) return Source::array;
        return Source::constant;
    }

    // Row-major [source][target], as PyNN's array weights.
    std::size_t matrix_index(std::uint32_t source, std::uint32_t target) const {
        return std::size_t{source} * n_target_ + target;
    }

    // Steps for a delay in ms. `key()` and `where()` build the message parts, only on failure.
    template <class KeyFn, class WhereFn>
    std::uint16_t checked_steps(double delay_ms, KeyFn&& key, WhereFn&& where) const {
        const Step steps = steps_from_ms(delay_ms, dt_);
        if (steps < 1 || steps > Step{kMaxDelaySteps}) [[unlikely]]
            throw_out_of_range(key(), delay_ms, steps, where());
        return static_cast<std::uint16_t>(steps);
    }

    static std::string nowhere() { return {}; }

    [[noreturn]] void throw_out_of_range(const std::string& key, double delay_ms, Step steps,
                                         const std::string& where) const {
        if (steps < 1)  // only for a spec that skipped validation
            throw ValueError(key + ": delay " + format_number(delay_ms) + " ms" + where +
                                 " is shorter than the time step dt = " + format_number(dt_) + " ms; delays must be >= dt",
                             key);
        throw ValueError(key + ": delay " + format_number(delay_ms) + " ms" + where + " is " + std::to_string(steps) +
                             " steps of dt = " + format_number(dt_) + " ms, more than the " +
                             std::to_string(kMaxDelaySteps) +
                             " steps a synapse delay can hold (delays are stored in 16 bits); use shorter delays or a "
                             "larger dt",
                         key);
    }

    std::uint64_t seed_;
    double dt_;
    std::uint32_t n_target_;
    std::uint32_t weight_domain_;
    std::uint32_t delay_domain_;
    std::string key_;

    Source weight_source_ = Source::constant;
    float constant_weight_ = 0.0f;
    Distribution weight_distribution_;
    const double* weight_array_ = nullptr;
    const double* list_weights_ = nullptr;

    Source delay_source_ = Source::constant;
    std::uint16_t constant_delay_ = 1;
    Distribution delay_distribution_;
    const double* delay_array_ = nullptr;
    const double* list_delays_ = nullptr;
};

// Maps a value drawn from [0, n - 1) onto [0, n) without `excluded`: monotone, so sorted
// input stays sorted, and uniform input stays uniform over the allowed values.
inline std::uint32_t skip_excluded(std::uint32_t value, std::uint32_t excluded) noexcept {
    return value + (value >= excluded ? 1u : 0u);
}

void all_to_all(const ProjectionShape& shape, const SynapseFactory& factory, std::uint32_t begin, std::uint32_t end,
                std::vector<IncomingSynapse>& out) {
    std::vector<std::uint32_t> sources(shape.n_source);
    for (std::uint32_t s = 0; s < shape.n_source; ++s) sources[s] = s;
    if (!shape.exclude_autapses) {
        for (std::uint32_t t = begin; t < end; ++t) factory.emit(t, sources, nullptr, out);
        return;
    }
    // Target t (< n_source: one population) takes every source but t: others[i] = i for
    // i < t and i + 1 after. Going from t - 1 to t changes one entry.
    std::vector<std::uint32_t> others(shape.n_source - 1);
    for (std::uint32_t i = 0; i + 1 < shape.n_source; ++i) others[i] = i < begin ? i : i + 1;
    for (std::uint32_t t = begin; t < end; ++t) {
        if (t > 0) others[t - 1] = t - 1;
        factory.emit(t, others, nullptr, out);
    }
}

void one_to_one(const ProjectionShape& shape, const SynapseFactory& factory, std::uint32_t begin, std::uint32_t end,
                std::vector<IncomingSynapse>& out) {
    // With one population and autapses disallowed every pair would be an autapse: no
    // synapses, as NEST's one_to_one does.
    if (shape.exclude_autapses) return;
    for (std::uint32_t t = begin; t < end; ++t) {
        const std::uint32_t source = t;
        factory.emit(t, std::span<const std::uint32_t>(&source, 1), nullptr, out);
    }
}

void fixed_probability(const ProjectionShape& shape, const SynapseFactory& factory, std::uint64_t seed, std::uint32_t begin,
                       std::uint32_t end, std::vector<IncomingSynapse>& out) {
    const double p = shape.projection->connector.probability;
    if (p <= 0.0) return;
    if (p >= 1.0) {
        all_to_all(shape, factory, begin, end, out);
        return;
    }
    const std::uint32_t domain = random_domain(RandomPurpose::connectivity, static_cast<std::uint32_t>(shape.index));
    // Geometric skipping: the gap before the next chosen source is Geometric(p),
    // P(gap >= k) = (1 - p)^k = P(u <= (1 - p)^k) for u uniform on (0, 1], so
    // gap = floor(log(u) / log(1 - p)). One draw per synapse instead of one per source.
    const double inverse_log_q = 1.0 / std::log1p(-p);
    const auto n_source = static_cast<std::int64_t>(shape.n_source);
    std::vector<std::uint32_t> sources;
    sources.reserve(static_cast<std::size_t>(p * static_cast<double>(n_source) * 1.2) + 16);
    for (std::uint32_t t = begin; t < end; ++t) {
        RandomStream stream(seed, domain, t);
        sources.clear();
        std::int64_t source = -1;
        for (;;) {
            const double gap = std::floor(std::log(stream.uniform_positive()) * inverse_log_q);
            // Compared as double: a gap past the end may not fit in an integer.
            if (gap >= static_cast<double>(n_source - 1 - source)) break;
            source += static_cast<std::int64_t>(gap) + 1;
            // Each source is an independent trial, so dropping the autapse leaves the others exact.
            if (!(shape.exclude_autapses && source == t)) sources.push_back(static_cast<std::uint32_t>(source));
        }
        factory.emit(t, sources, nullptr, out);
    }
}

void fixed_number_pre(const ProjectionShape& shape, const SynapseFactory& factory, std::uint64_t seed, std::uint32_t begin,
                      std::uint32_t end, std::vector<IncomingSynapse>& out) {
    const ConnectorSpec& connector = shape.projection->connector;
    const auto count = static_cast<std::uint32_t>(connector.number);
    if (count == 0) return;
    const std::uint32_t domain = random_domain(RandomPurpose::connectivity, static_cast<std::uint32_t>(shape.index));
    // Without autapses a target draws from the n_source - 1 other neurons, mapped past itself.
    const std::uint32_t available = shape.n_source - (shape.exclude_autapses ? 1u : 0u);
    std::vector<std::uint32_t> sources;
    sources.reserve(count);
    if (connector.allow_multapses) {
        SortedDraws draws(available, count);
        for (std::uint32_t t = begin; t < end; ++t) {
            RandomStream stream(seed, domain, t);
            draws.draw(stream, count, sources);
            if (shape.exclude_autapses)
                for (std::uint32_t& s : sources) s = skip_excluded(s, t);
            factory.emit(t, sources, nullptr, out);
        }
        return;
    }
    DistinctSampler sampler(available, count);
    for (std::uint32_t t = begin; t < end; ++t) {
        RandomStream stream(seed, domain, t);
        sampler.draw(stream, count);
        sampler.take_sorted(sources);
        if (shape.exclude_autapses)
            for (std::uint32_t& s : sources) s = skip_excluded(s, t);
        factory.emit(t, sources, nullptr, out);
    }
}

// Out-degree is a property of a source, so every call walks every source and keeps the
// targets that fall in [begin, end): O(n_source * n) per call, whatever the range. The
// price of the per-source streams, which make the result independent of the split.
void fixed_number_post(const ProjectionShape& shape, const SynapseFactory& factory, std::uint64_t seed,
                       std::uint32_t begin, std::uint32_t end, std::vector<IncomingSynapse>& out) {
    const ConnectorSpec& connector = shape.projection->connector;
    const auto count = static_cast<std::uint32_t>(connector.number);
    if (count == 0) return;
    const std::uint32_t domain = random_domain(RandomPurpose::connectivity_post, static_cast<std::uint32_t>(shape.index));
    const std::uint32_t available = shape.n_target - (shape.exclude_autapses ? 1u : 0u);
    const std::uint32_t range = end - begin;

    // (target offset in range, source) for the synapses in range, in increasing source order.
    std::vector<std::uint32_t> kept_target;
    std::vector<std::uint32_t> kept_source;
    const double expected_kept = static_cast<double>(shape.n_source) * count * range / shape.n_target;
    kept_target.reserve(static_cast<std::size_t>(expected_kept * 1.1) + 16);
    kept_source.reserve(kept_target.capacity());
    auto keep = [&](std::uint32_t target, std::uint32_t source) {
        const std::uint32_t offset = target - begin;  // wraps for targets below begin
        if (offset < range) {
            kept_target.push_back(offset);
            kept_source.push_back(source);
        }
    };

    if (connector.allow_multapses) {
        for (std::uint32_t s = 0; s < shape.n_source; ++s) {
            RandomStream stream(seed, domain, s);
            for (std::uint32_t k = 0; k < count; ++k) {
                const std::uint32_t drawn = draw_below(stream, available);
                keep(shape.exclude_autapses ? skip_excluded(drawn, s) : drawn, s);
            }
        }
    } else {
        DistinctSampler sampler(available, count);
        for (std::uint32_t s = 0; s < shape.n_source; ++s) {
            RandomStream stream(seed, domain, s);
            sampler.draw(stream, count);
            for (const std::uint32_t drawn : sampler.chosen()) keep(shape.exclude_autapses ? skip_excluded(drawn, s) : drawn, s);
            sampler.forget();
        }
    }

    // Counting sort by target; stable, so each target's sources stay in increasing order
    // with multapses adjacent.
    std::vector<std::size_t> row_start(std::size_t{range} + 1, 0);
    for (const std::uint32_t offset : kept_target) ++row_start[offset + 1];
    for (std::size_t i = 0; i < range; ++i) row_start[i + 1] += row_start[i];
    std::vector<std::uint32_t> sources_by_target(kept_source.size());
    {
        std::vector<std::size_t> fill(row_start.begin(), row_start.end() - 1);
        for (std::size_t k = 0; k < kept_source.size(); ++k) sources_by_target[fill[kept_target[k]]++] = kept_source[k];
    }
    for (std::uint32_t offset = 0; offset < range; ++offset) {
        const std::span<const std::uint32_t> sources(sources_by_target.data() + row_start[offset],
                                                     row_start[offset + 1] - row_start[offset]);
        factory.emit(begin + offset, sources, nullptr, out);
    }
}

// ---- fixed_total_number -------------------------------------------------------------

// log(k!) for k >= 0: exact sums below 32; above, Stirling's series for log Gamma(k + 1)
// truncated after the x^-5 term, whose error (< 1/(1680 x^7)) is below 1e-13 there.
// Pure arithmetic, unlike std::lgamma, which may write the global `signgam` and so is
// not safe to call from the build's threads.
double log_factorial(double k) {
    static const std::array<double, 32> table = [] {
        std::array<double, 32> values{};
        for (std::size_t i = 1; i < values.size(); ++i) values[i] = values[i - 1] + std::log(static_cast<double>(i));
        return values;
    }();
    if (k < 32.0) return table[static_cast<std::size_t>(k)];
    const double x = k + 1.0;
    const double inverse = 1.0 / x, inverse2 = inverse * inverse;
    constexpr double kHalfLogTwoPi = 0.91893853320467274178;
    return (x - 0.5) * std::log(x) - x + kHalfLogTwoPi +
           inverse * (1.0 / 12.0 - inverse2 * (1.0 / 360.0 - inverse2 / 1260.0));
}

// Draws k in [low, high] by inversion from the mode (Kemp 1986): one uniform u, from which
// P(mode), P(mode - 1), P(mode + 1), P(mode - 2), ... are subtracted until it falls below
// zero. The probabilities come from P(mode) by the ratios down(k) = P(k-1)/P(k) and
// up(k) = P(k+1)/P(k). Exact up to rounding, for any size of the parameters, and the
// expected number of terms is about 2 E|k - mode|, i.e. O(standard deviation).
template <class Up, class Down>
std::uint64_t draw_from_mode(RandomStream& stream, std::uint64_t mode, double p_mode, std::uint64_t low,
                             std::uint64_t high, Up up, Down down) {
    double u = stream.uniform() - p_mode;
    if (u < 0.0) return mode;
    std::uint64_t below = mode, above = mode;
    double p_below = p_mode, p_above = p_mode;
    for (;;) {
        if (below > low) {
            p_below *= down(below);
            --below;
            u -= p_below;
            if (u < 0.0) return below;
        } else {
            p_below = 0.0;
        }
        if (above < high) {
            p_above *= up(above);
            ++above;
            u -= p_above;
            if (u < 0.0) return above;
        } else {
            p_above = 0.0;
        }
        // Both tails used up (or negligible): u fell in the rounding gap of the
        // cumulative sum, which has probability ~1e-13 at most.
        if (p_below + p_above < 1e-300 || (p_below + p_above < 1e-18 * p_mode)) return mode;
    }
}

// Binomial(n, p), 0 <= p <= 1.
std::uint64_t draw_binomial(RandomStream& stream, std::uint64_t n, double p) {
    if (n == 0 || p <= 0.0) return 0;
    if (p >= 1.0) return n;
    const auto n_real = static_cast<double>(n);
    const std::uint64_t mode = std::min<std::uint64_t>(n, static_cast<std::uint64_t>((n_real + 1.0) * p));
    const auto m = static_cast<double>(mode);
    const double log_p_mode = log_factorial(n_real) - log_factorial(m) - log_factorial(n_real - m) + m * std::log(p) +
                              (n_real - m) * std::log1p(-p);
    const double odds = p / (1.0 - p);
    return draw_from_mode(
        stream, mode, std::exp(log_p_mode), 0, n,
        [&](std::uint64_t k) { return (n_real - static_cast<double>(k)) / (static_cast<double>(k) + 1.0) * odds; },
        [&](std::uint64_t k) { return static_cast<double>(k) / (n_real - static_cast<double>(k) + 1.0) / odds; });
}

// Hypergeometric: successes among `draws` taken without replacement from `total` items of
// which `successes` are successes.
std::uint64_t draw_hypergeometric(RandomStream& stream, std::uint64_t total, std::uint64_t successes,
                                  std::uint64_t draws) {
    const std::uint64_t failures = total - successes;
    const std::uint64_t low = draws > failures ? draws - failures : 0;
    const std::uint64_t high = std::min(successes, draws);
    if (low == high) return low;
    const auto N = static_cast<double>(total), K = static_cast<double>(successes), d = static_cast<double>(draws);
    const std::uint64_t mode =
        std::clamp(static_cast<std::uint64_t>((d + 1.0) * (K + 1.0) / (N + 2.0)), low, high);
    const auto m = static_cast<double>(mode);
    const auto log_choose = [](double a, double b) { return log_factorial(a) - log_factorial(b) - log_factorial(a - b); };
    const double log_p_mode = log_choose(K, m) + log_choose(N - K, d - m) - log_choose(N, d);
    return draw_from_mode(
        stream, mode, std::exp(log_p_mode), low, high,
        [&](std::uint64_t k) {
            const auto x = static_cast<double>(k);
            return (K - x) * (d - x) / ((x + 1.0) * (N - K - d + x + 1.0));
        },
        [&](std::uint64_t k) {
            const auto x = static_cast<double>(k);
            return x * (N - K - d + x) / ((K - x + 1.0) * (d - x + 1.0));
        });
}

// Entity of the projection-level stream of fixed_total_number (neuron indices are < 2^32 - 1).
constexpr std::uint32_t kProjectionEntity = 0xFFFFFFFFu;

// The synapse counts of targets [begin, end) of a fixed_total_number projection. With
// multapses the n synapses are n independent uniform pairs, so the counts are the
// multinomial split of n over the targets; without, they are n distinct pairs out of
// sources_per_target x n_target, and the counts are multivariate hypergeometric. Both are
// drawn target by target, each count conditional on those before it (binomial of what is
// left over the targets left / hypergeometric of the slots left), from one stream of the
// projection: every builder of any range reproduces the same counts, at a cost of one
// draw, O(sqrt(n / n_target)) work, per target below `end`.
std::vector<std::uint64_t> total_number_counts(const ProjectionShape& shape, std::uint64_t seed, std::uint32_t begin,
                                               std::uint32_t end) {
    const ConnectorSpec& connector = shape.projection->connector;
    const std::uint64_t sources_per_target = shape.n_source - (shape.exclude_autapses ? 1u : 0u);
    RandomStream stream(seed, random_domain(RandomPurpose::connectivity_post, static_cast<std::uint32_t>(shape.index)),
                        kProjectionEntity);
    std::vector<std::uint64_t> counts(end - begin);
    std::uint64_t left = connector.number;
    for (std::uint32_t t = 0; t < end; ++t) {
        const std::uint64_t targets_left = shape.n_target - t;
        std::uint64_t count = left;  // the last target takes what is left
        if (targets_left > 1) {
            count = connector.allow_multapses
                        ? draw_binomial(stream, left, 1.0 / static_cast<double>(targets_left))
                        : draw_hypergeometric(stream, sources_per_target * targets_left, sources_per_target, left);
        }
        left -= count;
        if (t >= begin) counts[t - begin] = count;
    }
    return counts;
}

void fixed_total_number(const ProjectionShape& shape, const SynapseFactory& factory, std::uint64_t seed,
                        std::uint32_t begin, std::uint32_t end, std::vector<IncomingSynapse>& out) {
    const ConnectorSpec& connector = shape.projection->connector;
    if (connector.number == 0) return;
    const std::vector<std::uint64_t> counts = total_number_counts(shape, seed, begin, end);
    const std::uint64_t largest = *std::max_element(counts.begin(), counts.end());
    if (largest > std::numeric_limits<std::uint32_t>::max()) {
        const std::string key = projection_key(shape.index) + ".connector.n";
        throw ValueError(key + ": fixed_total_number gives one neuron " + std::to_string(largest) +
                             " synapses; at most " + std::to_string(std::numeric_limits<std::uint32_t>::max()) +
                             " per neuron are supported",
                         key);
    }
    const std::uint32_t domain = random_domain(RandomPurpose::connectivity, static_cast<std::uint32_t>(shape.index));
    const std::uint32_t available = shape.n_source - (shape.exclude_autapses ? 1u : 0u);
    std::vector<std::uint32_t> sources;
    if (connector.allow_multapses) {
        const auto typical = static_cast<std::uint32_t>(connector.number / shape.n_target);
        SortedDraws draws(available, typical);
        for (std::uint32_t t = begin; t < end; ++t) {
            RandomStream stream(seed, domain, t);
            draws.draw(stream, static_cast<std::uint32_t>(counts[t - begin]), sources);
            if (shape.exclude_autapses)
                for (std::uint32_t& s : sources) s = skip_excluded(s, t);
            factory.emit(t, sources, nullptr, out);
        }
        return;
    }
    DistinctSampler sampler(available, std::max<std::uint32_t>(1, static_cast<std::uint32_t>(largest)));
    for (std::uint32_t t = begin; t < end; ++t) {
        RandomStream stream(seed, domain, t);
        sampler.draw(stream, static_cast<std::uint32_t>(counts[t - begin]));
        sampler.take_sorted(sources);
        if (shape.exclude_autapses)
            for (std::uint32_t& s : sources) s = skip_excluded(s, t);
        factory.emit(t, sources, nullptr, out);
    }
}

void from_list(const ProjectionShape& shape, const SynapseFactory& factory, std::uint32_t begin, std::uint32_t end,
               std::vector<IncomingSynapse>& out) {
    const auto& pairs = shape.projection->connector.pairs;
    std::vector<std::uint32_t> in_range;
    for (std::size_t k = 0; k < pairs.size(); ++k)
        if (pairs[k].second >= begin && pairs[k].second < end) in_range.push_back(static_cast<std::uint32_t>(k));
    std::stable_sort(in_range.begin(), in_range.end(), [&](std::uint32_t a, std::uint32_t b) {
        return pairs[a].second != pairs[b].second ? pairs[a].second < pairs[b].second : pairs[a].first < pairs[b].first;
    });
    std::vector<std::uint32_t> sources;
    for (std::size_t first = 0; first < in_range.size();) {
        const std::uint32_t target = pairs[in_range[first]].second;
        std::size_t last = first;
        sources.clear();
        while (last < in_range.size() && pairs[in_range[last]].second == target) sources.push_back(pairs[in_range[last++]].first);
        factory.emit(target, sources, in_range.data() + first, out);
        first = last;
    }
}

}  // namespace

void generate_incoming(const NetworkSpec& spec, std::size_t projection_index, std::uint32_t target_begin,
                       std::uint32_t target_end, std::vector<IncomingSynapse>& out) {
    const ProjectionShape shape = resolve(spec, projection_index);
    if (target_begin > target_end || target_end > shape.n_target)
        throw InternalError("generate_incoming: target range [" + std::to_string(target_begin) + ", " +
                            std::to_string(target_end) + ") is not inside the " + std::to_string(shape.n_target) +
                            " neurons of population '" + shape.projection->target + "'");
    const ConnectorSpec& connector = shape.projection->connector;
    const bool counts_per_neuron = connector.kind == ConnectorSpec::Kind::fixed_number_pre ||
                                   connector.kind == ConnectorSpec::Kind::fixed_number_post;
    if (counts_per_neuron && connector.number > std::numeric_limits<std::uint32_t>::max()) {
        const std::string key = projection_key(projection_index) + ".connector.n";
        throw ValueError(key + ": " + connector_kind_name(connector.kind) + " asks for " +
                             std::to_string(connector.number) + " synapses per neuron; at most " +
                             std::to_string(std::numeric_limits<std::uint32_t>::max()) + " are supported",
                         key);
    }
    // Built before the range is looked at: its checks (delay limits) then fail for every
    // range alike, empty ones included.
    const SynapseFactory factory(spec, shape);
    if (target_begin == target_end) return;
    const std::uint64_t seed = spec.simulation.seed;
    switch (shape.projection->connector.kind) {
        case ConnectorSpec::Kind::all_to_all: all_to_all(shape, factory, target_begin, target_end, out); break;
        case ConnectorSpec::Kind::one_to_one: one_to_one(shape, factory, target_begin, target_end, out); break;
        case ConnectorSpec::Kind::fixed_probability:
            fixed_probability(shape, factory, seed, target_begin, target_end, out);
            break;
        case ConnectorSpec::Kind::fixed_number_pre:
            fixed_number_pre(shape, factory, seed, target_begin, target_end, out);
            break;
        case ConnectorSpec::Kind::fixed_number_post:
            fixed_number_post(shape, factory, seed, target_begin, target_end, out);
            break;
        case ConnectorSpec::Kind::from_list: from_list(shape, factory, target_begin, target_end, out); break;
        case ConnectorSpec::Kind::fixed_total_number:
            fixed_total_number(shape, factory, seed, target_begin, target_end, out);
            break;
    }
}

double expected_synapse_count(const NetworkSpec& spec, std::size_t projection_index) {
    const ProjectionShape shape = resolve(spec, projection_index);
    const ConnectorSpec& connector = shape.projection->connector;
    const auto n_source = static_cast<double>(shape.n_source);
    const auto n_target = static_cast<double>(shape.n_target);
    // Sources a target may connect from (its own index excluded when autapses are not allowed).
    const double sources_per_target = n_source - (shape.exclude_autapses ? 1.0 : 0.0);
    switch (connector.kind) {
        case ConnectorSpec::Kind::all_to_all: return sources_per_target * n_target;
        case ConnectorSpec::Kind::one_to_one: return shape.exclude_autapses ? 0.0 : n_target;
        case ConnectorSpec::Kind::fixed_probability:
            return connector.probability <= 0.0 ? 0.0 : connector.probability >= 1.0 ? sources_per_target * n_target
                                                                                       : connector.probability * sources_per_target * n_target;
        case ConnectorSpec::Kind::fixed_number_pre: return static_cast<double>(connector.number) * n_target;
        case ConnectorSpec::Kind::fixed_number_post: return static_cast<double>(connector.number) * n_source;
        case ConnectorSpec::Kind::from_list: return static_cast<double>(connector.pairs.size());
        case ConnectorSpec::Kind::fixed_total_number: return static_cast<double>(connector.number);
    }
    return 0.0;
}

}  // namespace neurodyn
