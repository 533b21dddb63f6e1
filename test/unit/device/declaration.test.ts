// A valid `config.device` read into the typed, deep-frozen declaration: the paper's microwave,
// defaults, and a device that uses every operand type and every action kind.

import { assert } from "../../support/assert.js";
import { readDeviceDeclaration } from "../../../src/device/declaration.js";
import { InstructionSet } from "../../../src/device/instruction-set.js";
import type { Action, Step } from "../../../src/device/types.js";
import { microwave, SOURCE, type Json } from "./fixtures/microwave.js";

function step(action: Action): Step {
  if (action.kind !== "set") return assert.fail(`expected a set action, got ${action.kind}`);
  return action.step;
}

/** Every operand type, every action kind, every driver kind with and without a sensor. */
function kitchen(): Json {
  return {
    name: "Kitchen",
    sensors: { probe: { kind: "temperature", pin: "A0" } },
    drivers: {
      hob: { kind: "heater", pin: 4, output: "pwm", hz: 500 },
      kettle: { kind: "heater", pin: "5", output: "relay", sensor: "probe", max_c: 100, cutoff_c: 110, active: "low" },
      hood: { kind: "relay", pin: 12, safe: "off", interlock: "air", max_on_s: 0.5 },
      vent: { kind: "relay", pin: 13, safe: "on" },
      light: { kind: "dimmer", pin: 14, safe: "on" },
    },
    opcodes: [
      { opcode: "HOB", task: "Hob power", operands: [{ name: "power", type: "number", unit: "%", min: 0, max: 100 }], action: { set: { hob: "$power" } } },
      { opcode: "BOIL", task: "Boil", operands: [{ name: "temp", type: "integer", unit: "C", min: 40, max: 100 }, { name: "time", type: "duration", unit: "s", min: 10, max: 600 }], action: { set: { kettle: "$temp" }, for: "$time" } },
      { opcode: "HOOD", task: "Hood", operands: [{ name: "power", type: "onoff" }], action: { set: { hood: "$power", light: "$power" } } },
      { opcode: "SPEED", task: "Hood speed", operands: [{ name: "speed", type: "enum", values: ["low", "High"] }], action: { set: { hood: true, vent: false, light: "on" } } },
      { opcode: "AIR", task: "Air out", operands: [{ name: "span", type: "duration", unit: "h", min: 0.5, max: 2 }], action: { sequence: [{ set: { vent: "on", light: 30 }, for: 90 }, { set: { vent: "off", hob: "off", light: "off" }, for: "$span" }] } },
      { opcode: "OFF", task: "All off", operands: [], action: { safe: true } },
    ],
  };
}

describe("device declaration", () => {
  it("reads the paper's microwave into the typed declaration", () => {
    const device = readDeviceDeclaration(microwave(), SOURCE);
    assert.equal(device.name, "Microwave");
    assert.equal(device.graceMs, 60_000);
    assert.deepEqual(device.sensors, [{ name: "cavity", kind: "temperature", pin: 34, analog: { mvAt0C: 1250, mvPerC: 5, vrefMv: undefined }, plausible: { minC: -40, maxC: 1000 }, simulation: { ambientC: 20, heatCPerS: 4, lossPerS: 0.01 } }]);
    assert.deepEqual(device.drivers, [
      { name: "oven", pin: 25, active: "high", maxOnMs: 7_200_000, kind: "heater", output: "relay", hz: 1000, periodMs: 10_000, sensor: "cavity", maxC: 400, cutoffC: 450 },
      { name: "grill", pin: 26, active: "high", maxOnMs: 3_600_000, kind: "relay", safe: false, interlock: "heat", interlockWaitMs: 500 },
      { name: "fan", pin: 27, active: "high", maxOnMs: undefined, kind: "relay", safe: false, interlock: undefined, interlockWaitMs: 0 },
      { name: "lamp", pin: 13, active: "high", maxOnMs: undefined, kind: "dimmer", hz: 1000, safe: 0 },
    ]);
    const [preheat, grill, stop] = device.opcodes;
    assert.equal(preheat!.opcode, "PREHEAT");
    assert.equal(preheat!.task, "Preheat");
    assert.deepEqual(preheat!.operands, [
      { name: "temp", type: "integer", unit: "C", min: 50, max: 400, values: undefined },
      { name: "time", type: "duration", unit: "min", min: 1, max: 120, values: undefined },
    ]);
    assert.deepEqual(preheat!.action, {
      kind: "set",
      step: { set: new Map([["oven", { operand: "temp" }], ["fan", { literal: true }]]), for: { operand: "time" } },
    });
    assert.equal(preheat!.example, "PREHEAT 200 50");
    assert.deepEqual(grill!.action, { kind: "set", step: { set: new Map([["grill", { literal: true }]]), for: { operand: "time" } } });
    assert.equal(grill!.example, "GRILL 30");
    assert.deepEqual(stop!.action, { kind: "safe" });
    assert.deepEqual(stop!.operands, []);
    assert.equal(stop!.example, "STOP");
  });

  it("fills the defaults", () => {
    const device = readDeviceDeclaration(
      {
        name: " Lamp ",
        drivers: { lamp: { kind: "dimmer", pin: 2 }, heat: { kind: "heater", pin: 3, output: "pwm" }, probe_heat: { kind: "heater", pin: 6, output: "relay" } },
        sensors: { air: { kind: "temperature", pin: 7 } },
        opcodes: [{ opcode: "ON", task: "On", action: { set: { lamp: "On" } } }],
      },
      SOURCE,
    );
    assert.equal(device.name, "Lamp");
    assert.equal(device.graceMs, 60_000);
    assert.deepEqual(device.sensors[0]!.simulation, { ambientC: 20, heatCPerS: 2, lossPerS: 0.01 });
    assert.deepEqual(device.drivers[0], { name: "lamp", pin: 2, active: "high", maxOnMs: undefined, kind: "dimmer", hz: 1000, safe: 0 });
    assert.deepEqual(device.drivers[1], { name: "heat", pin: 3, active: "high", maxOnMs: undefined, kind: "heater", output: "pwm", hz: 1000, periodMs: 10_000, sensor: undefined, maxC: undefined, cutoffC: undefined });
    assert.equal((device.drivers[2] as { periodMs: number }).periodMs, 10_000);
    assert.deepEqual(device.opcodes[0]!.operands, [], "operands may be left out");
    assert.equal(step(device.opcodes[0]!.action).for, undefined, "a set without for holds");
    assert.deepEqual(step(device.opcodes[0]!.action).set.get("lamp"), { literal: 100 }, "on in any case; a dimmer's on is 100");
  });

  it("reads every operand type, every action kind and every driver kind", () => {
    const device = readDeviceDeclaration(kitchen(), SOURCE);
    const byName = new Map(device.drivers.map((driver) => [driver.name, driver]));
    assert.deepEqual(byName.get("hob"), { name: "hob", pin: 4, active: "high", maxOnMs: undefined, kind: "heater", output: "pwm", hz: 500, periodMs: 10_000, sensor: undefined, maxC: undefined, cutoffC: undefined });
    assert.deepEqual(byName.get("kettle"), { name: "kettle", pin: 5, active: "low", maxOnMs: undefined, kind: "heater", output: "relay", hz: 1000, periodMs: 10_000, sensor: "probe", maxC: 100, cutoffC: 110 });
    assert.deepEqual(byName.get("vent"), { name: "vent", pin: 13, active: "high", maxOnMs: undefined, kind: "relay", safe: true, interlock: undefined, interlockWaitMs: 0 });
    assert.deepEqual(byName.get("light"), { name: "light", pin: 14, active: "high", maxOnMs: undefined, kind: "dimmer", hz: 1000, safe: 100 });
    assert.equal(byName.get("hood")?.maxOnMs, 500, "max_on_s is read in seconds");
    assert.equal(device.sensors[0]!.pin, "A0", "a pin name stays a name");

    const [hob, boil, hood, speed, air, off] = device.opcodes;
    assert.deepEqual(step(hob!.action), { set: new Map([["hob", { operand: "power" }]]), for: undefined });
    assert.deepEqual(step(boil!.action).for, { operand: "time" });
    assert.deepEqual(step(hood!.action).set, new Map([["hood", { operand: "power" }], ["light", { operand: "power" }]]));
    assert.deepEqual(step(speed!.action).set, new Map([["hood", { literal: true }], ["vent", { literal: false }], ["light", { literal: 100 }]]));
    assert.deepEqual(speed!.operands[0]!.values, ["low", "High"]);
    assert.deepEqual(air!.action, {
      kind: "sequence",
      steps: [
        { set: new Map([["vent", { literal: true }], ["light", { literal: 30 }]]), for: { ms: 90_000 } },
        { set: new Map([["vent", { literal: false }], ["hob", { literal: 0 }], ["light", { literal: 0 }]]), for: { operand: "span" } },
      ],
    });
    assert.deepEqual(off!.action, { kind: "safe" });

    assert.deepEqual(device.opcodes.map((opcode) => opcode.example), ["HOB 50", "BOIL 70 300", "HOOD on", "SPEED low", "AIR 1.3", "OFF"]);
    const instructions = new InstructionSet(device);
    for (const opcode of device.opcodes) assert.equal(instructions.parse(opcode.example).opcode, opcode, opcode.example);
    assert.deepEqual(Object.fromEntries(instructions.parse("boil 95 90").values), { temp: 95, time: 90_000 });
    assert.deepEqual(Object.fromEntries(instructions.parse("HOB 12.5").values), { power: 12.5 });
    assert.deepEqual(Object.fromEntries(instructions.parse("hood OFF").values), { power: false });
    assert.deepEqual(Object.fromEntries(instructions.parse("speed high").values), { speed: "High" });
    assert.deepEqual(Object.fromEntries(instructions.parse("AIR 1.5").values), { span: 5_400_000 });
  });

  it("takes pins as numbers, numbers written as text, or names", () => {
    const device = readDeviceDeclaration(kitchen(), SOURCE);
    assert.deepEqual(device.drivers.map((driver) => driver.pin), [4, 5, 12, 13, 14]);
  });

  it("deep-freezes what it returns, Maps included", () => {
    const device = readDeviceDeclaration(kitchen(), SOURCE);
    const mutable = device as unknown as Json;
    assert.throws(() => {
      mutable.name = "Other";
    }, TypeError);
    assert.throws(() => mutable.opcodes.push(mutable.opcodes[0]), TypeError);
    assert.throws(() => {
      mutable.drivers[0].pin = 99;
    }, TypeError);
    assert.throws(() => {
      mutable.sensors[0].simulation.ambientC = 99;
    }, TypeError);
    assert.throws(() => {
      mutable.opcodes[1].operands[0].max = 1000;
    }, TypeError);
    assert.throws(() => mutable.opcodes[3].operands[0].values.push("turbo"), TypeError);
    const set = mutable.opcodes[0].action.step.set as Map<string, Json>;
    assert.throws(() => set.set("hob", { literal: 100 }), TypeError);
    assert.throws(() => set.delete("hob"), TypeError);
    assert.throws(() => set.clear(), TypeError);
    assert.throws(() => {
      set.get("hob").operand = "other";
    }, TypeError);
    assert.throws(() => {
      mutable.opcodes[4].action.steps[0].for.ms = 1;
    }, TypeError);
    assert.equal(device.name, "Kitchen");
    assert.equal(set.size, 1);
  });

  it("does not change the config it reads, frozen or not", () => {
    const config = kitchen();
    const before = JSON.stringify(config);
    readDeviceDeclaration(config, SOURCE);
    assert.equal(JSON.stringify(config), before);
    assert.ok(!Object.isFrozen(config.drivers), "the input is not frozen by reading it");
    const frozen = (function freeze(value: Json): Json {
      if (typeof value === "object" && value !== null) {
        for (const key of Object.keys(value)) freeze(value[key]);
        Object.freeze(value);
      }
      return value;
    })(kitchen());
    assert.equal(readDeviceDeclaration(frozen, SOURCE).name, "Kitchen", "Moddable hands the config over deep-frozen");
  });
});
