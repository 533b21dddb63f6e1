// Lines printed above an interactive prompt (the demo's owner console): what was typed so far is
// taken off the screen, the line printed, and the prompt drawn again under it with the typing
// and the cursor where they were, so log lines arriving while one types never break the input.

import { clearScreenDown, cursorTo, moveCursor, type Interface } from "node:readline";
import type { Writable } from "node:stream";

export class ConsoleLines {
  readonly #output: Writable;
  #prompt: Interface | undefined;

  constructor(output: Writable) {
    this.#output = output;
  }

  /** The prompt lines go above from now on; undefined: plain lines (piped input, or the prompt closed). */
  attach(prompt: Interface | undefined): void {
    this.#prompt = prompt;
  }

  say(line: string): void {
    const prompt = this.#prompt;
    if (prompt === undefined) return void this.#output.write(`${line}\n`);
    // The input may wrap over several rows: go to the first, clear it and the rows below.
    const { rows } = prompt.getCursorPos();
    if (rows > 0) moveCursor(this.#output, 0, -rows);
    cursorTo(this.#output, 0);
    clearScreenDown(this.#output);
    this.#output.write(`${line}\n`);
    // readline redraws the prompt from as many rows up as it last drew it over (its prevRows, not
    // kept up to date while one types at the end of the line); we are already at its first row.
    if ("prevRows" in prompt) Reflect.set(prompt, "prevRows", 0);
    prompt.prompt(true);
  }
}
