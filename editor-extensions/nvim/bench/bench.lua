-- Neovim plugin benchmark on a large database (not a test: it prints figures, asserts nothing
-- about time). Run by editor-extensions/nvim/bench/run.sh:
--   nvim --headless -u NONE -i NONE -n --cmd "set rtp^=editor-extensions/nvim" -c "luafile bench.lua"
-- Environment: SDNDB_BIN (server), BENCH_RECORDS (default 5000), BENCH_DIR (scratch folder).
--
-- What is measured, each as wall time and as the longest the main loop was blocked in one go:
-- a 1 ms libuv timer records the largest gap between its ticks while the step runs ("block");
-- any Lua work longer than that (JSON decoding, rendering) shows up as a gap. On a loaded
-- machine a gap can also be the process waiting for a CPU, so "cpu" is the largest processor
-- time Neovim used between two ticks: the work itself, whatever the load.
--   open      :Sdndb todo until the buffer shows every record (and until the first page shows)
--   write     :w of one changed field until the "written" message (the buffer unmodified);
--             "ui" is how long the :w command itself kept the editor
--   refresh1  a CLI edit of one record until its line shows the new value
--   refreshN  a file rewritten elsewhere with a quarter of the records changed, until shown
local uv = vim.uv or vim.loop

local n = tonumber(os.getenv("BENCH_RECORDS") or "") or 5000
local bin = assert(os.getenv("SDNDB_BIN"), "SDNDB_BIN")
local dir = assert(os.getenv("BENCH_DIR"), "BENCH_DIR")

local function out(s)
  io.stdout:write(s .. "\n")
  io.stdout:flush()
end

local statuses = { "open", "closed", "blocked", "open" }
local areas = { "codegen", "driver", "parser", "runtime", "doc" }
local function row(i, status)
  return string.format(
    '    %d, TODO, %s, P%d, "Description of record %d with some words to make it realistic", src/%s/mod%d.spl, %d, "", "", %s, true',
    i,
    areas[i % #areas + 1],
    i % 4,
    i,
    areas[i % #areas + 1],
    i,
    i % 700 + 1,
    status or statuses[i % #statuses + 1]
  )
end

local function write_db(changed_every)
  local lines = { "todos |id, keyword, area, priority, description, file, line, issue, blocked, status, valid|" }
  for i = 1, n do
    local status
    if changed_every and i % changed_every == 0 then
      status = "in-review"
    end
    lines[#lines + 1] = row(i, status)
  end
  local path = dir .. "/todo_db.sdn"
  local tmp = path .. ".bench-tmp"
  local f = assert(io.open(tmp, "wb"))
  f:write(table.concat(lines, "\n") .. "\n")
  f:close()
  assert(os.rename(tmp, path))
end

vim.fn.mkdir(dir, "p")
write_db(nil)

-- The block meter: the largest gap between ticks of a 1 ms timer.
local meter = { max = 0, last = nil, cpu_max = 0, cpu_last = nil }
local timer = uv.new_timer()
timer:start(1, 1, function()
  local now, cpu = uv.hrtime(), os.clock()
  if meter.last then
    meter.max = math.max(meter.max, (now - meter.last) / 1e6)
    meter.cpu_max = math.max(meter.cpu_max, (cpu - meter.cpu_last) * 1000)
  end
  meter.last, meter.cpu_last = now, cpu
end)
local function meter_reset()
  meter.max, meter.last, meter.cpu_max, meter.cpu_last = 0, uv.hrtime(), 0, os.clock()
end

local function wait(cond, what)
  if not vim.wait(60000, cond, 1) then
    error("bench: timed out waiting for " .. what)
  end
end

-- Lets the meter tick once more, so that a block that ended the step is counted.
local function settle_meter()
  vim.wait(5, function()
    return false
  end, 1)
end

local results = {}
local function record(name, wall, _, extra)
  settle_meter()
  results[#results + 1] = { name = name, wall = wall, block = meter.max, cpu = meter.cpu_max, extra = extra or "" }
  out(string.format("%-9s %8.1f ms   block %6.1f ms   cpu %6.1f ms   %s", name, wall, meter.max, meter.cpu_max,
    extra or ""))
end

vim.cmd("runtime! plugin/sdndb.lua")
local sdndb = require("sdndb")
local view = require("sdndb.view")
local server = require("sdndb.server")
vim.notify = function() end
sdndb.setup({ binary = bin, dir = dir, timeout = 30000 })

-- Start the server first (its start-up is not the plugin's cost).
local started = false
server.ensure(function()
  started = true
end)
wait(function()
  return started
end, "server start")

-- open
meter_reset()
local t0 = uv.hrtime()
vim.cmd("Sdndb todo")
local buf = vim.api.nvim_get_current_buf()
local first_screen
wait(function()
  if not first_screen and vim.api.nvim_buf_line_count(buf) > 1 then
    first_screen = (uv.hrtime() - t0) / 1e6
  end
  return view.state[buf] and view.state[buf].loaded
end, "open")
record("open", (uv.hrtime() - t0) / 1e6, meter.max, string.format("%d lines; first screen after %.1f ms",
  vim.api.nvim_buf_line_count(buf), first_screen or -1))
vim.wait(300, function()
  return false
end)

-- write one change
local st = view.state[buf]
local lnum = view.line_of(buf, tostring(math.floor(n / 2)))
local line = vim.api.nvim_buf_get_lines(buf, lnum - 1, lnum, false)[1]
vim.api.nvim_buf_set_lines(buf, lnum - 1, lnum, false, { (line:gsub("│ TODO ", "│ DONE ", 1)) })
meter_reset()
t0 = uv.hrtime()
vim.cmd("write")
local ui = (uv.hrtime() - t0) / 1e6
wait(function()
  return st.write == nil and not vim.bo[buf].modified
end, "write")
record("write", (uv.hrtime() - t0) / 1e6, meter.max, string.format("ui %.1f ms", ui))
vim.wait(500, function()
  return false
end)

-- refresh of one record changed by the CLI (the CLI's own run time is subtracted: measured
-- from its exit)
local id = tostring(math.floor(n / 3))
local exited
local handle
handle = uv.spawn(bin, { args = { "--dir", dir, "edit", "todo", id, "area=benchmarked" } }, function()
  exited = uv.hrtime()
  handle:close()
end)
wait(function()
  return exited ~= nil
end, "cli")
meter_reset()
-- (polled through the buffer's state, updated together with the lines: scanning 5,000 lines
-- every millisecond would be the benchmark measuring itself)
wait(function()
  local b = st.base[id]
  return b and b.fields.area == "benchmarked"
end, "refresh of one record")
assert(vim.api.nvim_buf_get_lines(buf, 0, -1, false)[view.line_of(buf, id)]:find("benchmarked", 1, true))
record("refresh1", (uv.hrtime() - exited) / 1e6, meter.max, "from the CLI's exit")
vim.wait(500, function()
  return false
end)

-- refresh of many records: the file rewritten with every 4th record changed
local every = 4
meter_reset()
t0 = uv.hrtime()
write_db(every)
local probe = tostring(every * 7)
local last = tostring(n - n % every)
wait(function()
  local a, b = st.base[probe], st.base[last]
  return a and b and a.fields.status == "in-review" and b.fields.status == "in-review"
end, "refresh of many records")
local text = table.concat(vim.api.nvim_buf_get_lines(buf, 0, -1, false), "\n")
local _, shown = text:gsub("in%-review", "")
assert(shown == math.floor(n / every), "every changed record shown: " .. shown)
record("refreshN", (uv.hrtime() - t0) / 1e6, meter.max, string.format("%d records changed", math.floor(n / every)))

timer:stop()
timer:close()
local info = vim.version()
out(string.format("records %d, Neovim %d.%d.%d", n, info.major, info.minor, info.patch))
server.stop(true)
os.exit(0)
