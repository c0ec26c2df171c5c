// IM shorthand in patrons' messages ("brb", "zsm"): found as whole words, explained from the
// library's glossary (built-in terms in English or Dutch, the desk's own, the policy file's).
import type { SlangTerm } from "./bindings/SlangTerm";

export type Glossary = Map<string, string>;

/** The terms that explain something: a term the desk hid has no meaning and is left out. */
export function glossaryOf(terms: SlangTerm[]): Glossary {
  return new Map(terms.filter((t) => t.meaning !== "").map((t) => [t.term.toLowerCase(), t.meaning]));
}

/** A piece of plain text: as it is, or a glossary term with its meaning. */
export type SlangPiece = { text: string } | { text: string; meaning: string };

// A word: letters and digits, joined by ' - or / ("w8", "b/c", "g2g").
const WORD = /[\p{L}\p{N}]+(?:['/-][\p{L}\p{N}]+)*/gu;

/** Splits `text` so each word in the glossary (any case, whole words only) is its own piece. */
export function markSlang(text: string, glossary: Glossary): SlangPiece[] {
  if (glossary.size === 0) return [{ text }];
  const pieces: SlangPiece[] = [];
  let at = 0;
  for (const m of text.matchAll(WORD)) {
    const meaning = glossary.get(m[0].toLowerCase());
    if (meaning === undefined) continue;
    const start = m.index ?? 0;
    if (start > at) pieces.push({ text: text.slice(at, start) });
    pieces.push({ text: m[0], meaning });
    at = start + m[0].length;
  }
  if (at < text.length) pieces.push({ text: text.slice(at) });
  return pieces;
}

/** The meaning of a selected bit of text, if it is one glossary term ("brb", " BRB! "). */
export function explainSelection(selected: string, glossary: Glossary): string | null {
  const words = [...selected.matchAll(WORD)];
  const term = words.length === 1 ? words[0]?.[0] : undefined;
  if (term === undefined) return null;
  const meaning = glossary.get(term.toLowerCase());
  return meaning === undefined ? null : `${term}: ${meaning}`;
}
