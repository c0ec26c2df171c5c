// Finding a colleague to hand a chat to, kept pure so it is unit-tested without a window.
import type { ColleagueView } from "./bindings/ColleagueView";
import type { DirectoryEntry } from "./bindings/DirectoryEntry";
import type { HandoffView } from "./bindings/HandoffView";

/** Where a chat goes: a colleague's desk on the same account (offered), or a librarian of the
 *  directory on their own account (referred: they write to the patron themselves). */
export type PassTo = { kind: "desk"; resource: string } | { kind: "librarian"; jid: string };

/** How a desk is named to the librarian: the name its librarian gave, else that it has none. */
export function colleagueLabel(c: { name: string }): string {
  return c.name.trim() === "" ? "A desk with no name" : c.name;
}

/**
 * The colleagues signed in to `account` with every word of `query` in their name or subjects
 * (case- and accent-insensitive), those open for questions first, then by name.
 */
export function findColleagues(all: ColleagueView[], account: string, query: string): ColleagueView[] {
  const words = fold(query).split(/\s+/).filter((w) => w !== "");
  return all
    .filter((c) => c.account === account)
    .filter((c) => {
      const text = fold(`${c.name} ${c.subjects}`);
      return words.every((w) => text.includes(w));
    })
    .sort((a, b) => Number(b.open) - Number(a.open) || fold(a.name).localeCompare(fold(b.name)));
}

/**
 * The librarians in `account`'s directory with every word of `query` in their name, status or
 * address: open first, then signed in, then by name.
 */
export function findInDirectory(all: DirectoryEntry[], account: string, query: string): DirectoryEntry[] {
  const words = fold(query).split(/\s+/).filter((w) => w !== "");
  const rank = (e: DirectoryEntry) => (e.open ? 0 : e.online ? 1 : 2);
  return all
    .filter((e) => e.account === account)
    .filter((e) => {
      const text = fold(`${e.name} ${e.subjects} ${e.status} ${e.jid}`);
      return words.every((w) => text.includes(w));
    })
    .sort((a, b) => rank(a) - rank(b) || fold(a.name).localeCompare(fold(b.name)));
}

/** How a librarian in the directory is doing, in a word. */
export function presenceLabel(e: DirectoryEntry): string {
  return e.open ? "online" : e.online ? "away" : "offline";
}

/** The offer this desk made for the chat with `peer` on `account`, if one is out. */
export function offerOut(handoffs: HandoffView[], account: string, peer: string): HandoffView | null {
  return handoffs.find((h) => !h.incoming && h.account === account && h.patron === peer) ?? null;
}

/** Whole seconds left until `expires` (never below zero). */
export function secondsLeft(expires: string, now: number): number {
  return Math.max(0, Math.ceil((Date.parse(expires) - now) / 1000));
}

function fold(s: string): string {
  return s.normalize("NFD").replace(/\p{Diacritic}/gu, "").toLowerCase();
}
