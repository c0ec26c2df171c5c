// Typed calls into the Rust shell; every command answers a value or a CommandError. The command
// and event names come from Rust (bindings/names.ts), never typed here.
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
import { Command, Event } from "./bindings/names";

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
  startupStatus: () => invoke<StartupStatus>(Command.startupStatus),
  resetStore: () => invoke<StartupStatus>(Command.resetStore),
  deskSnapshot: () => invoke<DeskSnapshot>(Command.deskSnapshot),
  startWalkup: (topic: string | null) => invoke<DeskSnapshot>(Command.startWalkup, { topic }),
  endWalkup: () => invoke<DeskSnapshot>(Command.endWalkup),
  setPresence: (presence: Presence) => invoke<DeskSnapshot>(Command.setPresence, { presence }),
  openLink: (url: string) => invoke<null>(Command.openLink, { url }),
  setTyping: (account: string, peer: string, typing: boolean) =>
    invoke<null>(Command.setTyping, { account, peer, typing }),
  signIn: (jid: string, password: string) => invoke<null>(Command.signIn, { jid, password }),
  accountStatuses: () => invoke<AccountStatus[]>(Command.accountStatuses),
  onAccountChanged: (f: (s: AccountStatus) => void): Promise<UnlistenFn> =>
    listen<AccountStatus>(Event.accountChanged, (e) => f(e.payload)),
  closeChat: (peer: string, rating: Rating) => invoke<DeskSnapshot>(Command.closeChat, { peer, rating }),
  /** Takes the first chat waiting in line; the patron taken, or null when none waits. */
  takeNextChat: () => invoke<string | null>(Command.takeNextChat),
  holdChat: (peer: string, hold: boolean) => invoke<DeskSnapshot>(Command.holdChat, { peer, hold }),
  rateWalkup: (id: number, rating: Rating) => invoke<null>(Command.rateWalkup, { id, rating }),
  /** Statistics for questions that started in [from, to) (ISO times); hours are the desk's local time. */
  statistics: (from: string, to: string) => invoke<Statistics>(Command.statistics, { from, to }),
  searchTranscripts: (query: string, filter: SearchFilter, limit: number) =>
    invoke<SearchHit[]>(Command.searchTranscripts, { query, filter, limit }),
  transcript: (id: number) => invoke<TranscriptView>(Command.transcript, { id }),
  conversations: () => invoke<ConversationView[]>(Command.conversations),
  cannedReplies: () => invoke<CannedReplyView[]>(Command.cannedReplies),
  retryNow: () => invoke<null>(Command.retryNow),
  closeTab: (account: string, peer: string) => invoke<null>(Command.closeTab, { account, peer }),
  reopenTab: (account: string, peer: string) => invoke<null>(Command.reopenTab, { account, peer }),
  moveTab: (account: string, peer: string, to: number) =>
    invoke<ConversationView[]>(Command.moveTab, { account, peer, to }),
  closedTabs: (limit: number) => invoke<ConversationView[]>(Command.closedTabs, { limit }),
  followUps: () => invoke<FollowUpView[]>(Command.followups),
  answerFollowUp: (id: number) => invoke<DeskSnapshot>(Command.answerFollowup, { id }),
  answerBuddy: (account: string, from: string, allow: boolean) =>
    invoke<DeskSnapshot>(Command.answerBuddy, { account, from, allow }),
  conversationMessages: (account: string, peer: string, before: number | null, limit: number) =>
    invoke<MessageView[]>(Command.conversationMessages, { account, peer, before, limit }),
  sendReply: (account: string, peer: string, body: string) =>
    invoke<MessageView>(Command.sendReply, { account, peer, body }),
  markRead: (account: string, peer: string, upto: number) => invoke<null>(Command.markRead, { account, peer, upto }),
  saveDraft: (account: string, peer: string, draft: string) =>
    invoke<null>(Command.saveDraft, { account, peer, draft }),
  onMessage: (f: (m: MessageView) => void): Promise<UnlistenFn> => listen<MessageView>(Event.message, (e) => f(e.payload)),
  onTyping: (f: (t: TypingView) => void): Promise<UnlistenFn> => listen<TypingView>(Event.typing, (e) => f(e.payload)),
  onFlooding: (f: (t: FloodView) => void): Promise<UnlistenFn> => listen<FloodView>(Event.flooding, (e) => f(e.payload)),
  autostartSettings: () => invoke<AutostartView>(Command.autostartSettings),
  librarySettings: () => invoke<SettingView[]>(Command.librarySettings),
  deskSettings: () => invoke<DeskSettingView[]>(Command.deskSettings),
  accountSettings: () => invoke<AccountSettings>(Command.accountSettings),
  addAccount: (account: AccountEntry, password: string) =>
    invoke<AccountSettings>(Command.addAccount, { account, password }),
  removeAccount: (jid: string) => invoke<AccountSettings>(Command.removeAccount, { jid }),
  setDeskSetting: (key: string, value: string | null) =>
    invoke<DeskSettingView[]>(Command.setDeskSetting, { key, value }),
  setAutostart: (enabled: boolean) => invoke<AutostartView>(Command.setAutostart, { enabled }),
  displaySettings: () => invoke<DisplaySettings>(Command.displaySettings),
  setDisplaySettings: (settings: DisplaySettings) => invoke<DisplaySettings>(Command.setDisplaySettings, { settings }),
  /** Tells the shell which chat the window shows (null: none), so only other chats are announced. */
  setOpenChat: (account: string | null, peer: string | null) => invoke<void>(Command.setOpenChat, { account, peer }),
  /** This desk's meaning for a slang term ("" hides a built-in one; null drops the desk's own). */
  setGlossaryTerm: (term: string, meaning: string | null) =>
    invoke<SlangTerm[]>(Command.setGlossaryTerm, { term, meaning }),
  deskCard: () => invoke<DeskCard>(Command.deskCard),
  setDeskCard: (name: string, subjects: string) => invoke<DeskCard>(Command.setDeskCard, { name, subjects }),
  /** Offers the chat with `peer` to the colleague's desk signed in as `to` (its resource). */
  offerChat: (peer: string, to: string, note: string) => invoke<DeskSnapshot>(Command.offerChat, { peer, to, note }),
  /** Refers the patron to a librarian of the directory (`jid`), who will write to them from their own account. */
  referChat: (peer: string, jid: string, note: string) => invoke<DeskSnapshot>(Command.referChat, { peer, jid, note }),
  answerOffer: (id: string, accept: boolean) => invoke<DeskSnapshot>(Command.answerOffer, { id, accept }),
  withdrawOffer: (id: string) => invoke<DeskSnapshot>(Command.withdrawOffer, { id }),
  conversationNotes: (account: string, peer: string) => invoke<NoteView[]>(Command.conversationNotes, { account, peer }),
  addNote: (account: string, peer: string, text: string) => invoke<NoteView>(Command.addNote, { account, peer, text }),
  onNote: (f: (n: NoteView) => void): Promise<UnlistenFn> => listen<NoteView>(Event.note, (e) => f(e.payload)),
  /** A notification about `peer` was clicked: the window should open their conversation. */
  onOpenChat: (f: (peer: string) => void): Promise<UnlistenFn> => listen<string>(Event.openChat, (e) => f(e.payload)),
  /** Called with the revision of the desk's new snapshot (fetch it with `deskSnapshot`). */
  onDeskChanged: (f: (revision: number) => void): Promise<UnlistenFn> =>
    listen<number>(Event.deskChanged, (e) => f(e.payload)),
};
