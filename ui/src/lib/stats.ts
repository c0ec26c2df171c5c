// Helpers for rating questions and showing statistics, kept pure so they are unit-tested without a window.
import type { ByMedium } from "./bindings/ByMedium";

/** What each READ level means, for the buttons' tooltips (Gerlich's Reference Effort Assessment Data scale). */
export const READ_LEVELS: readonly { level: number; meaning: string }[] = [
  { level: 1, meaning: "A direction or a quick fact, no resource needed" },
  { level: 2, meaning: "A little searching in one resource" },
  { level: 3, meaning: "Some effort: several resources or search skill" },
  { level: 4, meaning: "Much effort and knowledge of many resources" },
  { level: 5, meaning: "In-depth research, consulting colleagues" },
  { level: 6, meaning: "Extensive research, possibly over several sessions" },
];

/** The tags typed in one box: split at commas, trimmed, lower-cased, blanks and repeats dropped. */
export function parseTags(text: string): string[] {
  const out: string[] = [];
  for (const raw of text.split(",")) {
    const tag = raw.trim().replace(/\s+/g, " ").toLowerCase();
    if (tag !== "" && !out.includes(tag)) out.push(tag);
  }
  return out;
}

export type Period = "today" | "week" | "month";

export const periodLabel: Record<Period, string> = {
  today: "Today",
  week: "Last 7 days",
  month: "Last 30 days",
};

/** The period as [from, to) in ISO time: whole local days ending with today. */
export function periodRange(p: Period, now: Date): { from: string; to: string } {
  const days = p === "today" ? 1 : p === "week" ? 7 : 30;
  const end = new Date(now.getFullYear(), now.getMonth(), now.getDate() + 1);
  const start = new Date(now.getFullYear(), now.getMonth(), now.getDate() - (days - 1));
  return { from: start.toISOString(), to: end.toISOString() };
}

/** Seconds as "45 s", "3 min" or "1 h 05 min", rounded for a glance. */
export function duration(secs: number): string {
  if (secs < 60) return `${secs} s`;
  if (secs < 3600) return `${Math.round(secs / 60)} min`;
  const h = Math.floor(secs / 3600);
  const m = Math.floor((secs % 3600) / 60);
  return `${h} h ${String(m).padStart(2, "0")} min`;
}

export const total = (c: ByMedium) => c.chat + c.web + c.walkup;

/** The tallest bar of a chart, never 0 (an empty chart draws flat bars, not NaN). */
export function scaleMax(rows: ByMedium[]): number {
  return Math.max(1, ...rows.map(total));
}

export const WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"] as const;

/** The count written over a bar: its total, or nothing for an empty one (a row of zeros is noise). */
export function barLabel(c: ByMedium): string {
  const n = total(c);
  return n === 0 ? "" : String(n);
}

/** Patrons' ratings (counts of 1 … 5) as "4.3 of 5 from 12 chats", or "none yet". */
export function ratingSummary(counts: number[]): string {
  const n = counts.reduce((a, b) => a + b, 0);
  if (n === 0) return "none yet";
  const mean = counts.reduce((a, c, i) => a + c * (i + 1), 0) / n;
  return `${mean.toFixed(1)} of 5 from ${n} ${n === 1 ? "chat" : "chats"}`;
}
