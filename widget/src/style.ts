// The chat box's own styles, adopted by its shadow root: the site's CSS does not reach in, ours does
// not leak out, and no inline <style> is needed (a strict CSP stays strict).
export const STYLE = `
:host { all: initial; --refdesk-accent: #1e5aaa; font: 15px/1.4 system-ui, sans-serif; color: #1b1b1b; }
* { box-sizing: border-box; }
.launcher { position: fixed; right: 1rem; bottom: 1rem; z-index: 2147483000; display: flex; flex-direction: column;
  align-items: flex-start; gap: 0.1rem; padding: 0.6rem 1rem; border: 0; border-radius: 1.5rem;
  background: var(--refdesk-accent); color: #fff; font: inherit; font-weight: 600; cursor: pointer; }
.launcher .status { font-weight: 400; font-size: 0.8rem; }
.launcher:focus-visible, button:focus-visible, textarea:focus-visible, a:focus-visible, .log:focus-visible { outline: 3px solid #f5a623; outline-offset: 2px; }
.panel { position: fixed; right: 1rem; bottom: 1rem; z-index: 2147483001; width: min(24rem, calc(100vw - 2rem));
  height: min(34rem, calc(100vh - 2rem)); display: flex; flex-direction: column; background: #fff;
  border: 1px solid #8a8a8a; border-radius: 0.6rem; box-shadow: 0 0.3rem 1.2rem rgba(0,0,0,0.25); }
.panel[hidden] { display: none; }
header { display: flex; align-items: center; justify-content: space-between; padding: 0.5rem 0.75rem;
  background: var(--refdesk-accent); color: #fff; border-radius: 0.6rem 0.6rem 0 0; }
h2 { font-size: 1rem; margin: 0; }
button { font: inherit; cursor: pointer; }
.icon { background: none; border: 0; color: inherit; font-size: 1.4rem; line-height: 1; padding: 0 0.3rem; }
.notice { margin: 0; padding: 0.5rem 0.75rem; font-size: 0.8rem; color: #444; border-bottom: 1px solid #ddd; }
.notice a { color: var(--refdesk-accent); }
.log { flex: 1; overflow-y: auto; margin: 0; padding: 0.5rem 0.75rem; }
.log .line { margin: 0.3rem 0; display: flex; flex-direction: column; }
.log .who { font-size: 0.75rem; color: #555; }
.log .body { white-space: pre-wrap; overflow-wrap: anywhere; unicode-bidi: isolate; padding: 0.35rem 0.6rem;
  border-radius: 0.6rem; background: #eef2f8; max-width: 90%; }
.log .you { align-items: flex-end; }
.log .you .body { background: var(--refdesk-accent); color: #fff; }
.closed { margin: 0; padding: 0.5rem 0.75rem; font-size: 0.85rem; background: #fff6e0; color: #222; }
.closed[hidden], .email[hidden] { display: none; }
.email { margin: 0.5rem 0.75rem 0; font: inherit; padding: 0.3rem; border: 1px solid #8a8a8a; border-radius: 0.3rem; }
.place { margin: 0; padding: 0.4rem 0.75rem; font-size: 0.85rem; background: #f3f3f3; color: #222; }
.place[hidden] { display: none; }
.typing { min-height: 1.4em; margin: 0; padding: 0 0.75rem; font-size: 0.8rem; color: #555; }
.compose { display: flex; gap: 0.4rem; padding: 0.5rem 0.75rem; border-top: 1px solid #ddd; }
textarea { flex: 1; font: inherit; resize: none; padding: 0.3rem; border: 1px solid #8a8a8a; border-radius: 0.3rem; }
.compose button { background: var(--refdesk-accent); color: #fff; border: 0; border-radius: 0.3rem; padding: 0 0.9rem; }
.rate { margin: 0; padding: 0.5rem 0.75rem; border-top: 1px solid #ddd; }
.rate[hidden] { display: none; }
.rate fieldset { margin: 0; padding: 0; border: 0; display: flex; flex-direction: column; gap: 0.4rem; }
.rate legend { font-weight: 600; padding: 0; }
.rate .scores { display: flex; gap: 0.3rem; }
.rate .scores label { display: inline-flex; align-items: center; justify-content: center; min-width: 2.2rem; min-height: 2.2rem;
  border: 1px solid #8a8a8a; border-radius: 0.3rem; cursor: pointer; }
.rate .scores input { position: absolute; opacity: 0; width: 1px; height: 1px; }
.rate .scores input:checked + span { font-weight: 700; }
.rate .scores label:has(input:checked) { background: var(--refdesk-accent); color: #fff; border-color: var(--refdesk-accent); }
.rate .scores label:has(input:focus-visible) { outline: 3px solid #f5a623; outline-offset: 2px; }
.rate textarea { min-height: 3rem; }
.rate .buttons { display: flex; gap: 0.4rem; }
.rate .buttons button { border: 1px solid #8a8a8a; border-radius: 0.3rem; padding: 0.2rem 0.6rem; background: none; }
.rate .buttons button[type=submit] { background: var(--refdesk-accent); color: #fff; border-color: var(--refdesk-accent); }
.actions { display: flex; justify-content: space-between; padding: 0 0.75rem 0.5rem; }
.actions button { background: none; border: 1px solid #8a8a8a; border-radius: 0.3rem; padding: 0.2rem 0.6rem; }
/* A phone: the chat takes the whole screen, with controls a thumb can hit (44 px) and text at 16 px
   (a smaller field makes mobile browsers zoom the page when it gets the focus). */
@media (max-width: 30rem) {
  .panel { right: 0; bottom: 0; width: 100vw; height: 100vh; height: 100dvh; border: 0; border-radius: 0; }
  header { border-radius: 0; }
  textarea, .email { font-size: 16px; }
  .icon, .compose button, .actions button, .rate .buttons button, .rate .scores label { min-height: 2.75rem; min-width: 2.75rem; }
}
`;
