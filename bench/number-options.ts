// A benchmark's command line: `--flag N` or `--flag N,M,...` options, each a list of whole numbers.

/** The lists given for `flags`; throws, with `usage`, for an unknown flag or a value that is not numbers. */
export function readNumberOptions(argv: readonly string[], flags: readonly string[], usage: string): Map<string, number[]> {
  const given = new Map<string, number[]>();
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    const text = argv[++i];
    if (text === undefined || !/^\d+(,\d+)*$/.test(text)) throw new Error(`${flag} needs a number (list); ${usage}`);
    if (!flags.includes(flag)) throw new Error(`unknown option ${flag}; ${usage}`);
    given.set(flag, text.split(",").map(Number));
  }
  return given;
}
