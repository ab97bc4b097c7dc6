-- Unit tests of the line format (no server).
return function(T)
  local format = require("sdndb.format")
  local sep = "│"
  local cols = { "id", "title", "status" }

  -- Parses record lines under the header of `cols`.
  local function parse(rows)
    return format.parse(vim.list_extend({ "id │ title │ status" }, rows), cols, sep)
  end

  T.test("columns: id first, version/modified hidden", function()
    T.eq({ "id", "a", "b" }, format.columns({ columns = { "a", "id", "version", "b", "modified" } }))
    T.eq({ "key", "a" }, format.columns({ idColumn = "key", columns = { "key", "a" } }))
    T.eq({ "skill", "version" }, format.columns({ idColumn = "skill", versioned = false, columns = { "skill", "version" } }),
      "a user's own version column is shown")
  end)

  T.test("render aligns columns and puts the id first", function()
    local lines = format.render(cols, {
      { id = "1", fields = { id = "1", title = "Short", status = "open" } },
      { id = "10", fields = { title = "A longer title", status = "closed" } },
    }, sep)
    T.eq({
      "id │ title          │ status",
      "1  │ Short          │ open",
      "10 │ A longer title │ closed",
    }, lines)
  end)

  T.test("render aligns by display width (multibyte)", function()
    local lines = format.render({ "id", "t", "s" }, {
      { id = "1", fields = { t = "héllo", s = "x" } },
      { id = "2", fields = { t = "ab", s = "y" } },
    }, sep)
    T.eq("1  │ héllo │ x", lines[2])
    T.eq("2  │ ab    │ y", lines[3])
  end)

  T.test("escape and unescape round-trip awkward values", function()
    local values = { "", "plain", " lead", "trail ", "  both  ", "a\\b", "x│y", "line1\nline2", "tab\there",
      "\\n literal", "ends with \\", "│", " " }
    for _, v in ipairs(values) do
      local e = format.escape(v, sep)
      T.ok(not e:find("\n"), "no raw newline in " .. e)
      local cells = format.split("a │ " .. e .. " │ b", sep)
      T.eq(3, #cells, "cells for " .. vim.inspect(v))
      T.eq(v, format.unescape(cells[2], sep), "round trip of " .. vim.inspect(v))
    end
  end)

  T.test("parse reads records and new lines", function()
    local entries, errors = parse({
      "1  │ One   │ open",
      "",
      "   │ New   │ open",
      "x9 │ Mine  │ ",
    })
    T.eq({}, errors)
    T.eq(3, #entries)
    T.eq({ lnum = 2, id = "1", fields = { id = "1", title = "One", status = "open" } }, entries[1])
    T.eq({ lnum = 4, id = nil, fields = { title = "New", status = "open" } }, entries[2])
    T.eq("x9", entries[3].id)
    T.eq("", entries[3].fields.status)
  end)

  T.test("parse reports bad lines with their line numbers", function()
    local _, errors = parse({
      "1 │ One",
      "2 │ Two │ open │ extra",
      "3 │ Three │ open",
      "3 │ Again │ open",
    })
    T.eq(3, #errors)
    T.eq(2, errors[1].lnum)
    T.match(errors[1].message, "expected 3 cells")
    T.eq(3, errors[2].lnum)
    T.eq(5, errors[3].lnum)
    T.match(errors[3].message, "duplicate id '3'")
  end)

  T.test("parse requires the header line", function()
    local _, errors = format.parse({ "1 │ One │ open" }, cols, sep)
    T.eq(1, errors[1].lnum)
    T.match(errors[1].message, "header")
    local _, e2 = format.parse({}, cols, sep)
    T.eq(1, #e2)
  end)

  T.test("diff finds edits (with base), creates and deletes", function()
    local base = format.base({
      { id = "1", version = 3, fields = { id = "1", title = "One", status = "open" } },
      { id = "2", version = 1, fields = { id = "2", title = "Two", status = "open" } },
      { id = "3", version = 7, fields = { id = "3", title = "Three", status = "open" } },
    })
    T.eq({ version = 1, order = 2, fields = { id = "2", title = "Two", status = "open" } }, base["2"])
    local entries = parse({
      "1 │ One │ closed",
      "3 │ Three │ open",
      " │ Fresh │ open",
      "42 │ Chosen id │ open",
    })
    local d = format.diff(base, entries, cols)
    T.eq(1, #d.edits)
    T.eq("1", d.edits[1].id)
    T.eq({ status = "closed" }, d.edits[1].changes)
    T.eq(3, d.edits[1].base.version)
    T.eq(2, #d.creates)
    T.eq({ title = "Fresh", status = "open" }, d.creates[1].fields)
    T.eq({ id = "42", title = "Chosen id", status = "open" }, d.creates[2].fields)
    T.eq({ { id = "2", version = 1 } }, d.deletes)
  end)

  T.test("render then parse gives no diff", function()
    local recs = {
      { id = "a", version = 1, fields = { title = "x│y \\ z", status = " padded " } },
      { id = "b", version = 2, fields = { title = "", status = "multi\nline" } },
    }
    local lines = format.render(cols, recs, sep)
    local entries, errors = format.parse(lines, cols, sep)
    T.eq({}, errors)
    local d = format.diff(format.base(recs), entries, cols)
    T.eq(0, #d.edits + #d.creates + #d.deletes)
  end)

  T.test("find_line locates a record by id", function()
    local lines = { "id │ t", "1 │ a", "22 │ b" }
    T.eq(3, format.find_line(lines, "22", sep))
    T.eq(nil, format.find_line(lines, "2", sep))
  end)
end
