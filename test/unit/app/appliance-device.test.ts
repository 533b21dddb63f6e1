// The device as every runtime wires it for its appliance: changes reach the appliance, and a
// trip is logged and messaged to the owners, naming the device and the driver.

import { assert } from "../../support/assert.js";
import { FakeHost, settle } from "../../support/fake-host.js";
import { FakePins } from "../../support/fake-pins.js";
import { createApplianceDevice, readyLine } from "../../../src/app/appliance-device.js";
import { readDeviceDeclaration } from "../../../src/device/declaration.js";

const declaration = readDeviceDeclaration(
  {
    name: "Fountain",
    drivers: { pump: { kind: "relay", pin: 5, max_on_s: 2 } },
    opcodes: [{ opcode: "PUMP", task: "Run the pump", operands: [], action: { set: { pump: "on" } } }],
  },
  "test",
);

describe("the appliance's device", () => {
  it("tells the attached appliance of changes, and logs a trip and messages it to the owners", async () => {
    const host = new FakeHost();
    const logged: string[] = [];
    const { device, attach } = createApplianceDevice(declaration, { host, pins: new FakePins(host.clock) }, (event, detail) => logged.push(`${event}: ${detail}`));
    let changes = 0;
    const notices: string[] = [];
    attach({ deviceChanged: () => changes++, notifyOwners: (text) => notices.push(text) });
    assert.match(await device.handle("PUMP"), /^ok/);
    assert.ok(changes > 0, "the command changed the device");
    host.clock.advance(2_500);
    await settle();
    assert.equal(logged.length, 1);
    assert.match(logged[0]!, /^trip: pump: /);
    assert.equal(notices.length, 1);
    assert.match(notices[0]!, /^Fountain: pump switched off by itself: /);
    device.close();
  });

  it("says how many outputs and commands it has once ready", () => {
    assert.equal(readyLine(declaration, " on simulator"), "Fountain on simulator: 1 outputs in their safe state, 1 commands");
  });
});
