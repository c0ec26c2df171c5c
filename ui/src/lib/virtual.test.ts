import { describe, expect, it } from "vitest";
import { Heights, sliceFor } from "./virtual";

const keys = (n: number, from = 0) => Array.from({ length: n }, (_, i) => from + i);

describe("Heights", () => {
  it("estimates rows not yet measured and uses measurements once known", () => {
    const h = new Heights(40);
    h.setKeys(keys(10));
    expect(h.total).toBe(400);
    expect(h.measure(3, 100)).toBe(60);
    expect(h.measure(3, 100)).toBe(0);
    expect(h.offsetOf(3)).toBe(120);
    expect(h.offsetOf(4)).toBe(220);
    expect(h.total).toBe(460);
  });

  it("finds the row at a height, clamped at both ends", () => {
    const h = new Heights(10);
    h.setKeys(keys(5));
    h.measure(2, 30); // rows span 0-10, 10-20, 20-50, 50-60, 60-70
    expect(h.indexAt(-5)).toBe(0);
    expect(h.indexAt(0)).toBe(0);
    expect(h.indexAt(19.5)).toBe(1);
    expect(h.indexAt(20)).toBe(2);
    expect(h.indexAt(49)).toBe(2);
    expect(h.indexAt(50)).toBe(3);
    expect(h.indexAt(1000)).toBe(4);
  });

  it("keeps measurements by key when earlier rows are put in front", () => {
    const h = new Heights(10);
    h.setKeys(keys(3, 100));
    h.measure(101, 50);
    h.setKeys([...keys(3, 10), ...keys(3, 100)]);
    expect(h.heightOf(4)).toBe(50);
    expect(h.offsetOf(4)).toBe(40);
  });

  it("handles no rows", () => {
    const h = new Heights(10);
    h.setKeys([]);
    expect(h.total).toBe(0);
    expect(h.indexAt(100)).toBe(0);
    expect(sliceFor(h, 0, 500, 100)).toEqual({ start: 0, end: 0, padTop: 0, padBottom: 0 });
  });
});

describe("sliceFor", () => {
  it("renders only the rows in and near the viewport, with the rest as padding", () => {
    const h = new Heights(50);
    h.setKeys(keys(50_000));
    const s = sliceFor(h, 1_000_000, 600, 300);
    expect(s.start).toBe(Math.floor((1_000_000 - 300) / 50));
    expect(s.end).toBe(Math.floor((1_000_000 + 900) / 50) + 1);
    expect(s.end - s.start).toBeLessThan(40);
    expect(s.padTop).toBe(s.start * 50);
    expect(s.padTop + (s.end - s.start) * 50 + s.padBottom).toBe(h.total);
  });

  it("covers the bottom when scrolled to the end", () => {
    const h = new Heights(20);
    h.setKeys(keys(1000));
    const s = sliceFor(h, h.total - 400, 400, 100);
    expect(s.end).toBe(1000);
    expect(s.padBottom).toBe(0);
  });

  it("always renders at least one row", () => {
    const h = new Heights(20);
    h.setKeys(keys(10));
    h.measure(0, 10_000);
    const s = sliceFor(h, 5_000, 100, 0);
    expect(s.start).toBe(0);
    expect(s.end).toBeGreaterThanOrEqual(1);
  });
});
