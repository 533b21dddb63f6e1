// A stream reader whose events are written down as lines, for suites that compare what the
// reader reported under different ways of splitting the same bytes.

import { equal, type Element } from "ltx";
import { StanzaStream, type StanzaLimits } from "../../../src/xml/stanza-stream.js";
import { encodeUtf8 } from "../../../src/xml/utf8.js";

export interface ReaderLogOptions {
  limits?: Partial<StanzaLimits>;
  /** Restart the stream (as a client does) after a stanza of one of these names. */
  restartAfter?: string[];
  /** Skip stanzas over a limit (an `onSkipped` handler) instead of ending the stream. */
  skip?: boolean;
}

/** The log line of a skipped stanza. */
function skippedLine(stanza: Element | undefined, error: { condition: string; text: string }): string {
  return `skipped ${stanza ? stanza.toString() : "(no start tag)"} ${error.condition}: ${error.text}`;
}

export class ReaderLog {
  /** "header {...}", "stanza <...>", "end" and "error <condition>: <text>", in order. */
  readonly events: string[] = [];
  readonly reader: StanzaStream;

  constructor(options: ReaderLogOptions = {}) {
    const restartAfter = options.restartAfter ?? [];
    this.reader = new StanzaStream(
      {
        onHeader: (attrs) => this.events.push(`header ${JSON.stringify(attrs)}`),
        onStanza: (stanza) => {
          this.events.push(`stanza ${stanza.toString()}`);
          if (restartAfter.includes(stanza.name)) this.reader.reset();
        },
        onEnd: () => this.events.push("end"),
        onError: (error) => this.events.push(`error ${error.condition}: ${error.text}`),
        onSkipped: options.skip ? (stanza, error) => this.events.push(skippedLine(stanza, error)) : undefined,
      },
      options.limits,
    );
  }

  /** Errors reported so far. */
  get errors(): string[] {
    return this.events.filter((line) => line.startsWith("error "));
  }

  /** Writes the bytes in pieces cut at the given offsets (ascending). */
  write(bytes: Uint8Array, cuts: number[] = []): this {
    let from = 0;
    for (const cut of [...cuts, bytes.length]) {
      this.reader.write(bytes.subarray(from, cut));
      from = cut;
    }
    return this;
  }

  /** Writes the bytes one at a time. */
  writeBytewise(bytes: Uint8Array): this {
    for (let i = 0; i < bytes.length; i++) this.reader.write(bytes.subarray(i, i + 1));
    return this;
  }
}

/** The events of reading `bytes` whole. */
export function readWhole(bytes: Uint8Array, options?: ReaderLogOptions): string[] {
  return new ReaderLog(options).write(bytes).events;
}

/** An event as `firstDifferingSplit` keeps it: a stanza as its element, anything else as its log line. */
type Kept = string | Element;

function keepEvents(bytes: Uint8Array, cut: number | undefined, options: ReaderLogOptions): Kept[] {
  const kept: Kept[] = [];
  const restartAfter = options.restartAfter ?? [];
  const reader: StanzaStream = new StanzaStream(
    {
      onHeader: (attrs) => kept.push(`header ${JSON.stringify(attrs)}`),
      onStanza: (stanza) => {
        kept.push(stanza);
        if (restartAfter.includes(stanza.name)) reader.reset();
      },
      onEnd: () => kept.push("end"),
      onError: (error) => kept.push(`error ${error.condition}: ${error.text}`),
      onSkipped: options.skip ? (stanza, error) => kept.push(skippedLine(stanza, error)) : undefined,
    },
    options.limits,
  );
  if (cut === undefined) reader.write(bytes);
  else {
    reader.write(bytes.subarray(0, cut));
    reader.write(bytes.subarray(cut));
  }
  return kept;
}

function sameEvents(a: Kept[], b: Kept[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    if (typeof x === "string" || typeof y === "string" ? x !== y : !equal(x, y)) return false;
  }
  return true;
}

/**
 * Reads `bytes` cut in two at every offset, and returns the first cut whose events differ from
 * those of reading it whole, if any. Stanzas are compared as trees (ltx's `equal`), which on XS
 * costs far less than serialising them thousands of times.
 */
export function firstDifferingSplit(bytes: Uint8Array, options: ReaderLogOptions = {}): { at: number; events: string[]; whole: string[] } | undefined {
  const whole = keepEvents(bytes, undefined, options);
  for (let at = 1; at < bytes.length; at++) {
    const events = keepEvents(bytes, at, options);
    if (!sameEvents(events, whole)) {
      const show = (list: Kept[]) => list.map((event) => (typeof event === "string" ? event : `stanza ${event.toString()}`));
      return { at, events: show(events), whole: show(whole) };
    }
  }
  return undefined;
}

/** Bytes from pieces of text (encoded as UTF-8) and of raw bytes (arrays), in order. */
export function toBytes(...pieces: Array<string | number[]>): Uint8Array {
  const parts = pieces.map((piece) => (typeof piece === "string" ? encodeUtf8(piece) : new Uint8Array(piece)));
  const bytes = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) {
    bytes.set(part, at);
    at += part.length;
  }
  return bytes;
}
