/**
 * Morton (Z-order) codes for 10-bit coordinates: bit i of x, y, z lands at bit 3i, 3i+1, 3i+2.
 * 30 bits, so every code is a non-negative int32 and fits a Uint32Array slot or an SQL integer.
 */
export const MORTON_AXIS_BITS = 10;
export const MORTON_AXIS_MAX = (1 << MORTON_AXIS_BITS) - 1;
/** Bits belonging to x in a code; y is this << 1, z is this << 2. */
export const MORTON_X_MASK = 0x09249249;

const SPREAD = buildSpreadTable();

function buildSpreadTable(): Uint32Array {
  const table = new Uint32Array(MORTON_AXIS_MAX + 1);
  for (let v = 0; v <= MORTON_AXIS_MAX; v++) {
    let n = v;
    n = (n | (n << 16)) & 0x030000ff;
    n = (n | (n << 8)) & 0x0300f00f;
    n = (n | (n << 4)) & 0x030c30c3;
    n = (n | (n << 2)) & 0x09249249;
    table[v] = n;
  }
  return table;
}

/** Caller guarantees 0 <= x, y, z <= 1023 (BlockArray validates before calling). */
export function mortonEncode(x: number, y: number, z: number): number {
  return (SPREAD[x]! | (SPREAD[y]! << 1) | (SPREAD[z]! << 2)) >>> 0;
}

function compact(n: number): number {
  n &= 0x09249249;
  n = (n ^ (n >>> 2)) & 0x030c30c3;
  n = (n ^ (n >>> 4)) & 0x0300f00f;
  n = (n ^ (n >>> 8)) & 0xff0000ff;
  n = (n ^ (n >>> 16)) & 0x000003ff;
  return n;
}

export function mortonX(code: number): number {
  return compact(code);
}
export function mortonY(code: number): number {
  return compact(code >>> 1);
}
export function mortonZ(code: number): number {
  return compact(code >>> 2);
}

/**
 * BIGMIN of Tropf & Herzog: the smallest code greater than `code` that lies inside the box
 * spanned by the codes `zmin` and `zmax`. Lets a box query jump over runs of the sorted keys
 * that leave the box instead of scanning them. Precondition: zmin <= code <= zmax and code outside the box.
 */
export function mortonBigMin(code: number, zmin: number, zmax: number): number {
  let bigmin = 0;
  let lo = zmin;
  let hi = zmax;
  for (let bit = 3 * MORTON_AXIS_BITS - 1; bit >= 0; bit--) {
    const mask = 1 << bit;
    const dim = MORTON_X_MASK << (bit % 3);
    const sameDimBelow = dim & (mask - 1);
    const selector = (code & mask ? 4 : 0) | (lo & mask ? 2 : 0) | (hi & mask ? 1 : 0);
    switch (selector) {
      case 0b001:
        bigmin = (lo & ~(mask | sameDimBelow)) | mask;
        hi = (hi & ~(mask | sameDimBelow)) | sameDimBelow;
        break;
      case 0b011:
        return lo >>> 0;
      case 0b100:
        return bigmin >>> 0;
      case 0b101:
        lo = (lo & ~(mask | sameDimBelow)) | mask;
        break;
      default:
        // 000 and 111: keep descending. 010 and 110 cannot happen while lo <= hi.
        break;
    }
  }
  return bigmin >>> 0;
}
