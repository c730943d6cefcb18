#include "neurodyn/models/registry.hpp"

#include <string>

#include "neurodyn/core/error.hpp"
#include "neurodyn/core/strings.hpp"
#include "neurodyn/models/adex.hpp"
#include "neurodyn/models/alif.hpp"
#include "neurodyn/models/hh_cond_exp.hpp"
#include "neurodyn/models/if_cond_alpha.hpp"
#include "neurodyn/models/if_cond_exp.hpp"
#include "neurodyn/models/if_cond_exp_gsfa_grr.hpp"
#include "neurodyn/models/if_curr_alpha.hpp"
#include "neurodyn/models/if_curr_delta.hpp"
#include "neurodyn/models/if_curr_exp.hpp"
#include "neurodyn/models/izhikevich.hpp"
#include "neurodyn/models/leaky_rate.hpp"
#include "neurodyn/models/parrot.hpp"
#include "neurodyn/models/spike_source_array.hpp"
#include "neurodyn/models/spike_source_gamma.hpp"
#include "neurodyn/models/spike_source_poisson.hpp"

namespace neurodyn {

const std::vector<const ModelInfo*>& all_models() {
    static const std::vector<const ModelInfo*> models{
        &models::IfCurrExp::kInfo,
        &models::IfCurrDelta::kInfo,
        &models::IfCondExp::kInfo,
        &models::IfCurrAlpha::kInfo,
        &models::IfCondAlpha::kInfo,
        &models::IfCondExpGsfaGrr::kInfo,
        &models::EifCondExpIsfaIsta::kInfo,
        &models::EifCondAlphaIsfaIsta::kInfo,
        &models::Izhikevich::kInfo,
        &models::HhCondExp::kInfo,
        &models::Alif::kInfo,
        &models::LeakyRate::kInfo,
        &models::Parrot::kInfo,
        &models::SpikeSourcePoisson::kInfo,
        &models::SpikeSourceArray::kInfo,
        &models::SpikeSourceGamma::kInfo,
    };
    return models;
}

const ModelInfo& find_model(std::string_view name) {
    std::vector<std::string> names;
    for (const ModelInfo* model : all_models()) {
        if (model->name == name) return *model;
        names.emplace_back(model->name);
    }
    throw KeyError("unknown model '" + std::string(name) + "'" + did_you_mean(name, names) +
                   " (known models: " + join(names) + ")");
}

}  // namespace neurodyn
