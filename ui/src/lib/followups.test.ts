import { describe, expect, it } from "vitest";
import type { FollowUpView } from "./bindings/FollowUpView";
import { followUpMailto } from "./followups";

const f = (over: Partial<FollowUpView>): FollowUpView => ({
  id: 1,
  account: "ask@lib",
  at: "2026-12-06T08:00:00Z",
  question: "Are you open\non Sunday? & more",
  email: "sam@example.org",
  ...over,
});

describe("followUpMailto", () => {
  it("writes to the patron with their question quoted", () => {
    const url = followUpMailto(f({}), "the library")!;
    expect(url.startsWith("mailto:sam@example.org?subject=Your%20question%20to%20the%20library&body=")).toBe(true);
    const body = decodeURIComponent(url.split("&body=")[1]!);
    expect(body).toContain("> Are you open\r\n> on Sunday? & more");
  });
  it("has nothing to write to without an address", () => {
    expect(followUpMailto(f({ email: null }), "the library")).toBeNull();
  });
  it("cannot be made to carry another header or recipient", () => {
    const url = followUpMailto(f({ email: "a@b.org?bcc=x@evil.org" }), "lib")!;
    expect(url.split("?").length).toBe(2);
    expect(url).not.toContain("bcc=x");
  });
});
