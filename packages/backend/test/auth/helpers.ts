import assert from "node:assert/strict";
import { isTandemError } from "@tandem/shared";

/** Awaits a rejection with a `TandemError` of kind Unauthenticated and the given code/message. */
export async function rejectsWith(p: Promise<unknown>, code: string, message?: string | RegExp): Promise<void> {
  try {
    await p;
  } catch (e) {
    assert.ok(isTandemError(e), `expected a TandemError, got ${String(e)}`);
    assert.equal(e.code, code, `code of: ${e.message}`);
    assert.equal(e.kind, "Unauthenticated");
    if (typeof message === "string") assert.equal(e.message, message);
    else if (message) assert.match(e.message, message);
    return;
  }
  assert.fail(`expected rejection with ${code}`);
}

export const b64url = (s: string | Buffer) => Buffer.from(s).toString("base64url");
