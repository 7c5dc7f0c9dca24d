/**
 * `tandem keys list | rotate`: the identity service's signing keys. `rotate` makes a new key sign
 * from now on; the old one stays in the JWKS until the tokens it signed have expired, so nobody
 * is signed out, and backends pick the new key up on its first unknown `kid`.
 */
import type { Command } from "commander";
import { identityCall, identityOptions, resolveIdentity, type IdentityFlags } from "../identity-api.js";
import type { Io } from "../io.js";

interface SigningKey {
  kid: string;
  status: "active" | "retired";
  created_at: number;
  retired_at: number | null;
  removed_at: number | null;
}

const iso = (ms: number) => new Date(ms).toISOString();

function line(k: SigningKey): string {
  return k.status === "active"
    ? `${k.kid}  active   signing since ${iso(k.created_at)}`
    : `${k.kid}  retired  verifies tokens until ${iso(k.removed_at ?? k.retired_at ?? 0)}`;
}

export function registerKeys(program: Command, io: Io, done: (code: number) => void): void {
  const keys = program.command("keys").description("signing keys of the identity service (its JWKS)");
  identityOptions(keys.command("list").description("list the published signing keys")).action(
    async (flags: IdentityFlags) => {
      const r = (await identityCall(resolveIdentity(flags), "GET", "/signing_keys")) as { data: SigningKey[] };
      for (const k of r.data) io.out(line(k));
      done(0);
    },
  );
  identityOptions(
    keys
      .command("rotate")
      .description("sign with a new key from now on; the old one keeps verifying its tokens until they expire"),
  ).action(async (flags: IdentityFlags) => {
    const r = (await identityCall(resolveIdentity(flags), "POST", "/signing_keys/rotate")) as {
      kid: string;
      retired: string[];
      signing_keys: SigningKey[];
    };
    io.out(`New signing key: ${r.kid}`);
    for (const k of r.signing_keys) io.out(`  ${line(k)}`);
    done(0);
  });
}
