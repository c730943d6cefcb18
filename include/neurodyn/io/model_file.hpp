#pragma once
// The TOML model file: a network and its simulation settings in one text file, read
// into a validated NetworkSpec. The schema is documented in docs/model-file.md.
//
// Every error is a UserError of the same class NetworkSpec::validate() uses for the
// same mistake (ValueError for a bad value, type or syntax, KeyError for an unknown or
// missing name, FileError for a file that cannot be read). Its message starts with
// "<file>:<line>:<column>: " and then names the key path, e.g.
//
//   net.toml:12:9: population[0].params.tau_m: IF_curr_exp: tau_m must be > 0 ms, got -20 ms
//
// and its key() is that key path ("population[0].params.tau_m").

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "neurodyn/network/spec.hpp"

namespace neurodyn {

// Reads and validates the model file at `path`; messages name the file as given.
// The network is scaled by the file's `[network] scale` (apply_scale in
// network/spec.hpp), or by `scale_override` instead when one is given (a command-line
// `--scale`, Python's load_model_file(path, scale=...)); NetworkSpec::scale records it.
NetworkSpec load_model_file(const std::filesystem::path& path, std::optional<double> scale_override = std::nullopt);

// Reads and validates model-file text; `source_name` stands for the file in messages.
NetworkSpec parse_model_text(std::string_view text, const std::string& source_name,
                             std::optional<double> scale_override = std::nullopt);

}  // namespace neurodyn
