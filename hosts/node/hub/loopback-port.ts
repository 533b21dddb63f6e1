// Ports on the loopback interface: finding a free one and waiting until one accepts connections.
import net from "node:net";

export const LOOPBACK = "127.0.0.1";

/** A port that was free on 127.0.0.1 a moment ago. Another process may still take it
 * before ours binds it, so whoever binds it must handle "address in use". */
export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once("error", reject);
    server.listen({ host: LOOPBACK, port: 0, exclusive: true }, () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/**
 * A free port other than those in `taken`: free ports found one after another may be the same
 * port, since each is released before the next is looked for (seen: a hub's direct TLS and
 * WebSocket ports given the same number, and Prosody then served neither).
 */
export async function freeLoopbackPortBesides(taken: readonly (number | undefined)[], find: () => Promise<number> = freeLoopbackPort): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = await find();
    if (!taken.includes(port)) return port;
  }
  throw new Error(`no free loopback port besides ${taken.filter((port) => port !== undefined).join(", ")} in 20 tries`);
}

/** Whether nothing listens on 127.0.0.1:port (we could bind it ourselves). */
export function loopbackPortIsFree(port: number): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once("error", (error: NodeJS.ErrnoException) => {
      if (error.code === "EADDRINUSE" || error.code === "EACCES") resolve(false);
      else reject(error);
    });
    server.listen({ host: LOOPBACK, port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** Resolves once a TCP connection to 127.0.0.1:port succeeds; rejects with the last error. */
export function connectOnce(port: number, timeoutMs = 2000): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: LOOPBACK, port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer from ${LOOPBACK}:${port} within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.once("connect", () => {
      clearTimeout(timer);
      socket.destroy();
      resolve();
    });
    socket.once("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}
