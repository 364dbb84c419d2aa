-- Wireshark dissector for the Konomi "56k packet protocol" (docs/PROTOCOL.md).
--
-- `konomi capture FILE.pcapng` writes one packet per frame with link type USER0 (147): the
-- frame's unescaped content (8-byte header, payload, CRC-16), one interface per line (named like
-- the line: tcp:127.0.0.1:50412, xp10:serial0, ws:…) and the direction of each frame as the bridge
-- saw it (epb_flags inbound/outbound). This file decodes every header field, every payload field of
-- every opcode (text as UTF-8), ERROR payloads, and reassembles fragmented messages.
-- Usage and example output: docs/wireshark/README.md.
--   tshark -X lua_script:docs/wireshark/konomi56k.lua -r FILE.pcapng -V
-- or install it: cp docs/wireshark/konomi56k.lua ~/.local/lib/wireshark/plugins/

local p = Proto("konomi56k", "Konomi 56k packet protocol")

-- Names, as in docs/PROTOCOL.md and protocol/constants.ts.
local OP_HELLO, OP_PING, OP_TENSOR, OP_LLM, OP_BLOCK_GET, OP_BLOCK_SET, OP_CUBE, OP_PROGRAM, OP_TEACH, OP_AGENTS, OP_NAK =
  0x01, 0x02, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x7f
local opcodes = {
  [OP_HELLO] = "HELLO", [OP_PING] = "PING", [OP_TENSOR] = "TENSOR_OP", [OP_LLM] = "LLM_QUERY",
  [OP_BLOCK_GET] = "BLOCK_GET", [OP_BLOCK_SET] = "BLOCK_SET", [OP_CUBE] = "CUBE_MSG", [OP_PROGRAM] = "PROGRAM",
  [OP_TEACH] = "LLM_TEACH", [OP_AGENTS] = "AGENTS", [OP_NAK] = "NAK",
}
local program_ops = { [1] = "SAVE", [2] = "LOAD", [3] = "LIST", [4] = "DELETE", [5] = "APPEND", [6] = "READ" }
local MAX_PROGRAM_NAME, MAX_PROGRAM_TEXT, MAX_PROGRAMS = 32, 65536, 1024
-- A PROGRAM reply does not repeat its operation: the request's, by line, channel and seq.
local program_requests = {}
local current_exchange = ""

local errors = {
  [1] = "BAD_PAYLOAD", [2] = "OUT_OF_RANGE", [3] = "TOO_LARGE", [4] = "UNSUPPORTED", [5] = "BUSY",
  [6] = "NOT_FOUND", [7] = "INTERNAL", [8] = "UNAUTHORIZED", [9] = "UNAVAILABLE",
}
local vertices = {
  [0] = "NEU", [1] = "NED", [2] = "NWU", [3] = "NWD", [4] = "SEU", [5] = "SED", [6] = "SWU", [7] = "SWD",
  [8] = "CENTRAL", [255] = "CUBE (collective)",
}
local tensor_ops = {
  [0x01] = "matmul", [0x02] = "add", [0x03] = "mul", [0x04] = "conv2d", [0x05] = "maxpool2d",
  [0x06] = "avgpool2d", [0x10] = "relu", [0x11] = "sigmoid", [0x12] = "tanh", [0x13] = "gelu",
  [0x14] = "softmax",
}
local tensor_arity = {
  [0x01] = 2, [0x02] = 2, [0x03] = 2, [0x04] = 2, [0x05] = 1, [0x06] = 1,
  [0x10] = 1, [0x11] = 1, [0x12] = 1, [0x13] = 1, [0x14] = 1,
}
-- What each u16 parameter means; other operations take none.
local tensor_param_names = { [0x04] = { "stride", "padding" }, [0x05] = { "kernel", "stride" }, [0x06] = { "kernel", "stride" } }
local dtypes = { [0] = "f32" }
local active_names = { [0] = "inactive", [1] = "active" }

local FLAG_REPLY, FLAG_ERROR, FLAG_MORE, FLAG_NOREPLY = 1, 2, 4, 8
local HEADER, CRC = 8, 2
local MAX_CONTENT, MIN_CONTENT = 4096, 10
local MAX_WINDOW = 64
local MAX_LLM_TOKENS = 256
local MAX_TEACH_STEPS = 1000
local MAX_TENSOR_RANK, MAX_TENSOR_PARAMS = 4, 4
local HASH_SIZE = 32
-- Wireshark's direction values (epan/packet_info.h); pcapng epb_flags inbound becomes RECV.
local DIR_SENT, DIR_RECV = 0, 1

p.prefs.max_elements = Pref.uint("Tensor elements listed", 1024,
  "Elements listed per tensor; the rest are summed up in one line")

local f = p.fields
-- Header
f.version = ProtoField.uint8("konomi56k.version", "Version", base.DEC, nil, 0xF0)
f.flags = ProtoField.uint8("konomi56k.flags", "Flags", base.HEX, nil, 0x0F)
f.reply = ProtoField.bool("konomi56k.flags.reply", "REPLY", 8, nil, FLAG_REPLY)
f.err = ProtoField.bool("konomi56k.flags.error", "ERROR", 8, nil, FLAG_ERROR)
f.more = ProtoField.bool("konomi56k.flags.more", "MORE", 8, nil, FLAG_MORE)
f.noreply = ProtoField.bool("konomi56k.flags.noreply", "NOREPLY", 8, nil, FLAG_NOREPLY)
f.opcode = ProtoField.uint8("konomi56k.opcode", "Opcode", base.HEX, opcodes)
f.seq = ProtoField.uint16("konomi56k.seq", "Sequence", base.DEC)
f.channel = ProtoField.uint8("konomi56k.channel", "Channel", base.DEC)
f.fragment = ProtoField.uint8("konomi56k.fragment", "Fragment", base.DEC)
f.length = ProtoField.uint16("konomi56k.length", "Payload length", base.DEC)
f.payload = ProtoField.bytes("konomi56k.payload", "Payload")
f.crc = ProtoField.uint16("konomi56k.crc", "CRC-16/CCITT-FALSE", base.HEX)
f.crc_ok = ProtoField.bool("konomi56k.crc.ok", "CRC good")
-- Where the frame went (the capture's interface is the line; the other end is the bridge).
f.line = ProtoField.string("konomi56k.line", "Line")
f.src = ProtoField.string("konomi56k.src", "From")
f.dst = ProtoField.string("konomi56k.dst", "To")
-- Fragments
f.frag_data = ProtoField.bytes("konomi56k.fragment.data", "Fragment data")
f.reassembled_in = ProtoField.framenum("konomi56k.reassembled_in", "Reassembled in frame", frametype.NONE)
f.reassembled = ProtoField.bytes("konomi56k.reassembled", "Reassembled payload")
f.reassembled_length = ProtoField.uint32("konomi56k.reassembled.length", "Reassembled payload length", base.DEC)
f.reassembled_count = ProtoField.uint16("konomi56k.reassembled.count", "Fragments", base.DEC)
f.reassembled_frame = ProtoField.framenum("konomi56k.reassembled.frame", "Fragment in frame", frametype.NONE)
-- ERROR
f.errcode = ProtoField.uint8("konomi56k.error.code", "Error code", base.DEC, errors)
f.errmsg = ProtoField.string("konomi56k.error.message", "Error message")
-- HELLO
f.h_version = ProtoField.uint8("konomi56k.hello.version", "Protocol version", base.DEC)
f.h_max_content = ProtoField.uint16("konomi56k.hello.max_content", "Max content", base.DEC)
f.h_window = ProtoField.uint8("konomi56k.hello.window", "Window", base.DEC)
f.h_name_length = ProtoField.uint8("konomi56k.hello.name_length", "Name length", base.DEC)
f.h_name = ProtoField.string("konomi56k.hello.name", "Name")
f.h_token_length = ProtoField.uint8("konomi56k.hello.token_length", "Token length", base.DEC)
f.h_token = ProtoField.bytes("konomi56k.hello.token", "Token")
f.h_vertex_count = ProtoField.uint8("konomi56k.hello.vertex_count", "Hosted vertices", base.DEC)
f.h_vertex = ProtoField.none("konomi56k.hello.vertex", "Hosted vertex")
f.h_v_cube = ProtoField.uint16("konomi56k.hello.vertex.cube", "Cube", base.DEC)
f.h_v_vertex = ProtoField.uint8("konomi56k.hello.vertex.vertex", "Vertex", base.DEC, vertices)
f.h_v_channel = ProtoField.uint8("konomi56k.hello.vertex.channel", "Channel", base.DEC)
f.h_boot_id = ProtoField.uint32("konomi56k.hello.boot_id", "Boot id", base.HEX)
f.h_trailing = ProtoField.bytes("konomi56k.hello.trailing", "Later fields (ignored)")
-- PING, NAK, reserved opcodes
f.data = ProtoField.bytes("konomi56k.data", "Data")
-- BLOCK_GET / BLOCK_SET / LLM_QUERY / CUBE_MSG
f.x = ProtoField.uint16("konomi56k.x", "x", base.DEC)
f.y = ProtoField.uint16("konomi56k.y", "y", base.DEC)
f.z = ProtoField.uint16("konomi56k.z", "z", base.DEC)
f.value = ProtoField.double("konomi56k.value", "Value")
f.active = ProtoField.uint8("konomi56k.active", "Active", base.DEC, active_names)
f.hash = ProtoField.bytes("konomi56k.hash", "Hash")
f.index = ProtoField.uint64("konomi56k.ledger_index", "Ledger index", base.DEC)
f.max_tokens = ProtoField.uint16("konomi56k.max_tokens", "Max tokens", base.DEC)
f.prompt = ProtoField.string("konomi56k.prompt", "Prompt")
f.kappa = ProtoField.double("konomi56k.kappa", "Kappa")
f.tokens = ProtoField.uint16("konomi56k.tokens", "Tokens", base.DEC)
f.text = ProtoField.string("konomi56k.text", "Text")
f.cube = ProtoField.uint16("konomi56k.cube", "Cube", base.DEC)
-- LLM_TEACH
f.steps = ProtoField.uint16("konomi56k.teach.steps", "Steps", base.DEC)
f.bits_before = ProtoField.float("konomi56k.teach.bits_before", "Bits per character before")
f.bits_after = ProtoField.float("konomi56k.teach.bits_after", "Bits per character after")
f.vertex = ProtoField.uint8("konomi56k.vertex", "Vertex", base.DEC, vertices)
-- PROGRAM
f.p_op = ProtoField.uint8("konomi56k.program.operation", "Operation", base.DEC, program_ops)
f.p_name = ProtoField.string("konomi56k.program.name", "Name")
f.p_text = ProtoField.string("konomi56k.program.text", "Text")
f.p_count = ProtoField.uint16("konomi56k.program.count", "Programs", base.DEC)
f.p_size = ProtoField.uint32("konomi56k.program.size", "Size", base.DEC)
f.p_updated = ProtoField.uint32("konomi56k.program.updated", "Updated (Unix seconds)", base.DEC)
f.p_offset = ProtoField.uint32("konomi56k.program.offset", "Offset", base.DEC)
-- TENSOR_OP
f.t_op = ProtoField.uint8("konomi56k.tensor.op", "Operation", base.HEX, tensor_ops)
f.t_dtype = ProtoField.uint8("konomi56k.tensor.dtype", "Dtype", base.DEC, dtypes)
f.t_inputs = ProtoField.uint8("konomi56k.tensor.input_count", "Inputs", base.DEC)
f.t_params = ProtoField.uint8("konomi56k.tensor.param_count", "Parameters", base.DEC)
f.t_param = ProtoField.uint16("konomi56k.tensor.param", "Parameter", base.DEC)
f.t_stride = ProtoField.uint16("konomi56k.tensor.stride", "Stride", base.DEC)
f.t_padding = ProtoField.uint16("konomi56k.tensor.padding", "Padding", base.DEC)
f.t_kernel = ProtoField.uint16("konomi56k.tensor.kernel", "Kernel", base.DEC)
f.t_input = ProtoField.none("konomi56k.tensor.input", "Input")
f.t_output = ProtoField.none("konomi56k.tensor.output", "Output")
f.t_rank = ProtoField.uint8("konomi56k.tensor.rank", "Rank", base.DEC)
f.t_dim = ProtoField.uint16("konomi56k.tensor.dim", "Dimension", base.DEC)
f.t_shape = ProtoField.string("konomi56k.tensor.shape", "Shape")
f.t_count = ProtoField.uint32("konomi56k.tensor.count", "Elements", base.DEC)
f.t_element = ProtoField.float("konomi56k.tensor.element", "Element")
f.t_more = ProtoField.bytes("konomi56k.tensor.unlisted", "Elements not listed")

local ex = {
  bad_crc = ProtoExpert.new("konomi56k.crc.bad", "Bad CRC", expert.group.CHECKSUM, expert.severity.ERROR),
  bad_header = ProtoExpert.new("konomi56k.header.bad", "Bad frame header", expert.group.MALFORMED, expert.severity.ERROR),
  bad_payload = ProtoExpert.new("konomi56k.bad_payload", "BAD_PAYLOAD", expert.group.MALFORMED, expert.severity.ERROR),
  unsupported = ProtoExpert.new("konomi56k.unsupported", "UNSUPPORTED", expert.group.PROTOCOL, expert.severity.WARN),
  unknown_error = ProtoExpert.new("konomi56k.error.unknown", "Unknown error code", expert.group.PROTOCOL, expert.severity.NOTE),
  error_reply = ProtoExpert.new("konomi56k.error", "ERROR reply", expert.group.RESPONSE_CODE, expert.severity.NOTE),
  fragment = ProtoExpert.new("konomi56k.fragment.note", "Fragment", expert.group.REASSEMBLE, expert.severity.CHAT),
  frag_problem = ProtoExpert.new("konomi56k.fragment.bad", "Fragments disagree", expert.group.REASSEMBLE, expert.severity.WARN),
}
p.experts = ex

local f_interface_id = Field.new("frame.interface_id")
local f_interface_name = Field.new("frame.interface_name")

-- Reassembly state, built on the first (in-order) pass and read back on every later one:
-- partial messages by key, and what each frame number contributed or completed.
local partials = {}
local per_frame = {}

function p.init()
  partials = {}
  per_frame = {}
end

-- CRC-16/CCITT-FALSE: polynomial 0x1021, initial value 0xFFFF, no reflection, no final XOR.
local function crc16(bytes)
  local crc = 0xFFFF
  for i = 1, #bytes do
    crc = bit.bxor(crc, bit.lshift(bytes:byte(i), 8))
    for _ = 1, 8 do
      if bit.band(crc, 0x8000) ~= 0 then
        crc = bit.band(bit.bxor(bit.lshift(crc, 1), 0x1021), 0xFFFF)
      else
        crc = bit.band(bit.lshift(crc, 1), 0xFFFF)
      end
    end
  end
  return crc
end

-- Strict UTF-8 (no overlong forms, no surrogates, nothing above U+10FFFF), as TextDecoder
-- with fatal: true: "rest of the payload" strings must be valid, else BAD_PAYLOAD.
local function valid_utf8(s)
  local i, n = 1, #s
  while i <= n do
    local c = s:byte(i)
    local len, lo, hi = 0, 0x80, 0xBF
    if c < 0x80 then len = 1
    elseif c >= 0xC2 and c <= 0xDF then len = 2
    elseif c >= 0xE0 and c <= 0xEF then
      len = 3
      if c == 0xE0 then lo = 0xA0 elseif c == 0xED then hi = 0x9F end
    elseif c >= 0xF0 and c <= 0xF4 then
      len = 4
      if c == 0xF0 then lo = 0x90 elseif c == 0xF4 then hi = 0x8F end
    else return false end
    if i + len - 1 > n then return false end
    for k = 1, len - 1 do
      local b = s:byte(i + k)
      if k == 1 then
        if b < lo or b > hi then return false end
      elseif b < 0x80 or b > 0xBF then return false end
    end
    i = i + len
  end
  return true
end

-- A cursor over a payload. A read past the end raises a "short" error that decode_payload turns
-- into a BAD_PAYLOAD expert item; the fields read so far stay in the tree.
local Reader = {}
Reader.__index = Reader

local function bad(message) error({ bad_payload = message }, 0) end

local function reader(tvb, what)
  return setmetatable({ tvb = tvb, at = 0, n = tvb:len(), what = what }, Reader)
end

function Reader:left() return self.n - self.at end

function Reader:take(size, name)
  if size > self:left() then
    bad(string.format("%s: %s needs %d bytes, %d left", self.what, name, size, self:left()))
  end
  local range = self.tvb(self.at, size)
  self.at = self.at + size
  return range
end

function Reader:rest() return self:take(self:left(), "rest") end

function Reader:done()
  if self:left() > 0 then bad(string.format("%s: %d extra bytes", self.what, self:left())) end
end

local function add_text(tree, field, range, lenient)
  local item = tree:add_packet_field(field, range, ENC_UTF_8)
  if not lenient and not valid_utf8(range:raw()) then
    item:add_proto_expert_info(ex.bad_payload, "BAD_PAYLOAD: text is not valid UTF-8")
  end
  return range:string(ENC_UTF_8)
end

-- Wireshark shows an empty byte field as <MISSING>; an empty token or PING is normal.
local function add_bytes(tree, field, range, empty_text)
  local item = tree:add(field, range)
  if range:len() == 0 then item:set_text(empty_text) end
  return item
end

-- For the Info column: one line, at most about 40 bytes, cut at a character boundary.
local function quote(s)
  local limit = 40
  if #s > limit then
    while limit > 0 and bit.band(s:byte(limit + 1), 0xC0) == 0x80 do limit = limit - 1 end
    s = s:sub(1, limit) .. "…"
  end
  s = s:gsub("[%z\1-\31\127]", function(c)
    local named = { ["\n"] = "\\n", ["\r"] = "\\r", ["\t"] = "\\t" }
    return named[c] or string.format("\\x%02x", c:byte())
  end)
  return '"' .. s .. '"'
end

local function coords(tree, r)
  local x, y, z = r:take(2, "x"), r:take(2, "y"), r:take(2, "z")
  tree:add(f.x, x); tree:add(f.y, y); tree:add(f.z, z)
  return string.format("(%d,%d,%d)", x:uint(), y:uint(), z:uint())
end

local function vertex_name(v) return vertices[v] or tostring(v) end

local function check_vertex(item, v)
  if not vertices[v] then item:add_proto_expert_info(ex.bad_payload, "BAD_PAYLOAD: vertex " .. v .. " is not 0..8 or 255") end
end

-- Each decoder adds the payload's fields to tree and returns a short summary for the Info column.

local function decode_error(tree, r)
  if r:left() == 0 then bad("ERROR reply: empty payload") end
  local code = r:take(1, "code")
  local item = tree:add(f.errcode, code)
  local name = errors[code:uint()]
  if not name then
    item:add_proto_expert_info(ex.unknown_error, "unknown error code " .. code:uint() .. " (UNKNOWN_REMOTE_ERROR)")
    name = "UNKNOWN(" .. code:uint() .. ")"
  end
  local message = add_text(tree, f.errmsg, r:rest(), true)
  item:add_proto_expert_info(ex.error_reply, name .. ": " .. message)
  return name .. " " .. quote(message)
end

local function decode_hello(tree, r)
  local version = r:take(1, "version")
  local vi = tree:add(f.h_version, version)
  if version:uint() ~= 1 then vi:add_proto_expert_info(ex.unsupported, "UNSUPPORTED: protocol version " .. version:uint()) end
  local max_content = r:take(2, "max content")
  local mi = tree:add(f.h_max_content, max_content)
  if max_content:uint() <= MIN_CONTENT or max_content:uint() > MAX_CONTENT then
    mi:add_proto_expert_info(ex.bad_payload, "BAD_PAYLOAD: max content outside 11..4096")
  end
  local window = r:take(1, "window")
  local wi = tree:add(f.h_window, window)
  if window:uint() < 1 or window:uint() > MAX_WINDOW then
    wi:add_proto_expert_info(ex.bad_payload, "BAD_PAYLOAD: window outside 1..64")
  end
  local name_length = r:take(1, "name length")
  tree:add(f.h_name_length, name_length)
  local name = add_text(tree, f.h_name, r:take(name_length:uint(), "name"))
  local token_length = r:take(1, "token length")
  tree:add(f.h_token_length, token_length)
  add_bytes(tree, f.h_token, r:take(token_length:uint(), "token"), "Token: none")
  local count = r:take(1, "vertex count")
  tree:add(f.h_vertex_count, count)
  for i = 1, count:uint() do
    local range = r:take(4, "hosted vertex " .. i)
    local vt = tree:add(f.h_vertex, range)
    local cube, vertex, channel = range(0, 2):uint(), range(2, 1):uint(), range(3, 1):uint()
    vt:append_text(string.format(": cube %d %s on channel %d", cube, vertex_name(vertex), channel))
    vt:add(f.h_v_cube, range(0, 2))
    check_vertex(vt:add(f.h_v_vertex, range(2, 1)), vertex)
    vt:add(f.h_v_channel, range(3, 1))
  end
  local boot = ""
  if r:left() >= 4 then
    local boot_id = r:take(4, "boot id")
    local bi = tree:add(f.h_boot_id, boot_id)
    if boot_id:uint() == 0 then bi:append_text(" (none)") else boot = string.format(" boot=%08x", boot_id:uint()) end
  else
    tree:add(f.h_boot_id, 0):set_generated():append_text(" (absent: none)")
  end
  -- HELLO is extensible: later versions append fields that version 1 ignores.
  if r:left() > 0 then tree:add(f.h_trailing, r:rest()) end
  return string.format("%s max=%d W=%d %d vertices%s%s", quote(name), max_content:uint(), window:uint(), count:uint(),
    token_length:uint() > 0 and " token" or "", boot)
end

local function decode_tensor(tree, field, r, label)
  local start = r.at
  local t = tree:add(field, r.tvb(start, 0))
  if label then t:append_text(" " .. label) end
  local rank = r:take(1, "rank")
  t:add(f.t_rank, rank)
  if rank:uint() < 1 or rank:uint() > MAX_TENSOR_RANK then bad("tensor rank " .. rank:uint() .. " outside 1..4") end
  local dims, count = {}, 1
  for i = 1, rank:uint() do
    local dim = r:take(2, "dimension")
    t:add(f.t_dim, dim)
    if dim:uint() == 0 then bad("a tensor dimension is 0") end
    dims[i] = tostring(dim:uint())
    count = count * dim:uint()
  end
  local shape = "[" .. table.concat(dims, ",") .. "]"
  t:add(f.t_shape, shape):set_generated()
  t:add(f.t_count, count):set_generated()
  t:append_text(" " .. shape)
  if count * 4 > r:left() then bad(string.format("shape %s needs %d bytes, %d left", shape, count * 4, r:left())) end
  local listed = math.min(count, p.prefs.max_elements)
  for _ = 1, listed do t:add(f.t_element, r:take(4, "element")) end
  if count > listed then
    t:add(f.t_more, r:take((count - listed) * 4, "elements")):append_text(string.format(" (%d more f32)", count - listed))
  end
  t:set_len(r.at - start)
  return shape
end

local function decode_tensor_request(tree, r)
  local op = r:take(1, "operation")
  local oi = tree:add(f.t_op, op)
  local dtype = r:take(1, "dtype")
  local di = tree:add(f.t_dtype, dtype)
  local n = r:take(1, "input count")
  tree:add(f.t_inputs, n)
  local pc = r:take(1, "param count")
  tree:add(f.t_params, pc)
  local name = tensor_ops[op:uint()]
  local arity = tensor_arity[op:uint()]
  if not arity then
    oi:add_proto_expert_info(ex.unsupported, string.format("UNSUPPORTED: tensor operation 0x%02x", op:uint()))
    if r:left() > 0 then tree:add(f.data, r:rest()) end
    return string.format("op 0x%02x", op:uint())
  end
  if dtype:uint() ~= 0 then
    di:add_proto_expert_info(ex.unsupported, "UNSUPPORTED: dtype " .. dtype:uint() .. " (0 = f32)")
    if r:left() > 0 then tree:add(f.data, r:rest()) end
    return name
  end
  if n:uint() ~= arity then bad(string.format("%s takes %d inputs, not %d", name, arity, n:uint())) end
  if pc:uint() > MAX_TENSOR_PARAMS then bad(pc:uint() .. " parameters (max 4)") end
  local names = tensor_param_names[op:uint()] or {}
  local params = {}
  for i = 1, pc:uint() do
    local param = r:take(2, "parameter")
    local pf = ({ stride = f.t_stride, padding = f.t_padding, kernel = f.t_kernel })[names[i] or ""] or f.t_param
    tree:add(pf, param)
    params[i] = (names[i] or "p" .. i) .. "=" .. param:uint()
  end
  local shapes = {}
  for i = 1, n:uint() do shapes[i] = decode_tensor(tree, f.t_input, r, tostring(i - 1)) end
  r:done()
  local ps = #params > 0 and (" " .. table.concat(params, " ")) or ""
  return name .. " " .. table.concat(shapes, " ") .. ps
end

local function decode_tensor_reply(tree, r)
  local dtype = r:take(1, "dtype")
  local di = tree:add(f.t_dtype, dtype)
  if dtype:uint() ~= 0 then
    di:add_proto_expert_info(ex.unsupported, "UNSUPPORTED: dtype " .. dtype:uint() .. " (0 = f32)")
    if r:left() > 0 then tree:add(f.data, r:rest()) end
    return "dtype " .. dtype:uint()
  end
  local shape = decode_tensor(tree, f.t_output, r, nil)
  r:done()
  return shape
end

local function program_name(tree, r)
  local len = r:take(1, "name length")
  local n = len:uint()
  if n < 1 or n > MAX_PROGRAM_NAME then bad(string.format("PROGRAM: name length %d is not 1..%d", n, MAX_PROGRAM_NAME)) end
  local range = r:take(n, "name")
  local name = range:string()
  local item = tree:add(f.p_name, range)
  if not name:match("^[A-Za-z0-9_-]+$") then item:add_proto_expert_info(ex.bad_payload, "BAD_PAYLOAD: a name holds only A-Z, 0-9, _ and -") end
  return name:upper()
end

local function decode_program_request(tree, r)
  local op = r:take(1, "operation")
  local o = op:uint()
  local oi = tree:add(f.p_op, op)
  program_requests[current_exchange] = o
  if not program_ops[o] then
    oi:add_proto_expert_info(ex.unsupported, string.format("UNSUPPORTED: operation %d", o))
    return string.format("operation %d", o)
  end
  if o == 3 then
    r:done()
    return "LIST"
  end
  local name = program_name(tree, r)
  if o == 6 then
    local offset = r:take(4, "offset")
    tree:add(f.p_offset, offset)
    r:done()
    return string.format("READ %s from %d", name, offset:uint())
  end
  if o ~= 1 and o ~= 5 then
    r:done()
    return program_ops[o] .. " " .. name
  end
  local text = r:rest()
  if text:len() > MAX_PROGRAM_TEXT then tree:add_proto_expert_info(ex.bad_payload, "TOO_LARGE: program text over 64 KiB") end
  add_text(tree, f.p_text, text)
  return string.format("%s %s %d bytes", program_ops[o], name, text:len())
end

local function decode_program_reply(tree, r)
  local o = program_requests[current_exchange]
  if o == 1 or o == 4 or o == 5 then
    r:done()
    return program_ops[o] .. " done"
  elseif o == 6 then
    local size = r:take(4, "size")
    tree:add(f.p_size, size)
    local text = r:rest()
    add_text(tree, f.p_text, text)
    return string.format("READ %d of %d bytes", text:len(), size:uint())
  elseif o == 2 then
    local text = r:rest()
    add_text(tree, f.p_text, text)
    return string.format("LOAD %d bytes", text:len())
  elseif o == 3 then
    local count = r:take(2, "count")
    tree:add(f.p_count, count)
    if count:uint() > MAX_PROGRAMS then bad(string.format("PROGRAM: %d programs, at most %d", count:uint(), MAX_PROGRAMS)) end
    for _ = 1, count:uint() do
      local name = program_name(tree, r)
      tree:add(f.p_size, r:take(4, "size"))
      tree:add(f.p_updated, r:take(4, "updated"))
      local _ = name
    end
    r:done()
    return string.format("LIST %d programs", count:uint())
  end
  add_bytes(tree, f.data, r:rest(), "Data: none")
  return "(request not captured)"
end

local function decode_request(tree, opcode, r)
  if opcode == OP_HELLO then
    return decode_hello(tree, r)
  elseif opcode == OP_PING then
    add_bytes(tree, f.data, r:rest(), "Data: none")
    return ""
  elseif opcode == OP_BLOCK_GET then
    local c = coords(tree, r)
    r:done()
    return c
  elseif opcode == OP_BLOCK_SET then
    local c = coords(tree, r)
    local value = r:take(8, "value")
    tree:add(f.value, value)
    r:done()
    return c .. " = " .. tostring(value:float())
  elseif opcode == OP_LLM then
    local c = coords(tree, r)
    local mt = r:take(2, "max tokens")
    local mi = tree:add(f.max_tokens, mt)
    if mt:uint() < 1 or mt:uint() > MAX_LLM_TOKENS then mi:add_proto_expert_info(ex.bad_payload, "BAD_PAYLOAD: max tokens outside 1..256") end
    local prompt = add_text(tree, f.prompt, r:rest())
    return string.format("%s max=%d %s", c, mt:uint(), quote(prompt))
  elseif opcode == OP_TEACH then
    local c = coords(tree, r)
    local st = r:take(2, "steps")
    local si = tree:add(f.steps, st)
    if st:uint() > MAX_TEACH_STEPS then si:add_proto_expert_info(ex.bad_payload, "BAD_PAYLOAD: steps above 1000") end
    local text = add_text(tree, f.text, r:rest())
    return string.format("%s steps=%d %s", c, st:uint(), quote(text))
  elseif opcode == OP_CUBE then
    local cube = r:take(2, "cube")
    tree:add(f.cube, cube)
    local vertex = r:take(1, "vertex")
    check_vertex(tree:add(f.vertex, vertex), vertex:uint())
    local text = add_text(tree, f.text, r:rest())
    return string.format("cube %d %s %s", cube:uint(), vertex_name(vertex:uint()), quote(text))
  elseif opcode == OP_TENSOR then
    return decode_tensor_request(tree, r)
  elseif opcode == OP_PROGRAM then
    return decode_program_request(tree, r)
  elseif opcode == OP_AGENTS then
    r:done()
    return "which agents run?"
  end
end

local function decode_reply(tree, opcode, r)
  if opcode == OP_HELLO then
    return decode_hello(tree, r)
  elseif opcode == OP_PING then
    add_bytes(tree, f.data, r:rest(), "Data: none")
    return ""
  elseif opcode == OP_BLOCK_GET then
    local active = r:take(1, "active")
    local ai = tree:add(f.active, active)
    if active:uint() > 1 then ai:add_proto_expert_info(ex.bad_payload, "BAD_PAYLOAD: active is not 0 or 1") end
    local value = r:take(8, "value")
    tree:add(f.value, value)
    tree:add(f.hash, r:take(HASH_SIZE, "hash"))
    r:done()
    return (active_names[active:uint()] or "?") .. " " .. tostring(value:float())
  elseif opcode == OP_BLOCK_SET then
    local index = r:take(8, "ledger index")
    tree:add(f.index, index)
    tree:add(f.hash, r:take(HASH_SIZE, "hash"))
    r:done()
    return "index " .. tostring(index:uint64())
  elseif opcode == OP_LLM then
    local kappa = r:take(8, "kappa")
    tree:add(f.kappa, kappa)
    local tokens = r:take(2, "tokens")
    tree:add(f.tokens, tokens)
    local text = add_text(tree, f.text, r:rest())
    return string.format("κ=%s %d tokens %s", tostring(kappa:float()), tokens:uint(), quote(text))
  elseif opcode == OP_TEACH then
    local st = r:take(2, "steps")
    tree:add(f.steps, st)
    local before = r:take(4, "bits before")
    tree:add(f.bits_before, before)
    local after = r:take(4, "bits after")
    tree:add(f.bits_after, after)
    r:done()
    return string.format("%d steps %s -> %s bits/char", st:uint(), tostring(before:float()), tostring(after:float()))
  elseif opcode == OP_CUBE then
    local vertex = r:take(1, "vertex")
    check_vertex(tree:add(f.vertex, vertex), vertex:uint())
    local kappa = r:take(8, "kappa")
    tree:add(f.kappa, kappa)
    local text = add_text(tree, f.text, r:rest())
    return string.format("%s κ=%s %s", vertex_name(vertex:uint()), tostring(kappa:float()), quote(text))
  elseif opcode == OP_TENSOR then
    return decode_tensor_reply(tree, r)
  elseif opcode == OP_PROGRAM then
    return decode_program_reply(tree, r)
  elseif opcode == OP_AGENTS then
    -- One UTF-8 line per agent, fields split by TAB (id, name, state, vertex, statements, memory, last line).
    local text = add_text(tree, f.text, r:rest())
    local count = 0
    for _ in text:gmatch("\n") do count = count + 1 end
    return string.format("%d agents", count)
  end
end

-- Decodes a whole message payload (one frame's, or a reassembled one) as PROTOCOL.md defines it.
local function decode_payload(tree, opcode, flags, tvb)
  local kind = bit.band(flags, FLAG_ERROR) ~= 0 and "ERROR" or (bit.band(flags, FLAG_REPLY) ~= 0 and "reply" or "request")
  local r = reader(tvb, (opcodes[opcode] or string.format("0x%02x", opcode)) .. " " .. kind)
  local ok, summary = pcall(function()
    if bit.band(flags, FLAG_ERROR) ~= 0 then return decode_error(tree, r) end
    if opcode == OP_NAK then
      if r:left() > 0 then
        tree:add(f.data, r:rest()):add_proto_expert_info(ex.bad_payload, "a NAK carries no payload")
      end
      return ""
    end
    if not opcodes[opcode] then
      local item = tree:add(f.data, r:rest())
      if bit.band(flags, FLAG_REPLY) == 0 then
        item:add_proto_expert_info(ex.unsupported, string.format("UNSUPPORTED: reserved opcode 0x%02x", opcode))
      end
      return ""
    end
    if bit.band(flags, FLAG_REPLY) ~= 0 then return decode_reply(tree, opcode, r) end
    return decode_request(tree, opcode, r)
  end)
  if ok then return summary or "" end
  if type(summary) == "table" and summary.bad_payload then
    tree:add_proto_expert_info(ex.bad_payload, "BAD_PAYLOAD: " .. summary.bad_payload)
    return "[BAD_PAYLOAD]"
  end
  error(summary, 0)
end

local function highest_index(frags)
  local hi = -1
  for i in pairs(frags) do
    if i > hi then hi = i end
  end
  return hi
end

-- First pass: add this fragment to its message; returns what this frame contributes. Keyed as the
-- receiver keys it (REPLY bit, channel, seq), and also by line and direction, as a capture holds
-- both directions of many lines.
local function add_fragment(pinfo, key, opcode, index, more, range)
  local state = {}
  local m = partials[key]
  if not m then
    m = { opcode = opcode, frags = {}, last = nil }
    partials[key] = m
  end
  local problem
  if m.opcode ~= opcode then
    problem = "fragments disagree: another opcode"
  elseif not more and m.last ~= nil and m.last ~= index then
    problem = "fragments disagree: a second last fragment"
  elseif (m.last ~= nil and index > m.last) or (not more and highest_index(m.frags) > index) then
    problem = "fragments disagree: an index beyond the last"
  end
  if problem then
    partials[key] = nil
    state.problem = problem
    return state
  end
  if m.frags[index] then
    state.duplicate_of = m.frags[index].frame
    return state
  end
  if not more then m.last = index end
  m.frags[index] = { bytes = range:bytes(), frame = pinfo.number }
  if m.last == nil then return state end
  for i = 0, m.last do
    if not m.frags[i] then return state end
  end
  local payload, frames = ByteArray.new(), {}
  for i = 0, m.last do
    payload:append(m.frags[i].bytes)
    frames[#frames + 1] = m.frags[i].frame
    if m.frags[i].frame ~= pinfo.number then
      per_frame[m.frags[i].frame] = per_frame[m.frags[i].frame] or {}
      per_frame[m.frags[i].frame].reassembled_in = pinfo.number
    end
  end
  partials[key] = nil
  state.payload = payload
  state.frames = frames
  return state
end

local function field_value(extractor)
  local fi = extractor()
  if fi == nil then return nil end
  return fi.value
end

function p.dissector(tvb, pinfo, root)
  local len = tvb:len()
  if len < MIN_CONTENT then return 0 end
  pinfo.cols.protocol = "KONOMI56K"

  local interface_id = field_value(f_interface_id) or 0
  local line = field_value(f_interface_name) or ("line " .. interface_id)
  local src, dst = line, "?"
  if pinfo.p2p_dir == DIR_RECV then
    src, dst = line, "bridge"
  elseif pinfo.p2p_dir == DIR_SENT then
    src, dst = "bridge", line
  end
  pinfo.cols.src = src
  pinfo.cols.dst = dst

  local flags = bit.band(tvb(0, 1):uint(), 0x0F)
  local opcode = tvb(1, 1):uint()
  local seq = tvb(2, 2):uint()
  local channel = tvb(4, 1):uint()
  local index = tvb(5, 1):uint()
  local plen = tvb(6, 2):uint()
  local more = bit.band(flags, FLAG_MORE) ~= 0
  current_exchange = table.concat({ interface_id, channel, seq }, ":")

  local tree = root:add(p, tvb(0, len))
  tree:add(f.line, line):set_generated()
  tree:add(f.src, src):set_generated()
  tree:add(f.dst, dst):set_generated()
  local vi = tree:add(f.version, tvb(0, 1))
  if bit.rshift(tvb(0, 1):uint(), 4) ~= 1 then vi:add_proto_expert_info(ex.bad_header, "BAD_VERSION") end
  local ft = tree:add(f.flags, tvb(0, 1))
  ft:add(f.reply, tvb(0, 1)); ft:add(f.err, tvb(0, 1)); ft:add(f.more, tvb(0, 1)); ft:add(f.noreply, tvb(0, 1))
  tree:add(f.opcode, tvb(1, 1))
  tree:add(f.seq, tvb(2, 2))
  tree:add(f.channel, tvb(4, 1))
  tree:add(f.fragment, tvb(5, 1))
  local li = tree:add(f.length, tvb(6, 2))
  if plen + HEADER + CRC ~= len then li:add_proto_expert_info(ex.bad_header, string.format("LENGTH_MISMATCH: %d bytes of payload present", len - HEADER - CRC)) end
  local body = math.max(0, len - HEADER - CRC)

  local kind = bit.band(flags, FLAG_ERROR) ~= 0 and "ERROR" or (bit.band(flags, FLAG_REPLY) ~= 0 and "reply" or "request")
  if opcode == OP_NAK then kind = "(retransmit please)" end
  local info = string.format("%s %s seq=%d ch=%d len=%d", opcodes[opcode] or string.format("0x%02x", opcode), kind, seq, channel, plen)
  if bit.band(flags, FLAG_NOREPLY) ~= 0 then info = info .. " NOREPLY" end

  local summary
  if index == 0 and not more then
    local pt = tree:add(f.payload, tvb(HEADER, body))
    summary = decode_payload(pt, opcode, flags, tvb(HEADER, body):tvb())
  else
    info = info .. string.format(" frag=%d%s", index, more and " MORE" or "")
    local fi = tree:add(f.frag_data, tvb(HEADER, body))
    if not pinfo.visited then
      local key = table.concat({ interface_id, pinfo.p2p_dir, bit.band(flags, FLAG_REPLY), channel, seq }, ":")
      local state = add_fragment(pinfo, key, opcode, index, more, tvb(HEADER, body))
      local old = per_frame[pinfo.number] or {}
      state.reassembled_in = old.reassembled_in
      per_frame[pinfo.number] = state
    end
    local state = per_frame[pinfo.number] or {}
    if state.problem then
      fi:add_proto_expert_info(ex.frag_problem, "BAD_PAYLOAD: " .. state.problem)
      summary = "[" .. state.problem .. "]"
    elseif state.duplicate_of then
      fi:add_proto_expert_info(ex.fragment, "repeated fragment (first in frame " .. state.duplicate_of .. ")")
      summary = "[repeated fragment]"
    elseif state.payload then
      tree:add(f.reassembled_length, state.payload:len()):set_generated()
      tree:add(f.reassembled_count, #state.frames):set_generated()
      for _, n in ipairs(state.frames) do tree:add(f.reassembled_frame, n):set_generated() end
      local whole = state.payload:tvb("Reassembled payload")
      local rt = tree:add(f.reassembled, whole:range())
      summary = decode_payload(rt, opcode, flags, whole)
      info = info .. string.format(" [reassembled %d bytes from %d fragments]", state.payload:len(), #state.frames)
    else
      if state.reassembled_in then
        tree:add(f.reassembled_in, state.reassembled_in):set_generated()
      end
      fi:add_proto_expert_info(ex.fragment, string.format("fragment %d of %s seq %d%s", index, kind, seq,
        state.reassembled_in and (", reassembled in frame " .. state.reassembled_in) or ""))
      summary = "[fragment]"
    end
  end
  if summary and summary ~= "" then info = info .. " " .. summary end

  local crc = tvb(len - CRC, CRC):uint()
  local ci = tree:add(f.crc, tvb(len - CRC, CRC))
  local good = crc16(tvb:raw(0, len - CRC)) == crc
  tree:add(f.crc_ok, good):set_generated()
  if not good then ci:add_proto_expert_info(ex.bad_crc, "BAD_CRC") end

  pinfo.cols.info = info
  tree:append_text(", " .. info)
  return len
end

DissectorTable.get("wtap_encap"):add(wtap.USER0, p)
