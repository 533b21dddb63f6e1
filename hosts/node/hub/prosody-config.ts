// The prosody.cfg.lua of a hub: loopback only, STARTTLS required, no federation, one virtual host.

export interface ProsodyConfigOptions {
  /** The hub's directory: pid file, log and data live under it. */
  readonly dir: string;
  readonly domain: string;
  readonly c2sPort: number;
  /** The port of the XMPP-over-WebSocket endpoint; none when undefined. */
  readonly httpPort?: number | undefined;
  /** The direct TLS port (XEP-0368) beside the STARTTLS one; none when undefined. */
  readonly directTlsPort?: number | undefined;
  readonly certPath: string;
  readonly keyPath: string;
  /** Prosody refuses to start as root unless told to; the hub runs as whoever starts it. */
  readonly runAsRoot: boolean;
  /** LuaSec's protocol for client TLS, e.g. "tlsv1_2" (that version only); default: Prosody's (1.2 and up). */
  readonly tlsProtocol?: string | undefined;
  /**
   * SASL2 (XEP-0388) with Bind2 and inline stream resumption, from Debian's prosody-modules
   * (mod_sasl2, mod_sasl2_bind2, mod_sasl2_sm) and the hub's own mod_sasl2_compat.
   */
  readonly sasl2?: boolean | undefined;
  /** The folder of the hub's own Prosody modules (mod_device_commands.lua). */
  readonly pluginDir: string;
  /** Keep Prosody's offline storage on, as a stock install (a router's) has it; the hub's own turns it off. */
  readonly offlineStorage?: boolean | undefined;
  /** With sasl2: how long a FAST token lasts, in seconds (mod_sasl2_fast's default: 21 days); the tests of an expired token. */
  readonly fastTokenTtlS?: number | undefined;
}

export const LOG_FILE = "prosody.log";
export const PID_FILE = "prosody.pid";
export const DATA_DIR = "data";
/** Where the hub's own Prosody modules are, from the project's root. */
export const PLUGIN_DIR = "hosts/node/hub/prosody-modules";

/** The configuration text; paths are absolute so Prosody needs no working directory. Prosody is
 * started with -F (foreground: it stays our child, so we hold its pid); 0.12 deprecates the
 * `daemonize` option in favour of that flag. */
export function prosodyConfig(options: ProsodyConfigOptions): string {
  const { dir, domain, c2sPort, httpPort, directTlsPort, certPath, keyPath, runAsRoot, tlsProtocol, pluginDir, sasl2 } = options;
  // Session tickets on (Prosody 0.12 turns them off): a device that reconnects resumes its TLS
  // session in one round trip without the public-key work. Prosody 0.12 resumes no TLS 1.2
  // session ids (checked with openssl s_client -reconnect), so a ticket is the only way back.
  const ssl = `{ key = ${lua(keyPath)}, certificate = ${lua(certPath)}, options = { no_ticket = false }${tlsProtocol === undefined ? "" : `, protocol = ${lua(tlsProtocol)}`} }`;
  const path = (name: string) => lua(`${dir}/${name}`);
  // smacks (XEP-0198): a device that loses its link resumes its session, and what was sent to it
  // meanwhile is delivered then. The owner-side peers built on @xmpp/client 0.14 do not enable it
  // (hosts/node/peer-stream-management.ts): its ack counting fails against Prosody 0.12.
  // adhoc and carbons: stock clients look for the server's commands feature before offering a contact's
  // commands (Profanity), and warn without carbons. device_commands (the hub's own): a client that asks a
  // device's bare JID for its commands (Gajim) gets those of its online resources.
  const modules = ["roster", "saslauth", "tls", "disco", "ping", "adhoc", "carbons", "smacks", "device_commands"];
  if (httpPort !== undefined) modules.push("websocket");
  // sasl2_compat gives mod_sasl2, mod_sasl2_fast (FAST tokens, XEP-0484) and mod_sasl2_sm (stream
  // management inside SASL2 and Bind2) what Prosody 0.12.3 lacks (see the module); it goes first.
  if (sasl2 === true) modules.push("sasl2_compat", "sasl2", "sasl2_bind2", "sasl2_sm", "sasl2_fast");
  const lines = [
    "-- Written by the hub (hosts/node/hub); it is rewritten on every start.",
    `pidfile = ${path(PID_FILE)}`,
    `data_path = ${path(DATA_DIR)}`,
    `run_as_root = ${runAsRoot}`,
    `plugin_paths = { ${lua(pluginDir)} }`,
    "log = {",
    `  { levels = { min = "info" }, to = "file", filename = ${path(LOG_FILE)} },`,
    '  { levels = { min = "info" }, to = "stdout" },',
    "}",
    `certificates = ${path("certs")}`,
    // Nagle off (TCP_NODELAY on every accepted socket; Prosody 0.12's epoll backend honours it):
    // with it on, a stanza written while the previous one is unacknowledged waits for the peer's
    // delayed ACK, 40 ms on Linux, and a reply and its receipt forwarded apart stall that long.
    "network_settings = { nagle = false }",
    "",
    "c2s_ports = { " + c2sPort + " }",
    'c2s_interfaces = { "127.0.0.1" }',
    `c2s_direct_tls_ports = { ${directTlsPort ?? ""} }`,
    // The direct TLS listener has no STARTTLS to pick the virtual host's certificate by: its own.
    ...(directTlsPort === undefined ? [] : ['c2s_direct_tls_interfaces = { "127.0.0.1" }', `c2s_direct_tls_ssl = ${ssl}`]),
    "s2s_ports = {}",
    "s2s_interfaces = {}",
    "c2s_require_encryption = true",
    "",
    // Hashed storage offers SCRAM-SHA-1; 4096 iterations (RFC 5802's floor) because each
    // one costs a device without native PBKDF2 two HMACs in JavaScript.
    'authentication = "internal_hashed"',
    "default_iteration_count = 4096",
    "allow_registration = false",
    "",
    `modules_enabled = { ${modules.map(lua).join(", ")} }`,
    ...(options.sasl2 === true && options.fastTokenTtlS !== undefined ? [`sasl2_fast_token_ttl = ${Math.floor(options.fastTokenTtlS)}`] : []),
    // No federation; no offline storage, so a command sent while an appliance is away is
    // not carried out hours later when it reconnects.
    options.offlineStorage ? 'modules_disabled = { "s2s", "dialback" }' : 'modules_disabled = { "s2s", "dialback", "offline" }',
  ];
  if (httpPort !== undefined) {
    lines.push(
      "",
      `http_ports = { ${httpPort} }`,
      'http_interfaces = { "127.0.0.1" }',
      "https_ports = {}",
      // Loopback plain HTTP counts as encrypted: nothing leaves this machine. (Prosody 0.12
      // already allows cross-origin WebSocket use, for a controller page served elsewhere.)
      "consider_websocket_secure = true",
    );
  }
  lines.push(
    "",
    `VirtualHost ${lua(domain)}`,
    `  ssl = ${ssl}`,
    "",
  );
  return lines.join("\n");
}

/** A Lua string literal holding `text` exactly. */
export function lua(text: string): string {
  let out = '"';
  for (const char of text) {
    const code = char.codePointAt(0)!;
    if (char === '"' || char === "\\") out += `\\${char}`;
    else if (code < 0x20 || code === 0x7f) out += `\\${String(code).padStart(3, "0")}`;
    else out += char;
  }
  return out + '"';
}
