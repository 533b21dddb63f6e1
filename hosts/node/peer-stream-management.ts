// Keeps @xmpp/client 0.14 (the owner console, ctl, the dashboard, the tests' peers) from enabling
// XEP-0198 stream management: its ack counting goes wrong against Prosody 0.12, which then ends
// the stream ("Client acknowledged less stanzas than already acknowledged"). The hub offers
// stream management for the devices; these peers simply never see the offer. No Node imports:
// the dashboard's browser bundle uses it too.

interface FeatureChild {
  readonly name?: string;
  readonly attrs?: Record<string, string>;
}

interface PeerEntity {
  prependListener(event: "element", listener: (element: { is(name: string, xmlns?: string): boolean; children: unknown[] }) => void): unknown;
}

const SM_NS = "urn:xmpp:sm:3";

/** Removes `<sm xmlns='urn:xmpp:sm:3'/>` from every stream features element before the client reads it. */
export function withoutStreamManagement<T extends object>(xmpp: T): T {
  // @xmpp/client's typings leave out the EventEmitter methods its entity has.
  (xmpp as unknown as PeerEntity).prependListener("element", (element) => {
    if (!element.is("features", "http://etherx.jabber.org/streams")) return;
    element.children = element.children.filter((child) => {
      const feature = child as FeatureChild;
      return !(feature.name === "sm" && feature.attrs?.xmlns === SM_NS);
    });
  });
  return xmpp;
}
