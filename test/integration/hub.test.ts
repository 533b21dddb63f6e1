// The local hub against a real Prosody: loopback only, STARTTLS required with the full certificate
// chain, SCRAM-SHA-1, the accounts, stopping by pid, the CA kept across restarts, and `npm run hub`.
import assert from "node:assert/strict";
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { X509Certificate } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import http from "node:http";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import tls from "node:tls";
import { fileURLToPath } from "node:url";
import { parse, type Element } from "ltx";
import { installCommand } from "../../hosts/node/hub/requirements.js";
import { startHub } from "../../hosts/node/hub/prosody.js";
import { runCtl } from "../support/ctl-process.js";
import { hubClient } from "../support/hub-client.js";
import { HUB_SERVERS, type Hub, startTestHub } from "../support/prosody.js";

const NS_STREAM = "http://etherx.jabber.org/streams";
const NS_TLS = "urn:ietf:params:xml:ns:xmpp-tls";
const NS_SASL = "urn:ietf:params:xml:ns:xmpp-sasl";
const owner = { user: "owner", password: "owner secret" };
const microwave = { user: "microwave", password: "microwave secret" };

/** A hand-driven XMPP connection: we write raw XML and read until a closing tag arrives. */
class RawStream {
  #buffer = "";
  #waiter: (() => void) | undefined;
  #closed = false;

  constructor(public socket: net.Socket | tls.TLSSocket) {
    this.#listen(socket);
  }

  #listen(socket: net.Socket): void {
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => {
      this.#buffer += chunk;
      this.#waiter?.();
    });
    socket.on("close", () => {
      this.#closed = true;
      this.#waiter?.();
    });
    socket.on("error", () => {});
  }

  static connect(port: number, host = "127.0.0.1"): Promise<RawStream> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host, port }, () => resolve(new RawStream(socket)));
      socket.once("error", reject);
    });
  }

  open(domain: string): Promise<Element> {
    this.socket.write(`<?xml version='1.0'?><stream:stream to='${domain}' version='1.0' xmlns='jabber:client' xmlns:stream='${NS_STREAM}'>`);
    return this.read("</stream:features>").then((text) =>
      parse(text.slice(text.indexOf("<stream:features")).replace("<stream:features", `<stream:features xmlns:stream='${NS_STREAM}'`)),
    );
  }

  /** Everything received up to and including `end` (a closing tag or a self-closed element). */
  async read(end: string, timeoutMs = 5000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const at = this.#buffer.indexOf(end);
      if (at >= 0) {
        const text = this.#buffer.slice(0, at + end.length);
        this.#buffer = this.#buffer.slice(at + end.length);
        return text;
      }
      if (this.#closed) throw new Error(`connection closed before ${end}; received ${JSON.stringify(this.#buffer)}`);
      if (Date.now() > deadline) throw new Error(`no ${end} within ${timeoutMs} ms; received ${JSON.stringify(this.#buffer)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 100);
        this.#waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  /** Sends <starttls/>, waits for <proceed/>, then hands the socket to node:tls with `options`. */
  async startTls(options: tls.ConnectionOptions): Promise<tls.TLSSocket> {
    this.socket.write(`<starttls xmlns='${NS_TLS}'/>`);
    await this.read("<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>");
    this.socket.removeAllListeners("data");
    this.socket.removeAllListeners("close");
    const secure = await new Promise<tls.TLSSocket>((resolve, reject) => {
      const upgraded = tls.connect({ socket: this.socket, ...options }, () => resolve(upgraded));
      upgraded.once("error", reject);
    });
    this.socket = secure;
    this.#buffer = "";
    this.#closed = false;
    this.#listen(secure);
    return secure;
  }

  close(): void {
    this.socket.destroy();
  }
}

function refusesConnection(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(false);
    });
    socket.once("error", () => resolve(true));
  });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== "ESRCH";
  }
  // A killed process whose parent is gone stays a zombie until init reaps it.
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return true; // no /proc: signal 0 succeeding is all we know
  }
}

async function diesWithin(pid: number, ms: number): Promise<boolean> {
  for (const deadline = Date.now() + ms; Date.now() < deadline; await new Promise((resolve) => setTimeout(resolve, 50))) {
    if (!isAlive(pid)) return true;
  }
  return !isAlive(pid);
}

function fingerprint(pem: string): string {
  return new X509Certificate(pem).fingerprint256;
}

/** The certificates the server sends after STARTTLS, as openssl s_client shows them. */
function servedChain(hub: Hub): Promise<X509Certificate[]> {
  return new Promise((resolve, reject) => {
    execFile("openssl", [
      "s_client", "-connect", `${hub.host}:${hub.c2sPort}`, "-starttls", "xmpp", "-xmpphost", hub.domain,
      "-servername", hub.domain, "-showcerts",
    ], { encoding: "utf8", timeout: 10000 }, (error, stdout) => {
      const blocks = stdout.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g);
      if (blocks === null) reject(new Error(`openssl s_client showed no certificates: ${error?.message ?? stdout}`));
      else resolve(blocks.map((block) => new X509Certificate(block)));
    }).stdin?.end();
  });
}

/** The subject and authority key identifiers of a certificate, as openssl prints them. */
function keyIdentifiers(pem: string): Promise<{ subject?: string; authority?: string }> {
  return new Promise((resolve, reject) => {
    const child = execFile("openssl", ["x509", "-noout", "-ext", "subjectKeyIdentifier,authorityKeyIdentifier"], { encoding: "utf8" },
      (error, stdout) => {
        if (error) return reject(error);
        const subject = /Subject Key Identifier:\s*\n\s*([0-9A-F:]+)/.exec(stdout)?.[1];
        const authority = /Authority Key Identifier:\s*\n\s*(?:keyid:)?([0-9A-F:]+)/.exec(stdout)?.[1];
        resolve({ subject, authority });
      });
    child.stdin?.end(pem);
  });
}

for (const server of HUB_SERVERS) describe(`hub: ${server} on loopback`, function () {
  this.timeout(60000);
  let hub: Hub;

  before(async () => {
    hub = await startTestHub([owner, microwave], { server });
  });
  after(async () => {
    await hub?.stop();
  });

  it("listens for clients on 127.0.0.1 only", async () => {
    assert.equal(hub.host, "127.0.0.1");
    assert.equal(await refusesConnection("127.0.0.1", hub.c2sPort), false, "127.0.0.1 accepts");
    // Linux routes all of 127/8 to this machine: a wildcard listener would answer here too.
    assert.equal(await refusesConnection("127.0.0.2", hub.c2sPort), true, "127.0.0.2 is refused");
    assert.equal(await refusesConnection("::1", hub.c2sPort), true, "::1 is refused");
  });

  it("offers STARTTLS as required and no authentication before it", async () => {
    const stream = await RawStream.connect(hub.c2sPort);
    try {
      const features = await stream.open(hub.domain);
      const starttls = features.getChild("starttls", NS_TLS);
      assert.ok(starttls, `no <starttls/> in ${features.toString()}`);
      assert.ok(starttls.getChild("required"), `STARTTLS is not <required/>: ${features.toString()}`);
      assert.equal(features.getChild("mechanisms", NS_SASL), undefined, `SASL offered before TLS: ${features.toString()}`);
    } finally {
      stream.close();
    }
  });

  it("refuses to authenticate without TLS, even with the right password", async () => {
    const stream = await RawStream.connect(hub.c2sPort);
    try {
      await stream.open(hub.domain);
      const credentials = Buffer.from(`\0${owner.user}\0${owner.password}`).toString("base64");
      stream.socket.write(`<auth xmlns='${NS_SASL}' mechanism='PLAIN'>${credentials}</auth>`);
      const reply = await stream.read("</failure>");
      assert.match(reply, /<encryption-required\/>/);
      assert.doesNotMatch(reply, /<success/);
    } finally {
      stream.close();
    }
  });

  it("serves its certificate then the CA, valid for the domain under the generated CA", async () => {
    const chain = await servedChain(hub);
    assert.equal(chain.length, 2, "the server sends two certificates");
    const [leaf, issuer] = chain as [X509Certificate, X509Certificate];
    const ca = new X509Certificate(hub.caPem);
    assert.equal(issuer.fingerprint256, ca.fingerprint256, "the second certificate is the hub's CA");
    assert.ok(ca.ca, "the CA certificate has basicConstraints CA:TRUE");
    assert.ok(leaf.checkIssued(ca) && leaf.verify(ca.publicKey), "the server certificate is signed by the CA");
    assert.equal(leaf.checkHost(hub.domain, { subject: "never" }), hub.domain, "subjectAltName names the domain");
    assert.match(leaf.keyUsage?.join(",") ?? "", /1\.3\.6\.1\.5\.5\.7\.3\.1/, "extendedKeyUsage serverAuth");
    assert.equal(leaf.publicKey.asymmetricKeyType, "rsa");
    assert.equal(leaf.publicKey.asymmetricKeyDetails?.modulusLength, 2048);
    assert.equal(readFileSync(hub.caPath, "utf8"), hub.caPem);
  });

  it("gives the CA an authority key id equal to its subject key id (how the Moddable SDK finds the trusted CA)", async () => {
    const [, issuer] = await servedChain(hub);
    const served = await keyIdentifiers(issuer!.toString());
    const trusted = await keyIdentifiers(hub.caPem);
    assert.ok(served.authority, "the CA in the chain has an authority key identifier");
    assert.equal(served.authority, trusted.subject);
  });

  it("completes TLS 1.2 with ECDHE-RSA-AES128-GCM-SHA256 (the Moddable SDK's suite) and the CA", async () => {
    const stream = await RawStream.connect(hub.c2sPort);
    try {
      await stream.open(hub.domain);
      const secure = await stream.startTls({
        servername: hub.domain, ca: hub.caPem, maxVersion: "TLSv1.2", ciphers: "ECDHE-RSA-AES128-GCM-SHA256",
      });
      assert.ok(secure.authorized, `not authorized: ${String(secure.authorizationError)}`);
      assert.equal(secure.getProtocol(), "TLSv1.2");
      assert.equal(secure.getCipher().name, "ECDHE-RSA-AES128-GCM-SHA256");
    } finally {
      stream.close();
    }
  });

  it("rejects a TLS client that trusts another CA", async () => {
    const stream = await RawStream.connect(hub.c2sPort);
    try {
      await stream.open(hub.domain);
      await assert.rejects(stream.startTls({ servername: hub.domain, ca: [...tls.rootCertificates] }), /self[- ]signed certificate in certificate chain|unable to verify/i);
    } finally {
      stream.close();
    }
  });

  // Prosody 0.12's internal_hashed stores SHA-1 keys; ejabberd is told to store SHA-256 ones.
  const scram = server === "ejabberd" ? "SCRAM-SHA-256" : "SCRAM-SHA-1";
  it(`offers ${scram} once the stream is encrypted`, async () => {
    const stream = await RawStream.connect(hub.c2sPort);
    try {
      await stream.open(hub.domain);
      await stream.startTls({ servername: hub.domain, ca: hub.caPem });
      const features = await stream.open(hub.domain);
      const mechanisms = features.getChild("mechanisms", NS_SASL)?.getChildren("mechanism").map((m) => m.getText()) ?? [];
      assert.ok(mechanisms.includes(scram), `mechanisms offered: ${mechanisms.join(", ")}`);
      assert.equal(features.getChild("starttls", NS_TLS), undefined);
    } finally {
      stream.close();
    }
  });

  it("has the accounts it was given: @xmpp/client logs in over STARTTLS trusting the hub's CA", async () => {
    for (const account of [owner, microwave]) {
      const xmpp = hubClient(hub, account, { resource: "test" });
      try {
        const address = await xmpp.start();
        assert.equal(address.toString(), `${account.user}@${hub.domain}/test`);
      } finally {
        await xmpp.stop();
      }
    }
  });

  it("refuses a wrong password and an account it was not given", async () => {
    for (const account of [{ user: owner.user, password: "wrong" }, { user: "stranger", password: owner.password }]) {
      const xmpp = hubClient(hub, account);
      try {
        await assert.rejects(xmpp.start(), /not-authorized/, `${account.user} with ${account.password}`);
      } finally {
        await xmpp.stop().catch(() => {});
      }
    }
  });

  if (server === "prosody") it("turns Nagle off for its connections (network_settings, read by Prosody 0.12's epoll backend)", () => {
    assert.match(readFileSync(hub.configPath, "utf8"), /^network_settings = \{ nagle = false \}$/m);
    assert.doesNotMatch(readFileSync(hub.configPath, "utf8"), /network_backend/, "epoll, the default backend, is the one that reads nagle");
  });

  it("serves no HTTP unless WebSocket is asked for", () => {
    assert.equal(hub.httpPort, undefined);
    assert.equal(hub.websocketUrl, undefined);
    assert.doesNotMatch(readFileSync(hub.configPath, "utf8"), /http_ports|websocket/);
  });
});

describe("hub: lifecycle", function () {
  this.timeout(30000);
  const dirs: string[] = [];
  const scratch = (): string => {
    const dir = mkdtempSync(join(tmpdir(), "xmpp-appliance-hub-test-"));
    dirs.push(dir);
    return dir;
  };
  after(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it("stop() ends Prosody by its pid, and a second stop() is harmless", async () => {
    const hub = await startTestHub([owner]);
    assert.ok(isAlive(hub.pid), "Prosody runs after start");
    await hub.stop();
    assert.equal(isAlive(hub.pid), false, "Prosody's pid is gone after stop()");
    assert.ok(await refusesConnection("127.0.0.1", hub.c2sPort), "the port is closed");
    await hub.stop();
  });

  it("takes Prosody down with it when the process exits without stop()", async () => {
    const module = new URL("../../hosts/node/hub/prosody.mjs", import.meta.url).href;
    const script = `const { startHub } = await import(${JSON.stringify(module)});
      const hub = await startHub({ dir: process.argv[1], accounts: [] });
      console.log(hub.pid);
      process.exit(0);`;
    const pid = await new Promise<number>((resolve, reject) => {
      execFile(process.execPath, ["--input-type=module", "-e", script, scratch()], { encoding: "utf8" }, (error, stdout, stderr) => {
        if (error) reject(new Error(`${error.message}: ${stderr}`));
        else resolve(Number(stdout.trim()));
      });
    });
    assert.ok(pid > 0);
    assert.ok(await diesWithin(pid, 3000), `Prosody ${pid} outlived its parent`);
  });

  it("works in a directory whose path has spaces and quotes", async () => {
    const dir = join(scratch(), `a "quoted" hub's dir\\`);
    const hub = await startTestHub([owner], { dir });
    try {
      const xmpp = hubClient(hub, owner);
      await xmpp.start();
      await xmpp.stop();
      assert.ok(readFileSync(join(dir, "prosody.log"), "utf8").includes("Activated service 'c2s'"));
    } finally {
      await hub.stop();
    }
  });

  it("a restart keeps the CA and server certificate and applies the passwords given", async () => {
    const dir = scratch();
    const first = await startTestHub([owner], { dir });
    const firstChain = readFileSync(first.certPath, "utf8");
    await first.stop();
    const changed = { user: owner.user, password: "a new secret" };
    const second = await startTestHub([changed], { dir });
    try {
      assert.equal(fingerprint(second.caPem), fingerprint(first.caPem), "same CA");
      assert.equal(readFileSync(second.certPath, "utf8"), firstChain, "same server certificate");
      assert.deepEqual((await servedChain(second)).map((c) => c.fingerprint256), [
        fingerprint(firstChain), fingerprint(first.caPem),
      ]);
      const xmpp = hubClient(second, changed);
      await xmpp.start();
      await xmpp.stop();
      const stale = hubClient(second, owner);
      await assert.rejects(stale.start(), /not-authorized/, "the old password no longer works");
      await stale.stop();
    } finally {
      await second.stop();
    }
  });

  it("a new domain gets a new server certificate from the same CA", async () => {
    const dir = scratch();
    const first = await startTestHub([], { dir });
    await first.stop();
    const second = await startTestHub([], { dir, domain: "other.test" });
    try {
      assert.equal(fingerprint(second.caPem), fingerprint(first.caPem));
      const [leaf] = await servedChain(second);
      assert.equal(leaf!.checkHost("other.test", { subject: "never" }), "other.test");
    } finally {
      await second.stop();
    }
  });

  it("reports a port already in use instead of starting beside another server", async () => {
    const squatter = net.createServer();
    await new Promise<void>((resolve) => squatter.listen({ host: "127.0.0.1", port: 0 }, resolve));
    const port = (squatter.address() as net.AddressInfo).port;
    try {
      await assert.rejects(startHub({ dir: scratch(), c2sPort: port, accounts: [] }), new RegExp(`port ${port} on 127\\.0\\.0\\.1 is already in use`));
    } finally {
      squatter.close();
    }
  });

  it("rejects a domain that is not a DNS name before touching anything", async () => {
    await assert.rejects(startHub({ dir: scratch(), domain: 'hub"; os.exit() --', accounts: [] }), /not a lowercase DNS name/);
  });

  it("serves XMPP over WebSocket on loopback when asked", async () => {
    const hub = await startTestHub([owner], { websocket: true });
    try {
      assert.ok(hub.httpPort !== undefined);
      assert.equal(hub.websocketUrl, `ws://127.0.0.1:${hub.httpPort}/xmpp-websocket`);
      assert.equal(await refusesConnection("127.0.0.2", hub.httpPort), true, "HTTP is on 127.0.0.1 only");
      const status = await new Promise<number | undefined>((resolve, reject) => {
        const request = http.get(`http://127.0.0.1:${hub.httpPort}/xmpp-websocket`, {
          headers: {
            Connection: "Upgrade", Upgrade: "websocket", "Sec-WebSocket-Version": "13",
            "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==", "Sec-WebSocket-Protocol": "xmpp",
          },
        });
        request.on("upgrade", (response, socket) => {
          socket.destroy();
          resolve(response.statusCode);
        });
        request.on("response", (response) => resolve(response.statusCode));
        request.on("error", reject);
      });
      assert.equal(status, 101);
    } finally {
      await hub.stop();
    }
  });
});

describe("hub: the npm run hub command", function () {
  this.timeout(40000);
  const command = fileURLToPath(new URL("../../hosts/node/hub.mjs", import.meta.url));
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "xmpp-appliance-hub-command-"));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  interface Run {
    readonly child: ChildProcess;
    readonly output: string;
    readonly pid: number;
    readonly deviceLines: string[];
  }

  async function runUntilReady(args: string[]): Promise<Run> {
    const child = spawn(process.execPath, [command, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout!.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
    child.stderr!.resume();
    const deadline = Date.now() + 20000;
    while (!/Stop the hub with Ctrl-C/.test(output)) {
      if (child.exitCode !== null) throw new Error(`hub command exited (${child.exitCode}): ${output}`);
      if (Date.now() > deadline) {
        child.kill("SIGTERM");
        throw new Error(`hub command printed no summary in time: ${output}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const pid = Number(/Prosody \(pid (\d+)\)/.exec(output)?.[1]);
    const deviceLines = output.split("\n").map((line) => line.trim()).filter((line) => line.startsWith("npm run device"));
    return { child, output, pid, deviceLines };
  }

  function stopRun(run: Run): Promise<number | null> {
    return new Promise((resolve) => {
      run.child.once("exit", (code) => resolve(code));
      run.child.kill("SIGINT");
    });
  }

  it("prints a device command line and a controller line that work, keeps its passwords and CA across restarts, and stops Prosody on Ctrl-C", async () => {
    const first = await runUntilReady([`dir=${dir}`, "port=0"]);
    let secondPassword: string | undefined;
    try {
      assert.equal(first.deviceLines.length, 3, first.output);
      for (const device of ["microwave", "relayboard", "heater"]) {
        assert.ok(first.deviceLines.some((line) => line.startsWith(`npm run device -- devices/${device}/manifest.json jid=${device}@hub.test `)), first.output);
      }
      const line = first.deviceLines[0]!;
      const value = (key: string) => new RegExp(` ${key}=(\\S+)`).exec(line)?.[1] ?? assert.fail(`no ${key}= in ${line}`);
      const [host, port] = value("server").split(":");
      assert.equal(host, "127.0.0.1");
      assert.equal(value("owner"), "owner@hub.test");
      const caPem = readFileSync(value("ca"), "utf8");
      const device = { domain: "hub.test", host: "127.0.0.1" as const, c2sPort: Number(port), caPem };
      // A password file, not the password, on the printed line (it ends up in ps and in logs).
      assert.doesNotMatch(line, / xmpp_password=/);
      const passwordFile = value("xmpp_password_file");
      assert.equal(statSync(passwordFile).mode & 0o077, 0, `${passwordFile} is readable by its owner only`);
      const xmpp = hubClient(device, { user: value("jid").split("@")[0]!, password: readFileSync(passwordFile, "utf8").trim() });
      await xmpp.start();
      await xmpp.stop();
      const ownerFile = /owner@hub\.test\s+password in (\S+)/.exec(first.output)?.[1];
      assert.ok(ownerFile, first.output);
      assert.doesNotMatch(first.output, new RegExp(readFileSync(ownerFile, "utf8").trim()), "no password printed");
      const ownerPassword = readFileSync(ownerFile, "utf8").trim();
      const ownerClient = hubClient(device, { user: "owner", password: ownerPassword });
      await ownerClient.start();
      await ownerClient.stop();
      const ctlLine = first.output.split("\n").map((line) => line.trim()).find((line) => line.startsWith("npm run ctl -- devices ")) ?? assert.fail(`no ctl line in:\n${first.output}`);
      const ctl = await runCtl(ctlLine.split(" ").slice(4));
      assert.equal(ctl.code, 0, ctl.stderr);
      assert.match(ctl.stdout, /^JID\tSTATE\tCOMMANDS\tSTATUS\n/);
      secondPassword = readFileSync(passwordFile, "utf8");
    } finally {
      assert.equal(await stopRun(first), 0, "exit code after Ctrl-C");
    }
    assert.equal(isAlive(first.pid), false, "Prosody is gone after Ctrl-C");

    const second = await runUntilReady([`dir=${dir}`, "port=0"]);
    try {
      assert.equal(readFileSync(/ xmpp_password_file=(\S+)/.exec(second.deviceLines[0]!)![1]!, "utf8"), secondPassword, "same password after a restart");
      assert.equal(/ ca=(\S+)/.exec(second.deviceLines[0]!)?.[1], / ca=(\S+)/.exec(first.deviceLines[0]!)?.[1]);
    } finally {
      await stopRun(second);
    }
  });

  it("explains a bad argument", async () => {
    const result = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      execFile(process.execPath, [command, "prot=5222"], { encoding: "utf8" }, (error, _stdout, stderr) =>
        resolve({ code: error ? (error as { code?: number }).code ?? null : 0, stderr }));
    });
    assert.equal(result.code, 2);
    assert.match(result.stderr, /unknown argument "prot=5222".*dir, domain, port, websocket, http_port/);
  });

  it("tells a user without root the exact install command", () => {
    assert.equal(installCommand(["prosody", "openssl"], false), "sudo apt-get update && sudo apt-get install -y prosody openssl");
    assert.equal(installCommand(["prosody"], true), "apt-get update && apt-get install -y prosody");
  });
});
