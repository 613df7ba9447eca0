/**
 * The video hash: a 64-bit DCT perceptual hash (pHash) of one frame, from a 32 × 32 grayscale
 * thumbnail of its central 80 % (see `fingerprintArgs`). The 8 × 8 lowest frequencies of the frame's 2-D DCT, each compared with their
 * median: the coarse shapes of the picture, which survive re-encoding, resizing, a few percent
 * of crop and small overlays, and change when the picture does. Versioned: hashes of another
 * algorithm or version are never compared with these.
 */
export const VIDEO_ALGORITHM = 'phash-dct-64';
export const VIDEO_VERSION = 1;
export const HASH_SIDE = 32;
const LOW = 8;

/** A frame whose pixels vary less than this (standard deviation, 0–255) has no detail to hash. */
export const FLAT_STDDEV = 6;

const COS: Float64Array[] = Array.from({ length: LOW }, (_, u) => {
  const row = new Float64Array(HASH_SIDE);
  for (let x = 0; x < HASH_SIDE; x++) row[x] = Math.cos(((2 * x + 1) * u * Math.PI) / (2 * HASH_SIDE));
  return row;
});

/**
 * The hash of one 32 × 32 8-bit gray frame as 16 hex digits; null for a frame with no detail
 * (black, one flat color), which must match nothing.
 */
export function phash(pixels: Uint8Array): string | null {
  if (pixels.length !== HASH_SIDE * HASH_SIDE) throw new Error(`a frame is ${HASH_SIDE * HASH_SIDE} bytes, not ${pixels.length}`);
  let sum = 0;
  let squares = 0;
  for (const p of pixels) {
    sum += p;
    squares += p * p;
  }
  const mean = sum / pixels.length;
  if (Math.sqrt(Math.max(0, squares / pixels.length - mean * mean)) < FLAT_STDDEV) return null;
  // Separable DCT-II, only the LOW × LOW coefficients that are kept: rows first, then columns.
  const rows = new Float64Array(HASH_SIDE * LOW);
  for (let y = 0; y < HASH_SIDE; y++)
    for (let u = 0; u < LOW; u++) {
      let acc = 0;
      for (let x = 0; x < HASH_SIDE; x++) acc += pixels[y * HASH_SIDE + x]! * COS[u]![x]!;
      rows[y * LOW + u] = acc;
    }
  const coefficients = new Float64Array(LOW * LOW);
  for (let v = 0; v < LOW; v++)
    for (let u = 0; u < LOW; u++) {
      let acc = 0;
      for (let y = 0; y < HASH_SIDE; y++) acc += rows[y * LOW + u]! * COS[v]![y]!;
      coefficients[v * LOW + u] = acc;
    }
  // The DC term (the mean brightness) would dominate the median; it is left out of it.
  const median = [...coefficients.subarray(1)].sort((a, b) => a - b)[(LOW * LOW - 1) >> 1]!;
  let hi = 0;
  let lo = 0;
  for (let i = 0; i < 64; i++) {
    const bit = i === 0 ? 0 : coefficients[i]! > median ? 1 : 0;
    if (i < 32) hi = (hi | (bit << (31 - i))) >>> 0;
    else lo = (lo | (bit << (63 - i))) >>> 0;
  }
  return hi.toString(16).padStart(8, '0') + lo.toString(16).padStart(8, '0');
}

/** Set bits of a 32-bit integer. */
export function popcount32(n: number): number {
  n -= (n >>> 1) & 0x55555555;
  n = (n & 0x33333333) + ((n >>> 2) & 0x33333333);
  return (((n + (n >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

/** A 64-bit hash as its two 32-bit halves (for fast distances). */
export function halves(hex: string): [number, number] {
  return [parseInt(hex.slice(0, 8), 16) >>> 0, parseInt(hex.slice(8, 16), 16) >>> 0];
}

/** Bits that differ between two 64-bit hashes. */
export function hamming(a: string, b: string): number {
  const [ah, al] = halves(a);
  const [bh, bl] = halves(b);
  return popcount32((ah ^ bh) >>> 0) + popcount32((al ^ bl) >>> 0);
}

/**
 * The four 16-bit bands of a hash, for the search index: two hashes within 3 bits of each other
 * always share a band (four bands, at most three of them touched), so a query finds its near
 * copies by exact band lookups instead of reading every stored hash.
 */
export function bands(hex: string): [number, number, number, number] {
  return [0, 4, 8, 12].map((i) => parseInt(hex.slice(i, i + 4), 16)) as [number, number, number, number];
}

/** A hash as a signed 64-bit integer (what a Postgres bigint holds), as text. */
export function toBigintText(hex: string): string {
  return BigInt.asIntN(64, BigInt(`0x${hex}`)).toString();
}
