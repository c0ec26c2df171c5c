import { describe, expect, it } from "vitest";

// Every component's source, as text: the check below reads them as they are written.
const sources = import.meta.glob("../**/*.svelte", { query: "?raw", import: "default", eager: true }) as Record<
  string,
  string
>;

describe("rendering", () => {
  it("never injects HTML: patron and server text is shown as text only", () => {
    expect(Object.keys(sources).length).toBeGreaterThan(5);
    const offenders = Object.entries(sources)
      .filter(([, text]) => /\{@html\b|innerHTML|outerHTML|insertAdjacentHTML|document\.write/.test(text))
      .map(([file]) => file);
    expect(offenders).toEqual([]);
  });
});
