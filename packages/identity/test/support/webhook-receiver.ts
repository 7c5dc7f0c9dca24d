/**
 * A local webhook receiver: verifies every delivery with the `svix` package (as an app's HTTP
 * action does), records it, and answers with the status the test chooses.
 */
import { createServer, type Server } from "node:http";
import { Webhook } from "svix";

export interface Received {
  svixId: string;
  type: string;
  body: any;
  verified: boolean;
  /** The raw body and the svix headers, to re-verify with other libraries. */
  raw: string;
  headers: Record<string, string>;
}

export class WebhookReceiver {
  readonly received: Received[] = [];
  /** Status to answer with, per request (default 200). */
  respond: (r: Received) => number = () => 200;
  secret = "";
  url = "";
  #server: Server | undefined;
  #waiters: Array<() => void> = [];

  async start(path = "/hook"): Promise<this> {
    this.#server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const raw = Buffer.concat(chunks).toString("utf8");
        let verified = false;
        try {
          new Webhook(this.secret).verify(raw, {
            "svix-id": String(req.headers["svix-id"]),
            "svix-timestamp": String(req.headers["svix-timestamp"]),
            "svix-signature": String(req.headers["svix-signature"]),
          });
          verified = true;
        } catch {
          verified = false;
        }
        const body = JSON.parse(raw);
        const headers = Object.fromEntries(
          ["svix-id", "svix-timestamp", "svix-signature"].map((h) => [h, String(req.headers[h])]),
        );
        const r: Received = { svixId: String(req.headers["svix-id"]), type: body.type, body, verified, raw, headers };
        this.received.push(r);
        res.statusCode = verified ? this.respond(r) : 400;
        res.end();
        for (const w of this.#waiters.splice(0)) w();
      });
    });
    await new Promise<void>((resolve) => this.#server!.listen(0, "127.0.0.1", resolve));
    const addr = this.#server.address() as { port: number };
    this.url = `http://127.0.0.1:${addr.port}${path}`;
    return this;
  }

  /** Resolves once `pred` holds over what was received (re-checked on every delivery). */
  async waitFor(pred: (r: Received[]) => boolean, what = "deliveries", timeoutMs = 10_000): Promise<Received[]> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(new Error(`timed out waiting for ${what}; got ${JSON.stringify(this.received.map((r) => r.type))}`)),
        timeoutMs,
      );
      const check = () => {
        if (pred(this.received)) {
          clearTimeout(timer);
          resolve(this.received);
        } else this.#waiters.push(check);
      };
      check();
    });
  }

  ofType(type: string): Received[] {
    return this.received.filter((r) => r.type === type);
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.#server?.close(() => resolve());
      this.#server?.closeAllConnections();
    });
  }
}
