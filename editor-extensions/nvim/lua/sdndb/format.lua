-- The text form of a database in an sdndb:// buffer, and back. Pure: no server, no buffers.
--
--   id │ keyword │ area    │ status
--   1  │ TODO    │ codegen │ open
--   2  │ TODO    │ driver  │ closed
--
-- Line 1 is the header (column names). Every other non-blank line is one record; its first
-- cell is the record id (empty for a new record). Cells are trimmed. Inside a cell these
-- escapes are used: \\ (backslash), \n, \r, \t, \s (a space at either end of a value) and a
-- backslash before the separator for a literal separator.
local M = {}

M.hidden_columns = { version = true, modified = true }

-- Display width; plain ASCII (the common case) without a call into Vimscript.
local function width(s)
  if not s:find("[\128-\255\t]") then
    return #s
  end
  return vim.fn.strdisplaywidth(s)
end
M.width = width

-- Marks a value shortened in the table view (the whole value is in the record view).
M.marker = "…"

-- The first `w` display cells of an escaped cell, plus the marker.
local function shorten(cell, w)
  local out = vim.fn.strcharpart(cell, 0, w - 1)
  while width(out) > w - 1 do
    out = vim.fn.strcharpart(out, 0, vim.fn.strchars(out) - 1)
  end
  -- Never end in the middle of an escape (a lone backslash would escape the marker).
  local bs = out:match("\\*$")
  if #bs % 2 == 1 then
    out = out:sub(1, -2)
  end
  return out .. M.marker
end

---The columns shown for a database (id first, without sdndb's version/modified columns; a
---table without version metadata (`versioned: false`) shows a user column of that name).
function M.columns(db)
  local cols = { db.idColumn or "id" }
  local hide = db.versioned ~= false and M.hidden_columns or {}
  for _, c in ipairs(db.columns or {}) do
    if c ~= cols[1] and not hide[c] then
      cols[#cols + 1] = c
    end
  end
  return cols
end

function M.escape(v, sep)
  v = tostring(v == nil and "" or v)
  -- Most values need no escape at all: two searches instead of six substitutions.
  if not v:find("[\\\n\r\t]") and not (sep and sep ~= "" and v:find(sep, 1, true))
    and v:sub(1, 1) ~= " " and v:sub(-1) ~= " " then
    return v
  end
  v = v:gsub("\\", "\\\\")
  v = v:gsub("\n", "\\n"):gsub("\r", "\\r"):gsub("\t", "\\t")
  if sep and sep ~= "" then
    v = v:gsub(vim.pesc(sep), function(m)
      return "\\" .. m
    end)
  end
  v = v:gsub("^ ", "\\s"):gsub(" $", "\\s")
  return v
end

local unescapes = { n = "\n", r = "\r", t = "\t", s = " ", ["\\"] = "\\" }

---Splits a line on unescaped separators; returns raw (still escaped) cells. Jumps from one
---separator or backslash to the next (string.find), so long lines cost little.
function M.split(line, sep)
  local cells = {}
  local sl = #sep
  local start, pos = 1, 1
  local pending = {} -- pieces of a cell that contained escapes
  while true do
    local i = line:find(sep, pos, true)
    local b = line:find("\\", pos, true)
    if b and (not i or b < i) then
      -- An escape: the backslash and what it escapes (a whole separator, or one byte) stay.
      if line:sub(b + 1, b + sl) == sep then
        pos = b + 1 + sl
      else
        pos = b + 2
      end
    elseif i then
      pending[#pending + 1] = line:sub(start, i - 1)
      cells[#cells + 1] = table.concat(pending)
      pending = {}
      start = i + sl
      pos = start
    else
      pending[#pending + 1] = line:sub(start)
      cells[#cells + 1] = table.concat(pending)
      return cells
    end
  end
end

---The id of a record line (its first cell, unescaped), without splitting the whole line.
function M.line_id(line, sep)
  local i = line:find(sep, 1, true)
  local raw = i and line:sub(1, i - 1) or line
  if raw:find("\\", 1, true) then
    raw = M.split(line, sep)[1]
  end
  return M.unescape(raw, sep)
end

---Trims a raw cell and decodes its escapes.
function M.unescape(raw, sep)
  raw = raw:gsub("^%s+", ""):gsub("%s+$", "")
  if not raw:find("\\", 1, true) then
    return raw
  end
  local out, i, n, sl = {}, 1, #raw, #(sep or "")
  while i <= n do
    local c = raw:sub(i, i)
    if c == "\\" and i < n then
      if sl > 0 and raw:sub(i + 1, i + sl) == sep then
        out[#out + 1] = sep
        i = i + 1 + sl
      else
        local e = raw:sub(i + 1, i + 1)
        out[#out + 1] = unescapes[e] or ("\\" .. e)
        i = i + 2
      end
    else
      out[#out + 1] = c
      i = i + 1
    end
  end
  return table.concat(out)
end

local function record_id(rec, idcol)
  if rec.id ~= nil then
    return tostring(rec.id)
  end
  return tostring((rec.fields or {})[idcol] or "")
end

-- The escaped cells of one record (id first).
local function cells_of(columns, rec, sep)
  local row = {}
  local fields = rec.fields or {}
  for i, c in ipairs(columns) do
    local v = (i == 1) and record_id(rec, c) or fields[c]
    row[i] = M.escape(v == vim.NIL and "" or v, sep)
  end
  return row
end

-- Joins cells padded to widths; cells wider than max (>0) are shortened with the marker.
-- Returns the line and { column = shown cell } for the shortened ones (or nil).
local function join(columns, row, widths, sep, max)
  local parts, short = {}, nil
  for i, cell in ipairs(row) do
    local w = width(cell)
    if max and max > 0 and i > 1 and w > max then
      cell = shorten(cell, max)
      short = short or {}
      short[columns[i]] = cell
      w = width(cell)
    end
    if i < #row then
      parts[i] = cell .. string.rep(" ", math.max(0, (widths[i] or 0) - w))
    else
      parts[i] = cell
    end
  end
  return table.concat(parts, " " .. sep .. " "), short
end

-- Widths of escaped rows (header included), each at most max (when > 0).
local function row_widths(columns, rows, sep, max)
  local widths = {}
  for i, c in ipairs(columns) do
    widths[i] = width(M.escape(c, sep))
  end
  for _, row in ipairs(rows) do
    for i, cell in ipairs(row) do
      local w = width(cell)
      if w > widths[i] then
        widths[i] = (max and max > 0 and i > 1 and w > max) and math.max(widths[i], max) or w
      end
    end
  end
  return widths
end

---Column widths for records (header included), each at most max (when > 0).
function M.widths(columns, records, sep, max)
  local rows = {}
  for i, rec in ipairs(records) do
    rows[i] = cells_of(columns, rec, sep)
  end
  return row_widths(columns, rows, sep, max)
end

---One record's line at the given widths. Returns line, shortened ({column = shown} or nil).
function M.render_row(columns, rec, widths, sep, max)
  return join(columns, cells_of(columns, rec, sep), widths, sep, max)
end

---The header line at the given widths.
function M.render_header(columns, widths, sep)
  local row = {}
  for i, c in ipairs(columns) do
    row[i] = M.escape(c, sep)
  end
  return (join(columns, row, widths, sep))
end

---Renders records as lines (line 1 is the header). max > 0 shortens longer values.
---Returns lines, widths, shortened ({id = {column = shown}}). Each cell is escaped once.
function M.render(columns, records, sep, max)
  sep = sep or "│"
  local rows = {}
  for i, rec in ipairs(records) do
    rows[i] = cells_of(columns, rec, sep)
  end
  local widths = row_widths(columns, rows, sep, max)
  local lines = { M.render_header(columns, widths, sep) }
  local shortened = {}
  for i, rec in ipairs(records) do
    local short
    lines[i + 1], short = join(columns, rows[i], widths, sep, max)
    if short then
      shortened[record_id(rec, columns[1])] = short
    end
  end
  return lines, widths, shortened
end

---The edit base of records as rendered: id -> { version, fields, order } (order = position).
function M.base(records)
  local base = {}
  for i, rec in ipairs(records) do
    base[tostring(rec.id)] = { version = rec.version, etag = rec.etag, fields = rec.fields or {}, order = i }
  end
  return base
end

---Parses buffer lines. Returns entries { {lnum, id (nil for new), fields} } and
---errors { {lnum, col (0-based byte), message} }. shortened ({id = {column = shown}}, from
---render) and full ({id = fields}) restore values shown shortened and left as they were.
---rendered ({id = line}): lines still exactly as rendered from full are not split again (their
---entries are marked clean), which keeps a :w of a large buffer cheap.
function M.parse(lines, columns, sep, shortened, full, rendered)
  sep = sep or "│"
  local entries, errors = {}, {}
  local header = lines[1]
  if header == nil then
    errors[#errors + 1] = { lnum = 1, col = 0, message = "the header line is missing" }
    return entries, errors
  end
  local hcells = M.split(header, sep)
  local same = #hcells == #columns
  if same then
    for i, raw in ipairs(hcells) do
      if M.unescape(raw, sep) ~= columns[i] then
        same = false
      end
    end
  end
  if not same then
    errors[#errors + 1] = {
      lnum = 1,
      col = 0,
      message = "line 1 must be the header: " .. table.concat(columns, " " .. sep .. " "),
    }
  end
  local seen = {}
  local as_rendered = {} -- line text -> id (one hash lookup per line instead of a split)
  for id, text in pairs(rendered or {}) do
    as_rendered[text] = id
  end
  for lnum = 2, #lines do
    local line = lines[lnum]
    local cid = as_rendered[line]
    if cid and full and full[cid] and not seen[cid] then
      seen[cid] = lnum
      entries[#entries + 1] = { lnum = lnum, id = cid, fields = full[cid], clean = true }
    elseif line:match("%S") then
      local cells = M.split(line, sep)
      if #cells ~= #columns then
        errors[#errors + 1] = {
          lnum = lnum,
          col = 0,
          message = string.format("expected %d cells separated by '%s', found %d", #columns, sep, #cells),
        }
      else
        local fields = {}
        local id0 = M.unescape(cells[1], sep)
        local short = shortened and shortened[id0]
        local bad
        for i, raw in ipairs(cells) do
          local shown = short and short[columns[i]]
          local trimmed = vim.trim(raw)
          if shown and trimmed == shown then
            fields[columns[i]] = ((full or {})[id0] or {})[columns[i]]
          elseif shown and trimmed:sub(-#M.marker) == M.marker then
            bad = bad or columns[i]
          else
            fields[columns[i]] = M.unescape(raw, sep)
          end
        end
        local id = fields[columns[1]]
        if bad then
          errors[#errors + 1] = {
            lnum = lnum,
            col = 0,
            message = string.format(
              "'%s' is shown shortened (%s); edit it in the record view (<CR>), or replace the whole value",
              bad,
              M.marker
            ),
          }
        end
        if id == "" then
          id = nil
          fields[columns[1]] = nil
        end
        if bad then
          -- reported above
        elseif id and seen[id] then
          errors[#errors + 1] = {
            lnum = lnum,
            col = 0,
            message = string.format("duplicate id '%s' (also on line %d)", id, seen[id]),
          }
        else
          if id then
            seen[id] = lnum
          end
          entries[#entries + 1] = { lnum = lnum, id = id, fields = fields }
        end
      end
    end
  end
  return entries, errors
end

---Compares parsed entries with the base records (id -> {version, fields}).
---Returns { creates = {{lnum, fields}}, edits = {{lnum, id, changes, base}}, deletes = {{id, version}} }.
function M.diff(base, entries, columns)
  local out = { creates = {}, edits = {}, deletes = {} }
  local present = {}
  for _, e in ipairs(entries) do
    local b = e.id and base[e.id]
    if b and e.clean then
      present[e.id] = true
    elseif b then
      present[e.id] = true
      local changes, n = {}, 0
      for i = 2, #columns do
        local c = columns[i]
        local old = b.fields[c]
        if old == nil or old == vim.NIL then
          old = ""
        end
        if e.fields[c] ~= old then
          changes[c] = e.fields[c]
          n = n + 1
        end
      end
      if n > 0 then
        out.edits[#out.edits + 1] = { lnum = e.lnum, id = e.id, changes = changes, base = b }
      end
    else
      local fields = {}
      for c, v in pairs(e.fields) do
        if c ~= columns[1] or v ~= "" then
          fields[c] = v
        end
      end
      if e.id then
        fields[columns[1]] = e.id
      end
      out.creates[#out.creates + 1] = { lnum = e.lnum, fields = fields }
    end
  end
  local missing = {}
  for id in pairs(base) do
    if not present[id] then
      missing[#missing + 1] = id
    end
  end
  table.sort(missing, function(a, b)
    return (base[a].order or 0) < (base[b].order or 0)
  end)
  for _, id in ipairs(missing) do
    out.deletes[#out.deletes + 1] = { id = id, version = base[id].version }
  end
  return out
end

---Finds the line of a record id in buffer lines (nil when absent).
function M.find_line(lines, id, sep)
  sep = sep or "│"
  local eid = M.escape(id, sep)
  for lnum = 2, #lines do
    local l = lines[lnum]
    -- Cheap test first: the line must contain the id's text.
    if l:find(eid, 1, true) and M.line_id(l, sep) == id then
      return lnum
    end
  end
end

return M
