#include "neurodyn/engine/communicator.hpp"

#include <cstdlib>
#include <limits>

#include "neurodyn/core/error.hpp"

#ifdef NEURODYN_WITH_MPI
#include <mpi.h>
#endif

namespace neurodyn {

namespace {

// Whether a process manager started this program as one of several ranks. Checked
// before MPI_Init so that a plain start never initialises MPI (which costs time, may
// print warnings and refuses to run as root without extra settings).
[[maybe_unused]] bool launched_by_mpirun() {
    for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_SIZE", "PMI_RANK"})
        if (std::getenv(name) != nullptr) return true;
    return false;
}

// Kinds of errors carried from the rank that failed to the others.
enum class ErrorKind : std::uint64_t { value, key, file, memory, other };

ErrorKind kind_of(const std::exception_ptr& error) {
    try {
        std::rethrow_exception(error);
    } catch (const ValueError&) {
        return ErrorKind::value;
    } catch (const KeyError&) {
        return ErrorKind::key;
    } catch (const FileError&) {
        return ErrorKind::file;
    } catch (const MemoryLimitError&) {
        return ErrorKind::memory;
    } catch (...) {
        return ErrorKind::other;
    }
}

std::string message_of(const std::exception_ptr& error, std::string& key) {
    try {
        std::rethrow_exception(error);
    } catch (const UserError& e) {
        key = e.key();
        return e.what();
    } catch (const std::exception& e) {
        return e.what();
    } catch (...) {
        return "unknown error";
    }
}

[[noreturn]] void throw_kind(ErrorKind kind, const std::string& message, const std::string& key) {
    switch (kind) {
        case ErrorKind::value: throw ValueError(message, key);
        case ErrorKind::key: throw KeyError(message, key);
        case ErrorKind::file: throw FileError(message, key);
        case ErrorKind::memory: throw MemoryLimitError(message, key);
        default: throw InternalError(message);
    }
}

#ifdef NEURODYN_WITH_MPI
void finalize_mpi() {
    int finalized = 0;
    MPI_Finalized(&finalized);
    if (!finalized) MPI_Finalize();
}

int checked_count(std::size_t n) {
    if (n > static_cast<std::size_t>(std::numeric_limits<int>::max()))
        throw InternalError("an MPI exchange of " + std::to_string(n) + " values exceeds MPI's int counts");
    return static_cast<int>(n);
}

// The counts travel as 2 * count + flag, so a flag costs no extra message.
template <class T>
void gather_variable(const std::vector<T>& local, std::vector<T>& all, std::vector<std::uint64_t>& counts,
                     MPI_Datatype type, int size, bool* flag = nullptr) {
    checked_count(2 * local.size() + 1);
    int header = static_cast<int>(2 * local.size() + (flag && *flag ? 1 : 0));
    const int mine = static_cast<int>(local.size());
    std::vector<int> sizes(static_cast<std::size_t>(size)), offsets(static_cast<std::size_t>(size));
    MPI_Allgather(&header, 1, MPI_INT, sizes.data(), 1, MPI_INT, MPI_COMM_WORLD);
    std::size_t total = 0;
    bool any = false;
    counts.resize(sizes.size());
    for (std::size_t r = 0; r < sizes.size(); ++r) {
        any = any || (sizes[r] & 1) != 0;
        sizes[r] >>= 1;
        offsets[r] = checked_count(total);
        counts[r] = static_cast<std::uint64_t>(sizes[r]);
        total += static_cast<std::size_t>(sizes[r]);
    }
    if (flag) *flag = any;
    checked_count(total);
    all.resize(total);
    MPI_Allgatherv(local.data(), mine, type, all.data(), sizes.data(), offsets.data(), type, MPI_COMM_WORLD);
}
#endif

}  // namespace

bool Communicator::built_with_mpi() {
#ifdef NEURODYN_WITH_MPI
    return true;
#else
    return false;
#endif
}

Communicator& Communicator::world() {
    static Communicator* instance = [] {
        auto* c = new Communicator();  // lives until exit, after MPI_Finalize
#ifdef NEURODYN_WITH_MPI
        int initialized = 0;
        MPI_Initialized(&initialized);
        if (!initialized && launched_by_mpirun()) {
            int provided = 0;
            // Only the main thread calls MPI (between OpenMP regions).
            MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided);
            std::atexit(finalize_mpi);
            initialized = 1;
        }
        if (initialized) {
            MPI_Comm_rank(MPI_COMM_WORLD, &c->rank_);
            MPI_Comm_size(MPI_COMM_WORLD, &c->size_);
        }
#endif
        return c;
    }();
    return *instance;
}

void Communicator::all_gather(const std::vector<std::uint64_t>& local, std::vector<std::uint64_t>& all,
                              std::vector<std::uint64_t>& counts, bool* flag) const {
#ifdef NEURODYN_WITH_MPI
    if (distributed()) return gather_variable(local, all, counts, MPI_UINT64_T, size_, flag);
#endif
    all = local;
    counts.assign(1, local.size());
}

void Communicator::all_gather(const std::vector<double>& local, std::vector<double>& all,
                              std::vector<std::uint64_t>& counts) const {
#ifdef NEURODYN_WITH_MPI
    if (distributed()) return gather_variable(local, all, counts, MPI_DOUBLE, size_);
#endif
    all = local;
    counts.assign(1, local.size());
}

std::vector<std::uint64_t> Communicator::all_gather_value(std::uint64_t local) const {
    std::vector<std::uint64_t> all(static_cast<std::size_t>(size_), local);
#ifdef NEURODYN_WITH_MPI
    if (distributed()) MPI_Allgather(&local, 1, MPI_UINT64_T, all.data(), 1, MPI_UINT64_T, MPI_COMM_WORLD);
#endif
    return all;
}

std::uint64_t Communicator::sum(std::uint64_t local) const {
    std::uint64_t total = local;
#ifdef NEURODYN_WITH_MPI
    if (distributed()) MPI_Allreduce(&local, &total, 1, MPI_UINT64_T, MPI_SUM, MPI_COMM_WORLD);
#endif
    return total;
}

double Communicator::sum(double local) const {
    double total = local;
#ifdef NEURODYN_WITH_MPI
    if (distributed()) MPI_Allreduce(&local, &total, 1, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
#endif
    return total;
}

double Communicator::max(double local) const {
    double largest = local;
#ifdef NEURODYN_WITH_MPI
    if (distributed()) MPI_Allreduce(&local, &largest, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
#endif
    return largest;
}

bool Communicator::any(bool local) const {
    int flag = local ? 1 : 0, result = flag;
#ifdef NEURODYN_WITH_MPI
    if (distributed()) MPI_Allreduce(&flag, &result, 1, MPI_INT, MPI_LOR, MPI_COMM_WORLD);
#endif
    return result != 0;
}

void Communicator::agree(std::exception_ptr local) const {
    if (!distributed()) {
        if (local) std::rethrow_exception(local);
        return;
    }
    const auto failed = all_gather_value(local ? 1u : 0u);
    int first_failed = -1;
    for (std::size_t r = 0; r < failed.size() && first_failed < 0; ++r)
        if (failed[r]) first_failed = static_cast<int>(r);
    if (first_failed < 0) return;
    std::string key, message;
    std::uint64_t header[3] = {0, 0, 0};  // kind, message length, key length
    if (rank_ == first_failed) {
        message = message_of(local, key);
        header[0] = static_cast<std::uint64_t>(kind_of(local));
        header[1] = message.size();
        header[2] = key.size();
    }
#ifdef NEURODYN_WITH_MPI
    MPI_Bcast(header, 3, MPI_UINT64_T, first_failed, MPI_COMM_WORLD);
    std::string text = message + key;
    text.resize(header[1] + header[2]);
    MPI_Bcast(text.data(), checked_count(text.size()), MPI_CHAR, first_failed, MPI_COMM_WORLD);
    message = text.substr(0, header[1]);
    key = text.substr(header[1]);
#endif
    if (local) std::rethrow_exception(local);
    throw_kind(static_cast<ErrorKind>(header[0]), message, key);
}

void Communicator::barrier() const {
#ifdef NEURODYN_WITH_MPI
    if (distributed()) MPI_Barrier(MPI_COMM_WORLD);
#endif
}

std::string describe_processes(const Communicator& communicator) {
    return communicator.size() == 1 ? "1 process" : std::to_string(communicator.size()) + " MPI ranks";
}

}  // namespace neurodyn
