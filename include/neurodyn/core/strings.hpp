#pragma once
// Small string helpers for error messages.

#include <string>
#include <string_view>
#include <vector>

namespace neurodyn {

// The candidate closest to `name` by edit distance, or "" when none is close enough
// to be a plausible typo (distance > max(2, |name| / 3)).
std::string closest_match(std::string_view name, const std::vector<std::string>& candidates);

// "; did you mean 'x'?" or "" — appended to unknown-name messages.
std::string did_you_mean(std::string_view name, const std::vector<std::string>& candidates);

// Formats a double the shortest way that reads back exactly (for messages).
std::string format_number(double value);

// Joins with ", ".
std::string join(const std::vector<std::string>& items, std::string_view separator = ", ");

}  // namespace neurodyn
