// Reads one side of an XMPP stream: bytes in chunks split anywhere go in; the stream header,
// each top-level stanza as an ltx Element, and the stream's end come out, or one stream error.

import { Element } from "ltx";
import { StreamError } from "./stream-error.js";
import { createStreamParser, type StanzaLimits, type StreamParser } from "./stream-parser.js";

export type { StanzaLimits } from "./stream-parser.js";
export { StreamError, type ReaderCondition } from "./stream-error.js";

export const STREAMS_NS = "http://etherx.jabber.org/streams";

export const DEFAULT_LIMITS: Readonly<StanzaLimits> = Object.freeze({ maxStanzaBytes: 16384, maxDepth: 16 });

export interface StanzaStreamHandlers {
  /** The peer's stream header (`<stream:stream ...>`): its attributes, unescaped. */
  onHeader(attrs: Record<string, string>): void;
  /**
   * A complete top-level element. It carries the stream's default namespace as `xmlns` when it
   * declares none, and the header's declaration of any namespace prefix it uses (`xmlns:stream`
   * on `<stream:features/>`), so that it stands on its own: `el.attrs.xmlns`,
   * `el.is("features", STREAMS_NS)` and `toString()` work without the header. `xml:lang` is not
   * copied down: read it from the header.
   */
  onStanza(stanza: Element): void;
  /** The peer's `</stream:stream>` (or a self-closed header). */
  onEnd(): void;
  /** The first fault in what the peer sent; nothing more is read until `reset()`. */
  onError(error: StreamError): void;
}

/**
 * The stream reader. Refuses a DTD, a comment, a processing instruction or an entity other than
 * XML's five (`restricted-xml`, RFC 6120 §11.1), XML that is not well-formed or not UTF-8
 * (`not-well-formed`), a stanza over the byte or depth limit, or a header over the byte limit
 * (`policy-violation`), text between stanzas (`bad-format`), a first element that is not a
 * stream header (`invalid-namespace`, `bad-namespace-prefix`), and an XML declaration of an
 * encoding other than UTF-8 (`unsupported-encoding`). Its memory stays within the
 * limits whatever arrives. CDATA sections in stanzas are read as text, as XML defines them;
 * white space between stanzas (keepalives) is neither kept nor counted.
 *
 * Handlers are called from within `write()`. `reset()` may be called from a handler: the rest
 * of the bytes then belong to the new stream. A handler that throws ends the reading (the rest
 * of its chunk cannot be read) and its exception reaches the caller of `write()`.
 */
export class StanzaStream {
  readonly #handlers: StanzaStreamHandlers;
  readonly #parser: StreamParser;
  #header: Record<string, string> | undefined;
  #stanza: Element | undefined; // the top-level element being read
  #cursor: Element | undefined; // the innermost open element in it
  #done = false;

  /** Throws a RangeError at once when a limit is not a positive integer. */
  constructor(handlers: StanzaStreamHandlers, limits: Partial<StanzaLimits> = {}) {
    this.#handlers = handlers;
    const chosen: StanzaLimits = {
      maxStanzaBytes: limits.maxStanzaBytes ?? DEFAULT_LIMITS.maxStanzaBytes,
      maxDepth: limits.maxDepth ?? DEFAULT_LIMITS.maxDepth,
    };
    for (const [key, value] of Object.entries(chosen)) {
      if (!Number.isInteger(value) || value < 1) {
        throw new RangeError(`StanzaStream: ${key} must be a positive integer, got ${String(value)}`);
      }
    }
    this.#parser = createStreamParser(chosen, {
      startElement: (name, attrs) => this.#startElement(name, attrs),
      endElement: () => this.#endElement(),
      text: (text) => this.#cursor?.t(text),
      error: (error) => this.#fail(error),
    });
  }

  /** Reads the next bytes from the peer. Ignored after an error or a throwing handler, until `reset()`. */
  write(bytes: Uint8Array): void {
    if (this.#done) return;
    let finished = false;
    try {
      this.#parser.write(bytes);
      finished = true;
    } finally {
      if (!finished) this.stopReading();
    }
  }

  /** Expects a new stream from its start (after STARTTLS and after SASL success): a new header. */
  reset(): void {
    this.#parser.reset();
    this.#header = undefined;
    this.#stanza = undefined;
    this.#cursor = undefined;
    this.#done = false;
  }

  /** Ignores all further input until `reset()`, e.g. once the connection is being closed. */
  stopReading(): void {
    this.#done = true;
    this.#parser.stop();
  }

  #startElement(name: string, attrs: Record<string, string>): void {
    if (this.#header === undefined) {
      this.#startStream(name, attrs);
      return;
    }
    const parent = this.#cursor;
    // The parser's attrs object becomes the element's: copying it would cost, on XS, the
    // square of its size.
    const element = new Element(name);
    if (parent === undefined) {
      const xmlns = this.#header.xmlns;
      element.attrs = "xmlns" in attrs || xmlns === undefined ? attrs : { xmlns, ...attrs };
      this.#stanza = element;
    } else {
      element.attrs = attrs;
      parent.cnode(element);
    }
    this.#cursor = element;
    this.#checkPrefix(element, name, "element");
    for (const attribute of Object.keys(attrs)) {
      if (attribute !== "xmlns" && !attribute.startsWith("xmlns:")) this.#checkPrefix(element, attribute, "attribute");
    }
  }

  #startStream(name: string, attrs: Record<string, string>): void {
    this.#header = attrs;
    const colon = name.indexOf(":");
    const prefix = colon < 0 ? undefined : name.slice(0, colon);
    const namespace = prefix === undefined ? attrs.xmlns : attrs[`xmlns:${prefix}`];
    const where = `at byte ${this.#parser.offset}`;
    if (name.slice(colon + 1) !== "stream") {
      this.#fail(new StreamError("invalid-namespace", `the stream starts with <${name}>, not <stream:stream> ${where}`));
    } else if (namespace === undefined) {
      const what = prefix === undefined ? "no namespace" : `the undeclared prefix '${prefix}'`;
      this.#fail(new StreamError("bad-namespace-prefix", `the stream header <${name}> has ${what} ${where}`));
    } else if (namespace !== STREAMS_NS) {
      this.#fail(new StreamError("invalid-namespace", `the stream header is in namespace '${namespace}', not '${STREAMS_NS}' ${where}`));
    } else {
      this.#handlers.onHeader({ ...attrs });
    }
  }

  /** Namespace well-formedness: a prefix is declared in the stanza, or in the header (and then copied onto the stanza). */
  #checkPrefix(element: Element, name: string, what: string): void {
    const colon = name.indexOf(":");
    if (colon < 0 || this.#done) return;
    const prefix = name.slice(0, colon);
    if (prefix === "xml" || element.findNS(prefix) !== undefined) return;
    const declaration = `xmlns:${prefix}`;
    const namespace = this.#header?.[declaration];
    if (namespace !== undefined && this.#stanza !== undefined) {
      this.#stanza.attrs[declaration] = namespace;
      return;
    }
    this.#fail(new StreamError("not-well-formed", `the ${what} '${name}' uses the undeclared prefix '${prefix}' at byte ${this.#parser.offset}`));
  }

  #endElement(): void {
    const cursor = this.#cursor;
    if (cursor === undefined) {
      this.#handlers.onEnd();
    } else if (cursor === this.#stanza) {
      this.#stanza = undefined;
      this.#cursor = undefined;
      this.#handlers.onStanza(cursor);
    } else {
      this.#cursor = cursor.parent ?? undefined;
    }
  }

  #fail(error: StreamError): void {
    if (this.#done) return;
    this.stopReading();
    this.#handlers.onError(error);
  }
}
