// XEP-0198 stream management: counts the stanzas each side handled, keeps what the server has
// not acknowledged yet (bounded), and holds the state that lets a dropped stream be resumed
// within the server's window, so that nothing sent or received is lost or repeated.

import { createElement as xml, type Element } from "ltx";
import type { Host } from "../host.js";
import { NegotiationError, XMPPError } from "./error.js";
import type { Jid } from "./jid.js";
import type { XmppStream } from "./stream.js";

export const SM_NS = "urn:xmpp:sm:3";

/** Counters are unsigned 32-bit and wrap (XEP-0198 §4). */
const WRAP = 2 ** 32;

/**
 * What resuming a session needs, for whoever resumes it (the stream's own `<resume/>` here;
 * SASL2's inline resumption the same way): the server's id for the session, where it would like
 * us to reconnect, the handled counts of both sides and the stanzas it has not acknowledged.
 */
export interface ResumptionState {
  readonly id: string;
  /** The server's preferred reconnection address, when it gave one (`location`). */
  readonly location: string | undefined;
  /** The full JID the session was bound to: a resumed stream keeps it. */
  readonly jid: Jid;
  /** Stanzas received from the server and handled: the `h` of our `<resume/>` or `<a/>`. */
  readonly inbound: number;
  /** Our stanzas the server has acknowledged so far. */
  readonly acknowledged: number;
  /** Sent (or to be sent) and not acknowledged, oldest first. */
  readonly unacked: readonly Element[];
}

export interface StreamManagementOptions {
  host: Pick<Host, "now">;
  /** Most stanzas kept for retransmission; beyond it the oldest are dropped (and reported). */
  maxUnacked?: number;
  /** Ask the server for an ack once this many stanzas are unacknowledged. */
  ackEvery?: number;
  /** The resumption window when the server names none (`max`), in ms. */
  defaultWindowMs?: number;
  /** Unacked stanzas were dropped because the queue was full: a resumption could lose them. */
  onOverflow?(dropped: Element): void;
}

function isStanza(element: Element): boolean {
  return element.name === "message" || element.name === "presence" || element.name === "iq";
}

/** The state of one stream-managed session, kept across the streams that resume it. */
export class StreamManagement {
  readonly #host: Pick<Host, "now">;
  readonly #maxUnacked: number;
  readonly #ackEvery: number;
  readonly #defaultWindowMs: number;
  readonly #onOverflow: ((dropped: Element) => void) | undefined;
  /** Counting on the current stream (after `<enabled/>` or `<resumed/>`). */
  #active = false;
  #id: string | undefined;
  #location: string | undefined;
  #jid: Jid | undefined;
  #windowMs = 0;
  #lostAt: number | undefined;
  #inbound = 0;
  #acknowledged = 0;
  #unacked: Element[] = [];
  /**
   * Sent, not acknowledged, and no longer kept (the queue was full): they come before `#unacked`
   * in the server's count, so an ack counts them first.
   */
  #dropped = 0;
  /** Produced while the stream was down: sent once it is resumed. */
  #held: Element[] = [];
  #ackRequested = false;
  /** `<enabled/>` (or `<resumed/>`) has arrived: inbound stanzas count. */
  #confirmed = true;

  constructor(options: StreamManagementOptions) {
    this.#host = options.host;
    this.#maxUnacked = options.maxUnacked ?? 64;
    this.#ackEvery = options.ackEvery ?? 8;
    this.#defaultWindowMs = options.defaultWindowMs ?? 60_000;
    this.#onOverflow = options.onOverflow;
    if (!(this.#maxUnacked >= 1) || !(this.#ackEvery >= 1)) throw new RangeError("stream management needs maxUnacked >= 1 and ackEvery >= 1");
  }

  /** Counting stanzas on the current stream. */
  get active(): boolean {
    return this.#active;
  }

  /** A lost session that the server should still hold: the next login tries `<resume/>` first. */
  get resumable(): boolean {
    if (this.#id === undefined || this.#jid === undefined || this.#active) return false;
    return this.#lostAt === undefined || this.#host.now() - this.#lostAt < this.#windowMs;
  }

  /** The state to resume with, while there is a session to resume. */
  get state(): ResumptionState | undefined {
    if (this.#id === undefined || this.#jid === undefined) return undefined;
    return {
      id: this.#id,
      location: this.#location,
      jid: this.#jid,
      inbound: this.#inbound,
      acknowledged: this.#acknowledged,
      unacked: [...this.#unacked, ...this.#held],
    };
  }

  get unackedCount(): number {
    return this.#unacked.length;
  }

  /** `<enable/>` asking for a resumable session. */
  enableRequest(): Element {
    return xml("enable", { xmlns: SM_NS, resume: "true" });
  }

  /** `<resume/>` for the session held; throws when there is none. */
  resumeRequest(): Element {
    const state = this.state;
    if (!state) throw new XMPPError("item-not-found", "no stream-managed session to resume");
    return xml("resume", { xmlns: SM_NS, previd: state.id, h: String(state.inbound) });
  }

  /**
   * `<enable/>` was sent on a fresh session bound to `jid`, and the client goes on without
   * waiting for the answer: what it sends from now on counts (the server counts from `<enable/>`),
   * and what it receives counts once `<enabled/>` has arrived (the server counts from there).
   */
  enabling(jid: Jid): void {
    this.#start(jid);
    this.#confirmed = false;
  }

  /** The server's `<enabled/>` for a fresh session bound to `jid`: counting starts from zero (or goes on from `enabling`). */
  enabled(element: Element, jid: Jid): void {
    const resumable = element.attrs.resume === "true" || element.attrs.resume === "1";
    if (!this.#active || this.#confirmed) this.#start(jid);
    this.#confirmed = true;
    this.#id = resumable ? element.attrs.id || undefined : undefined;
    this.#location = element.attrs.location || undefined;
    const max = Number(element.attrs.max);
    this.#windowMs = Number.isFinite(max) && max > 0 ? max * 1000 : this.#defaultWindowMs;
  }

  #start(jid: Jid): void {
    this.#id = this.#location = undefined;
    this.#jid = jid;
    this.#inbound = 0;
    this.#acknowledged = 0;
    this.#unacked = [];
    this.#dropped = 0;
    this.#ackRequested = false;
    this.#lostAt = undefined;
    this.#active = true;
  }

  /**
   * The server's `<resumed h/>`: counting goes on where it stopped. Returns, in order, the stanzas
   * to send now: those the server never got, then those produced while the stream was down.
   */
  resumed(element: Element): Element[] {
    this.#acknowledge(element.attrs.h);
    const resend = [...this.#unacked, ...this.#held];
    this.#unacked = [];
    // What was dropped and the server never got is lost (it was reported when dropped); the
    // server counts on from its h, the resent stanzas first.
    this.#dropped = 0;
    this.#held = [];
    this.#ackRequested = false;
    this.#lostAt = undefined;
    this.#active = true;
    this.#confirmed = true;
    return resend;
  }

  /**
   * The session cannot be resumed (`<failed/>`, or the window passed): it is forgotten, and the
   * messages the server may not have had are returned for the fresh session (presence and iq
   * answers belong to the old one).
   */
  failed(element?: Element): Element[] {
    if (element?.attrs.h !== undefined) this.#acknowledge(element.attrs.h);
    const messages = [...this.#unacked, ...this.#held].filter((stanza) => stanza.name === "message");
    this.reset();
    return messages;
  }

  /** Forgets the session and everything queued for it. */
  reset(): void {
    this.#active = false;
    this.#confirmed = true;
    this.#id = this.#jid = this.#location = this.#lostAt = undefined;
    this.#inbound = this.#acknowledged = this.#dropped = 0;
    this.#unacked = [];
    this.#held = [];
    this.#ackRequested = false;
  }

  /** The stream carrying the session is gone: the resumption window starts now. */
  lost(): void {
    if (!this.#active) return;
    this.#active = false;
    this.#lostAt = this.#host.now();
  }

  /** A stanza went out on the stream; true when it is time to ask for an ack. */
  sent(element: Element): boolean {
    if (!this.#active || !isStanza(element)) return false;
    this.#unacked.push(element);
    if (this.#unacked.length > this.#maxUnacked) {
      // Shifted first: `onOverflow?.(shift())` would not shift at all without a handler.
      const dropped = this.#unacked.shift()!;
      this.#dropped += 1;
      this.#onOverflow?.(dropped);
    }
    if (this.#ackRequested || this.#unacked.length < this.#ackEvery) return false;
    this.#ackRequested = true;
    return true;
  }

  /** Keeps a stanza produced while the stream is down, for the resumed stream; false when there is no session to keep it for. */
  hold(element: Element): boolean {
    if (this.#active || !this.resumable || !isStanza(element)) return false;
    this.#held.push(element);
    if (this.#unacked.length + this.#held.length > this.#maxUnacked) {
      const dropped = this.#held.shift()!;
      this.#onOverflow?.(dropped);
    }
    return true;
  }

  /** A stanza from the server was handled. */
  received(element: Element): void {
    if (this.#active && this.#confirmed && isStanza(element)) this.#inbound = (this.#inbound + 1) % WRAP;
  }

  /**
   * Takes an SM element that arrived on the stream: `<r/>` returns the `<a/>` to send, `<a/>` is
   * recorded, and the answer to an `<enable/>` not waited for is taken: `<enabled/>` makes the
   * session resumable, `<failed/>` ends counting (the stream goes on without it). Returns
   * undefined but for `<r/>`; throws a NegotiationError for a count we never sent.
   */
  receive(element: Element): Element | undefined {
    if (element.name === "r") return this.answer();
    if (element.name === "enabled" && this.#active && !this.#confirmed && this.#jid) this.enabled(element, this.#jid);
    if (element.name === "failed" && this.#active && !this.#confirmed) this.reset();
    if (element.name === "a") {
      this.#ackRequested = false;
      this.#acknowledge(element.attrs.h);
    }
    return undefined;
  }

  /** `<a h/>` with what we have handled. */
  answer(): Element {
    return xml("a", { xmlns: SM_NS, h: String(this.#inbound) });
  }

  /** `<r/>`, asking the server what it has handled. */
  request(): Element {
    this.#ackRequested = true;
    return xml("r", { xmlns: SM_NS });
  }

  #acknowledge(text: string | undefined): void {
    const h = Number(text);
    if (!Number.isInteger(h) || h < 0 || h >= WRAP) {
      throw new NegotiationError("undefined-condition", `the server acknowledged h="${text ?? ""}", which is not a stanza count`);
    }
    const newly = (h - this.#acknowledged + WRAP) % WRAP;
    if (newly > this.#dropped + this.#unacked.length) {
      throw new NegotiationError(
        "undefined-condition",
        `the server acknowledged ${h} stanzas, but only ${(this.#acknowledged + this.#dropped + this.#unacked.length) % WRAP} were sent`,
      );
    }
    const dropped = Math.min(newly, this.#dropped);
    this.#dropped -= dropped;
    this.#unacked.splice(0, newly - dropped);
    this.#acknowledged = h;
  }
}

/** Enables stream management on a freshly bound stream; false when the server refuses it. */
export async function enableStreamManagement(stream: XmppStream, sm: StreamManagement, jid: Jid, timeoutMs: number): Promise<boolean> {
  stream.send(sm.enableRequest());
  const answer = await stream.next(timeoutMs, "the answer to <enable/> (stream management)");
  if (answer.is("enabled", SM_NS)) {
    sm.enabled(answer, jid);
    return true;
  }
  if (answer.is("failed", SM_NS)) return false;
  throw new NegotiationError("unsupported-stanza-type", `expected <enabled/> or <failed/>, got <${answer.name}/>`);
}

/**
 * What the server said to `<resume/>`: the stanzas to send again once resumed, or, when it
 * refused, why (the session is then forgotten; its messages are in `unsent` for a fresh session).
 */
export type Resumption = { resumed: true; resend: Element[] } | { resumed: false; unsent: Element[]; reason: string };

/** Reads the answer to a `<resume/>` sent after authentication (pipelined with the stream header), in place of binding. */
export async function readResumption(stream: XmppStream, sm: StreamManagement, timeoutMs: number): Promise<Resumption> {
  const answer = await stream.next(timeoutMs, "the answer to <resume/> (stream management)");
  if (answer.is("resumed", SM_NS)) return { resumed: true, resend: sm.resumed(answer) };
  if (answer.is("failed", SM_NS)) {
    const { condition, text } = XMPPError.partsOf(answer, "urn:ietf:params:xml:ns:xmpp-stanzas");
    return { resumed: false, unsent: sm.failed(answer), reason: text ? `${condition}: ${text}` : condition };
  }
  throw new NegotiationError("unsupported-stanza-type", `expected <resumed/> or <failed/>, got <${answer.name}/>`);
}
