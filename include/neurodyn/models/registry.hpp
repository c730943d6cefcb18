#pragma once
// The explicit list of models the front ends can name.

#include <string_view>
#include <vector>

#include "neurodyn/models/model_info.hpp"

namespace neurodyn {

// All registered models, in a stable order.
const std::vector<const ModelInfo*>& all_models();

// The model called `name`; throws KeyError ("unknown model 'IF_cur_exp'; did you mean
// 'IF_curr_exp'? Known models: ...") otherwise.
const ModelInfo& find_model(std::string_view name);

}  // namespace neurodyn
