// Wi-Fi: the WPA2 floor from scan results, the strongest acceptable access point by BSSID,
// retries with backoff on the host's clock, and rejoining when the link drops.

import { assert } from "../../support/assert.js";
import { FakeHost, settle } from "../../support/fake-host.js";
import { WifiLink, chooseAccessPoint, offersWpa2, type AccessPoint, type Radio, type WifiEvent } from "../../../src/app/wifi-link.js";

function ap(ssid: string, authentication: string, rssi: number, bssid = `${ssid}-${rssi}`): AccessPoint {
  return { ssid, authentication, rssi, bssid };
}

/** A radio whose scans and joins the test scripts. */
class FakeRadio implements Radio {
  onLost: (() => void) | undefined;
  networks: AccessPoint[] = [];
  joinFailure: Error | undefined;
  joined: AccessPoint[] = [];
  passwords: string[] = [];
  left = 0;
  async scan(): Promise<readonly AccessPoint[]> {
    return this.networks;
  }
  async join(accessPoint: AccessPoint, password: string): Promise<void> {
    this.joined.push(accessPoint);
    this.passwords.push(password);
    if (this.joinFailure) throw this.joinFailure;
  }
  leave(): void {
    this.left += 1;
  }
}

function setup(networks: AccessPoint[]) {
  const host = new FakeHost();
  const radio = new FakeRadio();
  radio.networks = networks;
  const events: [WifiEvent, string][] = [];
  let ups = 0;
  const link = new WifiLink({ host, radio, ssid: "Home", password: "secret", onEvent: (event, detail) => events.push([event, detail]), onUp: () => ups++ });
  return { host, radio, events, link, ups: () => ups };
}

describe("Wi-Fi link", () => {
  it("counts WPA2, WPA3 and mixed WPA/WPA2 as acceptable, and open, WEP, WPA and unknown modes not", () => {
    for (const mode of ["wpa2_psk", "wpa_wpa2_psk", "wpa3_psk", "wpa2_wpa3_psk", "wpa2_enterprise"]) assert.ok(offersWpa2(mode), mode);
    for (const mode of ["none", "wep", "wpa_psk", "wapi_psk", "something_new"]) assert.ok(!offersWpa2(mode), mode);
  });

  it("picks the strongest acceptable access point of the network, ignoring weaker-secured twins", () => {
    const choice = chooseAccessPoint([ap("Home", "none", -30), ap("Home", "wpa2_psk", -70), ap("Home", "wpa2_psk", -50), ap("Cafe", "wpa2_psk", -20)], "Home");
    assert.deepEqual(choice, ap("Home", "wpa2_psk", -50));
  });

  it("refuses a network that offers less than WPA2, naming what it offers", () => {
    const choice = chooseAccessPoint([ap("Home", "wep", -40), ap("Home", "wpa_psk", -60)], "Home");
    assert.equal(choice, `refusing to join "Home": it offers wep, wpa_psk, less than WPA2; set the access point to WPA2 or WPA3`);
  });

  it("says when the network is not in range, with what is", () => {
    const why = chooseAccessPoint([ap("Cafe", "wpa2_psk", -20)], "Home") as string;
    assert.match(why, /no network named "Home" in range \(seen: Cafe\); check the ssid key$/);
  });

  it("says that a hidden network never matches the scan when access points without an SSID answered it", () => {
    const why = chooseAccessPoint([ap("Cafe", "wpa2_psk", -20), ap("", "wpa2_psk", -40)], "Home") as string;
    assert.match(why, /no network named "Home" in range \(seen: Cafe\); check the ssid key; 1 access point in range hides its SSID, and a hidden network never matches the scan: make the access point broadcast its SSID/);
    assert.equal(
      chooseAccessPoint([ap("", "wpa2_psk", -40), ap("", "none", -60)], "Home"),
      `no network named "Home" in range; check the ssid key; 2 access points in range hide their SSIDs, and a hidden network never matches the scan: make the access point broadcast its SSID`,
    );
  });

  it("refuses enterprise and OWE networks where the scan names them: they pass the WPA2 floor but cannot be joined with a passphrase", () => {
    for (const mode of ["wpa2_enterprise", "wpa3_enterprise", "owe"]) {
      const why = chooseAccessPoint([ap("Office", mode, -40)], "Office") as string;
      assert.equal(why, `refusing to join "Office": it offers ${mode}, which needs enterprise (802.1X) credentials or OWE that this firmware cannot use; use a WPA2 or WPA3-Personal network (a passphrase)`);
    }
    // A personal access point of the same name is still taken, even when weaker.
    assert.deepEqual(chooseAccessPoint([ap("Office", "wpa2_enterprise", -30), ap("Office", "wpa2_psk", -70)], "Office"), ap("Office", "wpa2_psk", -70));
  });

  it("joins by the chosen access point with the password and reports up", async () => {
    const { radio, events, link, ups } = setup([ap("Home", "wpa2_psk", -55)]);
    await link.start();
    assert.deepEqual(radio.joined, [ap("Home", "wpa2_psk", -55)]);
    assert.deepEqual(radio.passwords, ["secret"]);
    assert.ok(link.up);
    assert.equal(ups(), 1);
    assert.deepEqual(events.map(([event]) => event), ["wifi scanning", "wifi joining", "wifi up"]);
  });

  it("never joins an open network of the same name, and retries with backoff until a WPA2 one appears", async () => {
    const { host, radio, events, link } = setup([ap("Home", "none", -30)]);
    let up = false;
    void link.start().then(() => (up = true));
    await settle();
    assert.deepEqual(radio.joined, []);
    assert.ok(events.some(([event, detail]) => event === "wifi refused" && /less than WPA2/.test(detail)));
    radio.networks = [ap("Home", "wpa2_psk", -60)];
    host.clock.advance(2_000);
    await settle();
    assert.ok(up);
    assert.deepEqual(radio.joined, [ap("Home", "wpa2_psk", -60)]);
  });

  it("backs off between failed joins", async () => {
    const { host, radio, link } = setup([ap("Home", "wpa2_psk", -60)]);
    radio.joinFailure = new Error("wrong password");
    void link.start();
    await settle();
    assert.equal(radio.joined.length, 1);
    host.clock.advance(2_000);
    await settle();
    assert.equal(radio.joined.length, 2);
    host.clock.advance(1_999);
    await settle();
    assert.equal(radio.joined.length, 2, "the second delay (2–4 s) is longer than the first (1–2 s)");
    host.clock.advance(60_000);
    await settle();
    assert.ok(radio.joined.length >= 3);
  });

  it("rejoins when the link drops", async () => {
    const { host, radio, events, link, ups } = setup([ap("Home", "wpa2_psk", -60)]);
    await link.start();
    radio.onLost!();
    assert.ok(!link.up);
    assert.ok(events.some(([event]) => event === "wifi down"));
    host.clock.advance(2_000);
    await settle();
    assert.ok(link.up);
    assert.equal(ups(), 2);
  });

  it("leaves the network and stops trying on stop()", async () => {
    const { host, radio, link } = setup([ap("Home", "wep", -60)]);
    void link.start();
    await settle();
    link.stop();
    radio.networks = [ap("Home", "wpa2_psk", -60)];
    host.clock.advance(120_000);
    await settle();
    assert.deepEqual(radio.joined, []);
    assert.equal(radio.left, 1);
  });

  it("reports once per outage that the network has not been joined for failingMs (provision_after_s), and not while it joins", async () => {
    const host = new FakeHost();
    const radio = new FakeRadio();
    radio.networks = [ap("Home", "wpa2_psk", -60)];
    radio.joinFailure = new Error("\"Home\" rejected the password");
    const failing: string[] = [];
    const link = new WifiLink({ host, radio, ssid: "Home", password: "secret", onEvent: () => {}, failingMs: 300_000, onFailing: (why) => failing.push(why) });
    void link.start();
    for (let s = 0; s < 290; s += 10) {
      host.clock.advance(10_000);
      await settle();
    }
    assert.deepEqual(failing, [], "not before 300 s");
    for (let s = 0; s < 130; s += 10) {
      host.clock.advance(10_000);
      await settle();
    }
    assert.equal(failing.length, 1, "once, not at every retry after it");
    assert.match(failing[0]!, /"Home" has not been joined for 300 s \(provision_after_s\): "Home" rejected the password/);
    link.stop();
  });

  it("never reports failing while the link comes up in time", async () => {
    const host = new FakeHost();
    const radio = new FakeRadio();
    radio.networks = [ap("Home", "wpa2_psk", -60)];
    const failing: string[] = [];
    const link = new WifiLink({ host, radio, ssid: "Home", password: "secret", onEvent: () => {}, failingMs: 30_000, onFailing: (why) => failing.push(why) });
    await link.start();
    host.clock.advance(600_000);
    radio.onLost!();
    host.clock.advance(2_000);
    await settle();
    assert.ok(link.up);
    assert.deepEqual(failing, []);
  });
});
