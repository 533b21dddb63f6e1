// XEP-0115 verification strings and hashes, checked against the XEP's own examples (§5.2, §5.3).

import { strict as assert } from "node:assert";
import { parse } from "ltx";
import { matchesVer, verificationString } from "../../owner/capabilities.js";

const SIMPLE = `<query xmlns='http://jabber.org/protocol/disco#info' node='http://code.google.com/p/exodus#QgayPKawpkPSDYmwT/WM94uAlu0='>
  <identity category='client' name='Exodus 0.9.1' type='pc'/>
  <feature var='http://jabber.org/protocol/disco#items'/>
  <feature var='http://jabber.org/protocol/caps'/>
  <feature var='http://jabber.org/protocol/muc'/>
  <feature var='http://jabber.org/protocol/disco#info'/>
</query>`;

const COMPLEX = `<query xmlns='http://jabber.org/protocol/disco#info' node='http://psi-im.org#q07IKJEyjvHSyhy//CH0CxmKi8w='>
  <identity xml:lang='en' category='client' name='Psi 0.11' type='pc'/>
  <identity xml:lang='el' category='client' name='Ψ 0.11' type='pc'/>
  <feature var='http://jabber.org/protocol/caps'/>
  <feature var='http://jabber.org/protocol/disco#info'/>
  <feature var='http://jabber.org/protocol/disco#items'/>
  <feature var='http://jabber.org/protocol/muc'/>
  <x xmlns='jabber:x:data' type='result'>
    <field var='FORM_TYPE' type='hidden'><value>urn:xmpp:dataforms:softwareinfo</value></field>
    <field var='software_version'><value>0.11</value></field>
    <field var='ip_version'><value>ipv6</value><value>ipv4</value></field>
    <field var='os'><value>Mac</value></field>
    <field var='os_version'><value>10.5.1</value></field>
    <field var='software'><value>Psi</value></field>
  </x>
</query>`;

describe("terminal controller: entity capabilities (XEP-0115)", () => {
  it("builds §5.2's simple string and hashes it to its ver", async () => {
    const query = parse(SIMPLE);
    assert.equal(
      verificationString(query),
      "client/pc//Exodus 0.9.1<http://jabber.org/protocol/caps<http://jabber.org/protocol/disco#info<http://jabber.org/protocol/disco#items<http://jabber.org/protocol/muc<",
    );
    assert.equal(await matchesVer(query, { node: "n", ver: "QgayPKawpkPSDYmwT/WM94uAlu0=", hash: "sha-1" }), true);
    assert.equal(await matchesVer(query, { node: "n", ver: "QgayPKawpkPSDYmwT/WM94uAlu0=", hash: undefined }), false, "legacy caps cannot be verified");
    assert.equal(await matchesVer(query, { node: "n", ver: "QgayPKawpkPSDYmwT/WM94uAlu0=", hash: "no-such-hash" }), false);
    assert.equal(await matchesVer(query, { node: "n", ver: "AAAAAAAAAAAAAAAAAAAAAAAAAAA=", hash: "sha-1" }), false);
  });

  it("builds §5.3's string with languages and an extended form (fields and values sorted)", async () => {
    const query = parse(COMPLEX);
    assert.equal(
      verificationString(query),
      "client/pc/el/Ψ 0.11<client/pc/en/Psi 0.11<http://jabber.org/protocol/caps<http://jabber.org/protocol/disco#info<" +
        "http://jabber.org/protocol/disco#items<http://jabber.org/protocol/muc<urn:xmpp:dataforms:softwareinfo<" +
        "ip_version<ipv4<ipv6<os<Mac<os_version<10.5.1<software<Psi<software_version<0.11<",
    );
    assert.equal(await matchesVer(query, { node: "http://psi-im.org", ver: "q07IKJEyjvHSyhy//CH0CxmKi8w=", hash: "sha-1" }), true);
  });

  it("refuses an ill-formed answer (§5.4): duplicate features or identities", () => {
    assert.equal(verificationString(parse(`<query><feature var='a'/><feature var='a'/></query>`)), undefined);
    assert.equal(verificationString(parse(`<query><identity category='c' type='t' name='n'/><identity category='c' type='t' name='n'/></query>`)), undefined);
  });
});
