/**
 * Identity benchmarks (docs/architecture.md#measuring-speed), each beside its same-run ceiling:
 *  - password sign-ins/s over HTTP (`POST /v1/client/sign_ins` with identifier + password:
 *    argon2id verify, session, rotated client, piggy-backed client with a minted token) against
 *    raw @node-rs/argon2 hashing at the same parameters with as many operations in flight;
 *  - session-token mints/s over HTTP (`POST /v1/client/sessions/{id}/tokens`) against raw jose
 *    RS256 signing of the same claims with as many in flight.
 * Rate limits are switched off for the run (every request comes from 127.0.0.1).
 */
import http from "node:http";
import { fork } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { hash, type Algorithm } from "@node-rs/argon2";
import { generateKeyPair, SignJWT } from "jose";
import type { BenchRow } from "./report.js";

/**
 * The identity server runs in a child process (the built package, as users run it), so it does
 * not share an event loop with the load generator (docs/architecture.md#measuring-speed).
 */
if (process.env.IDENTITY_BENCH_ROLE === "server") {
  const { startIdentityServer } = await import("@tandem/identity");
  const dataDir = mkdtempSync(join(tmpdir(), "tandem-identity-bench-"));
  const server = await startIdentityServer({
    dataDir,
    port: 0,
    security: { perIpLimit: false, perIdentifierLimit: false },
  });
  process.send!({ url: server.url, issuer: server.issuer, secretKey: server.secretKey });
  process.on("disconnect", () => {
    void server.close().finally(() => {
      rmSync(dataDir, { recursive: true, force: true });
      process.exit(0);
    });
  });
}

async function startServerChild(): Promise<{ url: string; issuer: string; secretKey: string; close(): Promise<void> }> {
  const child = fork(fileURLToPath(import.meta.url), [], {
    env: { ...process.env, IDENTITY_BENCH_ROLE: "server" },
    stdio: "inherit",
  });
  const info = await new Promise<{ url: string; issuer: string; secretKey: string }>((resolve, reject) => {
    child.once("message", (m) => resolve(m as { url: string; issuer: string; secretKey: string }));
    child.once("exit", (code) => reject(new Error(`identity server exited with ${code}`)));
  });
  return {
    ...info,
    close: () =>
      new Promise<void>((resolve) => {
        child.once("exit", () => resolve());
        child.disconnect();
      }),
  };
}

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const ARGON = { algorithm: 2 as Algorithm, memoryCost: 19456, timeCost: 2, parallelism: 1 };

/** Runs `op` with `inFlight` concurrent loops for `seconds`; returns completed ops per second. */
async function drive(inFlight: number, seconds: number, op: (i: number) => Promise<void>): Promise<number> {
  const end = Date.now() + seconds * 1000;
  let done = 0;
  const start = Date.now();
  await Promise.all(
    Array.from({ length: inFlight }, async (_, w) => {
      while (Date.now() < end) {
        await op(w);
        done++;
      }
    }),
  );
  return done / ((Date.now() - start) / 1000);
}

function post(
  agent: http.Agent,
  url: string,
  body: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; text: string; auth?: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      {
        method: "POST",
        agent,
        headers: {
          "content-type": "application/x-www-form-urlencoded",
          "content-length": Buffer.byteLength(body),
          ...headers,
        },
      },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (c) => (text += c));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            text,
            ...(typeof res.headers.authorization === "string" ? { auth: res.headers.authorization } : {}),
          }),
        );
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

export default async function identityBench(): Promise<BenchRow[]> {
  const server = await startServerChild();
  const rows: BenchRow[] = [];
  try {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
    const password = "bench password that is long enough";
    const users = 16;
    for (let i = 0; i < users; i++) {
      const r = await fetch(`${server.url}/backend/v1/users`, {
        method: "POST",
        headers: { authorization: `Bearer ${server.secretKey}`, "content-type": "application/json" },
        body: JSON.stringify({ email_address: [`bench${i}@example.com`], password, first_name: "Bench" }),
      });
      if (r.status !== 200) throw new Error(`user create failed: ${r.status}`);
    }

    // Password sign-ins vs raw argon2id hashing, alternating rounds, 8 in flight.
    const inFlightHash = 8;
    let signIns = 0;
    let hashes = 0;
    for (let round = 0; round < 2; round++) {
      signIns += await drive(inFlightHash, SECONDS / 2, async (w) => {
        const r = await post(
          agent,
          `${server.url}/v1/client/sign_ins?_is_native=1`,
          new URLSearchParams({
            identifier: `bench${w % users}@example.com`,
            password,
            strategy: "password",
          }).toString(),
        );
        if (r.status !== 200) throw new Error(`sign-in failed: ${r.status} ${r.text.slice(0, 200)}`);
      });
      hashes += await drive(inFlightHash, SECONDS / 2, async () => {
        await hash(password, ARGON);
      });
    }
    rows.push({
      name: "identity: password sign-ins over HTTP",
      value: signIns / 2,
      unit: "ops/s",
      ceiling: { name: "raw @node-rs/argon2 hash, same params, 8 in flight", value: hashes / 2 },
      target: "≥ 0.5",
    });

    // Session-token mints vs raw jose RS256 signing, 32 in flight.
    const login = await post(
      agent,
      `${server.url}/v1/client/sign_ins?_is_native=1`,
      new URLSearchParams({ identifier: "bench0@example.com", password }).toString(),
    );
    const sid = JSON.parse(login.text).response.created_session_id as string;
    const clientToken = login.auth!;
    const { privateKey } = await generateKeyPair("RS256", { modulusLength: 2048 });
    const claims = {
      name: "Bench",
      given_name: "Bench",
      email: "bench0@example.com",
      email_verified: true,
      aud: "convex",
      sid,
      v: 2,
      fva: [0, -1],
      sts: "active",
    };
    const inFlightMint = 32;
    let mints = 0;
    let signs = 0;
    for (let round = 0; round < 2; round++) {
      mints += await drive(inFlightMint, SECONDS / 2, async () => {
        const r = await post(agent, `${server.url}/v1/client/sessions/${sid}/tokens?_is_native=1`, "organization_id=", {
          authorization: clientToken,
        });
        if (r.status !== 200) throw new Error(`mint failed: ${r.status}`);
      });
      signs += await drive(inFlightMint, SECONDS / 2, async () => {
        const now = Math.floor(Date.now() / 1000);
        await new SignJWT(claims)
          .setProtectedHeader({ alg: "RS256", kid: "k", typ: "JWT" })
          .setIssuer(server.issuer)
          .setSubject("user_x")
          .setIssuedAt(now)
          .setNotBefore(now - 5)
          .setExpirationTime(now + 60)
          .setJti(String(Math.random()))
          .sign(privateKey);
      });
    }
    rows.push({
      name: "identity: session-token mints over HTTP",
      value: mints / 2,
      unit: "ops/s",
      ceiling: { name: "raw jose RS256 SignJWT, same claims, 32 in flight (in-process, no HTTP)", value: signs / 2 },
      target: "≥ 0.5",
    });

    // Same transport: a bare node:http server that parses the form body and signs one JWT per
    // request with jose (docs/architecture.md#measuring-speed's "thinnest honest server"), driven by the same generator.
    const bare = http.createServer((req, res) => {
      let body = "";
      req.on("data", (c) => (body += c));
      req.on("end", async () => {
        new URLSearchParams(body);
        const now = Math.floor(Date.now() / 1000);
        const jwt = await new SignJWT(claims)
          .setProtectedHeader({ alg: "RS256", kid: "k", typ: "JWT" })
          .setIssuer(server.issuer)
          .setSubject("user_x")
          .setIssuedAt(now)
          .setNotBefore(now - 5)
          .setExpirationTime(now + 60)
          .setJti(String(Math.random()))
          .sign(privateKey);
        const out = JSON.stringify({ object: "token", jwt });
        res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(out) }).end(out);
      });
    });
    await new Promise<void>((r) => bare.listen(0, "127.0.0.1", r));
    const bareUrl = `http://127.0.0.1:${(bare.address() as { port: number }).port}/tokens`;
    let mints2 = 0;
    let bareMints = 0;
    for (let round = 0; round < 2; round++) {
      mints2 += await drive(inFlightMint, SECONDS / 2, async () => {
        const r = await post(agent, `${server.url}/v1/client/sessions/${sid}/tokens?_is_native=1`, "organization_id=", {
          authorization: clientToken,
        });
        if (r.status !== 200) throw new Error(`mint failed: ${r.status}`);
      });
      bareMints += await drive(inFlightMint, SECONDS / 2, async () => {
        await post(agent, bareUrl, "organization_id=");
      });
    }
    rows.push({
      name: "identity: session-token mints over HTTP (same-transport ceiling)",
      value: mints2 / 2,
      unit: "ops/s",
      ceiling: { name: "bare node:http + jose RS256 sign per request, 32 in flight", value: bareMints / 2 },
      target: "≥ 0.5",
    });
    await new Promise((r) => bare.close(r));
    agent.destroy();
  } finally {
    await server.close();
  }
  return rows;
}
