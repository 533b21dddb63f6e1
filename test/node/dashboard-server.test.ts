// The dashboard command's settings and HTTP server: the page and its login defaults on
// 127.0.0.1 only, to requests that name this machine, and clear errors for bad settings.

import { strict as assert } from "node:assert";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startDashboardServer, type DashboardServer } from "../../hosts/node/dashboard/server.js";
import { readDashboardSettings } from "../../hosts/node/dashboard/settings.js";

function get(port: number, path: string, host = `127.0.0.1:${port}`): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path, headers: { host } }, (response) => {
      let body = "";
      response.on("data", (chunk: Buffer) => (body += chunk.toString()));
      response.on("end", () => resolve({ status: response.statusCode ?? 0, type: String(response.headers["content-type"]), body }));
    });
    req.on("error", reject);
    req.end();
  });
}

describe("dashboard: settings", () => {
  it("reads websocket, jid, password, port; the domain comes from the jid unless given", () => {
    const settings = readDashboardSettings(["websocket=ws://127.0.0.1:5280/xmpp-websocket", "jid=Owner@Hub.Test", "xmpp_password=s e", "port=8080"]);
    assert.deepEqual(settings, { port: 8080, login: { websocket: "ws://127.0.0.1:5280/xmpp-websocket", domain: "hub.test", jid: "owner@hub.test", password: "s e" } });
    assert.deepEqual(readDashboardSettings([]), { port: 0, login: { websocket: "", domain: "hub.test", jid: "", password: "" } });
  });

  it("names the key and shows a good value when a setting is wrong", () => {
    assert.throws(() => readDashboardSettings(["websocket=http://x"]), /config key "websocket": "http:\/\/x" is not a ws:\/\/ or wss:\/\/ URL, e\.g\. websocket=ws:/);
    assert.throws(() => readDashboardSettings(["port=99999"]), /config key "port": "99999" is not a port number/);
    assert.throws(() => readDashboardSettings(["jid=hub.test"]), /config key "jid": "hub.test" has no local part/);
    assert.throws(() => readDashboardSettings(["password=x"]), /unknown argument "password=x"; expected key=value with key one of: websocket, domain, jid, xmpp_password, port/);
  });
});

describe("dashboard: server", () => {
  let dir: string;
  let server: DashboardServer;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "xmpp-appliance-dashboard-page-"));
    for (const file of ["index.html", "dashboard.js", "dashboard.css", "dashboard.js.map", "dashboard.css.map"]) writeFileSync(join(dir, file), `/* ${file} */`);
    server = await startDashboardServer({ pageDir: dir, port: 0, login: { websocket: "ws://127.0.0.1:1/xmpp-websocket", domain: "hub.test", jid: "owner@hub.test", password: "pw" } });
  });

  after(async () => {
    await server?.close();
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("listens on 127.0.0.1 and serves the page and its login defaults", async () => {
    assert.equal(server.url, `http://127.0.0.1:${server.port}/`);
    const page = await get(server.port, "/");
    assert.equal(page.status, 200);
    assert.equal(page.type, "text/html; charset=utf-8");
    assert.equal(page.body, "/* index.html */");
    assert.equal((await get(server.port, "/dashboard.js")).type, "text/javascript; charset=utf-8");
    const config = await get(server.port, "/config.json", `localhost:${server.port}`);
    assert.deepEqual(JSON.parse(config.body), { websocket: "ws://127.0.0.1:1/xmpp-websocket", domain: "hub.test", jid: "owner@hub.test", password: "pw" });
  });

  it("answers nothing to a request under another host name (DNS rebinding), and 404 for other paths", async () => {
    const rebound = await get(server.port, "/config.json", `evil.example:${server.port}`);
    assert.equal(rebound.status, 421);
    assert.doesNotMatch(rebound.body, /pw/);
    assert.equal((await get(server.port, "/../package.json")).status, 404);
    assert.equal((await get(server.port, "/etc/passwd")).status, 404);
  });

  it("says how to build the page when it is missing, and which port is taken", async () => {
    await assert.rejects(startDashboardServer({ pageDir: join(dir, "none"), port: 0, login: { websocket: "", domain: "", jid: "", password: "" } }), /the page is not built \(index\.html missing in .*\); run node scripts\/build\.mjs/);
    await assert.rejects(startDashboardServer({ pageDir: dir, port: server.port, login: { websocket: "", domain: "", jid: "", password: "" } }), new RegExp(`port ${server.port} on 127\\.0\\.0\\.1 is in use; choose another with port=`));
  });
});
