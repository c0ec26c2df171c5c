// The desk as the window knows it: the start-up status, the desk's latest snapshot, the IM
// accounts, the walk-up at the desk, display preferences and the one error line shown.
import { api, errorMessage } from "../api";
import { applyDisplay, stepText } from "../display";
import { elapsed, upsertAccount } from "../format";
import type { AccountStatus } from "../bindings/AccountStatus";
import type { DeskSnapshot } from "../bindings/DeskSnapshot";
import type { DisplaySettings } from "../bindings/DisplaySettings";
import type { Presence } from "../bindings/Presence";
import type { SlangTerm } from "../bindings/SlangTerm";
import type { StartupStatus } from "../bindings/StartupStatus";

export type View = "desk" | "stats" | "history" | "followups" | "settings";

class DeskState {
  status = $state<StartupStatus | null>(null);
  // Raw: a snapshot is replaced whole, never changed in place; 500 chats need no deep proxies.
  snapshot = $state.raw<DeskSnapshot | null>(null);
  accounts = $state<AccountStatus[]>([]);
  error = $state<string | null>(null);
  busy = $state(false);
  view = $state<View>("desk");
  display = $state<DisplaySettings | null>(null);
  /** The walk-up topic being typed, before the walk-up starts. */
  topic = $state("");
  /** The walk-up just ended, offered for rating until rated, dismissed or another starts. */
  ended = $state<{ id: number; took: string } | null>(null);
  /** The clock the window's timers read; it ticks only while something is timed (see `runClock`). */
  now = $state(Date.now());
  // The slang glossary from the start, until the librarian edits it in Settings.
  editedGlossary = $state<SlangTerm[] | null>(null);

  readonly ready = $derived(this.status?.kind === "ready" ? this.status : null);
  readonly walkup = $derived(this.snapshot?.activeWalkup ?? null);
  readonly glossary = $derived(this.editedGlossary ?? this.ready?.glossary ?? []);
  readonly offersIn = $derived((this.snapshot?.handoffs ?? []).filter((h) => h.incoming));
  /** Something on screen counts time: a walk-up, someone in line, an offer, a reconnect countdown. */
  readonly timed = $derived(
    this.walkup !== null ||
      (this.snapshot?.queue.length ?? 0) > 0 ||
      (this.snapshot?.handoffs.length ?? 0) > 0 ||
      this.accounts.some((a) => a.state === "reconnecting" && a.retryAt !== null),
  );

  /** The latest desk revision announced, and whether a fetch of it is under way. */
  #wanted = 0;
  #fetching = false;

  /** Shows what went wrong, whatever was thrown. */
  report = (e: unknown) => {
    this.error = errorMessage(e);
  };

  /** Keeps the later of the snapshot shown and `s` (answers and fetches may cross). */
  setDesk = (s: DeskSnapshot) => {
    if (!this.snapshot || s.revision > this.snapshot.revision) this.snapshot = s;
  };

  /** The desk changed: fetch its state, once for any number of changes while a fetch is out. */
  changed = async (revision: number) => {
    this.#wanted = Math.max(this.#wanted, revision);
    if (this.#fetching || (this.snapshot && this.snapshot.revision >= revision)) return;
    this.#fetching = true;
    try {
      while (!this.snapshot || this.snapshot.revision < this.#wanted) this.setDesk(await api.deskSnapshot());
    } catch (e) {
      this.report(e);
    } finally {
      this.#fetching = false;
    }
  };

  accountChanged = (a: AccountStatus) => {
    this.accounts = upsertAccount(this.accounts, a);
  };

  /** The start-up status, display preferences, desk and accounts; true when the desk is ready. */
  async load(): Promise<boolean> {
    this.status = await api.startupStatus();
    if (this.status.kind === "ready") {
      this.display = await api.displaySettings();
      applyDisplay(this.display);
      this.setDesk(await api.deskSnapshot());
    }
    for (const a of await api.accountStatuses()) this.accountChanged(a);
    return this.status.kind === "ready";
  }

  /**
   * Ticks `now` each second while something is timed and the window is on screen: an idle desk, or
   * one hidden in the tray, does no work. Call while a component initialises (it owns the effects).
   */
  runClock() {
    let onScreen = $state(document.visibilityState !== "hidden");
    $effect(() => {
      const seen = () => (onScreen = document.visibilityState !== "hidden");
      document.addEventListener("visibilitychange", seen);
      return () => document.removeEventListener("visibilitychange", seen);
    });
    $effect(() => {
      if (!this.timed || !onScreen) return;
      this.now = Date.now();
      const t = setInterval(() => (this.now = Date.now()), 1000);
      return () => clearInterval(t);
    });
  }

  /** Runs a desk action that answers the new snapshot, one at a time. */
  run = async (action: () => Promise<DeskSnapshot>) => {
    if (this.busy) return;
    this.busy = true;
    this.error = null;
    try {
      this.setDesk(await action());
    } catch (e) {
      this.report(e);
    } finally {
      this.busy = false;
    }
  };

  toggleWalkup = () => {
    const w = this.walkup;
    if (w) {
      void this.run(async () => {
        const s = await api.endWalkup();
        this.ended = { id: w.id, took: elapsed(w.startedAt, Date.now()) };
        return s;
      });
    } else {
      this.ended = null;
      const t = this.topic.trim();
      void this.run(async () => {
        const s = await api.startWalkup(t === "" ? null : t);
        this.topic = "";
        return s;
      });
    }
  };

  rateWalkup = async (id: number, level: number | null, tags: string[]) => {
    this.error = null;
    try {
      // Without a level the walk-up keeps the default it got when it ended; tags are still saved.
      if (level !== null || tags.length > 0) {
        await api.rateWalkup(id, { readLevel: level ?? this.ready?.defaultReadLevel ?? null, tags });
      }
      this.ended = null;
    } catch (e) {
      this.report(e);
    }
  };

  setPresence = (presence: Presence) => this.run(() => api.setPresence(presence));

  /** The password goes to the keyring through the shell and is not kept in the page. */
  signIn = async (jid: string, password: string) => {
    if (password === "") return;
    this.busy = true;
    this.error = null;
    try {
      await api.signIn(jid, password);
    } catch (e) {
      this.report(e);
    } finally {
      this.busy = false;
    }
  };

  retryNow = () => api.retryNow().catch(this.report);

  startFresh = async () => {
    this.busy = true;
    this.error = null;
    try {
      this.status = await api.resetStore();
      this.setDesk(await api.deskSnapshot());
    } catch (e) {
      this.report(e);
    } finally {
      this.busy = false;
    }
  };

  /** Keeps the display preferences for the next start and applies them now. */
  saveDisplay = async (next: DisplaySettings) => {
    try {
      this.display = await api.setDisplaySettings(next);
      applyDisplay(this.display);
    } catch (e) {
      this.report(e);
    }
  };

  /** Ctrl+Plus / Ctrl+Minus / Ctrl+0. */
  resizeText(direction: 1 | -1 | 0) {
    if (!this.display) return;
    const textPercent = direction === 0 ? 100 : stepText(this.display.textPercent, direction);
    void this.saveDisplay({ ...this.display, textPercent });
  }

  saveDeskCard = async (name: string, subjects: string) => {
    this.error = null;
    try {
      return await api.setDeskCard(name, subjects);
    } catch (e) {
      this.report(e);
      return null;
    }
  };
}

/** The one desk of this window. */
export const desk = new DeskState();
