#!/usr/bin/env python3
"""Sends one CUBE_MSG over the packet port and prints the reply as JSON: a script a person
writes from docs/PROTOCOL.md (HELLO, then CUBE_MSG 0x14: u16 cube, u8 vertex, UTF-8 text;
reply: u8 vertex, f64 kappa, UTF-8 text). Uses only the standard library and the frame code of
konomi_client.py beside it.

usage: cube_message.py HOST PORT CUBE VERTEX TEXT
"""
import json
import struct
import sys

from konomi_client import HELLO, Client, hello_payload

CUBE_MSG = 0x14


def main():
    host, port, cube, vertex, text = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
    c = Client(host, port)
    c.request(HELLO, hello_payload("python-cube"))
    reply = c.request(CUBE_MSG, struct.pack(">HB", cube, vertex) + text.encode("utf-8"))
    if isinstance(reply, dict):
        print(json.dumps(reply))
        return 1
    answered, kappa = struct.unpack(">Bd", reply[:9])
    print(json.dumps({"vertex": answered, "kappa": kappa, "text": reply[9:].decode("utf-8")}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
