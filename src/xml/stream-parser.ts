// Parses the bytes of an XMPP stream as XML 1.0 under the restrictions of RFC 6120 §11: refuses
// what is not UTF-8, not well-formed or restricted, measures each stanza against the limits, and
// reports start tags, end tags and text. It works on bytes, never indexing into long strings
// (on XS, string indexing costs the index: ltx's parser goes quadratic there), so its time is
// linear in its input and its memory bounded by one stanza.

import { setAttribute, type Attributes } from "./attributes.js";
import { StreamError, type ReaderCondition } from "./stream-error.js";
import { TokenBuffer, shortAsciiText } from "./token-buffer.js";
import { INCOMPLETE, explainInvalid, readSequence } from "./utf8.js";
import { isNameChar, isNameStartChar, isXmlChar, isXmlSpace } from "./xml-chars.js";

export interface StanzaLimits {
  /** Most bytes from a stanza's `<` to its closing `>`; also bounds the stream header. */
  maxStanzaBytes: number;
  /** Deepest nesting of elements within a stanza, the stanza itself being depth 1. */
  maxDepth: number;
}

export interface ParserSink {
  /**
   * A start tag: its qualified name and its attributes, unescaped and with white space
   * normalised (XML §3.3.3). An empty-element tag is followed by its `endElement` at once.
   * `prefixed`: some name in the tag (the element's or an attribute's) has a colon, so that
   * namespace prefixes need checking; without one, only `xmlns` can declare anything.
   */
  startElement(name: string, attrs: Attributes, prefixed: boolean): void;
  /** An end tag; the parser has checked that it matches its start tag. */
  endElement(name: string): void;
  /**
   * The character data before a tag, inside a stanza (none is reported between stanzas):
   * references resolved, CDATA sections included, line ends normalised (XML §2.11).
   */
  text(text: string): void;
  /** The first fault found; the parser reads nothing more until `reset()`. */
  error(error: StreamError): void;
  /**
   * Present: a stanza that passes a limit is skipped rather than ending the stream. `skipping`
   * comes at the byte that passed it (nothing more of the stanza is reported or kept; it is
   * still read as XML, and a fault in it still ends the stream), `skipped` at its end.
   */
  skip?: { skipping(error: StreamError): void; skipped(): void };
}

// Parser states.
const PROLOG = 0; // before the stream header
const EPILOG = 1; // after the stream's end tag
const BETWEEN = 2; // inside the stream, between stanzas: white space only
const TEXT = 3; // inside a stanza
const LT = 4; // just after '<'
const DECL = 5; // inside the XML declaration
const BANG = 6; // after '<!': the rest of "[CDATA["
const CDATA = 7;
const START_NAME = 8;
const TAG_SPACE = 9; // in a start tag, after white space
const AFTER_VALUE = 10; // in a start tag, right after an attribute value
const ATTR_NAME = 11;
const ATTR_NAME_END = 12; // after an attribute name, before '='
const ATTR_EQ = 13; // after '=', before the quote
const ATTR_VALUE = 14;
const EMPTY_END = 15; // after '/' in a start tag
const END_NAME_START = 16; // after '</'
const END_NAME = 17;
const END_SPACE = 18;
const REFERENCE = 19; // after '&'

// Where a reference is, after '&'.
const REF_START = 0;
const REF_HASH = 1; // after '&#'
const REF_DECIMAL = 2;
const REF_HEX_START = 3; // after '&#x'
const REF_HEX = 4;
const REF_NAME = 5;

// The states plainRun() has a fast path for.
const HAS_PLAIN_RUNS: readonly boolean[] = [PROLOG, EPILOG, BETWEEN, TEXT, CDATA, START_NAME, ATTR_NAME, ATTR_VALUE, END_NAME].reduce(
  (table, s) => {
    table[s] = true;
    return table;
  },
  new Array<boolean>(REFERENCE + 1).fill(false),
);

const PREDEFINED_ENTITIES: Readonly<Record<string, number>> = Object.freeze({ amp: 0x26, lt: 0x3c, gt: 0x3e, quot: 0x22, apos: 0x27 });
const CDATA_OPENING = "[CDATA[";
// While a stanza is skipped, the most bytes of one name (or value) kept: enough to match end tags.
const SKIPPED_TOKEN_BYTES = 256;
const XML_DECLARATION = () =>
  /^xml[ \t\r\n]+version[ \t\r\n]*=[ \t\r\n]*(["'])1\.[0-9]+\1(?:[ \t\r\n]+encoding[ \t\r\n]*=[ \t\r\n]*(["'])([A-Za-z][A-Za-z0-9._-]*)\2)?(?:[ \t\r\n]+standalone[ \t\r\n]*=[ \t\r\n]*(["'])(?:yes|no)\4)?[ \t\r\n]*\?$/;
/** A table of the 256 byte values: 1 for printable ASCII (0x20-0x7e) but `excluded`, else 0. */
function printableAsciiBut(...excluded: number[]): Uint8Array {
  const table = new Uint8Array(256);
  for (let c = 0x20; c <= 0x7e; c++) if (!excluded.includes(c)) table[c] = 1;
  return table;
}
/**
 * The bytes an attribute value's fast path takes as they are: printable ASCII but '<' and '&' (a
 * tab or line end is normalised, '&' resolved, '<' refused by the long way). One lookup costs XS
 * fewer bytecodes than the four comparisons it replaces, on most bytes of a start tag.
 */
const PLAIN_VALUE_BYTE = printableAsciiBut(0x3c, 0x26);
/** The bytes a run of text takes as they are: printable ASCII but '<', '&', '>' and ']'. */
const PLAIN_TEXT_BYTE = printableAsciiBut(0x3c, 0x26, 0x3e, 0x5d);
/** The ASCII bytes of `asciiName`: NAME_START may begin a name (letters, '_'), NAME_MORE only follow (digits, '-', '.'). */
const NAME_START = 1;
const NAME_MORE = 2;
const ASCII_NAME_BYTE = (() => {
  const table = new Uint8Array(256);
  for (let c = 0x41; c <= 0x5a; c++) table[c] = table[c + 0x20] = NAME_START;
  table[0x5f] = NAME_START;
  for (const c of [0x2d, 0x2e, 0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39]) table[c] = NAME_MORE;
  return table;
})();
const hasOwn = (object: object, key: string): boolean => Object.prototype.hasOwnProperty.call(object, key);

/**
 * A parser for one side of a stream. Its state lives in closure variables, not in the #private
 * fields of a class: XS finds private fields by a linear search, and this runs for every byte.
 */
export interface StreamParser {
  /** Bytes read since the stream (re)started. */
  readonly offset: number;
  /** Bytes of text and tokens held for the element being read (at most the stanza limit). */
  readonly buffered: number;
  /** Reads the next bytes of the stream, however they are split. */
  write(chunk: Uint8Array): void;
  /** Starts over for a new stream (after STARTTLS or SASL); callable from within the sink. */
  reset(): void;
  /** Reads nothing more until `reset()`. */
  stop(): void;
}

export function createStreamParser(limits: StanzaLimits, sink: ParserSink): StreamParser {
  let state = PROLOG;
  let offset = 0; // where the character being read starts, in bytes since the stream (re)started
  let measureFrom = -1; // offset of the '<' of the stanza or header being measured, or -1
  let runStart = -1; // where in the current chunk the bytes being gathered into a buffer start, or -1
  let runToText = false; // whether they go to `text` (else to `token`)
  let stopped = false;
  let restarted = false;
  let atStart = true; // nothing read yet: the only place an XML declaration may be
  let depth = 0; // open elements, the stream's root included
  let brackets = 0; // consecutive ']' just read, in text ("]]>" is forbidden) and in CDATA (its end)
  let cr = false; // the previous character was a CR: a LF right after it is dropped
  let quote = 0;
  // Namespaces allow one colon in a name, neither first nor last, and a NameStartChar after it.
  let colon = false;
  let afterColon = false;
  let prefixed = false; // a name in the current start tag has a colon
  let nameColon = false; // the name asciiName() read has a colon
  // Skipping a stanza over a limit: it is read to its end, its content neither kept nor reported;
  // elements opened meanwhile are counted in `depth` but not pushed on `open`.
  let skipping = false;
  let tokenOverflow = false; // while skipping: the token passed SKIPPED_TOKEN_BYTES and was dropped

  const text = new TokenBuffer(); // character data since the last tag
  const token = new TokenBuffer(); // a name, an attribute value or the XML declaration
  let name = "";
  let attrs: Attributes = {};
  const attrNames = new Set<string>(); // for duplicates: on XS, a Set is hashed and an object searched
  let attrName = "";
  let open: string[] = []; // names of the open elements, for matching end tags
  let carry: Uint8Array | undefined; // the start of a character split across chunks
  let reading = false;
  let ltAtStart = false;
  let bang = 0; // characters of "[CDATA[" matched
  let declMatched = 0; // characters of "xml " matched after '<?'
  let declQuestion = false;
  let referenceIn = TEXT;
  let reference = REF_START;
  let referenceValue = 0;
  let referenceName = ""; // only its first characters: enough to tell the predefined entities

  /** Reads the next bytes of the stream, however they are split. */
  function write(chunk: Uint8Array): void {
    if (stopped) return;
    let bytes = chunk;
    if (carry) {
      bytes = new Uint8Array(carry.length + chunk.length);
      bytes.set(carry);
      bytes.set(chunk, carry.length);
      carry = undefined;
    }
    reading = true;
    try {
      read(bytes);
    } finally {
      reading = false;
    }
  }

  /** Starts over for a new stream (after STARTTLS or SASL); callable from within the sink. */
  function reset(): void {
    state = PROLOG;
    offset = 0;
    measureFrom = -1;
    runStart = -1;
    stopped = false;
    // From within the sink, the bytes after the current character belong to the new stream.
    restarted = reading;
    atStart = true;
    depth = 0;
    brackets = 0;
    cr = false;
    text.clear();
    token.clear();
    skipping = false;
    attrs = {};
    open = [];
    carry = undefined;
  }

  /** Reads nothing more until `reset()`. */
  function stop(): void {
    stopped = true;
  }

  function read(bytes: Uint8Array): void {
    const limit = limits.maxStanzaBytes;
    let i = 0;
    while (i < bytes.length) {
      if (stopped) return;
      if (bytes[i] === 0x3c /* < */ && (state === TEXT || state === BETWEEN)) {
        const next = wholeTag(bytes, i);
        if (next > 0) {
          i = next;
          continue;
        }
      } else if (HAS_PLAIN_RUNS[state]) {
        const run = plainRun(bytes, i, limit);
        if (run > 0) {
          offset += run;
          atStart = false;
          i += run;
          continue;
        }
      }
      let c = bytes[i];
      let width = 1;
      if (c >= 0x80) {
        const sequence = readSequence(bytes, i);
        if (sequence === INCOMPLETE) {
          carry = bytes.slice(i); // the rest of the character comes with the next chunk
          break;
        }
        if (sequence < 0) {
          const { reason, at } = explainInvalid(bytes, i);
          fail("not-well-formed", `bytes that are not UTF-8 (${reason})`, offset + at - i);
          return;
        }
        c = sequence >> 3;
        width = sequence & 7;
      }
      if (c < 0x20 ? c !== 0x0a && c !== 0x0d && c !== 0x09 : c >= 0xd800 && !isXmlChar(c)) {
        fail("not-well-formed", `a character XML does not allow (${show(c)})`);
        return;
      }
      if (measureFrom >= 0 && offset + width - measureFrom > limit) {
        const what = `${depth === 0 ? "a stream header" : "a stanza"} longer than the limit of ${limit} bytes`;
        if (depth === 0 || !sink.skip) {
          fail("policy-violation", what);
          return;
        }
        startSkipping(what);
      }
      step(bytes, i, c, width);
      if (restarted) restarted = false; // a new stream starts after this character
      else {
        offset += width;
        atStart = false;
      }
      i += width;
    }
    if (stopped) return;
    // What a run has gathered so far goes to its buffer; the run goes on at the next chunk.
    if (runStart >= 0) {
      cut(bytes, i);
      runStart = 0;
    }
  }

  /**
   * The length of the run of printable ASCII at `i` that needs nothing but counting (and, for
   * text, values and names, gathering) in the current state, cut at the size limit. Most of a
   * stream is such runs; one tight loop costs far less than a step per byte.
   */
  function plainRun(bytes: Uint8Array, i: number, limit: number): number {
    const n = bytes.length;
    let j = i;
    switch (state) {
      case TEXT: {
        // Up to a byte that needs the long way: markup, a reference, a line end, non-ASCII, or
        // ']' (counted there: "]]>" is forbidden in text). So the run itself holds no ']'.
        const plain = PLAIN_TEXT_BYTE;
        while (j < n && plain[bytes[j]!] === 1) j++;
        if (j > i) {
          brackets = 0;
          cr = false;
        }
        break;
      }
      case CDATA: {
        // ']' is counted: "]]>" ends a CDATA section.
        let count = brackets;
        while (j < n) {
          const c = bytes[j]!;
          if (c < 0x20 || c > 0x7e || c === 0x3e) break;
          count = c === 0x5d ? count + 1 : 0;
          j++;
        }
        if (j > i) {
          brackets = count;
          cr = false;
        }
        break;
      }
      case ATTR_VALUE: {
        const closing = quote;
        const plain = PLAIN_VALUE_BYTE;
        let c = 0;
        while (j < n && (c = bytes[j]!) !== closing && plain[c] === 1) j++;
        if (j > i) cr = false;
        break;
      }
      case START_NAME:
      case ATTR_NAME:
      case END_NAME: {
        // Letters, digits, '_', '-', '.'; a colon, and what follows one, take the long way.
        if (afterColon) return 0;
        const table = ASCII_NAME_BYTE;
        while (j < n && table[bytes[j]!] !== 0) j++;
        break;
      }
      case BETWEEN:
      case PROLOG:
      case EPILOG:
        // White space outside stanzas: a keepalive, neither kept nor measured.
        while (j < n) {
          const c = bytes[j];
          if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
          j++;
        }
        return j - i;
      default:
        return 0;
    }
    if (measureFrom >= 0) {
      const room = limit - (offset - measureFrom);
      if (j - i > room) return room; // the byte past the limit takes the long way, and fails
    }
    return j - i;
  }

  /**
   * The fast path for a tag that lies whole in this chunk, in ASCII, with nothing to resolve or
   * normalise: most of a stream. Reads it in a few tight loops and reports it as the byte-by-byte
   * path would; returns the index after its '>', or -1 to leave it to that path (which then
   * also finds any fault, at the byte it belongs to). It changes nothing before it succeeds.
   */
  function wholeTag(bytes: Uint8Array, i: number): number {
    const n = bytes.length;
    let j = i + 1;
    if (j >= n) return -1;
    if (skipping) return -1;
    if (bytes[j] === 0x2f /* / */) return wholeEndTag(bytes, i, j + 1, n);
    if (depth > limits.maxDepth) return -1;
    const nameStart = j;
    j = asciiName(bytes, j, n);
    if (j < 0) return -1;
    let tagPrefixed = nameColon;
    const element = asciiText(bytes, nameStart, j);
    let attributes: Attributes = {};
    let empty = false;
    for (;;) {
      if (j >= n) return -1;
      let c = bytes[j];
      if (c === 0x3e /* > */) break;
      if (c === 0x2f /* / */) {
        if (j + 1 >= n || bytes[j + 1] !== 0x3e) return -1;
        empty = true;
        j++;
        break;
      }
      if (c !== 0x20 && c !== 0x0a && c !== 0x09 && c !== 0x0d) return -1;
      do j++;
      while (j < n && ((c = bytes[j]) === 0x20 || c === 0x0a || c === 0x09 || c === 0x0d));
      if (j >= n) return -1;
      if (c === 0x3e || c === 0x2f) continue;
      const attributeStart = j;
      j = asciiName(bytes, j, n);
      if (j < 0) return -1;
      const attribute = asciiText(bytes, attributeStart, j);
      // A second one, or a name Object.prototype has: the long way tells or keeps it.
      if (attribute in attributes) return -1;
      if (nameColon) tagPrefixed = true;
      while (j < n && ((c = bytes[j]) === 0x20 || c === 0x0a || c === 0x09 || c === 0x0d)) j++;
      if (j >= n || c !== 0x3d /* = */) return -1;
      j++;
      while (j < n && ((c = bytes[j]) === 0x20 || c === 0x0a || c === 0x09 || c === 0x0d)) j++;
      if (j >= n || (c !== 0x27 && c !== 0x22)) return -1;
      const closing = c;
      const valueStart = ++j;
      // Printable ASCII only: a tab or line end is normalised, '&' resolved, '<' refused.
      const plain = PLAIN_VALUE_BYTE;
      while (j < n && (c = bytes[j]) !== closing && plain[c] === 1) j++;
      if (j >= n || c !== closing) return -1;
      attributes[attribute] = asciiText(bytes, valueStart, j);
      j++;
    }
    // j is at the tag's '>'.
    const from = depth <= 1 ? offset : measureFrom;
    if (offset + (j + 1 - i) - from > limits.maxStanzaBytes) return -1;
    if (state === TEXT) cut(bytes, i);
    if (depth <= 1) measureFrom = offset;
    offset += j - i;
    atStart = false;
    name = element;
    attrs = attributes;
    prefixed = tagPrefixed;
    if (empty) closeEmptyTag(j);
    else closeStartTag(j);
    if (restarted) restarted = false;
    else offset++;
    return j + 1;
  }

  /** `wholeTag` for an end tag, whose name starts at `j`. */
  function wholeEndTag(bytes: Uint8Array, i: number, j: number, n: number): number {
    const nameStart = j;
    j = asciiName(bytes, j, n);
    if (j < 0 || asciiText(bytes, nameStart, j) !== open[open.length - 1]) return -1;
    let c = 0;
    while (j < n && ((c = bytes[j]) === 0x20 || c === 0x0a || c === 0x09 || c === 0x0d)) j++;
    if (j >= n || c !== 0x3e /* > */) return -1;
    const from = depth <= 1 ? offset : measureFrom;
    if (offset + (j + 1 - i) - from > limits.maxStanzaBytes) return -1;
    if (state === TEXT) cut(bytes, i);
    offset += j - i;
    atStart = false;
    closeEndTag(j);
    if (restarted) restarted = false;
    else offset++;
    return j + 1;
  }

  /**
   * The end of the ASCII name at `j` (letters, digits, '_', '-', '.', one colon inside it, a
   * letter or '_' after the colon and first), or -1 for anything else, a name that reaches the
   * chunk's end included. Sets `nameColon`.
   */
  function asciiName(bytes: Uint8Array, j: number, n: number): number {
    const table = ASCII_NAME_BYTE;
    if (table[bytes[j]!] !== NAME_START) return -1;
    nameColon = false;
    for (j++; j < n; j++) {
      const c = bytes[j]!;
      if (table[c] !== 0) continue;
      if (c !== 0x3a /* : */) return c < 0x80 ? j : -1;
      if (nameColon || j + 1 >= n) return -1;
      nameColon = true;
      if (table[bytes[j + 1]!] !== NAME_START) return -1;
    }
    return -1;
  }

  function step(bytes: Uint8Array, i: number, c: number, width: number): void {
    switch (state) {
      case PROLOG:
        if (c === 0x3c /* < */) lt();
        else if (isXmlSpace(c)) return;
        else if (c === 0xfeff && atStart) fail("not-well-formed", "a byte order mark (XMPP streams have none)");
        else fail("not-well-formed", "text before the stream header");
        return;

      case EPILOG:
        if (!isXmlSpace(c)) fail("not-well-formed", "content after the end of the stream");
        return;

      case BETWEEN:
        if (c === 0x3c /* < */) lt();
        else if (!isXmlSpace(c)) fail("bad-format", "text between stanzas");
        return;

      case TEXT:
        if (c === 0x3c /* < */) {
          cut(bytes, i); // the text so far waits in `text`: a CDATA section may continue it
          lt();
        } else if (c === 0x26 /* & */) {
          cut(bytes, i);
          startReference(TEXT);
        } else if (c === 0x5d /* ] */) {
          brackets++;
          cr = false;
          return;
        } else if (c === 0x3e /* > */ && brackets >= 2) {
          fail("not-well-formed", "']]>' in text");
          return;
        } else if (c === 0x0d) {
          substitute(bytes, i, width, 0x0a);
          brackets = 0;
          cr = true;
          return;
        } else if (c === 0x0a && cr) {
          substitute(bytes, i, width, -1);
        }
        brackets = 0;
        cr = false;
        return;

      case LT:
        afterLt(i, c, width);
        return;

      case DECL:
        declaration(bytes, i, c);
        return;

      case BANG:
        afterBang(i, c, width);
        return;

      case CDATA:
        cdata(bytes, i, c, width);
        return;

      case START_NAME:
        if (isNameChar(c)) nameChar(c);
        else if (nameEnds()) {
          name = takeToken(bytes, i);
          prefixed = colon;
          attrs = {};
          attrNames.clear();
          if (isXmlSpace(c)) state = TAG_SPACE;
          else if (c === 0x2f /* / */) state = EMPTY_END;
          else if (c === 0x3e /* > */) closeStartTag(i);
          else fail("not-well-formed", `${show(c)} in an element name`);
        }
        return;

      case TAG_SPACE:
        if (isXmlSpace(c)) return;
        if (c === 0x2f /* / */) state = EMPTY_END;
        else if (c === 0x3e /* > */) closeStartTag(i);
        else if (nameStarts(c, "an attribute name")) {
          startRun(i, false);
          state = ATTR_NAME;
        }
        return;

      case AFTER_VALUE:
        if (isXmlSpace(c)) state = TAG_SPACE;
        else if (c === 0x2f /* / */) state = EMPTY_END;
        else if (c === 0x3e /* > */) closeStartTag(i);
        else fail("not-well-formed", `${show(c)} right after an attribute value (attributes are separated by white space)`);
        return;

      case ATTR_NAME:
        if (isNameChar(c)) nameChar(c);
        else if (nameEnds()) {
          const attribute = takeToken(bytes, i);
          if (attrNames.has(attribute) && !skipping) {
            fail("not-well-formed", `the attribute '${attribute}' twice in <${name}>`);
            return;
          }
          attrNames.add(attribute);
          attrName = attribute;
          if (colon) prefixed = true;
          if (isXmlSpace(c)) state = ATTR_NAME_END;
          else if (c === 0x3d /* = */) state = ATTR_EQ;
          else fail("not-well-formed", `${show(c)} in an attribute name`);
        }
        return;

      case ATTR_NAME_END:
        if (isXmlSpace(c)) return;
        if (c === 0x3d /* = */) state = ATTR_EQ;
        else fail("not-well-formed", `the attribute '${attrName}' without '=' and a value (found ${show(c)})`);
        return;

      case ATTR_EQ:
        if (isXmlSpace(c)) return;
        if (c === 0x22 /* " */ || c === 0x27 /* ' */) {
          quote = c;
          cr = false;
          startRun(i + width, false);
          state = ATTR_VALUE;
        } else fail("not-well-formed", `the value of '${attrName}' without quotes (found ${show(c)})`);
        return;

      case ATTR_VALUE:
        if (c === quote) {
          const value = takeToken(bytes, i);
          if (!skipping) attrs = setAttribute(attrs, attrName, value);
          state = AFTER_VALUE;
        } else if (c === 0x3c /* < */) {
          fail("not-well-formed", `'<' in the value of '${attrName}'`);
        } else if (c === 0x26 /* & */) {
          cut(bytes, i);
          startReference(ATTR_VALUE);
        } else if (c === 0x0d) {
          // §3.3.3: each white space character becomes a space, and a CR LF pair one space.
          substitute(bytes, i, width, 0x20);
          cr = true;
          return;
        } else if (c === 0x0a) {
          substitute(bytes, i, width, cr ? -1 : 0x20);
        } else if (c === 0x09) {
          substitute(bytes, i, width, 0x20);
        }
        cr = false;
        return;

      case EMPTY_END:
        if (c === 0x3e /* > */) closeEmptyTag(i);
        else fail("not-well-formed", `${show(c)} after '/' in a tag (expected '>')`);
        return;

      case END_NAME_START:
        if (nameStarts(c, "the name of an end tag")) {
          startRun(i, false);
          state = END_NAME;
        }
        return;

      case END_NAME:
        if (isNameChar(c)) nameChar(c);
        else if (nameEnds()) {
          const closing = takeToken(bytes, i);
          const expected = open[open.length - 1];
          // While skipping, an element opened meanwhile was not pushed, and a long name was dropped.
          if (closing !== expected && !(skipping && (depth > open.length || closing === ""))) {
            fail("not-well-formed", `the end tag </${closing}> where </${expected}> belongs`);
            return;
          }
          if (isXmlSpace(c)) state = END_SPACE;
          else if (c === 0x3e /* > */) closeEndTag(i);
          else fail("not-well-formed", `${show(c)} in an end tag`);
        }
        return;

      case END_SPACE:
        if (isXmlSpace(c)) return;
        if (c === 0x3e /* > */) closeEndTag(i);
        else fail("not-well-formed", `${show(c)} in an end tag after its name`);
        return;

      case REFERENCE:
        referenceChar(i, c, width);
        return;
    }
  }

  /** A '<' in the prolog, between stanzas or in a stanza. */
  function lt(): void {
    ltAtStart = atStart;
    if (depth <= 1) measureFrom = offset;
    state = LT;
  }

  function afterLt(i: number, c: number, width: number): void {
    if (c === 0x3f /* ? */) {
      if (!ltAtStart) {
        fail("restricted-xml", "a processing instruction");
        return;
      }
      // Perhaps the XML declaration: gathered, checked, and not reported.
      state = DECL;
      declMatched = 0;
      declQuestion = false;
      startRun(i + width, false);
    } else if (c === 0x21 /* ! */) {
      state = BANG;
      bang = 0;
    } else if (c === 0x2f /* / */) {
      if (depth === 0) fail("not-well-formed", "an end tag before the stream header");
      else state = END_NAME_START;
    } else if (isNameStartChar(c) && c !== 0x3a /* : */) {
      // This element is at depth #depth within its stanza (the stream's root is at 0).
      if (depth > limits.maxDepth && !skipping) {
        const what = `elements nested deeper than the limit of ${limits.maxDepth} in a stanza`;
        if (!sink.skip) {
          fail("policy-violation", what);
          return;
        }
        startSkipping(what);
      }
      colon = false;
      afterColon = false;
      startRun(i, false);
      state = START_NAME;
    } else {
      fail("not-well-formed", `${show(c)} after '<'`);
    }
  }

  function afterBang(i: number, c: number, width: number): void {
    if (bang === 0 && c !== 0x5b /* [ */) {
      const what = c === 0x2d /* - */ ? "a comment" : c === 0x44 /* D */ ? "a document type declaration" : "a markup declaration";
      fail("restricted-xml", what);
      return;
    }
    if (c !== CDATA_OPENING.charCodeAt(bang)) {
      fail("not-well-formed", `a malformed CDATA section opening (${show(c)})`);
      return;
    }
    if (++bang < CDATA_OPENING.length) return;
    if (depth === 0) {
      fail("not-well-formed", "a CDATA section outside the stream's root element");
    } else if (depth === 1) {
      fail("bad-format", "a CDATA section between stanzas");
    } else {
      // CDATA is text written another way: it joins the text around it.
      startRun(i + width, true);
      state = CDATA;
      brackets = 0;
      cr = false;
    }
  }

  function cdata(bytes: Uint8Array, i: number, c: number, width: number): void {
    const held = brackets;
    const afterCr = cr;
    brackets = c === 0x5d /* ] */ ? held + 1 : 0;
    cr = false;
    if (c === 0x3e /* > */ && held >= 2) {
      cut(bytes, i);
      text.truncate(2); // the "]]" of "]]>" is no text
      startRun(i + width, true);
      state = TEXT;
    } else if (c === 0x0d) {
      substitute(bytes, i, width, 0x0a);
      cr = true;
    } else if (c === 0x0a && afterCr) {
      substitute(bytes, i, width, -1);
    }
  }

  function declaration(bytes: Uint8Array, i: number, c: number): void {
    if (declMatched < 4) {
      const expected = declMatched < 3 ? c === "xml".charCodeAt(declMatched) : isXmlSpace(c);
      if (!expected) {
        fail("restricted-xml", "a processing instruction");
        return;
      }
      declMatched++;
      return;
    }
    if (c !== 0x3e /* > */ || !declQuestion) {
      declQuestion = c === 0x3f; /* ? */
      return;
    }
    const parts = XML_DECLARATION().exec(takeToken(bytes, i));
    if (!parts) {
      fail("not-well-formed", "a malformed XML declaration");
      return;
    }
    const encoding = parts[3];
    if (encoding !== undefined && encoding.toLowerCase() !== "utf-8") {
      fail("unsupported-encoding", `an XML declaration of encoding '${encoding}' (XMPP streams are UTF-8)`);
      return;
    }
    measureFrom = -1;
    state = PROLOG;
  }

  function startReference(inside: number): void {
    referenceIn = inside;
    reference = REF_START;
    referenceValue = 0;
    referenceName = "";
    state = REFERENCE;
  }

  function referenceChar(i: number, c: number, width: number): void {
    switch (reference) {
      case REF_START:
        if (c === 0x23 /* # */) reference = REF_HASH;
        else if (isNameStartChar(c)) {
          reference = REF_NAME;
          referenceName = String.fromCodePoint(c);
        } else fail("not-well-formed", "a '&' that starts no reference (write '&amp;')");
        return;
      case REF_HASH:
        if (c === 0x78 /* x */) reference = REF_HEX_START;
        else if (c >= 0x30 && c <= 0x39) {
          reference = REF_DECIMAL;
          referenceValue = c - 0x30;
        } else fail("not-well-formed", "a malformed character reference");
        return;
      case REF_DECIMAL:
      case REF_HEX_START:
      case REF_HEX: {
        if (c === 0x3b /* ; */ && reference !== REF_HEX_START) {
          const value = referenceValue;
          if (isXmlChar(value)) endReference(i, width, value);
          else fail("not-well-formed", `a character reference to a character XML does not allow (${show(value)})`);
          return;
        }
        const hex = reference !== REF_DECIMAL;
        const digit = hexDigit(c);
        if (digit < 0 || (!hex && digit > 9)) {
          fail("not-well-formed", "a malformed character reference");
          return;
        }
        reference = hex ? REF_HEX : REF_DECIMAL;
        referenceValue = referenceValue * (hex ? 16 : 10) + digit;
        if (referenceValue > 0x10ffff) fail("not-well-formed", "a character reference past U+10FFFF");
        return;
      }
      case REF_NAME:
        if (c === 0x3b /* ; */) {
          const entity = referenceName;
          if (entity.length <= 4 && hasOwn(PREDEFINED_ENTITIES, entity)) endReference(i, width, PREDEFINED_ENTITIES[entity]);
          else fail("restricted-xml", `a reference to an undeclared entity ('&${entity.length > 4 ? `${entity.slice(0, 4)}...` : entity};')`);
        } else if (isNameChar(c)) {
          if (referenceName.length <= 4) referenceName += String.fromCodePoint(c);
        } else {
          fail("not-well-formed", `an entity reference not closed by ';' (found ${show(c)})`);
        }
        return;
    }
  }

  /** The character a reference stands for joins the text or value it is in. */
  function endReference(i: number, width: number, codePoint: number): void {
    const toText = referenceIn === TEXT;
    if (!skipping) (toText ? text : token).appendCodePoint(codePoint);
    startRun(i + width, toText);
    state = referenceIn;
    brackets = 0;
    cr = false;
  }

  function nameStarts(c: number, what: string): boolean {
    if (!isNameStartChar(c) || c === 0x3a /* : */) {
      fail("not-well-formed", `${show(c)} where ${what} should start`);
      return false;
    }
    colon = false;
    afterColon = false;
    return true;
  }

  function nameChar(c: number): void {
    if (c === 0x3a /* : */) {
      if (colon) fail("not-well-formed", "a name with two colons");
      colon = true;
      afterColon = true;
    } else if (afterColon) {
      afterColon = false;
      if (!isNameStartChar(c)) fail("not-well-formed", `a local name that starts with ${show(c)}`);
    }
  }

  function nameEnds(): boolean {
    if (!afterColon) return true;
    fail("not-well-formed", "a name that ends with a colon");
    return false;
  }

  function closeStartTag(i: number): void {
    const element = name;
    if (!skipping) open.push(element);
    depth++;
    if (depth === 1) {
      measureFrom = -1; // the stream header is complete
      state = BETWEEN;
    } else {
      enterText(i);
    }
    if (!skipping) report(element, true, false);
  }

  function closeEmptyTag(i: number): void {
    if (depth <= 1) measureFrom = -1;
    if (depth === 0) state = EPILOG;
    else if (depth === 1) state = BETWEEN;
    else enterText(i);
    if (skipping) endSkipped();
    else report(name, true, true);
  }

  function closeEndTag(i: number): void {
    // While skipping, the elements opened meanwhile were counted, not pushed.
    const element = skipping && depth > open.length ? "" : (open.pop() as string);
    depth--;
    if (depth <= 1) measureFrom = -1;
    if (depth === 0) state = EPILOG;
    else if (depth === 1) state = BETWEEN;
    else enterText(i);
    if (skipping) endSkipped();
    else report(element, false, true);
  }

  /** The stanza has passed a limit: forget what it holds, read the rest without keeping it. */
  function startSkipping(what: string): void {
    skipping = true;
    tokenOverflow = false;
    measureFrom = -1;
    text.clear();
    token.clear();
    attrs = {};
    sink.skip?.skipping(new StreamError("policy-violation", `${what} at byte ${offset}`));
  }

  /** After the step that closed an element while skipping: the stanza's end ends the skip. */
  function endSkipped(): void {
    if (depth > 1) return;
    skipping = false;
    sink.skip?.skipped();
  }

  function enterText(i: number): void {
    state = TEXT;
    brackets = 0;
    cr = false;
    startRun(i + 1, true);
  }

  /** The last thing a step does: the sink may stop the parser or restart the stream. */
  function report(element: string, start: boolean, end: boolean): void {
    if (text.length > 0) sink.text(text.take());
    if (start && !stopped && !restarted) sink.startElement(element, attrs, prefixed);
    if (end && !stopped && !restarted) sink.endElement(element);
  }

  function startRun(i: number, toText: boolean): void {
    runStart = i;
    runToText = toText;
  }

  /** Moves the bytes gathered since the run started, up to `i`, into the run's buffer, and ends the run. */
  function cut(bytes: Uint8Array, i: number): void {
    if (runStart < 0) return;
    if (!skipping) (runToText ? text : token).append(bytes, runStart, i);
    else if (!runToText && !tokenOverflow) {
      // Names are still gathered, within a bound, so that end tags can be matched.
      if (token.length + (i - runStart) <= SKIPPED_TOKEN_BYTES) token.append(bytes, runStart, i);
      else tokenOverflow = true;
    }
    runStart = -1;
  }

  /** Ends the token run at `i` and returns the token as text. */
  function takeToken(bytes: Uint8Array, i: number): string {
    if (skipping) {
      cut(bytes, i);
      const taken = tokenOverflow ? "" : token.take();
      token.clear();
      tokenOverflow = false;
      return taken;
    }
    if (token.length === 0 && runStart >= 0) {
      // Most tokens lie whole in one chunk: no need to copy them first.
      const whole = shortAsciiText(bytes, runStart, i);
      if (whole !== undefined) {
        runStart = -1;
        return whole;
      }
    }
    cut(bytes, i);
    return token.take();
  }

  /** Puts `codePoint` (or nothing, if -1) in place of the character at `i` in the current run. */
  function substitute(bytes: Uint8Array, i: number, width: number, codePoint: number): void {
    const toText = runToText;
    cut(bytes, i);
    if (codePoint >= 0 && !skipping) (toText ? text : token).appendCodePoint(codePoint);
    startRun(i + width, toText);
  }

  function fail(condition: ReaderCondition, what: string, at = offset): void {
    if (stopped) return;
    stopped = true;
    sink.error(new StreamError(condition, `${what} at byte ${at}`));
  }

  return {
    get offset(): number {
      return offset;
    },
    get buffered(): number {
      return text.length + token.length;
    },
    write,
    reset,
    stop,
  };
}

/** bytes[start, end), ASCII, as text, a few characters a call (each is an argument on XS's small stack). */
function asciiText(bytes: Uint8Array, start: number, end: number): string {
  if (end - start <= 32) return String.fromCharCode.apply(null, bytes.subarray(start, end) as unknown as number[]);
  let text = "";
  for (let at = start; at < end; at += 32) text += String.fromCharCode.apply(null, bytes.subarray(at, Math.min(at + 32, end)) as unknown as number[]);
  return text;
}

function hexDigit(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10;
  if (c >= 0x41 && c <= 0x46) return c - 0x41 + 10;
  return -1;
}

/** A character for an error message: printable ASCII quoted, anything else as U+XXXX. */
function show(c: number): string {
  if (c > 0x20 && c < 0x7f) return `'${String.fromCharCode(c)}'`;
  return `U+${c.toString(16).toUpperCase().padStart(4, "0")}`;
}
