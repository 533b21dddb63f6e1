// Reads the JSON of `config.device` one object at a time, so that every complaint names the key's
// path and what to do. The checks here are the generic ones: presence, type, range, known keys.

import { DeclarationError } from "./declaration-error.js";

/** The longest timer the hosts run: a signed 32-bit count of milliseconds, about 24.8 days. */
export const LONGEST_TIMER_MS = 2_147_483_647;

export interface Limits {
  readonly min?: number;
  /** Exclusive lower bound. */
  readonly above?: number;
  readonly max?: number;
  readonly whole?: boolean;
}

/** `device.drivers` + `oven` -> `device.drivers.oven`; odd keys in brackets, indexes as `[1]`. */
export function childPath(path: string, key: string | number): string {
  if (typeof key === "number") return `${path}[${key}]`;
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

/** A JSON value as a complaint shows it. */
export function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "an object";
  if (typeof value === "string") return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  return String(value);
}

/** true/false and "on"/"off" (any case) as a boolean; anything else undefined. */
export function onOffLiteral(value: unknown): boolean | undefined {
  if (typeof value === "boolean") return value;
  if (typeof value !== "string") return undefined;
  const word = value.toLowerCase();
  return word === "on" ? true : word === "off" ? false : undefined;
}

function isObject(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Levenshtein distance, for "did you mean". */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(previous[j]! + 1, row[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = row;
  }
  return previous[b.length]!;
}

/** The known key a typo most likely meant, if one is close. */
function nearest(key: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of known) {
    const distance = editDistance(key.toLowerCase(), candidate);
    if (distance < bestDistance && distance < Math.max(key.length, candidate.length) / 2) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/** One JSON object of the declaration at its path. */
export class Section {
  readonly source: string;
  readonly path: string;
  readonly value: Readonly<Record<string, unknown>>;

  /** `what` names the object in the complaint when `value` is not one, e.g. "driver oven". */
  constructor(source: string, path: string, value: unknown, what: string) {
    this.source = source;
    this.path = path;
    if (!isObject(value)) throw new DeclarationError(source, path, `expected an object { ... } for ${what}, got ${describe(value)}`);
    this.value = value;
  }

  keyPath(key: string | number): string {
    return childPath(this.path, key);
  }

  /** Fails at one of this object's keys, or at the object itself. */
  fail(key: string | undefined, problem: string): never {
    throw new DeclarationError(this.source, key === undefined ? this.path : this.keyPath(key), problem);
  }

  failAt(path: string, problem: string): never {
    throw new DeclarationError(this.source, path, problem);
  }

  keys(): string[] {
    return Object.keys(this.value);
  }

  has(key: string): boolean {
    return this.get(key) !== undefined;
  }

  get(key: string): unknown {
    return Object.prototype.hasOwnProperty.call(this.value, key) ? this.value[key] : undefined;
  }

  /** Refuses keys not in `known`; `what` says whose keys they are, e.g. "a relay". */
  allow(known: readonly string[], what: string): void {
    for (const key of this.keys()) {
      if (known.includes(key)) continue;
      const guess = nearest(key, known);
      this.fail(key, guess ? `unknown key ${key} (did you mean ${guess}?)` : `unknown key ${key} (${what} takes: ${known.join(", ")})`);
    }
  }

  /** Fails with `missing: <hint>` when a required key is absent. */
  private present(key: string, missing: string | undefined): unknown {
    const value = this.get(key);
    if (value === undefined && missing !== undefined) this.fail(key, `missing: ${missing}`);
    return value;
  }

  text(key: string, missing: string): string;
  text(key: string): string | undefined;
  text(key: string, missing?: string): string | undefined {
    const value = this.present(key, missing);
    if (value === undefined) return undefined;
    if (typeof value !== "string") this.fail(key, `expected text in quotes, got ${describe(value)}`);
    const text = value.trim();
    if (text === "") this.fail(key, "must not be empty");
    return text;
  }

  choice<T extends string>(key: string, choices: readonly T[], missing: string): T;
  choice<T extends string>(key: string, choices: readonly T[]): T | undefined;
  choice<T extends string>(key: string, choices: readonly T[], missing?: string): T | undefined {
    const value = this.present(key, missing);
    if (value === undefined) return undefined;
    if (!choices.includes(value as T)) this.fail(key, `expected ${choices.map((c) => JSON.stringify(c)).join(" or ")}, got ${describe(value)}`);
    return value as T;
  }

  number(key: string, limits: Limits, missing: string): number;
  number(key: string, limits?: Limits): number | undefined;
  number(key: string, limits: Limits = {}, missing?: string): number | undefined {
    const value = this.present(key, missing);
    if (value === undefined) return undefined;
    if (typeof value !== "number" || !Number.isFinite(value)) {
      const hint = typeof value === "string" && value.trim() !== "" && Number.isFinite(Number(value)) ? " (write it without quotes)" : "";
      this.fail(key, `expected a number, got ${describe(value)}${hint}`);
    }
    if (limits.whole && !Number.isInteger(value)) this.fail(key, `expected a whole number, got ${value}`);
    if (limits.min !== undefined && value < limits.min) this.fail(key, `must be at least ${limits.min}, got ${value}`);
    if (limits.above !== undefined && value <= limits.above) this.fail(key, `must be more than ${limits.above}, got ${value}`);
    if (limits.max !== undefined && value > limits.max) this.fail(key, `must be at most ${limits.max}, got ${value}`);
    return value;
  }

  /** A time in the key's unit (`msPer` ms each), as whole milliseconds a timer can run. */
  milliseconds(key: string, msPer: number, limits: Limits, missing: string): number;
  milliseconds(key: string, msPer: number, limits: Limits): number | undefined;
  milliseconds(key: string, msPer: number, limits: Limits, missing?: string): number | undefined {
    const value = missing === undefined ? this.number(key, limits) : this.number(key, limits, missing);
    if (value === undefined) return undefined;
    const ms = Math.round(value * msPer);
    if (ms > LONGEST_TIMER_MS) this.fail(key, `${value} is longer than the longest timer (about 24 days): at most ${Math.floor(LONGEST_TIMER_MS / msPer)}`);
    return ms;
  }

  /** A nested object; `what` names it in complaints. */
  section(key: string, what: string, missing: string): Section;
  section(key: string, what: string): Section | undefined;
  section(key: string, what: string, missing?: string): Section | undefined {
    const value = this.present(key, missing);
    return value === undefined ? undefined : new Section(this.source, this.keyPath(key), value, what);
  }

  list(key: string, missing: string): readonly unknown[];
  list(key: string): readonly unknown[] | undefined;
  list(key: string, missing?: string): readonly unknown[] | undefined {
    const value = this.present(key, missing);
    if (value === undefined) return undefined;
    if (!Array.isArray(value)) this.fail(key, `expected a list [ ... ], got ${describe(value)}`);
    return value;
  }

  /** A list of objects, each `what`. */
  sections(key: string, what: string, missing: string): Section[];
  sections(key: string, what: string): Section[] | undefined;
  sections(key: string, what: string, missing?: string): Section[] | undefined {
    const items = missing === undefined ? this.list(key) : this.list(key, missing);
    return items?.map((item, index) => new Section(this.source, childPath(this.keyPath(key), index), item, what));
  }
}
