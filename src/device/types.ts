// The checked form of a device declaration: what the device layer runs (the declaration module
// produces it from `config.device`, the device executes it).

import type { DriverDeclaration, SensorDeclaration } from "../drivers/declarations.js";

import type { DriverValue } from "../drivers/driver.js";

export type { DriverValue };

export type OperandType = "integer" | "number" | "enum" | "onoff" | "duration";

export interface Operand {
  readonly name: string;
  readonly type: OperandType;
  /** As declared ("C", "min", "%"); for duration one of s, min, h. */
  readonly unit: string | undefined;
  readonly min: number | undefined;
  readonly max: number | undefined;
  /** enum only. */
  readonly values: readonly string[] | undefined;
}

/** A value in an action: a literal, or the value of one of the opcode's operands. */
export type ValueSource = { readonly literal: DriverValue } | { readonly operand: string };

/** A duration in an action: literal milliseconds, or a duration operand (already in ms when parsed). */
export type DurationSource = { readonly ms: number } | { readonly operand: string };

export interface Step {
  /** Driver name -> value. */
  readonly set: ReadonlyMap<string, ValueSource>;
  /** Undefined: hold (only for a plain `set` action). */
  readonly for: DurationSource | undefined;
}

export type Action =
  | { readonly kind: "set"; readonly step: Step }
  | { readonly kind: "sequence"; readonly steps: readonly Step[] }
  | { readonly kind: "safe" };

export interface Opcode {
  /** As declared, upper case. */
  readonly opcode: string;
  readonly task: string;
  readonly operands: readonly Operand[];
  readonly action: Action;
  /** A command line that works, for `help`. */
  readonly example: string;
}

/** Operand values of a parsed command: numbers (durations in ms), booleans (onoff), strings (enum, as declared). */
export type OperandValues = ReadonlyMap<string, number | boolean | string>;

export interface Command {
  readonly opcode: Opcode;
  readonly values: OperandValues;
}

export interface DeviceDeclaration {
  readonly name: string;
  /** Disconnected this long, every output goes safe. */
  readonly graceMs: number;
  readonly drivers: readonly DriverDeclaration[];
  readonly sensors: readonly SensorDeclaration[];
  readonly opcodes: readonly Opcode[];
}

export type { DriverDeclaration, SensorDeclaration };
