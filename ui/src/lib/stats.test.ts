import { describe, expect, it } from "vitest";
import { barLabel, duration, parseTags, periodRange, ratingSummary, scaleMax } from "./stats";

describe("parseTags", () => {
  it("splits at commas, cleans, and drops blanks and repeats", () => {
    expect(parseTags(" Census ,  genealogy  records,census,, ")).toEqual(["census", "genealogy records"]);
    expect(parseTags("")).toEqual([]);
  });
});

describe("periodRange", () => {
  it("covers whole local days ending with today", () => {
    const now = new Date(2026, 10, 23, 15, 30);
    const today = periodRange("today", now);
    expect(new Date(today.from)).toEqual(new Date(2026, 10, 23));
    expect(new Date(today.to)).toEqual(new Date(2026, 10, 24));
    expect(new Date(periodRange("week", now).from)).toEqual(new Date(2026, 10, 17));
    expect(new Date(periodRange("month", now).from)).toEqual(new Date(2026, 9, 25));
  });
});

describe("duration", () => {
  it("reads at a glance", () => {
    expect(duration(45)).toBe("45 s");
    expect(duration(200)).toBe("3 min");
    expect(duration(3900)).toBe("1 h 05 min");
  });
});

describe("scaleMax", () => {
  it("is never zero", () => {
    expect(scaleMax([])).toBe(1);
    expect(scaleMax([{ chat: 0, web: 0, walkup: 0 }])).toBe(1);
    expect(scaleMax([{ chat: 2, web: 0, walkup: 3 }, { chat: 4, web: 0, walkup: 0 }])).toBe(5);
    expect(scaleMax([{ chat: 1, web: 5, walkup: 0 }, { chat: 4, web: 0, walkup: 0 }])).toBe(6);
  });
});

describe("barLabel", () => {
  it("writes a bar's total over it, and nothing over an empty one", () => {
    expect(barLabel({ chat: 3, web: 0, walkup: 2 })).toBe("5");
    expect(barLabel({ chat: 0, web: 2, walkup: 1 })).toBe("3");
    expect(barLabel({ chat: 0, web: 0, walkup: 0 })).toBe("");
  });
});

describe("ratingSummary", () => {
  it("gives the mean of the patrons' ratings and how many rated", () => {
    expect(ratingSummary([0, 0, 0, 0, 0])).toBe("none yet");
    expect(ratingSummary([0, 0, 0, 1, 0])).toBe("4.0 of 5 from 1 chat");
    expect(ratingSummary([1, 0, 0, 0, 2])).toBe("3.7 of 5 from 3 chats");
  });
});
