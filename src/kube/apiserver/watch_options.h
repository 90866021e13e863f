// What a watch request asks for: kube-apiserver's ListOptions with watch=true, read from the
// query and validated as it validates them, before the stream starts.
#pragma once
#include <cstdint>
#include <optional>
#include <string>

#include "kube/apiserver/query.h"

namespace orch::kube {

struct WatchOptions {
  std::string label_selector, field_selector;
  // resourceVersion: changes after it are sent; 0 when unset or "0".
  int64_t resource_version = 0;
  // sendInitialEvents (the streaming list, "WatchList"): true sends an ADDED event for every
  // current object first, false none; unset keeps the legacy rule (initial events only when
  // resourceVersion is unset or "0").
  std::optional<bool> send_initial_events;
  // allowWatchBookmarks: BOOKMARK events may be sent. Without it, none ever are.
  bool allow_bookmarks = false;
  int64_t timeout_seconds = 0;  // 0: the watch has no deadline

  // Whether the stream begins with the current objects.
  bool initial_events() const { return send_initial_events.value_or(resource_version == 0); }
  // Whether the initial events end with a BOOKMARK annotated k8s.io/initial-events-end.
  bool initial_events_end() const { return send_initial_events.value_or(false) && allow_bookmarks; }
};

// Malformed numbers and booleans are 400 BadRequest; combinations kube-apiserver forbids
// (resourceVersionMatch without sendInitialEvents, sendInitialEvents without
// resourceVersionMatch=NotOlderThan, ...) are 422 Invalid ListOptions.
WatchOptions watch_options(const Query& q);

}  // namespace orch::kube
