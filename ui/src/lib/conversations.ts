// Conversation state kept in the window: pure functions over the store's views, so the window
// can apply each "message" event in any order and any number of times and end up the same.
import type { ConversationView } from "./bindings/ConversationView";
import type { MessageStatus } from "./bindings/MessageStatus";
import type { MessageView } from "./bindings/MessageView";

/** Which conversation: an account and the patron on it. */
export interface ConversationKey {
  account: string;
  peer: string;
}

export function sameConversation(a: ConversationKey | null, b: ConversationKey): boolean {
  return a !== null && a.account === b.account && a.peer === b.peer;
}

// A message only moves forward: a late "pending" never undoes "sent".
const progress: Record<MessageStatus, number> = { pending: 0, sent: 1, received: 1, delivered: 2 };

/** Adds or updates `m` in a conversation's messages, kept in id (arrival) order. */
export function upsertMessage(list: MessageView[], m: MessageView): MessageView[] {
  // New and updated messages are nearly always the latest: look from the end.
  let i = list.length - 1;
  while (i >= 0 && list[i]!.id !== m.id) i--;
  if (i >= 0) {
    if (progress[list[i]!.status] > progress[m.status]) return list;
    const copy = list.slice();
    copy[i] = m;
    return copy;
  }
  const copy = list.slice();
  let at = copy.length;
  while (at > 0 && copy[at - 1]!.id > m.id) at--;
  copy.splice(at, 0, m);
  return copy;
}

/** The one-line start of a message, for a tab (the stylesheet cuts it to the tab's width). */
export function preview(body: string): string {
  return body.slice(0, 200).replace(/\s+/g, " ").trim();
}

/**
 * Applies a message to the tab list: the conversation's tab stays where it is (a new one opens last,
 * as the store orders them) and, when the message is the patron's and the conversation is not open,
 * it counts as unread. Seeing the same message again changes nothing.
 */
export function applyToConversations(
  list: ConversationView[],
  m: MessageView,
  open: ConversationKey | null,
): ConversationView[] {
  const i = list.findIndex((c) => sameConversation(c, m));
  const old = i >= 0 ? list[i]! : null;
  if (old && m.id <= old.lastId) return list;
  const unreadNow = m.incoming && !sameConversation(open, m) ? 1 : 0;
  const updated: ConversationView = {
    account: m.account,
    peer: m.peer,
    lastId: m.id,
    lastAt: m.at,
    preview: preview(m.body),
    unread: (old?.unread ?? 0) + unreadNow,
    draft: old?.draft ?? "",
    // A message does not say how the chat came; a new tab learns it with `withMedia`.
    medium: old?.medium ?? "chat",
  };
  if (i < 0) return [...list, updated];
  const copy = list.slice();
  copy[i] = updated;
  return copy;
}

/** `list` with each conversation's medium (IM or web) as the store's `known` list says. */
export function withMedia(list: ConversationView[], known: ConversationView[]): ConversationView[] {
  let changed = false;
  const next = list.map((c) => {
    const k = known.find((x) => sameConversation(x, c));
    if (!k || k.medium === c.medium) return c;
    changed = true;
    return { ...c, medium: k.medium };
  });
  return changed ? next : list;
}

/** `list` with the item at `from` moved to position `to` (clamped to the list). */
export function moveItem<T>(list: T[], from: number, to: number): T[] {
  if (from < 0 || from >= list.length) return list;
  const copy = list.slice();
  const [item] = copy.splice(from, 1);
  copy.splice(Math.max(0, Math.min(to, copy.length)), 0, item!);
  return copy;
}

/** The local tabs put in the store's order; tabs the store did not list (yet) keep their place at the end. */
export function inOrder(local: ConversationView[], order: ConversationKey[]): ConversationView[] {
  const ordered = order.flatMap((k) => local.filter((c) => sameConversation(c, k)));
  return [...ordered, ...local.filter((c) => !ordered.includes(c))];
}

/** Where a tab dragged to (x, y) lands: before the first tab the point is before, reading rows top to bottom. */
export function dropIndex(tabs: { left: number; right: number; top: number; bottom: number }[], x: number, y: number): number {
  const i = tabs.findIndex((r) => y < r.top || (y < r.bottom && x < (r.left + r.right) / 2));
  return i < 0 ? tabs.length : i;
}

/** The patron's name as a tab shows it: the part before the @, or the whole address if that is empty. */
export function shortName(jid: string): string {
  const at = jid.indexOf("@");
  return at > 0 ? jid.slice(0, at) : jid;
}

/** "14:05" for a message time, in the desk's local time. */
export function clock(iso: string): string {
  const t = new Date(iso);
  if (Number.isNaN(t.getTime())) return "";
  return `${String(t.getHours()).padStart(2, "0")}:${String(t.getMinutes()).padStart(2, "0")}`;
}

/** A piece of a message: plain text, or a link the librarian may click. */
export type Piece = { text: string } | { text: string; url: string };

// http(s) and www. links, and mailto: addresses; nothing else becomes clickable.
const LINK = /\b(?:https?:\/\/|www\.)[^\s<>"'`]+|\bmailto:[^\s<>"'`]+/gi;

/**
 * Splits message text into text and links. Trailing sentence punctuation stays text; a www. link
 * opens as https. The shell checks every link again before opening it.
 */
export function linkify(body: string): Piece[] {
  const pieces: Piece[] = [];
  let at = 0;
  for (const m of body.matchAll(LINK)) {
    let text = m[0];
    while (/[.,;:!?)\]]$/.test(text)) text = text.slice(0, -1);
    const start = m.index ?? 0;
    if (text.length === 0) continue;
    if (start > at) pieces.push({ text: body.slice(at, start) });
    const url = /^www\./i.test(text) ? `https://${text}` : text;
    pieces.push({ text, url });
    at = start + text.length;
  }
  if (at < body.length) pieces.push({ text: body.slice(at) });
  return pieces;
}
