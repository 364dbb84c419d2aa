/** PING carries any bytes; the reply echoes them. These exist so every opcode has a codec. */
export function encodePing(data: Uint8Array): Uint8Array {
  return data.slice();
}

export function decodePing(payload: Uint8Array): Uint8Array {
  return payload.slice();
}
