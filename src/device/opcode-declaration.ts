// The opcode table of `config.device`: each record's operands, its action checked against the
// drivers it sets (a value they cannot take over an operand's whole range is refused), its example.

import type { DriverDeclaration, SensorDeclaration } from "../drivers/declarations.js";
import { childPath, describe, onOffLiteral, Section } from "./declaration-reader.js";
import { CommandError, parseOperands } from "./instruction-set.js";
import { DURATION_UNITS, exampleToken, formatNumber } from "./operands.js";
import type { Action, DriverValue, DurationSource, Opcode, Operand, OperandType, Step, ValueSource } from "./types.js";

const OPCODE = () => /^[A-Z][A-Z0-9_]*$/;
const OPERAND_NAME = () => /^[a-z][a-z0-9_]*$/;
// DECLARE starts the chat form of a declaration change (src/app/appliance.ts), taken before the opcodes.
const RESERVED = ["HELP", "STATUS", "DECLARE"];
// Enum values are single tokens of a command line.
const WORD = () => /^[A-Za-z0-9][A-Za-z0-9_.+-]*$/;

const OPERAND_KEYS: Readonly<Record<OperandType, readonly string[]>> = {
  integer: ["name", "type", "unit", "min", "max"],
  number: ["name", "type", "unit", "min", "max"],
  enum: ["name", "type", "values"],
  onoff: ["name", "type"],
  duration: ["name", "type", "unit", "min", "max"],
};
const OPERAND_TYPES = Object.keys(OPERAND_KEYS) as OperandType[];
const ANY_OPERAND_KEY = [...new Set(Object.values(OPERAND_KEYS).flat())];

/** What an action is checked against. */
interface Scope {
  readonly opcode: string;
  readonly operands: readonly Operand[];
  readonly drivers: readonly DriverDeclaration[];
  readonly sensors: readonly SensorDeclaration[];
}

export function readOpcodes(device: Section, drivers: readonly DriverDeclaration[], sensors: readonly SensorDeclaration[]): Opcode[] {
  const first = drivers[0]?.name ?? "lamp";
  const example = `{ "opcode": "ON", "task": "Switch on", "operands": [], "action": { "set": { "${first}": "on" } } }`;
  const records = device.sections("opcodes", "an opcode", `the commands the device takes, e.g. "opcodes": [${example}]`);
  if (records.length === 0) device.fail("opcodes", `declare at least one opcode, e.g. ${example}`);
  const seen = new Map<string, number>();
  return records.map((record, index) => {
    record.allow(["opcode", "task", "operands", "action", "example"], "an opcode");
    const opcode = record.text("opcode", `the command word, upper case, e.g. "opcode": "PREHEAT"`);
    if (!OPCODE().test(opcode)) {
      const suggestion = opcode.toUpperCase().replace(/[^A-Z0-9_]+/g, "_").replace(/^[^A-Z]+/, "");
      record.fail("opcode", `${describe(opcode)} is not an opcode: upper-case letters, digits and _, starting with a letter${suggestion ? `, e.g. "${suggestion}"` : ""}`);
    }
    if (RESERVED.includes(opcode)) record.fail("opcode", `${opcode} is reserved: the device answers help, status and declare itself; choose another word`);
    const earlier = seen.get(opcode);
    if (earlier !== undefined) record.fail("opcode", `duplicate opcode ${opcode} (also opcodes[${earlier}]); commands are matched case-insensitively, so opcodes must differ by more than case`);
    seen.set(opcode, index);
    const task = record.text("task", `a short description for help, e.g. "task": "Preheat"`);
    const operands = readOperands(record);
    const action = readAction(record, { opcode, operands, drivers, sensors });
    const draft: Opcode = { opcode, task, operands, action, example: "" };
    return { ...draft, example: readExample(record, draft) };
  });
}

function readOperands(record: Section): Operand[] {
  const seen = new Map<string, number>();
  return (record.sections("operands", "an operand") ?? []).map((section, index) => {
    const operand = readOperand(section);
    const earlier = seen.get(operand.name);
    if (earlier !== undefined) section.fail("name", `duplicate operand name "${operand.name}" (also operands[${earlier}])`);
    seen.set(operand.name, index);
    return operand;
  });
}

function readOperand(section: Section): Operand {
  section.allow(ANY_OPERAND_KEY, "an operand");
  const name = section.text("name", `the operand's name, lower case, e.g. "name": "temp"`);
  if (!OPERAND_NAME().test(name)) section.fail("name", `operand names are lower-case words (a-z, 0-9, _) starting with a letter, got ${describe(name)}`);
  const type = section.text("type", `one of ${OPERAND_TYPES.join(", ")}`) as OperandType;
  if (!OPERAND_TYPES.includes(type)) section.fail("type", `unknown operand type ${describe(type)} (types: ${OPERAND_TYPES.join(", ")})`);
  section.allow(OPERAND_KEYS[type], `an ${type} operand`);
  const none = { unit: undefined, min: undefined, max: undefined, values: undefined };
  switch (type) {
    case "onoff":
      return { name, type, ...none };
    case "enum":
      return { name, type, ...none, values: readWords(section) };
    case "duration": {
      const unit = section.choice("unit", ["s", "min", "h"] as const, `the unit the duration is given in: "s", "min" or "h"`);
      return { name, type, ...none, unit, ...readRange(section, false, DURATION_UNITS[unit]) };
    }
    default:
      return { name, type, ...none, unit: section.text("unit"), ...readRange(section, type === "integer", undefined) };
  }
}

/** min and max, required; a duration's (`msPer` set) must be >= 0 and fit a timer. */
function readRange(section: Section, whole: boolean, msPer: number | undefined): { min: number; max: number } {
  const limits = msPer === undefined ? { whole } : { min: 0 };
  const min = section.number("min", limits, `the lowest value a command may give, e.g. "min": 0`);
  const max = section.number("max", limits, `the highest value a command may give, e.g. "max": 100`);
  if (max < min) section.fail("max", `max (${max}) is below min (${min}): the range is inverted`);
  if (msPer !== undefined) section.milliseconds("max", msPer, limits);
  return { min, max };
}

function readWords(section: Section): string[] {
  const values = section.list("values", `the words a command may give, e.g. "values": ["low", "medium", "high"]`);
  if (values.length === 0) section.fail("values", `list at least one word, e.g. ["low", "medium", "high"]`);
  const seen = new Map<string, number>();
  return values.map((value, index) => {
    const path = childPath(section.keyPath("values"), index);
    if (typeof value !== "string" || !WORD().test(value)) section.failAt(path, `expected one word (letters, digits, _ . + -), got ${describe(value)}`);
    const earlier = seen.get(value.toLowerCase());
    if (earlier !== undefined) section.failAt(path, `"${value}" repeats values[${earlier}]; values are matched case-insensitively, so they must differ by more than case`);
    seen.set(value.toLowerCase(), index);
    return value;
  });
}

function readAction(record: Section, scope: Scope): Action {
  const action = record.section("action", "the action", `what the opcode does: { "set": { "<driver>": <value> } } (with "for": <duration>), { "sequence": [ ... ] } or { "safe": true }`);
  action.allow(["set", "for", "sequence", "safe"], "an action");
  if (action.has("safe")) {
    const other = ["set", "for", "sequence"].find((key) => action.has(key));
    if (other) action.fail(other, `${other} cannot be combined with "safe": true`);
    if (action.get("safe") !== true) action.fail("safe", `expected true ("safe": true puts every driver in its safe state), got ${describe(action.get("safe"))}`);
    return { kind: "safe" };
  }
  if (action.has("sequence")) {
    const other = ["set", "for"].find((key) => action.has(key));
    if (other) action.fail(other, `${other} cannot be combined with a sequence: give each step its own set and for`);
    const steps = action.sections("sequence", "a step", "");
    if (steps.length === 0) action.fail("sequence", `a sequence needs at least one step, e.g. [{ "set": { "${scope.drivers[0]!.name}": "on" }, "for": 30 }]`);
    return { kind: "sequence", steps: steps.map((step) => readStep(step, scope, true)) };
  }
  if (!action.has("set")) {
    if (action.has("for")) action.fail("for", `for needs a set: the drivers to set for that long`);
    action.fail(undefined, `empty action: use { "set": { ... } } (with "for"), { "sequence": [ ... ] } or { "safe": true }`);
  }
  return { kind: "set", step: readStep(action, scope, false) };
}

function readStep(step: Section, scope: Scope, needsFor: boolean): Step {
  step.allow(["set", "for"], "a step");
  const set = step.section("set", "the drivers to set, by name", `the drivers this step sets, e.g. "set": { "${scope.drivers[0]!.name}": "on" }`);
  const names = set.keys();
  if (names.length === 0) step.fail("set", `set names no driver: e.g. "set": { "${scope.drivers[0]!.name}": "on" }`);
  const values = new Map(names.map((name) => [name, readValue(set, name, scope)] as const));
  let duration: DurationSource | undefined;
  if (step.has("for")) duration = readDuration(step, scope);
  else if (needsFor) step.fail("for", `missing: how long this step lasts: seconds (e.g. "for": 30) or a duration operand (e.g. "for": "$time")`);
  return { set: values, for: duration };
}

/** The operand that "$name" refers to. */
function referredOperand(section: Section, key: string, reference: string, scope: Scope): Operand {
  const name = reference.slice(1);
  const operand = scope.operands.find((declared) => declared.name === name);
  if (operand) return operand;
  const known = scope.operands.length ? `operands: ${scope.operands.map((declared) => declared.name).join(", ")}` : "it has no operands";
  return section.fail(key, `${scope.opcode} has no operand "${name}" (${known})`);
}

function readDuration(step: Section, scope: Scope): DurationSource {
  const value = step.get("for");
  if (typeof value === "string" && value.startsWith("$")) {
    const operand = referredOperand(step, "for", value, scope);
    if (operand.type !== "duration") step.fail("for", `for takes a duration operand, but ${operand.name} is ${article(operand.type)} ${operand.type} operand: make it "type": "duration" with a "unit"`);
    return { operand: operand.name };
  }
  if (typeof value !== "number") step.fail("for", `expected a number of seconds or "$operand" naming a duration operand, got ${describe(value)}`);
  return { ms: step.milliseconds("for", 1000, { above: 0 }, "") };
}

function article(word: string): string {
  return /^[aeiou]/.test(word) ? "an" : "a";
}

/** The numbers a driver takes, or undefined for a relay (on/off only). */
function accepted(driver: DriverDeclaration): { min: number; max: number; what: string } | undefined {
  if (driver.kind === "relay") return undefined;
  if (driver.kind === "heater" && driver.sensor !== undefined) {
    return { min: 0, max: driver.maxC ?? 0, what: `heater ${driver.name} takes a target of 0–${formatNumber(driver.maxC ?? 0)} °C (up to its max_c)` };
  }
  const level = driver.kind === "heater" ? "power" : "level";
  return { min: 0, max: 100, what: `${driver.kind} ${driver.name} takes a ${level} of 0–100 %` };
}

function readValue(set: Section, name: string, scope: Scope): ValueSource {
  const driver = scope.drivers.find((declared) => declared.name === name);
  if (driver === undefined) {
    const sensor = scope.sensors.some((declared) => declared.name === name) ? `; ${name} is a sensor, which cannot be set` : "";
    set.fail(name, `no driver "${name}" (drivers: ${scope.drivers.map((declared) => declared.name).join(", ")})${sensor}`);
  }
  const value = set.get(name);
  const range = accepted(driver);
  if (typeof value === "string" && value.startsWith("$")) {
    const operand = referredOperand(set, name, value, scope);
    const problem = operandProblem(driver, operand, range);
    if (problem) set.fail(name, problem);
    return { operand: operand.name };
  }
  return { literal: literalValue(set, name, value, driver, range) };
}

/** Why an operand's values, over its whole range, are not all ones the driver takes. */
function operandProblem(driver: DriverDeclaration, operand: Operand, range: ReturnType<typeof accepted>): string | undefined {
  const given = `${operand.name} is ${article(operand.type)} ${operand.type} operand`;
  if (range === undefined) {
    return operand.type === "onoff" ? undefined : `relay ${driver.name} is switched on or off, so it takes an onoff operand; ${given}`;
  }
  if (operand.type === "onoff") {
    return driver.kind === "dimmer" ? undefined : `${range.what}, not on/off; ${given}`;
  }
  if (operand.type !== "integer" && operand.type !== "number") return `${range.what}; ${given}`;
  const min = operand.min ?? -Infinity;
  const max = operand.max ?? Infinity;
  if (min >= range.min && max <= range.max) return undefined;
  return `${operand.name} ranges ${formatNumber(min)}–${formatNumber(max)}, but ${range.what}: narrow the operand's min and max`;
}

function literalValue(set: Section, name: string, value: unknown, driver: DriverDeclaration, range: ReturnType<typeof accepted>): DriverValue {
  const on = onOffLiteral(value);
  if (on === undefined && typeof value !== "number") {
    set.fail(name, `expected true/false, "on"/"off", a number, or "$operand" naming an operand, got ${describe(value)}`);
  }
  if (range === undefined) {
    if (on === undefined) set.fail(name, `relay ${driver.name} is switched on or off: use "on" or "off" (or true/false), got ${describe(value)}`);
    return on;
  }
  if (on !== undefined) {
    if (driver.kind === "dimmer") return on ? 100 : 0;
    if (!on) return 0;
    set.fail(name, `${range.what}: give it as a number, not ${describe(value)}`);
  }
  const level = value as number;
  if (!Number.isFinite(level) || level < range.min || level > range.max) set.fail(name, `${range.what}, got ${describe(value)}`);
  return level;
}

/** The declared example, which must be a command that works, or one made from typical values. */
function readExample(record: Section, draft: Opcode): string {
  const declared = record.text("example");
  if (declared === undefined) return [draft.opcode, ...draft.operands.map(exampleToken)].join(" ");
  const tokens = declared.split(/\s+/);
  if (tokens[0]!.toUpperCase() !== draft.opcode) record.fail("example", `${describe(declared)} is not a ${draft.opcode} command: start it with ${draft.opcode}`);
  try {
    parseOperands(draft, tokens.slice(1));
  } catch (error) {
    if (error instanceof CommandError) record.fail("example", `${describe(declared)} does not work: ${error.message}`);
    throw error;
  }
  return tokens.join(" ");
}
