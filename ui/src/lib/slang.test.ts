import { describe, expect, it } from "vitest";
import { explainSelection, glossaryOf, markSlang } from "./slang";

const g = glossaryOf([
  { term: "brb", meaning: "be right back", source: "builtIn" },
  { term: "ty", meaning: "thank you", source: "builtIn" },
  { term: "w8", meaning: "wait", source: "desk" },
  { term: "lol", meaning: "", source: "desk" },
]);

describe("markSlang", () => {
  it("marks whole words in any case and keeps every character", () => {
    const pieces = markSlang("ok TY!! brb, w8 pls", g);
    expect(pieces).toEqual([
      { text: "ok " },
      { text: "TY", meaning: "thank you" },
      { text: "!! " },
      { text: "brb", meaning: "be right back" },
      { text: ", " },
      { text: "w8", meaning: "wait" },
      { text: " pls" },
    ]);
    expect(pieces.map((p) => p.text).join("")).toBe("ok TY!! brb, w8 pls");
  });

  it("explains nothing with a term the desk hid", () => {
    expect(markSlang("lol ok", g)).toEqual([{ text: "lol ok" }]);
  });

  it("leaves words that only contain a term", () => {
    expect(markSlang("type a query; brbx", g)).toEqual([{ text: "type a query; brbx" }]);
    expect(markSlang("anything", new Map())).toEqual([{ text: "anything" }]);
  });
});

describe("explainSelection", () => {
  it("explains one selected term, nothing else", () => {
    expect(explainSelection("  BRB! ", g)).toBe("BRB: be right back");
    expect(explainSelection("brb ty", g)).toBeNull();
    expect(explainSelection("library", g)).toBeNull();
  });
});
