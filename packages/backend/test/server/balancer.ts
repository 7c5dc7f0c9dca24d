/**
 * A tiny round-robin TCP load balancer for multi-node tests: each accepted connection goes to the
 * next live target, bytes piped both ways. A target that refuses the connection (a killed node)
 * is skipped for that connection, as a health-checking balancer would.
 */
import { createConnection, createServer, type Server, type Socket } from "node:net";

export interface Balancer {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  /** Connections sent to each target so far, by target URL. */
  readonly connections: Map<string, number>;
  /** Stops taking connections and cuts the open ones. */
  close(): Promise<void>;
}

export async function startBalancer(targets: readonly string[]): Promise<Balancer> {
  const ports = targets.map((t) => Number(new URL(t).port));
  const connections = new Map(targets.map((t) => [t, 0]));
  const open = new Set<Socket>();
  let next = 0;
  const connect = (client: Socket, tries: number) => {
    const i = next++ % ports.length;
    const upstream = createConnection({ host: "127.0.0.1", port: ports[i]! });
    open.add(upstream);
    upstream.once("close", () => open.delete(upstream));
    let connected = false;
    upstream.once("connect", () => {
      connected = true;
      connections.set(targets[i]!, (connections.get(targets[i]!) ?? 0) + 1);
      client.pipe(upstream).pipe(client);
      client.resume();
    });
    upstream.on("error", () => {
      if (!connected && tries + 1 < ports.length && !client.destroyed) return connect(client, tries + 1);
      client.destroy();
    });
    upstream.once("close", () => client.destroy());
    client.once("close", () => upstream.destroy());
  };
  const server: Server = createServer({ pauseOnConnect: true }, (client) => {
    open.add(client);
    client.once("close", () => open.delete(client));
    client.on("error", () => {});
    connect(client, 0);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    connections,
    close: async () => {
      for (const s of open) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
