#include "core/db/hlc.h"

#include <doctest/doctest.h>

using namespace sdndb;

TEST_CASE("ISO milliseconds format and parse round-trip") {
  CHECK(FormatIsoMillis(0) == "1970-01-01T00:00:00.000Z");
  CHECK(FormatIsoMillis(1795678530123) == "2026-11-26T07:35:30.123Z");
  int64_t ms = 0;
  REQUIRE(ParseIsoMillis("2026-11-26T07:35:30.123Z", &ms));
  CHECK(ms == 1795678530123);
  for (int64_t t : {int64_t{0}, int64_t{951782400000}, int64_t{1795678530123}, int64_t{4102444799999}}) {
    REQUIRE(ParseIsoMillis(FormatIsoMillis(t), &ms));
    CHECK(ms == t);
  }
  CHECK_FALSE(ParseIsoMillis("2026-11-26", &ms));
  CHECK_FALSE(ParseIsoMillis("2026-13-26T07:35:30.123Z", &ms));
}

TEST_CASE("the clock never goes backwards when the wall clock does") {
  int64_t wall = 1000000;
  HybridClock clock([&] { return wall; });
  int64_t a = clock.NowMillis();
  wall -= 5000;  // wall clock jumps back
  int64_t b = clock.NowMillis();
  int64_t c = clock.NowMillis();
  CHECK(b > a);
  CHECK(c > b);
  clock.Observe(FormatIsoMillis(wall + 100000));  // a newer time seen in a file
  CHECK(clock.NowMillis() > wall + 100000);
  wall += 1000000;
  CHECK(clock.NowMillis() == wall);
}
