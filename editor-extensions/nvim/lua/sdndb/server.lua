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

function M.is_running()
  return M.client ~= nil and M.client.is_running()
end

---Starts the server if needed. Returns the client, or nil and an error text.
function M.ensure()
  if M.is_running() then
    return M.client
  end
  local o = config.get()
  local bin, why = M.binary()
  if not bin then
    M.last_error = "sdndb binary: " .. why
    return nil, M.last_error
  end
  local root = o.dir or uv.cwd()
  local args = {}
  if o.dir then
    vim.list_extend(args, { "--dir", o.dir })
  end
  args[#args + 1] = "serve"
  vim.list_extend(args, o.server_args or {})
  local client, err = rpc.start(bin, args, {
    cwd = root,
    on_notification = dispatch,
    on_exit = function(code, signal)
      if M.client and not M.client.is_running() then
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
    return nil, M.last_error
  end
  local init_opts = vim.empty_dict()
  if o.strategy then
    init_opts = { strategy = o.strategy }
  end
  local res, ierr = client.request_sync("initialize", {
    processId = vim.fn.getpid(),
    rootPath = root,
    rootUri = "file://" .. root,
    clientInfo = { name = "sdndb.nvim", version = M.version },
    capabilities = { window = { workDoneProgress = false } },
    initializationOptions = init_opts,
  }, o.timeout)
  if not res then
    M.last_error = "initialize failed: " .. rpc.format_error(ierr)
    local tail = table.concat(client.stderr_tail, "")
    if tail ~= "" then
      M.last_error = M.last_error .. "\n" .. vim.trim(tail)
    end
    client.stop(500)
    return nil, M.last_error
  end
  client.notify("initialized", vim.empty_dict())
  M.client = client
  M.info = res
  M.last_error = nil
  if not leave_autocmd then
    leave_autocmd = vim.api.nvim_create_autocmd("VimLeavePre", {
      group = vim.api.nvim_create_augroup("sdndb_server", { clear = true }),
      callback = function()
        M.stop()
      end,
    })
  end
  return client
end

---Sends a request and waits for the answer. Returns result, err (err has code and message).
function M.request(method, params, timeout)
  local client, err = M.ensure()
  if not client then
    return nil, { code = rpc.errors.InternalError, message = err }
  end
  return client.request_sync(method, params, timeout or config.get().timeout)
end

---Sends a request without waiting; callback(err, result).
function M.request_async(method, params, callback)
  local client, err = M.ensure()
  if not client then
    vim.schedule(function()
      callback({ code = rpc.errors.InternalError, message = err })
    end)
    return
  end
  client.request(method, params, callback)
end

---The list of databases, asked of the server (M.databases keeps the last answer).
function M.list_databases()
  local res, err = M.request("sdndb/databases", vim.empty_dict())
  if not res then
    return nil, err
  end
  M.databases = res.databases or {}
  return M.databases
end

local function find_database(dbs, name)
  for _, db in ipairs(dbs or {}) do
    if db.name == name then
      return db
    end
  end
end

---One database from the cached list; the list is re-read only when the name is not in it.
function M.database(name)
  local db = find_database(M.databases, name)
  if db then
    return db
  end
  local dbs, err = M.list_databases()
  if not dbs then
    return nil, err
  end
  db = find_database(dbs, name)
  if db then
    return db
  end
  return nil, { code = rpc.errors.NotFound, message = "no database named '" .. name .. "'" }
end

function M.stop()
  if M.client then
    M.stopping = true
    local c = M.client
    M.client = nil
    M.info = nil
    M.databases = nil -- the next server may serve another folder
    c.stop(1000)
    M.stopping = false
  end
end

return M
