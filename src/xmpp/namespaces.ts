// XML namespaces of the protocols the client speaks.

export const NS = {
  CLIENT: "jabber:client",
  STREAM: "http://etherx.jabber.org/streams",
  STREAMS: "urn:ietf:params:xml:ns:xmpp-streams",
  TLS: "urn:ietf:params:xml:ns:xmpp-tls",
  SASL: "urn:ietf:params:xml:ns:xmpp-sasl",
  BIND: "urn:ietf:params:xml:ns:xmpp-bind",
  SESSION: "urn:ietf:params:xml:ns:xmpp-session",
  ROSTER: "jabber:iq:roster",
  STANZAS: "urn:ietf:params:xml:ns:xmpp-stanzas",
  DISCO_INFO: "http://jabber.org/protocol/disco#info",
  DISCO_ITEMS: "http://jabber.org/protocol/disco#items",
  CAPS: "http://jabber.org/protocol/caps",
  COMMANDS: "http://jabber.org/protocol/commands",
  DATA_FORMS: "jabber:x:data",
  DATA_VALIDATE: "http://jabber.org/protocol/xdata-validate",
  PING: "urn:xmpp:ping",
  RECEIPTS: "urn:xmpp:receipts",
  DELAY: "urn:xmpp:delay",
  /** The mark on every message a device of this firmware sends (src/xmpp/messages.ts): other devices never answer it. */
  DEVICE_MESSAGE: "https://github.com/xmpp-appliance/firmware#device-message",
} as const;
