// The keepalive pings on the host's clock and gives up the stream only when a ping goes unanswered.

import { assert } from "../../support/assert.js";
import { FakeClock, settle } from "../../support/fake-host.js";
import { Keepalive } from "../../../src/xmpp/keepalive.js";
import { StanzaError, TimeoutError } from "../../../src/xmpp/error.js";

function setup(answer: () => Promise<unknown>) {
  const clock = new FakeClock();
  const dead: string[] = [];
  let pings = 0;
  const keepalive = new Keepalive({
    host: clock,
    intervalMs: 60_000,
    ping: () => {
      pings++;
      return answer();
    },
    onDead: (reason) => dead.push(reason),
  });
  return { clock, dead, keepalive, pings: () => pings };
}

describe("keepalive", () => {
  it("pings once per interval while answers come", async () => {
    const { clock, dead, keepalive, pings } = setup(() => Promise.resolve());
    keepalive.start();
    for (let i = 0; i < 3; i++) {
      clock.advance(60_000);
      await settle();
    }
    assert.equal(pings(), 3);
    assert.deepEqual(dead, []);
  });

  it("counts an error answer as a live link", async () => {
    const { clock, dead, keepalive, pings } = setup(() => Promise.reject(new StanzaError("service-unavailable")));
    keepalive.start();
    clock.advance(60_000);
    await settle();
    clock.advance(60_000);
    await settle();
    assert.equal(pings(), 2);
    assert.deepEqual(dead, []);
  });

  it("reports the link dead when a ping goes unanswered, and stops pinging", async () => {
    const { clock, dead, keepalive, pings } = setup(() => Promise.reject(new TimeoutError("no answer to iq 7 within 20000 ms")));
    keepalive.start();
    clock.advance(60_000);
    await settle();
    assert.equal(dead.length, 1);
    assert.match(dead[0]!, /did not answer a ping/);
    clock.advance(600_000);
    await settle();
    assert.equal(pings(), 1);
  });

  it("sends nothing after stop()", async () => {
    const { clock, keepalive, pings } = setup(() => Promise.resolve());
    keepalive.start();
    keepalive.stop();
    clock.advance(600_000);
    await settle();
    assert.equal(pings(), 0);
    assert.equal(clock.pending, 0);
  });
});
