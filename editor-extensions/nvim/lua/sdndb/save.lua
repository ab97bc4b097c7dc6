-- :w of an sdndb:// table buffer: one batch, sent without waiting.
--
-- The changed lines become one `sdndb/apply` request (one transaction on the server) when the
-- server offers it; older servers get the same changes as pipelined edit/delete/create requests.
-- The buffer stays 'modified' until the answer arrives, so nothing claims to be written before
-- it is. A write not answered within `timeout` ms is cancelled ($/cancelRequest); the server
-- still answers it exactly once, and that answer (cancelled, or applied after all) is reported.
local config = require("sdndb.config")
local format = require("sdndb.format")
local rpc = require("sdndb.rpc")
local server = require("sdndb.server")

local M = {}

local function view()
  return require("sdndb.view")
end

local notify = require("sdndb.util").notify

local function base_of(b)
  return {
    version = b.version,
    etag = b.etag,
    fields = next(b.fields) and b.fields or vim.empty_dict(),
  }
end

---The batch for a diff: { edits = {{id, changes, base}}, creates = {{fields}}, deletes = {{id, baseVersion, base}} }.
function M.batch(st, d)
  local o = config.get()
  local b = { database = st.db, table = st.table, strategy = o.strategy, edits = {}, creates = {}, deletes = {} }
  for _, e in ipairs(d.edits) do
    b.edits[#b.edits + 1] = { id = e.id, changes = e.changes, base = base_of(e.base) }
  end
  for _, c in ipairs(d.creates) do
    b.creates[#b.creates + 1] = { fields = c.fields }
  end
  for _, del in ipairs(d.deletes) do
    b.deletes[#b.deletes + 1] = { id = del.id, baseVersion = del.version, baseEtag = del.etag }
  end
  return b
end

-- One item's answer from a sdndb/apply result (several spellings accepted).
local function item(res, kind, i, offset)
  local list = res[kind]
  local r = type(list) == "table" and list[i] or nil
  if r == nil and type(res.results) == "table" then
    r = res.results[offset + i]
  end
  if type(r) ~= "table" then
    return { err = { code = rpc.errors.InternalError, message = "no answer for this change in the apply result" } }
  end
  if r.error or r.status == "error" then
    return { err = r.error or { code = rpc.errors.InternalError, message = "failed" } }
  end
  return { res = r }
end

local send_each

-- Sends the batch as one sdndb/apply. done(results). A server without the method answers
-- -32601 before doing anything: the batch then goes as separate requests (and from then on).
local function send_apply(batch, on_slow, done, tickets)
  tickets = tickets or {}
  tickets[1] = server.request("sdndb/apply", batch, function(err, res)
    if err and err.code == rpc.errors.MethodNotFound then
      M.apply_missing = server.client -- this server; a restarted one is asked again
      local more = send_each(batch, on_slow, done)
      for i, t in ipairs(more) do
        tickets[i] = t
      end
      return
    end
    local out = { edits = {}, creates = {}, deletes = {} }
    local ne, nd = #batch.edits, #batch.deletes
    for _, kind in ipairs({ "edits", "deletes", "creates" }) do
      for i = 1, #batch[kind] do
        if res then
          local offset = kind == "edits" and 0 or (kind == "deletes" and ne or ne + nd)
          out[kind][i] = item(res, kind, i, offset)
        else
          out[kind][i] = { err = err }
        end
      end
    end
    done(out)
  end, { on_slow = on_slow })
  return tickets
end

-- Sends the batch as separate requests, all at once (edits and deletes, then creates: an id
-- changed on a line is a delete and a create). done(results).
send_each = function(batch, on_slow, done)
  local tickets = {}
  local out = { edits = {}, creates = {}, deletes = {} }
  local left = #batch.edits + #batch.deletes
  local slow_told = false
  local function slow(t)
    if not slow_told then
      slow_told = true
      on_slow(t)
    end
  end
  local function creates()
    local n = #batch.creates
    if n == 0 then
      return done(out)
    end
    for i, c in ipairs(batch.creates) do
      tickets[#tickets + 1] = server.request("sdndb/create", { database = batch.database, table = batch.table,
        fields = c.fields }, function(err, res)
        out.creates[i] = { err = err, res = res }
        n = n - 1
        if n == 0 then
          done(out)
        end
      end, { on_slow = slow })
      if tickets.cancelled then
        tickets[#tickets].cancel()
      end
    end
  end
  if left == 0 then
    creates()
    return tickets
  end
  local function one(kind, i)
    return function(err, res)
      out[kind][i] = { err = err, res = res }
      left = left - 1
      if left == 0 then
        creates()
      end
    end
  end
  for i, e in ipairs(batch.edits) do
    tickets[#tickets + 1] = server.request("sdndb/edit", { database = batch.database, table = batch.table, id = e.id,
      changes = e.changes, base = e.base, strategy = batch.strategy }, one("edits", i), { on_slow = slow })
  end
  for i, del in ipairs(batch.deletes) do
    tickets[#tickets + 1] = server.request("sdndb/delete", { database = batch.database, table = batch.table,
      id = del.id, baseVersion = del.baseVersion, baseEtag = del.baseEtag, strategy = batch.strategy },
      one("deletes", i), { on_slow = slow })
  end
  return tickets
end

-- Replaces the id cell of a line.
local function with_id(line, id)
  local s = config.get().separator
  local cells = format.split(line, s)
  cells[1] = format.escape(id, s) .. " "
  return table.concat(cells, s)
end

local function whole_deleted_elsewhere(c)
  return (c.field == "*" or c.field == nil) and (c.theirs == "<deleted>" or c.deletedBy ~= nil and c.theirs == nil)
end

-- What happened to each change: updates the base, the lines and the diagnostics; tells the user.
local function finish(buf, st, w, results)
  local v = view()
  local conflicts = require("sdndb.conflicts")
  st.write = nil
  if not vim.api.nvim_buf_is_valid(buf) or v.state[buf] ~= st then
    return
  end
  local typed_since = vim.api.nvim_buf_get_changedtick(buf) ~= w.tick
  local counts = { applied = 0, merged = 0, unchanged = 0, created = 0, deleted = 0, conflict = 0 }
  local failed, cancelled, unknown = {}, 0, 0
  local fresh, gone, refetch = {}, {}, {}
  local own = {}
  local function fail(lnum, msg)
    failed[#failed + 1] = { lnum = lnum, message = msg }
  end
  local function track(lnum)
    local m = lnum and vim.api.nvim_buf_get_extmark_by_id(buf, v.ns_track, lnum, {})
    return m and m[1] and (m[1] + 1) or nil
  end
  local function error_kind(err)
    if err and err.code == rpc.errors.RequestCancelled then
      cancelled = cancelled + 1
      return "cancelled"
    elseif err and err.code == rpc.errors.InternalError and tostring(err.message):find("exited") then
      unknown = unknown + 1
      return "unknown"
    end
  end

  for i, e in ipairs(w.diff.edits) do
    local r = w.results.edits[i]
    own[e.id] = true
    local lnum = track(w.marks[e])
    if r.res then
      local outcome = r.res.outcome or "applied"
      counts[outcome] = (counts[outcome] or 0) + 1
      local ghost
      for _, c in ipairs(r.res.conflicts or {}) do
        conflicts.remember_mine(st.db, c)
        if whole_deleted_elsewhere(c) then
          ghost = c
        end
      end
      if ghost then
        st.base[e.id] = nil
        st.ghosts[e.id] = ghost
      elseif type(r.res.record) == "table" and r.res.record.fields then
        fresh[#fresh + 1] = r.res.record
      end
    else
      local kind = error_kind(r.err)
      if kind == "unknown" then
        refetch[#refetch + 1] = e.id
      elseif not kind then
        local err = r.err
        local msg = v.describe_error(err)
        if err and err.code == rpc.errors.Conflict and type(err.data) == "table" then
          local fields = type(err.data.fields) == "table" and table.concat(err.data.fields, ", ") or "?"
          msg = "changed elsewhere (" .. fields .. "); :w again to overwrite, or :Sdndb refresh! to take theirs"
          if type(err.data.record) == "table" and err.data.record.version then
            -- The next :w is based on what is stored now: it overwrites.
            local rec = err.data.record
            st.base[e.id] = { version = rec.version, etag = rec.etag, fields = rec.fields or {}, order = e.base.order }
            st.rendered[e.id] = nil
          end
        elseif err and err.code == rpc.errors.NotFound then
          msg = "record " .. e.id .. " was deleted elsewhere; :w again re-creates it from this line"
          st.base[e.id] = nil
        end
        fail(lnum, msg)
      end
    end
  end
  for i, del in ipairs(w.diff.deletes) do
    local r = w.results.deletes[i]
    own[del.id] = true
    if r.res and r.res.outcome == "conflict" then
      counts.conflict = counts.conflict + 1
      for _, c in ipairs(r.res.conflicts or {}) do
        conflicts.remember_mine(st.db, c)
      end
      st.base[del.id] = nil
      refetch[#refetch + 1] = del.id -- the record stays: show it again
    elseif r.res then
      counts.deleted = counts.deleted + 1
      gone[#gone + 1] = del.id
    else
      local kind = error_kind(r.err)
      if kind == "unknown" then
        refetch[#refetch + 1] = del.id
      elseif not kind then
        fail(nil, "delete of " .. del.id .. " failed: " .. v.describe_error(r.err))
      end
    end
  end
  for i, c in ipairs(w.diff.creates) do
    local r = w.results.creates[i]
    local lnum = track(w.marks[c])
    if r.res and type(r.res.record) == "table" then
      counts.created = counts.created + 1
      local rec = r.res.record
      local id = tostring(rec.id)
      own[id] = true
      if lnum then
        local line = vim.api.nvim_buf_get_lines(buf, lnum - 1, lnum, false)[1]
        local cur = format.line_id(line, config.get().separator)
        if cur ~= id then
          pcall(vim.cmd, "undojoin")
          vim.api.nvim_buf_set_lines(buf, lnum - 1, lnum, false, { with_id(line, id) })
        end
      end
      fresh[#fresh + 1] = rec
    else
      local kind = error_kind(r.err)
      if kind == "unknown" then
        fail(lnum, "the server stopped before answering: this record may or may not have been created; check before :w")
      elseif not kind then
        fail(lnum, v.describe_error(r.err))
      end
    end
  end
  vim.api.nvim_buf_clear_namespace(buf, v.ns_track, 0, -1)

  -- Lines: when the user has not typed since :w, show the stored values (merged fields, aligned
  -- new records) as part of the same undo step; otherwise only the base moves on.
  if typed_since then
    for _, rec in ipairs(fresh) do
      local id = tostring(rec.id)
      st.rendered[id] = nil -- the line no longer shows what the base holds
      local b = st.base[id]
      st.base[id] = { version = rec.version, etag = rec.etag, fields = rec.fields or {}, order = b and b.order or 0 }
    end
    for _, id in ipairs(gone) do
      st.base[id] = nil
    end
  else
    v.apply_records(buf, st, fresh, gone, { join = true })
  end

  vim.diagnostic.set(v.ns_parse, buf, require("sdndb.util").error_diagnostics(failed))

  local parts = {}
  for _, k in ipairs({ "applied", "merged", "created", "deleted", "conflict", "unchanged" }) do
    if (counts[k] or 0) > 0 then
      parts[#parts + 1] = counts[k] .. " " .. k
    end
  end
  if #failed > 0 then
    parts[#parts + 1] = #failed .. " failed"
  end
  if cancelled > 0 then
    parts[#parts + 1] = cancelled .. " cancelled"
  end
  local written = counts.applied + counts.merged + counts.created + counts.deleted + counts.conflict
  local prefix = st.key .. ": "
  if w.slow then
    if written == 0 and cancelled > 0 and #failed == 0 and unknown == 0 then
      prefix = st.key .. ": write cancelled, nothing was written (:w retries): "
    elseif written > 0 then
      prefix = st.key .. ": late answer, the write WAS applied: "
    end
  end
  local pending_refetch = #refetch > 0
  if unknown > 0 then
    prefix = st.key .. ": the server stopped before answering; re-reading: "
  end
  local level = (#failed > 0 or counts.conflict > 0 or cancelled > 0 or unknown > 0) and vim.log.levels.WARN
    or vim.log.levels.INFO
  notify(prefix .. (#parts > 0 and table.concat(parts, ", ") or "nothing written"), level)

  local remaining = #failed > 0 or cancelled > 0 or unknown > 0
  if not typed_since then
    if remaining then
      st.saved_change = nil -- no undo state matches the file now
      vim.bo[buf].modified = true
    else
      v.mark_saved(buf)
    end
  end
  conflicts.refresh_buffer(buf)
  local missed = st.missed_ids
  st.missed_ids = nil
  if pending_refetch then
    M.reconcile(buf, st, refetch, unknown > 0)
  end
  if missed and not vim.bo[buf].modified then
    local ids, removed = {}, {}
    for id, how in pairs(missed) do
      if not own[id] then
        if how == "removed" then
          removed[#removed + 1] = id
        else
          ids[#ids + 1] = id
        end
      end
    end
    if #ids + #removed > 0 then
      v.refresh_ids(buf, ids, removed)
    end
  end
  if w.done then
    w.done(not remaining)
  end
end

---Re-reads records whose outcome is unknown (or that must be shown again) and moves the base on;
---the lines keep what the user typed, so :w sends whatever is still not stored.
function M.reconcile(buf, st, ids, tell)
  local v = view()
  local left = #ids
  local recs, gone = {}, {}
  for _, id in ipairs(ids) do
    server.request("sdndb/get", v.address(st, { id = id }), function(_, res)
      if res and res.record then
        recs[#recs + 1] = res.record
      else
        gone[#gone + 1] = id
      end
      left = left - 1
      if left > 0 or not vim.api.nvim_buf_is_valid(buf) or v.state[buf] ~= st then
        return
      end
      local lines = vim.api.nvim_buf_get_lines(buf, 0, -1, false)
      local map = {}
      for _, r in ipairs(recs) do
        map[tostring(r.id)] = r
      end
      local shown = {}
      for lnum = 2, #lines do
        local id2 = v.id_at(buf, lnum)
        if id2 then
          shown[id2] = true
        end
      end
      -- Records the user still has a line for: only the base moves; the rest is shown again.
      local show = {}
      for id2, r in pairs(map) do
        if shown[id2] then
          local b = st.base[id2]
          st.base[id2] = { version = r.version, etag = r.etag, fields = r.fields or {}, order = b and b.order or 0 }
          st.rendered[id2] = nil
        else
          show[#show + 1] = r
        end
      end
      for _, id2 in ipairs(gone) do
        st.base[id2] = nil
      end
      local was = vim.bo[buf].modified
      if #show > 0 then
        v.apply_records(buf, st, show, {}, { join = true })
      end
      local entries = format.parse(lines, st.columns, config.get().separator, st.shortened, {})
      local d = format.diff(st.base, entries, st.columns)
      local still = #d.edits + #d.creates
      if still > 0 or #d.deletes > 0 then
        vim.bo[buf].modified = true
      else
        v.mark_saved(buf)
      end
      if tell then
        notify(
          string.format(
            "%s: re-read after the server stopped: %s still differ (:w sends them)",
            st.key,
            v.plural(still, "line")
          ),
          still > 0 and vim.log.levels.WARN or vim.log.levels.INFO
        )
      end
      require("sdndb.conflicts").refresh_buffer(buf)
    end)
  end
end

---BufWriteCmd: validates the lines and sends the changes with their bases, without waiting.
---done(ok) runs when the server answered (tests, :Sdndb commands).
function M.write(buf, done)
  local v = view()
  buf = (buf == nil or buf == 0) and vim.api.nvim_get_current_buf() or buf
  local st = v.state[buf]
  if not st or not st.loaded or st.filling then
    notify("nothing was written: the buffer is not loaded yet", vim.log.levels.WARN)
    return false
  end
  if st.write then
    notify(st.key .. ": the last write still waits for the server; nothing sent", vim.log.levels.WARN)
    return false
  end
  local o = config.get()
  local lines = vim.api.nvim_buf_get_lines(buf, 0, -1, false)
  local full = {}
  for id, b in pairs(st.base) do
    full[id] = b.fields
  end
  local entries, errors = format.parse(lines, st.columns, o.separator, st.shortened, full, st.rendered)
  if #errors > 0 then
    v.set_parse_diagnostics(buf, errors)
    notify(string.format("%s: %s with problems (first: line %d); nothing was written", st.key,
      v.plural(#errors, "line"), errors[1].lnum), vim.log.levels.ERROR)
    return false
  end
  vim.diagnostic.reset(v.ns_parse, buf)
  -- Lines of records deleted elsewhere (shown for resolving) are not sent.
  local kept = {}
  for _, e in ipairs(entries) do
    if not (e.id and st.ghosts[e.id]) then
      kept[#kept + 1] = e
    end
  end
  local d = format.diff(st.base, kept, st.columns)
  if #d.edits + #d.creates + #d.deletes == 0 then
    v.mark_saved(buf)
    notify(st.key .. ": no changes")
    if done then
      done(true)
    end
    return true
  end
  if #d.deletes > 0 and o.confirm_delete then
    local ids = {}
    for _, del in ipairs(d.deletes) do
      ids[#ids + 1] = del.id
    end
    local msg = string.format("Delete %s from %s: %s?", v.plural(#ids, "record"), st.key, table.concat(ids, ", "))
    if not v.confirm(msg) then
      notify("write cancelled; nothing was sent", vim.log.levels.WARN)
      return false
    end
  end
  for _, del in ipairs(d.deletes) do
    del.etag = st.base[del.id] and st.base[del.id].etag
  end

  -- Track the lines of edits and creates (the user may keep typing while the write is out).
  local w = { diff = d, tick = vim.api.nvim_buf_get_changedtick(buf), marks = {}, done = done }
  for _, x in ipairs(vim.list_extend(vim.list_extend({}, d.edits), d.creates)) do
    w.marks[x] = vim.api.nvim_buf_set_extmark(buf, v.ns_track, x.lnum - 1, 0, {})
  end
  st.write = w
  local batch = M.batch(st, d)
  local function on_slow()
    if w.slow then
      return
    end
    w.slow = true
    notify(
      string.format(
        "%s: no answer in %d ms; cancelling the write (not written yet)",
        st.key,
        o.timeout
      ),
      vim.log.levels.WARN
    )
    w.tickets = w.tickets or {}
    for _, t in ipairs(w.tickets) do
      t.cancel()
    end
    w.tickets.cancelled = true
  end
  local function answered(results)
    w.results = results
    finish(buf, st, w, results)
  end
  server.ensure(function(client)
    if client and M.use_apply() then
      w.tickets = send_apply(batch, on_slow, answered)
    else
      w.tickets = send_each(batch, on_slow, answered)
    end
  end)
  return true
end

---Before a quit (:wq): waits for a pending write of buf, at most `timeout` ms (by then a write
---not answered is being cancelled anyway).
function M.finish_before_quit(buf)
  local st = view().state[buf] or require("sdndb.record").state[buf]
  if not st or not st.write then
    return
  end
  vim.wait(config.get().timeout, function()
    return st.write == nil
  end, 10)
  if st.write then
    notify(st.key .. ": the write still waits for the server; not quitting", vim.log.levels.WARN)
  end
end

---True unless the server is known not to have sdndb/apply (one transaction per :w): tried
---first, older servers answer "method not found" and get separate requests.
function M.use_apply()
  if M.force_each or (M.apply_missing and M.apply_missing == server.client) then
    return false
  end
  return true
end

return M
