#include "core/sdn/inline_value.h"

#include "core/sdn/lexer.h"

namespace sdndb::sdn {
namespace {

char ClosingOf(char open) {
  switch (open) {
    case '[': return ']';
    case '{': return '}';
    default: return ')';
  }
}
bool IsCloser(char c) { return c == ']' || c == '}' || c == ')'; }

}  // namespace

bool InlineValueParser::Fail(size_t pos, std::string message) {
  if (error_ != nullptr) {
    error_->pos = pos;
    error_->message = std::move(message);
  }
  return false;
}

bool InlineValueParser::FailUnterminated(size_t pos) {
  Fail(pos, "unterminated quoted string");
  if (error_ != nullptr) error_->unrecoverable = true;
  return false;
}

bool InlineValueParser::Parse(size_t pos, int depth, size_t* end, Value* out, ScanError* error,
                              std::vector<size_t>* foreign_text) {
  error_ = error;
  foreign_text_ = foreign_text;
  return ParseBracket(pos, depth, end, out);
}

size_t InlineValueParser::SkipTrivia(size_t pos) const {
  while (pos < text_.size()) {
    char c = text_[pos];
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      ++pos;
    } else if (c == '#') {
      pos = lex::LineBreakPos(text_, pos);
    } else {
      break;
    }
  }
  return pos;
}

bool InlineValueParser::ParseBracket(size_t pos, int depth, size_t* end, Value* out) {
  const size_t open_pos = pos;
  const char open = text_[pos];
  const char close = ClosingOf(open);
  if (depth >= max_depth_) {
    return Fail(pos, "nesting deeper than " + std::to_string(max_depth_) + " levels");
  }
  const bool is_dict = open == '{';
  if (out != nullptr) *out = is_dict ? Value::Dict() : Value::Array();
  pos = SkipTrivia(pos + 1);
  while (true) {
    if (pos >= text_.size()) return Fail(open_pos, std::string("unclosed '") + open + "'");
    char c = text_[pos];
    if (c == close) {
      *end = pos + 1;
      return true;
    }
    if (IsCloser(c)) {
      return Fail(pos, std::string("mismatched '") + c + "', expected '" + close + "'");
    }
    if (c == ',') return Fail(pos, "expected a value before ','");
    std::string key;
    if (is_dict) {
      size_t key_end;
      if (c == '"') {
        size_t q = lex::FindClosingQuote(text_, pos);
        if (q == std::string_view::npos) return FailUnterminated(pos);
        if (out != nullptr) key = UnquoteSpelling(text_.substr(pos, q + 1 - pos));
        key_end = q + 1;
      } else {
        key_end = pos;
        while (key_end < text_.size() && lex::IsKeyChar(text_[key_end])) ++key_end;
        if (key_end == pos) return Fail(pos, "expected a key");
        if (out != nullptr) key.assign(text_.substr(pos, key_end - pos));
      }
      size_t colon = lex::SkipInlineSpace(text_, key_end);
      if (colon >= text_.size() || (text_[colon] != ':' && text_[colon] != '=')) {
        return Fail(colon, "expected ':' after key in inline dict");
      }
      pos = SkipTrivia(colon + 1);
      if (pos >= text_.size()) return Fail(open_pos, std::string("unclosed '") + open + "'");
    }
    Value element;
    size_t element_end = pos;
    if (!ParseElement(pos, depth, &element_end, out != nullptr ? &element : nullptr)) return false;
    if (out != nullptr) {
      if (is_dict) {
        out->entries.emplace_back(std::move(key), std::move(element));
      } else {
        out->items.push_back(std::move(element));
      }
    }
    pos = SkipTrivia(element_end);
    if (pos >= text_.size()) return Fail(open_pos, std::string("unclosed '") + open + "'");
    if (text_[pos] == ',') {
      pos = SkipTrivia(pos + 1);
    } else if (!IsCloser(text_[pos])) {
      return Fail(pos, std::string("expected ',' or '") + close + "'");
    }
  }
}

bool InlineValueParser::ParseElement(size_t pos, int depth, size_t* end, Value* out) {
  char c = text_[pos];
  if (c == '[' || c == '{' || c == '(') return ParseBracket(pos, depth + 1, end, out);
  if (c == '"') {
    size_t q = lex::FindClosingQuote(text_, pos);
    if (q == std::string_view::npos) return FailUnterminated(pos);
    size_t after = lex::SkipInlineSpace(text_, q + 1);
    if (after >= text_.size() || text_[after] == ',' || IsCloser(text_[after]) || text_[after] == '#' ||
        lex::AtLineBreak(text_, after)) {
      if (out != nullptr) *out = Value::String(UnquoteSpelling(text_.substr(pos, q + 1 - pos)));
      *end = q + 1;
      return true;
    }
    // Text after a quoted string: fall through to verbatim text.
  }
  // Verbatim chunk up to ',', a closing bracket, a line break or a comment. An opening
  // bracket cannot stand at `pos` (handled above), so one here is inside the value.
  size_t last_nonblank = pos;
  size_t stop = pos;
  ScanError error;
  if (!lex::ScanVerbatim(text_, pos, ",]})[{(", &last_nonblank, &stop, &error)) {
    if (error_ != nullptr) *error_ = std::move(error);
    return false;
  }
  if (stop < text_.size() && (text_[stop] == '[' || text_[stop] == '{' || text_[stop] == '(')) {
    return Fail(stop, std::string("unexpected '") + text_[stop] + "' inside a value");
  }
  if (last_nonblank == pos) return Fail(pos, "expected a value");
  std::string_view chunk = text_.substr(pos, last_nonblank - pos);
  CellKind kind = CellKind::kText;
  bool has_blank = false;
  for (char ch : chunk) has_blank |= lex::IsBlank(ch) || ch == '\r';
  if (!has_blank && chunk[0] != '"') kind = lex::ClassifyToken(chunk);
  if (kind == CellKind::kText && foreign_text_ != nullptr) foreign_text_->push_back(pos);
  if (out != nullptr) *out = lex::TokenValue(chunk, kind);
  *end = last_nonblank;
  return true;
}

}  // namespace sdndb::sdn
