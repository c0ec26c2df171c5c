import { describe, expect, it } from "vitest";
import type { DeskSettingView } from "./bindings/DeskSettingView";
import { groupSettings, SOURCE_WORDS } from "./settings";

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
