// A device's instruction, however the dashboard learnt it (an ad-hoc command's data form, or a
// row of the `help` table): the fields a form shows, and the text command values make.

/** How a field is entered: a number in a range, one of a list, a switch, free text, or text shown only. */
export type FieldKind = "number" | "choice" | "switch" | "text" | "fixed" | "hidden";

export interface FieldOption {
  readonly label: string;
  readonly value: string;
}

export interface InstructionField {
  /** The operand's name (the data form's var). */
  readonly name: string;
  /** What the form shows, e.g. `TEMP (C, 50–400)`. */
  readonly label: string;
  readonly kind: FieldKind;
  readonly required: boolean;
  readonly description?: string;
  readonly unit?: string;
  readonly min?: number;
  readonly max?: number;
  /** Whole numbers only (xs:integer); undefined when not known (the help table does not say). */
  readonly integer?: boolean;
  readonly options?: readonly FieldOption[];
  /** The value the form starts with (a default, or a fixed or hidden field's value). */
  readonly value?: string;
}

export interface Instruction {
  /** The opcode, or the ad-hoc command's node. */
  readonly opcode: string;
  readonly task: string;
  readonly fields: readonly InstructionField[];
  /** The help table's example, e.g. `PREHEAT 350 20`. */
  readonly example?: string;
  readonly instructions?: string;
}

/** What a form gives back: field name -> value as typed ("on"/"off" for a switch in a text command). */
export type FieldValues = ReadonlyMap<string, string>;

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
