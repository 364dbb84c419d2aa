/**
 * The float32 GEMM kernels shared by the calling thread and the workers: C[r0..r1) = A·B over
 * packed row-major arrays (A m×k, B k×n, C m×n). Large products run on the WebAssembly SIMD
 * kernel (wasm/gemmWasm.ts) where the host has one; everything else on the JS kernel below.
 *
 * B is first repacked into panels of four columns ([k×4] each, contiguous), then every 4×4
 * tile of C is accumulated in sixteen local variables over the whole depth: per step of the
 * depth loop that is 8 loads for 32 flops and no stores, which V8 keeps in registers. Rows are
 * walked in blocks so the A rows of a block stay in L2 while every panel streams past.
 * Accumulation happens in doubles, so results are at least as accurate as a float loop.
 */
import { WasmGemm } from '../wasm/WasmGemm.js';

const ROW_BLOCK = 32;
/** Below this size in any dimension the SIMD kernel's copies cost more than they save. */
const SIMD_MIN_DIM = 32;

let simdKernel: WasmGemm | null | undefined;

function simd(): WasmGemm | null {
  if (simdKernel === undefined) simdKernel = WasmGemm.create();
  return simdKernel;
}

/**
 * Whether a product of these dimensions runs on the WebAssembly SIMD kernel. Decided from the
 * whole product (never per row band), so splitting it over workers cannot change the numbers;
 * products with a dimension under 32 (all of FemtoLLM's training) stay on the JS kernel.
 */
export function useSimdFor(m: number, k: number, n: number): boolean {
  return Math.min(m, k, n) >= SIMD_MIN_DIM && simd() !== null;
}

/** C rows [rowStart, rowEnd) of A·B with the kernel `useSimdFor` picks (pass `simd` to force). */
export function matmulRows(
  a: Float32Array,
  b: Float32Array,
  c: Float32Array,
  k: number,
  n: number,
  rowStart: number,
  rowEnd: number,
  useSimd = useSimdFor(rowEnd - rowStart, k, n),
): void {
  const kernel = useSimd ? simd() : null;
  if (kernel) kernel.rows(a, b, c, k, n, rowStart, rowEnd);
  else matmulRowsJs(a, b, c, k, n, rowStart, rowEnd);
}

let packed = new Float32Array(0);

function packPanels(b: Float32Array, k: number, n: number): Float32Array {
  const panels = Math.ceil(n / 4);
  if (packed.length < panels * k * 4) packed = new Float32Array(panels * k * 4);
  const out = packed;
  for (let jp = 0; jp < panels; jp++) {
    const j = jp * 4;
    const w = Math.min(4, n - j);
    const base = jp * k * 4;
    for (let p = 0; p < k; p++) {
      const o = base + p * 4;
      const bo = p * n + j;
      out[o] = b[bo] as number;
      out[o + 1] = w > 1 ? (b[bo + 1] as number) : 0;
      out[o + 2] = w > 2 ? (b[bo + 2] as number) : 0;
      out[o + 3] = w > 3 ? (b[bo + 3] as number) : 0;
    }
  }
  return out;
}

/** The portable kernel: packed panels, 4×4 register tiles, double accumulation. */
export function matmulRowsJs(
  a: Float32Array,
  b: Float32Array,
  c: Float32Array,
  k: number,
  n: number,
  rowStart: number,
  rowEnd: number,
): void {
  if (k === 0) {
    c.fill(0, rowStart * n, rowEnd * n);
    return;
  }
  const bp = packPanels(b, k, n);
  const panels = Math.ceil(n / 4);
  for (let i0 = rowStart; i0 < rowEnd; i0 += ROW_BLOCK) {
    const i1 = Math.min(rowEnd, i0 + ROW_BLOCK);
    for (let jp = 0; jp < panels; jp++) {
      const j = jp * 4;
      const w = Math.min(4, n - j);
      const base = jp * k * 4;
      let i = i0;
      for (; i + 4 <= i1; i += 4) tile4x4(a, bp, c, k, n, i, j, w, base);
      for (; i < i1; i++) tile1x4(a, bp, c, k, n, i, j, w, base);
    }
  }
}

function tile4x4(a: Float32Array, bp: Float32Array, c: Float32Array, k: number, n: number, i: number, j: number, w: number, base: number): void {
  let c00 = 0, c01 = 0, c02 = 0, c03 = 0;
  let c10 = 0, c11 = 0, c12 = 0, c13 = 0;
  let c20 = 0, c21 = 0, c22 = 0, c23 = 0;
  let c30 = 0, c31 = 0, c32 = 0, c33 = 0;
  const a0 = i * k;
  const a1 = a0 + k;
  const a2 = a1 + k;
  const a3 = a2 + k;
  for (let p = 0; p < k; p++) {
    const bo = base + p * 4;
    const b0 = bp[bo] as number;
    const b1 = bp[bo + 1] as number;
    const b2 = bp[bo + 2] as number;
    const b3 = bp[bo + 3] as number;
    const x0 = a[a0 + p] as number;
    const x1 = a[a1 + p] as number;
    const x2 = a[a2 + p] as number;
    const x3 = a[a3 + p] as number;
    c00 += x0 * b0; c01 += x0 * b1; c02 += x0 * b2; c03 += x0 * b3;
    c10 += x1 * b0; c11 += x1 * b1; c12 += x1 * b2; c13 += x1 * b3;
    c20 += x2 * b0; c21 += x2 * b1; c22 += x2 * b2; c23 += x2 * b3;
    c30 += x3 * b0; c31 += x3 * b1; c32 += x3 * b2; c33 += x3 * b3;
  }
  store(c, i * n + j, w, c00, c01, c02, c03);
  store(c, (i + 1) * n + j, w, c10, c11, c12, c13);
  store(c, (i + 2) * n + j, w, c20, c21, c22, c23);
  store(c, (i + 3) * n + j, w, c30, c31, c32, c33);
}

function tile1x4(a: Float32Array, bp: Float32Array, c: Float32Array, k: number, n: number, i: number, j: number, w: number, base: number): void {
  let c0 = 0, c1 = 0, c2 = 0, c3 = 0;
  const ao = i * k;
  for (let p = 0; p < k; p++) {
    const bo = base + p * 4;
    const x = a[ao + p] as number;
    c0 += x * (bp[bo] as number);
    c1 += x * (bp[bo + 1] as number);
    c2 += x * (bp[bo + 2] as number);
    c3 += x * (bp[bo + 3] as number);
  }
  store(c, i * n + j, w, c0, c1, c2, c3);
}

function store(c: Float32Array, o: number, w: number, v0: number, v1: number, v2: number, v3: number): void {
  c[o] = v0;
  if (w > 1) c[o + 1] = v1;
  if (w > 2) c[o + 2] = v2;
  if (w > 3) c[o + 3] = v3;
}
