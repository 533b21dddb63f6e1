// iq in both directions: outgoing requests tracked by id with a timeout, incoming requests
// routed by their payload's name and namespace, anything unknown refused (RFC 6120 §8.4).

import { createElement as xml, type Element } from "ltx";
import type { Host, TimerHandle } from "../host.js";
import { StanzaError, TimeoutError, XMPPError } from "./error.js";
import { NS } from "./namespaces.js";

interface Pending {
  resolve(result: Element): void;
  reject(error: Error): void;
  timer: TimerHandle;
  to: string | undefined;
}

/** Answers an incoming get or set: returns the payload of the result (or nothing), or throws a StanzaError. */
export type IqHandler = (request: Element, payload: Element) => Element | undefined | Promise<Element | undefined>;

export class IqTracker {
  readonly #host: Host;
  readonly #send: (stanza: Element) => void;
  readonly #pending = new Map<string, Pending>();
  readonly #handlers = new Map<string, IqHandler>();
  /** Our bare JID and domain once bound: the addresses that answer for "no `to`". */
  ownAddresses: string[] = [];

  constructor(host: Host, send: (stanza: Element) => void) {
    this.#host = host;
    this.#send = send;
  }

  /** Sends an iq (which must carry an id) and resolves with the result stanza, or rejects with a StanzaError or TimeoutError. */
  request(iq: Element, timeoutMs: number): Promise<Element> {
    const id = iq.attrs.id;
    if (!id) throw new TypeError("an iq request needs an id");
    return new Promise((resolve, reject) => {
      const timer = this.#host.setTimeout(() => {
        this.#pending.delete(id);
        reject(new TimeoutError(`no answer to iq ${id} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#pending.set(id, { resolve, reject, timer, to: iq.attrs.to });
      this.#send(iq);
    });
  }

  /** Registers the handler for requests whose payload is `<name xmlns=namespace/>`. */
  handle(name: string, namespace: string, handler: IqHandler): void {
    this.#handlers.set(`${name} ${namespace}`, handler);
  }

  /** Takes one incoming iq: settles a pending request, or answers a get/set (then returns when the answer has been sent). */
  receive(iq: Element): Promise<void> | undefined {
    const type = iq.attrs.type;
    if (type === "result" || type === "error") {
      this.#settle(iq);
      return;
    }
    if (type !== "get" && type !== "set") {
      this.#answerError(iq, new StanzaError("bad-request", `iq type "${type ?? ""}" is not get, set, result or error`, "modify"));
      return;
    }
    const payloads = iq.getChildElements();
    if (payloads.length !== 1) {
      this.#answerError(iq, new StanzaError("bad-request", "an iq get or set carries exactly one payload", "modify"));
      return;
    }
    const payload = payloads[0]!;
    const handler = this.#handlers.get(`${payload.name} ${payload.attrs.xmlns ?? ""}`);
    if (!handler) {
      this.#answerError(iq, new StanzaError("service-unavailable", "", "cancel"));
      return;
    }
    return Promise.resolve()
      .then(() => handler(iq, payload))
      .then(
        (result) => this.#send(xml("iq", { type: "result", id: iq.attrs.id, to: iq.attrs.from }, result)),
        (error: unknown) => {
          const stanzaError = error instanceof StanzaError
            ? error
            : new StanzaError("internal-server-error", error instanceof Error ? error.message : String(error), "wait");
          this.#answerError(iq, stanzaError);
        },
      );
  }

  /** Fails every pending request: the stream they were sent on is gone. */
  cancelAll(reason: Error): void {
    for (const [id, pending] of this.#pending) {
      this.#host.clearTimeout(pending.timer);
      pending.reject(reason);
      this.#pending.delete(id);
    }
  }

  get pendingCount(): number {
    return this.#pending.size;
  }

  #settle(iq: Element): void {
    const id = iq.attrs.id;
    const pending = id === undefined ? undefined : this.#pending.get(id);
    // An answer must come from whom the request went to; a forged id from anyone else is ignored.
    if (!pending || !this.#answeredBy(pending.to, iq.attrs.from)) return;
    this.#pending.delete(id!);
    this.#host.clearTimeout(pending.timer);
    if (iq.attrs.type === "result") pending.resolve(iq);
    else pending.reject(StanzaError.fromElement(iq));
  }

  #answeredBy(to: string | undefined, from: string | undefined): boolean {
    // A request with no `to` went to our own account; the server answers it without `from`,
    // or from our bare JID or its domain (RFC 6120 §10.3.3).
    if (to === undefined) return from === undefined || this.ownAddresses.includes(from);
    return from === to || (from === undefined && this.ownAddresses.includes(to));
  }

  #answerError(iq: Element, error: StanzaError): void {
    this.#send(errorReply(iq, error));
  }
}

/** The error reply to a stanza (RFC 6120 §8.3): same kind, swapped address, the condition inside
 * (and the application's, if any), after the payload the error names (if any). */
export function errorReply(stanza: Element, error: XMPPError & { type?: string; payload?: Element | undefined }): Element {
  return xml(
    stanza.name,
    { type: "error", id: stanza.attrs.id, to: stanza.attrs.from },
    error.payload ?? null,
    xml(
      "error",
      { type: error.type ?? "cancel" },
      xml(error.condition, { xmlns: NS.STANZAS }),
      error.text ? xml("text", { xmlns: NS.STANZAS }, error.text) : null,
      error.application ?? null,
    ),
  );
}

