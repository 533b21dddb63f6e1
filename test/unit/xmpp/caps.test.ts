// Entity capabilities (XEP-0115): the verification string against the XEP's own examples,
// octet ordering, identities with xml:lang, and the <c/> element.

import { assert } from "../../support/assert.js";
import { FakeHost } from "../../support/fake-host.js";
import { capsElement, capsString, capsVer, compareOctets } from "../../../src/xmpp/caps.js";

const FEATURES = [
  "http://jabber.org/protocol/muc",
  "http://jabber.org/protocol/disco#info",
  "http://jabber.org/protocol/caps",
  "http://jabber.org/protocol/disco#items",
];

describe("entity capabilities", () => {
  it("computes the ver of §5.2's simple example (Exodus)", () => {
    const exodus = [{ category: "client", type: "pc", name: "Exodus 0.9.1" }];
    assert.equal(
      capsString(exodus, FEATURES),
      "client/pc//Exodus 0.9.1<http://jabber.org/protocol/caps<http://jabber.org/protocol/disco#info<http://jabber.org/protocol/disco#items<http://jabber.org/protocol/muc<",
    );
    assert.equal(capsVer(new FakeHost(), exodus, FEATURES), "QgayPKawpkPSDYmwT/WM94uAlu0=");
  });

  it("sorts identities by category, type and xml:lang, and writes the lang between the slashes (§5.3)", () => {
    const psi = [
      { category: "client", type: "pc", lang: "en", name: "Psi 0.11" },
      { category: "client", type: "pc", lang: "el", name: "Ψ 0.11" },
    ];
    assert.equal(
      capsString(psi, FEATURES),
      "client/pc/el/Ψ 0.11<client/pc/en/Psi 0.11<http://jabber.org/protocol/caps<http://jabber.org/protocol/disco#info<http://jabber.org/protocol/disco#items<http://jabber.org/protocol/muc<",
    );
    const mixed = [
      { category: "client", type: "pc", name: "b" },
      { category: "automation", type: "command-node", name: "z" },
      { category: "client", type: "bot", name: "a" },
    ];
    assert.match(capsString(mixed, []), /^automation\/command-node\/\/z<client\/bot\/\/a<client\/pc\/\/b<$/);
  });

  it("lists a feature once, however often it is given", () => {
    assert.equal(capsString([], ["urn:a", "urn:a"]), "urn:a<");
  });

  it("orders by octets (code points), not by UTF-16 units", () => {
    // U+FFFD is EF BF BD in UTF-8, U+1F600 is F0 9F 98 80: the emoji sorts last, though its first UTF-16 unit (D83D) is smaller.
    assert.ok(compareOctets("\uFFFD", "\u{1F600}") < 0);
    assert.ok("\u{1F600}" < "\uFFFD", "JavaScript's own order differs");
    assert.ok(compareOctets("abc", "abd") < 0);
    assert.ok(compareOctets("ab", "abc") < 0);
    assert.equal(compareOctets("ab", "ab"), 0);
  });

  it("puts node, hash and ver in the <c/> element", () => {
    assert.equal(
      capsElement("https://github.com/xmpp-appliance/firmware", "QgayPKawpkPSDYmwT/WM94uAlu0=").toString(),
      `<c xmlns="http://jabber.org/protocol/caps" hash="sha-1" node="https://github.com/xmpp-appliance/firmware" ver="QgayPKawpkPSDYmwT/WM94uAlu0="/>`,
    );
  });
});
