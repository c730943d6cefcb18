#pragma once
// The processes of a run and the few collective operations the engine needs.
//
// Started by `mpirun -np N` (and built with MPI: NEURODYN_MPI), a run has N processes
// (ranks) that each build and advance their own part of the network and exchange spikes
// once per min-delay epoch. Started any other way it is one process, and every
// operation here is a copy: no MPI call is made and MPI is never initialised, so a
// build with MPI behaves exactly like one without it outside mpirun.
//
// Every function is collective in the distributed case: all ranks call it, in the same
// order. Results are identical on every rank.

#include <cstdint>
#include <exception>
#include <string>
#include <vector>

namespace neurodyn {

class Communicator {
public:
    // The processes this program was started as. The first call initialises MPI when
    // the program runs under mpirun (MPI is finalised at exit); later calls return the
    // same object.
    static Communicator& world();
    // Whether this build of neurodyn can run distributed.
    static bool built_with_mpi();

    int rank() const { return rank_; }
    int size() const { return size_; }
    bool distributed() const { return size_ > 1; }

    // Concatenation of every rank's `local` values, in rank order; `counts` receives how
    // many came from each rank.
    // With `flag`: also sets *flag to whether it was true on some rank, at no extra
    // message (it travels with the counts).
    void all_gather(const std::vector<std::uint64_t>& local, std::vector<std::uint64_t>& all,
                    std::vector<std::uint64_t>& counts, bool* flag = nullptr) const;
    void all_gather(const std::vector<double>& local, std::vector<double>& all, std::vector<std::uint64_t>& counts) const;
    // Every rank's value, in rank order.
    std::vector<std::uint64_t> all_gather_value(std::uint64_t local) const;

    std::uint64_t sum(std::uint64_t local) const;
    double sum(double local) const;
    double max(double local) const;
    // True on every rank when `local` is true on some rank.
    bool any(bool local) const;

    // Makes a failure on some ranks a failure on all of them, so that no rank goes on
    // to a collective operation that the failed ranks will never reach. A rank whose
    // `local` is set rethrows it; the others throw a UserError carrying the message of
    // the lowest failed rank. Does nothing when no rank failed.
    void agree(std::exception_ptr local) const;

    void barrier() const;

private:
    Communicator() = default;
    int rank_ = 0;
    int size_ = 1;
};

// A short description for summaries: "1 process" or "3 MPI ranks".
std::string describe_processes(const Communicator& communicator);

}  // namespace neurodyn
