/**
 * Clerk's JWT-template shortcode language. A claim value that is exactly one `{{expr}}` keeps the
 * type of what it resolves to (objects, booleans, numbers); shortcodes inside a longer string are
 * interpolated as text (`null` when missing). `expr` is `a || b || 'literal'`: the first
 * alternative that is not null/empty wins. Paths are dot paths into the context
 * (`user.public_metadata.profile.interests`); an unknown path is `null`.
 */
export type ShortcodeContext = Record<string, unknown>;

const WHOLE = /^\s*\{\{([^{}]*)\}\}\s*$/;
const ANY = /\{\{([^{}]*)\}\}/g;
const PATH = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z0-9_-]+)*$/;

function lookup(ctx: ShortcodeContext, path: string): unknown {
  let cur: unknown = ctx;
  for (const part of path.split(".")) {
    if (cur === null || typeof cur !== "object" || Array.isArray(cur) || !Object.hasOwn(cur, part)) return null;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur ?? null;
}

/** Splits on `||` outside quotes. */
function alternatives(expr: string): string[] {
  const out: string[] = [];
  let cur = "";
  let quote: string | null = null;
  for (let i = 0; i < expr.length; i++) {
    const c = expr[i]!;
    if (quote) {
      if (c === quote) quote = null;
      cur += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      cur += c;
    } else if (c === "|" && expr[i + 1] === "|") {
      out.push(cur);
      cur = "";
      i++;
    } else cur += c;
  }
  out.push(cur);
  return out.map((s) => s.trim());
}

function evalAlternative(alt: string, ctx: ShortcodeContext): unknown {
  const q = /^'([^']*)'$|^"([^"]*)"$/.exec(alt);
  if (q) return q[1] ?? q[2] ?? "";
  if (/^-?\d+(\.\d+)?$/.test(alt)) return Number(alt);
  if (alt === "true" || alt === "false") return alt === "true";
  if (alt === "null") return null;
  if (PATH.test(alt)) return lookup(ctx, alt);
  return null;
}

/** True when `expr` is syntactically valid (used to reject bad templates at save time). */
export function isValidExpression(expr: string): boolean {
  return alternatives(expr).every(
    (a) => a !== "" && (/^'[^']*'$|^"[^"]*"$/.test(a) || /^-?\d+(\.\d+)?$/.test(a) || PATH.test(a)),
  );
}

export function evaluate(expr: string, ctx: ShortcodeContext): unknown {
  let last: unknown = null;
  for (const alt of alternatives(expr)) {
    last = evalAlternative(alt, ctx);
    if (last !== null && last !== undefined && last !== "") return last;
  }
  return last ?? null;
}

const asText = (v: unknown) =>
  v === null || v === undefined ? "null" : typeof v === "object" ? JSON.stringify(v) : String(v);

export function renderValue(value: unknown, ctx: ShortcodeContext): unknown {
  if (typeof value === "string") {
    const whole = WHOLE.exec(value);
    if (whole) return evaluate(whole[1]!, ctx);
    return value.replace(ANY, (_, expr: string) => asText(evaluate(expr, ctx)));
  }
  if (Array.isArray(value)) return value.map((v) => renderValue(v, ctx));
  if (value && typeof value === "object")
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, renderValue(v, ctx)]));
  return value;
}

/** Renders a template's claims; top-level claims that resolve to null are left out of the token. */
export function renderClaims(claims: Record<string, unknown>, ctx: ShortcodeContext): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(claims)) {
    const r = renderValue(v, ctx);
    if (r !== null && r !== undefined) out[k] = r;
  }
  return out;
}

/** Every `{{…}}` inside a claims object, for validation. */
export function shortcodesIn(value: unknown): string[] {
  if (typeof value === "string") return [...value.matchAll(ANY)].map((m) => m[1]!);
  if (Array.isArray(value)) return value.flatMap(shortcodesIn);
  if (value && typeof value === "object") return Object.values(value).flatMap(shortcodesIn);
  return [];
}
