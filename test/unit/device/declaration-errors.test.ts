// Every kind of wrong `config.device` is refused at start with the key's path and what to do.

import { assert } from "../../support/assert.js";
import { DeclarationError } from "../../../src/device/declaration-error.js";
import { readDeviceDeclaration } from "../../../src/device/declaration.js";
import { microwave, SOURCE, type Json } from "./fixtures/microwave.js";

/** The microwave changed by `change`, read: it must fail at `path` with `problem`. */
function refused(change: (device: Json) => void, path: string, problem: string): void {
  const device = microwave();
  change(device);
  refusedAs(device, path, problem);
}

function refusedAs(device: Json, path: string, problem: string): void {
  let error: unknown;
  try {
    readDeviceDeclaration(device, SOURCE);
  } catch (caught) {
    error = caught;
  }
  if (!(error instanceof DeclarationError)) return assert.fail(`expected a DeclarationError at ${path}, got ${String(error)}`);
  assert.equal(error.name, "DeclarationError");
  assert.equal(error.path, path);
  assert.equal(error.problem, problem);
  assert.equal(error.message, `${SOURCE}: config.${path}: ${problem}`);
}

describe("device declaration errors", () => {
  it("name the source and the path in the message", () => {
    const device = microwave();
    device.opcodes[1].action.set = { grille: "on" };
    assert.throws(
      () => readDeviceDeclaration(device, SOURCE),
      (error) => error instanceof DeclarationError &&
        error.message === `devices/microwave/manifest.json: config.device.opcodes[1].action.set.grille: no driver "grille" (drivers: oven, grill, fan, lamp)`,
    );
  });

  it("a missing or wrong device", () => {
    refusedAs(undefined, "device", `missing: declare the device in config.device: its "name", "drivers" and "opcodes"`);
    refusedAs([], "device", "expected an object { ... } for the device, got a list");
    refusedAs("microwave", "device", `expected an object { ... } for the device, got "microwave"`);
  });

  it("required keys", () => {
    refused((d) => delete d.name, "device.name", `missing: the device's name, shown in help, e.g. "name": "Microwave"`);
    refused((d) => delete d.drivers, "device.drivers", `missing: the outputs, by name, e.g. "drivers": { "lamp": { "kind": "relay", "pin": 2 } }`);
    refused((d) => delete d.opcodes, "device.opcodes", `missing: the commands the device takes, e.g. "opcodes": [{ "opcode": "ON", "task": "Switch on", "operands": [], "action": { "set": { "oven": "on" } } }]`);
    refused((d) => delete d.drivers.fan.pin, "device.drivers.fan.pin", `missing: the GPIO number it is wired to (e.g. "pin": 25) or a pin name the board knows`);
    refused((d) => delete d.drivers.fan.kind, "device.drivers.fan.kind", `missing: the driver kind: "relay", "heater" or "dimmer"`);
    refused((d) => delete d.sensors.cavity.kind, "device.sensors.cavity.kind", `missing: "temperature" (the only sensor kind)`);
    refused((d) => delete d.drivers.oven.output, "device.drivers.oven.output", `missing: "pwm" (a PWM pin drives the heater) or "relay" (switched on and off within period_s)`);
    refused((d) => delete d.opcodes[2].opcode, "device.opcodes[2].opcode", `missing: the command word, upper case, e.g. "opcode": "PREHEAT"`);
    refused((d) => delete d.opcodes[2].task, "device.opcodes[2].task", `missing: a short description for help, e.g. "task": "Preheat"`);
    refused((d) => delete d.opcodes[2].action, "device.opcodes[2].action", `missing: what the opcode does: { "set": { "<driver>": <value> } } (with "for": <duration>), { "sequence": [ ... ] } or { "safe": true }`);
    refused((d) => delete d.opcodes[0].operands[0].min, "device.opcodes[0].operands[0].min", `missing: the lowest value a command may give, e.g. "min": 0`);
    refused((d) => delete d.opcodes[0].operands[1].max, "device.opcodes[0].operands[1].max", `missing: the highest value a command may give, e.g. "max": 100`);
    refused((d) => delete d.opcodes[0].operands[1].unit, "device.opcodes[0].operands[1].unit", `missing: the unit the duration is given in: "s", "min" or "h"`);
    refused((d) => delete d.opcodes[0].operands[0].type, "device.opcodes[0].operands[0].type", "missing: one of integer, number, enum, onoff, duration");
    refused((d) => (d.opcodes[0].operands[0] = { name: "mode", type: "enum" }), "device.opcodes[0].operands[0].values", `missing: the words a command may give, e.g. "values": ["low", "medium", "high"]`);
  });

  it("unknown keys, with the key meant when it is close", () => {
    refused((d) => (d.drivers.grill.max_on = 60), "device.drivers.grill.max_on", "unknown key max_on (did you mean max_on_s?)");
    refused((d) => (d.grace = 60), "device.grace", "unknown key grace (did you mean grace_s?)");
    refused((d) => (d.drivers.fan.colour = "red"), "device.drivers.fan.colour", "unknown key colour (a driver takes: kind, pin, active, max_on_s, safe, interlock, interlock_wait_ms, output, hz, period_s, sensor, max_c, cutoff_c)");
    refused((d) => (d.drivers.fan.period_s = 5), "device.drivers.fan.period_s", "unknown key period_s (a relay takes: kind, pin, active, max_on_s, safe, interlock, interlock_wait_ms)");
    refused((d) => (d.drivers.oven.interlock = "heat"), "device.drivers.oven.interlock", "unknown key interlock (a heater takes: kind, pin, active, max_on_s, output, hz, period_s, sensor, max_c, cutoff_c)");
    refused((d) => (d.sensors.cavity.gain = 1), "device.sensors.cavity.gain", "unknown key gain (a temperature sensor takes: kind, pin, mv_at_0c, mv_per_c, vref_mv, plausible_min_c, plausible_max_c, ambient_c, heat_c_per_s, loss_per_s)");
    refused((d) => (d.opcodes[0].operand = []), "device.opcodes[0].operand", "unknown key operand (did you mean operands?)");
    refused((d) => (d.opcodes[0].operands[0].values = ["a"]), "device.opcodes[0].operands[0].values", "unknown key values (an integer operand takes: name, type, unit, min, max)");
    refused((d) => (d.opcodes[1].action.after = 1), "device.opcodes[1].action.after", "unknown key after (an action takes: set, for, sequence, safe)");
  });

  it("types", () => {
    refused((d) => (d.grace_s = "60"), "device.grace_s", `expected a number, got "60" (write it without quotes)`);
    refused((d) => (d.name = 5), "device.name", "expected text in quotes, got 5");
    refused((d) => (d.name = " "), "device.name", "must not be empty");
    refused((d) => (d.drivers = [d.drivers.oven]), "device.drivers", "expected an object { ... } for the drivers, by name, got a list");
    refused((d) => (d.opcodes = {}), "device.opcodes", "expected a list [ ... ], got an object");
    refused((d) => (d.drivers.fan.pin = true), "device.drivers.fan.pin", "expected a GPIO number (e.g. 25) or a pin name, got true");
    refused((d) => (d.drivers.fan.pin = 2.5), "device.drivers.fan.pin", "expected a GPIO number (e.g. 25) or a pin name, got 2.5");
    refused((d) => (d.drivers.fan.active = "LOW"), "device.drivers.fan.active", `expected "high" or "low", got "LOW"`);
    refused((d) => (d.drivers.fan.safe = "closed"), "device.drivers.fan.safe", `expected "on" or "off", got "closed"`);
    refused((d) => (d.drivers.lamp.safe = 120), "device.drivers.lamp.safe", "must be at most 100, got 120");
    refused((d) => (d.drivers.lamp.hz = 0), "device.drivers.lamp.hz", "must be more than 0, got 0");
    // The ESP32's LEDC at 10 bits (the SDK's modules/io/pwm/esp32/_pwm.c): 17 Hz up to 80 MHz / 2^10.
    refused((d) => (d.drivers.lamp.hz = 16), "device.drivers.lamp.hz", "16 Hz is outside what an ESP32's PWM (LEDC) makes at 10 bits: 17 to 78125 Hz; pick a frequency in that range");
    refused((d) => (d.drivers.lamp.hz = 78126), "device.drivers.lamp.hz", "78126 Hz is outside what an ESP32's PWM (LEDC) makes at 10 bits: 17 to 78125 Hz; pick a frequency in that range");
    refused((d) => (d.sensors.cavity.plausible_max_c = -50), "device.sensors.cavity.plausible_max_c", "-50 °C is not above plausible_min_c (-40 °C): the window of believable readings must not be empty");
    refused((d) => (d.drivers.grill.max_on_s = 0), "device.drivers.grill.max_on_s", "must be more than 0, got 0");
    refused((d) => (d.drivers.grill.interlock_wait_ms = 0.5), "device.drivers.grill.interlock_wait_ms", "expected a whole number, got 0.5");
    refused((d) => (d.grace_s = -1), "device.grace_s", "must be at least 0, got -1");
    refused((d) => (d.sensors.cavity.loss_per_s = 1.5), "device.sensors.cavity.loss_per_s", "must be at most 1, got 1.5");
    refused((d) => (d.sensors.cavity.heat_c_per_s = -4), "device.sensors.cavity.heat_c_per_s", "must be at least 0, got -4");
    refused((d) => (d.sensors.cavity.mv_per_c = 0), "device.sensors.cavity.mv_per_c", "must be at least 0.1, got 0");
    refused((d) => (d.sensors.cavity.vref_mv = "3300"), "device.sensors.cavity.vref_mv", `expected a number, got "3300" (write it without quotes)`);
    refused((d) => (d.opcodes[0].operands[0].min = 49.5), "device.opcodes[0].operands[0].min", "expected a whole number, got 49.5");
    refused((d) => (d.opcodes[0].operands[1].unit = "days"), "device.opcodes[0].operands[1].unit", `expected "s" or "min" or "h", got "days"`);
    refused((d) => (d.opcodes[2].operands = [{ name: "x", type: "enum", values: ["a", "b c"] }]), "device.opcodes[2].operands[0].values[1]", `expected one word (letters, digits, _ . + -), got "b c"`);
    refused((d) => (d.opcodes[2].operands = [{ name: "x", type: "enum", values: [] }]), "device.opcodes[2].operands[0].values", `list at least one word, e.g. ["low", "medium", "high"]`);
    refused((d) => (d.opcodes[2].action = "safe"), "device.opcodes[2].action", `expected an object { ... } for the action, got "safe"`);
    refused((d) => (d.opcodes[2].action = { safe: "yes" }), "device.opcodes[2].action.safe", `expected true ("safe": true puts every driver in its safe state), got "yes"`);
  });

  it("names: drivers, sensors, opcodes, operands", () => {
    refused((d) => (d.drivers["Oven Light"] = { kind: "relay", pin: 2 }), `device.drivers["Oven Light"]`, `driver names are lower-case words (a-z, 0-9, _) starting with a letter, e.g. "oven_light"`);
    refused((d) => (d.sensors["1probe"] = { kind: "temperature", pin: 2 }), `device.sensors["1probe"]`, `sensor names are lower-case words (a-z, 0-9, _) starting with a letter, e.g. "probe"`);
    refused((d) => (d.opcodes[1].opcode = "grill"), "device.opcodes[1].opcode", `"grill" is not an opcode: upper-case letters, digits and _, starting with a letter, e.g. "GRILL"`);
    refused((d) => (d.opcodes[1].operands[0].name = "Time"), "device.opcodes[1].operands[0].name", `operand names are lower-case words (a-z, 0-9, _) starting with a letter, got "Time"`);
  });

  it("unknown driver and sensor kinds, unknown operand types", () => {
    refused((d) => (d.drivers.fan.kind = "motor"), "device.drivers.fan.kind", `unknown driver kind "motor" (kinds: relay, heater, dimmer)`);
    refused((d) => (d.sensors.cavity.kind = "humidity"), "device.sensors.cavity.kind", `unknown sensor kind "humidity" (kinds: temperature)`);
    refused((d) => (d.opcodes[0].operands[0].type = "int"), "device.opcodes[0].operands[0].type", `unknown operand type "int" (types: integer, number, enum, onoff, duration)`);
  });

  it("unknown drivers and sensors in actions and heaters", () => {
    refused((d) => (d.opcodes[1].action.set = { grille: "on" }), "device.opcodes[1].action.set.grille", `no driver "grille" (drivers: oven, grill, fan, lamp)`);
    refused((d) => (d.opcodes[1].action.set = { cavity: "on" }), "device.opcodes[1].action.set.cavity", `no driver "cavity" (drivers: oven, grill, fan, lamp); cavity is a sensor, which cannot be set`);
    refused((d) => (d.drivers.oven.sensor = "cavty"), "device.drivers.oven.sensor", `no sensor "cavty" (sensors: cavity)`);
    refused((d) => delete d.sensors, "device.drivers.oven.sensor", `no sensor "cavity" (no sensors are declared: add it under device.sensors)`);
  });

  it("inverted ranges", () => {
    refused((d) => (d.opcodes[0].operands[0].min = 500), "device.opcodes[0].operands[0].max", "max (400) is below min (500): the range is inverted");
    refused((d) => (d.opcodes[1].operands[0].max = 0.5), "device.opcodes[1].operands[0].max", "max (0.5) is below min (1): the range is inverted");
    refused((d) => (d.opcodes[1].operands[0].min = -1), "device.opcodes[1].operands[0].min", "must be at least 0, got -1");
  });

  it("actions naming a missing operand, or a duration that is not one", () => {
    refused((d) => (d.opcodes[0].action.set.oven = "$tmp"), "device.opcodes[0].action.set.oven", `PREHEAT has no operand "tmp" (operands: temp, time)`);
    refused((d) => (d.opcodes[2].action = { set: { fan: "on" }, for: "$time" }), "device.opcodes[2].action.for", `STOP has no operand "time" (it has no operands)`);
    refused((d) => (d.opcodes[0].action.for = "$temp"), "device.opcodes[0].action.for", `for takes a duration operand, but temp is an integer operand: make it "type": "duration" with a "unit"`);
    refused((d) => (d.opcodes[1].action.for = "15"), "device.opcodes[1].action.for", `expected a number of seconds or "$operand" naming a duration operand, got "15"`);
    refused((d) => (d.opcodes[1].action.for = 0), "device.opcodes[1].action.for", "must be more than 0, got 0");
  });

  it("values a driver cannot take over the operand's whole range", () => {
    refused((d) => (d.drivers.oven.max_c = 300), "device.opcodes[0].action.set.oven", "temp ranges 50–400, but heater oven takes a target of 0–300 °C (up to its max_c): narrow the operand's min and max");
    refused((d) => (d.opcodes[0].action.set.fan = "$temp"), "device.opcodes[0].action.set.fan", "relay fan is switched on or off, so it takes an onoff operand; temp is an integer operand");
    refused((d) => (d.opcodes[0].action.set.lamp = "$time"), "device.opcodes[0].action.set.lamp", "dimmer lamp takes a level of 0–100 %; time is a duration operand");
    refused((d) => (d.opcodes[2] = { opcode: "FAN", task: "Fan", operands: [{ name: "mode", type: "enum", values: ["on", "off"] }], action: { set: { fan: "$mode" } } }), "device.opcodes[2].action.set.fan", "relay fan is switched on or off, so it takes an onoff operand; mode is an enum operand");
    refused((d) => (d.opcodes[2] = { opcode: "OVEN", task: "Oven", operands: [{ name: "power", type: "onoff" }], action: { set: { oven: "$power" } } }), "device.opcodes[2].action.set.oven", "heater oven takes a target of 0–400 °C (up to its max_c), not on/off; power is an onoff operand");
    refused((d) => (d.opcodes[1].action.set = { fan: 1 }), "device.opcodes[1].action.set.fan", `relay fan is switched on or off: use "on" or "off" (or true/false), got 1`);
    refused((d) => (d.opcodes[1].action.set = { lamp: 101 }), "device.opcodes[1].action.set.lamp", "dimmer lamp takes a level of 0–100 %, got 101");
    refused((d) => (d.opcodes[1].action.set = { oven: 450 }), "device.opcodes[1].action.set.oven", "heater oven takes a target of 0–400 °C (up to its max_c), got 450");
    refused((d) => (d.opcodes[1].action.set = { oven: "on" }), "device.opcodes[1].action.set.oven", `heater oven takes a target of 0–400 °C (up to its max_c): give it as a number, not "on"`);
    refused((d) => (d.opcodes[1].action.set = { fan: "high" }), "device.opcodes[1].action.set.fan", `expected true/false, "on"/"off", a number, or "$operand" naming an operand, got "high"`);
    refused((d) => {
      delete d.drivers.oven.sensor;
      delete d.drivers.oven.max_c;
      delete d.drivers.oven.cutoff_c;
    }, "device.opcodes[0].action.set.oven", "temp ranges 50–400, but heater oven takes a power of 0–100 %: narrow the operand's min and max");
  });

  it("duplicate and reserved opcodes, duplicate operands and enum values", () => {
    refused((d) => (d.opcodes[2].opcode = "GRILL"), "device.opcodes[2].opcode", "duplicate opcode GRILL (also opcodes[1]); commands are matched case-insensitively, so opcodes must differ by more than case");
    refused((d) => (d.opcodes[2].opcode = "HELP"), "device.opcodes[2].opcode", "HELP is reserved: the device answers help, status and declare itself; choose another word");
    refused((d) => (d.opcodes[2].opcode = "STATUS"), "device.opcodes[2].opcode", "STATUS is reserved: the device answers help, status and declare itself; choose another word");
    refused((d) => (d.opcodes[2].opcode = "DECLARE"), "device.opcodes[2].opcode", "DECLARE is reserved: the device answers help, status and declare itself; choose another word");
    refused((d) => (d.opcodes[0].operands[1].name = "temp"), "device.opcodes[0].operands[1].name", `duplicate operand name "temp" (also operands[0])`);
    refused((d) => (d.opcodes[2].operands = [{ name: "x", type: "enum", values: ["low", "Low"] }]), "device.opcodes[2].operands[0].values[1]", `"Low" repeats values[0]; values are matched case-insensitively, so they must differ by more than case`);
  });

  it("a pin used twice, across drivers and sensors", () => {
    refused((d) => (d.drivers.fan.pin = 26), "device.drivers.fan.pin", "pin 26 is already used by driver grill; every driver and sensor needs a pin of its own");
    refused((d) => (d.drivers.lamp.pin = "34"), "device.drivers.lamp.pin", "pin 34 is already used by sensor cavity; every driver and sensor needs a pin of its own");
  });

  it("relay interlock and heater output keys that do not fit", () => {
    refused((d) => delete d.drivers.grill.interlock, "device.drivers.grill.interlock_wait_ms", `interlock_wait_ms needs an interlock group: add "interlock": "<group>" or remove it`);
    refused((d) => (d.drivers.oven.hz = 100), "device.drivers.oven.hz", `hz is for output "pwm"; a heater with output "relay" switches within period_s`);
    refused((d) => (d.drivers.oven.output = "pwm"), "device.drivers.oven.period_s", `period_s is for output "relay"; a heater with output "pwm" uses hz`);
  });

  it("a safe state that is on, with a limit or an interlock that must switch the output off", () => {
    refused((d) => (d.drivers.grill.safe = "on"), "device.drivers.grill.safe", "a relay whose safe state is on cannot be in interlock group heat: make its safe state \"off\" or remove \"interlock\"");
    refused((d) => Object.assign(d.drivers.fan, { safe: "on", max_on_s: 60 }), "device.drivers.fan.safe", "a relay whose safe state is on cannot have max_on_s: its safe state would exceed the limit");
    refused((d) => Object.assign(d.drivers.lamp, { safe: 20, max_on_s: 60 }), "device.drivers.lamp.safe", "a dimmer whose safe level is above 0 cannot have max_on_s: its safe state would exceed the limit");
  });

  it("a heater with a sensor needs max_c and cutoff_c above it; without one, neither", () => {
    refused((d) => delete d.drivers.oven.max_c, "device.drivers.oven.max_c", `missing: the highest target temperature a command may set, °C, e.g. "max_c": 250 (required with a sensor)`);
    refused((d) => delete d.drivers.oven.cutoff_c, "device.drivers.oven.cutoff_c", `missing: the over-temperature cutoff, °C, above max_c, e.g. "cutoff_c": 450 (required with a sensor)`);
    refused((d) => (d.drivers.oven.cutoff_c = 400), "device.drivers.oven.cutoff_c", "cutoff_c (400) must be above max_c (400): the cutoff catches a heater that overshoots its highest target");
    refused((d) => (d.drivers.oven.cutoff_c = 350), "device.drivers.oven.cutoff_c", "cutoff_c (350) must be above max_c (400): the cutoff catches a heater that overshoots its highest target");
    refused((d) => delete d.drivers.oven.sensor, "device.drivers.oven.max_c", `max_c needs a sensor (add "sensor": "<name>"): without one the heater's value is power in %`);
  });

  it("empty drivers, opcodes, sets and sequences", () => {
    refused((d) => (d.drivers = {}), "device.drivers", `declare at least one driver, e.g. "lamp": { "kind": "relay", "pin": 2 }`);
    refused((d) => (d.opcodes = []), "device.opcodes", `declare at least one opcode, e.g. { "opcode": "ON", "task": "Switch on", "operands": [], "action": { "set": { "oven": "on" } } }`);
    refused((d) => (d.opcodes[1].action.set = {}), "device.opcodes[1].action.set", `set names no driver: e.g. "set": { "oven": "on" }`);
    refused((d) => (d.opcodes[2].action = {}), "device.opcodes[2].action", `empty action: use { "set": { ... } } (with "for"), { "sequence": [ ... ] } or { "safe": true }`);
    refused((d) => (d.opcodes[2].action = { sequence: [] }), "device.opcodes[2].action.sequence", `a sequence needs at least one step, e.g. [{ "set": { "oven": "on" }, "for": 30 }]`);
  });

  it("action forms that do not combine", () => {
    refused((d) => (d.opcodes[2].action = { safe: true, set: { fan: "off" } }), "device.opcodes[2].action.set", `set cannot be combined with "safe": true`);
    refused((d) => (d.opcodes[2].action = { sequence: [{ set: { fan: "on" }, for: 5 }], for: 5 }), "device.opcodes[2].action.for", "for cannot be combined with a sequence: give each step its own set and for");
    refused((d) => (d.opcodes[2].action = { for: 5 }), "device.opcodes[2].action.for", "for needs a set: the drivers to set for that long");
    refused((d) => (d.opcodes[2].action = { sequence: [{ set: { fan: "on" } }] }), "device.opcodes[2].action.sequence[0].for", `missing: how long this step lasts: seconds (e.g. "for": 30) or a duration operand (e.g. "for": "$time")`);
    refused((d) => (d.opcodes[2].action = { sequence: [{ set: { fan: "on" }, for: 5 }, { set: { lamp: 200 }, for: 5 }] }), "device.opcodes[2].action.sequence[1].set.lamp", "dimmer lamp takes a level of 0–100 %, got 200");
    refused((d) => (d.opcodes[2].action = { sequence: [{ set: { fan: "on" }, for: 5, safe: true }] }), "device.opcodes[2].action.sequence[0].safe", "unknown key safe (a step takes: set, for)");
  });

  it("times longer than a timer can run", () => {
    refused((d) => (d.opcodes[1].operands[0].max = 40_000), "device.opcodes[1].operands[0].max", "40000 is longer than the longest timer (about 24 days): at most 35791");
    refused((d) => (d.drivers.grill.max_on_s = 3e6), "device.drivers.grill.max_on_s", "3000000 is longer than the longest timer (about 24 days): at most 2147483");
  });

  it("a declared example that does not work", () => {
    refused((d) => (d.opcodes[0].example = "PREHEAT 500 20"), "device.opcodes[0].example", `"PREHEAT 500 20" does not work: temp must be between 50 and 400 C, got 500`);
    refused((d) => (d.opcodes[0].example = "PREHEAT 350"), "device.opcodes[0].example", `"PREHEAT 350" does not work: PREHEAT takes 2 operands (temp, time), got 1: usage PREHEAT <temp C 50–400> <time min 1–120>`);
    refused((d) => (d.opcodes[1].example = "GRIL 15"), "device.opcodes[1].example", `"GRIL 15" is not a GRILL command: start it with GRILL`);
  });
});
