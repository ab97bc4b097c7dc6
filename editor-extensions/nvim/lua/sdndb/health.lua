-- :checkhealth sdndb — the binary, its version, the databases found and the server state.
local M = {}

-- vim.health.start/ok/... since 0.9; require("health").report_* before (removed in 0.11).
local function reporter()
  local h = vim.health
  if not (h and h.start) then
    local ok, legacy = pcall(require, "health")
    h = ok and legacy or {}
  end
  return {
    start = h.start or h.report_start,
    ok = h.ok or h.report_ok,
    info = h.info or h.report_info,
    warn = h.warn or h.report_warn,
    error = h.error or h.report_error,
  }
end

function M.check()
  local h = reporter()
  local config = require("sdndb.config")
  local server = require("sdndb.server")
  local rpc = require("sdndb.rpc")
  local o = config.get()

  h.start("sdndb: Neovim")
  local v = vim.version()
  local nv = string.format("%d.%d.%d", v.major, v.minor, v.patch)
  if vim.fn.has("nvim-0.7") == 1 then
    h.ok("Neovim " .. nv)
  else
    h.error("Neovim " .. nv .. " is too old; sdndb needs 0.7 or later")
  end

  h.start("sdndb: binary")
  local bin, why = server.binary()
  if not bin then
    h.error("sdndb binary: " .. why, { "Set `binary` in require('sdndb').setup({ binary = '/path/to/sdndb' })" })
  else
    h.ok("binary: " .. bin)
    local out = vim.fn.system({ bin, "--version" })
    if vim.v.shell_error == 0 then
      h.ok("version: " .. vim.trim(out))
    else
      h.warn("`" .. bin .. " --version` failed: " .. vim.trim(out))
    end
  end

  h.start("sdndb: databases")
  h.info("database folder: " .. (o.dir or ("discovered from " .. ((vim.uv or vim.loop).cwd()))))
  h.info("strategy: " .. (o.strategy or "the database's own (server default: merge)"))
  local was_running = server.is_running()
  if bin then
    -- :checkhealth is synchronous by nature: the one place that waits for the server, and
    -- only up to the configured timeout (a stopped server is reported, not waited for).
    local done, dbs, err = false, nil, nil
    server.list_databases(function(d, e)
      done, dbs, err = true, d, e
    end)
    vim.wait(o.timeout, function()
      return done
    end, 10)
    if not done then
      err = "no answer within " .. o.timeout .. " ms (is the server stopped?)"
    end
    if not dbs then
      h.error("cannot list databases: " .. rpc.format_error(err))
    elseif #dbs == 0 then
      h.warn("no databases found", { "Run Neovim in (or below) a folder holding *_db.sdn files, or set `dir`." })
    else
      for _, db in ipairs(dbs) do
        local msg = string.format("%s: %s (%d records, strategy %s)", db.name, db.path or "?", db.count or 0, db.strategy or "?")
        if (db.conflicts or 0) > 0 then
          h.warn(msg .. string.format(", %d unresolved conflict(s)", db.conflicts), { ":Sdndb conflicts" })
        else
          h.ok(msg)
        end
      end
    end
  end

  h.start("sdndb: server")
  if server.is_running() then
    local info = server.info or {}
    local si = info.serverInfo or {}
    h.ok(string.format(
      "%s %s running (pid %s), root %s",
      si.name or "sdndb",
      si.version or "?",
      tostring(server.client.pid),
      tostring(info.root or "?")
    ))
    if not was_running then
      h.info("the server was started for this check")
    end
  elseif server.last_error then
    h.error("not running: " .. server.last_error)
  else
    h.info("not running (it starts on the first :Sdndb command)")
  end
end

return M
