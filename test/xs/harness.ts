// Runs the unit suites on the XS engine (xsnap), which has no mocha: mocha's describe/it/hooks
// as globals, one line per test, and a closing "N passed, N failed" line that test/xs/run.ts reads.

/** xsnap's only output: writes its arguments and a newline to stdout. */
declare const print: (...values: unknown[]) => void;

type Done = (error?: unknown) => void;
type Body = ((done: Done) => void) | (() => unknown);

interface Test {
  title: string;
  body: Body | undefined; // undefined: pending, as in mocha
  skip: boolean;
}

interface Suite {
  title: string;
  skip: boolean;
  tests: Test[];
  suites: Suite[];
  before: Body[];
  after: Body[];
  beforeEach: Body[];
  afterEach: Body[];
}

// As in .mocharc.json: a test whose promise never settles fails instead of ending the run silently.
let timeoutMs = 20_000;

function newSuite(title: string, skip: boolean): Suite {
  return { title, skip, tests: [], suites: [], before: [], after: [], beforeEach: [], afterEach: [] };
}

const root = newSuite("", false);
let declaring = root;
const counts = { passed: 0, failed: 0, skipped: 0 };
// Fails whatever test or hook is running; used for errors thrown from timer callbacks.
let failRunning: ((error: unknown) => void) | undefined;
let finished = false;

function declareSuite(title: string, define: () => void, skip: boolean): void {
  const suite = newSuite(title, skip || declaring.skip);
  declaring.suites.push(suite);
  const outer = declaring;
  declaring = suite;
  try {
    define();
  } finally {
    declaring = outer;
  }
}

function declareTest(title: string, body: Body | undefined, skip: boolean): void {
  declaring.tests.push({ title, body, skip: skip || declaring.skip || !body });
}

function noOnly(kind: string): never {
  throw new Error(`${kind}.only would skip every other test; remove the .only (the XS harness runs everything)`);
}

const describe = Object.assign((title: string, define: () => void) => declareSuite(title, define, false), {
  skip: (title: string, define: () => void) => declareSuite(title, define, true),
  only: () => noOnly("describe"),
});
const it = Object.assign((title: string, body?: Body) => declareTest(title, body, false), {
  skip: (title: string, body?: Body) => declareTest(title, body, true),
  only: () => noOnly("it"),
});

function show(value: unknown): string {
  if (value instanceof Error) return value.stack ?? `${value.name}: ${value.message}`;
  if (typeof value === "string") return value;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** Calls a test or hook body the ways mocha does: sync, returned promise, or done callback. */
function call(body: Body): Promise<void> {
  return new Promise((resolve, reject) => {
    let settled = false;
    let timer: unknown;
    const settle = (failed: boolean, reason?: unknown) => {
      if (settled) return;
      settled = true;
      failRunning = undefined;
      clearTimeout(timer as ReturnType<typeof setTimeout>);
      if (!failed) resolve();
      else reject(reason ?? new Error(`failed with ${String(reason)} instead of an Error`));
    };
    const arm = () => {
      timer = setTimeout(() => {
        settle(true, new Error(`timed out after ${timeoutMs} ms: the promise never settled or done() was never called`));
      }, timeoutMs);
    };
    failRunning = (error) => settle(true, error);
    try {
      if (body.length > 0) {
        arm();
        (body as (done: Done) => void)((error) => settle(error !== undefined && error !== null, error));
        return;
      }
      const result = (body as () => unknown)();
      if (result !== null && typeof result === "object" && typeof (result as Promise<unknown>).then === "function") {
        arm();
        (result as Promise<unknown>).then(() => settle(false), (error: unknown) => settle(true, error));
      } else {
        settle(false);
      }
    } catch (error) {
      settle(true, error);
    }
  });
}

function report(name: string, error: unknown): void {
  counts.failed++;
  const plain = !(error instanceof Error) || error.name === "Error" || error.name === "AssertionError";
  const message = error instanceof Error ? (plain ? error.message : `${error.name}: ${error.message}`) : show(error);
  print(`  FAIL - ${name}: ${message}`);
  if (!(error instanceof Error) || !error.stack) return;
  // XS stacks repeat "Name: message" (printed above) before the frames; frames from `call` on
  // are the harness's own, and a release xsnap names no place for anonymous functions ("at ()").
  for (const frame of error.stack.split("\n").map((line) => line.trim())) {
    if (/^at (Promise|call) \(/.test(frame)) break;
    if (frame.startsWith("at ") && frame !== "at ()") print(`      ${frame}`);
  }
}

function skipAll(suite: Suite, path: string[]): void {
  for (const test of suite.tests) {
    counts.skipped++;
    print(`  skip - ${[...path, test.title].join(" > ")}`);
  }
  for (const child of suite.suites) skipAll(child, [...path, child.title]);
}

async function runTest(test: Test, chain: Suite[], path: string[]): Promise<void> {
  const name = [...path, test.title].join(" > ");
  let failure: { name: string; error: unknown } | undefined;
  const attempt = async (body: Body, where: string) => {
    try {
      await call(body);
    } catch (error) {
      failure ??= { name: where ? `${name} > ${where}` : name, error };
    }
  };
  for (const suite of chain) for (const hook of suite.beforeEach) if (!failure) await attempt(hook, '"before each" hook');
  if (!failure) await attempt(test.body!, "");
  for (const suite of [...chain].reverse()) for (const hook of suite.afterEach) await attempt(hook, '"after each" hook');
  if (failure) return report(failure.name, failure.error);
  counts.passed++;
  print(`  ok - ${name}`);
}

async function runSuite(suite: Suite, chain: Suite[], path: string[]): Promise<void> {
  if (suite.skip) return skipAll(suite, path);
  let ready = true;
  for (const hook of suite.before) {
    try {
      await call(hook);
    } catch (error) {
      // As in mocha: the suite's tests do not run, and the hook counts as the failure.
      report([...path, '"before all" hook'].join(" > "), error);
      ready = false;
      break;
    }
  }
  if (ready) {
    // Mocha's order: a suite's own tests first, then its nested suites.
    for (const test of suite.tests) {
      if (test.skip) {
        counts.skipped++;
        print(`  skip - ${[...path, test.title].join(" > ")}`);
      } else {
        await runTest(test, chain, path);
      }
    }
    for (const child of suite.suites) await runSuite(child, [...chain, child], [...path, child.title]);
  }
  for (const hook of suite.after) {
    try {
      await call(hook);
    } catch (error) {
      report([...path, '"after all" hook'].join(" > "), error);
    }
  }
}

/** Runs every declared suite in order, prints the closing line, and fails the process on any failure. */
export function run(options: { timeoutMs?: number } = {}): void {
  timeoutMs = options.timeoutMs ?? timeoutMs;
  runSuite(root, [root], [])
    .then(() => {
      finished = true;
      const pending = stopTimers();
      if (pending > 0) print(`  note: ${pending} timer(s) still pending at the end of the run were dropped`);
      const skipped = counts.skipped > 0 ? `, ${counts.skipped} skipped` : "";
      print(`${counts.passed} passed, ${counts.failed} failed${skipped}`);
      // xsnap exits 5 on an uncaught exception; a rejected promise alone would exit 0.
      if (counts.failed > 0) setImmediate(() => { throw new Error(`${counts.failed} test(s) failed (thrown so that xsnap exits non-zero)`); });
    })
    .catch((error: unknown) => {
      print(`XS harness broke: ${show(error)}`);
      setImmediate(() => { throw error; });
    });
}

/** Errors thrown where no test can catch them: fail the running test, as mocha does. */
function uncaught(error: unknown): void {
  if (failRunning) return failRunning(error);
  report(finished ? "uncaught error after the run" : "uncaught error between tests", error);
  // After the closing line only the exit code can still tell.
  if (finished) setImmediate(() => { throw error; });
}

// xsnap has setImmediate but no timeouts: real-time ones by polling performance.now(). Timers
// run one per turn, so promise jobs a callback queues run before the next timer, as on Node.
const timers = new Map<number, { due: number; callback: () => void }>();
let nextTimer = 1;
let polling = false;

function poll(): void {
  polling = false;
  let next: number | undefined;
  for (const [id, timer] of timers) if (next === undefined || timer.due < timers.get(next)!.due) next = id;
  if (next === undefined) return;
  const timer = timers.get(next)!;
  if (timer.due <= performance.now()) {
    timers.delete(next);
    try {
      timer.callback();
    } catch (error) {
      uncaught(error);
    }
  }
  if (timers.size > 0 && !polling) {
    polling = true;
    setImmediate(poll);
  }
}

function stopTimers(): number {
  const pending = timers.size;
  timers.clear();
  return pending;
}

if (typeof globalThis.setTimeout !== "function") {
  const setTimeoutOnXs = (callback: (...args: unknown[]) => void, ms = 0, ...args: unknown[]) => {
    const id = nextTimer++;
    timers.set(id, { due: performance.now() + Math.max(0, Number(ms) || 0), callback: () => callback(...args) });
    if (!polling) {
      polling = true;
      setImmediate(poll);
    }
    return id;
  };
  const clearTimeoutOnXs = (id: unknown) => void timers.delete(id as number);
  Object.assign(globalThis, { setTimeout: setTimeoutOnXs, clearTimeout: clearTimeoutOnXs });
}

// The npm `events` package warns through console; XS has none, and tests may log.
if (typeof globalThis.console === "undefined") {
  const log = (...values: unknown[]) => print(values.map(show).join(" "));
  Object.assign(globalThis, { console: { log, info: log, debug: log, warn: log, error: log, trace: log } });
}

Object.assign(globalThis, {
  describe,
  it,
  before: (body: Body) => declaring.before.push(body),
  after: (body: Body) => declaring.after.push(body),
  beforeEach: (body: Body) => declaring.beforeEach.push(body),
  afterEach: (body: Body) => declaring.afterEach.push(body),
});
