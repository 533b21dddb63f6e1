// The ejabberd.yml of one hub node: loopback only, STARTTLS required, SCRAM-SHA-256 stored, no
// federation, the same modules the Prosody hub offers (roster, disco, ping, ad-hoc).

export interface EjabberdConfigOptions {
  readonly domain: string;
  readonly c2sPort: number;
  /** The XMPP-over-WebSocket endpoint's HTTP port; none when undefined. */
  readonly httpPort?: number | undefined;
  /** Server certificate then CA (the full chain), and its key. */
  readonly certPath: string;
  readonly keyPath: string;
}

/** YAML's double-quoted scalar holding `text` exactly (JSON's escapes are YAML's too). */
function yaml(text: string): string {
  return JSON.stringify(text);
}

export function ejabberdConfig(options: EjabberdConfigOptions): string {
  const { domain, c2sPort, httpPort, certPath, keyPath } = options;
  const listeners = [
    "  - port: " + c2sPort,
    '    ip: "127.0.0.1"',
    "    module: ejabberd_c2s",
    "    starttls_required: true",
    // Prosody's default; a device's own limit is smaller and it says so in a stanza error.
    "    max_stanza_size: 262144",
    "    access: c2s",
  ];
  if (httpPort !== undefined) {
    listeners.push(
      "  - port: " + httpPort,
      '    ip: "127.0.0.1"',
      "    module: ejabberd_http",
      "    request_handlers:",
      // The path Prosody serves it on, so a page or client works against either hub.
      '      "/xmpp-websocket": ejabberd_http_ws',
    );
  }
  return [
    "# Written by the hub (hosts/node/hub); it is rewritten on every start.",
    `hosts: [${yaml(domain)}]`,
    "loglevel: info",
    "log_rotate_count: 0",
    `certfiles: [${yaml(certPath)}, ${yaml(keyPath)}]`,
    // The device checks the name and the chain; ejabberd itself need not trust our private CA.
    "c2s_protocol_options: [no_sslv3, no_tlsv1, no_tlsv1_1, no_compression]",
    "auth_method: internal",
    "auth_password_format: scram",
    "auth_scram_hash: sha256",
    "disable_sasl_mechanisms: [digest-md5, x-oauth2]",
    "listen:",
    ...listeners,
    "s2s_access: none",
    "acl:",
    "  local:",
    '    user_regexp: ""',
    "access_rules:",
    "  c2s:",
    "    allow: all",
    "  local:",
    "    allow: local",
    // No shaper on the listener (Debian's sample config throttles every client to 3,000 B/s):
    // thousands of devices log in within seconds. Owners may hold several resources.
    "shaper_rules:",
    "  max_user_sessions: 10",
    "modules:",
    "  mod_adhoc: {}",
    "  mod_disco: {}",
    "  mod_ping: {}",
    "  mod_roster: {}",
    // No mod_offline (so a command sent to an absent appliance is not carried out hours later,
    // as on the Prosody hub); no mod_carbons: Debian's 23.01 build has none.
    "",
  ].join("\n");
}
