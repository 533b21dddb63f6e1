// The desktop device's log lines, written together: one write per turn of the event loop instead
// of one per line, and always before anything the device sends to the server in that turn (the
// host calls `flush()` before each socket write), so a command's lines are out before its reply.
// One synchronous pipe write per line (the message, each pin, the reply), each waking whoever
// reads the pipe, came to a third of the device's CPU per command (npm run bench:commands).

export interface LogLines {
  /** Adds a line (without its newline); it is written before the next socket write, or once this turn of the loop is over. */
  line(text: string): void;
  /** Writes what is waiting now (nothing when nothing is). */
  flush(): void;
}

/** Lines for `write` (stdout by default: synchronous for files and pipes on Linux, so nothing is
 * lost at exit), flushed by `flush()`, on setImmediate and at exit. */
export function logLines(write: (text: string) => void = (text) => void process.stdout.write(text)): LogLines {
  let waiting: string[] = [];
  let scheduled = false;
  const flush = () => {
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
        setImmediate(() => {
          scheduled = false;
          flush();
        });
      }
    },
    flush,
  };
}
