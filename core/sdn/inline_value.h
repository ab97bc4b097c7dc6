// Inline values: `[a, b]`, `{k: v}` and typed-table tuples `(1, 2)`. They may span lines;
// `#` where a token may start comments out the rest of the line; a trailing comma before
// the closing bracket is allowed. Elements that are not one SDN value (dates, several words)
// are kept verbatim as strings and reported through `foreign_text`.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/sdn/lexer.h"
#include "core/sdn/value.h"

namespace sdndb::sdn {

class InlineValueParser {
 public:
  // `max_depth` bounds the bracket nesting (counting from `depth` passed to Parse).
  InlineValueParser(std::string_view text, int max_depth) : text_(text), max_depth_(max_depth) {}

  // Parses the inline value whose opening bracket is at `pos`. On success stores the offset
  // just past the closing bracket in `*end` and, when `out` is non-null, the value.
  // Offsets of verbatim-text elements are appended to `foreign_text` when non-null.
  bool Parse(size_t pos, int depth, size_t* end, Value* out, ScanError* error,
             std::vector<size_t>* foreign_text = nullptr);

 private:
  bool ParseBracket(size_t pos, int depth, size_t* end, Value* out);
  bool ParseElement(size_t pos, int depth, size_t* end, Value* out);
  size_t SkipTrivia(size_t pos) const;  // blanks, line breaks and comments
  bool Fail(size_t pos, std::string message);
  bool FailUnterminated(size_t pos);  // a quote never closed: unrecoverable

  std::string_view text_;
  int max_depth_;
  ScanError* error_ = nullptr;
  std::vector<size_t>* foreign_text_ = nullptr;
};

}  // namespace sdndb::sdn
