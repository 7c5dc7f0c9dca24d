/**
 * Local SMTP servers for tests: a sink that records each message's DATA (optionally answering
 * every command after a delay, a slow server), and a server that accepts connections and never
 * says a word (a hanging one).
 */
import net from "node:net";

export interface SmtpSink {
  port: number;
  messages: string[];
  /** Connections accepted so far. */
  connections(): number;
  /** Resolves once `n` messages have arrived. */
  waitFor(n: number, timeoutMs?: number): Promise<string[]>;
  close(): Promise<void>;
}

async function listen(server: net.Server, sockets: Set<net.Socket>) {
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return (server.address() as net.AddressInfo).port;
}

function closer(server: net.Server, sockets: Set<net.Socket>) {
  return () =>
    new Promise<void>((r) => {
      for (const s of sockets) s.destroy();
      server.close(() => r());
    });
}

/** Records every message; with `delayMs`, each reply comes that long after its command. */
export async function smtpSink(opts: { delayMs?: number } = {}): Promise<SmtpSink> {
  const messages: string[] = [];
  const sockets = new Set<net.Socket>();
  let accepted = 0;
  const reply = (sock: net.Socket, text: string) =>
    opts.delayMs ? setTimeout(() => sock.writable && sock.write(text), opts.delayMs) : sock.write(text);
  const server = net.createServer((sock) => {
    accepted++;
    let buf = "";
    let data = false;
    reply(sock, "220 sink ESMTP\r\n");
    sock.on("error", () => {});
    sock.on("data", (chunk) => {
      buf += chunk.toString("utf8");
      for (;;) {
        if (data) {
          const end = buf.indexOf("\r\n.\r\n");
          if (end < 0) return;
          messages.push(buf.slice(0, end));
          buf = buf.slice(end + 5);
          data = false;
          reply(sock, "250 OK queued\r\n");
          continue;
        }
        const nl = buf.indexOf("\r\n");
        if (nl < 0) return;
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 2);
        const verb = line.slice(0, 4).toUpperCase();
        if (verb === "EHLO") reply(sock, "250-sink\r\n250 8BITMIME\r\n");
        else if (verb === "HELO") reply(sock, "250 sink\r\n");
        else if (verb === "DATA") ((data = true), reply(sock, "354 go ahead\r\n"));
        else if (verb === "QUIT") sock.end("221 bye\r\n");
        else reply(sock, "250 OK\r\n");
      }
    });
  });
  const port = await listen(server, sockets);
  return {
    port,
    messages,
    connections: () => accepted,
    async waitFor(n, timeoutMs = 10_000) {
      const end = Date.now() + timeoutMs;
      while (messages.length < n) {
        if (Date.now() > end) throw new Error(`timed out waiting for ${n} messages; got ${messages.length}`);
        await new Promise((r) => setTimeout(r, 20));
      }
      return messages;
    },
    close: closer(server, sockets),
  };
}

/** Accepts connections and never answers (not even the greeting). */
export async function hangingSmtpServer(): Promise<{
  port: number;
  connections(): number;
  open(): number;
  close(): Promise<void>;
}> {
  const sockets = new Set<net.Socket>();
  let accepted = 0;
  const server = net.createServer((sock) => {
    accepted++;
    sock.on("error", () => {});
  });
  const port = await listen(server, sockets);
  return { port, connections: () => accepted, open: () => sockets.size, close: closer(server, sockets) };
}
