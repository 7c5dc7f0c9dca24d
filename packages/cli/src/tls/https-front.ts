/**
 * `tandem dev --https`: the certificate for the hosts a device uses, and TLS terminators on the
 * public ports in front of the services, which listen on loopback ports of their own.
 */
import { isIP } from "node:net";
import { issueServerCertificate, loadOrCreateLocalCa, type LocalCa } from "./local-ca.js";
import { startTlsTerminator, type TlsTerminator } from "./tls-terminator.js";

export interface HttpsOptions {
  /** The host devices use to reach this machine: `10.0.2.2` from the Android emulator, a LAN address from a phone. */
  readonly publicHost: string;
  /** Where the local CA lives (created on first use). */
  readonly tlsDir: string;
}

/** `https://host:port`, brackets around an IPv6 address. */
export const httpsOrigin = (host: string, port: number) => `https://${isIP(host) === 6 ? `[${host}]` : host}:${port}`;

/** The hosts the certificate names: the public host and the usual ways to reach this machine. */
export function certificateHosts(publicHost: string, listenHost: string): string[] {
  const wildcard = listenHost === "0.0.0.0" || listenHost === "::";
  return [...new Set([publicHost, "localhost", "127.0.0.1", "::1", "10.0.2.2", ...(wildcard ? [] : [listenHost])])];
}

export interface HttpsFront {
  readonly ca: LocalCa;
  readonly fronts: TlsTerminator[];
  close(): Promise<void>;
}

export async function startHttpsFront(
  o: HttpsOptions & { listenHost: string; routes: readonly { port: number; targetPort: () => number | null }[] },
): Promise<HttpsFront> {
  const ca = await loadOrCreateLocalCa(o.tlsDir);
  const certificate = issueServerCertificate(ca, certificateHosts(o.publicHost, o.listenHost));
  const fronts: TlsTerminator[] = [];
  const close = async () => void (await Promise.all(fronts.map((f) => f.close())));
  try {
    for (const r of o.routes)
      fronts.push(
        await startTlsTerminator({
          host: o.listenHost,
          port: r.port,
          certificate,
          target: () => {
            const port = r.targetPort();
            return port === null ? null : { host: "127.0.0.1", port };
          },
        }),
      );
  } catch (e) {
    await close();
    throw e;
  }
  return { ca, fronts, close };
}
