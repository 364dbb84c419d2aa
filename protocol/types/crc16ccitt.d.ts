// The `crc` package's own typings reference @types/node; this layer must compile without Node,
// so we describe the one calculator we use (it takes a plain Uint8Array) ourselves.
declare const crc16ccitt: (data: Uint8Array, previous?: number) => number;
export default crc16ccitt;
