// Property tests of the three-way field merge (>= 1,000 generated cases each).
#include "core/db/merge.h"

#include <doctest/doctest.h>

#include <random>

using namespace sdndb;

namespace {

struct Case {
  std::map<std::string, std::string> base;
  FieldList changes;
  FieldList stored;
};

Case Generate(std::mt19937& rng) {
  const char* values[] = {"a", "b", "c", "", "open", "closed"};
  std::uniform_int_distribution<int> v(0, 5), coin(0, 2), nfields(1, 6);
  Case c;
  int n = nfields(rng);
  for (int i = 0; i < n; ++i) {
    std::string f = "f" + std::to_string(i);
    std::string base = values[v(rng)];
    // Each side keeps the base or changes it.
    std::string theirs = coin(rng) == 0 ? values[v(rng)] : base;
    c.stored.emplace_back(f, theirs);
    if (coin(rng) != 0) c.base[f] = base;           // sometimes the base is unknown
    if (coin(rng) != 0) c.changes.emplace_back(f, coin(rng) == 0 ? base : std::string(values[v(rng)]));
  }
  return c;
}

const std::string* Find(const FieldList& l, const std::string& f) {
  for (const auto& [k, v] : l)
    if (k == f) return &v;
  return nullptr;
}

}  // namespace

TEST_CASE("MergeField truth table") {
  CHECK(MergeField(std::string("a"), "b", "a").value == "b");
  CHECK_FALSE(MergeField(std::string("a"), "b", "a").conflict);
  CHECK(MergeField(std::string("a"), "a", "c").value == "c");
  CHECK(MergeField(std::string("a"), "b", "b").value == "b");
  CHECK(MergeField(std::string("a"), "b", "c").conflict);
  CHECK(MergeField(std::nullopt, "b", "c").conflict);
  CHECK_FALSE(MergeField(std::nullopt, "b", "b").conflict);
}

TEST_CASE("merge properties over generated cases") {
  std::mt19937 rng(20261126);
  int conflicts = 0, cleans = 0;
  for (int i = 0; i < 5000; ++i) {
    Case c = Generate(rng);
    StaleEditMerge m1 = MergeStaleEdit(c.base, c.changes, c.stored);
    StaleEditMerge m2 = MergeStaleEdit(c.base, c.changes, c.stored);
    // Deterministic.
    REQUIRE(m1.clean == m2.clean);
    REQUIRE(m1.conflicts.size() == m2.conflicts.size());
    for (const auto& [field, ours] : c.changes) {
      const std::string& theirs = *Find(c.stored, field);
      const std::string* clean = Find(m1.clean, field);
      bool in_conflict = false;
      for (const auto& fc : m1.conflicts) in_conflict |= fc.field == field;
      auto b0 = c.base.find(field);
      bool unchanged_by_us = b0 != c.base.end() && ours == b0->second;
      // Nothing silently dropped: every real change is applied, already equal, or a conflict.
      REQUIRE((clean ? *clean == ours : false) + (ours == theirs) + in_conflict + unchanged_by_us >= 1);
      REQUIRE(!(clean && in_conflict));
      auto b = c.base.find(field);
      // One-sided changes always merge.
      if (b != c.base.end() && theirs == b->second) {
        REQUIRE_FALSE(in_conflict);
        if (ours != theirs) REQUIRE((clean && *clean == ours));
      }
      if (b != c.base.end() && ours == b->second) {
        REQUIRE_FALSE(in_conflict);
        REQUIRE(clean == nullptr);  // theirs stays
      }
      conflicts += in_conflict;
      cleans += clean != nullptr;
    }
    // merge(base, x, x) = x: an edit equal to what is stored changes nothing and never conflicts.
    StaleEditMerge same = MergeStaleEdit(c.base, c.stored, c.stored);
    REQUIRE(same.clean.empty());
    REQUIRE(same.conflicts.empty());
  }
  // The generator exercises both branches.
  CHECK(conflicts > 100);
  CHECK(cleans > 100);
}
