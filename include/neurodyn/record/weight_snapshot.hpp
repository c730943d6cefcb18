#pragma once
// The weights of a run's plastic (STDP) projections as they are now, written to the
// result file as /weights/<projection> (docs/output-format.md).

#include "neurodyn/engine/simulator.hpp"
#include "neurodyn/record/hdf5_result_file.hpp"

namespace neurodyn {

// Collective: every rank calls it (the weights are gathered from all of them); the
// snapshot is written to `file` where it is not null (rank 0's file). The group of a
// projection is its name, or its index in the spec when the name is empty, contains '/'
// or repeats an earlier one. Projections with fixed weights are not written (the model
// file gives them again); nothing is written when there is no STDP projection.
void write_weight_snapshots(Simulator& simulator, Hdf5ResultFile* file);

}  // namespace neurodyn
