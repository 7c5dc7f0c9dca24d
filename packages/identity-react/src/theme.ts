/**
 * Theming. Every component reads CSS custom properties (`--tandem-color-primary`, …) with
 * defaults, so an app can theme with plain CSS; `appearance` (on `AuthProvider` or on one
 * component) sets the same variables inline and adds classes or styles per element, as Clerk's
 * `appearance` prop does (`variables`, `elements`).
 */
import type { CSSProperties } from "react";

export interface AppearanceVariables {
  colorPrimary?: string;
  colorText?: string;
  colorTextSecondary?: string;
  colorBackground?: string;
  colorInputBackground?: string;
  colorInputText?: string;
  colorDanger?: string;
  colorBorder?: string;
  borderRadius?: string;
  fontFamily?: string;
  fontSize?: string;
}

export type ElementKey =
  | "rootBox"
  | "card"
  | "headerTitle"
  | "headerSubtitle"
  | "form"
  | "formField"
  | "formFieldLabel"
  | "formFieldInput"
  | "formFieldError"
  | "formButtonPrimary"
  | "formButtonSecondary"
  | "socialButtonsBlockButton"
  | "footer"
  | "footerActionLink"
  | "alert"
  | "modalBackdrop"
  | "modalContent"
  | "modalCloseButton"
  | "userButtonTrigger"
  | "userButtonAvatar"
  | "userButtonPopover"
  | "userButtonMenuItem"
  | "userProfileSection"
  | "organizationSwitcherTrigger";

export interface Appearance {
  variables?: AppearanceVariables;
  elements?: Partial<Record<ElementKey, string | CSSProperties>>;
}

const VARIABLE_NAMES: Record<keyof AppearanceVariables, string> = {
  colorPrimary: "--tandem-color-primary",
  colorText: "--tandem-color-text",
  colorTextSecondary: "--tandem-color-text-secondary",
  colorBackground: "--tandem-color-background",
  colorInputBackground: "--tandem-color-input-background",
  colorInputText: "--tandem-color-input-text",
  colorDanger: "--tandem-color-danger",
  colorBorder: "--tandem-color-border",
  borderRadius: "--tandem-border-radius",
  fontFamily: "--tandem-font-family",
  fontSize: "--tandem-font-size",
};

/** Inline custom properties for a component root. */
export function variableStyle(appearance: Appearance | undefined): CSSProperties {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(appearance?.variables ?? {})) {
    const name = VARIABLE_NAMES[k as keyof AppearanceVariables];
    if (name && typeof v === "string") out[name] = v;
  }
  return out as CSSProperties;
}

export function mergeAppearance(base: Appearance | undefined, over: Appearance | undefined): Appearance | undefined {
  if (!base) return over;
  if (!over) return base;
  return { variables: { ...base.variables, ...over.variables }, elements: { ...base.elements, ...over.elements } };
}

/** `className`/`style` for one element: our class plus whatever `appearance.elements` adds. */
export function elementProps(
  appearance: Appearance | undefined,
  key: ElementKey,
  style?: CSSProperties,
): { className: string; style?: CSSProperties } {
  const extra = appearance?.elements?.[key];
  const className = `tandem-${key}${typeof extra === "string" ? ` ${extra}` : ""}`;
  const merged = typeof extra === "object" ? { ...style, ...extra } : style;
  return merged ? { className, style: merged } : { className };
}

/** Default look, all through the variables above. Rendered once by `AuthProvider`. */
export const STYLESHEET = `
.tandem-rootBox{font-family:var(--tandem-font-family,system-ui,sans-serif);font-size:var(--tandem-font-size,1rem);color:var(--tandem-color-text,#1f2328)}
.tandem-card{background:var(--tandem-color-background,#fff);border:1px solid var(--tandem-color-border,#d0d7de);border-radius:var(--tandem-border-radius,.5rem);padding:1.5rem;max-width:24rem;box-sizing:border-box}
.tandem-headerTitle{font-size:1.25em;margin:0 0 .25rem}
.tandem-headerSubtitle{color:var(--tandem-color-text-secondary,#59636e);margin:0 0 1rem}
.tandem-form{display:flex;flex-direction:column;gap:.75rem}
.tandem-formField{display:flex;flex-direction:column;gap:.25rem}
.tandem-formFieldLabel{font-weight:600;font-size:.875em}
.tandem-formFieldInput{font:inherit;padding:.5rem .625rem;border:1px solid var(--tandem-color-border,#d0d7de);border-radius:calc(var(--tandem-border-radius,.5rem) * .75);background:var(--tandem-color-input-background,#fff);color:var(--tandem-color-input-text,inherit)}
.tandem-formFieldInput:focus-visible,.tandem-formButtonPrimary:focus-visible,.tandem-formButtonSecondary:focus-visible,.tandem-footerActionLink:focus-visible,.tandem-userButtonTrigger:focus-visible,.tandem-userButtonMenuItem:focus-visible,.tandem-modalCloseButton:focus-visible{outline:2px solid var(--tandem-color-primary,#2f54eb);outline-offset:2px}
.tandem-formFieldInput[aria-invalid=true]{border-color:var(--tandem-color-danger,#cf222e)}
.tandem-formFieldError,.tandem-alert{color:var(--tandem-color-danger,#cf222e);font-size:.875em;margin:0}
.tandem-formButtonPrimary{font:inherit;font-weight:600;padding:.55rem 1rem;border:0;border-radius:calc(var(--tandem-border-radius,.5rem) * .75);background:var(--tandem-color-primary,#2f54eb);color:#fff;cursor:pointer}
.tandem-formButtonPrimary:disabled{opacity:.6;cursor:progress}
.tandem-formButtonSecondary,.tandem-footerActionLink{font:inherit;background:none;border:0;padding:0;color:var(--tandem-color-primary,#2f54eb);cursor:pointer;text-decoration:underline}
.tandem-footer{margin-top:1rem;color:var(--tandem-color-text-secondary,#59636e);font-size:.875em;display:flex;gap:.5rem;flex-wrap:wrap}
.tandem-modalBackdrop{position:fixed;inset:0;background:rgba(0,0,0,.45);display:flex;align-items:flex-start;justify-content:center;padding:8vh 1rem;z-index:1000;overflow:auto}
.tandem-modalContent{position:relative}
.tandem-modalCloseButton{position:absolute;top:.5rem;right:.5rem;font:inherit;font-size:1.25em;line-height:1;background:none;border:0;cursor:pointer;color:var(--tandem-color-text-secondary,#59636e)}
.tandem-userButtonTrigger{display:inline-flex;align-items:center;gap:.5rem;font:inherit;background:none;border:0;padding:0;cursor:pointer;color:inherit}
.tandem-userButtonAvatar{width:2rem;height:2rem;border-radius:50%;display:inline-flex;align-items:center;justify-content:center;background:var(--tandem-color-primary,#2f54eb);color:#fff;font-weight:600;font-size:.8em;overflow:hidden}
.tandem-userButtonAvatar img{width:100%;height:100%;object-fit:cover}
.tandem-userButtonPopover{position:absolute;right:0;margin-top:.5rem;min-width:14rem;background:var(--tandem-color-background,#fff);border:1px solid var(--tandem-color-border,#d0d7de);border-radius:var(--tandem-border-radius,.5rem);box-shadow:0 8px 24px rgba(0,0,0,.15);padding:.5rem 0;z-index:900}
.tandem-userButtonMenuItem{display:block;width:100%;text-align:left;font:inherit;background:none;border:0;padding:.5rem 1rem;cursor:pointer;color:inherit}
.tandem-userButtonMenuItem:hover,.tandem-userButtonMenuItem:focus{background:rgba(0,0,0,.06)}
.tandem-userProfileSection{border-top:1px solid var(--tandem-color-border,#d0d7de);padding-top:1rem;margin-top:1rem}
`;
