-- Drives `nhi-own lsp` with Neovim's built-in LSP client (0.7 or later),
-- headless, as an editor session would: it opens files, edits buffers, waits
-- for diagnostics and asks for what a user asks for. Run as
--
--   nvim --headless --clean -u NONE -i NONE -n -c 'luafile drive.lua'
--
-- with, in the environment:
--   NHI_OWN_LSP        the `nhi-own` binary
--   NHI_OWN_WORKSPACE  the workspace root (the client's root_dir)
--   NHI_OWN_STEPS      a JSON file: init_options and the list of steps
--   NHI_OWN_OUT        where to write what was seen, as JSON
--
-- Each step is an object with one action key:
--   { open = "rel/path" }                          edit the file, attach the client
--   { wait = "rel/path", code = "rule", absent = bool }
--       wait until the file's published diagnostics hold (or, with absent,
--       do not hold) one with that code (any publication without `code`);
--       reports them as published and as Neovim shows them
--   { request = "textDocument/hover", file = "rel/path", line = 0, character = 0,
--     params = { ... } }                           a request at a position
--   { code_action = "rel/path", code = "rule", apply = bool }
--       the code actions for the file's first diagnostic with that code;
--       with apply, the first preferred action's edit is applied to the buffer
--   { edit = "rel/path", first = 0, last = 0, lines = { ... } }
--       replace buffer lines [first, last) (0-based, end exclusive), unsaved
--   { lines = "rel/path" }                         the buffer's lines
--
-- The output is { steps = { <one result per step> }, exit = { code, signal } }
-- or, when the script fails, the same with `error` set.

local TIMEOUT = 10000

local env = function(name)
  local value = os.getenv(name)
  if value == nil or value == '' then
    error('missing environment variable ' .. name)
  end
  return value
end

local encode = vim.json and vim.json.encode or vim.fn.json_encode
local decode = vim.json and vim.json.decode or vim.fn.json_decode

local out_path = env('NHI_OWN_OUT')
local output = { steps = {} }

local function write_output()
  local file = assert(io.open(out_path, 'w'))
  file:write(encode(output))
  file:close()
end

local function run()
  local binary = env('NHI_OWN_LSP')
  local root = env('NHI_OWN_WORKSPACE')
  local plan = decode(table.concat(vim.fn.readfile(env('NHI_OWN_STEPS')), '\n'))

  -- Every publication, per URI, in arrival order.
  local published = {}
  local exited = nil
  local client_id = vim.lsp.start_client({
    name = 'nhi-own',
    cmd = { binary, 'lsp' },
    root_dir = root,
    init_options = plan.init_options,
    handlers = {
      ['textDocument/publishDiagnostics'] = function(err, result, ctx, config)
        published[result.uri] = published[result.uri] or {}
        table.insert(published[result.uri], result)
        return vim.lsp.diagnostic.on_publish_diagnostics(err, result, ctx, config)
      end,
    },
    on_exit = function(code, signal)
      exited = { code = code, signal = signal }
    end,
  })
  if client_id == nil then
    error('vim.lsp.start_client did not start ' .. binary)
  end
  local client = vim.lsp.get_client_by_id(client_id)

  -- Edited buffers stay unsaved while others are opened.
  vim.o.hidden = true
  local buffers = {}
  local function path_of(rel)
    return root .. '/' .. rel
  end
  local function uri_of(rel)
    return vim.uri_from_fname(path_of(rel))
  end
  local function buffer(rel)
    local bufnr = buffers[rel]
    if bufnr == nil then
      error('not open: ' .. rel)
    end
    return bufnr
  end
  local function latest(rel)
    local list = published[uri_of(rel)]
    return list and list[#list] or nil
  end
  local function has_code(publication, code)
    for _, d in ipairs(publication.diagnostics) do
      if d.code == code then
        return true
      end
    end
    return false
  end

  for index, step in ipairs(plan.steps) do
    local result = {}
    if exited ~= nil then
      error(string.format('the server exited (code %s, signal %s) before step %d',
        tostring(exited.code), tostring(exited.signal), index))
    end
    if step.open then
      vim.cmd('edit ' .. vim.fn.fnameescape(path_of(step.open)))
      local bufnr = vim.api.nvim_get_current_buf()
      buffers[step.open] = bufnr
      result.attached = vim.lsp.buf_attach_client(bufnr, client_id)
      result.uri = vim.uri_from_bufnr(bufnr)
    elseif step.wait then
      local bufnr = buffer(step.wait)
      result.met = vim.wait(TIMEOUT, function()
        local last = latest(step.wait)
        if last == nil then
          return false
        end
        if step.code == nil then
          return true
        end
        return has_code(last, step.code) ~= (step.absent == true)
      end, 20)
      local last = latest(step.wait)
      result.published = last and last.diagnostics or {}
      result.publications = #(published[uri_of(step.wait)] or {})
      local shown = {}
      for _, d in ipairs(vim.diagnostic.get(bufnr)) do
        table.insert(shown, {
          lnum = d.lnum,
          col = d.col,
          end_lnum = d.end_lnum,
          end_col = d.end_col,
          severity = d.severity,
          message = d.message,
          source = d.source,
          code = d.code or (d.user_data and d.user_data.lsp and d.user_data.lsp.code),
        })
      end
      result.shown = shown
    elseif step.request then
      local bufnr = buffer(step.file)
      local params = {
        textDocument = { uri = vim.uri_from_bufnr(bufnr) },
        position = { line = step.line, character = step.character },
      }
      for key, value in pairs(step.params or {}) do
        params[key] = value
      end
      local responses, err = vim.lsp.buf_request_sync(bufnr, step.request, params, TIMEOUT)
      local response = responses and responses[client_id]
      result.err = err or (response and response.err)
      result.result = response and response.result
      result.answered = response ~= nil
    elseif step.code_action then
      local bufnr = buffer(step.code_action)
      local last = latest(step.code_action)
      local diagnostic = nil
      for _, d in ipairs(last and last.diagnostics or {}) do
        if d.code == step.code then
          diagnostic = d
          break
        end
      end
      if diagnostic == nil then
        error('no ' .. step.code .. ' diagnostic published for ' .. step.code_action)
      end
      local params = {
        textDocument = { uri = vim.uri_from_bufnr(bufnr) },
        range = diagnostic.range,
        context = { diagnostics = { diagnostic } },
      }
      local responses, err = vim.lsp.buf_request_sync(bufnr, 'textDocument/codeAction', params,
        TIMEOUT)
      local response = responses and responses[client_id]
      result.err = err or (response and response.err)
      result.result = response and response.result
      result.diagnostic = diagnostic
      if step.apply then
        -- Applied from a copy: Neovim marks up the edits it applies.
        for _, action in ipairs(vim.deepcopy(result.result or {})) do
          if action.isPreferred and action.edit then
            vim.lsp.util.apply_workspace_edit(action.edit, client.offset_encoding)
            result.applied = action.title
            break
          end
        end
        result.lines = vim.api.nvim_buf_get_lines(bufnr, 0, -1, false)
      end
    elseif step.edit then
      local bufnr = buffer(step.edit)
      vim.api.nvim_buf_set_lines(bufnr, step.first, step.last, false, step.lines)
      result.modified = vim.api.nvim_buf_get_option(bufnr, 'modified')
    elseif step.lines then
      result.lines = vim.api.nvim_buf_get_lines(buffer(step.lines), 0, -1, false)
    else
      error('unknown step ' .. encode(step))
    end
    output.steps[index] = result
  end

  output.offset_encoding = client.offset_encoding
  vim.lsp.stop_client(client_id)
  vim.wait(TIMEOUT, function()
    return exited ~= nil
  end, 20)
  output.exit = exited
end

local ok, err = xpcall(run, debug.traceback)
if not ok then
  output.error = tostring(err)
end
local written, write_err = pcall(write_output)
if not written then
  io.stderr:write('drive.lua: cannot write ' .. out_path .. ': ' .. tostring(write_err) .. '\n')
  vim.cmd('cquit 2')
end
vim.cmd(ok and 'qall!' or 'cquit 1')
