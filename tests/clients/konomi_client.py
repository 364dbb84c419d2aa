#!/usr/bin/env python3
"""A minimal 56k-protocol client written from docs/PROTOCOL.md alone.

Standard library only: socket, struct, binascii.crc_hqx (CRC-16/CCITT-FALSE with init 0xFFFF).
Usage: konomi_client.py HOST PORT   -- runs HELLO, PING, BLOCK_SET, BLOCK_GET, an error case,
and prints one JSON object per step on stdout.
"""
import binascii
import json
import socket
import struct
import sys

FLAG, ESC = 0x7E, 0x7D
REPLY, ERROR, MORE, NOREPLY = 1, 2, 4, 8
HELLO, PING, BLOCK_GET, BLOCK_SET = 0x01, 0x02, 0x12, 0x13
ERROR_NAMES = {1: "BAD_PAYLOAD", 2: "OUT_OF_RANGE", 3: "TOO_LARGE", 4: "UNSUPPORTED", 5: "BUSY",
               6: "NOT_FOUND", 7: "INTERNAL", 8: "UNAUTHORIZED", 9: "UNAVAILABLE"}


def crc16(data):
    return binascii.crc_hqx(data, 0xFFFF)


def encode_frame(flags, opcode, seq, channel, payload, fragment=0):
    content = struct.pack(">BBHBBH", 0x10 | flags, opcode, seq, channel, fragment, len(payload)) + payload
    content += struct.pack(">H", crc16(content))
    out = bytearray([FLAG])
    for b in content:
        if b in (FLAG, ESC):
            out += bytes([ESC, b ^ 0x20])
        else:
            out.append(b)
    out.append(FLAG)
    return bytes(out)


class Decoder:
    """Push bytes in; complete, CRC-checked frames come out as dicts."""

    def __init__(self):
        self.buf = bytearray()
        self.in_frame = False
        self.escaped = False

    def push(self, data):
        frames = []
        for b in data:
            if b == FLAG:
                if self.in_frame and len(self.buf) >= 10:
                    frame = self._parse(bytes(self.buf))
                    if frame is not None:
                        frames.append(frame)
                self.buf.clear()
                self.in_frame = True
                self.escaped = False
            elif not self.in_frame:
                continue
            elif b == ESC:
                self.escaped = True
            else:
                self.buf.append(b ^ 0x20 if self.escaped else b)
                self.escaped = False
                if len(self.buf) > 4096:
                    self.buf.clear()
                    self.in_frame = False
        return frames

    @staticmethod
    def _parse(content):
        if crc16(content[:-2]) != struct.unpack(">H", content[-2:])[0]:
            return None
        vf, opcode, seq, channel, fragment, length = struct.unpack(">BBHBBH", content[:8])
        if vf >> 4 != 1 or length != len(content) - 10:
            return None
        return {"flags": vf & 0x0F, "opcode": opcode, "seq": seq, "channel": channel, "payload": content[8:8 + length]}


class Client:
    def __init__(self, host, port):
        self.sock = socket.create_connection((host, port), timeout=10)
        self.decoder = Decoder()
        self.seq = 0
        self.pending = []

    def request(self, opcode, payload=b""):
        self.seq = (self.seq + 1) & 0xFFFF
        self.sock.sendall(encode_frame(0, opcode, self.seq, 0, payload))
        while True:
            for frame in self.pending:
                if frame["seq"] == self.seq and frame["flags"] & REPLY:
                    self.pending.remove(frame)
                    if frame["flags"] & ERROR:
                        code = frame["payload"][0]
                        return {"error": ERROR_NAMES.get(code, code), "message": frame["payload"][1:].decode("utf-8", "replace")}
                    return frame["payload"]
            data = self.sock.recv(4096)
            if not data:
                raise ConnectionError("line closed")
            self.pending += self.decoder.push(data)


def hello_payload(name, token=b""):
    name_bytes = name.encode("utf-8")
    return struct.pack(">BHB", 1, 4096, 8) + bytes([len(name_bytes)]) + name_bytes + bytes([len(token)]) + token + bytes([0])


def main():
    host, port = sys.argv[1], int(sys.argv[2])
    c = Client(host, port)
    reply = c.request(HELLO, hello_payload("python-client"))
    name_len = reply[4]
    print(json.dumps({"step": "hello", "peer": reply[5:5 + name_len].decode("utf-8")}))
    reply = c.request(PING, b"\x7e\x7d hello")
    print(json.dumps({"step": "ping", "echo": binascii.hexlify(reply).decode()}))
    reply = c.request(BLOCK_SET, struct.pack(">HHHd", 7, 8, 9, 3.25))
    index, entry_hash = struct.unpack(">Q", reply[:8])[0], reply[8:40]
    print(json.dumps({"step": "block_set", "index": index, "hash": binascii.hexlify(entry_hash).decode()}))
    reply = c.request(BLOCK_GET, struct.pack(">HHH", 7, 8, 9))
    active, value = struct.unpack(">Bd", reply[:9])
    print(json.dumps({"step": "block_get", "active": active, "value": value, "hash": binascii.hexlify(reply[9:41]).decode()}))
    reply = c.request(BLOCK_GET, struct.pack(">HHH", 60000, 0, 0))
    print(json.dumps({"step": "out_of_range", "error": reply.get("error") if isinstance(reply, dict) else None}))


if __name__ == "__main__":
    main()
