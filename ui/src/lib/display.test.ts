import { describe, expect, it } from "vitest";
import { stepText, TEXT_STEPS } from "./display";

describe("stepText", () => {
  it("steps through the offered sizes and stops at the ends", () => {
    expect(stepText(100, 1)).toBe(115);
    expect(stepText(100, -1)).toBe(90);
    expect(stepText(200, 1)).toBe(200);
    expect(stepText(80, -1)).toBe(80);
  });
  it("moves a size between steps to the nearest step in that direction", () => {
    expect(stepText(120, 1)).toBe(130);
    expect(stepText(120, -1)).toBe(115);
  });
  it("walks from the smallest to the largest in order", () => {
    const seen = [80];
    for (let last = 80; last !== 200; ) seen.push((last = stepText(last, 1)));
    expect(seen).toEqual([...TEXT_STEPS]);
  });
});
