// The @xmpp/client peers never see a stream management offer, neither the <sm/> feature nor the
// one inside SASL2 (mod_sasl2_sm): their ack counting fails against Prosody 0.12.
import { strict as assert } from "node:assert";
import { EventEmitter } from "node:events";
import { parse } from "ltx";
import { withoutStreamManagement } from "../../hosts/node/peer-stream-management.js";

const FEATURES =
  "<stream:features xmlns:stream='http://etherx.jabber.org/streams'>" +
  "<authentication xmlns='urn:xmpp:sasl:2'><mechanism>SCRAM-SHA-1</mechanism><inline>" +
  "<bind xmlns='urn:xmpp:bind:0'><inline><feature var='urn:xmpp:carbons:2'/><feature var='urn:xmpp:sm:3'/></inline></bind>" +
  "<sm xmlns='urn:xmpp:sm:3'/><fast xmlns='urn:xmpp:fast:0'><mechanism>HT-SHA-256-NONE</mechanism></fast>" +
  "</inline></authentication><sm xmlns='urn:xmpp:sm:3'><optional/></sm></stream:features>";

describe("@xmpp/client peers without stream management", () => {
  it("removes the <sm/> feature and SASL2's inline resumption and Bind2 enabling, and keeps the rest", () => {
    const entity = withoutStreamManagement(new EventEmitter());
    const features = parse(FEATURES);
    let seen = "";
    entity.on("element", (element) => (seen = element.toString()));
    entity.emit("element", features);
    assert.doesNotMatch(seen, /urn:xmpp:sm:3/);
    assert.match(seen, /<feature var="urn:xmpp:carbons:2"\/>/);
    assert.match(seen, /<fast xmlns="urn:xmpp:fast:0">/);
    assert.match(seen, /<mechanism>SCRAM-SHA-1<\/mechanism>/);
  });
});
