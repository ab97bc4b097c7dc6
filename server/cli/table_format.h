// Text layout for the CLI's human-readable output: display widths of UTF-8 text in a terminal
// (East Asian wide characters and emoji take two columns, combining marks none), cells cut to a
// width, continuation lines of multi-line values, and the typed view of record fields for
// `--json --typed`. Pure functions, no I/O.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace sdndb::cli {

// A cell of `list` is at most this many columns wide unless --wide (terminal or not).
constexpr size_t kMaxCellWidth = 60;

// Columns a terminal uses for `s` (UTF-8; invalid bytes count one column each).
size_t DisplayWidth(std::string_view s);

// `s` on one line (newline shown as "⏎", CR and tab as a space), cut to at most `width` columns
// and then ending with "…". Never splits a character.
std::string Fit(std::string_view s, size_t width);

// `s` followed by spaces up to `width` columns.
std::string Pad(const std::string& s, size_t width);

// A multi-line value laid out after a label `indent` columns wide: lines after the first are
// indented by `indent` columns, so they stay in the value column. CR LF counts as one newline.
std::string IndentContinuation(std::string_view value, size_t indent);

// The typed view of a field value for `--typed`: an integer (-?[0-9]+ without leading zeros,
// within int64) or a decimal (-?digits.digits) becomes a JSON number, true/false a boolean;
// anything else stays the string it is.
nlohmann::ordered_json TypedValue(const std::string& text);

// RecordToJson's object with every value of "fields" replaced by TypedValue.
void TypeRecordFields(nlohmann::ordered_json* record);

}  // namespace sdndb::cli
