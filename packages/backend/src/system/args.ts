/** Argument readers for the system functions: each bad argument is a clear `InvalidArgs` error. */
import { badRequest } from "../errors.js";
import type { ConvexJSON } from "@tandem/storage";

export type Args = Readonly<Record<string, ConvexJSON>>;

export function argsObject(args: ConvexJSON): Args {
  if (args === null || typeof args !== "object" || Array.isArray(args)) return {};
  return args;
}

export function stringArg(args: Args, name: string): string {
  const v = args[name];
  if (typeof v !== "string") throw badRequest("InvalidArgs", `\`${name}\` must be a string.`);
  return v;
}

export function optionalString(args: Args, name: string): string | null {
  const v = args[name];
  if (v === undefined || v === null) return null;
  if (typeof v !== "string") throw badRequest("InvalidArgs", `\`${name}\` must be a string or null.`);
  return v;
}

export function objectArg(args: Args, name: string): Args {
  const v = args[name];
  if (v === null || typeof v !== "object" || Array.isArray(v))
    throw badRequest("InvalidArgs", `\`${name}\` must be an object.`);
  return v;
}

export function arrayArg(args: Args, name: string): readonly ConvexJSON[] {
  const v = args[name];
  if (!Array.isArray(v)) throw badRequest("InvalidArgs", `\`${name}\` must be an array.`);
  return v;
}

/** A positive integer no larger than `max` (larger asks are clamped, as Convex does for pages). */
export function countArg(args: Args, name: string, fallback: number, max: number): number {
  const v = args[name] ?? fallback;
  if (typeof v !== "number" || !Number.isFinite(v) || v < 1)
    throw badRequest("InvalidArgs", `\`${name}\` must be a positive number.`);
  return Math.min(Math.floor(v), max);
}

/** Components are not supported: only the app root (`componentId` absent or null). */
export function rootComponentOnly(args: Args): void {
  const c = args.componentId;
  if (c !== undefined && c !== null)
    throw badRequest("InvalidArgs", "This deployment has no mounted components; omit `componentId`.");
}

export interface PageOpts {
  readonly cursor: string | null;
  readonly numItems: number;
}

export const MAX_PAGE = 1024;

export function pageOpts(args: Args): PageOpts {
  const p = objectArg(args, "paginationOpts");
  return { cursor: optionalString(p, "cursor"), numItems: countArg(p, "numItems", 100, MAX_PAGE) };
}
