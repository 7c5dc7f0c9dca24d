/**
 * A jsdom window installed as the global DOM (import this first), plus the few helpers the
 * component tests need: find by label/role/text, type into a controlled input, press a key,
 * and wait for a condition inside React's `act`.
 */
import { JSDOM } from "jsdom";
import { act } from "react";

const dom = new JSDOM("<!doctype html><html><head></head><body></body></html>", {
  url: "http://127.0.0.1:5173/",
  pretendToBeVisual: true,
});
const g = globalThis as Record<string, unknown>;
for (const key of [
  "window",
  "document",
  "navigator",
  "DOMParser",
  "HTMLElement",
  "HTMLInputElement",
  "HTMLButtonElement",
  "Node",
  "Event",
  "KeyboardEvent",
  "MouseEvent",
  "FocusEvent",
  "getComputedStyle",
  "requestAnimationFrame",
  "cancelAnimationFrame",
]) {
  // Node 21+ has its own `navigator` (a getter): define over it rather than assign.
  Object.defineProperty(g, key, {
    value: (dom.window as unknown as Record<string, unknown>)[key],
    configurable: true,
    writable: true,
  });
}
g.IS_REACT_ACT_ENVIRONMENT = true;
export const win = dom.window;

export function byLabel(root: ParentNode, text: string): HTMLInputElement {
  const label = [...root.querySelectorAll("label")].find((l) => l.textContent?.trim() === text);
  if (!label) throw new Error(`no label "${text}"`);
  const input = win.document.getElementById(label.htmlFor);
  if (!input) throw new Error(`label "${text}" points at nothing`);
  return input as HTMLInputElement;
}

export function byRole(root: ParentNode, role: string, name?: string): HTMLElement {
  const all = [
    ...root.querySelectorAll<HTMLElement>(`[role="${role}"]`),
    ...(role === "button" ? [...root.querySelectorAll<HTMLElement>("button:not([role])")] : []),
  ];
  const found = all.find(
    (el) => name === undefined || el.getAttribute("aria-label") === name || el.textContent?.trim() === name,
  );
  if (!found) throw new Error(`no ${role}${name ? ` "${name}"` : ""}`);
  return found;
}

export function queryText(root: ParentNode, text: string): boolean {
  return (root.textContent ?? "").includes(text);
}

export async function type(input: HTMLInputElement, value: string): Promise<void> {
  await act(async () => {
    const setter = Object.getOwnPropertyDescriptor(win.HTMLInputElement.prototype, "value")!.set!;
    setter.call(input, value);
    input.dispatchEvent(new win.Event("input", { bubbles: true }));
  });
}

export async function click(el: HTMLElement): Promise<void> {
  await act(async () => {
    el.click();
  });
}

export async function press(el: Element, key: string, init: { shiftKey?: boolean } = {}): Promise<void> {
  await act(async () => {
    el.dispatchEvent(new win.KeyboardEvent("keydown", { key, bubbles: true, cancelable: true, ...init }));
  });
}

export async function waitUntil(ok: () => boolean, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}; page: ${win.document.body.textContent?.slice(0, 400)}`);
    await act(async () => {
      await new Promise((r) => setTimeout(r, 20));
    });
  }
}
