-- sdndb.nvim: project records (todos, features, tasks) in .sdn files, edited as buffers.
local config = require("sdndb.config")

local M = {}

local did_setup = false
local unsubscribe

---Configures the plugin. Safe to call again (options are replaced, the server restarted
---when the binary or the folder changed).
function M.setup(opts)
  local server = require("sdndb.server")
  local view = require("sdndb.view")
  local old = config.get()
  local new = config.setup(opts)
  if did_setup and (old.binary ~= new.binary or old.dir ~= new.dir or old.strategy ~= new.strategy) then
    server.stop()
  end
  local group = vim.api.nvim_create_augroup("sdndb", { clear = true })
  vim.api.nvim_create_autocmd("BufReadCmd", {
    group = group,
    pattern = view.prefix .. "*",
    callback = function(a)
      view.load(a.buf)
    end,
  })
  vim.api.nvim_create_autocmd("BufWriteCmd", {
    group = group,
    pattern = view.prefix .. "*",
    callback = function(a)
      view.write(a.buf)
    end,
  })
  vim.api.nvim_create_autocmd({ "BufWipeout", "BufUnload" }, {
    group = group,
    pattern = view.prefix .. "*",
    callback = function(a)
      view.detach(a.buf)
    end,
  })
  if unsubscribe then
    unsubscribe()
  end
  unsubscribe = server.on("sdndb/didChange", view.on_did_change)
  did_setup = true
  return new
end

function M.ensure_setup()
  if not did_setup then
    M.setup({})
  end
end

---Returns the databases, and prints them unless quiet.
function M.databases(quiet)
  M.ensure_setup()
  local server = require("sdndb.server")
  local dbs, err = server.list_databases()
  if not dbs then
    vim.notify("sdndb: " .. require("sdndb.rpc").format_error(err), vim.log.levels.ERROR)
    return nil
  end
  if not quiet then
    local chunks = {}
    if #dbs == 0 then
      chunks[1] = { "sdndb: no databases found", "WarningMsg" }
    else
      local w = 0
      for _, db in ipairs(dbs) do
        w = math.max(w, #db.name)
      end
      for i, db in ipairs(dbs) do
        chunks[#chunks + 1] = { db.name .. string.rep(" ", w - #db.name), "Identifier" }
        chunks[#chunks + 1] = { string.format("  %5d records  ", db.count or 0) }
        if (db.conflicts or 0) > 0 then
          chunks[#chunks + 1] = { string.format("%d conflict(s)", db.conflicts), "WarningMsg" }
        else
          chunks[#chunks + 1] = { "no conflicts" }
        end
        chunks[#chunks + 1] = { "  " .. (db.path or ""), "Comment" }
        if i < #dbs then
          chunks[#chunks + 1] = { "\n" }
        end
      end
    end
    vim.api.nvim_echo(chunks, true, {})
  end
  return dbs
end

---Opens sdndb://<db> in the current window.
function M.open(db)
  M.ensure_setup()
  return require("sdndb.view").open(db)
end

M.subcommands = {
  open = function(a)
    if not a[1] then
      return M.databases()
    end
    M.open(a[1])
  end,
  conflicts = function(a)
    require("sdndb.conflicts").quickfix(a[1])
  end,
  resolve = function()
    require("sdndb.conflicts").resolve_at_cursor()
  end,
  diff = function()
    require("sdndb.conflicts").diff_at_cursor()
  end,
  refresh = function(_, bang)
    require("sdndb.view").refresh(0, bang)
  end,
  next = function()
    require("sdndb.conflicts").jump(1)
  end,
  prev = function()
    require("sdndb.conflicts").jump(-1)
  end,
  stop = function()
    require("sdndb.server").stop()
  end,
  health = function()
    vim.cmd("checkhealth sdndb")
  end,
}

---The :Sdndb command. `:Sdndb` lists databases, `:Sdndb NAME` opens one, other words are
---subcommands (see :help :Sdndb).
function M.command(opts)
  M.ensure_setup()
  local args = opts.fargs or {}
  if #args == 0 then
    M.databases()
    return
  end
  local name, bang = args[1], opts.bang
  if name:sub(-1) == "!" and M.subcommands[name:sub(1, -2)] then
    -- `:Sdndb refresh!` reads better than `:Sdndb! refresh`; both work.
    name, bang = name:sub(1, -2), true
  end
  local sub = M.subcommands[name]
  if sub then
    sub(vim.list_slice(args, 2), bang)
  else
    M.open(args[1])
  end
end

function M.complete(arglead, cmdline)
  local words = vim.split(cmdline, "%s+", { trimempty = false })
  local out = {}
  local function add(list)
    for _, w in ipairs(list) do
      if w:sub(1, #arglead) == arglead then
        out[#out + 1] = w
      end
    end
  end
  local names = {}
  local server = require("sdndb.server")
  local dbs = server.databases
  if not dbs and did_setup then
    dbs = server.list_databases()
  end
  for _, db in ipairs(dbs or {}) do
    names[#names + 1] = db.name
  end
  if #words <= 2 then
    add(vim.tbl_keys(M.subcommands))
    add(names)
  elseif words[2] == "open" or words[2] == "conflicts" then
    add(names)
  end
  table.sort(out)
  return out
end

return M
