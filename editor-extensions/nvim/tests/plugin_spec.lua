-- Plugin wiring without a server: command, options, help tags, health.
return function(T)
  T.test("plugin/sdndb.lua defines :Sdndb only", function()
    T.eq(2, vim.fn.exists(":Sdndb"))
    local cmds = vim.api.nvim_get_commands({})
    T.ok(cmds.Sdndb, ":Sdndb")
    T.eq("*", cmds.Sdndb.nargs)
  end)

  T.test("setup merges options over documented defaults and validates them", function()
    local config = require("sdndb.config")
    local o = config.setup({ strategy = "merge", keymaps = { resolve = "gR" } })
    T.eq("merge", o.strategy)
    T.eq("gR", o.keymaps.resolve)
    T.eq("]x", o.keymaps.next_conflict, "other keymaps keep their defaults")
    T.eq("sdndb", o.binary)
    T.eq(false, config.setup({ keymaps = false }).keymaps)
    T.ok(not pcall(config.setup, { strategy = "bogus" }), "unknown strategy refused")
    T.ok(not pcall(config.setup, { timeout = "soon" }), "bad type refused")
    T.ok(not pcall(config.setup, { separator = " " }), "blank separator refused")
    config.setup({})
  end)

  T.test("every option and default keymap is documented", function()
    local doc = T.read(T.plugin_dir .. "/doc/sdndb.txt")
    for k in pairs(require("sdndb.config").defaults) do
      T.match(doc, "%*sdndb%-opt%-" .. k .. "%*", "help tag for option " .. k)
    end
    for _, lhs in pairs(require("sdndb.config").defaults.keymaps) do
      T.match(doc, vim.pesc(lhs), "keymap " .. lhs)
    end
  end)

  T.test("the help file has valid, unique tags", function()
    local dir = (os.getenv("SDNDB_TEST_TMP") or vim.fn.fnamemodify(vim.fn.tempname(), ":h")) .. "/helpdoc"
    vim.fn.mkdir(dir, "p")
    T.write(dir .. "/sdndb.txt", T.read(T.plugin_dir .. "/doc/sdndb.txt"))
    vim.cmd("helptags " .. vim.fn.fnameescape(dir)) -- raises E154 on duplicates
    local tags = "\n" .. T.read(dir .. "/tags")
    for _, tag in ipairs({ "sdndb.txt", ":Sdndb", "sdndb.setup()", "sdndb-conflicts", ":Sdndb-resolve" }) do
      T.match(tags, "\n" .. vim.pesc(tag) .. "\t", "tag " .. tag)
    end
  end)

  T.test("completion offers subcommands", function()
    local c = require("sdndb").complete("con", "Sdndb con", 9)
    T.eq({ "conflicts" }, c)
    local all = require("sdndb").complete("", "Sdndb ", 6)
    T.ok(vim.tbl_contains(all, "resolve"))
  end)

  T.test("a missing binary is reported, not thrown", function()
    require("sdndb").setup({ binary = "/nonexistent/sdndb" })
    local notes = #T.notes
    local dbs = require("sdndb").databases(true)
    T.eq(nil, dbs)
    T.ok(#T.notes > notes, "a notice")
    T.match(T.notes[#T.notes].msg, "not executable")
    vim.cmd("silent checkhealth sdndb")
    local text = table.concat(vim.api.nvim_buf_get_lines(0, 0, -1, false), "\n")
    T.match(text, "ERROR")
    T.match(text, "not executable")
    vim.cmd("silent! tabclose!")
    require("sdndb").setup({})
  end)
end
