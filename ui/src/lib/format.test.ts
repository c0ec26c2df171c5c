import { describe, expect, it } from "vitest";
import { accountLabel, accountStateLabel, elapsed, stateLabel, upsertAccount } from "./format";

describe("elapsed", () => {
  const start = "2026-11-23T10:00:00Z";
  const at = (s: number) => Date.parse(start) + s * 1000;

  it("shows minutes and seconds under an hour", () => {
    expect(elapsed(start, at(0))).toBe("0:00");
    expect(elapsed(start, at(65))).toBe("1:05");
    expect(elapsed(start, at(3599))).toBe("59:59");
  });

  it("adds hours after an hour", () => {
    expect(elapsed(start, at(3600))).toBe("1:00:00");
    expect(elapsed(start, at(3600 * 2 + 61))).toBe("2:01:01");
  });

  it("never shows a negative time when the clock is behind", () => {
    expect(elapsed(start, at(-30))).toBe("0:00");
  });

  it("copes with a malformed timestamp", () => {
    expect(elapsed("not a time", at(10))).toBe("0:00");
  });
});

describe("stateLabel", () => {
  it("names every desk state", () => {
    expect(stateLabel.withPatron).toBe("With a patron at the desk");
    expect(Object.keys(stateLabel).sort()).toEqual(["available", "away", "offline", "withPatron"]);
  });
});

describe("upsertAccount", () => {
  it("replaces an account's status in place and appends new ones", () => {
    const a = { jid: "ask@lib", state: "connecting" as const, message: null, retryAt: null, catchingUp: false, seq: 1 };
    const b = { jid: "maria@lib", state: "online" as const, message: null, retryAt: null, catchingUp: false, seq: 2 };
    let list = upsertAccount([], a);
    list = upsertAccount(list, b);
    list = upsertAccount(list, { ...a, state: "failed", message: "wrong password", seq: 3 });
    expect(list.map((x) => [x.jid, x.state])).toEqual([
      ["ask@lib", "failed"],
      ["maria@lib", "online"],
    ]);
    expect(accountStateLabel[list[0]!.state]).toBe("not signed in");
  });
});

describe("upsertAccount removal", () => {
  it("forgets an account taken off the desk, whatever its sequence", () => {
    const a = { jid: "ask@lib", state: "online" as const, message: null, retryAt: null, catchingUp: false, seq: 5 };
    const b = { ...a, jid: "me@lib", seq: 6 };
    expect(upsertAccount([a, b], { ...b, state: "removed", seq: 0 })).toEqual([a]);
  });
});

describe("upsertAccount ordering", () => {
  it("ignores a snapshot older than what is shown", () => {
    const online = { jid: "ask@lib", state: "online" as const, message: null, retryAt: null, catchingUp: false, seq: 5 };
    const stale = { ...online, state: "connecting" as const, seq: 4 };
    expect(upsertAccount([online], stale)).toEqual([online]);
  });
});

describe("accountLabel", () => {
  it("counts down to the next attempt while reconnecting, then says it is trying", () => {
    const now = Date.parse("2026-11-24T10:00:00Z");
    const a = {
      jid: "ask@lib",
      state: "reconnecting" as const,
      message: "the server refused the connection",
      retryAt: "2026-11-24T10:00:11.200Z",
      catchingUp: false,
      seq: 1,
    };
    expect(accountLabel(a, now)).toBe("reconnecting in 12 s");
    expect(accountLabel(a, now + 11_000)).toBe("reconnecting in 1 s");
    expect(accountLabel(a, now + 12_000)).toBe("reconnecting…");
    expect(accountLabel({ ...a, retryAt: null }, now)).toBe("reconnecting…");
    expect(accountLabel({ ...a, retryAt: "not a time" }, now)).toBe("reconnecting…");
    expect(accountLabel({ ...a, state: "online", retryAt: null }, now)).toBe("online");
  });

  it("says when an account is online but still fetching what came while it was away", () => {
    const a = { jid: "ask@lib", state: "online" as const, message: null, retryAt: null, catchingUp: true, seq: 1 };
    expect(accountLabel(a, 0)).toBe("online, catching up…");
    expect(accountLabel({ ...a, catchingUp: false }, 0)).toBe("online");
  });
});
