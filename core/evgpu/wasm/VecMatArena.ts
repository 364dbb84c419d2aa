import { wasmApi, type WasmMemory } from './wasmAssembler.js';
import { vecmatModuleBytes } from './vecmatWasm.js';

const PAGE = 65536;

/**
 * A fixed arena of float32 arrays plus `vecmat(v, w, out, m, n4)` over them: out += v·W for W
 * row-major [m × 4·n4]. On hosts with WebAssembly SIMD the arena is the kernel's linear memory
 * and `vecmat` runs there; elsewhere it is a plain buffer and a JS loop computes the same thing.
 * Arrays are allocated once, up front (`alloc`), then `seal()`ed; the memory never grows after,
 * so the views stay valid.
 */
export class VecMatArena {
  private readonly layout: Array<{ floats: number; at: number }> = [];
  private floats = 0;
  private f32: Float32Array | null = null;
  private kernel: ((v: number, w: number, out: number, m: number, n4: number) => void) | null = null;
  private sealedSimd = false;
  private memory: WasmMemory | null = null;

  /** Reserves `floats` floats (rounded up to a multiple of 4, so every array is 16-byte aligned). */
  alloc(floats: number): number {
    if (this.f32) throw new Error('arena already sealed');
    const at = this.floats;
    this.layout.push({ floats, at });
    this.floats += Math.ceil(floats / 4) * 4;
    return at;
  }

  /** Creates the backing memory; `preferSimd = false` forces the JS path (tests compare both). */
  seal(preferSimd = true): void {
    const bytes = Math.max(16, this.floats * 4);
    const api = preferSimd ? wasmApi() : undefined;
    if (api) {
      try {
        const code = vecmatModuleBytes();
        if (api.validate(code)) {
          const { exports } = new api.Instance(new api.Module(code), {});
          const memory = exports.memory as WasmMemory;
          if (bytes > memory.buffer.byteLength) memory.grow(Math.ceil((bytes - memory.buffer.byteLength) / PAGE));
          this.f32 = new Float32Array(memory.buffer);
          this.memory = memory;
          this.kernel = exports.vecmat as VecMatArena['kernel'];
          this.sealedSimd = true;
          return;
        }
      } catch {
        // fall through to the JS arena
      }
    }
    this.f32 = new Float32Array(this.floats);
  }

  get usesSimd(): boolean {
    return this.sealedSimd;
  }

  /**
   * The WebAssembly memory the arena lives in (null on the JS path): other kernels may import it
   * and read the arena's arrays where they are, without a copy.
   */
  get wasmMemory(): object | null {
    return this.memory;
  }

  /** The view of an allocation (by the offset `alloc` returned). */
  view(at: number, floats: number): Float32Array {
    if (!this.f32) throw new Error('arena not sealed');
    return this.f32.subarray(at, at + floats);
  }

  /** out[0..4·n4) += v[0..m) · W, all three given as float offsets returned by `alloc`. */
  vecmat(v: number, w: number, out: number, m: number, n4: number): void {
    if (this.kernel) {
      this.kernel(v * 4, w * 4, out * 4, m, n4);
      return;
    }
    const f = this.f32 as Float32Array;
    const n = n4 * 4;
    for (let i = 0; i < m; i++) {
      const vi = f[v + i] as number;
      const ro = w + i * n;
      for (let j = 0; j < n; j++) f[out + j] = (f[out + j] as number) + vi * (f[ro + j] as number);
    }
  }
}
