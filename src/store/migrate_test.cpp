// Schema migrations: applied in order, one transaction each, and never half.
#include "store/migrate.h"

#include <gtest/gtest.h>

#include "store/log_store.h"
#include "store/sqlite_dialect.h"
#include "store/test_util.h"

namespace orch::store {
namespace {

using testing::RawDb;
using testing::StoreTest;

// The SQLite dialect with extra migrations appended: stands in for a future binary.
class ExtendedDialect final : public sql::Dialect {
 public:
  ExtendedDialect(const std::string& path, std::vector<sql::Migration> extra)
      : base_(sqlite::make_dialect(path, SqliteOptions{})), list_(base_->migrations()) {
    for (auto& m : extra) list_.push_back(std::move(m));
  }
  std::unique_ptr<sql::Connection> open_writer() override { return base_->open_writer(); }
  std::unique_ptr<sql::Connection> open_reader() override { return base_->open_reader(); }
  const std::vector<sql::Migration>& migrations() const override { return list_; }
  bool read_only() const override { return false; }
  std::string describe() const override { return base_->describe(); }

 private:
  std::unique_ptr<sql::Dialect> base_;
  std::vector<sql::Migration> list_;
};

TEST_F(StoreTest, MigrationsApplyInOrderAndAFailedOneLeavesThePreviousVersion) {
  {
    auto s = open();
    ASSERT_TRUE(s->commit({Op::put("a", "1")}).ok);
  }
  std::vector<sql::Migration> extra = {
      {2, "add a table", {"CREATE TABLE extra (x INTEGER)", "INSERT INTO extra VALUES (42)"}},
      // Its first statement succeeds, its second fails: the first must be rolled back too.
      {3, "broken", {"CREATE TABLE half (x INTEGER)", "CREATE TABLE extra (x INTEGER)"}},
  };
  try {
    make_log_store(std::make_unique<ExtendedDialect>(db(), extra));
    FAIL() << "expected StoreError";
  } catch (const StoreError& e) {
    EXPECT_NE(std::string(e.what()).find("migration 3 (broken)"), std::string::npos) << e.what();
  }
  {
    RawDb raw(db());
    EXPECT_EQ(raw.scalar("SELECT version FROM schema_version"), "2");
    EXPECT_EQ(raw.scalar("SELECT x FROM extra"), "42");
    EXPECT_EQ(raw.scalar("SELECT count(*) FROM sqlite_master WHERE name = 'half'"), "0");
  }
  // Fixed, it continues from version 2; the data written under version 1 is still there.
  extra[1].statements = {"CREATE TABLE half (x INTEGER)"};
  auto s = make_log_store(std::make_unique<ExtendedDialect>(db(), extra));
  EXPECT_EQ(s->get("a")->value, "1");
  RawDb raw(db());
  EXPECT_EQ(raw.scalar("SELECT version FROM schema_version"), "3");
  // And the released binary (which knows only version 1) now refuses the database.
  EXPECT_THROW(open(), StoreError);
}

}  // namespace
}  // namespace orch::store
