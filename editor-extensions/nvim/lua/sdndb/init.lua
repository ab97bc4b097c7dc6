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
      -- Never let an error escape into "Error detected while processing BufWriteCmd".
      local ok, err = pcall(function()
        if require("sdndb.record").state[a.buf] then
          require("sdndb.record").write(a.buf)
        else
          view.write(a.buf)
        end
      end)
      if not ok then
        vim.notify("sdndb: nothing was written: " .. tostring(err), vim.log.levels.ERROR)
      end
    end,
  })
  -- :wq and :x: the write is still out when the quit is checked. Quitting is the one moment a
  -- bounded wait for it (the `timeout` option) is better than refusing (E37); a server that
  -- does not answer within it leaves the buffer modified and the quit is refused as usual.
  vim.api.nvim_create_autocmd("QuitPre", {
    group = group,
    callback = function()
      require("sdndb.save").finish_before_quit(vim.api.nvim_get_current_buf())
    end,
  })
  vim.api.nvim_create_autocmd({ "BufWipeout", "BufUnload" }, {
    group = group,
    pattern = view.prefix .. "*",
    callback = function(a)
      view.detach(a.buf)
      require("sdndb.record").state[a.buf] = nil
    end,
  })
  if unsubscribe then
    unsubscribe()
  end
  local off1 = server.on("sdndb/didChange", view.on_did_change)
  local off2 = server.on("sdndb/didChange", function(p)
    require("sdndb.record").on_did_change(p)
  end)
  unsubscribe = function()
    off1()
    off2()
  end
  did_setup = true
  return new
end

function M.ensure_setup()
  if not did_setup then
    M.setup({})
  end
end

---Asks for the databases; prints them unless quiet; cb(list | nil) when answered.
function M.databases(quiet, cb)
  M.ensure_setup()
  cb = cb or function() end
  local server = require("sdndb.server")
  server.list_databases(function(dbs, err)
    if not dbs then
      vim.notify("sdndb: " .. require("sdndb.rpc").format_error(err), vim.log.levels.ERROR)
      return cb(nil)
    end
    if not quiet then
      local plural = require("sdndb.view").plural
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
          chunks[#chunks + 1] = { string.format("  %14s  ", plural(db.count or 0, "record")) }
          if (db.conflicts or 0) > 0 then
            chunks[#chunks + 1] = { plural(db.conflicts, "conflict"), "WarningMsg" }
          else
            chunks[#chunks + 1] = { "no conflicts" }
          end
          chunks[#chunks + 1] = { "  " .. (db.path or ""), "Comment" }
          for _, t in ipairs(db.tables or {}) do
            if t.name and t.name ~= db.table then
              chunks[#chunks + 1] = { "\n  " .. db.name .. "." .. t.name, "Identifier" }
            end
          end
          if i < #dbs then
            chunks[#chunks + 1] = { "\n" }
          end
        end
      end
      vim.api.nvim_echo(chunks, true, {})
    end
    cb(dbs)
  end)
end

---Parses query words: `field=value` filters, `sort=field` (`sort=-field` descending).
---Returns { where, sort, descending } or nil, error.
function M.parse_query(words)
  local q = { where = {} }
  for _, w in ipairs(words) do
    local k, v = w:match("^([^=]+)=(.*)$")
    if not k then
      return nil, "expected field=value or sort=field, got '" .. w .. "'"
    end
    if k == "sort" then
      if v:sub(1, 1) == "-" then
        q.sort, q.descending = v:sub(2), true
      else
        q.sort = v ~= "" and v or nil
      end
    else
      q.where[k] = v
    end
  end
  return q
end

---Opens sdndb://<db> (or <db>.<table>) in the current window, with an optional query.
function M.open(db, query)
  M.ensure_setup()
  return require("sdndb.view").open(db, query)
end

local function current_query()
  local st = require("sdndb.view").state[vim.api.nvim_get_current_buf()]
  return st and vim.deepcopy(st.query)
end

M.subcommands = {
  open = function(a)
    if not a[1] then
      return M.databases()
    end
    local q, err = M.parse_query(vim.list_slice(a, 2))
    if not q then
      return vim.notify("sdndb: " .. err, vim.log.levels.ERROR)
    end
    M.open(a[1], #a > 1 and q or nil)
  end,
  filter = function(a)
    local q, err = M.parse_query(a)
    if not q then
      return vim.notify("sdndb: " .. err, vim.log.levels.ERROR)
    end
    local cur = current_query() or {}
    if #a > 0 then
      q.sort, q.descending = q.sort or cur.sort, q.sort and q.descending or cur.descending
    end
    require("sdndb.view").set_query(vim.api.nvim_get_current_buf(), q)
  end,
  sort = function(a)
    local cur = current_query() or { where = {} }
    local f = a[1]
    cur.sort, cur.descending = nil, nil
    if f and f ~= "" then
      if f:sub(1, 1) == "-" then
        cur.sort, cur.descending = f:sub(2), true
      else
        cur.sort = f
      end
    end
    require("sdndb.view").set_query(vim.api.nvim_get_current_buf(), cur)
  end,
  add = function()
    require("sdndb.actions").add_record(0)
  end,
  status = function(a)
    require("sdndb.actions").set_status(a[1])
  end,
  record = function()
    require("sdndb.record").open_at_cursor()
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
    M.subcommands.open(args)
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
    server.list_databases(function() end) -- offered from the next <Tab> on; never waits
  end
  for _, db in ipairs(dbs or {}) do
    names[#names + 1] = db.name
    for _, t in ipairs(db.tables or {}) do
      if t.name and t.name ~= db.table then
        names[#names + 1] = db.name .. "." .. t.name
      end
    end
  end
  local view = require("sdndb.view")
  local st = view.state[vim.api.nvim_get_current_buf()]
  -- field=value words: fields of the current buffer, values its column holds.
  local function query_words()
    local k = arglead:match("^([^=]+)=")
    if k and st then
      local vals = k == "sort" and vim.deepcopy(st.columns or {}) or require("sdndb.actions").values_for(0, k)
      local list = {}
      for _, v in ipairs(vals) do
        list[#list + 1] = k .. "=" .. v
      end
      add(list)
    elseif st then
      local list = { "sort=" }
      for _, c in ipairs(st.columns or {}) do
        list[#list + 1] = c .. "="
      end
      add(list)
    end
  end
  if #words <= 2 then
    add(vim.tbl_keys(M.subcommands))
    add(names)
  elseif words[2] == "open" or words[2] == "conflicts" then
    if #words == 3 then
      add(names)
    else
      query_words()
    end
  elseif words[2] == "filter" then
    query_words()
  elseif words[2] == "sort" and st then
    add(st.columns or {})
  elseif words[2] == "status" and st then
    add(require("sdndb.actions").values_for(0, "status"))
  elseif not M.subcommands[words[2]] then
    query_words()
  end
  table.sort(out)
  return out
end

return M
