// The desk settings view's pure parts: grouping and the words for where a value comes from.
import type { DeskSettingView } from "./bindings/DeskSettingView";
import type { SettingSource } from "./bindings/SettingSource";

export const SOURCE_WORDS: Record<SettingSource, string> = {
  refdesk: "Refdesk default",
  libraryDefault: "your library's starting value",
  desk: "changed at this desk",
  locked: "set by your library",
};

/** The settings in their groups, groups in the order they first appear. */
export function groupSettings(list: DeskSettingView[]): [string, DeskSettingView[]][] {
  const groups = new Map<string, DeskSettingView[]>();
  for (const s of list) {
    const g = groups.get(s.group);
    if (g) g.push(s);
    else groups.set(s.group, [s]);
  }
  return [...groups];
}
