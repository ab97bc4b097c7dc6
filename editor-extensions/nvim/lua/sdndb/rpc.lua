-- A JSON-RPC 2.0 client over stdio with LSP base-protocol framing (Content-Length headers).
-- Works on Neovim 0.7 (vim.loop) and later (vim.uv). Every request is asynchronous: callbacks
-- run in the main loop (vim.schedule), so they may touch buffers and windows. Nothing here
-- waits for the server, except stop_blocking() when Neovim exits.
local uv = vim.uv or vim.loop

local M = {}

M.errors = {
  ParseError = -32700,
  InvalidRequest = -32600,
  MethodNotFound = -32601,
  InvalidParams = -32602,
  InternalError = -32603,
  ServerNotInitialized = -32002,
  RequestCancelled = -32800,
  Conflict = -32010,
  LockTimeout = -32011,
  NotFound = -32012,
  Validation = -32013,
  IoError = -32014,
  Malformed = -32015,
  OutsideWorkspace = -32016,
}

local function encode(msg)
  local body = vim.json.encode(msg)
  return "Content-Length: " .. #body .. "\r\n\r\n" .. body
end
M.encode = encode

local function decode(body)
  local ok, msg = pcall(vim.json.decode, body, { luanil = { object = true } })
  if ok then
    return msg
  end
  return nil, msg
end

---Incremental LSP frame splitter. feed() takes raw bytes and returns complete bodies.
---Chunks are collected in a list while a long body is still arriving (no quadratic copying).
function M.new_framer()
  local buf = "" -- bytes not yet consumed (header and start of the body)
  local parts, have, need = {}, 0, nil -- a long body being collected: chunks, their bytes, total needed
  local framer = {}
  function framer.feed(chunk)
    local bodies = {}
    if need then
      parts[#parts + 1] = chunk
      have = have + #chunk
      if have < need then
        return bodies
      end
      buf = table.concat(parts)
      parts, have, need = {}, 0, nil
    else
      buf = buf .. chunk
    end
    while true do
      local hend = buf:find("\r\n\r\n", 1, true)
      if not hend then
        break
      end
      local header = buf:sub(1, hend - 1)
      local len
      for line in header:gmatch("[^\r\n]+") do
        local k, v = line:match("^%s*([^:]+)%s*:%s*(.-)%s*$")
        if k and k:lower() == "content-length" then
          len = tonumber(v)
        end
      end
      if not len then
        -- Malformed header: drop it and resynchronise on the next one.
        buf = buf:sub(hend + 4)
      else
        local total = hend + 3 + len
        if #buf < total then
          -- Wait for the rest without re-concatenating on every chunk.
          parts, have, need = { buf }, #buf, total
          buf = ""
          break
        end
        bodies[#bodies + 1] = buf:sub(hend + 4, total)
        buf = buf:sub(total + 1)
      end
    end
    return bodies
  end
  return framer
end

local function close_handle(h)
  if h and not h:is_closing() then
    h:close()
  end
end

---Starts `cmd args...` and returns a client, or nil and an error message.
---opts: cwd, on_notification(method, params), on_exit(code, signal)
function M.start(cmd, args, opts)
  opts = opts or {}
  local stdin = uv.new_pipe(false)
  local stdout = uv.new_pipe(false)
  local stderr = uv.new_pipe(false)
  local client = {
    cmd = cmd,
    args = args,
    next_id = 0,
    pending = {},
    stderr_tail = {},
    running = true,
  }

  local handle, pid_or_err = uv.spawn(cmd, {
    args = args,
    cwd = opts.cwd,
    stdio = { stdin, stdout, stderr },
  }, function(code, signal)
    client.running = false
    close_handle(stdin)
    close_handle(stdout)
    close_handle(stderr)
    close_handle(client.handle)
    vim.schedule(function()
      -- Fail every request still waiting for an answer.
      local pending = client.pending
      client.pending = {}
      for _, cb in pairs(pending) do
        cb({ code = M.errors.InternalError, message = "sdndb server exited (code " .. tostring(code) .. ")" })
      end
      if opts.on_exit then
        opts.on_exit(code, signal)
      end
      if client.on_gone then
        client.on_gone()
      end
    end)
  end)
  if not handle then
    close_handle(stdin)
    close_handle(stdout)
    close_handle(stderr)
    return nil, tostring(pid_or_err)
  end
  client.handle = handle
  client.pid = pid_or_err

  local function write(msg)
    if not client.running or stdin:is_closing() then
      return false
    end
    stdin:write(encode(msg))
    return true
  end

  local function handle_message(msg)
    if type(msg) ~= "table" then
      return
    end
    if msg.method ~= nil then
      if msg.id ~= nil then
        -- A request from the server: progress tokens are accepted, the rest is unknown.
        if msg.method == "window/workDoneProgress/create" then
          write({ jsonrpc = "2.0", id = msg.id, result = vim.NIL })
        else
          write({
            jsonrpc = "2.0",
            id = msg.id,
            error = { code = M.errors.MethodNotFound, message = "method not found: " .. msg.method },
          })
        end
      elseif opts.on_notification then
        opts.on_notification(msg.method, msg.params)
      end
    elseif msg.id ~= nil then
      local cb = client.pending[msg.id]
      client.pending[msg.id] = nil
      if cb then
        cb(msg.error, msg.result)
      end
    end
  end

  local framer = M.new_framer()
  stdout:read_start(function(err, data)
    if err or not data then
      close_handle(stdout)
      return
    end
    local bodies = framer.feed(data)
    if #bodies > 0 then
      vim.schedule(function()
        for _, body in ipairs(bodies) do
          local msg = decode(body)
          if type(msg) == "table" and msg[1] ~= nil then
            for _, m in ipairs(msg) do
              handle_message(m)
            end
          else
            handle_message(msg)
          end
        end
      end)
    end
  end)
  stderr:read_start(function(err, data)
    if err or not data then
      close_handle(stderr)
      return
    end
    local tail = client.stderr_tail
    tail[#tail + 1] = data
    if #tail > 50 then
      table.remove(tail, 1)
    end
  end)

  ---Sends a request; callback(err, result) runs in the main loop. Returns the id or nil.
  function client.request(method, params, callback)
    client.next_id = client.next_id + 1
    local id = client.next_id
    client.pending[id] = callback or function() end
    local msg = { jsonrpc = "2.0", id = id, method = method }
    if params ~= vim.NIL then
      msg.params = params or vim.empty_dict()
    end
    if not write(msg) then
      client.pending[id] = nil
      if callback then
        vim.schedule(function()
          callback({ code = M.errors.InternalError, message = "sdndb server is not running" })
        end)
      end
      return nil
    end
    return id
  end

  ---Asks the server to cancel request `id` ($/cancelRequest). The callback stays registered:
  ---the request still gets exactly one answer (-32800 when cancelled in time, else its result),
  ---so the caller learns what really happened.
  function client.cancel(id)
    if id and client.pending[id] then
      client.notify("$/cancelRequest", { id = id })
    end
  end

  function client.notify(method, params)
    local msg = { jsonrpc = "2.0", method = method }
    if params ~= vim.NIL then
      msg.params = params or vim.empty_dict()
    end
    return write(msg)
  end

  ---Asks the server to shut down and exit without waiting; kills it when it has not exited
  ---after timeout ms (a stopped or hung server). on_done() runs once it is gone.
  function client.stop(timeout, on_done)
    if not client.running then
      if on_done then
        vim.schedule(on_done)
      end
      return
    end
    client.request("shutdown", vim.NIL, function()
      client.notify("exit", vim.NIL)
    end)
    local timer = uv.new_timer()
    client.on_gone = function()
      if timer and not timer:is_closing() then
        timer:stop()
        timer:close()
      end
      if on_done then
        on_done()
      end
    end
    timer:start(timeout or 1000, 0, function()
      timer:close()
      if client.running and client.handle and not client.handle:is_closing() then
        -- SIGKILL: a stopped (SIGSTOP) process would never act on SIGTERM.
        client.handle:kill("sigkill")
      end
    end)
  end

  ---Stops the server before Neovim exits: the one place that waits (at most timeout ms).
  function client.stop_blocking(timeout)
    if not client.running then
      return
    end
    client.stop(timeout)
    vim.wait(timeout + 200, function()
      return not client.running
    end, 10)
  end

  function client.is_running()
    return client.running
  end

  return client
end

---Short text for an error object from the server.
function M.format_error(err)
  if type(err) ~= "table" then
    return tostring(err)
  end
  local s = tostring(err.message or "error")
  if err.code then
    s = s .. " (" .. tostring(err.code) .. ")"
  end
  return s
end

return M
