// The conversation kept for this browser tab (sessionStorage: no cookie, gone when the tab closes),
// so a reload or another page of the site shows it again; and the patron's own transcript.
import type { Words } from "./text";

export interface Line {
  from: "you" | "desk";
  text: string;
  at: number;
}

const KEY = "refdesk-chat:";
// A tab keeps at most this many lines: a long chat must not fill the site's storage.
const MAX_LINES = 500;

export function load(library: string): Line[] {
  try {
    const v: unknown = JSON.parse(sessionStorage.getItem(KEY + library) ?? "[]");
    if (!Array.isArray(v)) return [];
    return v.filter(
      (l): l is Line =>
        typeof l === "object" && l !== null && (l.from === "you" || l.from === "desk") && typeof l.text === "string" && typeof l.at === "number",
    );
  } catch {
    return []; // storage off (private mode) or a damaged entry: start empty, never break the page
  }
}

export function save(library: string, lines: Line[]) {
  try {
    sessionStorage.setItem(KEY + library, JSON.stringify(lines.slice(-MAX_LINES)));
  } catch {
    // Storage full or off: the chat goes on, it just is not kept across a reload.
  }
}

/**
 * The conversation this tab is in at the desk: a random token the box makes (no identity), sent
 * with every message, so that after a reload, on another page of the site, or after the link
 * dropped, the box (a new anonymous guest each time) is still the same chat at the desk and gets
 * what the desk wrote meanwhile. `last` is the newest desk message shown; `seen` are the ids of
 * those shown lately, so one sent again is not shown twice.
 */
export interface Visit {
  token: string;
  /** The patron has written in it: a new sign-in asks the desk for what it missed. */
  started: boolean;
  ended: boolean;
  last: string | null;
  seen: string[];
}

const MAX_SEEN = 200;

export function newVisit(): Visit {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  const token = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  return { token, started: false, ended: false, last: null, seen: [] };
}

export function loadVisit(library: string): Visit | null {
  try {
    const v: unknown = JSON.parse(sessionStorage.getItem(KEY + library + ":visit") ?? "null");
    if (typeof v !== "object" || v === null) return null;
    const o = v as Record<string, unknown>;
    if (typeof o.token !== "string" || !/^[0-9a-f]{32}$/.test(o.token)) return null;
    const seen = Array.isArray(o.seen) ? o.seen.filter((x): x is string => typeof x === "string").slice(-MAX_SEEN) : [];
    return {
      token: o.token,
      started: o.started === true,
      ended: o.ended === true,
      last: typeof o.last === "string" ? o.last : null,
      seen,
    };
  } catch {
    return null;
  }
}

export function saveVisit(library: string, v: Visit) {
  try {
    v.seen = v.seen.slice(-MAX_SEEN);
    sessionStorage.setItem(KEY + library + ":visit", JSON.stringify(v));
  } catch {
    // As for the lines: without storage a reload starts a new chat.
  }
}

/** Plain text, one line per message with its time: what the patron downloads. */
export function transcriptText(lines: Line[], w: Words, page: string): string {
  const head = `${w.title}${page ? ` (${page})` : ""}\n\n`;
  return (
    head +
    lines
      .map((l) => {
        const t = new Date(l.at);
        const hh = String(t.getHours()).padStart(2, "0");
        const mm = String(t.getMinutes()).padStart(2, "0");
        return `[${hh}:${mm}] ${l.from === "you" ? w.you : w.librarian}: ${l.text}`;
      })
      .join("\n") +
    "\n"
  );
}
