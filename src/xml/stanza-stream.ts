// Reads one side of an XMPP stream: bytes in chunks split anywhere go in; the stream header,
// each top-level stanza as an ltx Element, and the stream's end come out, or one stream error.

import { Element } from "ltx";
import { withNamespace, type Attributes } from "./attributes.js";
import { StreamError } from "./stream-error.js";
import { createStreamParser, type StanzaLimits, type StreamParser } from "./stream-parser.js";

export type { StanzaLimits } from "./stream-parser.js";
export { StreamError, type ReaderCondition } from "./stream-error.js";

export const STREAMS_NS = "http://etherx.jabber.org/streams";
/** The namespaces Namespaces in XML 1.0 §3 reserves: bound to `xml` and `xmlns` only, never declared otherwise. */
export const XML_NS = "http://www.w3.org/XML/1998/namespace";
export const XMLNS_NS = "http://www.w3.org/2000/xmlns/";

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
  /**
   * Given, a stanza over the byte or depth limit does not end the stream: it is read to its end
   * without being kept (memory stays within the limits), then reported here, and reading goes
   * on. `stanza` is its top-level element with its attributes and no children, for an error
   * reply to its sender; undefined when its start tag itself was over the limit. `error` says
   * which limit (`policy-violation`). Not given, such a stanza ends the stream with that error.
   */
  onSkipped?(stanza: Element | undefined, error: StreamError): void;
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
  #skippedStanza: { top: Element | undefined; error: StreamError } | undefined;

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
      startElement: (name, attrs, prefixed) => this.#startElement(name, attrs, prefixed),
      endElement: () => this.#endElement(),
      text: (text) => this.#cursor?.t(text),
      error: (error) => this.#fail(error),
      skip: handlers.onSkipped && {
        skipping: (error) => this.#skipping(error),
        skipped: () => this.#skipped(),
      },
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

  /** Bytes of text and names held for the stanza being read: never more than the byte limit. */
  get bufferedBytes(): number {
    return this.#parser.buffered;
  }

  /** Expects a new stream from its start (after STARTTLS and after SASL success): a new header. */
  reset(): void {
    this.#parser.reset();
    this.#header = undefined;
    this.#stanza = undefined;
    this.#cursor = undefined;
    this.#skippedStanza = undefined;
    this.#done = false;
  }

  /** Ignores all further input until `reset()`, e.g. once the connection is being closed. */
  stopReading(): void {
    this.#done = true;
    this.#parser.stop();
  }

  #startElement(name: string, attrs: Attributes, prefixed: boolean): void {
    if (this.#header === undefined) {
      this.#startStream(name, attrs, prefixed);
      return;
    }
    const parent = this.#cursor;
    // The parser's attrs object becomes the element's: no copy unless the namespace is added.
    const element = new Element(name);
    if (parent === undefined) {
      const xmlns = this.#header.xmlns;
      element.attrs = attrs.xmlns !== undefined || xmlns === undefined ? attrs : withNamespace(xmlns, attrs);
      this.#stanza = element;
    } else {
      element.attrs = attrs;
      parent.cnode(element);
    }
    this.#cursor = element;
    const declared = attrs.xmlns;
    if (declared === XML_NS || declared === XMLNS_NS) {
      this.#failNamespace(`the default namespace declared as '${declared}', which is reserved`);
    } else if (prefixed && this.#checkDeclarations(attrs)) {
      this.#checkPrefixes(element, name, attrs);
    }
  }

  #startStream(name: string, attrs: Attributes, prefixed: boolean): void {
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
    } else if (attrs.xmlns === XML_NS || attrs.xmlns === XMLNS_NS) {
      this.#failNamespace(`the default namespace declared as '${attrs.xmlns}', which is reserved`);
    } else if (!prefixed || (this.#checkDeclarations(attrs) && this.#checkPrefixes(undefined, name, attrs))) {
      this.#handlers.onHeader({ ...attrs });
    }
  }

  /** Namespaces in XML 1.0 §3: the reserved prefixes and namespaces, and no undeclaring of a prefix. */
  #checkDeclarations(attrs: Attributes): boolean {
    for (const attribute of Object.keys(attrs)) {
      if (!attribute.startsWith("xmlns:")) continue;
      const prefix = attribute.slice(6);
      const value = attrs[attribute];
      let fault: string | undefined;
      if (prefix === "xmlns") fault = "the prefix 'xmlns' declared (xmlns:xmlns), which is reserved";
      else if (prefix === "xml") {
        if (value !== XML_NS) fault = `the prefix 'xml' bound to '${value}' (it stands for '${XML_NS}' only)`;
      } else if (value === XML_NS || value === XMLNS_NS) fault = `the prefix '${prefix}' bound to '${value}', which is reserved`;
      else if (value === "") fault = `the prefix '${prefix}' undeclared (xmlns:${prefix}=''), which XML 1.0 does not allow`;
      if (fault !== undefined) {
        this.#failNamespace(fault);
        return false;
      }
    }
    return true;
  }

  /**
   * Every prefix used is declared in the element, its ancestors or the header (whose declaration
   * is then copied onto the stanza), and no two attributes are one name in one namespace.
   */
  #checkPrefixes(element: Element | undefined, name: string, attrs: Attributes): boolean {
    const colon = name.indexOf(":");
    if (colon >= 0) {
      const prefix = name.slice(0, colon);
      if (prefix === "xmlns") {
        this.#failNamespace(`the element '${name}' has the prefix 'xmlns', which only declarations have`);
        return false;
      }
      if (this.#resolve(element, prefix, attrs) === undefined) {
        this.#failNamespace(`the element '${name}' uses the undeclared prefix '${prefix}'`);
        return false;
      }
    }
    let seen: Map<string, string> | undefined; // "namespace local" to the attribute's written name
    for (const attribute of Object.keys(attrs)) {
      const at = attribute.indexOf(":");
      if (at < 0) continue;
      const prefix = attribute.slice(0, at);
      if (prefix === "xmlns") continue;
      const namespace = this.#resolve(element, prefix, attrs);
      if (namespace === undefined) {
        this.#failNamespace(`the attribute '${attribute}' uses the undeclared prefix '${prefix}'`);
        return false;
      }
      const key = `${namespace} ${attribute.slice(at + 1)}`;
      seen ??= new Map();
      const twin = seen.get(key);
      if (twin !== undefined) {
        this.#failNamespace(`the attribute '${attribute.slice(at + 1)}' of namespace '${namespace}' twice in <${name}> (as '${twin}' and '${attribute}')`);
        return false;
      }
      seen.set(key, attribute);
    }
    return true;
  }

  /** The namespace a prefix stands for at `element` (the header when undefined), or undefined. */
  #resolve(element: Element | undefined, prefix: string, attrs: Attributes): string | undefined {
    if (prefix === "xml") return XML_NS;
    const declaration = `xmlns:${prefix}`;
    if (element === undefined) return attrs[declaration];
    const found = element.findNS(prefix);
    if (found !== undefined) return found;
    const namespace = this.#header?.[declaration];
    if (namespace !== undefined && this.#stanza !== undefined) this.#stanza.attrs[declaration] = namespace;
    return namespace;
  }

  #failNamespace(what: string): void {
    this.#fail(new StreamError("not-well-formed", `${what} at byte ${this.#parser.offset}`));
  }

  #skipping(error: StreamError): void {
    const stanza = this.#stanza;
    // Only the start tag is kept: what the stanza held so far is let go at once.
    let top: Element | undefined;
    if (stanza) {
      top = new Element(stanza.name);
      top.attrs = stanza.attrs;
    }
    this.#skippedStanza = { top, error };
    this.#stanza = undefined;
    this.#cursor = undefined;
  }

  #skipped(): void {
    const skipped = this.#skippedStanza;
    this.#skippedStanza = undefined;
    if (skipped) this.#handlers.onSkipped?.(skipped.top, skipped.error);
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
