import { describe, expect, it } from "vitest";
import { filterCanned, insertAt } from "./canned";

const replies = [
  { title: "Opening hours", text: "We open at 9." },
  { title: "Goodbye", text: "Thanks for chatting! Our hours are online." },
  { title: "Café", text: "The café is on the ground floor." },
];

describe("filterCanned", () => {
  it("keeps the library's order when nothing is typed", () => {
    expect(filterCanned(replies, "  ")).toEqual(replies);
  });
  it("wants every word, and puts title matches first", () => {
    expect(filterCanned(replies, "hours").map((r) => r.title)).toEqual(["Opening hours", "Goodbye"]);
    expect(filterCanned(replies, "hours online").map((r) => r.title)).toEqual(["Goodbye"]);
    expect(filterCanned(replies, "nothing like this")).toEqual([]);
  });
  it("ignores case and accents", () => {
    expect(filterCanned(replies, "CAFE").map((r) => r.title)).toEqual(["Café"]);
  });
});

describe("insertAt", () => {
  it("replaces the selection and puts the cursor after the insert", () => {
    expect(insertAt("Hi . Bye", 3, 3, "there")).toEqual({ text: "Hi there. Bye", cursor: 8 });
    expect(insertAt("Hi XX", 3, 5, "you")).toEqual({ text: "Hi you", cursor: 6 });
    expect(insertAt("", 10, 12, "x")).toEqual({ text: "x", cursor: 1 });
  });
});
