// Provisioning: when a device opens its set-up access point, the per-device access point
// passphrase, form decoding, the CA's DER and fingerprint, and the set-up page's requests: every
// field refused with its name and nothing stored, a good form confirmed (fingerprint shown) and
// stored in one write, then the restart; no password ever written into a page.

import { assert } from "../../support/assert.js";
import { FakeHost } from "../../support/fake-host.js";
import { decodeForm, decodeFormComponent } from "../../../src/app/form-encoding.js";
import { certificateDer, certificateFingerprint } from "../../../src/app/pem.js";
import { ACCESS_POINT_RECORD, SetUpPage, accessPointCredentials, provisionAfterMs, provisioningCause, type SetUpResponse } from "../../../src/app/provisioning.js";
import { readStoredSettings, writeStoredSettings } from "../../../src/app/settings.js";
import { MemorySettingsStore } from "../../../src/app/stored-text.js";
import type { AccessPoint } from "../../../src/app/wifi-link.js";

// Made with `openssl req -x509 -new -key <P-256 key> -subj "/CN=Test CA"`; its fingerprint as
// `openssl x509 -noout -fingerprint -sha256` printed it.
const CA = `-----BEGIN CERTIFICATE-----
MIIBdzCCAR6gAwIBAgITcR355XlpljPil/f7QISlYx7XPzAKBggqhkjOPQQDAjAS
MRAwDgYDVQQDDAdUZXN0IENBMB4XDTI2MTIwMjA5NTg1M1oXDTM2MTEyOTA5NTg1
M1owEjEQMA4GA1UEAwwHVGVzdCBDQTBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IA
BGprqnwrQTyBJKUAc5UwSouJf0zJmmdsdiXhNwDeQrlCIxWk+fEQ5OR3fOicvmI5
vxqpLeAZ3meJX6WGL3LUG4WjUzBRMB0GA1UdDgQWBBQA+TNvHXaZ1FoGXhpB4oWb
SGrXXzAfBgNVHSMEGDAWgBQA+TNvHXaZ1FoGXhpB4oWbSGrXXzAPBgNVHRMBAf8E
BTADAQH/MAoGCCqGSM49BAMCA0cAMEQCIA1z5CxaFInKt05DKJnj5FrhcsDWRDYV
1v7j1Y7fjGR4AiB0JrDfdmIV+pDmJ5LZ8S6moxGthGcEmXiBT4ffi0jp2w==
-----END CERTIFICATE-----`;
const CA_FINGERPRINT = "CE:EF:C3:22:15:0F:6A:97:14:A7:CD:CB:4D:E4:27:E5:05:86:CB:32:32:C0:0F:40:3E:8F:7F:2E:F9:2F:73:E4";

const NETWORKS: AccessPoint[] = [
  { ssid: "Home", authentication: "wpa2_psk", rssi: -58, bssid: "h1" },
  { ssid: "Cafe", authentication: "none", rssi: -40, bssid: "c1" },
  { ssid: "Office", authentication: "wpa2_enterprise", rssi: -70, bssid: "o1" },
];
const WIFI_SECRET = "wifi-secret-1";
const ACCOUNT_SECRET = "account-secret-2";

function encode(fields: Record<string, string>): string {
  return Object.entries(fields)
    .map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(value).replace(/%20/g, "+")}`)
    .join("&");
}

function setUp(manifest: Record<string, string> = {}) {
  const host = new FakeHost();
  const store = new MemorySettingsStore();
  const logged: string[] = [];
  let restarts = 0;
  const page = new SetUpPage({ host, store, manifest, deviceName: "Lamp", networks: () => NETWORKS, restart: () => restarts++, log: (event, detail) => logged.push(`${event} ${detail}`) });
  const get = () => page.handle({ method: "GET", path: "/", body: "" });
  const token = async () => /name="token" value="([0-9a-f]+)"/.exec((await get()).body)![1]!;
  const good = { ssid: "Home", password: WIFI_SECRET, jid: "lamp@hub.test", xmpp_password: ACCOUNT_SECRET, server: "127.0.0.1:5222", ca: CA, owner: "owner@hub.test" };
  const check = async (fields: Record<string, string>) => page.handle({ method: "POST", path: "/check", body: encode({ token: await token(), ...fields }) });
  return { host, store, page, logged, restarts: () => restarts, get, check, good };
}

function confirmToken(response: SetUpResponse): string {
  return /action="\/store"><input type="hidden" name="token" value="([0-9a-f]+)"/.exec(response.body)![1]!;
}

describe("provisioning", () => {
  describe("when the set-up access point opens", () => {
    const usable = { jid: "lamp@hub.test", xmpp_password: "x", ca: "ca.der", owner: "owner@hub.test", ssid: "Home", password: "long-enough" };
    it("opens for the button held at boot, missing or unusable settings, and a board without a network", () => {
      assert.equal(provisioningCause(usable, { needsWifi: true }), undefined);
      assert.match(provisioningCause(usable, { buttonHeld: true })!, /button was held/);
      assert.match(provisioningCause({ ...usable, jid: "" })!, /config key "jid": missing/);
      assert.match(provisioningCause({ ...usable, password: "short" })!, /config key "password"/);
      assert.match(provisioningCause({ ...usable, ssid: "" }, { needsWifi: true })!, /no Wi-Fi network is set \(ssid\)/);
      assert.equal(provisioningCause({ ...usable, ssid: "" }), undefined, "the desktop needs no network");
    });

    it("reads provision_after_s: 300 s by default, 0 for never, refused outside 30..86400 naming the key", () => {
      assert.equal(provisionAfterMs({}), 300_000);
      assert.equal(provisionAfterMs({ provision_after_s: "0" }), 0);
      assert.equal(provisionAfterMs({ provision_after_s: "120" }), 120_000);
      assert.throws(() => provisionAfterMs({ provision_after_s: "5" }), /config key "provision_after_s"/);
      assert.throws(() => provisionAfterMs({ provision_after_s: "soon" }), /config key "provision_after_s"/);
    });
  });

  describe("the access point's passphrase", () => {
    it("is made once from the host's random source, stored, and read back the same at the next boot", () => {
      const store = new MemorySettingsStore();
      const first = accessPointCredentials(store, new FakeHost({ seed: 7 }));
      assert.equal(first.created, true);
      assert.match(first.credentials.passphrase, /^[2-9A-HJ-NP-Z]{4}(-[2-9A-HJ-NP-Z]{4}){3}$/);
      assert.match(first.credentials.ssid, /^Appliance-Setup-[2-9A-HJ-NP-Z]{4}$/);
      const again = accessPointCredentials(store, new FakeHost({ seed: 99 }));
      assert.equal(again.created, false);
      assert.deepEqual(again.credentials, first.credentials);
    });

    it("differs between devices (another random source) and survives a factory reset of the settings", () => {
      const a = new MemorySettingsStore();
      const b = new MemorySettingsStore();
      const one = accessPointCredentials(a, new FakeHost({ seed: 7 })).credentials;
      const two = accessPointCredentials(b, new FakeHost({ seed: 8 })).credentials;
      assert.notEqual(one.passphrase, two.passphrase);
      writeStoredSettings(a, {});
      assert.deepEqual(accessPointCredentials(a, new FakeHost({ seed: 9 })).credentials, one);
      assert.ok(a.get(ACCESS_POINT_RECORD));
    });
  });

  describe("form decoding and the CA", () => {
    it("decodes + as space, %XX as UTF-8 bytes, repeated names in order, a stray % as it is", () => {
      assert.equal(decodeFormComponent("a+b%20c%C3%A9%2B"), "a b cé+");
      assert.equal(decodeFormComponent("100%"), "100%");
      const fields = decodeForm("owner=a%40x&owner=b%40x&empty=&flag");
      assert.deepEqual(fields.get("owner"), ["a@x", "b@x"]);
      assert.deepEqual(fields.get("empty"), [""]);
      assert.deepEqual(fields.get("flag"), [""]);
      assert.throws(() => decodeForm("x=%FF"));
    });

    it("takes the CA's DER from its PEM and prints the SHA-256 fingerprint openssl prints", () => {
      const der = certificateDer(CA);
      assert.equal(der[0], 0x30);
      assert.equal(certificateFingerprint(new FakeHost(), der), CA_FINGERPRINT);
      assert.throws(() => certificateDer("hello"), /config key "ca": not a PEM certificate/);
      assert.throws(() => certificateDer("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----"), /config key "ca": the PEM block does not hold a certificate/);
    });
  });

  describe("the set-up page", () => {
    it("lists WPA2 networks to choose and shows the others as refused", async () => {
      const { get } = setUp();
      const { status, body, headers } = await get();
      assert.equal(status, 200);
      assert.match(body, /<option value="Home">Home \(wpa2_psk, -58 dBm\)<\/option>/);
      assert.match(body, /<option disabled>Cafe \(none, -40 dBm\): refused/);
      assert.match(body, /<option disabled>Office \(wpa2_enterprise, -70 dBm\): refused/);
      assert.equal(headers["cache-control"], "no-store");
    });

    it("refuses each bad field with its name, stores nothing, and never writes a password into the page", async () => {
      const { check, good, store, logged } = setUp();
      const cases: [Record<string, string>, RegExp][] = [
        [{ ssid: "" }, /Wi-Fi network \(SSID\) \(ssid\): choose the network/],
        [{ ssid: "Cafe" }, /\(ssid\): refusing to join &quot;Cafe&quot;: it offers none, less than WPA2/],
        [{ ssid: "Elsewhere" }, /\(ssid\): no network named &quot;Elsewhere&quot; in range/],
        [{ password: "short" }, /Wi-Fi passphrase \(password\): a WPA2 passphrase is 8 to 63/],
        [{ jid: "not a jid@" }, /Device JID \(jid\):/],
        [{ xmpp_password: "" }, /XMPP account password \(xmpp_password\): missing/],
        [{ server: "hub:99999" }, /\(server\): port 99999 is not between 1 and 65535/],
        [{ ca: "" }, /\(ca\): missing/],
        [{ ca: "not a certificate" }, /CA certificate \(PEM\) \(ca\): not a PEM certificate/],
        [{ owner: "" }, /Owners \(bare JIDs, comma-separated\) \(owner\): at least one owner/],
        [{ owner: "someone@hub.test/phone" }, /\(owner\): .*has a resource/],
      ];
      for (const [change, message] of cases) {
        const response = await check({ ...good, ...change });
        assert.equal(response.status, 400, JSON.stringify(change));
        assert.match(response.body, message);
        assert.doesNotMatch(response.body, new RegExp(`${WIFI_SECRET}|${ACCOUNT_SECRET}`));
      }
      assert.deepEqual(readStoredSettings(store), {});
      assert.doesNotMatch(logged.join("\n"), new RegExp(`${WIFI_SECRET}|${ACCOUNT_SECRET}`));
      // The refused form keeps what was typed, except the passwords.
      const refused = await check({ ...good, owner: "" });
      assert.match(refused.body, /name="jid" value="lamp@hub.test"/);
      assert.match(refused.body, /<option value="Home" selected>/);
    });

    it("shows the CA's fingerprint to confirm, then stores everything in one write and restarts after the answer", async () => {
      const { page, check, good, store, restarts } = setUp();
      const checked = await check(good);
      assert.equal(checked.status, 200);
      assert.match(checked.body, new RegExp(`<code id="fingerprint">${CA_FINGERPRINT}</code>`));
      assert.match(checked.body, /given \(not shown\)/);
      assert.doesNotMatch(checked.body, new RegExp(`${WIFI_SECRET}|${ACCOUNT_SECRET}`));
      assert.deepEqual(readStoredSettings(store), {}, "nothing stored before the confirmation");
      let writes = 0;
      const set = store.set.bind(store);
      store.set = (key, value) => {
        if (key === "settings") writes++;
        set(key, value);
      };
      const stored = await page.handle({ method: "POST", path: "/store", body: `token=${confirmToken(checked)}` });
      assert.equal(stored.status, 200);
      assert.equal(writes, 1, "one write of the settings record");
      assert.deepEqual(readStoredSettings(store), good);
      assert.equal(restarts(), 0, "the restart waits for the answer to go out");
      stored.after!();
      assert.equal(restarts(), 1);
    });

    it("refuses a submission without this device's token (another site's form) and a confirmation that was not checked", async () => {
      const { page, good, store } = setUp();
      const forged = await page.handle({ method: "POST", path: "/check", body: encode({ token: "0".repeat(32), ...good }) });
      assert.equal(forged.status, 403);
      const unchecked = await page.handle({ method: "POST", path: "/store", body: "token=" });
      assert.equal(unchecked.status, 403);
      assert.deepEqual(readStoredSettings(store), {});
    });

    it("keeps a password in force when its field is left empty, and the built-in CA when no CA is given", async () => {
      const { page, check, store } = setUp({ jid: "lamp@hub.test", xmpp_password: ACCOUNT_SECRET, ca: "ca.der", owner: "old@hub.test" });
      const form = (await page.handle({ method: "GET", path: "/", body: "" })).body;
      assert.doesNotMatch(form, new RegExp(ACCOUNT_SECRET));
      const checked = await check({ ssid: "Home", password: WIFI_SECRET, jid: "lamp@hub.test", xmpp_password: "", server: "", ca: "", owner: "new@hub.test" });
      assert.equal(checked.status, 200, checked.body);
      assert.match(checked.body, /unchanged \(not shown\)/);
      await page.handle({ method: "POST", path: "/store", body: `token=${confirmToken(checked)}` });
      const stored = readStoredSettings(store);
      assert.equal(stored.xmpp_password, undefined);
      assert.equal(stored.ca, undefined);
      assert.equal(stored.owner, "new@hub.test");
    });

    it("answers 404 for other paths and 405 for other methods", async () => {
      const { page } = setUp();
      assert.equal((await page.handle({ method: "GET", path: "/admin", body: "" })).status, 404);
      assert.equal((await page.handle({ method: "POST", path: "/", body: "" })).status, 405);
      assert.equal((await page.handle({ method: "GET", path: "/check", body: "" })).status, 405);
    });
  });
});
