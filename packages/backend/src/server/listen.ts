/** Starting and stopping `node:http` servers with promises. */
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";

export function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (e: Error) => reject(e);
    server.once("error", onError);
    server.listen(port, host, () => {
      server.off("error", onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) return resolve();
    server.close(() => resolve());
    // Long polls and keep-alive sockets would hold `close` open.
    server.closeAllConnections();
  });
}

/** `http://127.0.0.1:3210`; IPv6 hosts get brackets; a wildcard host is reported as loopback. */
export function originOf(host: string, port: number): string {
  const shown = host === "0.0.0.0" ? "127.0.0.1" : host === "::" ? "[::1]" : host.includes(":") ? `[${host}]` : host;
  return `http://${shown}:${port}`;
}
