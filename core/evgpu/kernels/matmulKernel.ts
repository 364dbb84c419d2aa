/**
 * The float32 GEMM kernel shared by the calling thread and the workers: C[r0..r1) = A·B over
 * packed row-major arrays (A m×k, B k×n, C m×n). Columns and depth are blocked so the four C
 * rows being updated and the B panel stay in cache; four A rows share every B load, and the
 * inner loop is a unit-stride multiply-add V8 keeps in registers.
 */
const COL_BLOCK = 256;
const DEPTH_BLOCK = 128;

export function matmulRows(
  a: Float32Array,
  b: Float32Array,
  c: Float32Array,
  k: number,
  n: number,
  rowStart: number,
  rowEnd: number,
): void {
  c.fill(0, rowStart * n, rowEnd * n);
  for (let j0 = 0; j0 < n; j0 += COL_BLOCK) {
    const j1 = Math.min(n, j0 + COL_BLOCK);
    for (let p0 = 0; p0 < k; p0 += DEPTH_BLOCK) {
      const p1 = Math.min(k, p0 + DEPTH_BLOCK);
      let i = rowStart;
      for (; i + 4 <= rowEnd; i += 4) block4(a, b, c, k, n, i, p0, p1, j0, j1);
      for (; i < rowEnd; i++) block1(a, b, c, k, n, i, p0, p1, j0, j1);
    }
  }
}

function block4(
  a: Float32Array, b: Float32Array, c: Float32Array,
  k: number, n: number, i: number, p0: number, p1: number, j0: number, j1: number,
): void {
  const c0 = i * n;
  const c1 = c0 + n;
  const c2 = c1 + n;
  const c3 = c2 + n;
  const a0o = i * k;
  for (let p = p0; p < p1; p++) {
    const a0 = a[a0o + p] as number;
    const a1 = a[a0o + k + p] as number;
    const a2 = a[a0o + 2 * k + p] as number;
    const a3 = a[a0o + 3 * k + p] as number;
    const bo = p * n;
    for (let j = j0; j < j1; j++) {
      const bv = b[bo + j] as number;
      c[c0 + j] = (c[c0 + j] as number) + a0 * bv;
      c[c1 + j] = (c[c1 + j] as number) + a1 * bv;
      c[c2 + j] = (c[c2 + j] as number) + a2 * bv;
      c[c3 + j] = (c[c3 + j] as number) + a3 * bv;
    }
  }
}

function block1(
  a: Float32Array, b: Float32Array, c: Float32Array,
  k: number, n: number, i: number, p0: number, p1: number, j0: number, j1: number,
): void {
  const co = i * n;
  const ao = i * k;
  for (let p = p0; p < p1; p++) {
    const av = a[ao + p] as number;
    if (av === 0) continue;
    const bo = p * n;
    for (let j = j0; j < j1; j++) c[co + j] = (c[co + j] as number) + av * (b[bo + j] as number);
  }
}
