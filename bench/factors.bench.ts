/**
 * Sign-in factor benchmarks (docs/architecture.md#measuring-speed), each beside a same-run,
 * same-transport ceiling: a bare node:http server in the same child process doing only the
 * cryptographic operation per request (no store, no sessions, no client JSON):
 *  - TOTP second factors/s over HTTP (`POST …/attempt_second_factor {strategy: totp}` on sign-ins
 *    already past their password) against otpauth `TOTP.validate` per request;
 *  - passkey sign-ins/s over HTTP (`POST /v1/client/sign_ins {strategy: passkey}` then
 *    `attempt_first_factor` with a signed assertion) against @simplewebauthn/server
 *    `generateAuthenticationOptions` + `verifyAuthenticationResponse` over the same two requests.
 * Server CPU per operation (user + system time of the child, which runs both servers) is printed
 * too: it is the figure to trust on a busy machine.
 * A TOTP code is good once per user and 30-s step, so the TOTP run signs in each of `TOTP_USERS`
 * users once (a short run; the count is printed).
 */
import http from "node:http";
import { fork } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import * as OTPAuth from "otpauth";
import type { BenchRow } from "./report.js";
import { SoftAuthenticator } from "../packages/identity/test/support/soft-authenticator.js";

const PAGE = "http://localhost:3000";
const TOTP_USERS = Number(process.env.BENCH_TOTP_USERS ?? 96);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const IN_FLIGHT = 8;

type ChildInfo = { url: string; bareUrl: string; totpSecret: string; secretKey: string };

if (process.env.FACTORS_BENCH_ROLE === "server") {
  const { startIdentityServer } = await import("@tandem/identity");
  const { generateAuthenticationOptions, verifyAuthenticationResponse, verifyRegistrationResponse } =
    await import("@simplewebauthn/server");
  const dataDir = mkdtempSync(join(tmpdir(), "tandem-factors-bench-"));
  const server = await startIdentityServer({
    dataDir,
    port: 0,
    allowedOrigins: [PAGE],
    security: { perIpLimit: false, perIdentifierLimit: false, maxFailedAttempts: 1_000_000 },
  });
  // The bare ceiling: the same requests, only the cryptography (credentials registered by the generator).
  const totpSecret = new OTPAuth.Secret({ size: 20 });
  const creds = new Map<string, { publicKey: Uint8Array<ArrayBuffer>; counter: number }>();
  const challenges = new Set<string>();
  const bare = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", async () => {
      const form = new URLSearchParams(body);
      const answer = (o: unknown) => {
        const out = JSON.stringify(o);
        res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(out) }).end(out);
      };
      switch (req.url) {
        case "/totp": {
          const totp = new OTPAuth.TOTP({ secret: totpSecret, digits: 6, period: 30 });
          return answer({ ok: totp.validate({ token: form.get("code") ?? "", window: 1 }) !== null });
        }
        case "/register": {
          const v = await verifyRegistrationResponse({
            response: JSON.parse(form.get("attestation")!),
            expectedChallenge: "YmFyZS1jaGFsbGVuZ2U",
            expectedOrigin: PAGE,
            expectedRPID: "localhost",
            requireUserVerification: false,
          });
          const c = v.registrationInfo!.credential;
          creds.set(c.id, { publicKey: new Uint8Array(c.publicKey), counter: c.counter });
          return answer({ ok: v.verified });
        }
        case "/options": {
          const options = await generateAuthenticationOptions({ rpID: "localhost", allowCredentials: [] });
          challenges.add(options.challenge);
          return answer(options);
        }
        case "/verify": {
          const response = JSON.parse(form.get("public_key_credential")!);
          const challenge = JSON.parse(Buffer.from(response.response.clientDataJSON, "base64url").toString()).challenge;
          if (!challenges.delete(challenge)) return answer({ ok: false });
          const cred = creds.get(response.id)!;
          const v = await verifyAuthenticationResponse({
            response,
            expectedChallenge: challenge,
            expectedOrigin: PAGE,
            expectedRPID: "localhost",
            requireUserVerification: false,
            credential: { id: response.id, publicKey: cred.publicKey, counter: cred.counter },
          });
          cred.counter = v.authenticationInfo.newCounter;
          return answer({ ok: v.verified });
        }
        default:
          res.writeHead(404).end();
      }
    });
  });
  await new Promise<void>((r) => bare.listen(0, "127.0.0.1", r));
  process.send!({
    url: server.url,
    bareUrl: `http://127.0.0.1:${(bare.address() as { port: number }).port}`,
    totpSecret: totpSecret.base32,
    secretKey: server.secretKey,
  });
  process.on("message", (m) => {
    if (m === "cpu") process.send!({ cpu: process.cpuUsage() });
  });
  process.on("disconnect", () => {
    bare.close();
    void server.close().finally(() => {
      rmSync(dataDir, { recursive: true, force: true });
      process.exit(0);
    });
  });
}

type Child = ChildInfo & { cpuMicros(): Promise<number>; close(): Promise<void> };

async function startChild(): Promise<Child> {
  const child = fork(fileURLToPath(import.meta.url), [], {
    env: { ...process.env, FACTORS_BENCH_ROLE: "server" },
    stdio: "inherit",
  });
  const info = await new Promise<ChildInfo>((resolve, reject) => {
    child.once("message", (m) => resolve(m as ChildInfo));
    child.once("exit", (code) => reject(new Error(`server exited with ${code}`)));
  });
  return {
    ...info,
    cpuMicros: () =>
      new Promise((resolve) => {
        child.once("message", (m) => {
          const { cpu } = m as { cpu: NodeJS.CpuUsage };
          resolve(cpu.user + cpu.system);
        });
        child.send("cpu");
      }),
    close: () =>
      new Promise<void>((resolve) => {
        child.once("exit", () => resolve());
        child.disconnect();
      }),
  };
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

function call(
  method: string,
  url: string,
  fields?: Record<string, string>,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: any; auth?: string }> {
  const body = fields ? new URLSearchParams(fields).toString() : "";
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      {
        method,
        agent,
        headers: {
          origin: PAGE,
          ...(fields
            ? { "content-type": "application/x-www-form-urlencoded", "content-length": Buffer.byteLength(body) }
            : {}),
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
            body: text ? JSON.parse(text) : null,
            ...(typeof res.headers.authorization === "string" ? { auth: res.headers.authorization } : {}),
          }),
        );
      },
    );
    req.on("error", reject);
    req.end(fields ? body : undefined);
  });
}

/** A Frontend API client in header mode (native): its own client token. */
class Fapi {
  token: string | undefined;
  constructor(readonly base: string) {}
  async post(path: string, fields?: Record<string, string>, method = "POST") {
    const url = `${this.base}${path}${path.includes("?") ? "&" : "?"}_is_native=1`;
    const r = await call(method, url, fields ?? {}, this.token ? { authorization: this.token } : {});
    if (r.auth) this.token = r.auth;
    if (r.status !== 200) throw new Error(`${path}: ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
    return r.body.response;
  }
}

/** Runs `ops` with `IN_FLIGHT` workers (each op gets its worker's index); returns ops/s and the server's CPU µs per op. */
async function measure(
  child: Child,
  ops: ((worker: number) => Promise<void>)[],
): Promise<{ rate: number; cpu: number }> {
  let next = 0;
  const cpu0 = await child.cpuMicros();
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async (_, worker) => {
      while (next < ops.length) await ops[next++]!(worker);
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  const cpu = (await child.cpuMicros()) - cpu0;
  return { rate: ops.length / seconds, cpu: cpu / ops.length };
}

const codeAt = (secret: string, step: number) =>
  new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(secret), digits: 6, period: 30 }).generate({
    timestamp: step * 30_000,
  });

export default async function factorsBench(): Promise<BenchRow[]> {
  const child = await startChild();
  const rows: BenchRow[] = [];
  try {
    const password = "bench password that is long enough";
    // TOTP users (from the Backend API): enrolled, then each signed in with its password up to the second factor.
    const waiting: { fapi: Fapi; signInId: string; secret: string }[] = [];
    for (let i = 0; i < TOTP_USERS; i++) {
      const r = await fetch(`${child.url}/backend/v1/users`, {
        method: "POST",
        headers: { authorization: `Bearer ${child.secretKey}`, "content-type": "application/json" },
        body: JSON.stringify({ email_address: [`totp${i}@example.com`], password }),
      });
      if (r.status !== 200) throw new Error(`user create failed: ${r.status}`);
      const fapi = new Fapi(child.url);
      await fapi.post("/v1/client/sign_ins", { identifier: `totp${i}@example.com`, password, strategy: "password" });
      const totp = await fapi.post("/v1/me/totp");
      const step = Math.floor(Date.now() / 30_000);
      await fapi.post("/v1/me/totp/attempt_verification", { code: codeAt(totp.secret, step) });
      await fapi.post("/v1/client/sessions", undefined, "DELETE");
      const si = await fapi.post("/v1/client/sign_ins", {
        identifier: `totp${i}@example.com`,
        password,
        strategy: "password",
      });
      if (si.status !== "needs_second_factor") throw new Error(`expected needs_second_factor, got ${si.status}`);
      waiting.push({ fapi, signInId: si.id, secret: totp.secret });
    }
    const step = Math.floor(Date.now() / 30_000);
    const tandemTotp = await measure(
      child,
      waiting.map((w) => async () => {
        // The enrolment used this step; the next one is within the ±1 window and not yet used.
        const done = await w.fapi.post(`/v1/client/sign_ins/${w.signInId}/attempt_second_factor`, {
          strategy: "totp",
          code: codeAt(w.secret, step + 1),
        });
        if (done.status !== "complete") throw new Error(`TOTP sign-in: ${done.status}`);
      }),
    );
    const bareTotp = await measure(
      child,
      waiting.map(() => async () => {
        const r = await call("POST", `${child.bareUrl}/totp`, {
          code: codeAt(child.totpSecret, Math.floor(Date.now() / 30_000)),
        });
        if (!r.body.ok) throw new Error("bare TOTP refused");
      }),
    );
    rows.push({
      name: `factors: TOTP second factors over HTTP (${TOTP_USERS} sign-ins, ${IN_FLIGHT} in flight)`,
      value: tandemTotp.rate,
      unit: "ops/s",
      ceiling: { name: "bare node:http + otpauth TOTP.validate per request", value: bareTotp.rate },
      note: `server CPU/op ${tandemTotp.cpu.toFixed(0)} µs vs bare ${bareTotp.cpu.toFixed(0)} µs (ratio ${(bareTotp.cpu / tandemTotp.cpu).toFixed(2)})`,
    });

    // Passkeys: one user and authenticator per worker (an authenticator's signature counter only
    // moves forward, so one credential cannot sign in twice at once); two requests each, as clerk-js makes them.
    const authenticators: SoftAuthenticator[] = [];
    const bareAuthenticators: SoftAuthenticator[] = [];
    for (let w = 0; w < IN_FLIGHT; w++) {
      const r = await fetch(`${child.url}/backend/v1/users`, {
        method: "POST",
        headers: { authorization: `Bearer ${child.secretKey}`, "content-type": "application/json" },
        body: JSON.stringify({ email_address: [`passkey${w}@example.com`], password }),
      });
      if (r.status !== 200) throw new Error(`user create failed: ${r.status}`);
      const owner = new Fapi(child.url);
      await owner.post("/v1/client/sign_ins", {
        identifier: `passkey${w}@example.com`,
        password,
        strategy: "password",
      });
      const pk = await owner.post("/v1/me/passkeys");
      const creation = JSON.parse(pk.verification.nonce);
      const authenticator = new SoftAuthenticator();
      await owner.post(`/v1/me/passkeys/${pk.id}/attempt_verification`, {
        strategy: "passkey",
        public_key_credential: JSON.stringify(authenticator.create(creation, PAGE)),
      });
      authenticators.push(authenticator);
      const bare = new SoftAuthenticator();
      const reg = bare.create({ ...creation, challenge: "YmFyZS1jaGFsbGVuZ2U" }, PAGE);
      const ok = await call("POST", `${child.bareUrl}/register`, { attestation: JSON.stringify(reg) });
      if (!ok.body.ok) throw new Error("bare registration refused");
      bareAuthenticators.push(bare);
    }
    const count = Math.max(50, Math.round(SECONDS * 40));
    const tandemPasskey = await measure(
      child,
      Array.from({ length: count }, () => async (w: number) => {
        const fapi = new Fapi(child.url);
        const si = await fapi.post("/v1/client/sign_ins", { strategy: "passkey" });
        const assertion = authenticators[w]!.get(JSON.parse(si.first_factor_verification.nonce), PAGE);
        const done = await fapi.post(`/v1/client/sign_ins/${si.id}/attempt_first_factor`, {
          strategy: "passkey",
          public_key_credential: JSON.stringify(assertion),
        });
        if (done.status !== "complete") throw new Error(`passkey sign-in: ${done.status}`);
      }),
    );
    const barePasskey = await measure(
      child,
      Array.from({ length: count }, () => async (w: number) => {
        const options = (await call("POST", `${child.bareUrl}/options`, {})).body;
        const assertion = bareAuthenticators[w]!.get(options, PAGE);
        const v = await call("POST", `${child.bareUrl}/verify`, { public_key_credential: JSON.stringify(assertion) });
        if (!v.body.ok) throw new Error("bare passkey refused");
      }),
    );
    rows.push({
      name: `factors: passkey sign-ins over HTTP (two requests each, ${IN_FLIGHT} in flight)`,
      value: tandemPasskey.rate,
      unit: "ops/s",
      ceiling: {
        name: "bare node:http + @simplewebauthn/server generateAuthenticationOptions / verifyAuthenticationResponse",
        value: barePasskey.rate,
      },
      note: `server CPU/op ${tandemPasskey.cpu.toFixed(0)} µs vs bare ${barePasskey.cpu.toFixed(0)} µs (ratio ${(barePasskey.cpu / tandemPasskey.cpu).toFixed(2)})`,
    });
  } finally {
    agent.destroy();
    await child.close();
  }
  return rows;
}
