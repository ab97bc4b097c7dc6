// HybridClock: timestamps for `modified` that never go backwards, even if the wall clock does.
// Now() returns max(wall clock, last returned/observed + 1 ms) as UTC ISO-8601 with
// milliseconds ("2026-11-26T07:15:30.123Z"). Observe() feeds times seen elsewhere (e.g. the
// newest `modified` in a database file), so a writer whose clock lags still orders after them.
// Thread-safe; one process-wide instance via Global().
#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>

namespace sdndb {

class HybridClock {
 public:
  using WallClock = std::function<int64_t()>;  // unix milliseconds
  explicit HybridClock(WallClock wall = nullptr);

  std::string Now();
  int64_t NowMillis();
  void Observe(std::string_view iso);
  void ObserveMillis(int64_t ms);

  static HybridClock& Global();

 private:
  std::mutex mu_;
  WallClock wall_;
  int64_t last_ = 0;
};

std::string FormatIsoMillis(int64_t unix_ms);           // "2026-11-26T07:15:30.123Z"
bool ParseIsoMillis(std::string_view iso, int64_t* unix_ms);  // false if not that format

}  // namespace sdndb
