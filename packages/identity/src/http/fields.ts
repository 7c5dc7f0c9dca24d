/**
 * Typed access to a parsed body. Each getter checks type and length and names the parameter in
 * its error, so handlers never touch raw input.
 */
import { ApiError } from "../errors.js";
import type { Body } from "./body.js";

export const MAX_FIELD = 4096;

export class Fields {
  constructor(readonly body: Body) {}

  has(name: string): boolean {
    return this.body[name] !== undefined;
  }

  /** A string, `undefined` when absent. Form `null` arrives as "" and is returned as "". */
  str(name: string, max = MAX_FIELD): string | undefined {
    const v = this.body[name];
    if (v === undefined) return undefined;
    if (typeof v !== "string")
      throw new ApiError("form_param_format_invalid", { param: name, detail: "Expected a string." });
    if (v.length > max) throw new ApiError("form_param_max_length_exceeded", { param: name });
    return v;
  }

  /** Like `str`, but JSON `null` and form "" both mean null. */
  nullableStr(name: string, max = MAX_FIELD): string | null | undefined {
    const v = this.body[name];
    if (v === null) return null;
    const s = this.str(name, max);
    return s === "" ? null : s;
  }

  required(name: string, max = MAX_FIELD): string {
    const s = this.str(name, max);
    if (s === undefined || s === "") throw new ApiError("form_param_missing", { param: name });
    return s;
  }

  bool(name: string): boolean | undefined {
    const v = this.body[name];
    if (v === undefined || v === null || v === "") return undefined;
    if (typeof v === "boolean") return v;
    if (v === "true") return true;
    if (v === "false") return false;
    throw new ApiError("form_param_format_invalid", { param: name, detail: "Expected true or false." });
  }

  int(name: string): number | undefined {
    const v = this.body[name];
    if (v === undefined || v === null || v === "") return undefined;
    const n = typeof v === "number" ? v : typeof v === "string" && /^-?\d{1,15}$/.test(v) ? Number(v) : NaN;
    if (!Number.isSafeInteger(n))
      throw new ApiError("form_param_format_invalid", { param: name, detail: "Expected an integer." });
    return n;
  }

  strList(name: string, max = MAX_FIELD): string[] | undefined {
    const v = this.body[name];
    if (v === undefined || v === null) return undefined;
    const list = Array.isArray(v) ? v : [v];
    if (list.length > 100) throw new ApiError("form_param_max_length_exceeded", { param: name });
    return list.map((x) => {
      if (typeof x !== "string")
        throw new ApiError("form_param_format_invalid", { param: name, detail: "Expected strings." });
      if (x.length > max) throw new ApiError("form_param_max_length_exceeded", { param: name });
      return x;
    });
  }

  /** A JSON object: given as an object (JSON bodies) or as a JSON string (form bodies). */
  object(name: string): Record<string, unknown> | null | undefined {
    const v = this.body[name];
    if (v === undefined) return undefined;
    if (v === null || v === "") return null;
    let o: unknown = v;
    if (typeof v === "string") {
      if (v.length > 16384) throw new ApiError("form_param_max_length_exceeded", { param: name });
      try {
        o = JSON.parse(v);
      } catch {
        throw new ApiError("form_param_format_invalid", { param: name, detail: "Expected a JSON object." });
      }
    }
    if (!o || typeof o !== "object" || Array.isArray(o))
      throw new ApiError("form_param_format_invalid", { param: name, detail: "Expected a JSON object." });
    return o as Record<string, unknown>;
  }
}
