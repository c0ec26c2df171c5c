import { describe, expect, it } from "vitest";
import type { ConversationView } from "./bindings/ConversationView";
import type { MessageView } from "./bindings/MessageView";
import {
  applyToConversations,
  withMedia,
  clock,
  dropIndex,
  inOrder,
  linkify,
  moveItem,
  preview,
  shortName,
  upsertMessage,
} from "./conversations";

function msg(id: number, over: Partial<MessageView> = {}): MessageView {
  return {
    id,
    account: "ask@lib",
    peer: "anna@x",
    incoming: true,
    body: `message ${id}`,
    at: "2026-11-23T14:05:00Z",
    autoReply: false,
    status: "received",
    ...over,
  };
}

describe("upsertMessage", () => {
  it("keeps arrival order whatever order events come in", () => {
    let list: MessageView[] = [];
    for (const id of [3, 1, 2]) list = upsertMessage(list, msg(id));
    expect(list.map((m) => m.id)).toEqual([1, 2, 3]);
  });

  it("updates a message in place and never moves it back from sent to pending", () => {
    let list = [msg(1), msg(2, { incoming: false, status: "pending" })];
    list = upsertMessage(list, msg(2, { incoming: false, status: "sent" }));
    expect(list[1]!.status).toBe("sent");
    const late = upsertMessage(list, msg(2, { incoming: false, status: "pending" }));
    expect(late).toBe(list);
    expect(list).toHaveLength(2);
    // A receipt can overtake the report that the message went out.
    list = upsertMessage(list, msg(2, { incoming: false, status: "delivered" }));
    expect(upsertMessage(list, msg(2, { incoming: false, status: "sent" }))).toBe(list);
    expect(list[1]!.status).toBe("delivered");
  });
});

describe("applyToConversations", () => {
  const anna: ConversationView = {
    account: "ask@lib",
    peer: "anna@x",
    lastId: 5,
    lastAt: "2026-11-23T14:00:00Z",
    preview: "hi",
    unread: 1,
    draft: "half a reply",
    medium: "web",
  };
  const ben: ConversationView = { ...anna, peer: "ben@x", lastId: 7, unread: 0, draft: "", medium: "chat" };

  it("keeps a tab's medium and learns a new tab's from the store", () => {
    const next = applyToConversations([anna], msg(9, { body: "more" }), null);
    expect(next[0]!.medium).toBe("web");
    const fresh = applyToConversations([], { ...msg(3), peer: "cleo@guest" }, null);
    expect(fresh[0]!.medium).toBe("chat");
    const known = withMedia(fresh, [{ ...fresh[0]!, medium: "web" }]);
    expect(known[0]!.medium).toBe("web");
    expect(withMedia(known, [])).toBe(known);
  });

  it("keeps the tab where it is and counts a patron message as unread once", () => {
    const once = applyToConversations([ben, anna], msg(8, { body: "are you\nthere?" }), null);
    expect(once.map((c) => c.peer)).toEqual(["ben@x", "anna@x"]);
    expect(once[1]).toMatchObject({ unread: 2, lastId: 8, preview: "are you there?", draft: "half a reply" });
    const twice = applyToConversations(once, msg(8), null);
    expect(twice).toBe(once);
  });

  it("does not count what the librarian is looking at or wrote", () => {
    const open = applyToConversations([anna], msg(9), { account: "ask@lib", peer: "anna@x" });
    expect(open[0]!.unread).toBe(1);
    const ours = applyToConversations([anna], msg(10, { incoming: false, status: "pending" }), null);
    expect(ours[0]!.unread).toBe(1);
  });

  it("opens a tab for a new patron after the others", () => {
    const list = applyToConversations([anna], msg(11, { peer: "carl@y" }), null);
    expect(list.map((c) => [c.peer, c.unread])).toEqual([
      ["anna@x", 1],
      ["carl@y", 1],
    ]);
  });
});

describe("display helpers", () => {
  it("shortens addresses and previews", () => {
    expect(shortName("maria.g@student.example")).toBe("maria.g");
    expect(shortName("@odd")).toBe("@odd");
    expect(preview("  a\n\tb  ")).toBe("a b");
    expect(preview("x".repeat(500))).toHaveLength(200);
  });

  it("shows a clock time, and nothing for a bad one", () => {
    expect(clock("not a time")).toBe("");
    expect(clock("2026-11-23T14:05:00Z")).toMatch(/^\d\d:\d\d$/);
  });
});

describe("linkify", () => {
  it("makes web and mail links clickable and leaves the rest as text", () => {
    expect(linkify("see https://catalog.example.org/r/1. or www.lib.example, mail mailto:ask@lib.example")).toEqual([
      { text: "see " },
      { text: "https://catalog.example.org/r/1", url: "https://catalog.example.org/r/1" },
      { text: ". or " },
      { text: "www.lib.example", url: "https://www.lib.example" },
      { text: ", mail " },
      { text: "mailto:ask@lib.example", url: "mailto:ask@lib.example" },
    ]);
  });

  it("never makes other schemes or markup into links", () => {
    for (const body of ["javascript:alert(1)", "data:text/html,<b>x</b>", "file:///etc/passwd", "<a href='x'>y</a>"]) {
      expect(linkify(body).some((p) => "url" in p)).toBe(false);
    }
    expect(linkify("")).toEqual([]);
    expect(linkify("plain").map((p) => p.text).join("")).toBe("plain");
  });
});

describe("tab order", () => {
  const tab = (peer: string): ConversationView => ({
    account: "ask@lib",
    peer,
    lastId: 1,
    lastAt: "2026-11-23T14:00:00Z",
    preview: "",
    unread: 0,
    draft: "",
    medium: "chat",
  });

  it("moves an item and clamps where it goes", () => {
    expect(moveItem(["a", "b", "c"], 2, 0)).toEqual(["c", "a", "b"]);
    expect(moveItem(["a", "b", "c"], 0, 99)).toEqual(["b", "c", "a"]);
    expect(moveItem(["a", "b", "c"], 1, -3)).toEqual(["b", "a", "c"]);
    const same = ["a"];
    expect(moveItem(same, 4, 0)).toBe(same);
  });

  it("takes the store's order and keeps tabs it did not list", () => {
    const [a, b, c] = [tab("a@x"), tab("b@x"), tab("c@x")];
    const local = [a, b, c];
    const ordered = inOrder(local, [c, a]);
    expect(ordered.map((x) => x.peer)).toEqual(["c@x", "a@x", "b@x"]);
    expect(ordered[0]).toBe(c);
  });

  it("drops before the tab whose middle is right of the pointer, row by row", () => {
    // Two rows: three tabs of 100 px, then one.
    const rows = [
      { left: 0, right: 100, top: 0, bottom: 40 },
      { left: 100, right: 200, top: 0, bottom: 40 },
      { left: 200, right: 300, top: 0, bottom: 40 },
      { left: 0, right: 100, top: 40, bottom: 80 },
    ];
    expect(dropIndex(rows, 10, 20)).toBe(0);
    expect(dropIndex(rows, 160, 20)).toBe(2);
    expect(dropIndex(rows, 290, 20)).toBe(3);
    expect(dropIndex(rows, 20, 60)).toBe(3);
    expect(dropIndex(rows, 90, 60)).toBe(4);
    expect(dropIndex(rows, 500, 500)).toBe(4);
    expect(dropIndex([], 1, 1)).toBe(0);
  });
});
