-- A tiny headless test harness (no third-party code, no network).
--   nvim --headless -u NONE -i NONE -n --cmd "set rtp^=editor-extensions/nvim" \
--        -c "luafile editor-extensions/nvim/tests/run.lua"
-- Environment: SDNDB_TEST_FILTER (Lua pattern on "file: test name"), SDNDB_BIN (server binary),
-- SDNDB_TEST_LABEL (prefix of the closing line, e.g. "nvim-0.10.4").
-- Prints one line per test and ends with "[LABEL: ]N passed, N failed"; exits 1 when a test failed.
local uv = vim.uv or vim.loop

local here = debug.getinfo(1, "S").source:sub(2)
local tests_dir = vim.fn.fnamemodify(here, ":p:h")
local plugin_dir = vim.fn.fnamemodify(tests_dir, ":h")

local label = os.getenv("SDNDB_TEST_LABEL")
local closing_prefix = (label and label ~= "") and (label .. ": ") or ""

local function out(s)
  io.stdout:write(s .. "\n")
  io.stdout:flush()
end

local T = {
  plugin_dir = plugin_dir,
  repo_root = vim.fn.fnamemodify(plugin_dir, ":h:h"),
  cases = {},
  after_each = {},
}

function T.test(name, fn)
  T.cases[#T.cases + 1] = { name = (T.current_file or "?") .. ": " .. name, fn = fn }
end

local function fmt(v)
  return type(v) == "string" and string.format("%q", v) or vim.inspect(v)
end

function T.eq(expected, actual, msg)
  if not vim.deep_equal(expected, actual) then
    error(string.format("%sexpected %s, got %s", msg and (msg .. ": ") or "", fmt(expected), fmt(actual)), 2)
  end
end

function T.ok(v, msg)
  if not v then
    error(msg or "expected a true value", 2)
  end
  return v
end

function T.match(s, pat, msg)
  if type(s) ~= "string" or not s:find(pat) then
    error(string.format("%s%s does not match %q", msg and (msg .. ": ") or "", fmt(s), pat), 2)
  end
end

function T.no_match(s, pat, msg)
  if type(s) == "string" and s:find(pat) then
    error(string.format("%s%s matches %q", msg and (msg .. ": ") or "", fmt(s), pat), 2)
  end
end

---Waits until cond() is true (processing events); fails after ms.
function T.wait(cond, ms, msg)
  local ok = vim.wait(ms or 3000, cond, 20)
  if not ok then
    error("timed out: " .. (msg or "condition"), 2)
  end
end

function T.read(path)
  local f = io.open(path, "rb")
  if not f then
    return nil
  end
  local s = f:read("*a")
  f:close()
  return s
end

function T.write(path, s)
  local f = assert(io.open(path, "wb"))
  f:write(s)
  f:close()
end

-- Captures vim.notify messages during a test.
T.notes = {}
local real_notify = vim.notify
vim.notify = function(msg, level, o)
  T.notes[#T.notes + 1] = { msg = tostring(msg), level = level }
  if os.getenv("SDNDB_TEST_VERBOSE") then
    out("    # notify: " .. tostring(msg))
  end
end
function T.noted(pat)
  for _, n in ipairs(T.notes) do
    if n.msg:find(pat) then
      return n
    end
  end
end

-- `-u NONE` skips plugin/ scripts: load ours as a plugin manager would.
vim.cmd("runtime! plugin/sdndb.lua")

-- Load spec files.
local files = vim.fn.glob(tests_dir .. "/*_spec.lua", false, true)
table.sort(files)
local load_failures = 0
for _, f in ipairs(files) do
  T.current_file = vim.fn.fnamemodify(f, ":t:r")
  local ok, err = pcall(function()
    local spec = dofile(f)
    if type(spec) == "function" then
      spec(T)
    end
  end)
  if not ok then
    load_failures = load_failures + 1
    out("not ok - loading " .. f .. ": " .. tostring(err))
  end
end

-- A global watchdog: never hang CI.
local budget = tonumber(os.getenv("SDNDB_TEST_BUDGET") or "") or 240
local watchdog = uv.new_timer()
watchdog:start(budget * 1000, 0, function()
  io.stdout:write("not ok - the test run exceeded " .. budget .. " s\n" .. closing_prefix .. "0 passed, 1 failed\n")
  io.stdout:flush()
  os.exit(1)
end)

local filter = os.getenv("SDNDB_TEST_FILTER")
local passed, failed = 0, load_failures
local n = 0
for _, case in ipairs(T.cases) do
  if not filter or filter == "" or case.name:find(filter) then
    n = n + 1
    T.notes = {}
    local t0 = uv.hrtime()
    local ok, err = xpcall(case.fn, debug.traceback)
    for _, fn in ipairs(T.after_each) do
      local ok2, err2 = pcall(fn)
      if ok and not ok2 then
        ok, err = false, "after_each: " .. tostring(err2)
      end
    end
    -- Neovim announces a deprecated API once (vim.deprecate -> vim.notify_once): the test that
    -- first reaches one fails, so the plugin stays free of them on every version it runs on.
    for _, note in ipairs(T.notes) do
      if ok and note.msg:find("is deprecated") then
        ok, err = false, "deprecation warning: " .. note.msg
      end
    end
    local ms = math.floor((uv.hrtime() - t0) / 1e6)
    if ok then
      passed = passed + 1
      out(string.format("ok %d - %s (%d ms)", n, case.name, ms))
    else
      failed = failed + 1
      out(string.format("not ok %d - %s (%d ms)", n, case.name, ms))
      for line in tostring(err):gmatch("[^\n]+") do
        out("    " .. line)
      end
    end
  end
end

vim.notify = real_notify
pcall(function()
  require("sdndb.server").stop()
end)
watchdog:stop()
out(string.format("%s%d passed, %d failed", closing_prefix, passed, failed))
os.exit(failed > 0 and 1 or 0)
