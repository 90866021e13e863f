// Versioned schema migrations, independent of the SQL engine.
#pragma once
#include "store/sql.h"

namespace orch::store::sql {

// Brings the database to the newest version in dialect.migrations(), one transaction per
// migration, so a crash between two of them leaves a valid older version that the next open
// continues from. Returns the version now in force. Throws StoreError when the database is newer
// than this binary, or (read-only dialects) when it is not fully migrated.
int migrate(Connection& c, const Dialect& dialect);

}  // namespace orch::store::sql
