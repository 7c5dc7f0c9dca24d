/**
 * A small local stand-in for GitHub's OAuth app endpoints (the network is closed in tests):
 * `/login/oauth/authorize` sends the browser straight back with a code, `/login/oauth/access_token`
 * trades it for a token (checking the client's Basic credentials and the PKCE verifier), `/user`
 * answers a profile without an e-mail and `/user/emails` the address list — as GitHub's do.
 */
import { createHash } from "node:crypto";
import { createServer } from "node:http";

export interface FakeGithub {
  url: string;
  clientId: string;
  clientSecret: string;
  /** The account the next authorization signs in as. */
  user: { id: number; login: string; name: string | null };
  emails: { email: string; primary: boolean; verified: boolean }[];
  /** Requests to `/user/emails` (with a good token). */
  emailCalls: number;
  close(): Promise<void>;
}

export async function startFakeGithub(): Promise<FakeGithub> {
  const codes = new Map<string, { challenge: string; redirectUri: string }>();
  const tokens = new Set<string>();
  const fake: FakeGithub = {
    url: "",
    clientId: "gh-client",
    clientSecret: "gh-secret",
    user: { id: 4242, login: "octocat", name: "Mona Lisa" },
    emails: [],
    emailCalls: 0,
    close: () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))),
  };
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", fake.url);
    const json = (status: number, body: unknown): void =>
      void res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
    const authed = () => tokens.has((req.headers.authorization ?? "").replace(/^Bearer /, ""));
    if (url.pathname === "/login/oauth/authorize") {
      const code = `code-${codes.size}`;
      codes.set(code, {
        challenge: url.searchParams.get("code_challenge") ?? "",
        redirectUri: url.searchParams.get("redirect_uri") ?? "",
      });
      const back = new URL(url.searchParams.get("redirect_uri")!);
      back.searchParams.set("code", code);
      back.searchParams.set("state", url.searchParams.get("state") ?? "");
      return void res.writeHead(302, { location: back.href }).end();
    }
    if (url.pathname === "/login/oauth/access_token" && req.method === "POST") {
      let body = "";
      req.on("data", (c) => (body += c));
      req.on("end", () => {
        const form = new URLSearchParams(body);
        const basic = Buffer.from(`${fake.clientId}:${fake.clientSecret}`).toString("base64");
        const pending = codes.get(form.get("code") ?? "");
        codes.delete(form.get("code") ?? "");
        const verifier = form.get("code_verifier") ?? "";
        if (
          req.headers.authorization !== `Basic ${basic}` ||
          !pending ||
          pending.redirectUri !== form.get("redirect_uri") ||
          createHash("sha256").update(verifier).digest("base64url") !== pending.challenge
        )
          return void json(200, { error: "bad_verification_code" }); // GitHub answers errors with 200
        const token = `gho_${tokens.size}_token`;
        tokens.add(token);
        return void json(200, { access_token: token, token_type: "bearer", scope: "read:user,user:email" });
      });
      return;
    }
    if (url.pathname === "/user")
      return authed()
        ? json(200, { ...fake.user, email: null, avatar_url: "https://avatars.test/octo.png" })
        : json(401, {});
    if (url.pathname === "/user/emails") {
      if (!authed()) return json(401, {});
      fake.emailCalls++;
      return json(
        200,
        fake.emails.map((e) => ({ ...e, visibility: null })),
      );
    }
    return void json(404, {});
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  fake.url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  return fake;
}
