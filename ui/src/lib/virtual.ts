// The arithmetic of a long, virtualized message list: which rows to put in the DOM for a scroll
// position, and how tall the rows not in the DOM are taken to be. Pure: no DOM, no timers.

/** Rows of varying height, known by key once measured and estimated until then. */
export class Heights {
  private keys: readonly unknown[] = [];
  private measured = new Map<unknown, number>();
  // offsets[i] = height of rows 0..i-1; rebuilt lazily (50,000 additions take well under a millisecond).
  private offsets = new Float64Array(1);
  private dirty = true;

  constructor(private readonly estimate: number) {}

  /** The rows, in order (their keys). Measurements of keys still present are kept. */
  setKeys(keys: readonly unknown[]): void {
    this.keys = keys;
    if (this.measured.size > keys.length * 2 + 100) {
      const present = new Set(keys);
      for (const k of this.measured.keys()) if (!present.has(k)) this.measured.delete(k);
    }
    this.dirty = true;
  }

  get count(): number {
    return this.keys.length;
  }

  /** Records a row's rendered height; returns by how much it differs from what was assumed. */
  measure(key: unknown, height: number): number {
    const before = this.heightOfKey(key);
    if (before === height) return 0;
    this.measured.set(key, height);
    this.dirty = true;
    return height - before;
  }

  heightOf(index: number): number {
    return this.heightOfKey(this.keys[index]);
  }

  /** The top of row `index` (the total height for `index` = count). */
  offsetOf(index: number): number {
    this.rebuild();
    return this.offsets[Math.max(0, Math.min(index, this.keys.length))]!;
  }

  get total(): number {
    return this.offsetOf(this.keys.length);
  }

  /** The row at height `y` (the last row below the end, 0 above the start). */
  indexAt(y: number): number {
    this.rebuild();
    const n = this.keys.length;
    if (n === 0) return 0;
    // The last row whose top is at or above y.
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.offsets[mid]! <= y) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  private heightOfKey(key: unknown): number {
    return this.measured.get(key) ?? this.estimate;
  }

  private rebuild(): void {
    if (!this.dirty) return;
    const n = this.keys.length;
    if (this.offsets.length < n + 1) this.offsets = new Float64Array(Math.max(n + 1, this.offsets.length * 2));
    let sum = 0;
    this.offsets[0] = 0;
    for (let i = 0; i < n; i++) {
      sum += this.heightOfKey(this.keys[i]);
      this.offsets[i + 1] = sum;
    }
    this.dirty = false;
  }
}

export interface Slice {
  /** The first row in the DOM and one past the last. */
  start: number;
  end: number;
  /** Space standing in for the rows above and below the slice. */
  padTop: number;
  padBottom: number;
}

/** The rows to render for a viewport at `scrollTop` of `viewport` pixels, with `overscan` pixels
 *  rendered beyond each edge so a fast scroll does not show blank space. */
export function sliceFor(heights: Heights, scrollTop: number, viewport: number, overscan: number): Slice {
  const n = heights.count;
  if (n === 0) return { start: 0, end: 0, padTop: 0, padBottom: 0 };
  const top = Math.max(0, scrollTop - overscan);
  const bottom = scrollTop + viewport + overscan;
  const start = heights.indexAt(top);
  let end = heights.indexAt(bottom) + 1;
  end = Math.min(n, Math.max(end, start + 1));
  const total = heights.total;
  const padTop = heights.offsetOf(start);
  return { start, end, padTop, padBottom: total - heights.offsetOf(end) };
}
