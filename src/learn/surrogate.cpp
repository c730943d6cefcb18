#include "neurodyn/learn/surrogate.hpp"

#include <cmath>

#include "neurodyn/core/error.hpp"
#include "neurodyn/core/strings.hpp"

namespace neurodyn::learn {

SpikeSurrogate make_surrogate(std::string_view kind, double slope) {
    SpikeSurrogate surrogate;
    if (kind == "fast_sigmoid")
        surrogate.kind = SurrogateKind::fast_sigmoid;
    else if (kind == "arctan")
        surrogate.kind = SurrogateKind::arctan;
    else
        throw ValueError("surrogate must be 'fast_sigmoid' or 'arctan', got '" + std::string(kind) + "'", "surrogate");
    if (!(std::isfinite(slope) && slope > 0.0))
        throw ValueError("surrogate slope must be > 0 (and finite), got " + format_number(slope), "surrogate_slope");
    surrogate.slope = slope;
    return surrogate;
}

std::string_view surrogate_name(SurrogateKind kind) {
    return kind == SurrogateKind::fast_sigmoid ? "fast_sigmoid" : "arctan";
}

}  // namespace neurodyn::learn
