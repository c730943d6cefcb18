#include "shard.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numbers>

#include "neurodyn/core/random.hpp"

namespace neurodyn {

namespace {
using Clock = std::chrono::steady_clock;
double seconds_since(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}
}  // namespace

void Shard::apply_poisson_drive(const PoissonDrive& drive, Step step, std::uint64_t seed) {
    if (step < drive.start_step || step >= drive.stop_step) return;
    GroupSlot& slot = groups[drive.slot];
    double* input = ring.slot(step) + slot.input_offset + drive.port * slot.group->size();
    // Counts are keyed by (population-local neuron id, step), the same whatever the
    // decomposition. One Philox block gives the 32-bit uniforms of four neighbouring
    // neurons (entity = id / 4, word = id % 4).
    const std::uint64_t index = static_cast<std::uint64_t>(step) << 16;
    const auto index_lo = static_cast<std::uint32_t>(index), index_hi = static_cast<std::uint32_t>(index >> 32);
    if (drive.count_thresholds.empty()) {  // large means: PTRS on a per-neuron stream
        for (const std::uint32_t i : drive.neurons) {
            RandomStream stream(seed, drive.domain, slot.first + i, index);
            input[i] += static_cast<double>(stream.poisson(drive.mean_per_step)) * drive.weight;
        }
        return;
    }
    // Inversion with a table: count = #{j : u >= T_j}, T_j = 2^32 P(X <= j). Written as
    // passes over a chunk of neurons so that each pass is a vectorisable loop.
    constexpr std::size_t kChunk = 256;
    std::uint32_t uniform[kChunk];
    std::uint32_t count[kChunk];
    std::uint32_t words[4][kChunk / 4 + 2];
    const std::uint32_t* thresholds = drive.count_thresholds.data();
    const std::size_t n_thresholds = drive.count_thresholds.size();
    const std::size_t n = drive.neurons.size();
    for (std::size_t c = 0; c < n; c += kChunk) {
        const std::size_t m = std::min(kChunk, n - c);
        if (drive.contiguous) {
            // Neurons drive.neurons[c] .. +m-1 are consecutive: one block serves four.
            const std::uint32_t first_id = slot.first + drive.neurons[c];
            const std::uint32_t first_block = first_id >> 2;
            const std::size_t n_blocks = ((first_id + m - 1) >> 2) - first_block + 1;
            philox4x32_batch(n_blocks, index_lo, index_hi, first_block, drive.domain, seed, words[0], words[1], words[2],
                             words[3]);
            for (std::size_t k = 0; k < m; ++k) {
                const std::uint32_t id = first_id + static_cast<std::uint32_t>(k);
                uniform[k] = words[id & 3u][(id >> 2) - first_block];
            }
        } else {
            for (std::size_t k = 0; k < m; ++k) {
                const std::uint32_t id = slot.first + drive.neurons[c + k];
                uniform[k] = philox4x32({index_lo, index_hi, id >> 2, drive.domain}, seed)[id & 3u];
            }
        }
        std::fill_n(count, m, 0u);
        for (std::size_t j = 0; j < n_thresholds; ++j) {
            const std::uint32_t t = thresholds[j];
            for (std::size_t k = 0; k < m; ++k) count[k] += uniform[k] >= t ? 1u : 0u;
        }
        if (drive.contiguous) {
            double* target = input + drive.neurons[c];
            for (std::size_t k = 0; k < m; ++k) target[k] += static_cast<double>(count[k]) * drive.weight;
        } else {
            for (std::size_t k = 0; k < m; ++k) input[drive.neurons[c + k]] += static_cast<double>(count[k]) * drive.weight;
        }
    }
}

std::vector<std::uint32_t> poisson_count_thresholds(double mean) {
    // T_j = round(2^32 P(X <= j)) for j = 0, 1, ... while below 2^32; beyond the table
    // the count saturates, which for means < 12 happens with probability < 2^-32.
    std::vector<std::uint32_t> thresholds;
    if (!(mean > 0.0)) return {UINT32_MAX};  // never exceeded except by u = 2^32 - 1
    double probability = std::exp(-mean), cumulative = probability;
    for (std::uint32_t j = 0; j < 1000; ++j) {
        const double scaled = std::round(cumulative * 4294967296.0);
        if (scaled >= 4294967295.0) break;
        thresholds.push_back(static_cast<std::uint32_t>(scaled));
        probability *= mean / (j + 1.0);
        cumulative += probability;
    }
    return thresholds;
}

double CurrentSource::value(Step step, std::uint32_t i, std::uint64_t seed) const {
    switch (shape) {
        case Shape::constant: return amplitude;
        case Shape::steps: {
            const auto next = std::upper_bound(change_steps.begin(), change_steps.end(), step);
            return next == change_steps.begin() ? 0.0 : change_amplitudes[static_cast<std::size_t>(next - change_steps.begin()) - 1];
        }
        case Shape::sine:
            return offset + amplitude * std::sin(radians_per_step * static_cast<double>(step) + phase_radians);
        case Shape::noise: {
            // One Philox block per (neuron, draw): Box–Muller on its first two uniforms,
            // so the value depends on nothing but the seed, the neuron and the draw.
            const auto draw = static_cast<std::uint64_t>((step - start_step) / interval_steps);
            const auto block = philox4x32(
                {static_cast<std::uint32_t>(draw), static_cast<std::uint32_t>(draw >> 32), first_local_index + i, domain},
                seed);
            const double u1 = 1.0 - uniform_from_bits(block[0], block[1]);  // (0, 1]
            const double u2 = uniform_from_bits(block[2], block[3]);
            return mean + stdev * std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
        }
    }
    return 0.0;
}

void Shard::refresh_injected_currents(Step step, std::uint64_t seed) {
    if (!currents_vary_every_step && !std::binary_search(current_changes.begin(), current_changes.end(), step)) return;
    for (auto& slot : groups)
        if (!slot.injected.empty()) std::fill(slot.injected.begin(), slot.injected.end(), 0.0);
    for (const auto& source : currents) {
        if (step < source.start_step || step >= source.stop_step) continue;
        auto& injected = groups[source.slot].injected;
        for (const std::uint32_t i : source.neurons) injected[i] += source.value(step, i, seed);
    }
}

void Shard::advance(Step step, std::uint64_t seed, PhaseTimes& times) {
    auto t0 = Clock::now();
    if (!currents.empty()) refresh_injected_currents(step, seed);
    for (const auto& drive : drives) apply_poisson_drive(drive, step, seed);
    auto t1 = Clock::now();
    times.input += std::chrono::duration<double>(t1 - t0).count();

    double* arriving = ring.slot(step);
    if (!weight_taps.empty()) sample_rate_weights(step);
    for (auto& slot : groups) {
        NeuronGroup& group = *slot.group;
        for (std::size_t port = 0; port < slot.port_pointers.size(); ++port)
            slot.port_pointers[port] = arriving + slot.input_offset + port * group.size();
        for (const std::size_t r : slot.rate_hebbian_inputs) rate_hebbian[r].add_input(step, arriving);
        StepInput input{step, slot.port_pointers, slot.injected.data(), seed};
        slot.spiked.clear();
        group.update(input, slot.spiked);
        for (const std::size_t r : slot.rate_hebbian_inputs) rate_hebbian[r].learn(step, group.rate_output());
        if (slot.homeostasis) homeostasis_step(slot, step);
        if (const double* output = group.rate_output()) {
            rate_block_ids.emplace_back(step, slot.first_global_id);
            rate_block_offsets.push_back(rate_values.size());
            rate_values.insert(rate_values.end(), output, output + group.size());
        }
        for (const std::uint32_t local : slot.spiked) {
            spike_steps.push_back(step);
            spike_ids.push_back(slot.first_global_id + local);
        }
    }
    ring.clear(step);
    times.update += seconds_since(t1);
}

double ShortTermPlasticProjection::efficacy(std::uint32_t source, Step step) {
    const std::size_t k = source - first_source;
    if (last_step[k] < 0) {
        u[k] = U;
        x[k] = 1.0;
    } else {
        // u_{n+1} = U + u_n (1 - U) e^{-h/F},  x_{n+1} = 1 + (x_n - u_n x_n - 1) e^{-h/D}
        const double h = static_cast<double>(step - last_step[k]) * dt_ms;
        const double facilitation_left = tau_facil_ms > 0.0 ? std::exp(-h / tau_facil_ms) : 0.0;
        const double u_next = U + u[k] * (1.0 - U) * facilitation_left;
        x[k] = 1.0 + (x[k] - u[k] * x[k] - 1.0) * std::exp(-h / tau_rec_ms);
        u[k] = u_next;
    }
    last_step[k] = step;
    return u[k] * x[k];
}

void Shard::deliver_row(const SynapseTable& table, std::uint32_t source, double scale, double* const* slot_for_delay) {
    const std::uint32_t* target = table.targets();
    const float* weight = table.weights();
    const std::uint16_t* delay = table.delays();
    const std::uint64_t begin = table.row_begin(source), end = table.row_end(source);
    // A row is sorted by delay: walk it in runs of one delay, so the inner loop is a
    // plain scatter-add into one ring-buffer slot. Most rows are one run.
    std::uint64_t k = begin;
    while (k < end) {
        const std::uint16_t d = delay[k];
        const std::uint64_t run_end =
            delay[end - 1] == d ? end : static_cast<std::uint64_t>(std::upper_bound(delay + k, delay + end, d) - delay);
        double* slot = slot_for_delay[d];
        if (scale == 1.0)
            for (; k < run_end; ++k) slot[target[k]] += weight[k];
        else
            for (; k < run_end; ++k) slot[target[k]] += scale * weight[k];
    }
}

std::uint64_t Shard::deliver(std::span<const Step> steps, std::span<const std::uint32_t> ids, Step last_step) {
    std::size_t max_delay = synapses.max_delay();
    for (const auto& projection : plastic) max_delay = std::max<std::size_t>(max_delay, projection.synapses.max_delay());
    // STDP: the epoch's postsynaptic spikes first; each presynaptic update reads only
    // those that reached its synapse before it (earlier steps), so the order is free.
    for (auto& projection : stdp) {
        max_delay = std::max<std::size_t>(max_delay, projection.max_delay());
        projection.record_post_spikes(steps, ids);
    }
    std::vector<double*> slot_for_delay(max_delay + 1, nullptr);
    std::uint64_t events = 0;
    Step current = -1;
    for (std::size_t s = 0; s < ids.size(); ++s) {
        if (steps[s] != current) {
            // Synaptic scaling, after its step's spikes; weight samples in time order with
            // it (a sample at S dt includes the scalings of steps <= S - 1).
            while (steps[s] > next_scaling_step) {
                if (!weight_taps.empty()) sample_weights_before(next_scaling_step);
                apply_scalings(next_scaling_step);
            }
            current = steps[s];
            if (!weight_taps.empty()) sample_weights_before(current);
            for (std::size_t d = 1; d <= max_delay; ++d) slot_for_delay[d] = ring.slot(current + static_cast<Step>(d));
        }
        const std::uint32_t source = ids[s];
        events += synapses.row_end(source) - synapses.row_begin(source);
        deliver_row(synapses, source, 1.0, slot_for_delay.data());
        for (auto& projection : plastic) {
            if (projection.synapses.row_end(source) == projection.synapses.row_begin(source)) continue;
            events += projection.synapses.row_end(source) - projection.synapses.row_begin(source);
            deliver_row(projection.synapses, source, projection.efficacy(source, current), slot_for_delay.data());
        }
        for (auto& projection : stdp)
            if (projection.is_source(source)) events += projection.deliver_spike(source, current, slot_for_delay.data());
    }
    while (next_scaling_step <= last_step) {
        if (!weight_taps.empty()) sample_weights_before(next_scaling_step);
        apply_scalings(next_scaling_step);
    }
    if (!weight_taps.empty()) {
        sample_weights_before(last_step + 1);
        sample_rate_weights(last_step + 1);
    }
    for (auto& projection : stdp) projection.after_epoch(last_step);
    return events;
}

std::vector<RateBlock> Shard::rate_blocks() const {
    std::vector<RateBlock> blocks;
    for (std::size_t b = 0; b < rate_block_ids.size(); ++b) {
        const std::size_t begin = rate_block_offsets[b];
        const std::size_t end = b + 1 < rate_block_offsets.size() ? rate_block_offsets[b + 1] : rate_values.size();
        blocks.push_back({rate_block_ids[b].first, rate_block_ids[b].second,
                          std::span<const double>(rate_values.data() + begin, end - begin)});
    }
    return blocks;
}

std::uint64_t Shard::deliver_rates(std::span<const RateBlock> blocks) {
    const std::size_t max_delay = synapses.max_delay();
    std::vector<double*> slot_for_delay(max_delay + 1, nullptr);
    std::uint64_t events = 0;
    // Rate-Hebbian synapses keep the source outputs and read them in the next steps
    // (plastic_rate.hpp); each transmits once per step.
    if (!rate_hebbian.empty()) {
        std::uint64_t steps = 0;
        for (std::size_t b = 0; b < blocks.size(); ++b) steps += b == 0 || blocks[b].step != blocks[b - 1].step;
        for (auto& projection : rate_hebbian) {
            for (const RateBlock& block : blocks) projection.store_source_outputs(block.step, block.first_id, block.values);
            events += steps * projection.size();
        }
    }
    for (const RateBlock& block : blocks) {
        for (std::size_t d = 1; d <= max_delay; ++d) slot_for_delay[d] = ring.slot(block.step + static_cast<Step>(d));
        for (std::size_t i = 0; i < block.values.size(); ++i) {
            const double value = block.values[i];
            if (value == 0.0) continue;  // transmits nothing: skip the row
            const auto source = static_cast<std::uint32_t>(block.first_id + i);
            events += synapses.row_end(source) - synapses.row_begin(source);
            deliver_row(synapses, source, value, slot_for_delay.data());
        }
    }
    return events;
}

}  // namespace neurodyn
