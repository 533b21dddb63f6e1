// A server process's output read line by line, its last lines kept for the message that says
// why the server did not start.
import type { ChildProcess } from "node:child_process";

const LOG_TAIL_LINES = 40;

/** Calls `onLine` for each line the child writes to stdout or stderr; returns the live tail of its last lines. */
export function followLines(child: ChildProcess, onLine: (line: string) => void): string[] {
  const tail: string[] = [];
  for (const stream of [child.stdout!, child.stderr!]) {
    let partial = "";
    stream.setEncoding("utf8");
    stream.on("data", (chunk: string) => {
      const lines = (partial + chunk).split("\n");
      partial = lines.pop()!;
      for (const line of lines) {
        tail.push(line);
        if (tail.length > LOG_TAIL_LINES) tail.shift();
        onLine(line);
      }
    });
  }
  return tail;
}
