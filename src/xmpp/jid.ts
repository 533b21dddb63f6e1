// Jabber IDs (RFC 7622): `local@domain/resource`, parsed, checked, compared.
//
// Out of scope: the full PRECIS profiles and IDNA. Only ASCII letters are case-folded (in
// the local part and the domain); other characters are compared as given, so a JID written
// with non-ASCII capitals or in a non-normalised form will not equal the server's form of it.

export type JidPart = "local" | "domain" | "resource";

export class JidError extends Error {
  // A field rather than an assignment: Error.prototype is frozen once preloaded on XS.
  override readonly name = "JidError";

  constructor(
    message: string,
    /** The text that was parsed. */
    readonly input: string,
    /** The part of it that is wrong. */
    readonly part: JidPart,
  ) {
    super(message);
  }
}

/** Octets per part (RFC 7622 §3.2–3.4). */
const MAX_PART_BYTES = 1023;

// Regular expressions are made per use, never held at module level: on Moddable this code is
// preloaded into flash, where a RegExp's match state cannot live (test/node/preload.test.ts).
// RFC 7622 §3.3.1 forbids these in the local part, for XMPP URIs and older software.
const LOCAL_FORBIDDEN = () => /["&'/:<>@]/;
const WHITESPACE = () => /\s/;
// C0 and C1 controls, DEL: never right in any part, and most cannot appear in XML at all.
const CONTROL = () => /[\u0000-\u001f\u007f-\u009f]/;

function foldAscii(text: string): string {
  return text.replace(/[A-Z]+/g, (upper) => upper.toLowerCase());
}

function quote(text: string): string {
  return JSON.stringify(text.length > 80 ? `${text.slice(0, 77)}...` : text);
}

/** UTF-8 length of `text`, or -1 when it holds an unpaired surrogate (not encodable). */
function utf8Length(text: string): number {
  let length = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) length += 1;
    else if (c < 0x800) length += 2;
    else if (c < 0xd800 || c > 0xdfff) length += 3;
    else if (c <= 0xdbff && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      length += 4;
      i++;
    } else return -1;
  }
  return length;
}

function check(input: string, part: JidPart, value: string): void {
  const fail = (problem: string): never => {
    throw new JidError(`the ${part} part of the JID ${quote(input)} ${problem}`, input, part);
  };
  const bytes = utf8Length(value);
  if (bytes < 0) fail("holds an unpaired UTF-16 surrogate, which is not a character");
  if (bytes > MAX_PART_BYTES) fail(`is ${bytes} bytes long in UTF-8; a part may have at most ${MAX_PART_BYTES}`);
  if (CONTROL().test(value)) fail("contains a control character; remove it");
  if (part === "local") {
    if (WHITESPACE().test(value)) fail("contains a space; a local part cannot contain spaces");
    if (LOCAL_FORBIDDEN().test(value)) fail(`contains one of " & ' / : < > @, which a local part cannot contain`);
  } else if (part === "domain") {
    if (WHITESPACE().test(value)) fail("contains a space; a domain cannot contain spaces");
    if (/[@/]/.test(value)) fail(`contains "@" or "/"; write the JID as local@domain/resource`);
  }
}

/** Checks the parts of `input` and returns them normalised; throws JidError quoting `input`. */
function normalise(input: string, local: string, domain: string, resource: string): [string, string, string] {
  // RFC 7622 §3.2: a final dot is stripped before the JID is used or compared.
  domain = foldAscii(domain.endsWith(".") ? domain.slice(0, -1) : domain);
  if (domain === "") {
    throw new JidError(`the JID ${quote(input)} has no domain; write it as local@domain, e.g. "microwave@hub.local"`, input, "domain");
  }
  check(input, "local", local);
  check(input, "domain", domain);
  check(input, "resource", resource);
  return [foldAscii(local), domain, resource];
}

function joined(local: string, domain: string, resource: string): string {
  return `${local ? `${local}@` : ""}${domain}${resource ? `/${resource}` : ""}`;
}

/** Passed by this module only, for parts that are already checked and normalised (a bare JID of a Jid). */
const NORMALISED = Object.freeze({});

export class Jid {
  /** "" when the JID has no local part (a server's JID). Lower-case (ASCII). */
  readonly local: string;
  /** Lower-case (ASCII), without a trailing dot. */
  readonly domain: string;
  /** "" when the JID is bare. */
  readonly resource: string;
  /**
   * The JID as text, made once: a command's sender is looked at as text several times (owner,
   * queue, reply), and the device's own and its owners' JIDs at every command.
   */
  readonly #text: string;

  /** Checks and normalises each part; `local` and `resource` may be "" (absent). Throws JidError. */
  constructor(local: string, domain: string, resource = "", normalised?: unknown, text?: string) {
    if (normalised === NORMALISED) {
      this.local = local;
      this.domain = domain;
      this.resource = resource;
      this.#text = text ?? joined(local, domain, resource);
    } else {
      const input = joined(local, domain, resource);
      [this.local, this.domain, this.resource] = normalise(input, local, domain, resource);
      this.#text = this.local === local && this.domain === domain ? input : joined(this.local, this.domain, this.resource);
    }
    Object.freeze(this);
  }

  /** Parses `[local@]domain[/resource]` (RFC 7622 §3.2). Throws JidError naming the bad part. */
  static parse(text: string): Jid {
    // The resource is everything after the first "/" (it may itself hold "/" and "@"); the
    // local part is everything before the first "@" of what remains.
    const slash = text.indexOf("/");
    const rest = slash < 0 ? text : text.slice(0, slash);
    const resource = slash < 0 ? "" : text.slice(slash + 1);
    const at = rest.indexOf("@");
    if (at === 0) {
      throw new JidError(`the JID ${quote(text)} has an empty local part before "@"; remove the "@" or put a name before it`, text, "local");
    }
    if (slash >= 0 && resource === "") {
      throw new JidError(`the JID ${quote(text)} has an empty resource after "/"; remove the "/" or put a resource after it`, text, "resource");
    }
    const [local, domain] = at < 0 ? ["", rest] : [rest.slice(0, at), rest.slice(at + 1)];
    const parts = normalise(text, local, domain, resource);
    // Already in normal form (the usual case: a server's stamp), the text is the JID's own.
    const same = parts[0] === local && parts[1] === domain;
    return new Jid(parts[0], parts[1], parts[2], NORMALISED, same ? text : undefined);
  }

  /** This JID without its resource. */
  get bare(): Jid {
    // Its parts were checked when this one was made: checked again, a command's sender would be
    // parsed once for each time it is looked at (sender, owner, queue).
    return this.resource === "" ? this : new Jid(this.local, this.domain, "", NORMALISED);
  }

  equals(other: Jid): boolean {
    return this.local === other.local && this.domain === other.domain && this.resource === other.resource;
  }

  toString(): string {
    return this.#text;
  }
}
