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
