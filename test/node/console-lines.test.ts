// The owner console's prompt stays whole while lines arrive: readline with terminal: true on a
// pipe (no pty needed), its output played onto a small screen model, and what the screen shows
// checked after typing, a log line, more typing and Enter.

import { strict as assert } from "node:assert";
import { PassThrough } from "node:stream";
import { createInterface } from "node:readline";
import { ConsoleLines } from "../../hosts/node/console-lines.js";

/** A terminal screen: the printable text, \r, \n, and the CSI sequences readline uses (A B C D G K J). */
class Screen {
  readonly rows: string[] = [""];
  row = 0;
  col = 0;
  constructor(readonly columns: number) {}

  play(text: string): void {
    for (let i = 0; i < text.length; i++) {
      const char = text[i]!;
      if (char === "\x1b" && text[i + 1] === "[") {
        const match = /^\x1b\[(\d*)([A-Za-z])/.exec(text.slice(i))!;
        assert.ok(match, `a CSI sequence at ${JSON.stringify(text.slice(i, i + 8))}`);
        this.#csi(match[2]!, match[1] === "" ? undefined : Number(match[1]));
        i += match[0].length - 1;
      } else if (char === "\r") this.col = 0;
      else if (char === "\n") this.#down();
      else {
        if (this.col >= this.columns) {
          this.col = 0;
          this.#down();
        }
        const line = this.rows[this.row]!.padEnd(this.col);
        this.rows[this.row] = line.slice(0, this.col) + char + line.slice(this.col + 1);
        this.col++;
      }
    }
  }

  /** The screen's rows without trailing blanks, and the cursor. */
  get shown(): { lines: string[]; cursor: [number, number] } {
    const lines = this.rows.map((row) => row.trimEnd());
    while (lines.length > 1 && lines.at(-1) === "" && lines.length - 1 > this.row) lines.pop();
    return { lines, cursor: [this.row, this.col] };
  }

  #down(): void {
    this.row++;
    if (this.rows.length <= this.row) this.rows.push("");
  }

  #csi(command: string, n: number | undefined): void {
    switch (command) {
      case "A": this.row = Math.max(0, this.row - (n ?? 1)); break;
      case "B": for (let k = 0; k < (n ?? 1); k++) this.#down(); break;
      case "C": this.col += n ?? 1; break;
      case "D": this.col = Math.max(0, this.col - (n ?? 1)); break;
      case "G": this.col = (n ?? 1) - 1; break;
      case "K": this.rows[this.row] = this.rows[this.row]!.slice(0, this.col); break;
      case "J":
        this.rows[this.row] = this.rows[this.row]!.slice(0, this.col);
        this.rows.splice(this.row + 1);
        break;
      default: assert.fail(`CSI ${command} is not modelled`);
    }
  }
}

function setUp(columns: number) {
  const input = new PassThrough();
  const output = new PassThrough();
  const screen = new Screen(columns);
  Object.assign(output, { columns, isTTY: true });
  output.on("data", (chunk: Buffer) => screen.play(chunk.toString()));
  const prompt = createInterface({ input, output, terminal: true, prompt: "owner> " });
  const lines = new ConsoleLines(output);
  lines.attach(prompt);
  const entered: string[] = [];
  prompt.on("line", (line) => {
    entered.push(line);
    prompt.prompt();
  });
  prompt.prompt();
  const settle = () => new Promise((resolve) => setImmediate(resolve));
  return { input, screen, lines, prompt, entered, settle };
}

describe("owner console: lines above the prompt", () => {
  it("prints a log line above the prompt and draws the prompt again with what was typed, the cursor after it", async () => {
    const { input, screen, lines, prompt, entered, settle } = setUp(80);
    lines.say("demo: microwave@hub.test, relayboard@hub.test, heater@hub.test are online.");
    input.write("PREH");
    await settle();
    lines.say("  microwave | 06:59:58.023 sensor        cavity 26.8 °C");
    await settle();
    assert.deepEqual(screen.shown, {
      lines: ["demo: microwave@hub.test, relayboard@hub.test, heater@hub.test are online.", "  microwave | 06:59:58.023 sensor        cavity 26.8 °C", "owner> PREH"],
      cursor: [2, "owner> PREH".length],
    });
    input.write("EAT 350 20");
    await settle();
    // Apart: readline takes text and Enter in one chunk as a paste.
    input.write("\r");
    await settle();
    assert.deepEqual(entered, ["PREHEAT 350 20"], "the typing before and after the log line is one command");
    assert.deepEqual(screen.shown.lines.slice(2), ["owner> PREHEAT 350 20", "owner>"]);
    prompt.close();
  });

  it("keeps the cursor where it was inside the typed text", async () => {
    const { input, screen, lines, prompt, entered, settle } = setUp(80);
    input.write("GRILL 5");
    input.write("\x1b[D\x1b[D"); // two to the left: between "GRILL" and " 5"
    await settle();
    lines.say("microwave: ok: STOP");
    await settle();
    assert.deepEqual(screen.shown, { lines: ["microwave: ok: STOP", "owner> GRILL 5"], cursor: [1, "owner> GRILL".length] });
    input.write("1");
    await settle();
    input.write("\r");
    await settle();
    assert.deepEqual(entered, ["GRILL1 5"]);
    prompt.close();
  });

  it("clears every row of typing that wraps past the terminal's width, and redraws it whole under the line", async () => {
    const { input, screen, lines, prompt, settle } = setUp(20);
    input.write("PREHEAT 350 20 and more words");
    await settle();
    lines.say("a log line");
    await settle();
    assert.deepEqual(screen.shown.lines, ["a log line", "owner> PREHEAT 350 2", "0 and more words"]);
    prompt.close();
  });

  it("prints plain lines when no prompt is attached (piped input)", () => {
    const output = new PassThrough();
    let text = "";
    output.on("data", (chunk: Buffer) => (text += chunk.toString()));
    const lines = new ConsoleLines(output);
    lines.say("owner> help");
    lines.say("microwave: Microwave: commands");
    assert.equal(text, "owner> help\nmicrowave: Microwave: commands\n");
  });
});
