// The conversations in the window: the tabs, the one open with its loaded messages and notes,
// who is typing or flooding, drafts, and the closed tabs' list. Errors go to the desk's line.
import { tick } from "svelte";
import { api } from "../api";
import {
  applyToConversations,
  inOrder,
  moveItem,
  sameConversation,
  shortName,
  upsertMessage,
  withMedia,
  type ConversationKey,
} from "../conversations";
import type { PassTo } from "../colleagues";
import type { ConversationView } from "../bindings/ConversationView";
import type { FloodView } from "../bindings/FloodView";
import type { MessageView } from "../bindings/MessageView";
import type { NoteView } from "../bindings/NoteView";
import type { TypingView } from "../bindings/TypingView";
import { desk } from "./desk.svelte";

const PAGE = 100;
// Scrolling back asks for more at a time (the store's largest page).
const EARLIER_PAGE = 500;
const DRAFT_SAVE_MS = 400;

/** How typing and flooding are keyed: account NUL peer. */
export const chatKey = (c: ConversationKey) => `${c.account}\u0000${c.peer}`;

class Chats {
  // Replaced, never changed in place: a long history is not made deeply reactive.
  list = $state.raw<ConversationView[]>([]);
  open = $state<ConversationKey | null>(null);
  messages = $state.raw<MessageView[]>([]);
  hasEarlier = $state(false);
  notes = $state<NoteView[]>([]);
  /** Conversations whose patron is typing now; never stored. */
  typing = $state(new Set<string>());
  /** Contacts flooding the desk now, with how many of their messages were dropped. */
  flooding = $state(new Map<string, number>());
  /** Recently closed tabs, while their list is open. */
  reopenList = $state<ConversationView[] | null>(null);
  /** What a screen reader hears after a tab moved. */
  tabMoved = $state("");
  /** Puts the cursor in the open conversation's reply box (the window sets it). */
  focusComposer: () => void = () => {};

  // Messages that arrive while the tab list is being fetched, applied on top of it.
  #early: MessageView[] | null = [];
  #draftTimers = new Map<string, ReturnType<typeof setTimeout>>();
  #loadingEarlier = false;

  readonly phases = $derived(new Map((desk.snapshot?.chats ?? []).map((c) => [c.peer, c.phase])));
  /** Patrons who ended their chat in the website's chat box. */
  readonly left = $derived(new Set(desk.snapshot?.left ?? []));
  readonly elsewhereDesks = $derived(new Map((desk.snapshot?.chats ?? []).map((c) => [c.peer, c.desk])));
  // The library's own name for a patron (the account's roster).
  readonly #rosterNames = $derived(
    new Map((desk.snapshot?.chats ?? []).flatMap((c) => (c.name ? [[c.peer, c.name] as const] : []))),
  );
  readonly waitingSince = $derived(
    new Map((desk.snapshot?.queue ?? []).flatMap((q) => (q.kind === "chat" ? [[q.peer, q.arrived] as const] : []))),
  );
  readonly openView = $derived(this.open ? (this.list.find((c) => sameConversation(this.open, c)) ?? null) : null);
  readonly openOnline = $derived(
    this.openView ? desk.accounts.some((a) => a.jid === this.openView?.account && a.state === "online") : false,
  );

  /** The library's own name for a patron, else the short address. */
  who = (peer: string) => this.#rosterNames.get(peer) ?? shortName(peer);

  /** The tab list from the store, with what arrived while it was fetched. */
  async load() {
    let list = await api.conversations();
    for (const m of this.#early ?? []) list = applyToConversations(list, m, this.open);
    this.list = list;
    this.#early = null;
  }

  message = (m: MessageView) => {
    this.#early?.push(m);
    if (m.incoming && this.typing.has(chatKey(m))) {
      const next = new Set(this.typing);
      next.delete(chatKey(m));
      this.typing = next;
    }
    const isNew = !this.list.some((c) => sameConversation(c, m));
    this.list = applyToConversations(this.list, m, this.open);
    // A new tab: the store says whether it came from the website's chat box.
    if (isNew && !this.#early) {
      void api.conversations().then((known) => (this.list = withMedia(this.list, known)), () => {});
    }
    if (sameConversation(this.open, m)) {
      this.messages = upsertMessage(this.messages, m);
      if (m.incoming) this.markRead();
    }
  };

  note = (n: NoteView) => {
    if (sameConversation(this.open, n) && !this.notes.some((x) => x.id === n.id)) this.notes = [...this.notes, n];
  };

  typingChanged = (t: TypingView) => {
    const next = new Set(this.typing);
    if (t.typing) next.add(chatKey(t));
    else next.delete(chatKey(t));
    this.typing = next;
  };

  floodingChanged = (f: FloodView) => {
    const next = new Map(this.flooding);
    if (f.flooding) next.set(chatKey(f), f.dropped);
    else next.delete(chatKey(f));
    this.flooding = next;
  };

  /**
   * Opens a conversation the librarian chose (a tab, a key, the line, a notification) with the
   * cursor in its reply box, ready to type. Only a choice of theirs comes here: a new chat never
   * takes the focus.
   */
  select = async (c: ConversationKey) => {
    desk.view = "desk";
    if (sameConversation(this.open, c)) {
      await tick();
      this.focusComposer();
      return;
    }
    const key = { account: c.account, peer: c.peer };
    this.open = key;
    this.messages = [];
    this.notes = [];
    this.hasEarlier = false;
    void tick().then(() => this.focusComposer());
    void api.conversationNotes(key.account, key.peer).then((list) => {
      if (sameConversation(this.open, key)) this.notes = list;
    }, desk.report);
    try {
      const page = await api.conversationMessages(key.account, key.peer, null, PAGE);
      if (!sameConversation(this.open, key)) return;
      let merged = this.messages;
      for (const m of page) merged = upsertMessage(merged, m);
      this.messages = merged;
      this.hasEarlier = page.length === PAGE;
      this.markRead();
    } catch (e) {
      desk.report(e);
    }
  };

  selectPeer = (peer: string) => {
    const c = this.list.find((x) => x.peer === peer);
    if (c) void this.select(c);
  };

  /** Shows a conversation, bringing its tab back if it was closed. */
  show = async (c: ConversationKey) => {
    if (this.list.some((x) => sameConversation(x, c))) await this.select(c);
    else await this.reopen(c);
  };

  closeTab = async (c: ConversationKey) => {
    desk.error = null;
    try {
      await api.closeTab(c.account, c.peer);
      this.list = this.list.filter((x) => !sameConversation(x, c));
      if (sameConversation(this.open, c)) this.open = null;
    } catch (e) {
      desk.report(e);
    }
  };

  toggleReopenList = async () => {
    if (this.reopenList) {
      this.reopenList = null;
      return;
    }
    try {
      this.reopenList = await api.closedTabs(20);
    } catch (e) {
      desk.report(e);
    }
  };

  reopen = async (c: ConversationKey) => {
    this.reopenList = null;
    try {
      await api.reopenTab(c.account, c.peer);
      this.list = await api.conversations();
      void this.select(c);
    } catch (e) {
      desk.report(e);
    }
  };

  reopenLast = async () => {
    try {
      const [last] = await api.closedTabs(1);
      if (last) await this.reopen(last);
    } catch (e) {
      desk.report(e);
    }
  };

  /** Moves a tab on screen only, while it is dragged (`moveTab` keeps the place). */
  moveOnScreen(from: number, to: number) {
    this.list = moveItem(this.list, from, to);
  }

  /**
   * Where tabs stand is the librarian's: moved with the mouse or Ctrl+Shift+PageUp/PageDown, kept in
   * the store. The window moves the tab at once and then takes the store's order.
   */
  moveTab = async (c: ConversationKey, to: number) => {
    const from = this.list.findIndex((x) => sameConversation(x, c));
    if (from < 0) return;
    this.list = moveItem(this.list, from, to);
    try {
      this.list = inOrder(this.list, await api.moveTab(c.account, c.peer, to));
      const at = this.list.findIndex((x) => sameConversation(x, c));
      this.tabMoved = `Tab of ${shortName(c.peer)} moved to position ${at + 1} of ${this.list.length}`;
    } catch (e) {
      desk.report(e);
      try {
        this.list = await api.conversations();
      } catch {
        // The error above is the one worth showing.
      }
    }
  };

  /** One page at a time: scrolling near the top asks again and again while a page is on its way. */
  loadEarlier = async () => {
    const key = this.open;
    const first = this.messages[0];
    if (!key || !first || this.#loadingEarlier) return;
    this.#loadingEarlier = true;
    try {
      const page = await api.conversationMessages(key.account, key.peer, first.id, EARLIER_PAGE);
      if (!sameConversation(this.open, key)) return;
      this.messages = [...page.filter((m) => m.id < first.id), ...this.messages];
      this.hasEarlier = page.length === EARLIER_PAGE;
    } catch (e) {
      desk.report(e);
    } finally {
      this.#loadingEarlier = false;
    }
  };

  /** The open conversation is seen up to its newest loaded message. */
  markRead() {
    const key = this.open;
    const newest = this.messages.at(-1);
    if (!key) return;
    this.list = this.list.map((c) => (sameConversation(key, c) && c.unread > 0 ? { ...c, unread: 0 } : c));
    if (newest) api.markRead(key.account, key.peer, newest.id).catch(desk.report);
  }

  keepDraft = (draft: string) => {
    const key = this.open;
    if (!key) return;
    this.list = this.list.map((c) => (sameConversation(key, c) ? { ...c, draft } : c));
    const id = chatKey(key);
    clearTimeout(this.#draftTimers.get(id));
    this.#draftTimers.set(
      id,
      setTimeout(() => {
        this.#draftTimers.delete(id);
        api.saveDraft(key.account, key.peer, draft).catch(desk.report);
      }, DRAFT_SAVE_MS),
    );
  };

  sendTyping = (account: string, peer: string, on: boolean) => {
    // Best effort: a typing state that does not arrive harms no one, so it never shows an error.
    api.setTyping(account, peer, on).catch(() => {});
  };

  sendReply = async (body: string): Promise<boolean> => {
    const key = this.open;
    if (!key) return false;
    desk.error = null;
    try {
      this.message(await api.sendReply(key.account, key.peer, body));
      this.keepDraft("");
      return true;
    } catch (e) {
      desk.report(e);
      return false;
    }
  };

  addNote = async (account: string, peer: string, text: string): Promise<boolean> => {
    desk.error = null;
    try {
      this.note(await api.addNote(account, peer, text));
      return true;
    } catch (e) {
      desk.report(e);
      return false;
    }
  };

  offer = async (peer: string, to: PassTo, note: string): Promise<boolean> => {
    desk.error = null;
    try {
      desk.setDesk(
        to.kind === "desk" ? await api.offerChat(peer, to.resource, note) : await api.referChat(peer, to.jid, note),
      );
      return true;
    } catch (e) {
      desk.report(e);
      return false;
    }
  };

  /** The first chat in line becomes this librarian's (over the cap if need be) and its tab opens. */
  takeNext = async () => {
    try {
      const peer = await api.takeNextChat();
      if (peer) this.selectPeer(peer);
      else desk.error = "No chat is waiting.";
    } catch (e) {
      desk.report(e);
    }
  };

  /**
   * Tells the shell which chat is in front of the librarian, so it announces only the others. Call
   * while a component initialises (it owns the effect).
   */
  trackOpen() {
    $effect(() => {
      const shown = desk.view === "desk" ? this.open : null;
      void api.setOpenChat(shown?.account ?? null, shown?.peer ?? null).catch(() => {});
    });
  }
}

/** The conversations of this window. */
export const chats = new Chats();

/**
 * Listens to the shell, then fetches the current state: a change that happens in between is seen
 * either in the fetched state or as an event, never lost. Returns what stops listening.
 */
export function connect(): () => void {
  const listeners = [
    api.onDeskChanged(desk.changed),
    api.onAccountChanged(desk.accountChanged),
    api.onMessage(chats.message),
    // (A chat whose tab was closed since has no key here: the window is in front all the same.)
    api.onOpenChat((peer) => {
      const c = chats.list.find((x) => x.peer === peer);
      if (c) void chats.show(c);
    }),
    api.onNote(chats.note),
    api.onFlooding(chats.floodingChanged),
    api.onTyping(chats.typingChanged),
  ];
  void Promise.all(listeners)
    .then(async () => {
      if (await desk.load()) await chats.load();
    })
    .catch(desk.report);
  return () => {
    for (const l of listeners) void l.then((f) => f());
  };
}
