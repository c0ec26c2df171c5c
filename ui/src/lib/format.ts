// Small display helpers, kept pure so they are unit-tested without a window.
import type { AccountState } from "./bindings/AccountState";
import type { AccountStatus } from "./bindings/AccountStatus";
import type { ChatPhase } from "./bindings/ChatPhase";
import type { DeskState } from "./bindings/DeskState";

/** "m:ss" under an hour, "h:mm:ss" after; negative spans (clock skew) show as 0:00. */
export function elapsed(fromIso: string, nowMs: number): string {
  const start = Date.parse(fromIso);
  if (Number.isNaN(start)) return "0:00";
  const total = Math.max(0, Math.floor((nowMs - start) / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const ss = String(s).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${ss}` : `${m}:${ss}`;
}

export const stateLabel: Record<DeskState, string> = {
  available: "Available",
  withPatron: "With a patron at the desk",
  away: "Away",
  offline: "Offline",
};

export const phaseLabel: Record<ChatPhase, string> = {
  waiting: "waiting",
  active: "with you",
  onHold: "on hold",
  elsewhere: "at another desk",
};

export const accountStateLabel: Record<AccountState, string> = {
  connecting: "signing in…",
  online: "online",
  reconnecting: "reconnecting…",
  failed: "not signed in",
  needsPassword: "needs its password",
  signedOut: "signed out",
  removed: "removed",
};

/**
 * What the header says of an account: "reconnecting in 12 s" while a retry is scheduled, "online,
 * catching up…" while what came meanwhile is still being fetched.
 */
export function accountLabel(a: AccountStatus, nowMs: number): string {
  if (a.state === "online" && a.catchingUp) return "online, catching up…";
  if (a.state === "reconnecting" && a.retryAt) {
    const left = Math.ceil((Date.parse(a.retryAt) - nowMs) / 1000);
    if (left > 0) return `reconnecting in ${left} s`;
  }
  return accountStateLabel[a.state];
}

/**
 * Replaces the status of the same account, or adds it; keeps the list in arrival order. A status
 * older than the one shown (a snapshot that crossed a newer event) is ignored.
 */
export function upsertAccount(list: AccountStatus[], s: AccountStatus): AccountStatus[] {
  if (s.state === "removed") return list.filter((a) => a.jid !== s.jid);
  const i = list.findIndex((a) => a.jid === s.jid);
  if (i < 0) return [...list, s];
  if (list[i]!.seq > s.seq) return list;
  const copy = list.slice();
  copy[i] = s;
  return copy;
}
