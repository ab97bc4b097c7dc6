-- Defines the :Sdndb command only; everything else loads on first use (see :help sdndb).
if vim.g.loaded_sdndb then
  return
end
vim.g.loaded_sdndb = 1

vim.api.nvim_create_user_command("Sdndb", function(opts)
  require("sdndb").command(opts)
end, {
  nargs = "*",
  bang = true,
  desc = "sdndb: list databases, open one, show and resolve conflicts",
  complete = function(arglead, cmdline, pos)
    return require("sdndb").complete(arglead, cmdline, pos)
  end,
})
