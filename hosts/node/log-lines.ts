// The desktop device's log lines, written together: one write per turn of the event loop instead
// of one per line. A command's lines (the message, each pin, the reply) came to a third of the
// device's CPU per command as separate synchronous writes to a pipe (npm run bench:commands).

export interface LogLines {
  /** Adds a line (without its newline); it is written once the current turn of the loop is over. */
  line(text: string): void;
  /** Writes what is waiting now. */
  flush(): void;
}

/** Lines for `write` (stdout by default: synchronous for files and pipes on Linux, so nothing is
 * lost at exit), flushed on setImmediate and at exit. */
export function logLines(write: (text: string) => void = (text) => void process.stdout.write(text)): LogLines {
  let waiting: string[] = [];
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    if (waiting.length === 0) return;
    const text = `${waiting.join("\n")}\n`;
    waiting = [];
    write(text);
  };
  // process.exit() skips setImmediate: what is waiting then is written before the process ends.
  process.on("exit", flush);
  return {
    line(text) {
      waiting.push(text);
      if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
    },
    flush,
  };
}
