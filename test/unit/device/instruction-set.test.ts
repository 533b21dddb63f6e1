// The microwave's instruction set: help like the paper's Table 1, and chat lines parsed into
// commands or refused with the exact reason the reply gives.

import { assert } from "../../support/assert.js";
import { readDeviceDeclaration } from "../../../src/device/declaration.js";
import { CommandError, InstructionSet, usage } from "../../../src/device/instruction-set.js";
import { microwave, SOURCE } from "./fixtures/microwave.js";

const instructions = new InstructionSet(readDeviceDeclaration(microwave(), SOURCE));

function values(text: string): Record<string, unknown> {
  return Object.fromEntries(instructions.parse(text).values);
}

function refusal(text: string): string {
  try {
    instructions.parse(text);
  } catch (error) {
    if (error instanceof CommandError) return error.message;
    throw error;
  }
  return assert.fail(`${JSON.stringify(text)} was accepted`);
}

describe("instruction set", () => {
  it("renders help like the paper's Table 1, padded for a monospace font", () => {
    assert.equal(
      instructions.help(),
      [
        "Microwave: commands",
        "Task            | Opcode  | Operand 1        | Operand 2         | Example",
        "Preheat         | PREHEAT | TEMP (C, 50–400) | TIME (min, 1–120) | PREHEAT 200 50",
        "Grill           | GRILL   | TIME (min, 1–60) | —                 | GRILL 30",
        "Stop everything | STOP    | —                | —                 | STOP",
        "Also: help (this list), status (outputs and timers)",
      ].join("\n"),
    );
  });

  it("shows a declared example instead of the computed one", () => {
    const device = microwave();
    device.opcodes[0].example = "PREHEAT 350 20";
    device.opcodes[1].example = "grill  15";
    const help = new InstructionSet(readDeviceDeclaration(device, SOURCE)).help().split("\n");
    assert.equal(help[2], "Preheat         | PREHEAT | TEMP (C, 50–400) | TIME (min, 1–120) | PREHEAT 350 20");
    assert.equal(help[3], "Grill           | GRILL   | TIME (min, 1–60) | —                 | grill 15");
  });

  it("renders enum and onoff operands, and one operand column when no opcode has operands", () => {
    const device = {
      name: "Fan",
      drivers: { fan: { kind: "relay", pin: 4 }, lamp: { kind: "dimmer", pin: 5 } },
      opcodes: [
        { opcode: "FAN", task: "Fan on/off", operands: [{ name: "power", type: "onoff" }], action: { set: { fan: "$power" } } },
        { opcode: "MODE", task: "Mode", operands: [{ name: "mode", type: "enum", values: ["low", "high"] }], action: { set: { fan: "on" } } },
        { opcode: "DIM", task: "Dim", operands: [{ name: "level", type: "number", min: 0, max: 100 }], action: { set: { lamp: "$level" } } },
      ],
    };
    assert.equal(
      new InstructionSet(readDeviceDeclaration(device, SOURCE)).help(),
      [
        "Fan: commands",
        "Task       | Opcode | Operand 1       | Example",
        "Fan on/off | FAN    | POWER (on|off)  | FAN on",
        "Mode       | MODE   | MODE (low|high) | MODE low",
        "Dim        | DIM    | LEVEL (0–100)   | DIM 50",
        "Also: help (this list), status (outputs and timers)",
      ].join("\n"),
    );
    const bare = { name: "Bell", drivers: { bell: { kind: "relay", pin: 2 } }, opcodes: [{ opcode: "RING", task: "Ring", action: { set: { bell: "on" }, for: 1 } }] };
    assert.equal(
      new InstructionSet(readDeviceDeclaration(bare, SOURCE)).help(),
      ["Bell: commands", "Task | Opcode | Operand 1 | Example", "Ring | RING   | —         | RING", "Also: help (this list), status (outputs and timers)"].join("\n"),
    );
  });

  it("says how to call each opcode", () => {
    assert.equal(usage(instructions.find("PREHEAT")!), "PREHEAT <temp C 50–400> <time min 1–120>");
    assert.equal(usage(instructions.find("GRILL")!), "GRILL <time min 1–60>");
    assert.equal(usage(instructions.find("STOP")!), "STOP");
  });

  it("finds opcodes in any case, and lists them in declaration order", () => {
    assert.equal(instructions.find("preheat")?.opcode, "PREHEAT");
    assert.equal(instructions.find("Grill")?.opcode, "GRILL");
    assert.equal(instructions.find("GRIL"), undefined);
    assert.deepEqual(instructions.opcodes.map((opcode) => opcode.opcode), ["PREHEAT", "GRILL", "STOP"]);
  });

  it("parses the paper's commands, durations in ms, in any case and spacing", () => {
    const command = instructions.parse("PREHEAT 350 20");
    assert.equal(command.opcode, instructions.find("PREHEAT"));
    assert.deepEqual(values("PREHEAT 350 20"), { temp: 350, time: 1_200_000 });
    assert.deepEqual(values("preheat 350 20"), { temp: 350, time: 1_200_000 });
    assert.deepEqual(values("  Preheat\t350 \n 20  "), { temp: 350, time: 1_200_000 });
    assert.deepEqual(values("GRILL 15"), { time: 900_000 });
    assert.deepEqual(values("grill 1.5"), { time: 90_000 });
    assert.deepEqual(values("STOP"), {});
  });

  it("every help example parses", () => {
    for (const opcode of instructions.opcodes) assert.equal(instructions.parse(opcode.example).opcode, opcode);
  });

  it("refuses the wrong number of operands first, with the usage", () => {
    assert.equal(refusal("PREHEAT 350"), "PREHEAT takes 2 operands (temp, time), got 1: usage PREHEAT <temp C 50–400> <time min 1–120>");
    assert.equal(refusal("PREHEAT hot"), "PREHEAT takes 2 operands (temp, time), got 1: usage PREHEAT <temp C 50–400> <time min 1–120>");
    assert.equal(refusal("GRILL"), "GRILL takes 1 operand (time), got 0: usage GRILL <time min 1–60>");
    assert.equal(refusal("GRILL 15 20"), "GRILL takes 1 operand (time), got 2: usage GRILL <time min 1–60>");
    assert.equal(refusal("STOP now"), "STOP takes no operands, got 1: usage STOP");
  });

  it("refuses the first bad operand precisely: type, then range", () => {
    assert.equal(refusal("PREHEAT 35x 20"), `temp must be a whole number, got "35x"`);
    assert.equal(refusal("PREHEAT 500 20"), "temp must be between 50 and 400 C, got 500");
    assert.equal(refusal("PREHEAT 500 abc"), "temp must be between 50 and 400 C, got 500");
    assert.equal(refusal("PREHEAT 350 abc"), `time must be a number of min, got "abc"`);
    assert.equal(refusal("GRILL 61"), "time must be between 1 and 60 min, got 61");
  });

  it("refuses unknown commands and empty text, pointing at help", () => {
    assert.equal(refusal("FOO"), `unknown command "FOO"; send help for the list of commands`);
    assert.equal(refusal("foo 1 2"), `unknown command "foo"; send help for the list of commands`);
    assert.equal(refusal(""), "empty command; send help for the list of commands");
    assert.equal(refusal(" \t\n"), "empty command; send help for the list of commands");
  });

  it("leaves help and status to the device: to parse they are unknown", () => {
    assert.equal(refusal("help"), `unknown command "help"; send help for the list of commands`);
    assert.equal(refusal("STATUS"), `unknown command "STATUS"; send help for the list of commands`);
  });

  it("returns frozen commands", () => {
    const command = instructions.parse("GRILL 15");
    assert.ok(Object.isFrozen(command));
    assert.throws(() => (command.values as Map<string, unknown>).set("time", 1), TypeError);
    assert.throws(() => (command.values as Map<string, unknown>).delete("time"), TypeError);
    assert.equal(command.values.get("time"), 900_000);
  });

  it("returns operand values that refuse every change, and keeps them apart per command", () => {
    const first = instructions.parse("PREHEAT 200 10");
    const second = instructions.parse("PREHEAT 350 20");
    const values = first.values as Map<string, unknown>;
    assert.ok(values instanceof Map && Object.isFrozen(values));
    assert.throws(() => values.clear(), /read-only/);
    assert.throws(() => values.set("temp", 1), /read-only/);
    assert.throws(() => Object.defineProperty(values, "set", { value: () => values }), TypeError);
    assert.deepEqual([...first.values], [["temp", 200], ["time", 600_000]]);
    assert.deepEqual([...second.values], [["temp", 350], ["time", 1_200_000]]);
    assert.throws(() => Object.setPrototypeOf(Object.getPrototypeOf(values), null), TypeError, "the refusing methods' prototype is frozen");
  });
});
