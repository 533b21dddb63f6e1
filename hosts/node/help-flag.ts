// Every command answers --help (or -h) with its usage on stdout and exit code 0, before it
// reads anything else; a usage error is exit code 2 everywhere.

export const USAGE_EXIT = 2;

/** Whether the command line asks for help. */
export function asksForHelp(argv: readonly string[]): boolean {
  return argv.some((argument) => argument === "--help" || argument === "-h");
}
