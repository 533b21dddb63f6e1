// One XML stream over a host connection: opens and restarts it, frames stanzas in and out,
// and turns stream errors (theirs and ours) into one close path.

import { escapeXML, type Element } from "ltx";
import type { Connection, Endpoint, Host, TimerHandle } from "../host.js";
import { StanzaStream, type StanzaLimits } from "../xml/stanza-stream.js";
import { encodeUtf8 } from "../xml/utf8.js";
import { StreamError, TimeoutError, XMPPError } from "./error.js";
import { NS } from "./namespaces.js";

interface Waiter {
  resolve(stanza: Element): void;
  reject(error: Error): void;
  timer: TimerHandle;
}

export interface XmppStreamOptions {
  host: Host;
  /** The domain the stream is addressed to (the JID's domain). */
  domain: string;
  limits?: Partial<StanzaLimits>;
  /** Every stanza after negotiation; before that, stanzas are read with `next()`. */
  onStanza?: (stanza: Element) => void;
  /** The stream is gone; `error` says why, unless we closed it ourselves. Called once. */
  onClose?: (error?: Error) => void;
}

export class XmppStream {
  readonly #host: Host;
  readonly #domain: string;
  readonly #reader: StanzaStream;
  #connection: Connection | undefined;
  #queue: Element[] = [];
  #waiter: Waiter | undefined;
  #header: Record<string, string> | undefined;
  #closed: Error | null | undefined; // undefined: open; null: closed by us; Error: failed
  onStanza: ((stanza: Element) => void) | undefined;
  onClose: ((error?: Error) => void) | undefined;

  constructor(options: XmppStreamOptions) {
    this.#host = options.host;
    this.#domain = options.domain;
    this.onStanza = options.onStanza;
    this.onClose = options.onClose;
    this.#reader = new StanzaStream(
      {
        onHeader: (attrs) => {
          this.#header = attrs;
        },
        onStanza: (stanza) => this.#receive(stanza),
        onEnd: () => this.#fail(new StreamError("connection-closed", "the server closed the stream")),
        onError: (error) => this.abort(error.condition, error.text),
      },
      options.limits,
    );
  }

  get secure(): boolean {
    return this.#connection?.secure ?? false;
  }

  /** The attributes of the server's current stream header (id, from, version), once received. */
  get header(): Record<string, string> | undefined {
    return this.#header;
  }

  async connect(endpoint: Endpoint): Promise<void> {
    this.#connection = await this.#host.connect(endpoint, {
      onData: (bytes) => {
        if (this.#closed === undefined) this.#reader.write(bytes);
      },
      onClose: (error) => {
        this.#connection = undefined;
        this.#fail(error ?? new StreamError("connection-closed", "the server closed the connection"));
      },
    });
  }

  /** Sends a new stream header and expects a new one back (at the start, and after TLS and SASL). */
  open(): void {
    this.#reader.reset();
    this.#header = undefined;
    this.#queue = [];
    this.#sendText(
      `<?xml version='1.0'?><stream:stream to='${escapeXML(this.#domain)}' version='1.0' xml:lang='en' ` +
        `xmlns='${NS.CLIENT}' xmlns:stream='${NS.STREAM}'>`,
    );
  }

  async startTLS(serverName: string): Promise<void> {
    if (!this.#connection) throw new StreamError("connection-closed", "no connection to secure");
    await this.#connection.startTLS(serverName);
  }

  send(stanza: Element): void {
    this.#sendText(stanza.toString());
  }

  /** The next stanza, for the sequential negotiation; rejects on timeout or when the stream fails. */
  next(timeoutMs: number, waitingFor: string): Promise<Element> {
    // What arrived before the stream ended is still read: a <failure/> explains the close after it.
    const queued = this.#queue.shift();
    if (queued) return Promise.resolve(queued);
    if (this.#closed !== undefined) return Promise.reject(this.#closed ?? new StreamError("connection-closed", "stream closed"));
    return new Promise((resolve, reject) => {
      const timer = this.#host.setTimeout(() => {
        this.#waiter = undefined;
        reject(new TimeoutError(`no answer from the server within ${timeoutMs} ms while waiting for ${waitingFor}`));
      }, timeoutMs);
      this.#waiter = { resolve, reject, timer };
    });
  }

  /** Ends the stream politely and closes the connection; safe to call twice. */
  close(): void {
    if (this.#closed !== undefined) return;
    if (this.#connection) {
      try {
        this.#sendText("</stream:stream>");
      } catch {
        // the connection is already failing; closing it is all that is left to do
      }
    }
    this.#finish(null);
  }

  /** Ends the stream because of what the server sent (RFC 6120 §4.9): tell it why, then close. */
  abort(condition: string, text: string): void {
    if (this.#closed !== undefined) return;
    try {
      this.#sendText(
        `<stream:error><${condition} xmlns='${NS.STREAMS}'/></stream:error></stream:stream>`,
      );
    } catch {
      // nothing more to tell a connection that is gone
    }
    this.#finish(new StreamError(condition, text));
  }

  #receive(stanza: Element): void {
    if (stanza.name === "stream:error") {
      this.#fail(StreamError.fromElement(stanza));
      return;
    }
    if (this.#waiter) {
      const waiter = this.#waiter;
      this.#waiter = undefined;
      this.#host.clearTimeout(waiter.timer);
      waiter.resolve(stanza);
    } else if (this.onStanza) {
      this.onStanza(stanza);
    } else {
      this.#queue.push(stanza);
    }
  }

  #fail(error: Error): void {
    if (this.#closed !== undefined) return;
    this.#finish(error);
  }

  #finish(error: Error | null): void {
    this.#closed = error;
    const connection = this.#connection;
    this.#connection = undefined;
    connection?.close();
    if (this.#waiter) {
      const waiter = this.#waiter;
      this.#waiter = undefined;
      this.#host.clearTimeout(waiter.timer);
      waiter.reject(error ?? new StreamError("connection-closed", "the stream was closed"));
    }
    this.onClose?.(error ?? undefined);
  }

  #sendText(text: string): void {
    if (!this.#connection) throw new XMPPError("connection-closed", "cannot send: the connection is closed");
    this.#connection.send(encodeUtf8(text));
  }
}
