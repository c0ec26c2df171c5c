import { describe, expect, it } from "vitest";
import type { DeskSettingView } from "./bindings/DeskSettingView";
import { DAYS, dayName, emptyHours, groupSettings, parseHours, SOURCE_WORDS } from "./settings";

const row = (key: string, group: string): DeskSettingView => ({
  key,
  group,
  label: key,
  kind: "toggle",
  value: "true",
  source: "refdesk",
});

describe("desk settings", () => {
  it("keeps groups in the order they first appear, and each group's settings in order", () => {
    const groups = groupSettings([row("a", "Rules"), row("b", "Times"), row("c", "Rules")]);
    expect(groups.map(([g, rows]) => [g, rows.map((r) => r.key)])).toEqual([
      ["Rules", ["a", "c"]],
      ["Times", ["b"]],
    ]);
    expect(groupSettings([])).toEqual([]);
  });

  it("says a locked setting is the library's", () => {
    expect(SOURCE_WORDS.locked).toBe("set by your library");
  });
});

describe("IM hours", () => {
  it("reads the hours a setting holds, and none from an empty or unreadable value", () => {
    const h = parseHours('{"timezone":"Europe/Amsterdam","hours":[{"day":"mon","open":"09:00","close":"17:00"}]}');
    expect(h).toEqual({
      timezone: "Europe/Amsterdam",
      hours: [{ day: "mon", open: "09:00", close: "17:00" }],
      closedDates: [],
    });
    expect(parseHours("")).toBeNull();
    expect(parseHours("{")).toBeNull();
    expect(parseHours('{"hours":[]}')).toBeNull();
    expect(emptyHours("UTC")).toEqual({ timezone: "UTC", hours: [], closedDates: [] });
    expect(DAYS.map(dayName)[6]).toBe("Sunday");
  });
});
