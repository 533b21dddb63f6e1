// The stream errors the stream reader can raise about what it read: a condition from
// RFC 6120 §4.9.3 and text that says what was found and where.

/** The conditions of RFC 6120 §4.9.3 that the reader itself detects. */
export type ReaderCondition =
  | "bad-format"
  | "bad-namespace-prefix"
  | "invalid-namespace"
  | "not-well-formed"
  | "policy-violation"
  | "restricted-xml"
  | "unsupported-encoding";

export class StreamError extends Error {
  // A field, not an assignment: on XS the preloaded Error.prototype is frozen (override mistake).
  override readonly name: string = "StreamError";
  readonly condition: ReaderCondition;
  /** What was found and where, e.g. "a comment at byte 1234". */
  readonly text: string;

  constructor(condition: ReaderCondition, text: string) {
    super(`${condition}: ${text}`);
    this.condition = condition;
    this.text = text;
  }
}
