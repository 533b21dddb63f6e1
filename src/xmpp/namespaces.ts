// XML namespaces of the protocols the client speaks.

export const NS = {
  CLIENT: "jabber:client",
  STREAM: "http://etherx.jabber.org/streams",
  STREAMS: "urn:ietf:params:xml:ns:xmpp-streams",
  TLS: "urn:ietf:params:xml:ns:xmpp-tls",
  SASL: "urn:ietf:params:xml:ns:xmpp-sasl",
  BIND: "urn:ietf:params:xml:ns:xmpp-bind",
  SESSION: "urn:ietf:params:xml:ns:xmpp-session",
  STANZAS: "urn:ietf:params:xml:ns:xmpp-stanzas",
  DISCO_INFO: "http://jabber.org/protocol/disco#info",
  PING: "urn:xmpp:ping",
  RECEIPTS: "urn:xmpp:receipts",
} as const;
