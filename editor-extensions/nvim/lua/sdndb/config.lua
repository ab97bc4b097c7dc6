-- Options of the sdndb plugin: defaults, merging and validation.
local M = {}

---@class sdndb.Config
M.defaults = {
  -- The sdndb executable (a name looked up in $PATH, or a path).
  binary = "sdndb",
  -- The database folder. nil: the server discovers it from the current directory upward
  -- (the nearest folder holding `*_db.sdn` or `.sdndb`).
  dir = nil,
  -- Conflict strategy sent with every edit: "merge" | "error" | "last-write-wins" |
  -- "last-modified-wins". nil: the database's own strategy (the server's default is "merge").
  strategy = nil,
  -- Ask before deleting records whose lines were removed from a buffer.
  confirm_delete = true,
  -- Reload unmodified sdndb:// buffers when a database changes elsewhere (CLI, git, ...).
  auto_refresh = true,
  -- Column separator used in sdndb:// buffers.
  separator = "│",
  -- Milliseconds without a server reply after which a write is cancelled ($/cancelRequest) and
  -- the user is told; nothing ever waits for the server, so typing goes on meanwhile.
  timeout = 5000,
  -- Values longer than this many display cells are shortened in the table view (marked with
  -- "…"; the whole value is in the record view). 0: never shorten.
  max_width = 40,
  -- The values `:Sdndb status` and the cycle keymap step through (field `status`).
  statuses = { "open", "in-progress", "blocked", "closed" },
  -- Values of a new record added with `:Sdndb add` (per column; other cells stay empty).
  template = { status = "open" },
  -- Extra arguments for `sdndb serve` (e.g. { "--log", "/tmp/sdndb.log" }).
  server_args = {},
  -- Buffer-local keymaps in sdndb:// buffers. Set one to false to disable it, or the whole
  -- table to false to disable them all.
  keymaps = {
    resolve = "<localleader>r",
    diff = "<localleader>d",
    refresh = "<localleader>l",
    conflicts = "<localleader>c",
    next_conflict = "]x",
    prev_conflict = "[x",
    open_record = "<CR>",
    add = "<localleader>a",
    cycle_status = "<localleader>s",
    goto_file = "gf",
  },
}

M.strategies = { ["error"] = true, ["last-write-wins"] = true, ["last-modified-wins"] = true, ["merge"] = true }

M.options = vim.deepcopy(M.defaults)

-- (vim.validate changed its signature in 0.11; a small checker works everywhere.)
local function check(name, value, kind, optional)
  if value == nil and optional then
    return
  end
  if type(value) ~= kind then
    error(string.format("sdndb: option '%s' must be a %s, got %s", name, kind, type(value)), 0)
  end
end

local function validate(o)
  check("binary", o.binary, "string")
  check("dir", o.dir, "string", true)
  check("strategy", o.strategy, "string", true)
  check("confirm_delete", o.confirm_delete, "boolean")
  check("auto_refresh", o.auto_refresh, "boolean")
  check("separator", o.separator, "string")
  check("timeout", o.timeout, "number")
  check("server_args", o.server_args, "table")
  check("max_width", o.max_width, "number")
  check("statuses", o.statuses, "table")
  check("template", o.template, "table")
  if o.keymaps ~= false then
    check("keymaps", o.keymaps, "table")
  end
  if o.strategy and not M.strategies[o.strategy] then
    error("sdndb: unknown strategy '" .. o.strategy .. "'")
  end
  if o.separator == "" or o.separator:find("[%s\\]") then
    error("sdndb: separator must be non-empty, without blanks or backslashes")
  end
end

---Merges user options over the defaults; raises a readable error on bad values.
function M.setup(opts)
  opts = opts or {}
  local o = vim.tbl_deep_extend("force", vim.deepcopy(M.defaults), opts)
  if opts.keymaps == false then
    o.keymaps = false
  end
  if opts.statuses then
    o.statuses = opts.statuses -- a list replaces the default list, it is not merged by index
  end
  if o.dir then
    check("dir", o.dir, "string")
    local d = vim.fn.fnamemodify(vim.fn.expand(o.dir), ":p")
    o.dir = #d > 1 and d:gsub("/$", "") or d
  end
  validate(o)
  M.options = o
  return o
end

function M.get()
  return M.options
end

return M
