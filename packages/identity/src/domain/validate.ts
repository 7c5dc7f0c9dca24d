/**
 * Input rules for user fields. Everything a client sends passes through here before it is stored;
 * a broken rule is a 422 naming the parameter, and nothing is written.
 */
import { ApiError } from "../errors.js";
import type { Metadata } from "../store/types.js";

export const LIMITS = {
  name: 100,
  email: 254,
  usernameMin: 4,
  usernameMax: 64,
  externalId: 256,
  imageUrl: 2048,
  metadataBytes: 8192,
} as const;

/** Practical e-mail shape: one @, a dotted domain of letters/digits/hyphens, no spaces or markup. */
const EMAIL =
  /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;

export function normalizeEmail(raw: string, param = "email_address"): string {
  const s = raw.trim();
  if (s.length > LIMITS.email) throw new ApiError("form_param_max_length_exceeded", { param });
  const [local, domain] = s.split("@");
  if (
    !EMAIL.test(s) ||
    !local ||
    local.length > 64 ||
    local.startsWith(".") ||
    local.endsWith(".") ||
    local.includes("..")
  )
    throw new ApiError("form_param_format_invalid", { param, detail: "Enter a valid e-mail address." });
  if (!/[A-Za-z]/.test(domain!.split(".").at(-1)!))
    throw new ApiError("form_param_format_invalid", { param, detail: "Enter a valid e-mail address." });
  return s.toLowerCase();
}

/** Letters, marks, digits, spaces and the punctuation real names use (' . - ,). No markup, no SQL. */
const NAME = /^[\p{L}\p{M}\p{N}](?:[\p{L}\p{M}\p{N}' .,\-’]*[\p{L}\p{M}\p{N}.])?$/u;

export function checkName(raw: string | null, param: string): string | null {
  if (raw === null) return null;
  const s = raw.normalize("NFC").trim();
  if (s === "") return null;
  if ([...s].length > LIMITS.name) throw new ApiError("form_param_max_length_exceeded", { param });
  if (!NAME.test(s) || /\s{2,}/.test(s))
    throw new ApiError("form_param_format_invalid", {
      param,
      detail: "Names may contain letters, digits, spaces, apostrophes, hyphens, commas and periods.",
    });
  return s;
}

const USERNAME = /^[a-z0-9](?:[a-z0-9_.-]*[a-z0-9])?$/;

export function checkUsername(raw: string | null, param = "username"): string | null {
  if (raw === null) return null;
  const s = raw.trim().toLowerCase();
  if (s === "") return null;
  if (s.length < LIMITS.usernameMin || s.length > LIMITS.usernameMax)
    throw new ApiError("form_username_invalid_length", { param });
  if (!USERNAME.test(s) || s.includes("@"))
    throw new ApiError("form_param_format_invalid", { param, detail: "Usernames may contain a-z, 0-9, _, - and ." });
  return s;
}

export function checkExternalId(raw: string | null, param = "external_id"): string | null {
  if (raw === null || raw === "") return null;
  if (raw.length > LIMITS.externalId) throw new ApiError("form_param_max_length_exceeded", { param });
  if (/[\p{Cc}]/u.test(raw)) throw new ApiError("form_param_format_invalid", { param });
  return raw;
}

export function checkImageUrl(raw: string | null, param = "image_url"): string | null {
  if (raw === null || raw === "") return null;
  if (raw.length > LIMITS.imageUrl) throw new ApiError("form_param_max_length_exceeded", { param });
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new ApiError("form_param_format_invalid", { param });
  }
  if (u.protocol !== "https:" && u.protocol !== "http:") throw new ApiError("form_param_format_invalid", { param });
  return u.toString();
}

export function checkMetadata(raw: unknown, param: string): Metadata {
  if (raw === null || raw === undefined) return {};
  if (typeof raw !== "object" || Array.isArray(raw))
    throw new ApiError("form_param_format_invalid", { param, detail: "Metadata must be a JSON object." });
  if (Buffer.byteLength(JSON.stringify(raw)) > LIMITS.metadataBytes)
    throw new ApiError("form_param_max_length_exceeded", { param });
  return raw as Metadata;
}

/** Deep merge with Clerk's metadata semantics: objects merge, `null` deletes a key. */
export function mergeMetadata(base: Metadata, patch: Metadata): Metadata {
  const out: Metadata = { ...base };
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else if (
      v &&
      typeof v === "object" &&
      !Array.isArray(v) &&
      out[k] &&
      typeof out[k] === "object" &&
      !Array.isArray(out[k])
    )
      out[k] = mergeMetadata(out[k] as Metadata, v as Metadata);
    else out[k] = v;
  }
  return out;
}
