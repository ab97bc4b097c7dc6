#include "core/sdn/parser.h"

#include <unordered_set>

#include "core/sdn/lexer.h"

namespace sdndb::sdn {
namespace {

bool IsValueStop(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '"'; }

std::string CellCountMessage(size_t cells, const std::string& table, size_t columns) {
  return "row has " + std::to_string(cells) + (cells == 1 ? " cell" : " cells") + ", table '" + table + "' has " +
         std::to_string(columns) + (columns == 1 ? " column" : " columns");
}

size_t LineStartOf(std::string_view text, size_t pos) {
  while (pos > 0 && text[pos - 1] != '\n') --pos;
  return pos;
}

}  // namespace

std::string FormatDiagnostic(std::string_view file, std::string_view text, size_t pos, int line, int column,
                             std::string_view message) {
  // The line is quoted around the column only (a one-line file may be megabytes long).
  constexpr size_t kContext = 100;  // bytes quoted on each side of the column
  auto is_continuation = [&text](size_t i) { return (static_cast<unsigned char>(text[i]) & 0xC0) == 0x80; };
  const size_t line_start = LineStartOf(text, pos);
  const size_t line_end = lex::LineBreakPos(text, line_start);
  size_t from = line_start, to = line_end;
  if (pos > line_start + kContext) {
    from = pos - kContext;
    while (from < pos && is_continuation(from)) ++from;
  }
  if (line_end > pos + kContext) {
    to = pos + kContext;
    while (to > pos && is_continuation(to)) --to;
  }
  std::string out;
  out.append(file);
  out += ':' + std::to_string(line) + ':' + std::to_string(column) + ": ";
  out.append(CapEcho(message, 300));
  out += '\n';
  std::string before = from > line_start ? "[" + std::to_string(from - line_start) + " bytes cut] " : "";
  out.append(before);
  out.append(text.substr(from, to - from));
  if (to < line_end) out += " [" + std::to_string(line_end - to) + " bytes cut]";
  out += '\n';
  out.append(before.size(), ' ');
  for (size_t i = from; i < pos && i < to; ++i) {
    char c = text[i];
    if (c == '\t') {
      out += '\t';
    } else if (!is_continuation(i)) {
      out += ' ';
    }
  }
  out += '^';
  return out;
}

std::string Parser::Excerpt(std::string_view text) {
  constexpr size_t kMax = 40;
  size_t cut = text.size();
  bool truncated = false;
  if (cut > kMax) {
    cut = kMax;
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
    truncated = true;
  }
  std::string out;
  for (char c : text.substr(0, cut)) {
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else {
      out += c;
    }
  }
  if (truncated) out += "...";
  return out;
}

bool Parser::Fail(size_t pos, const std::string& message) {
  if (pos > text_.size()) pos = text_.size();
  int line = 1 + lex::CountNewlines(text_, 0, pos);
  size_t line_start = LineStartOf(text_, pos);
  int column = lex::CharColumn(text_, line_start, pos);
  error_pos_ = pos;
  error_.line = line;
  error_.column = column;
  error_.message = message;
  error_.report = FormatDiagnostic(options_.file_name, text_, pos, line, column, message);
  status_ = Status::ParseError(error_.report);
  return false;
}

void Parser::RecordProblem(const std::string& table) {
  ++doc_->problem_count_;
  if (doc_->problems_.size() >= options_.max_warnings) return;
  error_.table = table;
  doc_->problems_.push_back(error_);
}

bool Parser::RowFailureIsConfined(const LineInfo& info) {
  const size_t line_end = lex::LineBreakPos(text_, info.content);
  if (!fatal_) {
    if (error_pos_ <= line_end) return true;
  } else if (error_pos_ < line_end) {
    return false;
  }
  fatal_ = false;
  const std::string message = error_.message;
  for (size_t p = info.content; p < line_end; ++p) {
    if (text_[p] != '"') continue;
    const size_t q = lex::FindClosingQuote(text_, p);
    if (q == std::string_view::npos || q >= line_end) {
      Fail(p, "quoted string not closed on its line (the row would run on into the next lines)");
      return true;
    }
    p = q;
  }
  // Something the row opened (a bracket) ran on into the next lines: report it at the row.
  Fail(info.content, "malformed row: " + message + " (on a later line)");
  return true;
}

void Parser::SkipMalformedBlock(Mark start) {
  RecordProblem("");
  Restore(start);
  SkipLine(Measure(pos_));
  while (pos_ < text_.size()) {
    LineInfo info = Measure(pos_);
    if (info.type == LineType::kContent && info.indent == 0) break;
    SkipLine(info);
  }
}

void Parser::Warn(size_t pos, const std::string& message) {
  if (WarningsFull()) return;
  if (pos > text_.size()) pos = text_.size();
  int line;
  if (pos >= pos_) {
    line = line_ + lex::CountNewlines(text_, pos_, pos);
  } else {
    line = 1 + lex::CountNewlines(text_, 0, pos);
  }
  size_t line_start = LineStartOf(text_, pos);
  doc_->warnings_.push_back(Diagnostic{line, lex::CharColumn(text_, line_start, pos), message});
}

Parser::LineInfo Parser::Measure(size_t line_start) const {
  LineInfo info;
  info.start = line_start;
  const size_t n = text_.size();
  size_t i = line_start;
  int indent = 0;
  while (i < n) {
    char c = text_[i];
    if (c == ' ') {
      ++indent;
    } else if (c == '\t') {
      indent += 4;
    } else if (c == '\r' && !lex::AtLineBreak(text_, i)) {
      // a stray carriage return is a blank without width
    } else {
      break;
    }
    ++i;
  }
  info.content = i;
  info.indent = indent;
  if (i >= n) {
    info.type = line_start >= n ? LineType::kEnd : LineType::kBlank;
  } else if (lex::AtLineBreak(text_, i)) {
    info.type = LineType::kBlank;
  } else if (text_[i] == '#') {
    info.type = LineType::kComment;
  } else {
    info.type = LineType::kContent;
  }
  return info;
}

void Parser::MoveTo(size_t pos) {
  if (pos > pos_) line_ += lex::CountNewlines(text_, pos_, pos);
  pos_ = pos;
}

void Parser::SkipLine(const LineInfo& info) {
  size_t next = lex::NextLineStart(text_, info.content);
  if (next > 0 && text_[next - 1] == '\n') ++line_;
  pos_ = next;
}

Parser::LineInfo Parser::SkipTrivia() {
  while (true) {
    LineInfo info = Measure(pos_);
    if (info.type != LineType::kBlank && info.type != LineType::kComment) return info;
    SkipLine(info);
  }
}

Status Parser::Run() {
  const size_t n = text_.size();
  size_t trivia_start = 0;
  std::unordered_set<std::string_view> keys;
  auto add_raw = [&](size_t begin, size_t end) {
    Document::Segment segment;
    segment.text = text_.substr(begin, end - begin);
    doc_->segments_.push_back(std::move(segment));
  };
  while (pos_ < n) {
    LineInfo info = Measure(pos_);
    if (info.type == LineType::kBlank || info.type == LineType::kComment) {
      SkipLine(info);
      continue;
    }
    if (pos_ > trivia_start) add_raw(trivia_start, pos_);
    const size_t start = pos_;
    const Mark start_mark = Save();
    const size_t warnings_before = doc_->warnings_.size();
    std::string key;
    Value value;
    std::unique_ptr<Table> table;
    const bool parsed = info.indent > 0 ? Fail(info.content, "unexpected indentation")
                                        : ParseEntry(info, 0, true, &key, &value, &table);
    if (!parsed) {
      if (fatal_) return status_;
      // A malformed block: kept as raw text up to the next top-level line, reported.
      doc_->warnings_.resize(warnings_before);
      SkipMalformedBlock(start_mark);
      add_raw(start, pos_);
      trivia_start = pos_;
      continue;
    }
    std::string_view key_text = text_.substr(info.content, key.size());
    if (!keys.insert(key_text).second) {
      Warn(info.content, "repeated key '" + key + "' (all occurrences kept)");
    }
    Document::Segment segment;
    if (table != nullptr) {
      table->doc_ = doc_;
      segment.table = static_cast<int>(doc_->tables_.size());
      doc_->tables_.push_back(std::move(table));
    } else {
      segment.text = text_.substr(start, pos_ - start);
      segment.key = std::move(key);
      segment.value = std::move(value);
    }
    doc_->segments_.push_back(std::move(segment));
    trivia_start = pos_;
  }
  if (n > trivia_start) add_raw(trivia_start, n);
  return Status::OK();
}

bool Parser::ParseEntry(const LineInfo& info, int depth, bool top_level, std::string* key, Value* value,
                        std::unique_ptr<Table>* table) {
  const size_t n = text_.size();
  const size_t p = info.content;
  size_t key_end = p;
  while (key_end < n && lex::IsKeyChar(text_[key_end])) ++key_end;
  if (key_end == p) return Fail(p, "expected a key");
  key->assign(text_.substr(p, key_end - p));
  const size_t q = lex::SkipInlineSpace(text_, key_end);
  const char c = q < n ? text_[q] : '\0';
  if (c == '{') {
    const size_t rest = lex::SkipInlineSpace(text_, q + 1);
    if (lex::AtLineEnd(text_, rest) || text_[rest] == '#') {
      key->assign(text_.substr(p, key_end - p));
      return ParseBraceBlock(q, *key, depth + 1, value);
    }
  }
  if (lex::AtLineEnd(text_, q) || (c != ':' && c != '=' && c != '|')) {
    return Fail(q, "expected ':', '=' or '|' after key '" + *key + "'");
  }
  if (!lex::IsBareWord(*key) || lex::IsKeyword(*key)) {
    Warn(p, "key '" + *key + "' is not a plain SDN word");
  }
  if (c == '|') return ParseNamedTable(info, q, depth, top_level, *key, value, table);
  const size_t r = lex::SkipInlineSpace(text_, q + 1);
  const bool rest_empty = lex::AtLineEnd(text_, r) || text_[r] == '#';
  if (c == '=') {
    if (rest_empty) return Fail(r, "expected a value after '='");
    return ParseValueLine(r, depth, value);
  }
  if (rest_empty) {
    // `key:` alone: a nested block when deeper lines follow, otherwise null.
    MoveTo(lex::NextLineStart(text_, r));
    Mark mark = Save();
    LineInfo next = SkipTrivia();
    Restore(mark);
    if (next.type == LineType::kContent && next.indent > info.indent) {
      return ParseBlock(info.indent, depth + 1, value);
    }
    *value = Value::Null();
    return true;
  }
  if (text_[r] == '|') {
    size_t s = r + 1;
    if (s < n && (text_[s] == '-' || text_[s] == '+')) ++s;
    s = lex::SkipInlineSpace(text_, s);
    if (lex::AtLineEnd(text_, s) || text_[s] == '#') {
      Warn(p, "YAML-style text block '" + *key + ": |' kept as raw text");
      MoveTo(lex::NextLineStart(text_, s));
      return ParseTextBlock(info.indent, value);
    }
  }
  if (text_.compare(r, 5, "table") == 0) {
    size_t brace = lex::SkipInlineSpace(text_, r + 5);
    if (brace < n && text_[brace] == '{') {
      return ParseTypedTable(info, brace, depth, top_level, *key, value, table);
    }
  }
  return ParseValueLine(r, depth, value);
}

bool Parser::ParseBlock(int parent_indent, int depth, Value* out) {
  Mark mark = Save();
  LineInfo first = SkipTrivia();
  Restore(mark);
  if (depth > options_.max_depth) {
    return Fail(first.content, "nesting deeper than " + std::to_string(options_.max_depth) + " levels");
  }
  const int block_indent = first.indent;
  // A dict block starts with `key:` / `key =` / `key |`; anything else is an array block.
  size_t k = first.content;
  while (k < text_.size() && lex::IsKeyChar(text_[k])) ++k;
  size_t after_key = lex::SkipInlineSpace(text_, k);
  const bool is_dict = k > first.content && after_key < text_.size() &&
                       (text_[after_key] == ':' || text_[after_key] == '=' || text_[after_key] == '|');
  *out = is_dict ? Value::Dict() : Value::Array();
  std::unordered_set<std::string> keys;
  while (true) {
    Mark before = Save();
    LineInfo info = SkipTrivia();
    if (info.type == LineType::kEnd || info.indent <= parent_indent) {
      Restore(before);
      return true;
    }
    if (info.indent != block_indent) {
      return Fail(info.content, info.indent > block_indent ? "unexpected indentation"
                                                           : "indentation does not match any enclosing block");
    }
    Value value;
    if (is_dict) {
      std::string key;
      if (!ParseEntry(info, depth, false, &key, &value, nullptr)) return false;
      if (!keys.insert(key).second) Warn(info.content, "repeated key '" + key + "' (all occurrences kept)");
      out->entries.emplace_back(std::move(key), std::move(value));
    } else {
      size_t item = info.content;
      if (text_[item] == '-' && (lex::AtLineEnd(text_, item + 1) || lex::AtInlineSpace(text_, item + 1))) {
        // A YAML-style `- item`: the marker is not part of the value (the reference lexer drops
        // the '-' as an unknown character).
        Warn(item, "YAML-style list item: the '- ' marker is not part of the value");
        item = lex::SkipInlineSpace(text_, item + 1);
        if (lex::AtLineEnd(text_, item) || text_[item] == '#') {
          SkipLine(info);
          out->items.push_back(Value::Null());
          continue;
        }
      }
      if (!ParseValueLine(item, depth, &value)) return false;
      out->items.push_back(std::move(value));
    }
  }
}

bool Parser::ParseBraceBlock(size_t open_brace, const std::string& key, int depth, Value* out) {
  if (depth > options_.max_depth) {
    return Fail(open_brace, "nesting deeper than " + std::to_string(options_.max_depth) + " levels");
  }
  Warn(open_brace, "brace block '" + key + " {' (not SDN for the reference parser) read as a dict");
  MoveTo(lex::NextLineStart(text_, open_brace));
  *out = Value::Dict();
  while (true) {
    const LineInfo info = SkipTrivia();
    if (info.type == LineType::kEnd) return Fail(open_brace, "unclosed '{' of block '" + key + "'");
    const size_t p = info.content;
    if (text_[p] == '}') {
      const size_t rest = lex::SkipInlineSpace(text_, p + 1);
      if (!lex::AtLineEnd(text_, rest) && text_[rest] != '#') return Fail(rest, "unexpected text after '}'");
      SkipLine(info);
      return true;
    }
    size_t key_end = p;
    while (key_end < text_.size() && lex::IsKeyChar(text_[key_end])) ++key_end;
    if (key_end == p) return Fail(p, "expected a key or '}' in block '" + key + "'");
    std::string name(text_.substr(p, key_end - p));
    size_t v = lex::SkipInlineSpace(text_, key_end);
    Value value;
    if (v < text_.size() && text_[v] == '{' &&
        (lex::AtLineEnd(text_, lex::SkipInlineSpace(text_, v + 1)) ||
         text_[lex::SkipInlineSpace(text_, v + 1)] == '#')) {
      if (!ParseBraceBlock(v, name, depth + 1, &value)) return false;
    } else {
      if (v < text_.size() && (text_[v] == ':' || text_[v] == '=')) v = lex::SkipInlineSpace(text_, v + 1);
      if (lex::AtLineEnd(text_, v) || text_[v] == '#') {
        SkipLine(info);
      } else if (!ParseValueLine(v, depth, &value)) {
        return false;
      }
    }
    out->entries.emplace_back(std::move(name), std::move(value));
  }
}

bool Parser::ParseValueLine(size_t pos, int depth, Value* out) {
  const size_t n = text_.size();
  const char c = text_[pos];
  size_t value_end = pos;
  CellKind kind;
  Value value;
  std::vector<size_t> foreign;
  if (c == '"') {
    bool glued = false;
    value_end = lex::FindQuotedRunEnd(text_, pos, &glued);
    if (value_end == std::string_view::npos) {
      fatal_ = true;
      return Fail(pos, "unterminated quoted string");
    }
    kind = glued ? CellKind::kDoubledQuotes : CellKind::kQuoted;
  } else if (c == ']' || c == '}') {
    return Fail(pos, std::string("unbalanced '") + c + "'");
  } else if (c == '[' || c == '{') {
    InlineValueParser inline_parser(text_, options_.max_depth);
    ScanError error;
    if (!inline_parser.Parse(pos, depth + 1, &value_end, &value, &error, &foreign)) return Fail(error);
    kind = CellKind::kInline;
  } else {
    while (value_end < n && !IsValueStop(text_[value_end])) ++value_end;
    kind = lex::ClassifyToken(text_.substr(pos, value_end - pos));
  }
  size_t after = lex::SkipInlineSpace(text_, value_end);
  if (lex::AtLineEnd(text_, after) || text_[after] == '#') {
    std::string_view spelling = text_.substr(pos, value_end - pos);
    if (kind != CellKind::kInline) value = lex::TokenValue(spelling, kind);
    if (kind == CellKind::kText && !WarningsFull()) Warn(pos, "unquoted text kept as a string: " + Excerpt(spelling));
    if (kind == CellKind::kDoubledQuotes && !WarningsFull()) {
      Warn(pos, "CSV-style doubled quotes read as one '\"' each: " + Excerpt(value.s));
    }
    for (size_t i = 0; i < foreign.size() && !WarningsFull(); ++i) Warn(foreign[i], "unquoted text kept as a string");
    MoveTo(lex::NextLineStart(text_, after));
    *out = std::move(value);
    return true;
  }
  // Foreign text (several words, a date, ...): kept verbatim up to a comment or the line end.
  size_t last_nonblank = value_end;
  size_t p = value_end;
  ScanError error;
  if (!lex::ScanVerbatim(text_, value_end, "", &last_nonblank, &p, &error, /*reject_stray_closers=*/true)) {
    return Fail(error);
  }
  std::string_view spelling = text_.substr(pos, last_nonblank - pos);
  if (!WarningsFull()) Warn(pos, "unquoted text kept as a string: " + Excerpt(spelling));
  *out = Value::String(std::string(spelling));
  MoveTo(lex::NextLineStart(text_, p));
  return true;
}

bool Parser::ParseTextBlock(int key_indent, Value* out) {
  const size_t start = pos_;
  Mark end = Save();
  int block_indent = -1;
  while (pos_ < text_.size()) {
    LineInfo info = Measure(pos_);
    if (info.type == LineType::kBlank) {
      SkipLine(info);
      continue;
    }
    if (info.type == LineType::kEnd || info.indent <= key_indent) break;
    if (block_indent < 0) block_indent = info.indent;
    SkipLine(info);
    end = Save();
  }
  Restore(end);
  // The value: each line without the block's indentation, line breaks as "\n".
  std::string value;
  size_t line = start;
  while (line < end.pos) {
    size_t brk = lex::LineBreakPos(text_, line);
    size_t i = line;
    int stripped = 0;
    while (i < brk && stripped < block_indent && lex::IsBlank(text_[i])) {
      stripped += text_[i] == '\t' ? 4 : 1;
      ++i;
    }
    value.append(text_.substr(i, brk - i));
    value += '\n';
    line = lex::NextLineStart(text_, brk);
  }
  *out = Value::String(std::move(value));
  return true;
}

bool Parser::ParseColumnList(size_t open, char close_char, std::vector<std::string>* names, size_t* close) {
  size_t p = open + 1;
  size_t name_start = p;
  while (true) {
    if (lex::AtLineEnd(text_, p)) {
      return Fail(open, close_char == '|' ? "unclosed table header: missing '|'"
                                          : "unclosed table type list: missing '}'");
    }
    char c = text_[p];
    if (c == ',' || c == close_char) {
      size_t b = lex::SkipInlineSpace(text_, name_start);
      size_t e = p;
      while (e > b && lex::AtInlineSpace(text_, e - 1)) --e;
      if (e == b) return Fail(b, close_char == '|' ? "empty column name" : "empty type name");
      names->emplace_back(text_.substr(b, e - b));
      if (c == close_char) {
        *close = p;
        return true;
      }
      name_start = p + 1;
    }
    ++p;
  }
}

// A table whose header ends its line: the rows follow, indented. At top level it becomes an
// editable Table; nested in a block it is a read-only Value.
bool Parser::ParseBlockTable(const LineInfo& info, size_t close, size_t after, int depth, bool top_level,
                             const std::string& name, bool typed, std::vector<std::string> columns, Value* value,
                             std::unique_ptr<Table>* table) {
  size_t header_end = lex::NextLineStart(text_, after);
  if (top_level) {
    auto t = std::make_unique<Table>();
    t->name_ = name;
    t->typed_ = typed;
    t->columns_ = std::move(columns);
    t->header_ = text_.substr(info.start, header_end - info.start);
    t->header_close_ = close - info.start;
    t->header_line_ = line_;
    MoveTo(header_end);
    if (!ParseRows(info.indent, depth + 1, name, t->columns_.size(), t.get(), nullptr)) return false;
    *table = std::move(t);
    return true;
  }
  Value v;
  v.kind = Value::Kind::kTable;
  v.typed_table = typed;
  v.columns = std::move(columns);
  MoveTo(header_end);
  if (!ParseRows(info.indent, depth + 1, name, v.columns.size(), nullptr, &v)) return false;
  *value = std::move(v);
  return true;
}

bool Parser::ParseNamedTable(const LineInfo& info, size_t bar, int depth, bool top_level,
                             const std::string& name, Value* value, std::unique_ptr<Table>* table) {
  std::vector<std::string> columns;
  size_t close = 0;
  if (!ParseColumnList(bar, '|', &columns, &close)) return false;
  size_t after = lex::SkipInlineSpace(text_, close + 1);
  if (lex::AtLineEnd(text_, after) || text_[after] == '#') {
    return ParseBlockTable(info, close, after, depth, top_level, name, /*typed=*/false, std::move(columns), value,
                           table);
  }
  // Short form: one row on the header line.
  scratch_cells_.clear();
  size_t row_end = 0;
  if (!ScanTableRow(info.start, after, depth + 1, name, columns.size(), &scratch_cells_, &row_end)) return false;
  Value v;
  v.kind = Value::Kind::kTable;
  v.columns = std::move(columns);
  if (!AppendValueRow(info.start, depth + 1, scratch_cells_, &v)) return false;
  MoveTo(row_end);
  *value = std::move(v);
  return true;
}

bool Parser::ParseTypedTable(const LineInfo& info, size_t brace, int depth, bool top_level,
                             const std::string& name, Value* value, std::unique_ptr<Table>* table) {
  std::vector<std::string> types;
  size_t close = 0;
  if (!ParseColumnList(brace, '}', &types, &close)) return false;
  size_t after = lex::SkipInlineSpace(text_, close + 1);
  if (lex::AtLineEnd(text_, after) || text_[after] == '#') {
    return ParseBlockTable(info, close, after, depth, top_level, name, /*typed=*/true, std::move(types), value,
                           table);
  }
  if (text_[after] != '=') return Fail(after, "expected '=' or the end of the line after 'table{...}'");
  size_t open = lex::SkipInlineSpace(text_, after + 1);
  if (open >= text_.size() || text_[open] != '[') return Fail(open, "expected '[' with the rows of typed table");
  InlineValueParser inline_parser(text_, options_.max_depth);
  ScanError error;
  size_t end = open;
  Value rows;
  std::vector<size_t> foreign;
  if (!inline_parser.Parse(open, depth + 1, &end, &rows, &error, &foreign)) return Fail(error);
  size_t rest = lex::SkipInlineSpace(text_, end);
  if (!lex::AtLineEnd(text_, rest) && text_[rest] != '#') return Fail(rest, "unexpected text after the table rows");
  for (size_t i = 0; i < foreign.size() && !WarningsFull(); ++i) Warn(foreign[i], "unquoted text kept as a string");
  Value v;
  v.kind = Value::Kind::kTable;
  v.typed_table = true;
  v.columns = std::move(types);
  for (Value& row : rows.items) {
    if (row.kind == Value::Kind::kArray) {
      v.items.push_back(std::move(row));
    } else {
      Value single = Value::Array();
      single.items.push_back(std::move(row));
      v.items.push_back(std::move(single));
    }
  }
  MoveTo(lex::NextLineStart(text_, rest));
  *value = std::move(v);
  return true;
}

bool Parser::ScanTableRow(size_t row_start, size_t first, int depth, const std::string& name, size_t column_count,
                          std::vector<CellSpan>* cells, size_t* row_end) {
  const size_t first_cell = cells->size();
  ScanError error;
  if (!ScanRow(text_, row_start, first, depth, options_.max_depth, column_count - 1, cells, row_end, &error)) {
    return Fail(error);
  }
  const size_t count = cells->size() - first_cell;
  if (count != column_count) return Fail(first, CellCountMessage(count, name, column_count));
  const CellSpan* const end = cells->data() + cells->size();
  for (const CellSpan* cell = end - count; cell != end; ++cell) {
    if (cell->kind < CellKind::kText) continue;
    if (WarningsFull()) break;
    const size_t at = row_start + cell->begin;
    const std::string_view spelling = text_.substr(at, cell->len);
    switch (cell->kind) {
      case CellKind::kText:
        Warn(at, "unquoted text kept as a string: " + Excerpt(spelling));
        break;
      case CellKind::kAbsorbed:
        Warn(at, "last cell takes the rest of the line, commas included; kept as text: " + Excerpt(spelling));
        break;
      default:  // kDoubledQuotes
        Warn(at, "CSV-style doubled quotes read as one '\"' each: " + Excerpt(lex::DecodeDoubledQuotes(spelling)));
        break;
    }
  }
  return true;
}

bool Parser::AppendValueRow(size_t row_start, int depth, const std::vector<CellSpan>& cells, Value* value) {
  Value row = Value::Array();
  row.items.reserve(cells.size());
  for (const CellSpan& cell : cells) {
    std::string_view spelling = text_.substr(row_start + cell.begin, cell.len);
    if (cell.kind == CellKind::kInline) {
      InlineValueParser inline_parser(text_, options_.max_depth);
      ScanError error;
      size_t end = 0;
      Value inline_value;
      if (!inline_parser.Parse(row_start + cell.begin, depth + 1, &end, &inline_value, &error)) return Fail(error);
      row.items.push_back(std::move(inline_value));
    } else {
      row.items.push_back(lex::TokenValue(spelling, cell.kind));
    }
  }
  value->items.push_back(std::move(row));
  return true;
}

bool Parser::ParseRows(int header_indent, int depth, const std::string& name, size_t column_count, Table* table,
                       Value* value) {
  const size_t n = text_.size();
  size_t pending = std::string_view::npos;
  int pending_line = 0;
  while (pos_ < n) {
    LineInfo info = Measure(pos_);
    if (info.type == LineType::kBlank || info.type == LineType::kComment) {
      if (pending == std::string_view::npos) {
        pending = pos_;
        pending_line = line_;
      }
      SkipLine(info);
      continue;
    }
    if (info.type == LineType::kEnd || info.indent <= header_indent) break;
    if (pending != std::string_view::npos) {
      if (table != nullptr) {
        Table::Item trivia;
        trivia.text = text_.substr(pending, pos_ - pending);
        table->items_.push_back(trivia);
      }
      pending = std::string_view::npos;
    }
    size_t row_end = 0;
    if (table != nullptr) {
      std::vector<CellSpan>& cells = table->cells_;
      const size_t first_cell = cells.size();
      if (!ScanTableRow(pos_, info.content, depth, name, column_count, &cells, &row_end)) {
        if (!RowFailureIsConfined(info)) return false;
        // A malformed row: its own line is kept as it is and reported; the next line goes on.
        cells.resize(first_cell);
        RecordProblem(name);
        const size_t line_end = lex::NextLineStart(text_, info.content);
        Table::Item bad;
        bad.text = text_.substr(pos_, line_end - pos_);
        bad.malformed = true;
        bad.line = line_;
        table->items_.push_back(bad);
        MoveTo(line_end);
        continue;
      }
      if (table->items_.empty()) {
        // Reserve for the rest of the input at this row's size (bounded by the input size).
        const size_t row_bytes = row_end - pos_ + 1;
        const size_t estimate = (n - pos_) / row_bytes * 3 / 2 + 2;
        table->items_.reserve(estimate);
        table->row_items_.reserve(estimate);
        cells.reserve(estimate * column_count);
      }
      Table::Item item;
      item.text = text_.substr(pos_, row_end - pos_);
      item.is_row = true;
      item.cell_begin = static_cast<uint32_t>(first_cell);
      item.line = line_;
      table->row_items_.push_back(static_cast<uint32_t>(table->items_.size()));
      table->items_.push_back(item);
    } else {
      scratch_cells_.clear();
      if (!ScanTableRow(pos_, info.content, depth, name, column_count, &scratch_cells_, &row_end) ||
          !AppendValueRow(pos_, depth, scratch_cells_, value)) {
        if (!RowFailureIsConfined(info)) return false;
        RecordProblem(name);
        MoveTo(lex::NextLineStart(text_, info.content));
        continue;
      }
    }
    MoveTo(row_end);
  }
  if (pending != std::string_view::npos) {
    pos_ = pending;
    line_ = pending_line;
  }
  if (table != nullptr && table->items_.capacity() > 2 * table->items_.size() + 16) {
    // The reservation guessed from the first row was too generous (more text follows the
    // table); give it back so that many small tables keep memory linear in the input.
    table->items_.shrink_to_fit();
    table->row_items_.shrink_to_fit();
    table->cells_.shrink_to_fit();
  }
  return true;
}

bool Parser::RescanRow(size_t column_count, std::string_view row_text, std::vector<CellSpan>* cells) {
  size_t first = 0;
  while (first < row_text.size() && lex::IsBlank(row_text[first])) ++first;
  if (first >= row_text.size() || lex::AtLineBreak(row_text, first) || row_text[first] == '#') return false;
  const size_t old_size = cells->size();
  size_t end = 0;
  ScanError error;
  if (ScanRow(row_text, 0, first, 1, kDefaultMaxDepth, column_count - 1, cells, &end, &error) &&
      end == row_text.size() &&
      cells->size() - old_size == column_count) {
    return true;
  }
  cells->resize(old_size);
  return false;
}

}  // namespace sdndb::sdn
