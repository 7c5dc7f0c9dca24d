/**
 * A stand-in id codec for the validator tests: `validateValue` takes the codec as an injected
 * function, so these tests need only something reversible that says which table an id names.
 */
import type { ValidationContext } from "../../src/values/index.js";

export const TABLES: Record<number, string> = { 10001: "users", 10002: "messages", 540: "_storage" };

export const idFor = (tableNumber: number, n = 0) => `${tableNumber.toString(32)}x${n.toString(16).padStart(8, "0")}`;

export const ctx: ValidationContext = {
  tableNumberToName: (n) => TABLES[n],
  decodeId(id) {
    const m = /^([0-9a-v]+)x([0-9a-f]{8})$/.exec(id);
    return m ? { tableNumber: parseInt(m[1]!, 32) } : null;
  },
};
