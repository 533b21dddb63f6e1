// Assertions for unit suites that run both under mocha on Node and under the XS harness
// (test/xs/), so they cannot use node:assert.

export class AssertionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "AssertionError";
  }
}

function show(value: unknown): string {
  if (value instanceof Uint8Array) return `Uint8Array[${Array.from(value).join(",")}]`;
  if (typeof value === "string") return JSON.stringify(value);
  try {
    const json = JSON.stringify(value);
    if (json !== undefined) return json;
  } catch {
    // fall through to String(): cyclic values
  }
  return String(value);
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  if (ArrayBuffer.isView(a) && ArrayBuffer.isView(b)) {
    const x = a as unknown as ArrayLike<unknown>;
    const y = b as unknown as ArrayLike<unknown>;
    if (x.length !== y.length) return false;
    for (let i = 0; i < x.length; i++) if (!Object.is(x[i], y[i])) return false;
    return true;
  }
  if (a instanceof Map && b instanceof Map) {
    if (a.size !== b.size) return false;
    for (const [k, v] of a) if (!b.has(k) || !deepEqual(v, b.get(k))) return false;
    return true;
  }
  if (a instanceof Set && b instanceof Set) {
    if (a.size !== b.size) return false;
    for (const v of a) if (!b.has(v)) return false;
    return true;
  }
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  for (const k of ka) {
    if (!Object.prototype.hasOwnProperty.call(b, k)) return false;
    if (!deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
  }
  return true;
}

function fail(message: string | undefined, fallback: string): never {
  throw new AssertionError(message ? `${message}: ${fallback}` : fallback);
}

type ErrorCheck = RegExp | ((error: unknown) => boolean) | (new (...args: never[]) => unknown);

function checkError(error: unknown, expected: ErrorCheck | undefined, message?: string): void {
  if (expected === undefined) return;
  if (expected instanceof RegExp) {
    const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    if (!expected.test(text)) fail(message, `error ${show(text)} does not match ${expected}`);
    return;
  }
  // A class (it has a prototype) is checked with instanceof; an arrow function is a predicate.
  if (expected.prototype !== undefined) {
    if (!(error instanceof (expected as new () => unknown))) {
      fail(message, `error is not a ${(expected as { name: string }).name}: ${String(error)}`);
    }
    return;
  }
  if ((expected as (e: unknown) => boolean)(error) !== true) {
    fail(message, `error ${show(error instanceof Error ? error.message : error)} failed the check`);
  }
}

export interface Assert {
  ok(value: unknown, message?: string): asserts value;
  equal<T>(actual: T, expected: T, message?: string): void;
  notEqual<T>(actual: T, expected: T, message?: string): void;
  deepEqual<T>(actual: T, expected: T, message?: string): void;
  match(actual: string, pattern: RegExp, message?: string): void;
  doesNotMatch(actual: string, pattern: RegExp, message?: string): void;
  throws(fn: () => unknown, expected?: ErrorCheck, message?: string): void;
  rejects(promise: Promise<unknown> | (() => Promise<unknown>), expected?: ErrorCheck, message?: string): Promise<void>;
  fail(message: string): never;
}

// Annotated with its interface: TypeScript applies `asserts` signatures only through declared types.
export const assert: Assert = {
  ok(value: unknown, message?: string): asserts value {
    if (!value) fail(message, `expected a truthy value, got ${show(value)}`);
  },
  equal<T>(actual: T, expected: T, message?: string): void {
    if (!Object.is(actual, expected)) fail(message, `expected ${show(expected)}, got ${show(actual)}`);
  },
  notEqual<T>(actual: T, expected: T, message?: string): void {
    if (Object.is(actual, expected)) fail(message, `expected anything but ${show(expected)}`);
  },
  deepEqual<T>(actual: T, expected: T, message?: string): void {
    if (!deepEqual(actual, expected)) fail(message, `expected ${show(expected)}, got ${show(actual)}`);
  },
  match(actual: string, pattern: RegExp, message?: string): void {
    if (!pattern.test(actual)) fail(message, `${show(actual)} does not match ${pattern}`);
  },
  doesNotMatch(actual: string, pattern: RegExp, message?: string): void {
    if (pattern.test(actual)) fail(message, `${show(actual)} matches ${pattern}`);
  },
  throws(fn: () => unknown, expected?: ErrorCheck, message?: string): void {
    try {
      fn();
    } catch (error) {
      checkError(error, expected, message);
      return;
    }
    fail(message, "expected the function to throw");
  },
  async rejects(promise: Promise<unknown> | (() => Promise<unknown>), expected?: ErrorCheck, message?: string): Promise<void> {
    try {
      await (typeof promise === "function" ? promise() : promise);
    } catch (error) {
      checkError(error, expected, message);
      return;
    }
    fail(message, "expected the promise to reject");
  },
  fail(message: string): never {
    throw new AssertionError(message);
  },
};
