// Typed calls into the Rust shell; every command answers a value or a CommandError.
import { invoke } from "@tauri-apps/api/core";
import { listen, type UnlistenFn } from "@tauri-apps/api/event";
import type { AccountStatus } from "./bindings/AccountStatus";
import type { AutostartView } from "./bindings/AutostartView";
import type { CannedReplyView } from "./bindings/CannedReplyView";
import type { CommandError } from "./bindings/CommandError";
import type { ConversationView } from "./bindings/ConversationView";
import type { DeskCard } from "./bindings/DeskCard";
import type { DeskSnapshot } from "./bindings/DeskSnapshot";
import type { DisplaySettings } from "./bindings/DisplaySettings";
import type { SlangTerm } from "./bindings/SlangTerm";
import type { FloodView } from "./bindings/FloodView";
import type { FollowUpView } from "./bindings/FollowUpView";
import type { MessageView } from "./bindings/MessageView";
import type { NoteView } from "./bindings/NoteView";
import type { Presence } from "./bindings/Presence";
import type { Rating } from "./bindings/Rating";
import type { SearchFilter } from "./bindings/SearchFilter";
import type { SearchHit } from "./bindings/SearchHit";
import type { SettingView } from "./bindings/SettingView";
import type { DeskSettingView } from "./bindings/DeskSettingView";
import type { AccountEntry } from "./bindings/AccountEntry";
import type { AccountSettings } from "./bindings/AccountSettings";
import type { Statistics } from "./bindings/Statistics";
import type { StartupStatus } from "./bindings/StartupStatus";
import type { TranscriptView } from "./bindings/TranscriptView";
import type { TypingView } from "./bindings/TypingView";

/** The event name the shell emits on each desk change (api::EVENT_DESK_CHANGED). */
export const DESK_CHANGED = "desk-changed";
/** The event name the shell emits when an IM account's state changes (api::EVENT_ACCOUNT_CHANGED). */
export const ACCOUNT_CHANGED = "account-changed";
/** The event name the shell emits when a message arrives, is queued or is sent (api::EVENT_MESSAGE). */
export const MESSAGE = "message";
/** The event name the shell emits when a contact starts or stops flooding the desk (api::EVENT_FLOODING). */
export const FLOODING = "flooding";
/** The event name the shell emits when another desk writes a note on a conversation (api::EVENT_NOTE). */
export const NOTE = "note";
/** The event name the shell emits with a patron's address when their notification is clicked (api::EVENT_OPEN_CHAT). */
export const OPEN_CHAT = "open-chat";
/** The event name the shell emits when a patron starts or stops typing (api::EVENT_TYPING). */
export const TYPING = "typing";

export function isCommandError(e: unknown): e is CommandError {
  return typeof e === "object" && e !== null && "code" in e && "message" in e;
}

/** A message fit to show a person, whatever was thrown. */
export function errorMessage(e: unknown): string {
  if (isCommandError(e)) return e.message;
  if (e instanceof Error) return e.message;
  return String(e);
}

export const api = {
  startupStatus: () => invoke<StartupStatus>("startup_status"),
  resetStore: () => invoke<StartupStatus>("reset_store"),
  deskSnapshot: () => invoke<DeskSnapshot>("desk_snapshot"),
  startWalkup: (topic: string | null) => invoke<DeskSnapshot>("start_walkup", { topic }),
  endWalkup: () => invoke<DeskSnapshot>("end_walkup"),
  setPresence: (presence: Presence) => invoke<DeskSnapshot>("set_presence", { presence }),
  openLink: (url: string) => invoke<null>("open_link", { url }),
  setTyping: (account: string, peer: string, typing: boolean) =>
    invoke<null>("set_typing", { account, peer, typing }),
  signIn: (jid: string, password: string) => invoke<null>("sign_in", { jid, password }),
  accountStatuses: () => invoke<AccountStatus[]>("account_statuses"),
  onAccountChanged: (f: (s: AccountStatus) => void): Promise<UnlistenFn> =>
    listen<AccountStatus>(ACCOUNT_CHANGED, (e) => f(e.payload)),
  closeChat: (peer: string, rating: Rating) => invoke<DeskSnapshot>("close_chat", { peer, rating }),
  /** Takes the first chat waiting in line; the patron taken, or null when none waits. */
  takeNextChat: () => invoke<string | null>("take_next_chat"),
  holdChat: (peer: string, hold: boolean) => invoke<DeskSnapshot>("hold_chat", { peer, hold }),
  rateWalkup: (id: number, rating: Rating) => invoke<null>("rate_walkup", { id, rating }),
  /** Statistics for questions that started in [from, to) (ISO times); hours are the desk's local time. */
  statistics: (from: string, to: string) => invoke<Statistics>("statistics", { from, to }),
  searchTranscripts: (query: string, filter: SearchFilter, limit: number) =>
    invoke<SearchHit[]>("search_transcripts", { query, filter, limit }),
  transcript: (id: number) => invoke<TranscriptView>("transcript", { id }),
  conversations: () => invoke<ConversationView[]>("conversations"),
  cannedReplies: () => invoke<CannedReplyView[]>("canned_replies"),
  retryNow: () => invoke<null>("retry_now"),
  closeTab: (account: string, peer: string) => invoke<null>("close_tab", { account, peer }),
  reopenTab: (account: string, peer: string) => invoke<null>("reopen_tab", { account, peer }),
  moveTab: (account: string, peer: string, to: number) =>
    invoke<ConversationView[]>("move_tab", { account, peer, to }),
  closedTabs: (limit: number) => invoke<ConversationView[]>("closed_tabs", { limit }),
  followUps: () => invoke<FollowUpView[]>("followups"),
  answerFollowUp: (id: number) => invoke<DeskSnapshot>("answer_followup", { id }),
  answerBuddy: (account: string, from: string, allow: boolean) =>
    invoke<DeskSnapshot>("answer_buddy", { account, from, allow }),
  conversationMessages: (account: string, peer: string, before: number | null, limit: number) =>
    invoke<MessageView[]>("conversation_messages", { account, peer, before, limit }),
  sendReply: (account: string, peer: string, body: string) =>
    invoke<MessageView>("send_reply", { account, peer, body }),
  markRead: (account: string, peer: string, upto: number) => invoke<null>("mark_read", { account, peer, upto }),
  saveDraft: (account: string, peer: string, draft: string) =>
    invoke<null>("save_draft", { account, peer, draft }),
  onMessage: (f: (m: MessageView) => void): Promise<UnlistenFn> => listen<MessageView>(MESSAGE, (e) => f(e.payload)),
  onTyping: (f: (t: TypingView) => void): Promise<UnlistenFn> => listen<TypingView>(TYPING, (e) => f(e.payload)),
  onFlooding: (f: (t: FloodView) => void): Promise<UnlistenFn> => listen<FloodView>(FLOODING, (e) => f(e.payload)),
  autostartSettings: () => invoke<AutostartView>("autostart_settings"),
  librarySettings: () => invoke<SettingView[]>("library_settings"),
  deskSettings: () => invoke<DeskSettingView[]>("desk_settings"),
  accountSettings: () => invoke<AccountSettings>("account_settings"),
  addAccount: (account: AccountEntry, password: string) =>
    invoke<AccountSettings>("add_account", { account, password }),
  removeAccount: (jid: string) => invoke<AccountSettings>("remove_account", { jid }),
  setDeskSetting: (key: string, value: string | null) =>
    invoke<DeskSettingView[]>("set_desk_setting", { key, value }),
  setAutostart: (enabled: boolean) => invoke<AutostartView>("set_autostart", { enabled }),
  displaySettings: () => invoke<DisplaySettings>("display_settings"),
  setDisplaySettings: (settings: DisplaySettings) => invoke<DisplaySettings>("set_display_settings", { settings }),
  /** Tells the shell which chat the window shows (null: none), so only other chats are announced. */
  setOpenChat: (account: string | null, peer: string | null) => invoke<void>("set_open_chat", { account, peer }),
  /** This desk's meaning for a slang term ("" hides a built-in one; null drops the desk's own). */
  setGlossaryTerm: (term: string, meaning: string | null) =>
    invoke<SlangTerm[]>("set_glossary_term", { term, meaning }),
  deskCard: () => invoke<DeskCard>("desk_card"),
  setDeskCard: (name: string, subjects: string) => invoke<DeskCard>("set_desk_card", { name, subjects }),
  /** Offers the chat with `peer` to the colleague's desk signed in as `to` (its resource). */
  offerChat: (peer: string, to: string, note: string) => invoke<DeskSnapshot>("offer_chat", { peer, to, note }),
  /** Refers the patron to a librarian of the directory (`jid`), who will write to them from their own account. */
  referChat: (peer: string, jid: string, note: string) => invoke<DeskSnapshot>("refer_chat", { peer, jid, note }),
  answerOffer: (id: string, accept: boolean) => invoke<DeskSnapshot>("answer_offer", { id, accept }),
  withdrawOffer: (id: string) => invoke<DeskSnapshot>("withdraw_offer", { id }),
  conversationNotes: (account: string, peer: string) => invoke<NoteView[]>("conversation_notes", { account, peer }),
  addNote: (account: string, peer: string, text: string) => invoke<NoteView>("add_note", { account, peer, text }),
  onNote: (f: (n: NoteView) => void): Promise<UnlistenFn> => listen<NoteView>(NOTE, (e) => f(e.payload)),
  /** A notification about `peer` was clicked: the window should open their conversation. */
  onOpenChat: (f: (peer: string) => void): Promise<UnlistenFn> => listen<string>(OPEN_CHAT, (e) => f(e.payload)),
  /** Called with the revision of the desk's new snapshot (fetch it with `deskSnapshot`). */
  onDeskChanged: (f: (revision: number) => void): Promise<UnlistenFn> =>
    listen<number>(DESK_CHANGED, (e) => f(e.payload)),
};
