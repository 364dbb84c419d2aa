import { wasmApi, type WasmMemory } from './wasmAssembler.js';
import { gemmModuleBytes } from './gemmWasm.js';

const PAGE = 65536;
const ROW_BLOCK = 64;

/**
 * One instance of the SIMD kernel with its own linear memory (one per thread). Each call copies
 * the A rows in, packs B, runs, and copies C out: O(n²) copying around O(n³) work.
 */
export class WasmGemm {
  private constructor(
    private readonly memory: WasmMemory,
    private readonly gemm: (a: number, bp: number, c: number, m: number, k: number, panels: number) => void,
  ) {}

  /** Null where WebAssembly or its SIMD extension is unavailable. */
  static create(): WasmGemm | null {
    const api = wasmApi();
    if (!api) return null;
    try {
      const bytes = gemmModuleBytes();
      if (!api.validate(bytes)) return null;
      const { exports } = new api.Instance(new api.Module(bytes), {});
      const memory = exports.memory as WasmMemory;
      const gemm = exports.gemm as WasmGemm['gemm'];
      return new WasmGemm(memory, gemm);
    } catch {
      return null;
    }
  }

  /** Same contract as matmulRows: C rows [rowStart, rowEnd) of A·B, packed row-major. */
  rows(a: Float32Array, b: Float32Array, c: Float32Array, k: number, n: number, rowStart: number, rowEnd: number): void {
    const rows = rowEnd - rowStart;
    if (rows <= 0) return;
    const mPad = Math.ceil(rows / 4) * 4;
    // The kernel takes panels in pairs; an odd count gets a zero panel.
    const panels = Math.ceil(n / 8) * 2;
    const aFloats = mPad * k;
    const bFloats = panels * k * 4;
    const cFloats = mPad * panels * 4;
    this.reserve(4 * (aFloats + bFloats + cFloats));
    const mem = new Float32Array(this.memory.buffer);
    mem.set(a.subarray(rowStart * k, rowEnd * k), 0);
    mem.fill(0, rows * k, aFloats);
    packInto(b, k, n, mem, aFloats, panels);
    const cOff = aFloats + bFloats;
    // Row blocks keep their A rows in L2 while the kernel sweeps the panels.
    for (let r0 = 0; r0 < mPad; r0 += ROW_BLOCK) {
      this.gemm(r0 * k * 4, aFloats * 4, (cOff + r0 * panels * 4) * 4, Math.min(ROW_BLOCK, mPad - r0), k, panels);
    }
    const stride = panels * 4;
    for (let r = 0; r < rows; r++) c.set(mem.subarray(cOff + r * stride, cOff + r * stride + n), (rowStart + r) * n);
  }

  private reserve(bytes: number): void {
    const have = this.memory.buffer.byteLength;
    if (bytes > have) this.memory.grow(Math.ceil((bytes - have) / PAGE));
  }
}

function packInto(b: Float32Array, k: number, n: number, out: Float32Array, at: number, panels: number): void {
  for (let jp = 0; jp < panels; jp++) {
    const j = jp * 4;
    const w = Math.max(0, Math.min(4, n - j));
    if (w === 0) {
      out.fill(0, at + jp * k * 4, at + (jp + 1) * k * 4);
      continue;
    }
    const base = at + jp * k * 4;
    for (let p = 0; p < k; p++) {
      const o = base + p * 4;
      const bo = p * n + j;
      out[o] = b[bo] as number;
      out[o + 1] = w > 1 ? (b[bo + 1] as number) : 0;
      out[o + 2] = w > 2 ? (b[bo + 2] as number) : 0;
      out[o + 3] = w > 3 ? (b[bo + 3] as number) : 0;
    }
  }
}
