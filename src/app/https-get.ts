// An HTTPS GET over the host's connection (TCP, then TLS checked against the device's CA and the
// URL's name, as the XMPP connection is), the body handed over chunk by chunk as it arrives: the
// update download of runtimes without an HTTP client of their own (the Moddable SDK's ESP32 and
// simulator builds). HTTP/1.1, one request per connection, a Content-Length required so that a cut
// download is told from a whole one.

import type { Connection, Host, TimerHandle } from "../host.js";
import { encodeUtf8 } from "../xml/utf8.js";

export interface HttpsGetOptions {
  host: Pick<Host, "connect" | "setTimeout" | "clearTimeout">;
  /** Where to connect for a host name (the hub's domain -> the XMPP server's address); default: the name itself. */
  address?(name: string): string;
  /** Give up when no byte arrives for this long (default 30 s). */
  idleMs?: number;
}

export interface HttpsUrl {
  name: string;
  port: number;
  path: string;
}

/** The parts of an https:// URL; throws saying what is wrong. */
export function parseHttpsUrl(url: string): HttpsUrl {
  const match = /^https:\/\/([A-Za-z0-9.-]+)(?::(\d{1,5}))?(\/[\x21-\x7e]*)?$/.exec(url);
  if (!match) throw new Error(`${url} is not an https:// URL with a host name and a path of printable characters`);
  const port = match[2] === undefined ? 443 : Number(match[2]);
  if (port < 1 || port > 65535) throw new Error(`${url}: port ${match[2]} is out of range`);
  return { name: match[1]!.toLowerCase(), port, path: match[3] ?? "/" };
}

/** Most bytes of a response head (status line and headers). */
const HEAD_LIMIT = 8192;

function indexOfHeadEnd(bytes: Uint8Array): number {
  for (let i = 3; i < bytes.length; i++) {
    if (bytes[i] === 10 && bytes[i - 1] === 13 && bytes[i - 2] === 10 && bytes[i - 3] === 13) return i + 1;
  }
  return -1;
}

function ascii(bytes: Uint8Array): string {
  let text = "";
  for (const byte of bytes) text += String.fromCharCode(byte);
  return text;
}

/** Reads the response head; gives the body's length, or throws saying why the response is not taken. */
export function readResponseHead(head: string, url: string): number {
  const lines = head.split("\r\n");
  const status = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? "");
  if (!status) throw new Error(`the server's answer for ${url} is not HTTP/1.1`);
  if (status[1] !== "200") throw new Error(`the server answered HTTP ${status[1]} for ${url}`);
  let length: number | undefined;
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(":");
    if (colon < 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (name === "transfer-encoding" && value.toLowerCase() !== "identity") throw new Error(`the server sent ${url} with Transfer-Encoding ${value}; an image needs a Content-Length (a cut download could not be told from a whole one)`);
    if (name === "content-length") {
      if (!/^\d{1,10}$/.test(value)) throw new Error(`the server's Content-Length for ${url} is not a number: ${value}`);
      length = Number(value);
    }
  }
  if (length === undefined) throw new Error(`the server sent no Content-Length for ${url}; an image needs one (a cut download could not be told from a whole one)`);
  return length;
}

/** Fetches `url`, handing each part of the body to `onChunk`; resolves once the whole body came, rejects saying why otherwise. */
export function httpsGet(options: HttpsGetOptions, url: string, onChunk: (bytes: Uint8Array) => void): Promise<void> {
  let target: HttpsUrl;
  try {
    target = parseHttpsUrl(url);
  } catch (error) {
    return Promise.reject(error);
  }
  const { host } = options;
  const idleMs = options.idleMs ?? 30_000;
  return new Promise<void>((resolve, reject) => {
    let connection: Connection | undefined;
    let settled = false;
    let idle: TimerHandle | undefined;
    let head: Uint8Array | undefined = new Uint8Array(0);
    let length = 0;
    let received = 0;
    /** While the handshake runs, its rejection says why it failed, not the close that follows. */
    let securing = false;
    const finish = (error?: Error) => {
      if (settled) return;
      settled = true;
      if (idle !== undefined) host.clearTimeout(idle);
      connection?.close();
      if (error) reject(error);
      else resolve();
    };
    const arm = () => {
      if (idle !== undefined) host.clearTimeout(idle);
      idle = host.setTimeout(() => finish(new Error(`no data from ${target.name}:${target.port} for ${Math.round(idleMs / 1000)} s`)), idleMs);
    };
    const body = (bytes: Uint8Array) => {
      const take = bytes.subarray(0, Math.max(0, length - received));
      if (take.length > 0) {
        received += take.length;
        try {
          onChunk(take);
        } catch (error) {
          finish(error as Error);
          return;
        }
      }
      if (received === length) finish();
    };
    arm();
    host
      .connect(
        { host: options.address?.(target.name) ?? target.name, port: target.port },
        {
          onData(bytes) {
            if (settled) return;
            arm();
            if (head === undefined) {
              body(bytes);
              return;
            }
            const joined = new Uint8Array(head.length + bytes.length);
            joined.set(head);
            joined.set(bytes, head.length);
            const end = indexOfHeadEnd(joined);
            if (end < 0) {
              if (joined.length > HEAD_LIMIT) finish(new Error(`the server's answer for ${url} has a head of more than ${HEAD_LIMIT} bytes`));
              else head = joined;
              return;
            }
            head = undefined;
            try {
              length = readResponseHead(ascii(joined.subarray(0, end)), url);
            } catch (error) {
              finish(error as Error);
              return;
            }
            body(joined.subarray(end));
          },
          onClose(error) {
            if (securing) return;
            if (head !== undefined) finish(new Error(`the connection was closed before the server answered${error ? ` (${error.message})` : ""}`));
            else finish(new Error(`the connection was cut after ${received} of ${length} bytes${error ? ` (${error.message})` : ""}`));
          },
        },
      )
      .then(
        async (open) => {
          connection = open;
          if (settled) {
            open.close();
            return;
          }
          securing = true;
          try {
            await open.startTLS(target.name);
          } finally {
            securing = false;
          }
          if (settled) return;
          const port = target.port === 443 ? "" : `:${target.port}`;
          open.send(encodeUtf8(`GET ${target.path} HTTP/1.1\r\nHost: ${target.name}${port}\r\nAccept-Encoding: identity\r\nConnection: close\r\n\r\n`));
        },
      )
      .catch((error: unknown) => finish(error as Error));
  });
}
