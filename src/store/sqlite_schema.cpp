// SQLite's text for every query of sql.h, and the schema history.
//
// The schema (version 1):
//
//   meta(id = 1, revision, compacted)  -- exactly one row.
//     revision: the store revision, i.e. the revision of the newest commit. It is a counter of
//       its own instead of MAX(log.revision) (or an AUTOINCREMENT per row) because (a) every op
//       of one commit must share one revision, so the log cannot number itself row by row, and
//       (b) compaction may delete the newest rows (a trailing tombstone), yet a revision must
//       never be handed out twice. The commit bumps it in the same transaction as its rows.
//     compacted: history at or below it is gone; watches must start at or after it.
//
//   log(id, revision, name, created, deleted, create_revision, prev_revision, value)
//     One row per put or delete. id is the SQLite rowid: insertion order, which orders the ops
//     of one commit the way the caller listed them. (name, revision) is unique: a commit writes
//     a key at most once. prev_revision is the revision of the key's previous row (a tombstone
//     included; 0 for none) so a watch event can find the value it replaced with one index
//     probe, and compaction can find the rows a newer row supersedes. Tombstones have
//     deleted = 1, an empty value and the create_revision of the incarnation they end.
//     name and value are BLOBs: keys are compared as raw bytes (memcmp), never as text.
//
//   Indexes: (name, revision) serves get (newest row of a name), list (range scan over names)
//   and the prev lookup; (revision) serves watch replay and compaction.
#include "store/sqlite_dialect.h"

namespace orch::store::sqlite {

std::string_view query_text(sql::Query q) {
  using sql::Query;
  switch (q) {
    case Query::BeginWrite:
      // IMMEDIATE takes the write lock now, so the preconditions read inside the transaction
      // cannot be invalidated by another writer before COMMIT (no SQLITE_BUSY upgrade failure).
      return "BEGIN IMMEDIATE";
    case Query::BeginRead:
      return "BEGIN DEFERRED";
    case Query::Commit:
      return "COMMIT";
    case Query::Rollback:
      return "ROLLBACK";
    case Query::GetMeta:
      return "SELECT revision, compacted FROM meta WHERE id = 1";
    case Query::SetRevision:
      return "UPDATE meta SET revision = ?1 WHERE id = 1";
    case Query::SetCompacted:
      return "UPDATE meta SET compacted = ?1 WHERE id = 1";
    case Query::GetLatest:
      return "SELECT revision, create_revision, deleted, value FROM log WHERE name = ?1 "
             "ORDER BY revision DESC LIMIT 1";
    case Query::InsertRow:
      return "INSERT INTO log (revision, name, created, deleted, create_revision, prev_revision, "
             "value) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
    // Newest row of each name in [lo, hi), tombstones dropped. Written as "no newer row
    // exists" so SQLite walks the (name, revision) index in key order and stops at LIMIT: a page
    // costs its own size. The GROUP BY/MAX form materialises and sorts the whole rest of the
    // range for every page, which makes paging a large prefix quadratic.
    case Query::ListBounded:
      return "SELECT l.name, l.value, l.create_revision, l.revision FROM log AS l "
             "WHERE l.name >= ?1 AND l.name < ?2 AND NOT EXISTS "
             "(SELECT 1 FROM log AS n WHERE n.name = l.name AND n.revision > l.revision) "
             "AND l.deleted = 0 ORDER BY l.name LIMIT ?3";
    case Query::ListUnbounded:
      return "SELECT l.name, l.value, l.create_revision, l.revision FROM log AS l "
             "WHERE l.name >= ?1 AND NOT EXISTS "
             "(SELECT 1 FROM log AS n WHERE n.name = l.name AND n.revision > l.revision) "
             "AND l.deleted = 0 ORDER BY l.name LIMIT ?2";
    case Query::ReplayBounded:
      return "SELECT l.revision, l.name, l.value, l.create_revision, l.deleted, "
             "p.value, p.create_revision, p.revision, p.deleted "
             "FROM log AS l LEFT JOIN log AS p ON p.name = l.name AND p.revision = l.prev_revision "
             "WHERE l.revision > ?1 AND l.revision <= ?2 AND l.name >= ?3 AND l.name < ?4 "
             "ORDER BY l.revision, l.id";
    case Query::ReplayUnbounded:
      return "SELECT l.revision, l.name, l.value, l.create_revision, l.deleted, "
             "p.value, p.create_revision, p.revision, p.deleted "
             "FROM log AS l LEFT JOIN log AS p ON p.name = l.name AND p.revision = l.prev_revision "
             "WHERE l.revision > ?1 AND l.revision <= ?2 AND l.name >= ?3 "
             "ORDER BY l.revision, l.id";
    case Query::CompactSuperseded:
      return "DELETE FROM log WHERE id IN (SELECT p.id FROM log AS n "
             "JOIN log AS p ON p.name = n.name AND p.revision = n.prev_revision "
             "WHERE n.revision > ?1 AND n.revision <= ?2 AND n.prev_revision > 0)";
    case Query::CompactTombstones:
      return "DELETE FROM log WHERE deleted = 1 AND revision > ?1 AND revision <= ?2";
    case Query::EnsureVersionTable:
      return "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)";
    case Query::GetVersion:
      return "SELECT version FROM schema_version";
    case Query::InsertVersion:
      return "INSERT INTO schema_version (version) VALUES (?1)";
    case Query::SetVersion:
      return "UPDATE schema_version SET version = ?1";
    case Query::Count_:
      break;
  }
  return {};
}

const std::vector<sql::Migration>& migrations() {
  // Append only: a released migration never changes, a new schema is a new entry.
  static const std::vector<sql::Migration> list = {
      {1,
       "revisioned log, meta counters, indexes",
       {
           "CREATE TABLE meta ("
           " id INTEGER PRIMARY KEY CHECK (id = 1),"
           " revision INTEGER NOT NULL,"
           " compacted INTEGER NOT NULL)",
           "INSERT INTO meta (id, revision, compacted) VALUES (1, 0, 0)",
           "CREATE TABLE log ("
           " id INTEGER PRIMARY KEY,"
           " revision INTEGER NOT NULL,"
           " name BLOB NOT NULL,"
           " created INTEGER NOT NULL,"
           " deleted INTEGER NOT NULL,"
           " create_revision INTEGER NOT NULL,"
           " prev_revision INTEGER NOT NULL,"
           " value BLOB NOT NULL)",
           "CREATE UNIQUE INDEX log_name_revision ON log (name, revision)",
           "CREATE INDEX log_revision ON log (revision)",
       }},
  };
  return list;
}

}  // namespace orch::store::sqlite
