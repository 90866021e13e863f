// The revisioned key/value log (the Store contract) over any sql::Dialect.
#pragma once
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "store/sql.h"
#include "store/store.h"

namespace orch::store {

// Opens the writer, migrates the schema and starts the delivery thread. Throws StoreError.
std::unique_ptr<Store> make_log_store(std::unique_ptr<sql::Dialect> dialect);

// The smallest byte string greater than every string that starts with prefix, or nullopt when
// there is none (prefix empty or all 0xFF). Lets a prefix become a range [prefix, end) that an
// index can scan, instead of LIKE, whose wildcards would have to be escaped in user keys.
std::optional<std::string> prefix_end(std::string_view prefix);

}  // namespace orch::store
