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

/** IM hours as the policy writes them (core's ScheduleConfig). */
export interface Hours {
  timezone: string;
  hours: { day: string; open: string; close: string }[];
  closedDates: string[];
}

export const DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] as const;
const DAY_NAMES: Record<string, string> = {
  mon: "Monday",
  tue: "Tuesday",
  wed: "Wednesday",
  thu: "Thursday",
  fri: "Friday",
  sat: "Saturday",
  sun: "Sunday",
};

export function dayName(day: string): string {
  return DAY_NAMES[day] ?? day;
}

/** A week with no IM hours yet, in `timezone`. */
export function emptyHours(timezone: string): Hours {
  return { timezone, hours: [], closedDates: [] };
}

/** The hours a setting's value holds; null for none ("" or anything unreadable). */
export function parseHours(value: string): Hours | null {
  if (value.trim() === "") return null;
  try {
    const h = JSON.parse(value) as Partial<Hours>;
    if (typeof h.timezone !== "string" || !Array.isArray(h.hours)) return null;
    return { timezone: h.timezone, hours: h.hours, closedDates: Array.isArray(h.closedDates) ? h.closedDates : [] };
  } catch {
    return null;
  }
}
