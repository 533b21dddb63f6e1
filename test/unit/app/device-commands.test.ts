// The device's opcodes as ad-hoc commands: a form field per operand type (exact XML for the
// microwave's PREHEAT), and submitted values put back into the text command.

import { assert } from "../../support/assert.js";
import { commandText, deviceCommands, opcodeForm, operandField } from "../../../src/app/device-commands.js";
import { readDeviceDeclaration } from "../../../src/device/declaration.js";
import type { Operand } from "../../../src/device/types.js";
import { formElement } from "../../../src/xmpp/dataforms.js";
import { Jid } from "../../../src/xmpp/jid.js";
import { microwave, SOURCE } from "../device/fixtures/microwave.js";

const opcodes = readDeviceDeclaration(microwave(), SOURCE).opcodes;
const PREHEAT = opcodes.find((opcode) => opcode.opcode === "PREHEAT")!;
const STOP = opcodes.find((opcode) => opcode.opcode === "STOP")!;

function operand(fields: Partial<Operand> & Pick<Operand, "name" | "type">): Operand {
  return { unit: undefined, min: undefined, max: undefined, values: undefined, ...fields };
}

const values = (entries: [string, string[]][]) => new Map(entries);

describe("device commands as data forms", () => {
  it("gives the microwave's PREHEAT its form: title, usage, and each operand with label, unit, type and range", () => {
    assert.equal(
      formElement(opcodeForm(PREHEAT)!).toString(),
      `<x xmlns="jabber:x:data" type="form"><title>Preheat</title>` +
        `<instructions>usage: PREHEAT &lt;temp C 50–400&gt; &lt;time min 1–120&gt;</instructions>` +
        `<field var="temp" type="text-single" label="TEMP (C, 50–400)"><desc>temp in C, a whole number from 50 to 400</desc><required/>` +
        `<validate xmlns="http://jabber.org/protocol/xdata-validate" datatype="xs:integer"><range min="50" max="400"/></validate></field>` +
        `<field var="time" type="text-single" label="TIME (min, 1–120)"><desc>time in min, a number from 1 to 120</desc><required/>` +
        `<validate xmlns="http://jabber.org/protocol/xdata-validate" datatype="xs:decimal"><range min="1" max="120"/></validate></field></x>`,
    );
  });

  it("has no form for an opcode without operands", () => {
    assert.equal(opcodeForm(STOP), undefined);
  });

  it("makes a number a decimal text field with its range", () => {
    assert.equal(
      formElement({ fields: [operandField(operand({ name: "ratio", type: "number", min: 0.5, max: 2 }))] }).toString(),
      `<x xmlns="jabber:x:data" type="form"><field var="ratio" type="text-single" label="RATIO (0.5–2)"><desc>ratio, a number from 0.5 to 2</desc><required/>` +
        `<validate xmlns="http://jabber.org/protocol/xdata-validate" datatype="xs:decimal"><range min="0.5" max="2"/></validate></field></x>`,
    );
  });

  it("makes an integer without a unit a whole-number field", () => {
    assert.deepEqual(operandField(operand({ name: "level", type: "integer", min: 0, max: 100 })), {
      var: "level",
      label: "LEVEL (0–100)",
      desc: "level, a whole number from 0 to 100",
      required: true,
      type: "text-single",
      validate: { datatype: "xs:integer", min: "0", max: "100" },
    });
  });

  it("makes an enum a list-single with one option per value", () => {
    assert.equal(
      formElement({ fields: [operandField(operand({ name: "speed", type: "enum", values: ["low", "high"] }))] }).toString(),
      `<x xmlns="jabber:x:data" type="form"><field var="speed" type="list-single" label="SPEED (low|high)"><desc>speed: one of low, high</desc><required/>` +
        `<option label="low"><value>low</value></option><option label="high"><value>high</value></option></field></x>`,
    );
  });

  it("makes onoff a boolean", () => {
    assert.equal(
      formElement({ fields: [operandField(operand({ name: "fan", type: "onoff" }))] }).toString(),
      `<x xmlns="jabber:x:data" type="form"><field var="fan" type="boolean" label="FAN (on|off)"><desc>fan: on or off</desc><required/></field></x>`,
    );
  });
});

describe("submitted values as the text command", () => {
  it("puts the values in operand order after the opcode, whatever order the fields came in", () => {
    assert.deepEqual(commandText(PREHEAT, values([["time", ["20"]], ["temp", [" 350 "]], ["FORM_TYPE", ["x"]]])), { text: "PREHEAT 350 20" });
    assert.deepEqual(commandText(STOP, values([])), { text: "STOP" });
  });

  it("leaves out an empty or missing field, so that the parser names the count", () => {
    assert.deepEqual(commandText(PREHEAT, values([["temp", ["350"]], ["time", []]])), { text: "PREHEAT 350" });
    assert.deepEqual(commandText(PREHEAT, values([["time", [""]]])), { text: "PREHEAT" });
  });

  it("refuses a value with a space in it (or several values) with the operand's own reason", () => {
    assert.deepEqual(commandText(PREHEAT, values([["temp", ["350 20"]]])), { reason: `temp must be a whole number, got "350 20"` });
    assert.deepEqual(commandText(PREHEAT, values([["temp", ["350"]], ["time", ["1", "2"]]])), { reason: `time must be a number of min, got "1 2"` });
  });

  it("offers one command per opcode in help's order, then status, each running its text through the runner", async () => {
    const ran: string[] = [];
    const commands = deviceCommands(opcodes, async (text, from) => {
      ran.push(`${from} ${text}`);
      return text === "PREHEAT 500 20" ? "error: no" : `ok: ${text}`;
    });
    assert.deepEqual(commands.map((command) => [command.node, command.name]), [
      ["PREHEAT", "Preheat"],
      ["GRILL", "Grill"],
      ["STOP", "Stop everything"],
      ["status", "Status"],
    ]);
    const owner = Jid.parse("owner@hub.test/phone");
    const [preheat, stop, status] = [commands[0]!, commands[2]!, commands[3]!];
    assert.deepEqual(await preheat.run(values([["temp", ["350"]], ["time", ["20"]]]), owner), { type: "info", text: "ok: PREHEAT 350 20" });
    assert.deepEqual(await preheat.run(values([["temp", ["500"]], ["time", ["20"]]]), owner), { type: "error", text: "error: no" });
    assert.deepEqual(await preheat.run(values([["temp", ["5 0"]]]), owner), { type: "error", text: `error: temp must be a whole number, got "5 0"` });
    assert.equal(stop.form(), undefined);
    assert.deepEqual(await stop.run(values([]), owner), { type: "info", text: "ok: STOP" });
    assert.equal(status.form(), undefined);
    assert.deepEqual(await status.run(values([]), owner), { type: "info", text: "ok: status" });
    assert.deepEqual(ran, ["owner@hub.test/phone PREHEAT 350 20", "owner@hub.test/phone PREHEAT 500 20", "owner@hub.test/phone STOP", "owner@hub.test/phone status"]);
  });
});

