/** Just enough of a WebAssembly binary writer for eVGPU's hand-written SIMD kernels. */

// Value types and opcodes (WebAssembly core 2.0 + fixed-width SIMD).
export const I32 = 0x7f;
export const V128 = 0x7b;
export const op = {
  block: 0x02, loop: 0x03, br: 0x0c, brIf: 0x0d, end: 0x0b,
  localGet: 0x20, localSet: 0x21,
  f32Load: 0x2a,
  i32Const: 0x41, i32GeU: 0x4f, i32Add: 0x6a, i32Mul: 0x6c, i32Shl: 0x74,
  simd: 0xfd,
} as const;
export const simd = { v128Load: 0x00, v128Store: 0x0b, v128Const: 0x0c, f32x4Splat: 0x13, f32x4Add: 0xe4, f32x4Mul: 0xe6 } as const;

export const VOID = 0x40;

export function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

export function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}

export function str(s: string): number[] {
  return [...uleb(s.length), ...Array.from(s, (c) => c.charCodeAt(0))];
}

export function section(id: number, body: number[]): number[] {
  return [id, ...uleb(body.length), ...body];
}


/** The slice of the WebAssembly JS API the kernels use (core compiles without DOM or Node types). */
export interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { readonly exports: Record<string, unknown> };
}
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}

/** The host's WebAssembly, or undefined where it has none. */
export function wasmApi(): WasmApi | undefined {
  return (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
}

/** A whole module: the magic number and version, then the sections in order. */
export function moduleBytes(...sections: number[][]): Uint8Array {
  return Uint8Array.from([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, ...sections.flat()]);
}

/** A module exporting `memory` (1 page, growable) and one function of `params` i32 parameters. */
export function singleFunctionModule(name: string, params: number, fnBody: number[]): Uint8Array {
  const type = [1, 0x60, params, ...new Array<number>(params).fill(I32), 0];
  const funcs = [1, 0];
  const memory = [1, 0x00, 1];
  const exports = [2, ...str('memory'), 0x02, 0, ...str(name), 0x00, 0];
  const code = [1, ...uleb(fnBody.length), ...fnBody];
  return moduleBytes(section(1, type), section(3, funcs), section(5, memory), section(7, exports), section(10, code));
}
