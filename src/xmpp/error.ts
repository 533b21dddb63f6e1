// The one error type of the protocol layers: an XMPP defined condition plus human text.

import type { Element } from "ltx";
import { NS } from "./namespaces.js";

export class XMPPError extends Error {
  // Names are fields, not assignments: on XS, Error.prototype is frozen once preloaded, and
  // assigning over an inherited frozen property throws (the "override mistake").
  override readonly name: string = "XMPPError";
  /** The defined condition, e.g. "not-authorized", "service-unavailable", "policy-violation". */
  readonly condition: string;
  /** The peer's or our own explanation, when there is one. */
  readonly text: string;
  /** An application-specific condition element, when the peer sent one. */
  readonly application: Element | undefined;

  constructor(condition: string, text = "", application?: Element) {
    super(text ? `${condition}: ${text}` : condition);
    this.condition = condition;
    this.text = text;
    this.application = application;
  }

  /** Reads `<stream:error/>`, `<failure/>` (SASL) or a stanza's `<error/>` into its parts. */
  static partsOf(element: Element, conditionNS: string): { condition: string; text: string; application?: Element } {
    let condition = "undefined-condition";
    let text = "";
    let application: Element | undefined;
    for (const child of element.children) {
      if (typeof child === "string") continue;
      if (child.name === "text") text = child.text();
      // SASL's conditions inherit the namespace of <failure/>; the others carry their own.
      else if (condition === "undefined-condition" && (child.attrs.xmlns === conditionNS || child.attrs.xmlns === undefined)) {
        condition = child.name;
      } else application = child;
    }
    return { condition, text, application };
  }
}

/** The server ended the stream with `<stream:error/>`, or we did because of what it sent. */
export class StreamError extends XMPPError {
  override readonly name: string = "StreamError";
  constructor(condition: string, text = "", application?: Element) {
    super(condition, text, application);
  }

  static fromElement(element: Element): StreamError {
    const { condition, text, application } = XMPPError.partsOf(element, NS.STREAMS);
    return new StreamError(condition, text, application);
  }
}

/** An iq, message or presence came back with `type="error"`. */
export class StanzaError extends XMPPError {
  override readonly name: string = "StanzaError";
  /** cancel, continue, modify, auth or wait. */
  readonly type: string;
  /** What an error reply carries beside <error/> (RFC 6120 §8.3.1 allows the request's payload):
   * XEP-0050 clients find the command's session in it. */
  readonly payload: Element | undefined;

  constructor(condition: string, text = "", type = "cancel", application?: Element, payload?: Element) {
    super(condition, text, application);
    this.type = type;
    this.payload = payload;
  }

  static fromElement(stanza: Element): StanzaError {
    const error = stanza.getChild("error");
    if (!error) return new StanzaError("undefined-condition", "error stanza without <error/>");
    const { condition, text, application } = XMPPError.partsOf(error, NS.STANZAS);
    return new StanzaError(condition, text, error.attrs.type ?? "cancel", application);
  }
}

/** The stream could not be set up safely: no STARTTLS, a failed TLS upgrade, an unusable feature set. */
export class NegotiationError extends XMPPError {
  override readonly name: string = "NegotiationError";
  constructor(condition: string, text: string) {
    super(condition, text);
  }
}

/** A request got no answer in time. */
export class TimeoutError extends XMPPError {
  override readonly name: string = "TimeoutError";
  constructor(text: string) {
    super("remote-server-timeout", text);
  }
}
