// Keeps @xmpp/client 0.14 (the owner console, ctl, the dashboard, the tests' peers) from enabling
// XEP-0198 stream management: its ack counting goes wrong against Prosody 0.12, which then ends
// the stream ("Client acknowledged less stanzas than already acknowledged"). The hub offers
// stream management for the devices; these peers simply never see the offer. No Node imports:
// the dashboard's browser bundle uses it too.

interface FeatureChild {
  readonly name?: string;
  readonly attrs?: Record<string, string>;
  children?: unknown[];
}

interface PeerEntity {
  prependListener(event: "element", listener: (element: { is(name: string, xmlns?: string): boolean; children: unknown[] }) => void): unknown;
}

const SM_NS = "urn:xmpp:sm:3";

/** Drops SM from a child list: `<sm xmlns='urn:xmpp:sm:3'/>`, and Bind2's `<feature var='urn:xmpp:sm:3'/>`; goes into SASL2's inline features. */
function withoutSm(children: unknown[]): unknown[] {
  const kept = children.filter((child) => {
    const feature = child as FeatureChild;
    return !(feature.name === "sm" && feature.attrs?.xmlns === SM_NS) && !(feature.name === "feature" && feature.attrs?.var === SM_NS);
  });
  for (const child of kept) {
    const feature = child as FeatureChild;
    if ((feature.name === "authentication" || feature.name === "inline" || feature.name === "bind") && Array.isArray(feature.children)) {
      feature.children = withoutSm(feature.children);
    }
  }
  return kept;
}

/**
 * Removes stream management from every stream features element before the client reads it: the
 * `<sm/>` feature, and the offer inside SASL2 (mod_sasl2_sm: resumption in <authenticate/>,
 * enabling in Bind2), which @xmpp/client 0.14 takes as well.
 */
export function withoutStreamManagement<T extends object>(xmpp: T): T {
  // @xmpp/client's typings leave out the EventEmitter methods its entity has.
  (xmpp as unknown as PeerEntity).prependListener("element", (element) => {
    if (!element.is("features", "http://etherx.jabber.org/streams")) return;
    element.children = withoutSm(element.children);
  });
  return xmpp;
}
