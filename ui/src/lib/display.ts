// The desk's display preferences applied to the page: text size (every size in the CSS is in rem,
// so the root's size scales the whole window) and high contrast.
import type { DisplaySettings } from "./bindings/DisplaySettings";

/** The root font size at 100 %, as app.css sets it. */
export const BASE_PX = 15;
/** The sizes offered in Settings and stepped through with Ctrl+Plus / Ctrl+Minus. */
export const TEXT_STEPS: readonly number[] = [80, 90, 100, 115, 130, 150, 175, 200];
const SMALLEST = 80;
const LARGEST = 200;

/** The next offered size up (+1) or down (-1) from `percent`; stays at the ends. */
export function stepText(percent: number, direction: 1 | -1): number {
  if (direction > 0) return TEXT_STEPS.find((s) => s > percent) ?? LARGEST;
  return [...TEXT_STEPS].reverse().find((s) => s < percent) ?? SMALLEST;
}

export function applyDisplay(s: DisplaySettings, root: HTMLElement = document.documentElement) {
  root.style.fontSize = `${(BASE_PX * s.textPercent) / 100}px`;
  root.classList.toggle("high-contrast", s.highContrast);
}
