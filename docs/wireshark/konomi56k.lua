-- Wireshark dissector for the Konomi "56k packet protocol" (docs/PROTOCOL.md).
--
-- `konomi capture FILE.pcapng` writes one packet per frame with link type USER0 (147):
-- the frame's unescaped content (8-byte header, payload, CRC-16), and the direction of each
-- frame as seen by the bridge (epb_flags inbound/outbound). Install:
--   cp docs/wireshark/konomi56k.lua ~/.local/lib/wireshark/plugins/
-- or run: wireshark -X lua_script:docs/wireshark/konomi56k.lua FILE.pcapng
--        tshark -X lua_script:docs/wireshark/konomi56k.lua -r FILE.pcapng -V

local p = Proto("konomi56k", "Konomi 56k packet protocol")

local opcodes = {
  [0x01] = "HELLO", [0x02] = "PING", [0x10] = "TENSOR_OP", [0x11] = "LLM_QUERY",
  [0x12] = "BLOCK_GET", [0x13] = "BLOCK_SET", [0x14] = "CUBE_MSG", [0x7f] = "NAK",
}
local errors = {
  [1] = "BAD_PAYLOAD", [2] = "OUT_OF_RANGE", [3] = "TOO_LARGE", [4] = "UNSUPPORTED", [5] = "BUSY",
  [6] = "NOT_FOUND", [7] = "INTERNAL", [8] = "UNAUTHORIZED", [9] = "UNAVAILABLE",
}
local vertices = {
  [0] = "NEU", [1] = "NED", [2] = "NWU", [3] = "NWD", [4] = "SEU", [5] = "SED", [6] = "SWU", [7] = "SWD",
  [8] = "CENTRAL", [255] = "CUBE (collective)",
}

local f = p.fields
f.version = ProtoField.uint8("konomi56k.version", "Version", base.DEC, nil, 0xF0)
f.flags = ProtoField.uint8("konomi56k.flags", "Flags", base.HEX, nil, 0x0F)
f.reply = ProtoField.bool("konomi56k.flags.reply", "REPLY", 8, nil, 0x01)
f.err = ProtoField.bool("konomi56k.flags.error", "ERROR", 8, nil, 0x02)
f.more = ProtoField.bool("konomi56k.flags.more", "MORE", 8, nil, 0x04)
f.noreply = ProtoField.bool("konomi56k.flags.noreply", "NOREPLY", 8, nil, 0x08)
f.opcode = ProtoField.uint8("konomi56k.opcode", "Opcode", base.HEX, opcodes)
f.seq = ProtoField.uint16("konomi56k.seq", "Sequence", base.DEC)
f.channel = ProtoField.uint8("konomi56k.channel", "Channel", base.DEC)
f.fragment = ProtoField.uint8("konomi56k.fragment", "Fragment", base.DEC)
f.length = ProtoField.uint16("konomi56k.length", "Payload length", base.DEC)
f.payload = ProtoField.bytes("konomi56k.payload", "Payload")
f.crc = ProtoField.uint16("konomi56k.crc", "CRC-16/CCITT-FALSE", base.HEX)
f.crc_ok = ProtoField.bool("konomi56k.crc.ok", "CRC good")
f.errcode = ProtoField.uint8("konomi56k.error.code", "Error code", base.DEC, errors)
f.errmsg = ProtoField.string("konomi56k.error.message", "Error message")
f.x = ProtoField.uint16("konomi56k.x", "x", base.DEC)
f.y = ProtoField.uint16("konomi56k.y", "y", base.DEC)
f.z = ProtoField.uint16("konomi56k.z", "z", base.DEC)
f.value = ProtoField.double("konomi56k.value", "Value")
f.active = ProtoField.uint8("konomi56k.active", "Active", base.DEC)
f.hash = ProtoField.bytes("konomi56k.hash", "Hash")
f.index = ProtoField.uint64("konomi56k.ledger_index", "Ledger index", base.DEC)
f.cube = ProtoField.uint16("konomi56k.cube", "Cube", base.DEC)
f.vertex = ProtoField.uint8("konomi56k.vertex", "Vertex", base.DEC, vertices)
f.kappa = ProtoField.double("konomi56k.kappa", "Kappa")
f.text = ProtoField.string("konomi56k.text", "Text")
f.max_tokens = ProtoField.uint16("konomi56k.max_tokens", "Max tokens", base.DEC)
f.tokens = ProtoField.uint16("konomi56k.tokens", "Tokens", base.DEC)
f.name = ProtoField.string("konomi56k.hello.name", "Name")
f.window = ProtoField.uint8("konomi56k.hello.window", "Window", base.DEC)
f.max_content = ProtoField.uint16("konomi56k.hello.max_content", "Max content", base.DEC)

-- CRC-16/CCITT-FALSE: polynomial 0x1021, initial value 0xFFFF, no reflection, no final XOR.
local function crc16(tvb, len)
  local crc = 0xFFFF
  for i = 0, len - 1 do
    crc = bit.bxor(crc, bit.lshift(tvb(i, 1):uint(), 8))
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

local function coords(tree, pl)
  tree:add(f.x, pl(0, 2)); tree:add(f.y, pl(2, 2)); tree:add(f.z, pl(4, 2))
end

local function rest_text(tree, pl, from)
  if pl:len() > from then tree:add(f.text, pl(from)) end
end

local function payload_fields(tree, opcode, flags, pl)
  local n = pl:len()
  local is_reply = bit.band(flags, 1) ~= 0
  if bit.band(flags, 2) ~= 0 then
    if n >= 1 then tree:add(f.errcode, pl(0, 1)) end
    if n > 1 then tree:add(f.errmsg, pl(1)) end
    return
  end
  if opcode == 0x12 then
    if not is_reply and n >= 6 then coords(tree, pl) end
    if is_reply and n >= 41 then tree:add(f.active, pl(0, 1)); tree:add(f.value, pl(1, 8)); tree:add(f.hash, pl(9, 32)) end
  elseif opcode == 0x13 then
    if not is_reply and n >= 14 then coords(tree, pl); tree:add(f.value, pl(6, 8)) end
    if is_reply and n >= 40 then tree:add(f.index, pl(0, 8)); tree:add(f.hash, pl(8, 32)) end
  elseif opcode == 0x11 then
    if not is_reply and n >= 8 then coords(tree, pl); tree:add(f.max_tokens, pl(6, 2)); rest_text(tree, pl, 8) end
    if is_reply and n >= 10 then tree:add(f.kappa, pl(0, 8)); tree:add(f.tokens, pl(8, 2)); rest_text(tree, pl, 10) end
  elseif opcode == 0x14 then
    if not is_reply and n >= 3 then tree:add(f.cube, pl(0, 2)); tree:add(f.vertex, pl(2, 1)); rest_text(tree, pl, 3) end
    if is_reply and n >= 9 then tree:add(f.vertex, pl(0, 1)); tree:add(f.kappa, pl(1, 8)); rest_text(tree, pl, 9) end
  elseif opcode == 0x01 and n >= 5 then
    tree:add(f.max_content, pl(1, 2)); tree:add(f.window, pl(3, 1))
    local len = pl(4, 1):uint()
    if n >= 5 + len then tree:add(f.name, pl(5, len)) end
  end
end

function p.dissector(tvb, pinfo, root)
  local len = tvb:len()
  if len < 10 then return 0 end
  pinfo.cols.protocol = "KONOMI56K"
  local vf = tvb(0, 1):uint()
  local flags = bit.band(vf, 0x0F)
  local opcode = tvb(1, 1):uint()
  local plen = tvb(6, 2):uint()
  local tree = root:add(p, tvb(0, len), "Konomi 56k frame")
  tree:add(f.version, tvb(0, 1))
  local ft = tree:add(f.flags, tvb(0, 1))
  ft:add(f.reply, tvb(0, 1)); ft:add(f.err, tvb(0, 1)); ft:add(f.more, tvb(0, 1)); ft:add(f.noreply, tvb(0, 1))
  tree:add(f.opcode, tvb(1, 1))
  tree:add(f.seq, tvb(2, 2))
  tree:add(f.channel, tvb(4, 1))
  tree:add(f.fragment, tvb(5, 1))
  tree:add(f.length, tvb(6, 2))
  local body = math.min(plen, math.max(0, len - 10))
  if body > 0 then
    local pt = tree:add(f.payload, tvb(8, body))
    if tvb(5, 1):uint() == 0 and bit.band(flags, 4) == 0 then payload_fields(pt, opcode, flags, tvb(8, body):tvb()) end
  end
  local crc_at = len - 2
  local crc = tvb(crc_at, 2):uint()
  tree:add(f.crc, tvb(crc_at, 2))
  tree:add(f.crc_ok, crc16(tvb, crc_at) == crc)
  local kind = bit.band(flags, 2) ~= 0 and "ERROR" or (bit.band(flags, 1) ~= 0 and "reply" or "request")
  pinfo.cols.info = string.format("%s %s seq=%d ch=%d len=%d", opcodes[opcode] or string.format("0x%02x", opcode), kind, tvb(2, 2):uint(), tvb(4, 1):uint(), plen)
  return len
end

DissectorTable.get("wtap_encap"):add(wtap.USER0, p)
