// One operand token -> its typed value, or the exact reason the reply gives; and the example tokens help shows.

import { assert } from "../../support/assert.js";
import { exampleToken, formatNumber, parseOperand, type OperandResult } from "../../../src/device/operands.js";
import type { Operand } from "../../../src/device/types.js";

function operand(fields: Partial<Operand> & Pick<Operand, "name" | "type">): Operand {
  return { unit: undefined, min: undefined, max: undefined, values: undefined, ...fields };
}

const temp = operand({ name: "temp", type: "integer", unit: "C", min: 50, max: 400 });
const offset = operand({ name: "offset", type: "integer", min: -10, max: 10 });
const ratio = operand({ name: "ratio", type: "number", min: 0.5, max: 2 });
const minutes = operand({ name: "time", type: "duration", unit: "min", min: 1, max: 120 });
const seconds = operand({ name: "delay", type: "duration", unit: "s", min: 0, max: 90 });
const hours = operand({ name: "span", type: "duration", unit: "h", min: 0.5, max: 12 });
const mode = operand({ name: "mode", type: "enum", values: ["low", "Medium", "HIGH"] });
const power = operand({ name: "power", type: "onoff" });

function value(op: Operand, token: string): unknown {
  const result: OperandResult = parseOperand(op, token);
  if ("reason" in result) assert.fail(`${token}: ${result.reason}`);
  return result.value;
}

function reason(op: Operand, token: string): string {
  const result = parseOperand(op, token);
  if (!("reason" in result)) assert.fail(`${token} was accepted as ${String(result.value)}`);
  return result.reason;
}

describe("operands", () => {
  it("integer: optional sign and digits, within the range", () => {
    assert.equal(value(temp, "350"), 350);
    assert.equal(value(temp, "+50"), 50);
    assert.equal(value(temp, "0400"), 400);
    assert.equal(value(offset, "-10"), -10);
    assert.ok(Object.is(value(offset, "-0"), 0), "-0 is 0");
  });

  it("integer: refuses anything but digits, and values out of range, with the unit", () => {
    assert.equal(reason(temp, "35x"), `temp must be a whole number, got "35x"`);
    assert.equal(reason(temp, "350.0"), `temp must be a whole number, got "350.0"`);
    assert.equal(reason(temp, "3e2"), `temp must be a whole number, got "3e2"`);
    assert.equal(reason(temp, "+"), `temp must be a whole number, got "+"`);
    assert.equal(reason(temp, "500"), "temp must be between 50 and 400 C, got 500");
    assert.equal(reason(temp, "49"), "temp must be between 50 and 400 C, got 49");
    assert.equal(reason(offset, "11"), "offset must be between -10 and 10, got 11");
  });

  it("number: a decimal with a point; no exponent, hex, Infinity or NaN", () => {
    assert.equal(value(ratio, "1.25"), 1.25);
    assert.equal(value(ratio, ".5"), 0.5);
    assert.equal(value(ratio, "2"), 2);
    assert.equal(value(ratio, "+1."), 1);
    for (const token of ["1e0", "0x1", "Infinity", "NaN", "1.2.3", "", "-"]) {
      assert.equal(reason(ratio, token), `ratio must be a number, got ${JSON.stringify(token)}`);
    }
    assert.equal(reason(ratio, "1,5"), `ratio must be a number with "." as the decimal point, got "1,5"`);
    assert.equal(reason(ratio, "2.01"), "ratio must be between 0.5 and 2, got 2.01");
  });

  it("duration: a number in its unit, as milliseconds", () => {
    assert.equal(value(minutes, "20"), 1_200_000);
    assert.equal(value(minutes, "1.5"), 90_000);
    assert.equal(value(seconds, "0"), 0);
    assert.equal(value(seconds, "0.25"), 250);
    assert.equal(value(hours, "2"), 7_200_000);
    assert.equal(reason(minutes, "20m"), `time must be a number of min, got "20m"`);
    assert.equal(reason(minutes, "121"), "time must be between 1 and 120 min, got 121");
    assert.equal(reason(hours, "0.25"), "span must be between 0.5 and 12 h, got 0.25");
  });

  it("enum: matched in any case, returned as declared", () => {
    assert.equal(value(mode, "LOW"), "low");
    assert.equal(value(mode, "medium"), "Medium");
    assert.equal(value(mode, "High"), "HIGH");
    assert.equal(reason(mode, "hot"), `mode must be one of low, Medium, HIGH, got "hot"`);
  });

  it("onoff: on/off, 1/0, true/false in any case", () => {
    for (const token of ["on", "ON", "1", "true", "True"]) assert.equal(value(power, token), true, token);
    for (const token of ["off", "Off", "0", "false", "FALSE"]) assert.equal(value(power, token), false, token);
    assert.equal(reason(power, "maybe"), `power must be on or off, got "maybe"`);
    assert.equal(reason(power, "yes"), `power must be on or off, got "yes"`);
  });

  it("quotes at most 24 characters of a long token", () => {
    const long = "x".repeat(100);
    assert.equal(reason(mode, long), `mode must be one of low, Medium, HIGH, got "${"x".repeat(24)}…"`);
    assert.equal(reason(temp, "9".repeat(30)), `temp must be between 50 and 400 C, got "${"9".repeat(24)}…"`);
  });

  it("examples: a round value near the middle of the range, the first enum value, on", () => {
    assert.equal(exampleToken(temp), "200");
    assert.equal(exampleToken(minutes), "50");
    assert.equal(exampleToken(operand({ name: "t", type: "duration", unit: "min", min: 1, max: 60 })), "30");
    assert.equal(exampleToken(offset), "0");
    assert.equal(exampleToken(ratio), "1.3");
    assert.equal(exampleToken(operand({ name: "n", type: "integer", min: 1, max: 2 })), "2");
    assert.equal(exampleToken(operand({ name: "n", type: "integer", min: 7, max: 7 })), "7");
    assert.equal(exampleToken(operand({ name: "x", type: "number", min: 0.1, max: 0.3 })), "0.2");
    assert.equal(exampleToken(mode), "low");
    assert.equal(exampleToken(power), "on");
    for (const op of [temp, minutes, offset, ratio, hours, seconds, mode, power]) {
      assert.ok(!("reason" in parseOperand(op, exampleToken(op))), `${op.name}'s example parses`);
    }
  });

  it("formats numbers without an exponent, so examples parse", () => {
    assert.equal(formatNumber(1e-7), "0.0000001");
    assert.equal(formatNumber(1e21), "1000000000000000000000");
    assert.equal(formatNumber(-2.5), "-2.5");
  });
});
