/** Client frames of the sync protocol: valid ones, mutated ones, and noise. */
import fc from "fast-check";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { corruptText, hostileArgs, hostileValue, mutateObject } from "./values.js";

/** Paths of the `multi` app, plus ones that must be refused. */
export const udfPath = fc.constantFrom(
  "channels:list",
  "channels:byName",
  "channels:create",
  "messages:list",
  "messages:get",
  "messages:send",
  "messages:fail",
  "messages:clearAll",
  "users:whoami",
  "values:samples",
  "actions:sendTwice",
  "nope:x",
  "channels",
  "../etc:passwd",
  "a".repeat(2000),
  "",
);

const u32ish = fc.oneof(fc.nat({ max: 8 }), fc.constantFrom(0xffff_ffff, 2 ** 32, -1, 1.5));
const args = fc.oneof({ weight: 3, arbitrary: hostileArgs.map((a) => [a]) }, { weight: 1, arbitrary: hostileValue });

const connect = fc.record({
  type: fc.constant("Connect"),
  sessionId: fc.uuid(),
  connectionCount: fc.nat({ max: 5 }),
  lastCloseReason: fc.constantFrom("InitialConnect", null, "x"),
  clientTs: fc.nat(),
});
const add = fc.record(
  { type: fc.constant("Add"), queryId: u32ish, udfPath, args, journal: fc.option(fc.string({ maxLength: 20 })) },
  { requiredKeys: ["type", "queryId", "udfPath", "args"] },
);
const remove = fc.record({ type: fc.constant("Remove"), queryId: u32ish });
const modifyQuerySet = fc
  .tuple(u32ish, fc.nat({ max: 3 }), fc.array(fc.oneof(add, remove), { maxLength: 4 }))
  .map(([base, d, modifications]) => ({
    type: "ModifyQuerySet",
    baseVersion: base,
    newVersion: typeof base === "number" ? base + d : d,
    modifications,
  }));
const functionCall = fc.record({ type: fc.constantFrom("Mutation", "Action"), requestId: fc.nat(1000), udfPath, args });
const authenticate = fc.oneof(
  fc.record({ type: fc.constant("Authenticate"), baseVersion: u32ish, tokenType: fc.constant("None") }),
  fc.record({
    type: fc.constant("Authenticate"),
    baseVersion: u32ish,
    tokenType: fc.constant("User"),
    value: fc.oneof(fc.string(), fc.constant("eyJhbGciOiJub25lIn0.e30.")),
  }),
  fc.record({
    type: fc.constant("Authenticate"),
    baseVersion: u32ish,
    tokenType: fc.constant("Admin"),
    // The fuzz backend's real admin key half the time: an admin's hostile identity must not crash it.
    value: fc.oneof(fc.string({ maxLength: 40 }), fc.constant("fuzz-admin:key")),
    impersonating: fc.option(
      fc.dictionary(fc.constantFrom("subject", "issuer", "tokenIdentifier", "name"), hostileValue, { maxKeys: 3 }),
    ),
  }),
);
const event = fc.record({ type: fc.constant("Event"), eventType: fc.string({ maxLength: 30 }), event: hostileValue });

/** One well-formed message of each kind the official client sends. */
export const validFrame: fc.Arbitrary<Record<string, unknown>> = fc.oneof(
  connect,
  modifyQuerySet,
  functionCall,
  authenticate,
  event,
) as fc.Arbitrary<Record<string, unknown>>;

/** A frame as text: valid, one field mutated, corrupted text, other JSON, or an oversized/deep message. */
export const anyFrame: fc.Arbitrary<string> = fc.oneof(
  { weight: 40, arbitrary: validFrame.map((m) => JSON.stringify(m)) },
  { weight: 40, arbitrary: validFrame.chain(mutateObject).map((m) => JSON.stringify(m)) },
  { weight: 10, arbitrary: validFrame.chain((m) => corruptText(JSON.stringify(m))) },
  { weight: 10, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)) },
  { weight: 10, arbitrary: fc.string({ maxLength: 40, unit: "binary" }) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.integer({ min: 900_000, max: 2_500_000 }), fc.constantFrom("channels:create", "channels:byName"))
      .map(([n, path]) =>
        JSON.stringify({ type: "Mutation", requestId: 8, udfPath: path, args: [{ name: "x".repeat(n) }] }),
      ),
  },
  {
    weight: 3,
    arbitrary: fc
      .tuple(fc.integer({ min: 10, max: 100_000 }), fc.boolean(), fc.constantFrom("Mutation", "Event", "Add", "Admin"))
      .map(([d, o, kind]) => {
        // Built as text: the test process need not survive the nesting it sends.
        const v = o ? '{"a":'.repeat(d) + "1" + "}".repeat(d) : "[".repeat(d) + "1" + "]".repeat(d);
        return kind === "Mutation"
          ? `{"type":"Mutation","requestId":7,"udfPath":"channels:create","args":[{"name":${v}}]}`
          : kind === "Add"
            ? `{"type":"ModifyQuerySet","baseVersion":0,"newVersion":1,"modifications":[{"type":"Add","queryId":1,"udfPath":"channels:byName","args":[{"name":${v}}]}]}`
            : kind === "Admin"
              ? `{"type":"Authenticate","baseVersion":0,"tokenType":"Admin","value":"fuzz-admin:key","impersonating":{"subject":"s","issuer":"i","name":${v}}}`
              : `{"type":"Event","eventType":"x","event":${v}}`;
      }),
  },
);

/** The official client's `parseServerMessage` (not in the package's exports map, so loaded by file). */
export async function officialParser(): Promise<(m: unknown) => { type: string }> {
  const root = dirname(createRequire(import.meta.url).resolve("convex/package.json"));
  const mod = await import(pathToFileURL(join(root, "dist/esm/browser/sync/protocol.js")).href);
  return mod.parseServerMessage;
}
