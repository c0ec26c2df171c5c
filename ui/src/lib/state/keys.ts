// The window's keyboard shortcuts: walk-up, take next, text size, reopen, and moving between and
// moving tabs.
import { sameConversation } from "../conversations";
import { chats } from "./chats.svelte";
import { desk } from "./desk.svelte";

export const WALKUP_KEY = "F2";
export const TAKE_NEXT_KEY = "F3";

export function onKey(e: KeyboardEvent) {
  const ready = desk.status?.kind === "ready";
  if (e.key === WALKUP_KEY && ready) {
    e.preventDefault();
    desk.toggleWalkup();
    return;
  }
  if (e.key === TAKE_NEXT_KEY && ready) {
    e.preventDefault();
    void chats.takeNext();
    return;
  }
  if (e.ctrlKey && !e.altKey && (e.key === "+" || e.key === "=" || e.key === "-" || e.key === "0")) {
    e.preventDefault();
    desk.resizeText(e.key === "0" ? 0 : e.key === "-" ? -1 : 1);
    return;
  }
  if (e.ctrlKey && e.shiftKey && e.key.toLowerCase() === "t") {
    e.preventDefault();
    void chats.reopenLast();
    return;
  }
  const list = chats.list;
  const open = chats.open;
  // Ctrl+Shift+PageUp/PageDown moves the open tab; Alt+1…9 opens the nth tab; Ctrl+PageUp/PageDown
  // steps through them.
  if (e.ctrlKey && e.shiftKey && (e.key === "PageDown" || e.key === "PageUp")) {
    const i = list.findIndex((c) => sameConversation(open, c));
    const to = i + (e.key === "PageDown" ? 1 : -1);
    e.preventDefault();
    if (open && i >= 0 && to >= 0 && to < list.length) void chats.moveTab(open, to);
  } else if (e.altKey && /^[1-9]$/.test(e.key)) {
    const c = list[Number(e.key) - 1];
    if (c) {
      e.preventDefault();
      void chats.select(c);
    }
  } else if (e.ctrlKey && (e.key === "PageDown" || e.key === "PageUp") && list.length > 0) {
    e.preventDefault();
    const i = list.findIndex((c) => sameConversation(open, c));
    const step = e.key === "PageDown" ? 1 : -1;
    const next = list[(i + step + list.length) % list.length];
    if (next) void chats.select(next);
  }
}
