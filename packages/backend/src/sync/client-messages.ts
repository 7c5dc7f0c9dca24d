/**
 * Client → server messages of the sync protocol (docs/sync-protocol.md#client-messages; the contract is
 * `convex/src/browser/sync/protocol.ts`), parsed and validated at run time. Anything that does not
 * fit is a `ProtocolError`.
 */
import type { ConvexJSON, Timestamp } from "@tandem/storage";
import type { UserIdentityAttributes } from "../engine/types.js";
import { ProtocolError } from "./protocol-error.js";
import { checkUdfPath } from "../runtime/paths.js";
import { decodeTs } from "./ts-codec.js";

export interface ConnectMessage {
  readonly type: "Connect";
  readonly sessionId: string;
  readonly connectionCount: number;
  readonly lastCloseReason: string | null;
  readonly maxObservedTimestamp: Timestamp | null;
  readonly clientTs: number | null;
}

export type QuerySetChange =
  | {
      readonly type: "Add";
      readonly queryId: number;
      readonly udfPath: string;
      readonly args: ConvexJSON;
      readonly journal: string | null;
      readonly componentPath: string | null;
    }
  | { readonly type: "Remove"; readonly queryId: number };

export interface ModifyQuerySetMessage {
  readonly type: "ModifyQuerySet";
  readonly baseVersion: number;
  readonly newVersion: number;
  readonly modifications: readonly QuerySetChange[];
}

export interface FunctionRequestMessage {
  readonly type: "Mutation" | "Action";
  readonly requestId: number;
  readonly udfPath: string;
  readonly args: ConvexJSON;
  readonly componentPath: string | null;
}

export type AuthenticateMessage = { readonly type: "Authenticate"; readonly baseVersion: number } & (
  | { readonly tokenType: "None" }
  | { readonly tokenType: "User"; readonly value: string }
  | {
      readonly tokenType: "Admin";
      readonly value: string;
      readonly impersonating: Partial<UserIdentityAttributes> | null;
    }
);

export interface EventMessage {
  readonly type: "Event";
}

export type ClientMessage =
  ConnectMessage | ModifyQuerySetMessage | FunctionRequestMessage | AuthenticateMessage | EventMessage;

type Obj = Record<string, unknown>;

const invalid = (what: string): never => {
  throw new ProtocolError("InvalidMessage", what);
};

function isObject(v: unknown): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** A u32, as the protocol's version numbers and ids are. */
function u32(m: Obj, field: string): number {
  const v = m[field];
  if (typeof v !== "number" || !Number.isInteger(v) || v < 0 || v > 0xffff_ffff) {
    invalid(`${String(m.type)}.${field} must be a non-negative integer`);
  }
  return v as number;
}

function str(m: Obj, field: string, max = 4096): string {
  const v = m[field];
  if (typeof v !== "string" || v.length > max) invalid(`${String(m.type)}.${field} must be a string`);
  return v as string;
}

function optStr(m: Obj, field: string, max = 4096): string | null {
  return m[field] === undefined || m[field] === null ? null : str(m, field, max);
}

/** `"dir/module:export"`, `"module"` (default export) or `"module.js:export"` (`runtime/paths.ts`). */
function udfPath(m: Obj): string {
  const v = str(m, "udfPath", 1024);
  if (!checkUdfPath(v)) {
    throw new ProtocolError("InvalidUdfPath", `Invalid function path ${JSON.stringify(v.slice(0, 100))}`);
  }
  return v;
}

/** `args` is an array holding exactly the argument object. */
function args(m: Obj): ConvexJSON {
  const v = m.args;
  if (!Array.isArray(v) || v.length !== 1 || !isObject(v[0])) {
    invalid(`${String(m.type)}.args must be an array of one object`);
  }
  return (v as ConvexJSON[])[0]!;
}

function parseChange(c: unknown): QuerySetChange {
  if (!isObject(c)) return invalid("ModifyQuerySet.modifications must hold objects");
  switch (c.type) {
    case "Add":
      return {
        type: "Add",
        queryId: u32(c, "queryId"),
        udfPath: udfPath(c),
        args: args(c),
        journal: optStr(c, "journal", 1 << 20),
        componentPath: optStr(c, "componentPath"),
      };
    case "Remove":
      return { type: "Remove", queryId: u32(c, "queryId") };
    default:
      return invalid(`unknown query set modification ${JSON.stringify(String(c.type).slice(0, 40))}`);
  }
}

function parseAuthenticate(m: Obj): AuthenticateMessage {
  const baseVersion = u32(m, "baseVersion");
  switch (m.tokenType) {
    case "None":
      return { type: "Authenticate", baseVersion, tokenType: "None" };
    case "User":
      return { type: "Authenticate", baseVersion, tokenType: "User", value: str(m, "value", 1 << 16) };
    case "Admin": {
      const imp = m.impersonating ?? m.actingAs;
      if (imp !== undefined && imp !== null && !isObject(imp)) invalid("Authenticate.impersonating must be an object");
      return {
        type: "Authenticate",
        baseVersion,
        tokenType: "Admin",
        value: str(m, "value", 4096),
        impersonating: (imp ?? null) as Partial<UserIdentityAttributes> | null,
      };
    }
    default:
      return invalid("Authenticate.tokenType must be None, User or Admin");
  }
}

/** Parses one text frame. Throws `ProtocolError` on anything the protocol does not allow. */
export function parseClientMessage(text: string): ClientMessage {
  let m: unknown;
  try {
    m = JSON.parse(text);
  } catch {
    throw new ProtocolError("InvalidMessage", "message is not JSON");
  }
  if (!isObject(m)) return invalid("message must be a JSON object");
  switch (m.type) {
    case "Connect": {
      const maxTs = optStr(m, "maxObservedTimestamp", 64);
      const decoded = maxTs === null ? null : decodeTs(maxTs);
      if (maxTs !== null && decoded === null) invalid("Connect.maxObservedTimestamp is not a u64");
      if (m.connectionCount !== undefined) u32(m, "connectionCount");
      return {
        type: "Connect",
        sessionId: str(m, "sessionId", 256),
        connectionCount: typeof m.connectionCount === "number" ? m.connectionCount : 0,
        lastCloseReason: optStr(m, "lastCloseReason"),
        maxObservedTimestamp: decoded,
        clientTs: typeof m.clientTs === "number" && Number.isFinite(m.clientTs) ? m.clientTs : null,
      };
    }
    case "ModifyQuerySet": {
      if (!Array.isArray(m.modifications)) invalid("ModifyQuerySet.modifications must be an array");
      return {
        type: "ModifyQuerySet",
        baseVersion: u32(m, "baseVersion"),
        newVersion: u32(m, "newVersion"),
        modifications: (m.modifications as unknown[]).map(parseChange),
      };
    }
    case "Mutation":
    case "Action":
      return {
        type: m.type,
        requestId: u32(m, "requestId"),
        udfPath: udfPath(m),
        args: args(m),
        componentPath: optStr(m, "componentPath"),
      };
    case "Authenticate":
      return parseAuthenticate(m);
    case "Event":
      return { type: "Event" };
    default:
      throw new ProtocolError(
        "UnknownMessageType",
        `unknown message type ${JSON.stringify(String(m.type).slice(0, 40))}`,
      );
  }
}
