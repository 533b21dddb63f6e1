// The device's instruction set as ad-hoc commands: one data form per opcode (operand types,
// units, ranges), and a submitted form turned back into the text command the device checks
// and runs exactly as a chat message, so both ways in give the same answer.

import { formatNumber, parseOperand } from "../device/operands.js";
import { operandCell, usage } from "../device/instruction-set.js";
import type { Opcode, Operand } from "../device/types.js";
import type { AdHocCommand, Note } from "../xmpp/adhoc.js";
import type { Form, FormField, SubmittedValues } from "../xmpp/dataforms.js";
import type { Jid } from "../xmpp/jid.js";
import { encodeUtf8 } from "../xml/utf8.js";

/** Carries out a text command (or `status`) for `from` and gives the reply, which starts with "ok" or "error:" for commands. */
export type CommandRunner = (text: string, from: Jid) => Promise<string>;

export const STATUS_NODE = "status";

function range(operand: Operand): string {
  return `from ${formatNumber(operand.min ?? 0)} to ${formatNumber(operand.max ?? 0)}`;
}

/** One line under the field's label: what to type, in which unit. */
function description(operand: Operand): string {
  const subject = operand.unit ? `${operand.name} in ${operand.unit}` : operand.name;
  switch (operand.type) {
    case "integer":
      return `${subject}, a whole number ${range(operand)}`;
    case "number":
    case "duration":
      return `${subject}, a number ${range(operand)}`;
    case "enum":
      return `${subject}: one of ${(operand.values ?? []).join(", ")}`;
    case "onoff":
      return `${subject}: on or off`;
  }
}

/** The form field for one operand: its var is the operand's name. */
export function operandField(operand: Operand): FormField {
  const common = { var: operand.name, label: operandCell(operand), desc: description(operand), required: true };
  switch (operand.type) {
    case "integer":
    case "number":
    case "duration":
      return {
        ...common,
        type: "text-single",
        validate: {
          datatype: operand.type === "integer" ? "xs:integer" : "xs:decimal",
          min: formatNumber(operand.min ?? 0),
          max: formatNumber(operand.max ?? 0),
        },
      };
    case "enum":
      return { ...common, type: "list-single", options: (operand.values ?? []).map((value) => ({ label: value, value })) };
    case "onoff":
      return { ...common, type: "boolean" };
  }
}

/** The form of an opcode with operands; undefined for one without (it runs at once). */
export function opcodeForm(opcode: Opcode): Form | undefined {
  if (opcode.operands.length === 0) return undefined;
  return { title: opcode.task, instructions: `usage: ${usage(opcode)}`, fields: opcode.operands.map(operandField) };
}

/**
 * The text command for submitted values: `OPCODE v1 v2`, a field left empty or out leaving its
 * token out (the parser then names the count and the usage). A value with a space in it would
 * shift the tokens after it, so it is refused here with the reason the parser gives for it.
 */
export function commandText(opcode: Opcode, values: SubmittedValues): { text: string } | { reason: string } {
  const tokens = [opcode.opcode];
  for (const operand of opcode.operands) {
    const value = (values.get(operand.name) ?? []).join(" ").trim();
    if (value === "") continue;
    if (/\s/.test(value)) {
      const result = parseOperand(operand, value);
      if ("reason" in result) return { reason: result.reason };
    }
    tokens.push(value);
  }
  return { text: tokens.join(" ") };
}

function note(reply: string): Note {
  return { type: reply.startsWith("error") ? "error" : "info", text: reply };
}

function opcodeCommand(opcode: Opcode, run: CommandRunner): AdHocCommand {
  return {
    node: opcode.opcode,
    name: opcode.task,
    form: () => opcodeForm(opcode),
    async run(values, from) {
      const command = commandText(opcode, values);
      if ("reason" in command) return { type: "error", text: `error: ${command.reason}` };
      return note(await run(command.text, from));
    },
  };
}

/** One ad-hoc command per opcode, in the order help lists them, then `status`. */
export function deviceCommands(opcodes: readonly Opcode[], run: CommandRunner): AdHocCommand[] {
  const status: AdHocCommand = {
    node: STATUS_NODE,
    name: "Status",
    form: () => undefined,
    run: async (_values, from) => ({ type: "info", text: await run("status", from) }),
  };
  return [...opcodes.map((opcode) => opcodeCommand(opcode, run)), status];
}

export const DECLARATION_NODE = "declaration";

/**
 * The owner-only command that replaces the device declaration: one text-multi field holding the
 * same JSON as `config.device` (the chat form is `declare {...}`). `change` gives the reply.
 */
export function declarationCommand(change: (text: string, from: Jid) => Promise<string>): AdHocCommand {
  return {
    node: DECLARATION_NODE,
    name: "Change the instruction set",
    form: () => ({
      title: "Change the instruction set",
      instructions: "The new device declaration, the same JSON as config.device in the manifest. It is checked whole; if it is refused nothing changes, else every output goes to its safe state and the new instruction set replaces the old one, and is kept after a restart.",
      fields: [{ var: "declaration", type: "text-multi", label: "Declaration (JSON)", desc: `{"name": ..., "drivers": {...}, "opcodes": [...]}`, required: true }],
    }),
    async run(values, from) {
      const text = (values.get("declaration") ?? []).join("\n").trim();
      if (text === "") return { type: "error", text: "error: the field declaration is empty: paste the new device declaration (JSON); nothing was changed" };
      return note(await change(text, from));
    },
  };
}

/**
 * Names the instruction set in disco#info, so that the caps ver (XEP-0115) changes with it and a
 * controller that keeps forms by ver fetches them again: a digest of every command's node, name
 * and form, which is what a controller builds from.
 */
export function instructionSetFeature(host: { digest(algorithm: "SHA-1", data: Uint8Array): Uint8Array }, node: string, opcodes: readonly Opcode[]): string {
  const described = opcodes.map((opcode) => [opcode.opcode, opcode.task, opcodeForm(opcode) ?? null]);
  let hex = "";
  for (const byte of host.digest("SHA-1", encodeUtf8(JSON.stringify(described))).subarray(0, 8)) hex += byte.toString(16).padStart(2, "0");
  return `${node}#instruction-set-${hex}`;
}
