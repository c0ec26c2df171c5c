// The "Ask a librarian" chat box: one <script> tag on any page of the library's site. It lives in a
// shadow root (the site's CSS and ours never meet; styles are adopted, not inline, so a strict CSP
// needs no 'unsafe-inline'), signs in as an anonymous guest over XMPP WebSocket only when the
// patron first writes, and renders everything the desk sends as text, never HTML.
import { client, xml, type Client, type Element } from "@xmpp/client";
import { langTag, pickLang, words, type Words } from "./text";
import { STYLE } from "./style";
import { load, loadVisit, newVisit, save, saveVisit, transcriptText, type Line, type Visit } from "./history";

interface Config {
  websocket: string;
  guestDomain: string;
  library: string;
  status: string | null;
  privacy: string | null;
  color: string | null;
}

const MAX_QUESTION = 2000;
// A desk's message longer than this is cut for display (the desk bounds its own; this bounds a server's).
const MAX_SHOWN = 4000;
const CHATSTATES = "http://jabber.org/protocol/chatstates";
// The desk's place-in-line payload and the box's visit marker (both in docs/web-chat.md).
const PLACE = "urn:x-refdesk:place:0";
const WEB = "urn:x-refdesk:web:0";
const HOURS = "urn:x-refdesk:hours:0";
const PUBSUB = "http://jabber.org/protocol/pubsub";

function readConfig(script: HTMLScriptElement): Config | string {
  const d = script.dataset;
  const missing = ["websocket", "guestDomain", "library"].filter((k) => !d[k]);
  if (missing.length > 0) {
    return `missing ${missing.map((k) => "data-" + k.replace(/[A-Z]/g, (c) => "-" + c.toLowerCase())).join(", ")}`;
  }
  return {
    websocket: d.websocket!,
    guestDomain: d.guestDomain!,
    library: d.library!,
    status: d.status ?? null,
    privacy: d.privacy ?? null,
    color: d.color ?? null,
  };
}

function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string> = {},
  text?: string,
): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

class ChatBox {
  private xmpp: Client | null = null;
  private lines: Line[];
  private visit: Visit | null;
  private readonly log: HTMLElement;
  private readonly panel: HTMLElement;
  private readonly launcher: HTMLButtonElement;
  private readonly status: HTMLElement;
  private readonly notice: HTMLElement;
  private readonly typing: HTMLElement;
  private readonly place: HTMLElement;
  private readonly input: HTMLTextAreaElement;
  private readonly form: HTMLFormElement;
  private readonly rate: HTMLFormElement;
  private readonly closedNotice: HTMLElement;
  private readonly email: HTMLInputElement;
  private readonly sendButton: HTMLButtonElement;
  /** The status address says nobody is at the desk: a question is left for a follow-up. */
  private closed = false;
  private hoursAsked = false;

  constructor(
    private readonly cfg: Config,
    private readonly w: Words,
    private readonly lang: string,
    root: ShadowRoot,
  ) {
    this.lines = load(cfg.library);
    this.visit = loadVisit(cfg.library);
    this.launcher = el("button", { type: "button", class: "launcher", "aria-expanded": "false", "data-testid": "launcher" }, w.open);
    this.status = el("span", { class: "status", role: "status", "data-testid": "desk-status" });
    this.launcher.append(this.status);
    this.panel = el("section", { class: "panel", role: "dialog", "aria-label": w.title, hidden: "" });
    const head = el("header");
    head.append(el("h2", {}, w.title));
    const minimise = el("button", { type: "button", class: "icon", "aria-label": w.close }, "×");
    head.append(minimise);
    this.notice = el("p", { class: "notice", "data-testid": "privacy" }, w.privacy + " ");
    if (cfg.privacy && /^https?:/i.test(cfg.privacy)) {
      this.notice.append(el("a", { href: cfg.privacy, target: "_blank", rel: "noopener" }, w.privacyLink));
    }
    // A log region of plain blocks (a list under role="log" would lose its list semantics).
    // Focusable: a long conversation scrolls with the keyboard too.
    this.log = el("div", { class: "log", role: "log", "aria-live": "polite", tabindex: "0", "data-testid": "log" });
    this.typing = el("p", { class: "typing", "aria-live": "polite", "data-testid": "typing" });
    // The place in line is a status: a screen reader hears it change without losing its place.
    this.place = el("p", { class: "place", role: "status", "data-testid": "place", hidden: "" });
    this.form = el("form", { class: "compose" });
    this.input = el("textarea", {
      rows: "2",
      maxlength: String(MAX_QUESTION),
      "aria-label": w.placeholder,
      placeholder: w.placeholder,
      "data-testid": "question",
    });
    this.sendButton = el("button", { type: "submit", "data-testid": "send" }, w.send);
    this.form.append(this.input, this.sendButton);
    // Shown while the desk is closed: the question is left for a librarian to answer by email.
    this.closedNotice = el("p", { class: "closed", hidden: "", "data-testid": "closed" }, w.closedNotice);
    this.email = el("input", {
      type: "email",
      class: "email",
      maxlength: "254",
      autocomplete: "email",
      "aria-label": w.email,
      placeholder: w.email,
      hidden: "",
      "data-testid": "email",
    });
    const actions = el("div", { class: "actions" });
    const end = el("button", { type: "button", "data-testid": "end" }, w.end);
    const download = el("button", { type: "button", "data-testid": "download" }, w.download);
    actions.append(download, end);
    this.rate = this.ratingForm();
    this.panel.append(head, this.notice, this.closedNotice, this.log, this.place, this.typing, this.email, this.form, this.rate, actions);
    root.append(this.launcher, this.panel);

    this.launcher.addEventListener("click", () => this.toggle(true));
    minimise.addEventListener("click", () => this.toggle(false));
    this.form.addEventListener("submit", (e) => {
      e.preventDefault();
      void this.ask();
    });
    this.input.addEventListener("keydown", (e) => {
      if (e.key === "Enter" && !e.shiftKey) {
        e.preventDefault();
        void this.ask();
      }
    });
    end.addEventListener("click", () => void this.end());
    download.addEventListener("click", () => this.download());
    for (const l of this.lines) this.show(l);
    void this.refreshStatus();
    // A chat under way before a reload or on another page of the site: back to it at once, so
    // what the desk writes meanwhile arrives.
    if (this.visit?.started && !this.visit.ended) void this.connect().catch(() => {});
  }

  /** "How was this chat?": a score of 1 to 5 and an optional comment, offered when the chat ends. */
  private ratingForm(): HTMLFormElement {
    const w = this.w;
    const form = el("form", { class: "rate", hidden: "", "data-testid": "rate" });
    const set = el("fieldset");
    set.append(el("legend", {}, w.rateTitle));
    const scores = el("div", { class: "scores", role: "radiogroup", "aria-label": w.rateTitle });
    for (let n = 1; n <= 5; n++) {
      const label = el("label", { title: w.rateScore(n) });
      const radio = el("input", { type: "radio", name: "score", value: String(n), "aria-label": w.rateScore(n), "data-testid": `score-${n}` });
      label.append(radio, el("span", { "aria-hidden": "true" }, String(n)));
      scores.append(label);
    }
    const comment = el("textarea", { rows: "2", maxlength: "500", "aria-label": w.rateComment, placeholder: w.rateComment, "data-testid": "rate-comment" });
    const buttons = el("div", { class: "buttons" });
    const skip = el("button", { type: "button", "data-testid": "rate-skip" }, w.rateSkip);
    buttons.append(el("button", { type: "submit", "data-testid": "rate-send" }, w.rateSend), skip);
    set.append(scores, comment, buttons);
    form.append(set);
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      const picked = form.querySelector<HTMLInputElement>("input[name=score]:checked");
      if (picked) void this.sendRating(Number(picked.value), comment.value.trim().slice(0, 500));
    });
    skip.addEventListener("click", () => void this.closeRating(""));
    return form;
  }

  private async sendRating(score: number, comment: string) {
    const x = this.xmpp;
    const v = this.visit;
    if (x && v) {
      try {
        await x.send(
          xml(
            "message",
            { to: this.cfg.library, type: "chat" },
            xml("rating", { xmlns: WEB, score: String(score) }, comment),
            xml("web", { xmlns: WEB, visit: v.token }),
          ),
        );
      } catch {
        // The link is gone: the rating is lost, the chat is not.
      }
    }
    await this.closeRating(this.w.rateThanks);
  }

  /** The rating is sent or declined: the box signs out. */
  private async closeRating(said: string) {
    this.rate.hidden = true;
    const x = this.xmpp;
    this.xmpp = null;
    this.info(said || this.w.ended);
    this.input.focus();
    if (x) {
      try {
        await x.stop();
      } catch {
        // Gone already.
      }
    }
  }

  private toggle(open: boolean) {
    this.panel.hidden = !open;
    this.launcher.setAttribute("aria-expanded", String(open));
    if (open) {
      this.input.focus();
      // The desk may have opened or closed since the page loaded; closed, the box says when it opens.
      void this.refreshStatus().then(() => (this.closed ? this.showHours() : undefined));
    } else this.launcher.focus();
  }

  /** The XMPP session now (a method, so that a check after an await reads it afresh). */
  private session(): Client | null {
    return this.xmpp;
  }

  /** The desk's next opening, from the hours the desks publish on the library's account (read by
   *  a short anonymous session, once, when the patron opens the closed box). */
  private async showHours() {
    if (this.hoursAsked || this.xmpp !== null) return;
    this.hoursAsked = true;
    let x: Client;
    try {
      x = await this.connect();
    } catch {
      this.info("");
      return;
    }
    try {
      const pubsub = await x.iqCaller.get(xml("pubsub", { xmlns: PUBSUB }, xml("items", { node: HOURS, max_items: "1" })), this.cfg.library, 10_000);
      const hours = pubsub?.getChild("items")?.getChild("item")?.getChild("hours", HOURS);
      const now = Date.now();
      const next = (hours?.getChildren("open", HOURS) ?? [])
        .map((o) => [Date.parse(o.attrs.from ?? ""), Date.parse(o.attrs.to ?? "")] as const)
        .find(([from, to]) => Number.isFinite(from) && Number.isFinite(to) && to > now && to > from);
      if (next) {
        const day = new Intl.DateTimeFormat(this.lang, { weekday: "long", day: "numeric", month: "long", hour: "2-digit", minute: "2-digit" });
        const time = new Intl.DateTimeFormat(this.lang, { hour: "2-digit", minute: "2-digit" });
        this.closedNotice.textContent = `${this.w.closedNotice} ${this.w.opens(day.format(Math.max(next[0], now)), time.format(next[1]))}`;
      }
    } catch {
      // No hours published (or the server has no PEP): the notice stays without them.
    }
    // The session was only for the hours (unless a question went meanwhile): a question left later
    // signs in again.
    if (this.session() === x && !this.visit?.started) {
      this.xmpp = null;
      try {
        await x.stop();
      } catch {
        // Gone already.
      }
    }
    this.info("");
  }

  /** Closed (nobody at the desk) and no chat under way: questions are left for a follow-up. */
  private setClosed(closed: boolean) {
    const chatting = this.visit?.started === true && this.visit.ended === false;
    this.closed = closed && !chatting;
    this.closedNotice.hidden = !this.closed;
    this.email.hidden = !this.closed;
    this.sendButton.textContent = this.closed ? this.w.leave : this.w.send;
  }

  /** Whether the desk is open, from the library's web status address (no XMPP session for it). */
  private async refreshStatus() {
    if (!this.cfg.status) return;
    try {
      const r = await fetch(this.cfg.status, { credentials: "omit", cache: "no-store" });
      const s = (await r.text()).trim();
      this.status.textContent =
        s === "online" || s === "chat" ? this.w.statusOnline : s === "dnd" || s === "away" ? this.w.statusBusy : this.w.statusClosed;
      this.status.dataset.state = s;
      this.setClosed(!["online", "chat", "dnd", "away", "xa"].includes(s));
    } catch {
      this.status.textContent = this.w.statusUnknown;
    }
  }

  private show(l: Line) {
    const item = el("div", { class: `line ${l.from === "you" ? "you" : "desk"}`, "data-testid": "line" });
    item.append(el("span", { class: "who" }, l.from === "you" ? this.w.you : this.w.librarian));
    item.append(el("span", { class: "body", "data-testid": "body" }, l.text));
    this.log.append(item);
    this.log.scrollTop = this.log.scrollHeight;
  }

  private add(l: Line) {
    this.lines.push(l);
    save(this.cfg.library, this.lines);
    this.show(l);
  }

  private info(text: string) {
    this.typing.textContent = text;
  }

  private async connect(): Promise<Client> {
    if (this.xmpp) return this.xmpp;
    this.info(this.w.connecting);
    const x = client({ service: this.cfg.websocket, domain: this.cfg.guestDomain });
    x.on("error", () => this.info(this.w.failed));
    x.on("stanza", (s) => this.receive(s));
    // Each sign-in (the first after a reload, or after the link dropped) is a new guest: tell the
    // desk which chat this is and what the box already shows.
    x.on("online", () => void this.resume(x));
    this.xmpp = x;
    try {
      await x.start();
      await x.send(xml("presence"));
      this.info("");
    } catch {
      this.xmpp = null;
      this.info(this.w.failed);
      throw new Error("not connected");
    }
    return x;
  }

  private async resume(x: Client) {
    const v = this.visit;
    if (!v?.started || v.ended) return;
    const attrs: Record<string, string> = { xmlns: WEB, visit: v.token, resume: "1" };
    if (v.last) attrs.last = v.last;
    try {
      await x.send(xml("message", { to: this.cfg.library, type: "chat" }, xml("active", { xmlns: CHATSTATES }), xml("web", attrs)));
    } catch {
      // The link dropped again: the next sign-in says it.
    }
  }

  private receive(s: Element) {
    if (!s.is("message")) return;
    const from = (s.attrs.from ?? "").split("/")[0];
    if (from !== this.cfg.library) return;
    const place = s.getChild("place", PLACE);
    if (place) this.showPlace(place.attrs.place, place.attrs.wait);
    const body = s.getChildText("body");
    if (body !== null && body.trim() !== "") {
      this.info("");
      const id = typeof s.attrs.id === "string" ? s.attrs.id.slice(0, 128) : null;
      const v = this.visit;
      if (v && id) {
        // Sent again after a reload: shown once.
        if (v.seen.includes(id)) return;
        v.seen.push(id);
        v.last = id;
        saveVisit(this.cfg.library, v);
      }
      this.add({ from: "desk", text: body.slice(0, MAX_SHOWN), at: Date.now() });
    } else if (s.getChild("composing", CHATSTATES)) {
      this.info(this.w.typing);
    } else if (s.getChild("paused", CHATSTATES) || s.getChild("active", CHATSTATES)) {
      this.info("");
    }
  }

  /** The desk's word on where the patron stands: a number in line, or 0 once a librarian has them. */
  private showPlace(placeAttr: string | undefined, waitAttr: string | undefined) {
    const place = Number(placeAttr);
    const wait = Number(waitAttr);
    if (!Number.isInteger(place) || place <= 0 || place > 10_000) {
      this.place.hidden = true;
      this.place.textContent = "";
      return;
    }
    const minutes = Number.isFinite(wait) && wait > 0 ? Math.min(Math.ceil(wait / 60), 24 * 60) : 1;
    this.place.textContent = this.w.place(place, minutes);
    this.place.hidden = false;
  }

  private async ask() {
    const text = this.input.value.trim().slice(0, MAX_QUESTION);
    if (text === "") return;
    if (this.closed) return this.leave(text);
    if (!this.visit || this.visit.ended) {
      // A new chat is a new guest: the one that ended signs out first (its rating form goes).
      if (this.xmpp) await this.closeRating("");
      this.visit = newVisit();
      saveVisit(this.cfg.library, this.visit);
    }
    const visit = this.visit;
    let x: Client;
    try {
      x = await this.connect();
    } catch {
      return; // the failure is shown; the question stays in the box to send again
    }
    await x.send(
      xml(
        "message",
        { to: this.cfg.library, type: "chat", "xml:lang": this.lang },
        xml("body", {}, text),
        xml("active", { xmlns: CHATSTATES }),
        xml("web", { xmlns: WEB, visit: visit.token }),
      ),
    );
    if (!visit.started) {
      visit.started = true;
      saveVisit(this.cfg.library, visit);
    }
    this.input.value = "";
    this.add({ from: "you", text, at: Date.now() });
  }

  /** The desk is closed: the question goes to the library's account (kept by its server until a
   *  desk signs in) as a follow-up, with the email address if one was given; then the box signs out. */
  private async leave(text: string) {
    const email = this.email.value.trim().slice(0, 254);
    if (email !== "" && !this.email.checkValidity()) {
      this.email.focus();
      this.email.reportValidity();
      return;
    }
    let x: Client;
    try {
      x = await this.connect();
    } catch {
      return;
    }
    const visit = newVisit();
    const followup: Record<string, string> = { xmlns: WEB };
    if (email) followup.email = email;
    try {
      await x.send(
        xml(
          "message",
          { to: this.cfg.library, type: "chat", "xml:lang": this.lang },
          xml("body", {}, text),
          xml("followup", followup),
          xml("web", { xmlns: WEB, visit: visit.token }),
        ),
      );
    } catch {
      this.info(this.w.failed);
      return;
    }
    this.input.value = "";
    this.email.value = "";
    this.add({ from: "you", text, at: Date.now() });
    this.xmpp = null;
    try {
      await x.stop();
    } catch {
      // Gone already: the server has the question.
    }
    this.info(this.w.saved(email || null));
  }

  private async end() {
    const x = this.xmpp;
    this.showPlace("0", "0");
    if (this.visit) {
      // The next question starts a new chat; this one is not resumed on a reload.
      this.visit.ended = true;
      saveVisit(this.cfg.library, this.visit);
    }
    if (x) {
      try {
        // With the visit: the desk closes this chat (a bare "gone" is any IM window closing).
        const web = this.visit ? [xml("web", { xmlns: WEB, visit: this.visit.token })] : [];
        await x.send(xml("message", { to: this.cfg.library, type: "chat" }, xml("gone", { xmlns: CHATSTATES }), ...web));
      } catch {
        // Gone already: nothing more to say to the desk.
      }
    }
    this.info(this.w.ended);
    // Still signed in: the patron may rate the chat before the box signs out.
    if (x && this.visit) {
      this.rate.hidden = false;
      this.rate.querySelector<HTMLInputElement>("input[name=score]")?.focus();
    } else {
      await this.closeRating("");
    }
  }

  /** The patron's own copy, made here in the browser: nothing is sent or mailed for it. */
  private download() {
    const text = transcriptText(this.lines, this.w, document.title);
    const url = URL.createObjectURL(new Blob([text], { type: "text/plain;charset=utf-8" }));
    const a = el("a", { href: url, download: "library-chat.txt" });
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }
}

function mount() {
  const script = document.currentScript as HTMLScriptElement | null;
  if (!script) return;
  const cfg = readConfig(script);
  if (typeof cfg === "string") {
    console.error(`refdesk-chat: ${cfg} on its <script> tag; the chat box is not shown`);
    return;
  }
  const host = el("div", { id: "refdesk-chat" });
  const root = host.attachShadow({ mode: "open" });
  const sheet = new CSSStyleSheet();
  sheet.replaceSync(STYLE);
  root.adoptedStyleSheets = [sheet];
  if (cfg.color && /^#[0-9a-f]{3,8}$/i.test(cfg.color)) host.style.setProperty("--refdesk-accent", cfg.color);
  const lang = pickLang(script.dataset.lang, document.documentElement.lang);
  const w = words(lang);
  const tag = langTag(script.dataset.lang, document.documentElement.lang, lang);
  const start = () => {
    document.body.append(host);
    new ChatBox(cfg, w, tag, root);
    // When the button is there to press (read by the benchmark: bench/RESULTS-web.md).
    performance.mark?.("refdesk-chat-ready");
  };
  if (document.body) start();
  else document.addEventListener("DOMContentLoaded", start, { once: true });
}

mount();
