// The device's instruction set: a chat line parsed into a Command against the declared opcodes
// (validated as a whole, first fault reported), and the opcodes rendered for `help` as a table.

import { frozenMap } from "./frozen.js";
import { operandDetail, parseOperand, quoted } from "./operands.js";
import type { Command, DeviceDeclaration, Opcode, Operand, OperandValues } from "./types.js";

/** Why a command was refused; the message is the reason for the `error:` reply. */
export class CommandError extends Error {
  override readonly name = "CommandError";
}

const SEE_HELP = "send help for the list of commands";

/** One line on how to call the opcode: `PREHEAT <temp C 50–400> <time min 1–120>`. */
export function usage(opcode: Opcode): string {
  return [opcode.opcode, ...opcode.operands.map((operand) => `<${operand.name} ${operandDetail(operand, " ")}>`)].join(" ");
}

function countReason(opcode: Opcode, got: number): string {
  const names = opcode.operands.map((operand) => operand.name);
  const takes = names.length === 0
    ? "takes no operands"
    : `takes ${names.length} operand${names.length === 1 ? "" : "s"} (${names.join(", ")})`;
  return `${opcode.opcode} ${takes}, got ${got}: usage ${usage(opcode)}`;
}

/** The values of an opcode's operand tokens: the count first, then each operand in order. */
export function parseOperands(opcode: Opcode, tokens: readonly string[]): OperandValues {
  if (tokens.length !== opcode.operands.length) throw new CommandError(countReason(opcode, tokens.length));
  const values: [string, number | boolean | string][] = [];
  opcode.operands.forEach((operand, index) => {
    const result = parseOperand(operand, tokens[index]!);
    if ("reason" in result) throw new CommandError(result.reason);
    values.push([operand.name, result.value]);
  });
  return frozenMap(values);
}

/** An operand as help's table heads it: `TEMP (C, 50–400)`. */
export function operandCell(operand: Operand): string {
  return `${operand.name.toUpperCase()} (${operandDetail(operand, ", ")})`;
}

/** The paper's Table 1 in plain text, columns padded for a monospace font. */
function renderHelp(declaration: DeviceDeclaration): string {
  const opcodes = declaration.opcodes;
  const operandColumns = Math.max(1, ...opcodes.map((opcode) => opcode.operands.length));
  const operandIndexes = Array.from({ length: operandColumns }, (_, index) => index);
  const header = ["Task", "Opcode", ...operandIndexes.map((index) => `Operand ${index + 1}`), "Example"];
  const rows = opcodes.map((opcode) => [
    opcode.task,
    opcode.opcode,
    ...operandIndexes.map((index) => {
      const operand = opcode.operands[index];
      return operand ? operandCell(operand) : "—";
    }),
    opcode.example,
  ]);
  const widths = header.map((_, column) => Math.max(...[header, ...rows].map((row) => row[column]!.length)));
  const line = (row: readonly string[]) => row.map((cell, column) => cell.padEnd(widths[column]!)).join(" | ").trimEnd();
  return [
    `${declaration.name}: commands`,
    line(header),
    ...rows.map(line),
    "Also: help (this list), status (outputs and timers)",
  ].join("\n");
}

export class InstructionSet {
  readonly opcodes: readonly Opcode[];
  readonly #byWord: ReadonlyMap<string, Opcode>;
  readonly #help: string;

  constructor(declaration: DeviceDeclaration) {
    this.opcodes = declaration.opcodes;
    this.#byWord = new Map(declaration.opcodes.map((opcode) => [opcode.opcode.toUpperCase(), opcode]));
    this.#help = renderHelp(declaration);
  }

  /** The opcode a command word names, in any case. */
  find(word: string): Opcode | undefined {
    return this.#byWord.get(word.toUpperCase());
  }

  /** `OPCODE operand...` as a Command; throws CommandError with the reason for the reply. */
  parse(text: string): Command {
    const tokens = text.trim().split(/\s+/);
    if (tokens[0] === "") throw new CommandError(`empty command; ${SEE_HELP}`);
    const opcode = this.find(tokens[0]!);
    if (opcode === undefined) throw new CommandError(`unknown command ${quoted(tokens[0]!)}; ${SEE_HELP}`);
    // The opcode is the declaration's, deep-frozen already, and the values are frozen as parsed.
    return Object.freeze({ opcode, values: parseOperands(opcode, tokens.slice(1)) });
  }

  help(): string {
    return this.#help;
  }
}
