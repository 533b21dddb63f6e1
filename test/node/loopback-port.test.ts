// Free loopback ports for the hubs: several picked for one server are never the same port.

import { strict as assert } from "node:assert";
import { freeLoopbackPort, freeLoopbackPortBesides, loopbackPortIsFree } from "../../hosts/node/hub/loopback-port.js";

/** A port finder that answers `ports` in turn (the last one again and again), counting its calls. */
function answering(...ports: number[]): { find: () => Promise<number>; calls: () => number } {
  let calls = 0;
  return { find: async () => ports[Math.min(calls++, ports.length - 1)]!, calls: () => calls };
}

describe("free loopback ports", () => {
  it("asks again when the port found is one already taken, as a port just freed can come back", async () => {
    const finder = answering(40_001, 40_002, 40_001, 40_003);
    assert.equal(await freeLoopbackPortBesides([40_001, 40_002, undefined], finder.find), 40_003);
    assert.equal(finder.calls(), 4);
  });

  it("gives up, naming the ports it had to avoid, when only taken ones come back", async () => {
    const finder = answering(40_001);
    await assert.rejects(freeLoopbackPortBesides([40_001, undefined], finder.find), /no free loopback port besides 40001 in 20 tries/);
    assert.equal(finder.calls(), 20);
  });

  it("finds a real port that is free and not among those given", async () => {
    const first = await freeLoopbackPort();
    const second = await freeLoopbackPortBesides([first]);
    assert.notEqual(second, first);
    assert.ok(await loopbackPortIsFree(second));
  });
});
