-- One `sdndb serve` process per Neovim session, started on first use.
local config = require("sdndb.config")
local rpc = require("sdndb.rpc")
local uv = vim.uv or vim.loop

local M = {
  client = nil, -- the rpc client while running
  info = nil, -- the initialize result
  last_error = nil, -- text of the last start/exit problem
  listeners = {}, -- method -> { fn, ... }
  databases = nil, -- last sdndb/databases answer (list)
}

M.version = "0.1.0"

---Absolute path of the configured binary, or nil and a reason.
function M.binary()
  local b = config.get().binary
  if b:find("/") then
    local p = vim.fn.fnamemodify(b, ":p")
    if vim.fn.executable(p) == 1 then
      return p
    end
    return nil, "not executable: " .. p
  end
  local p = vim.fn.exepath(b)
  if p ~= "" then
    return p
  end
  return nil, "'" .. b .. "' not found in $PATH"
end

---Registers fn(params) for a server notification. Returns a function that removes it.
function M.on(method, fn)
  M.listeners[method] = M.listeners[method] or {}
  table.insert(M.listeners[method], fn)
  return function()
    for i, f in ipairs(M.listeners[method] or {}) do
      if f == fn then
        table.remove(M.listeners[method], i)
        return
      end
    end
  end
end

local function dispatch(method, params)
  if method == "window/logMessage" and type(params) == "table" and (params.type or 4) <= 2 then
    vim.notify("sdndb: " .. tostring(params.message), params.type == 1 and vim.log.levels.ERROR or vim.log.levels.WARN)
  end
  for _, fn in ipairs(M.listeners[method] or {}) do
    local ok, err = pcall(fn, params)
    if not ok then
      vim.notify("sdndb: " .. method .. " handler failed: " .. tostring(err), vim.log.levels.ERROR)
    end
  end
end

local leave_autocmd
local waiting = {} -- callbacks waiting for the server to be ready: fn(client | nil, err)

function M.is_running()
  return M.client ~= nil and M.client.is_running()
end

local function flush(client, err)
  local list = waiting
  waiting = {}
  for _, fn in ipairs(list) do
    fn(client, err)
  end
end

-- Spawns the server and sends initialize; flushes the waiting callbacks when it answers (or
-- fails, or does not answer within the timeout: the process is then killed).
local function start()
  local o = config.get()
  local bin, why = M.binary()
  if not bin then
    M.last_error = "sdndb binary: " .. why
    return flush(nil, M.last_error)
  end
  local root = o.dir or uv.cwd()
  local args = {}
  if o.dir then
    vim.list_extend(args, { "--dir", o.dir })
  end
  args[#args + 1] = "serve"
  vim.list_extend(args, o.server_args or {})
  local client, err
  client, err = rpc.start(bin, args, {
    cwd = root,
    on_notification = dispatch,
    on_exit = function(code, signal)
      if M.starting == client then
        M.starting = nil
        M.last_error = "sdndb server exited during initialize (code " .. tostring(code) .. ")"
        flush(nil, M.last_error)
      end
      if M.client == client then
        if not M.stopping and (code ~= 0 or (signal or 0) ~= 0) then
          M.last_error = "sdndb server exited (code " .. tostring(code) .. ", signal " .. tostring(signal) .. ")"
          vim.notify("sdndb: " .. M.last_error, vim.log.levels.WARN)
        end
        M.client = nil
        M.info = nil
        M.databases = nil
      end
    end,
  })
  if not client then
    M.last_error = "could not start " .. bin .. ": " .. tostring(err)
    return flush(nil, M.last_error)
  end
  M.starting = client
  local init_opts = vim.empty_dict()
  if o.strategy then
    init_opts = { strategy = o.strategy }
  end
  local timer = uv.new_timer()
  local function done()
    if not timer:is_closing() then
      timer:stop()
      timer:close()
    end
  end
  -- Finding and reading the databases may take a while in a large folder: at least 10 s.
  local limit = math.max(o.timeout, 10000)
  timer:start(limit, 0, vim.schedule_wrap(function()
    done()
    if M.starting == client then
      M.starting = nil
      M.last_error = "the server did not answer initialize within " .. limit .. " ms"
      client.stop(0)
      flush(nil, M.last_error)
    end
  end))
  client.request("initialize", {
    processId = vim.fn.getpid(),
    -- Only an explicit folder is sent as the root: the server stays inside a given root, while
    -- without one it discovers the database folder upward from its working directory (cwd).
    rootPath = o.dir,
    rootUri = o.dir and ("file://" .. o.dir) or nil,
    clientInfo = { name = "sdndb.nvim", version = M.version },
    capabilities = { window = { workDoneProgress = false } },
    initializationOptions = init_opts,
  }, function(ierr, res)
    done()
    if M.starting ~= client then
      return
    end
    M.starting = nil
    if not res then
      M.last_error = "initialize failed: " .. rpc.format_error(ierr)
      local tail = table.concat(client.stderr_tail, "")
      if tail ~= "" then
        M.last_error = M.last_error .. "\n" .. vim.trim(tail)
      end
      client.stop(500)
      return flush(nil, M.last_error)
    end
    client.notify("initialized", vim.empty_dict())
    M.client = client
    M.info = res
    M.last_error = nil
    if not leave_autocmd then
      leave_autocmd = vim.api.nvim_create_autocmd("VimLeavePre", {
        group = vim.api.nvim_create_augroup("sdndb_server", { clear = true }),
        callback = function()
          M.stop(true)
        end,
      })
    end
    flush(client)
  end)
end

---Calls fn(client) once the server runs (starting it if needed), or fn(nil, err). Never waits.
function M.ensure(fn)
  if M.is_running() then
    return fn(M.client)
  end
  waiting[#waiting + 1] = fn
  if not M.starting then
    start()
  end
end

---Sends a request; callback(err, result) runs in the main loop. Never waits.
---opts.on_slow(ticket): called once when no answer came within config timeout ms.
---Returns a ticket: { method, done, cancel() } — cancel() sends $/cancelRequest; the callback still
---gets the one real answer (-32800 when cancelled in time, else the result).
function M.request(method, params, callback, opts)
  opts = opts or {}
  callback = callback or function() end
  local ticket = { method = method, done = false }
  local timer
  local function finish(err, res)
    if ticket.done then
      return
    end
    ticket.done = true
    if timer and not timer:is_closing() then
      timer:stop()
      timer:close()
    end
    callback(err, res)
  end
  function ticket.cancel()
    ticket.cancel_requested = true
    if ticket.client and ticket.id then
      ticket.client.cancel(ticket.id)
    end
  end
  M.ensure(function(client, err)
    if not client then
      return finish({ code = rpc.errors.InternalError, message = err })
    end
    if ticket.cancel_requested then
      return finish({ code = rpc.errors.RequestCancelled, message = method .. " cancelled before it was sent" })
    end
    ticket.client = client
    ticket.id = client.request(method, params, finish)
    if not ticket.id then
      return finish({ code = rpc.errors.InternalError, message = "sdndb server is not running" })
    end
    local ms = opts.timeout or config.get().timeout
    if opts.on_slow and ms and ms > 0 then
      timer = uv.new_timer()
      timer:start(ms, 0, vim.schedule_wrap(function()
        if not ticket.done then
          ticket.slow = true
          opts.on_slow(ticket)
        end
      end))
    end
  end)
  return ticket
end

---The list of databases, asked of the server (M.databases keeps the last answer); cb(list | nil, err).
function M.list_databases(cb)
  M.request("sdndb/databases", vim.empty_dict(), function(err, res)
    if not res then
      return cb(nil, err)
    end
    M.databases = res.databases or {}
    cb(M.databases)
  end)
end

local function find_database(dbs, name)
  for _, db in ipairs(dbs or {}) do
    if db.name == name then
      return db
    end
  end
end

---One database from the cached list (re-read only when the name is not in it); cb(db | nil, err).
function M.database(name, cb)
  local db = find_database(M.databases, name)
  if db then
    return cb(db)
  end
  M.list_databases(function(dbs, err)
    if not dbs then
      return cb(nil, err)
    end
    db = find_database(dbs, name)
    if db then
      return cb(db)
    end
    cb(nil, { code = rpc.errors.NotFound, message = "no database named '" .. name .. "'" })
  end)
end

---Stops the server. exiting=true (VimLeavePre): wait for it, at most a second.
function M.stop(exiting)
  if M.starting then
    M.starting.stop(0)
    M.starting = nil
    flush(nil, "the server was stopped")
  end
  if M.client then
    M.stopping = true
    local c = M.client
    M.client = nil
    M.info = nil
    M.databases = nil -- the next server may serve another folder
    if exiting then
      c.stop_blocking(1000)
      M.stopping = false
    else
      c.stop(1000, function()
        M.stopping = false
      end)
    end
  end
end

return M
