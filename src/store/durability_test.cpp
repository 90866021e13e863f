// A process killed mid-stream loses nothing it acknowledged and leaves no half transaction.
//
// SIGKILL tests the process-crash half of durability (what was in the page cache stays there);
// power loss is what synchronous=FULL's fsync before COMMIT returns is for, and cannot be
// simulated here.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <random>
#include <set>
#include <thread>

#include "store/store.h"
#include "store/test_util.h"

namespace orch::store {
namespace {

using testing::StoreTest;

struct Ack {
  int64_t seq;
  int64_t revision;
};

// The child: commit pairs {a/<seq>, b/<seq>} forever, reporting each acknowledged one.
[[noreturn]] void child_main(const std::string& path, int64_t first_seq, int fd) {
  try {
    auto s = open_sqlite(path);
    for (int64_t seq = first_seq;; ++seq) {
      std::string v = std::to_string(seq);
      auto r = s->commit({Op::put("crash/a/" + v, v), Op::put("crash/b/" + v, v)});
      if (!r.ok) _exit(3);
      Ack ack{seq, r.revision};
      if (::write(fd, &ack, sizeof ack) != static_cast<ssize_t>(sizeof ack)) _exit(4);
    }
  } catch (...) {
    _exit(2);
  }
}

TEST_F(StoreTest, KilledWriterLosesNoAcknowledgedCommit) {
  std::mt19937 rng(std::random_device{}());
  std::set<int64_t> acked_seqs;
  int64_t next_seq = 0;
  for (int round = 0; round < 3; ++round) {
    int fds[2];
    ASSERT_EQ(::pipe(fds), 0);
    pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      ::close(fds[0]);
      child_main(db(), next_seq, fds[1]);
    }
    ::close(fds[1]);
    // Let it run a random while: long enough to commit something, short to stay fast.
    std::this_thread::sleep_for(std::chrono::milliseconds(std::uniform_int_distribution<>(80, 400)(rng)));
    ASSERT_EQ(::kill(pid, SIGKILL), 0);
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFSIGNALED(status)) << "child exited early with status " << WEXITSTATUS(status);

    // Everything in the pipe was acknowledged before the kill (a torn last record was not).
    std::vector<Ack> acks;
    Ack ack{};
    while (::read(fds[0], &ack, sizeof ack) == static_cast<ssize_t>(sizeof ack)) acks.push_back(ack);
    ::close(fds[0]);
    ASSERT_FALSE(acks.empty()) << "the child committed nothing in round " << round;

    auto s = open_sqlite(db());
    for (const Ack& a : acks) {
      std::string v = std::to_string(a.seq);
      auto ka = s->get("crash/a/" + v);
      auto kb = s->get("crash/b/" + v);
      ASSERT_TRUE(ka && kb) << "acknowledged seq " << a.seq << " lost";
      EXPECT_EQ(ka->mod_revision, a.revision);
      EXPECT_EQ(kb->mod_revision, a.revision);
      acked_seqs.insert(a.seq);
    }
    // No half transaction: a's and b's pair up exactly, each pair on one revision. (One more
    // commit than was acknowledged may be present: it was durable before the ack got out.)
    auto la = s->list("crash/a/"), lb = s->list("crash/b/");
    ASSERT_EQ(la.items.size(), lb.items.size());
    std::set<int64_t> present;
    for (size_t i = 0; i < la.items.size(); ++i) {
      EXPECT_EQ(la.items[i].key.substr(8), lb.items[i].key.substr(8));
      EXPECT_EQ(la.items[i].mod_revision, lb.items[i].mod_revision);
      present.insert(std::stoll(la.items[i].key.substr(8)));
    }
    for (int64_t seq : acked_seqs) EXPECT_TRUE(present.count(seq)) << seq;
    EXPECT_LE(present.size(), acked_seqs.size() + round + 1);
    // Revisions stay dense across crashes: one per committed pair.
    EXPECT_EQ(s->current_revision(), static_cast<int64_t>(present.size()));
    next_seq = *present.rbegin() + 1;
  }
}

}  // namespace
}  // namespace orch::store
