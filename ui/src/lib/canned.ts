// Finding a canned reply by what the librarian types, kept pure so it is unit-tested without a window.
import type { CannedReplyView } from "./bindings/CannedReplyView";

/**
 * The replies with every word of `query` in their title or text (case- and accent-insensitive),
 * those matching in the title first, each group in the library's order.
 */
export function filterCanned(replies: CannedReplyView[], query: string): CannedReplyView[] {
  const words = fold(query).split(/\s+/).filter((w) => w !== "");
  if (words.length === 0) return replies;
  const inTitle: CannedReplyView[] = [];
  const inText: CannedReplyView[] = [];
  for (const r of replies) {
    const title = fold(r.title);
    const all = `${title} ${fold(r.text)}`;
    if (!words.every((w) => all.includes(w))) continue;
    (words.every((w) => title.includes(w)) ? inTitle : inText).push(r);
  }
  return [...inTitle, ...inText];
}

function fold(s: string): string {
  return s.normalize("NFD").replace(/\p{Diacritic}/gu, "").toLowerCase();
}

/** `text` with `insert` put in place of the selection [start, end), and where the cursor goes after it. */
export function insertAt(text: string, start: number, end: number, insert: string): { text: string; cursor: number } {
  const a = Math.max(0, Math.min(start, text.length));
  const b = Math.max(a, Math.min(end, text.length));
  return { text: text.slice(0, a) + insert + text.slice(b), cursor: a + insert.length };
}
