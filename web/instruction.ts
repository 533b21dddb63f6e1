// A device's instruction, however the dashboard learnt it (an ad-hoc command's data form, or a
// row of the `help` table): the fields a form shows, and the text command values make.

import type { FieldValues, FormField } from "../owner/data-form.js";

export type { FieldKind, FieldOption, FieldValues } from "../owner/data-form.js";
/** An operand of an instruction: a data-form field as the owner's library reads it. */
export type InstructionField = FormField;

export interface Instruction {
  /** The opcode, or the ad-hoc command's node. */
  readonly opcode: string;
  readonly task: string;
  readonly fields: readonly InstructionField[];
  /** The help table's example, e.g. `PREHEAT 350 20`. */
  readonly example?: string;
  readonly instructions?: string;
}

/** The chat text of an instruction filled in: `OPCODE v1 v2`, operands in the fields' order. */
export function commandText(instruction: Instruction, values: FieldValues): string {
  const tokens = [instruction.opcode];
  for (const field of instruction.fields) {
    if (field.kind === "fixed" || field.kind === "hidden") continue;
    const value = (values.get(field.name) ?? "").trim();
    // An empty value leaves its token out: the device then names the missing operand.
    if (value !== "") tokens.push(value);
  }
  return tokens.join(" ");
}
