/**
 * `Uint8Array.fromBase64`, `fromHex` and `toBase64`/`toHex` (ES2026), which Convex's runtime has
 * and Node has only from 25: the official CLI's bundler (esbuild's `binary` loader, used for
 * `.wasm` imports) decodes embedded bytes with `Uint8Array.fromBase64`. Function realms share the
 * host's typed arrays (realm.ts), so they are defined on the host's, only where missing.
 */

type Alphabet = "base64" | "base64url";
interface FromBase64Options {
  readonly alphabet?: Alphabet;
  readonly lastChunkHandling?: "loose" | "strict" | "stop-before-partial";
}
interface ToBase64Options {
  readonly alphabet?: Alphabet;
  readonly omitPadding?: boolean;
}

const ALPHABETS: Record<Alphabet, RegExp> = {
  base64: /^[A-Za-z0-9+/]*={0,2}$/,
  base64url: /^[A-Za-z0-9_-]*={0,2}$/,
};

function alphabetOf(options: { alphabet?: unknown } | undefined): Alphabet {
  const a = options?.alphabet ?? "base64";
  if (a !== "base64" && a !== "base64url") throw new TypeError(`Invalid alphabet: ${String(a)}`);
  return a;
}

function fromBase64(input: unknown, options?: FromBase64Options): Uint8Array {
  if (typeof input !== "string") throw new TypeError("Uint8Array.fromBase64 expects a string");
  const alphabet = alphabetOf(options);
  const text = input.replace(/[\t\n\f\r ]/g, "");
  const unpadded = text.replace(/=+$/, "");
  const strict = options?.lastChunkHandling === "strict";
  if (!ALPHABETS[alphabet].test(text) || unpadded.length % 4 === 1 || (strict && text.length % 4 !== 0))
    throw new SyntaxError("Invalid base64 string");
  return new Uint8Array(Buffer.from(unpadded, alphabet));
}

function fromHex(input: unknown): Uint8Array {
  if (typeof input !== "string") throw new TypeError("Uint8Array.fromHex expects a string");
  if (input.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(input)) throw new SyntaxError("Invalid hex string");
  return new Uint8Array(Buffer.from(input, "hex"));
}

function bytesOf(self: unknown): Buffer {
  if (!(self instanceof Uint8Array)) throw new TypeError("Not a Uint8Array");
  return Buffer.from(self.buffer, self.byteOffset, self.byteLength);
}

function define(target: object, name: string, value: (...args: never[]) => unknown): void {
  if (name in target) return;
  Object.defineProperty(target, name, { value, writable: true, configurable: true, enumerable: false });
}

define(Uint8Array, "fromBase64", fromBase64);
define(Uint8Array, "fromHex", fromHex);
define(Uint8Array.prototype, "toBase64", function (this: Uint8Array, options?: ToBase64Options) {
  const out = bytesOf(this).toString(alphabetOf(options));
  const padded = alphabetOf(options) === "base64url" ? out + "=".repeat((4 - (out.length % 4)) % 4) : out;
  return options?.omitPadding ? padded.replace(/=+$/, "") : padded;
});
define(Uint8Array.prototype, "toHex", function (this: Uint8Array) {
  return bytesOf(this).toString("hex");
});
