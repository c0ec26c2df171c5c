// The web guests of refdesk-web-bench (tests/src/bin/web_bench.rs): many anonymous guests over
// XMPP WebSocket, as the website's chat box signs in, each asking a question at a steady pace; and
// a probe pair of guests writing to each other, for the server's own time under the same load.
// Prints one line per event on stdout, times on the system's monotonic clock (as the desk reads
// it): `ready <guests>`, `sent <ns> <body>`, `probe <ns>` (a probe's round trip), `done`.
//
// Run by the bench: node --experimental-websocket bench/web-guests.mjs <ws> <guest-domain>
//   <library> <guests> <secs> <questions-per-minute>
import { client, xml } from "../widget/node_modules/@xmpp/client/index.js";

const [ws, domain, library, guestsArg, secsArg, perMinuteArg] = process.argv.slice(2);
const guests = Number(guestsArg);
const secs = Number(secsArg);
const perMinute = Number(perMinuteArg);
const now = () => process.hrtime.bigint();
const say = (line) => process.stdout.write(line + "\n");
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function guest() {
  const x = client({ service: ws, domain });
  x.on("error", () => {});
  // Replies and place updates come back: read and drop them.
  x.on("stanza", () => {});
  await x.start();
  await x.send(xml("presence"));
  return x;
}

// Sign-ins first, a few at a time: this measures questions, not a stampede of sign-ins.
const sessions = [];
for (let i = 0; i < guests; i += 10) {
  const batch = [];
  for (let j = i; j < Math.min(i + 10, guests); j++) batch.push(guest());
  sessions.push(...(await Promise.all(batch)));
}
const probe = await guest();
const echo = await guest();
say(`ready ${sessions.length}`);

const every = 60_000 / perMinute;
const end = Date.now() + secs * 1000;
const asking = sessions.map(async (x, i) => {
  const token = Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join("");
  // Spread over the interval so the guests do not all write at once.
  await sleep((i * every) / sessions.length);
  let k = 0;
  while (Date.now() < end) {
    k += 1;
    const body = `web bench guest${i} ${k}`;
    const at = now();
    await x.send(
      xml("message", { to: library, type: "chat" }, xml("body", {}, body), xml("web", { xmlns: "urn:x-refdesk:web:0", visit: token })),
    );
    say(`sent ${at} ${body}`);
    await sleep(every);
  }
});

// The server alone: probe -> echo, five times a second.
const echoAddress = await new Promise((resolve) => {
  echo.on("online", (a) => resolve(a.toString()));
  resolve(echo.jid?.toString());
});
const waiting = new Map();
echo.on("stanza", (s) => {
  const body = s.is("message") ? s.getChildText("body") : null;
  const t = body && waiting.get(body);
  if (t) {
    waiting.delete(body);
    say(`probe ${now() - t}`);
  }
});
let k = 0;
while (Date.now() < end) {
  const body = `probe ${k++}`;
  waiting.set(body, now());
  await probe.send(xml("message", { to: echoAddress, type: "chat" }, xml("body", {}, body)));
  await sleep(200);
}
await Promise.all(asking);
await sleep(2000);
say("done");
await Promise.all([...sessions, probe, echo].map((x) => x.stop().catch(() => {})));
process.exit(0);
