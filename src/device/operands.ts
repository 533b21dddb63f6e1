// One operand of a command: its token parsed into a typed value (durations in ms) or the reason it
// is refused, worded for the `error:` reply; also how operands read in help, usage and examples.

import type { Operand } from "./types.js";

/** Milliseconds in one unit of a duration operand. */
export const DURATION_UNITS: Readonly<Record<string, number>> = Object.freeze({ s: 1000, min: 60_000, h: 3_600_000 });

export type OperandResult = { readonly value: number | boolean | string } | { readonly reason: string };

const INTEGER = () => /^[+-]?\d+$/;
// A decimal point only: no exponent, hex, Infinity or NaN, which Number() would all accept.
const DECIMAL = () => /^[+-]?(?:\d+\.?\d*|\.\d+)$/;
const ON = ["on", "1", "true"];
const OFF = ["off", "0", "false"];

/** A token as a reply quotes it: chat lines can be long, replies should not be. */
export function quoted(token: string): string {
  return JSON.stringify(token.length > 24 ? `${token.slice(0, 24)}…` : token);
}

/** A number as a command would be typed: never with an exponent, which operands refuse. */
export function formatNumber(value: number): string {
  const text = String(value);
  if (!/e/i.test(text)) return text;
  if (Math.abs(value) >= 1) return BigInt(Math.round(value)).toString();
  return value.toFixed(20).replace(/0+$/, "");
}

/** "50–400 C", "0.5–2", "low|medium|high", "on|off": the part of help and usage after the name. */
export function operandDetail(operand: Operand, separator: string): string {
  if (operand.type === "enum") return (operand.values ?? []).join("|");
  if (operand.type === "onoff") return "on|off";
  const range = `${formatNumber(operand.min ?? 0)}–${formatNumber(operand.max ?? 0)}`;
  return operand.unit ? `${operand.unit}${separator}${range}` : range;
}

function refuse(reason: string): OperandResult {
  return { reason };
}

function inRange(operand: Operand, token: string, value: number): OperandResult {
  const { min, max, unit } = operand;
  if ((min !== undefined && value < min) || (max !== undefined && value > max)) {
    const range = `between ${formatNumber(min ?? -Infinity)} and ${formatNumber(max ?? Infinity)}${unit ? ` ${unit}` : ""}`;
    return refuse(`${operand.name} must be ${range}, got ${token.length > 24 ? quoted(token) : token}`);
  }
  return { value: value + 0 }; // + 0 turns "-0" into 0
}

/** The typed value of `token` for `operand`, or why it is not one. */
export function parseOperand(operand: Operand, token: string): OperandResult {
  const name = operand.name;
  switch (operand.type) {
    case "integer":
      if (!INTEGER().test(token)) return refuse(`${name} must be a whole number, got ${quoted(token)}`);
      return inRange(operand, token, Number(token));
    case "number":
      if (!DECIMAL().test(token)) {
        const comma = /^[+-]?\d*,\d+$/.test(token) ? ` with "." as the decimal point` : "";
        return refuse(`${name} must be a number${comma}, got ${quoted(token)}`);
      }
      return inRange(operand, token, Number(token));
    case "duration": {
      if (!DECIMAL().test(token)) return refuse(`${name} must be a number of ${operand.unit}, got ${quoted(token)}`);
      const checked = inRange(operand, token, Number(token));
      if ("reason" in checked) return checked;
      return { value: Math.round((checked.value as number) * (DURATION_UNITS[operand.unit ?? "s"] ?? 1000)) };
    }
    case "enum": {
      const values = operand.values ?? [];
      const word = token.toLowerCase();
      const value = values.find((candidate) => candidate.toLowerCase() === word);
      if (value === undefined) return refuse(`${name} must be one of ${values.join(", ")}, got ${quoted(token)}`);
      return { value };
    }
    case "onoff": {
      const word = token.toLowerCase();
      if (ON.includes(word)) return { value: true };
      if (OFF.includes(word)) return { value: false };
      return refuse(`${name} must be on or off, got ${quoted(token)}`);
    }
  }
}

/** A round number near the middle of [min, max]: within a tenth of the range, the coarsest step that lands there. */
function typical(min: number, max: number, whole: boolean): number {
  const middle = (min + max) / 2;
  const tolerance = (max - min) / 10;
  for (let exponent = 3; exponent >= (whole ? 0 : -6); exponent--) {
    for (const mantissa of [5, 1]) {
      // Dividing by a power of ten (not multiplying by 0.1...) keeps 0.3 from becoming 0.30000000000000004.
      const candidate = exponent >= 0
        ? Math.round(middle / (mantissa * 10 ** exponent)) * mantissa * 10 ** exponent
        : (Math.round((middle * 10 ** -exponent) / mantissa) * mantissa) / 10 ** -exponent;
      if (candidate >= min && candidate <= max && Math.abs(candidate - middle) <= tolerance) return candidate;
    }
  }
  return whole ? Math.round(middle) : middle;
}

/** A token that `parseOperand` accepts, for help's example column. */
export function exampleToken(operand: Operand): string {
  switch (operand.type) {
    case "enum":
      return operand.values?.[0] ?? "";
    case "onoff":
      return "on";
    default:
      return formatNumber(typical(operand.min ?? 0, operand.max ?? 0, operand.type === "integer") + 0);
  }
}
