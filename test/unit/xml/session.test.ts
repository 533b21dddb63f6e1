// The stream reader on a recorded client session: the same header, stanzas and end whole,
// cut in two at every byte, and byte by byte.

import { assert } from "../../support/assert.js";
import { restartAfter, sessionBytes, sessionEvents } from "./fixtures/session.js";
import { ReaderLog, firstDifferingSplit, readWhole } from "./reader-log.js";

describe("StanzaStream on a recorded session", () => {
  const options = { restartAfter };

  it("reports every header, stanza and the end when the session arrives whole", () => {
    assert.deepEqual(readWhole(sessionBytes, options), sessionEvents);
  });

  it("reports the same at every point the session can be cut in two", () => {
    const differing = firstDifferingSplit(sessionBytes, options);
    assert.equal(differing, undefined, differing && `cut at byte ${differing.at}: ${differing.events.join("\n")}`);
  });

  it("reports the same when the session arrives one byte at a time", () => {
    assert.deepEqual(new ReaderLog(options).writeBytewise(sessionBytes).events, sessionEvents);
  });

  it("reports the same when cut into pieces of every size up to 64 bytes", () => {
    for (let size = 2; size <= 64; size++) {
      const cuts: number[] = [];
      for (let at = size; at < sessionBytes.length; at += size) cuts.push(at);
      assert.deepEqual(new ReaderLog(options).write(sessionBytes, cuts).events, sessionEvents, `pieces of ${size} bytes`);
    }
  });

  it("takes the next stream's XML declaration for a processing instruction unless restarted", () => {
    const events = readWhole(sessionBytes);
    assert.deepEqual(events.slice(0, 3), sessionEvents.slice(0, 3));
    assert.match(events[3], /^error restricted-xml: a processing instruction at byte \d+$/);
    assert.equal(events.length, 4);
  });
});
