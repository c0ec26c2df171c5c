// Follow-up questions (left in the website's chat box while the desk was closed): the email that
// answers one, made here and opened by the librarian's own mail program.
import type { FollowUpView } from "./bindings/FollowUpView";

/** A mailto: link to `f`'s patron, the question quoted; null when they gave no address. */
export function followUpMailto(f: FollowUpView, library: string): string | null {
  if (!f.email) return null;
  // The address was checked by the desk; it is encoded all the same, so nothing in it can add a
  // header or a second recipient.
  const to = encodeURIComponent(f.email).replace(/%40/g, "@");
  const quoted = f.question
    .split(/\r?\n/)
    .map((l) => `> ${l}`)
    .join("\r\n");
  const subject = `Your question to ${library}`;
  const body = `Hello,\r\n\r\nYou asked us:\r\n${quoted}\r\n\r\n`;
  return `mailto:${to}?subject=${encodeURIComponent(subject)}&body=${encodeURIComponent(body)}`;
}
