// The dashboard reads a device's instruction set both ways, and both agree with the device:
// its help table (every example device's, and every operand type) and its ad-hoc data forms.

import { strict as assert } from "node:assert";
import { createElement } from "ltx";
import { opcodeForm } from "../../src/app/device-commands.js";
import { readDeviceDeclaration } from "../../src/device/declaration.js";
import { InstructionSet } from "../../src/device/instruction-set.js";
import { formElement, submittedValues } from "../../src/xmpp/dataforms.js";
import { readManifestConfig } from "../../hosts/node/manifest.js";
import { readDataForm, submitDataForm } from "../../owner/data-form.js";
import { HelpTableError, parseHelpTable } from "../../web/help-table.js";
import { commandText } from "../../web/instruction.js";

function exampleDevice(name: string): InstructionSet {
  const manifest = new URL(`../../../devices/${name}/manifest.json`, import.meta.url).pathname;
  return new InstructionSet(readDeviceDeclaration(readManifestConfig(manifest).device, manifest));
}

/** A declaration with every operand type: units or none, negative and decimal ranges, words. */
const everyType = new InstructionSet(readDeviceDeclaration({
  name: "Test bench",
  drivers: { lamp: { kind: "dimmer", pin: 4 }, pump: { kind: "relay", pin: 5 } },
  opcodes: [
    { opcode: "MIX", task: "Mix", operands: [
      { name: "level", type: "integer", min: -5, max: 30 },
      { name: "ratio", type: "number", unit: "x", min: 0.5, max: 2.5 },
      { name: "mode", type: "enum", values: ["low", "medium", "high"] },
      { name: "power", type: "onoff" },
      { name: "time", type: "duration", unit: "s", min: 1, max: 90 },
    ], action: { set: { pump: "$power" } } },
    { opcode: "OFF", task: "Off | all", operands: [], action: { safe: true } },
  ],
}, "test"));

describe("dashboard: the help table read back", () => {
  it("reads the microwave's table into the paper's three instructions with typed fields", () => {
    const table = parseHelpTable(exampleDevice("microwave").help());
    assert.equal(table.device, "Microwave");
    assert.deepEqual(table.instructions.map((i) => [i.opcode, i.task, i.example]), [
      ["PREHEAT", "Preheat", "PREHEAT 350 20"],
      ["GRILL", "Grill", "GRILL 15"],
      ["STOP", "Stop everything", "STOP"],
    ]);
    assert.deepEqual(table.instructions[0]!.fields, [
      { name: "temp", label: "TEMP (C, 50–400)", kind: "number", required: true, min: 50, max: 400, unit: "C" },
      { name: "time", label: "TIME (min, 1–120)", kind: "number", required: true, min: 1, max: 120, unit: "min" },
    ]);
    assert.deepEqual(table.instructions[2]!.fields, []);
  });

  it("reads every example device's table, each opcode with as many fields as it has operands", () => {
    for (const name of ["microwave", "relayboard", "heater"]) {
      const set = exampleDevice(name);
      const table = parseHelpTable(set.help());
      assert.deepEqual(table.instructions.map((i) => i.opcode), set.opcodes.map((o) => o.opcode), name);
      table.instructions.forEach((instruction, index) => assert.equal(instruction.fields.length, set.opcodes[index]!.operands.length));
    }
    const light = parseHelpTable(exampleDevice("relayboard").help()).instructions.find((i) => i.opcode === "LIGHT")!;
    assert.equal(light.fields[0]!.kind, "switch");
  });

  it("reads every operand type: ranges without a unit, negative and decimal bounds, word lists, on|off", () => {
    const [mix, off] = parseHelpTable(everyType.help()).instructions;
    assert.deepEqual(mix!.fields.map((f) => [f.name, f.kind, f.min, f.max, f.unit]), [
      ["level", "number", -5, 30, undefined],
      ["ratio", "number", 0.5, 2.5, "x"],
      ["mode", "choice", undefined, undefined, undefined],
      ["power", "switch", undefined, undefined, undefined],
      ["time", "number", 1, 90, "s"],
    ]);
    assert.deepEqual(mix!.fields[2]!.options?.map((o) => o.value), ["low", "medium", "high"]);
    // A " | " inside a task does not shift the columns after it.
    assert.deepEqual([off!.task, off!.opcode, off!.fields], ["Off | all", "OFF", []]);
  });

  it("makes the text command a form's values stand for, which the device accepts", () => {
    const [mix] = parseHelpTable(everyType.help()).instructions;
    const text = commandText(mix!, new Map([["level", "-2"], ["ratio", "1.5"], ["mode", "high"], ["power", "on"], ["time", "30"]]));
    assert.equal(text, "MIX -2 1.5 high on 30");
    assert.equal(everyType.parse(text).opcode.opcode, "MIX");
    // A field left empty leaves its token out, so the device names the missing operand.
    assert.equal(commandText(mix!, new Map([["level", "3"]])), "MIX 3");
  });

  it("says what it missed in a reply that is not the table", () => {
    assert.throws(() => parseHelpTable("ok: STOP"), (e: Error) => e instanceof HelpTableError && /does not start with "<name>: commands"/.test(e.message));
    assert.throws(() => parseHelpTable("X: commands\nsomething else"), /no "Task \| Opcode \| \.\.\. \| Example" header/);
    assert.throws(() => parseHelpTable("X: commands\nTask | Opcode | Operand 1 | Example\nRun | RUN | SPEED (fast) | RUN fast"), /cannot read the operand "SPEED \(fast\)"/);
  });
});

describe("dashboard: the device's data forms read back", () => {
  const microwave = exampleDevice("microwave");

  it("reads the PREHEAT form: labels as in help, xs:integer and xs:decimal ranges, descriptions", () => {
    const form = readDataForm(formElement(opcodeForm(microwave.find("PREHEAT")!)!));
    assert.equal(form.title, "Preheat");
    assert.equal(form.instructions, "usage: PREHEAT <temp C 50–400> <time min 1–120>");
    assert.deepEqual(form.fields.map((f) => [f.name, f.label, f.kind, f.integer, f.min, f.max, f.required]), [
      ["temp", "TEMP (C, 50–400)", "number", true, 50, 400, true],
      ["time", "TIME (min, 1–120)", "number", false, 1, 120, true],
    ]);
    assert.match(form.fields[0]!.description ?? "", /whole number from 50 to 400/);
  });

  it("reads list-single as a choice and boolean as a switch, and submits what the device reads back", () => {
    const form = readDataForm(formElement(opcodeForm(everyType.find("MIX")!)!));
    assert.deepEqual(form.fields.map((f) => f.kind), ["number", "number", "choice", "switch", "number"]);
    const submitted = submittedValues(submitDataForm(form, new Map([["level", " 7 "], ["ratio", "2"], ["mode", "low"], ["power", "on"], ["time", ""]])));
    assert.deepEqual([...submitted], [["level", ["7"]], ["ratio", ["2"]], ["mode", ["low"]], ["power", ["true"]], ["time", []]]);
  });

  it("keeps hidden values and shows fields it has no widget for as text", () => {
    const x = createElement("x", { xmlns: "jabber:x:data", type: "form" },
      createElement("field", { var: "token", type: "hidden" }, createElement("value", {}, "abc")),
      createElement("field", { var: "note", type: "text-multi", label: "Note" }),
      createElement("field", { type: "fixed" }, createElement("value", {}, "Read me")));
    const form = readDataForm(x);
    assert.deepEqual(form.fields.map((f) => [f.name, f.kind, f.value]), [["token", "hidden", "abc"], ["note", "text", undefined], ["", "fixed", "Read me"]]);
    assert.deepEqual([...submittedValues(submitDataForm(form, new Map([["note", "hi"]])))], [["token", ["abc"]], ["note", ["hi"]]]);
  });
});
