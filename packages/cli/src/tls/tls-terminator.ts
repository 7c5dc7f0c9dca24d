/**
 * TLS in front of a plain-HTTP listener: each TLS connection is decrypted and piped, bytes as
 * they are, to the service on loopback, so HTTP, long polls and the sync WebSocket all pass
 * unchanged. Services behind it see every client as 127.0.0.1 (per-IP rate limits become one
 * limit): fine for development, which is all `tandem dev --https` is for.
 */
import { connect, type Socket } from "node:net";
import { createServer, type TLSSocket } from "node:tls";
import type { ServerCertificate } from "./local-ca.js";

export interface TlsTerminator {
  readonly port: number;
  close(): Promise<void>;
}

export function startTlsTerminator(o: {
  host: string;
  port: number;
  certificate: ServerCertificate;
  /** Read per connection: the front listens first, so its public port can go into the service's URLs. */
  target: () => { host: string; port: number } | null;
}): Promise<TlsTerminator> {
  const open = new Set<Socket>();
  const server = createServer({ key: o.certificate.keyPem, cert: o.certificate.certPem }, (tls: TLSSocket) => {
    const target = o.target();
    if (!target) return void tls.destroy();
    const plain = connect(target.port, target.host);
    open.add(tls).add(plain);
    const end = () => {
      tls.destroy();
      plain.destroy();
      open.delete(tls);
      open.delete(plain);
    };
    tls.on("error", end).on("close", end);
    plain.on("error", end).on("close", end);
    tls.pipe(plain).pipe(tls);
  });
  // A client that fails the handshake (an untrusted CA) only loses its own connection.
  server.on("tlsClientError", () => {});
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(o.port, o.host, () => {
      server.off("error", reject);
      const addr = server.address();
      resolve({
        port: typeof addr === "object" && addr ? addr.port : o.port,
        close: () =>
          new Promise<void>((done) => {
            for (const s of open) s.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}
