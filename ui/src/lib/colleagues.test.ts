import { describe, expect, it } from "vitest";
import { colleagueLabel, findColleagues, findInDirectory, offerOut, presenceLabel, secondsLeft } from "./colleagues";
import type { ColleagueView } from "./bindings/ColleagueView";
import type { DirectoryEntry } from "./bindings/DirectoryEntry";
import type { HandoffView } from "./bindings/HandoffView";

const desk = (name: string, subjects: string, open: boolean, account = "ask@lib"): ColleagueView => ({
  account,
  resource: `refdesk-${name || "x"}`,
  name,
  subjects,
  open,
  onDuty: open,
});

describe("findColleagues", () => {
  const all = [
    desk("Zoë", "business, patents", false),
    desk("Maria", "Business; law", true),
    desk("Joost", "maps, local history", true),
    desk("Ann", "business", true, "other@lib"),
  ];

  it("lists the account's desks, open ones first, then by name", () => {
    expect(findColleagues(all, "ask@lib", "").map((c) => c.name)).toEqual(["Joost", "Maria", "Zoë"]);
  });

  it("matches every word in the name or subjects, ignoring case and accents", () => {
    expect(findColleagues(all, "ask@lib", "BUSINESS").map((c) => c.name)).toEqual(["Maria", "Zoë"]);
    expect(findColleagues(all, "ask@lib", "zoe patents").map((c) => c.name)).toEqual(["Zoë"]);
    expect(findColleagues(all, "ask@lib", "business maps")).toEqual([]);
  });
});

describe("colleague labels, offers and time left", () => {
  it("names a desk whose librarian gave no name plainly", () => {
    expect(colleagueLabel({ name: "  " })).toBe("A desk with no name");
    expect(colleagueLabel({ name: "Maria" })).toBe("Maria");
  });

  it("finds only this desk's own offer for the conversation", () => {
    const h = (incoming: boolean, patron: string): HandoffView => ({
      id: `${incoming}-${patron}`,
      account: "ask@lib",
      patron,
      incoming,
      colleague: "Maria",
      note: "",
      accepted: false,
      expires: "2026-11-23T10:01:00Z",
    });
    const list = [h(true, "p@x"), h(false, "q@x")];
    expect(offerOut(list, "ask@lib", "p@x")).toBeNull();
    expect(offerOut(list, "ask@lib", "q@x")?.id).toBe("false-q@x");
    expect(offerOut(list, "other@lib", "q@x")).toBeNull();
  });

  it("counts whole seconds down to zero", () => {
    const at = Date.parse("2026-11-23T10:00:00Z");
    expect(secondsLeft("2026-11-23T10:01:00Z", at)).toBe(60);
    expect(secondsLeft("2026-11-23T10:01:00Z", at + 59_500)).toBe(1);
    expect(secondsLeft("2026-11-23T10:01:00Z", at + 61_000)).toBe(0);
  });
});

describe("findInDirectory", () => {
  const person = (name: string, online: boolean, open: boolean, status = "", account = "ask@lib"): DirectoryEntry => ({
    account,
    jid: `${name.toLowerCase()}@lib`,
    name,
    subjects: name === "Zoë" ? "patents" : "",
    online,
    open,
    status,
  });
  const all = [
    person("Zoë", false, false),
    person("Maria", true, false, "lunch until 1"),
    person("Joost", true, true, "maps desk"),
    person("Ann", true, true, "", "other@lib"),
  ];

  it("lists the account's librarians, online first, then away, then offline", () => {
    expect(findInDirectory(all, "ask@lib", "").map((e) => [e.name, presenceLabel(e)])).toEqual([
      ["Joost", "online"],
      ["Maria", "away"],
      ["Zoë", "offline"],
    ]);
  });

  it("finds them by name, status or address, ignoring case and accents", () => {
    expect(findInDirectory(all, "ask@lib", "LUNCH").map((e) => e.name)).toEqual(["Maria"]);
    expect(findInDirectory(all, "ask@lib", "zoe").map((e) => e.name)).toEqual(["Zoë"]);
    expect(findInDirectory(all, "ask@lib", "Patents").map((e) => e.name)).toEqual(["Zoë"]);
    expect(findInDirectory(all, "ask@lib", "joost@lib maps").map((e) => e.name)).toEqual(["Joost"]);
    expect(findInDirectory(all, "ask@lib", "nobody")).toEqual([]);
  });
});
