#include "core/db/hlc.h"

#include <chrono>
#include <cstdio>
#include <ctime>

namespace sdndb {

namespace {
int64_t SystemMillis() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

// Days since 1970-01-01 for a proleptic Gregorian date (no time-zone tables needed).
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}
}  // namespace

HybridClock::HybridClock(WallClock wall) : wall_(wall ? std::move(wall) : WallClock(SystemMillis)) {}

int64_t HybridClock::NowMillis() {
  std::lock_guard<std::mutex> lock(mu_);
  int64_t wall = wall_();
  last_ = wall > last_ ? wall : last_ + 1;
  return last_;
}

std::string HybridClock::Now() { return FormatIsoMillis(NowMillis()); }

void HybridClock::ObserveMillis(int64_t ms) {
  std::lock_guard<std::mutex> lock(mu_);
  if (ms > last_) last_ = ms;
}

void HybridClock::Observe(std::string_view iso) {
  int64_t ms;
  if (ParseIsoMillis(iso, &ms)) ObserveMillis(ms);
}

HybridClock& HybridClock::Global() {
  static HybridClock* clock = new HybridClock();
  return *clock;
}

std::string FormatIsoMillis(int64_t unix_ms) {
  int64_t secs = unix_ms / 1000;
  int64_t ms = unix_ms % 1000;
  if (ms < 0) { ms += 1000; secs -= 1; }
  std::time_t t = static_cast<std::time_t>(secs);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms));
  return buf;
}

bool ParseIsoMillis(std::string_view s, int64_t* unix_ms) {
  // Exactly YYYY-MM-DDTHH:MM:SS.mmmZ
  if (s.size() != 24 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' ||
      s[19] != '.' || s[23] != 'Z')
    return false;
  auto num = [&](size_t pos, size_t len, int* out) {
    int v = 0;
    for (size_t i = pos; i < pos + len; ++i) {
      if (s[i] < '0' || s[i] > '9') return false;
      v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
  };
  int y, mo, d, h, mi, se, ms;
  if (!num(0, 4, &y) || !num(5, 2, &mo) || !num(8, 2, &d) || !num(11, 2, &h) || !num(14, 2, &mi) ||
      !num(17, 2, &se) || !num(20, 3, &ms))
    return false;
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60) return false;
  int64_t days = DaysFromCivil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
  *unix_ms = ((days * 24 + h) * 60 + mi) * 60000 + static_cast<int64_t>(se) * 1000 + ms;
  return true;
}

}  // namespace sdndb
