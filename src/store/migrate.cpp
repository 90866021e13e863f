#include "store/migrate.h"

#include <string>

namespace orch::store::sql {
namespace {

// The version row, or 0 for a database that has none yet.
int read_version(Connection& c) {
  Scope s(c.statement(Query::GetVersion));
  return s->step() ? static_cast<int>(s->column_int(0)) : 0;
}

// An older binary must not write to a schema it does not know: it could corrupt it.
void refuse_newer(int found, int newest, const std::string& where) {
  if (found > newest) {
    throw StoreError("store: " + where + " has schema version " + std::to_string(found) +
                     ", newer than this binary understands (" + std::to_string(newest) + ")");
  }
}

}  // namespace

int migrate(Connection& c, const Dialect& dialect) {
  const auto& list = dialect.migrations();
  const int newest = list.empty() ? 0 : list.back().version;
  const std::string where = dialect.describe();

  if (dialect.read_only()) {
    int v = 0;
    try {
      v = read_version(c);
    } catch (const StoreError& e) {
      throw StoreError("store: " + where + " is not a store database: " + e.what());
    }
    if (v != newest) {
      throw StoreError("store: " + where + " has schema version " + std::to_string(v) +
                       " but read-only open needs " + std::to_string(newest));
    }
    return v;
  }

  Scope(c.statement(Query::EnsureVersionTable))->run();
  for (const Migration& m : list) {
    // Each migration re-reads the version inside its own write transaction: another process
    // opening the same file at the same moment may have applied it already.
    Transaction tx(c, Query::BeginWrite);
    int v = 0;
    bool has_row = false;
    {
      Scope s(c.statement(Query::GetVersion));
      has_row = s->step();
      if (has_row) v = static_cast<int>(s->column_int(0));
    }
    refuse_newer(v, newest, where);
    if (v >= m.version) continue;  // tx rolls back: nothing to do
    if (v != m.version - 1) {
      throw StoreError("store: " + where + ": migration list has a gap before version " +
                       std::to_string(m.version));
    }
    try {
      for (const std::string& stmt : m.statements) c.exec(stmt);
    } catch (const StoreError& e) {
      throw StoreError("store: " + where + ": migration " + std::to_string(m.version) + " (" +
                       m.description + ") failed: " + e.what());
    }
    {
      Scope set(c.statement(has_row ? Query::SetVersion : Query::InsertVersion));
      set->bind_int(1, m.version);
      set->run();
    }
    tx.commit();
  }
  int v = read_version(c);
  refuse_newer(v, newest, where);
  return v;
}

}  // namespace orch::store::sql
