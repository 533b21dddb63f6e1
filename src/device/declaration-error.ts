// The error a wrong `config.device` raises at start, before any pin is touched: which manifest,
// which key, what is wrong and what to do.

export class DeclarationError extends Error {
  override readonly name = "DeclarationError";
  /** The key, from `device` on: `device.opcodes[1].action.set.grill`. */
  readonly path: string;
  /** What is wrong and what to do, without the source and the path. */
  readonly problem: string;

  constructor(source: string, path: string, problem: string) {
    super(`${source}: config.${path}: ${problem}`);
    this.path = path;
    this.problem = problem;
  }
}
