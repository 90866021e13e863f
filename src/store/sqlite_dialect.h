// The SQLite backend of the sql.h seam.
#pragma once
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "store/sql.h"
#include "store/store.h"

namespace orch::store::sqlite {

std::unique_ptr<sql::Dialect> make_dialect(const std::string& path, const SqliteOptions& options);

// sqlite_schema.cpp
std::string_view query_text(sql::Query q);
const std::vector<sql::Migration>& migrations();

}  // namespace orch::store::sqlite
