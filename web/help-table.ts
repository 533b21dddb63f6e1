// The device's `help` reply read back into instructions: the table's rows (`Task | Opcode |
// Operand 1 | ... | Example`) with operand cells like `TEMP (C, 50–400)`, `MODE (low|medium|high)`,
// `POWER (on|off)`, and `—` for none. For devices that list no ad-hoc commands.

import type { Instruction, InstructionField } from "./instruction.js";

export interface HelpTable {
  /** The device's name, from the first line (`Microwave: commands`). */
  readonly device: string;
  readonly instructions: readonly Instruction[];
}

/** Why a reply could not be read as the help table. */
export class HelpTableError extends Error {
  override readonly name = "HelpTableError";
}

const NONE = "—";
const HEADING = /^(.*): commands$/;
const NUMBER = String.raw`-?\d+(?:\.\d+)?`;
const RANGE_CELL = new RegExp(String.raw`^([A-Z][A-Z0-9_]*) \((?:(.+), )?(${NUMBER})–(${NUMBER})\)$`);
const WORDS_CELL = /^([A-Z][A-Z0-9_]*) \(([^()\s|]+(?:\|[^()\s|]+)+)\)$/;

function cells(line: string): string[] {
  return line.split(" | ").map((cell) => cell.trim());
}

/** One operand cell as a form field; throws HelpTableError for a cell it cannot read. */
export function operandField(cell: string): InstructionField {
  const range = RANGE_CELL.exec(cell);
  if (range) {
    const [, name, unit, min, max] = range;
    return {
      name: name!.toLowerCase(), label: cell, kind: "number", required: true,
      min: Number(min), max: Number(max), ...(unit !== undefined ? { unit } : {}),
    };
  }
  const words = WORDS_CELL.exec(cell);
  if (words) {
    const [, name, list] = words;
    const values = list!.split("|");
    if (values.length === 2 && values[0] === "on" && values[1] === "off") {
      return { name: name!.toLowerCase(), label: cell, kind: "switch", required: true };
    }
    return { name: name!.toLowerCase(), label: cell, kind: "choice", required: true, options: values.map((value) => ({ label: value, value })) };
  }
  throw new HelpTableError(`cannot read the operand "${cell}": expected NAME (unit, min–max), NAME (min–max) or NAME (a|b|...)`);
}

/** Reads the reply to `help`; throws HelpTableError saying what it did not find. */
export function parseHelpTable(reply: string): HelpTable {
  const lines = reply.split("\n").map((line) => line.trimEnd());
  const heading = HEADING.exec(lines[0] ?? "");
  if (!heading) throw new HelpTableError(`the help reply does not start with "<name>: commands" (got ${JSON.stringify((lines[0] ?? "").slice(0, 60))})`);
  const header = cells(lines[1] ?? "");
  const taskColumn = header.indexOf("Task");
  const opcodeColumn = header.indexOf("Opcode");
  const exampleColumn = header.indexOf("Example");
  const operandColumns = header.flatMap((name, index) => (/^Operand \d+$/.test(name) ? [index] : []));
  if (taskColumn < 0 || opcodeColumn < 0 || exampleColumn < 0) {
    throw new HelpTableError(`the help reply has no "Task | Opcode | ... | Example" header line (got ${JSON.stringify((lines[1] ?? "").slice(0, 60))})`);
  }
  const instructions: Instruction[] = [];
  for (const line of lines.slice(2)) {
    if (line === "" || line.startsWith("Also:")) break;
    let row = cells(line);
    // Only the task is free text: a " | " inside it splits it, and the cells after it are still in place.
    const extra = row.length - header.length;
    if (extra > 0 && taskColumn === 0) row = [row.slice(0, extra + 1).join(" | "), ...row.slice(extra + 1)];
    if (row.length !== header.length) {
      throw new HelpTableError(`help row "${line}" has ${row.length} columns where the header has ${header.length}`);
    }
    const fields = operandColumns.map((column) => row[column]!).filter((cell) => cell !== NONE && cell !== "").map(operandField);
    instructions.push({ opcode: row[opcodeColumn]!, task: row[taskColumn]!, fields, example: row[exampleColumn]! });
  }
  if (instructions.length === 0) throw new HelpTableError("the help reply lists no commands");
  return { device: heading[1]!, instructions };
}
