-- Small helpers shared by the modules: messages, counts, diagnostics, whole-buffer text.
local M = {}

function M.notify(msg, level)
  vim.notify("sdndb: " .. msg, level or vim.log.levels.INFO)
end

---"1 record", "2 records".
function M.plural(n, word)
  return n .. " " .. word .. (n == 1 and "" or "s")
end

---Diagnostics from { {lnum (1-based), col?, message} }.
function M.error_diagnostics(errors)
  local diags = {}
  for _, e in ipairs(errors) do
    diags[#diags + 1] = {
      lnum = (e.lnum or 1) - 1,
      col = e.col or 0,
      severity = vim.diagnostic.severity.ERROR,
      source = "sdndb",
      message = e.message,
    }
  end
  return diags
end

---Replaces a buffer's text. fresh: the buffer was just opened, so the text gets no undo step.
function M.replace_lines(buf, lines, fresh)
  local ul = vim.bo[buf].undolevels
  if fresh then
    vim.bo[buf].undolevels = -1
  end
  vim.bo[buf].modifiable = true
  vim.api.nvim_buf_set_lines(buf, 0, -1, false, lines)
  if fresh then
    vim.bo[buf].undolevels = ul
  end
end

---The buffer named exactly `name`, or -1. (vim.fn.bufnr() takes a pattern that also matches
---longer names: "sdndb://bug" would find "sdndb://bug.notes".)
function M.buffer_named(name)
  for _, buf in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_get_name(buf) == name then
      return buf
    end
  end
  return -1
end

return M
