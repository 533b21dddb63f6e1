// One XML stream over a host connection: opens and restarts it, frames stanzas in and out
// (stanzas sent while the stream is held leave together in one write), and turns stream errors
// (theirs and ours) into one close path.

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

// What one incoming stanza produces (a reply and its receipt, a presence update) leaves in one
// write, so in one TCP segment and one TLS record: sent as separate writes, the second waits
// behind the first for the peer's delayed ACK wherever Nagle is on (40 ms and more on Linux).
// A held stanza still leaves within HOLD_LIMIT_MS, so a slow handler cannot stall the others,
// and a hold's text is written once it reaches HOLD_LIMIT_CHARS, so memory stays bounded.
const HOLD_LIMIT_MS = 20;
const HOLD_LIMIT_CHARS = 4096;

export interface XmppStreamOptions {
  host: Host;
  /** The domain the stream is addressed to (the JID's domain). */
  domain: string;
  /**
   * The account's bare JID, sent as the header's `from` once the connection is encrypted
   * (RFC 6120 §4.7.1; never in the clear): a server offers FAST tokens for the account named there.
   */
  from?: string;
  limits?: Partial<StanzaLimits>;
  /** Every stanza after negotiation; before that, stanzas are read with `next()`. */
  onStanza?: (stanza: Element) => void;
  /** The stream is gone; `error` says why, unless we closed it ourselves. Called once. */
  onClose?: (error?: Error) => void;
  /** A stanza over the size or depth limit, skipped (see StanzaStreamHandlers.onSkipped); the stream stays up. */
  onSkipped?: (stanza: Element | undefined, error: XMPPError) => void;
  /** Every element written with `send`, after it was written (stream management counts them). */
  onSent?: (element: Element) => void;
}

export class XmppStream {
  readonly #host: Host;
  readonly #domain: string;
  readonly #from: string | undefined;
  readonly #reader: StanzaStream;
  #connection: Connection | undefined;
  #queue: Element[] = [];
  #waiter: Waiter | undefined;
  #header: Record<string, string> | undefined;
  #closed: Error | null | undefined; // undefined: open; null: closed by us; Error: failed
  #holds = 0;
  #held: string[] = [];
  #heldChars = 0;
  #heldTimer: TimerHandle | undefined;
  /** What `sendLast` keeps for the end of the held write. */
  #last: string | undefined;
  /** A flush waits for the host's `defer`. */
  #deferred = false;
  #heardAt = -Infinity;
  onStanza: ((stanza: Element) => void) | undefined;
  onClose: ((error?: Error) => void) | undefined;
  onSkipped: ((stanza: Element | undefined, error: XMPPError) => void) | undefined;
  onSent: ((element: Element) => void) | undefined;

  constructor(options: XmppStreamOptions) {
    this.#host = options.host;
    this.#domain = options.domain;
    this.#from = options.from;
    this.onStanza = options.onStanza;
    this.onClose = options.onClose;
    this.onSkipped = options.onSkipped;
    this.onSent = options.onSent;
    this.#reader = new StanzaStream(
      {
        onHeader: (attrs) => {
          this.#header = attrs;
        },
        onStanza: (stanza) => this.#receive(stanza),
        onEnd: () => this.#fail(new StreamError("connection-closed", "the server closed the stream")),
        onError: (error) => this.abort(error.condition, error.text),
        // Oversized input is its sender's problem, not the link's: the stream stays up.
        onSkipped: (stanza, error) => this.onSkipped?.(stanza, new XMPPError(error.condition, error.text)),
      },
      options.limits,
    );
  }

  get secure(): boolean {
    return this.#connection?.secure ?? false;
  }

  /** The TLS handshake resumed an earlier session (see Connection.resumed). */
  get tlsResumed(): boolean {
    return this.#connection?.resumed ?? false;
  }

  /** The TLS handshake offered an earlier session that the server did not resume (see Connection.resumeRefused). */
  get tlsResumeRefused(): boolean {
    return this.#connection?.resumeRefused ?? false;
  }

  /** The attributes of the server's current stream header (id, from, version), once received. */
  get header(): Record<string, string> | undefined {
    return this.#header;
  }

  /** When bytes last came from the server (host clock): any traffic proves the link alive. */
  get heardAt(): number {
    return this.#heardAt;
  }

  /** Opens the connection; rejects with a TimeoutError after `timeoutMs` (a late connection is closed). */
  connect(endpoint: Endpoint, timeoutMs = Infinity): Promise<void> {
    const opening = this.#host.connect(endpoint, {
      onData: (bytes) => {
        this.#heardAt = this.#host.now();
        if (this.#closed === undefined) this.#reader.write(bytes);
      },
      onClose: (error) => {
        this.#connection = undefined;
        this.#fail(error ?? new StreamError("connection-closed", "the server closed the connection"));
      },
    });
    return new Promise<void>((resolve, reject) => {
      let late = false;
      const timer = Number.isFinite(timeoutMs)
        ? this.#host.setTimeout(() => {
            late = true;
            reject(new TimeoutError(`no TCP connection to ${endpoint.host}:${endpoint.port} within ${timeoutMs} ms`));
          }, timeoutMs)
        : undefined;
      opening.then(
        (connection) => {
          if (timer !== undefined) this.#host.clearTimeout(timer);
          if (late || this.#closed !== undefined) {
            connection.close();
            return;
          }
          this.#connection = connection;
          this.#heardAt = this.#host.now();
          resolve();
        },
        (error: unknown) => {
          if (timer !== undefined) this.#host.clearTimeout(timer);
          reject(error);
        },
      );
    });
  }

  /**
   * Sends a new stream header and expects a new one back (at the start, and after TLS and SASL);
   * `pipelined` elements leave in the same write, before the server's features are read (what
   * the next step sends whatever they say), so they cost no round trip of their own.
   */
  open(...pipelined: Element[]): void {
    this.#reader.reset();
    this.#header = undefined;
    this.#queue = [];
    const from = this.secure && this.#from !== undefined ? ` from='${escapeXML(this.#from)}'` : "";
    this.#sendText(
      `<?xml version='1.0'?><stream:stream to='${escapeXML(this.#domain)}'${from} version='1.0' xml:lang='en' ` +
        `xmlns='${NS.CLIENT}' xmlns:stream='${NS.STREAM}'>` +
        pipelined.map((element) => element.toString()).join(""),
    );
    for (const element of pipelined) this.onSent?.(element);
  }

  /** Hands every stanza from now on to `onStanza`, first those that arrived since the last `next()` (answers to pipelined requests). */
  listen(onStanza: (stanza: Element) => void): void {
    this.onStanza = onStanza;
    for (let stanza = this.#queue.shift(); stanza !== undefined && this.onStanza === onStanza; stanza = this.#queue.shift()) onStanza(stanza);
  }

  async startTLS(serverName: string): Promise<void> {
    if (!this.#connection) throw new StreamError("connection-closed", "the connection was closed before TLS started");
    await this.#connection.startTLS(serverName);
  }

  send(stanza: Element): void {
    const text = stanza.toString();
    if (this.#holds === 0) {
      this.#sendText(text);
    } else {
      if (!this.#connection) throw new XMPPError("connection-closed", "cannot send: the connection is closed");
      this.#held.push(text);
      this.#heldChars += text.length;
      if (this.#heldChars >= HOLD_LIMIT_CHARS) this.#flush();
      else this.#heldTimer ??= this.#host.setTimeout(() => this.#flush(), HOLD_LIMIT_MS);
    }
    this.onSent?.(stanza);
  }

  /**
   * Sends `element` at the end of the write that carries what is held (an ack request after the
   * stanzas of one answer: the server answers the request only after it has routed them), or at
   * once when nothing is held. One is kept: a second before that write replaces the first.
   */
  sendLast(element: Element): void {
    if (this.#holds === 0) {
      this.send(element);
      return;
    }
    if (!this.#connection) throw new XMPPError("connection-closed", "cannot send: the connection is closed");
    this.#last = element.toString();
    this.#heldTimer ??= this.#host.setTimeout(() => this.#flush(), HOLD_LIMIT_MS);
    this.onSent?.(element);
  }

  /**
   * Holds what is sent from now until the returned release is called (once is enough; more
   * calls do nothing); when the last hold is released, everything held leaves in one write,
   * in the order it was sent. A release while other holds remain (a command answered while the
   * next ones are still being carried out) writes what is held on the next turn, once the
   * promise jobs of that answer (its receipt) have run, instead of leaving it behind the others
   * for up to HOLD_LIMIT_MS.
   */
  hold(): () => void {
    this.#holds += 1;
    let held = true;
    return () => {
      if (!held) return;
      held = false;
      this.#holds -= 1;
      if (this.#holds === 0) this.#flush();
      else if (this.#held.length > 0 || this.#last !== undefined) this.#flushNextTurn();
    };
  }

  /**
   * Hands the stanzas that arrived after the negotiation's last one but before `onStanza` was set
   * to it, in order: a server that resumes a session sends what it held right behind <resumed/>,
   * often in the same packet. Call once `onStanza` is set.
   */
  deliverQueued(): void {
    while (this.onStanza && this.#queue.length > 0 && this.#closed === undefined) this.onStanza(this.#queue.shift()!);
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
    if (this.#heldTimer !== undefined) this.#host.clearTimeout(this.#heldTimer);
    this.#heldTimer = undefined;
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

  /**
   * Writes what is held once this turn's promise jobs are done (an answer's receipt follows it in
   * one): on the host's `defer` where it has one (Node's 0 ms timer waits 1 ms, a millisecond added
   * to every answer while other commands are in flight), else on a 0 ms timer.
   */
  #flushNextTurn(): void {
    if (this.#host.defer) {
      if (this.#deferred) return;
      this.#deferred = true;
      this.#host.defer(() => {
        this.#deferred = false;
        this.#flush();
      });
      return;
    }
    if (this.#heldTimer !== undefined) this.#host.clearTimeout(this.#heldTimer);
    this.#heldTimer = this.#host.setTimeout(() => this.#flush(), 0);
  }

  /** Writes what is held; a write that fails ends the stream (the connection is broken). */
  #flush(): void {
    if (this.#heldTimer !== undefined) this.#host.clearTimeout(this.#heldTimer);
    this.#heldTimer = undefined;
    if ((this.#held.length === 0 && this.#last === undefined) || this.#closed !== undefined) return;
    try {
      this.#sendText("");
    } catch (error) {
      this.#fail(error instanceof XMPPError ? error : new XMPPError("connection-closed", `cannot send: ${(error as Error).message}`));
    }
  }

  /**
   * Writes `text` after whatever is held, in one write. What is held is taken before the write: a
   * connection that answers within it (a scripted one) may make us send again, and that must not
   * repeat it. A write that throws ends the stream, so nothing is lost that could still be sent.
   */
  #sendText(text: string): void {
    if (!this.#connection) throw new XMPPError("connection-closed", "cannot send: the connection is closed");
    if (this.#held.length > 0) {
      text = this.#held.join("") + text;
      this.#held = [];
      this.#heldChars = 0;
    }
    if (this.#last !== undefined) {
      text += this.#last;
      this.#last = undefined;
    }
    this.#connection.send(encodeUtf8(text));
  }
}
