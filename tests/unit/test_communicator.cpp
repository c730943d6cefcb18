// The communicator of a process not started by mpirun: one rank, every collective a copy,
// MPI never initialised (the distributed behaviour is tested under mpirun by
// python/tests/test_mpi.py).

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>

#include "neurodyn/core/error.hpp"
#include "neurodyn/engine/communicator.hpp"

using namespace neurodyn;

TEST(Communicator, OneProcessOutsideMpirun) {
    if (std::getenv("OMPI_COMM_WORLD_SIZE") != nullptr) GTEST_SKIP() << "running under mpirun";
    const Communicator& comm = Communicator::world();
    EXPECT_EQ(comm.rank(), 0);
    EXPECT_EQ(comm.size(), 1);
    EXPECT_FALSE(comm.distributed());
    EXPECT_EQ(&comm, &Communicator::world());
    EXPECT_EQ(describe_processes(comm), "1 process");
}

TEST(Communicator, CollectivesOfOneProcessAreCopies) {
    const Communicator& comm = Communicator::world();
    if (comm.distributed()) GTEST_SKIP() << "running under mpirun";
    std::vector<std::uint64_t> all, counts;
    comm.all_gather(std::vector<std::uint64_t>{3, 1, 2}, all, counts);
    EXPECT_EQ(all, (std::vector<std::uint64_t>{3, 1, 2}));
    EXPECT_EQ(counts, (std::vector<std::uint64_t>{3}));
    std::vector<double> values;
    comm.all_gather(std::vector<double>{-0.0, 2.5}, values, counts);
    ASSERT_EQ(values.size(), 2u);
    EXPECT_TRUE(std::signbit(values[0]));
    EXPECT_EQ(comm.all_gather_value(7), (std::vector<std::uint64_t>{7}));
    EXPECT_EQ(comm.sum(std::uint64_t{5}), 5u);
    EXPECT_EQ(comm.max(2.5), 2.5);
    EXPECT_TRUE(comm.any(true));
    EXPECT_FALSE(comm.any(false));
}

TEST(Communicator, AgreeRethrowsTheLocalErrorUnchanged) {
    const Communicator& comm = Communicator::world();
    if (comm.distributed()) GTEST_SKIP() << "running under mpirun";
    EXPECT_NO_THROW(comm.agree(nullptr));
    std::exception_ptr error;
    try {
        throw KeyError("unknown population 'X'", "record[0].population");
    } catch (...) {
        error = std::current_exception();
    }
    try {
        comm.agree(error);
        FAIL() << "agree did not rethrow";
    } catch (const KeyError& e) {
        EXPECT_STREQ(e.what(), "unknown population 'X'");
        EXPECT_EQ(e.key(), "record[0].population");
    }
}
