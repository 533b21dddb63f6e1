// What the stream reader makes of good input: stanzas that stand on their own, XML's
// normalisations, restarts, and how it treats its handlers.

import type { Element } from "ltx";
import { assert } from "../../support/assert.js";
import { STREAMS_NS, StanzaStream, StreamError } from "../../../src/xml/stanza-stream.js";
import { ReaderLog, firstDifferingSplit, readWhole, toBytes } from "./reader-log.js";

const H = "<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' id='s1' version='1.0'>";

/** The stanzas read from `text` (after the header H), as elements. */
function stanzasOf(text: string): Element[] {
  const found: Element[] = [];
  const reader = new StanzaStream({
    onHeader: () => {},
    onStanza: (stanza) => found.push(stanza),
    onEnd: () => {},
    onError: (error) => assert.fail(`unexpected ${error.message}`),
  });
  reader.write(toBytes(H, text));
  return found;
}

describe("StanzaStream", () => {
  it("reports the header's attributes unescaped", () => {
    const events = readWhole(toBytes("<stream:stream xmlns:stream='http://etherx.jabber.org/streams' id='a&amp;b&#x263A;' from=\"hub\">"));
    assert.deepEqual(events, ['header {"xmlns:stream":"http://etherx.jabber.org/streams","id":"a&b☺","from":"hub"}']);
  });

  it("gives a stanza the stream's namespace when it declares none, and leaves its own alone", () => {
    const [message, iq] = stanzasOf("<message><body>hi</body></message><iq xmlns='jabber:server' type='get'/>");
    assert.equal(message.attrs.xmlns, "jabber:client");
    assert.equal(message.getChild("body")?.attrs.xmlns, undefined, "children inherit it");
    assert.equal(message.getChild("body")?.getNS(), "jabber:client");
    assert.equal(iq.attrs.xmlns, "jabber:server");
    assert.equal(message.parent, null, "a stanza is not tied to the header");
  });

  it("copies the header's declaration of a prefix that a stanza uses", () => {
    const [features, nested] = stanzasOf(
      "<stream:features><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/></stream:features>" +
        "<message><stream:error-like/></message>",
    );
    assert.ok(features.is("features", STREAMS_NS));
    assert.equal(features.attrs["xmlns:stream"], STREAMS_NS);
    assert.equal(
      features.toString(),
      '<stream:features xmlns="jabber:client" xmlns:stream="http://etherx.jabber.org/streams"><bind xmlns="urn:ietf:params:xml:ns:xmpp-bind"/></stream:features>',
    );
    assert.equal(nested.attrs["xmlns:stream"], STREAMS_NS, "also for a prefix used deeper in the stanza");
    assert.equal((nested.children[0] as Element).getNS(), STREAMS_NS);
  });

  it("keeps a prefix the stanza declares itself", () => {
    const [message] = stanzasOf("<message xmlns:x='urn:x'><x:data x:kind='1'/></message>");
    assert.equal(message.attrs["xmlns:x"], "urn:x");
    assert.equal((message.children[0] as Element).getNS(), "urn:x");
  });

  it("normalises line ends in text, and white space in attribute values (XML §2.11, §3.3.3)", () => {
    const [message] = stanzasOf("<message to='a\tb\r\nc\nd\re' id='&#10;&#9;'><body>1\r\n2\r3\n4\r\n\r\n5</body></message>");
    assert.equal(message.attrs.to, "a b c d e");
    assert.equal(message.attrs.id, "\n\t", "references are not normalised");
    assert.equal(message.getChildText("body"), "1\n2\n3\n4\n\n5");
  });

  it("reads a CDATA section as text, one with the text around it", () => {
    const [message] = stanzasOf("<message><body>a <![CDATA[<b>&amp; ]]]]><![CDATA[>]]> z</body></message>");
    const body = message.getChild("body") as Element;
    assert.deepEqual(body.children, ["a <b>&amp; ]]> z"]);
  });

  it("counts ']' across runs of plain text, however the text is cut: ']]' and ']>' are text, ']]>' is not", () => {
    const good = toBytes(H, "<message><body>a]b]]c]]]d ]>e ]] >f] ]]</body></message>");
    const [message] = stanzasOf("<message><body>a]b]]c]]]d ]>e ]] >f] ]]</body></message>");
    assert.equal(message.getChildText("body"), "a]b]]c]]]d ]>e ]] >f] ]]");
    assert.equal(firstDifferingSplit(good), undefined);
    for (const text of ["plain]]>", "]]]>", "a]]>b", "x]y]]>"]) {
      const bad = toBytes(H, `<message><body>${text}</body></message>`);
      const events = readWhole(bad);
      assert.match(events[events.length - 1]!, /^error not-well-formed: .*']]>' in text/, text);
      assert.equal(firstDifferingSplit(bad), undefined, text);
    }
  });

  it("reads what XML allows that Prosody does not write", () => {
    const [message, empty] = stanzasOf(
      "<message  to = \"a>b\"\n>text > ]] ] &#x10FFFF;&#65;<día señal='ñ'/><![CDATA[]]></message ><message/>",
    );
    assert.equal(message.attrs.to, "a>b");
    assert.equal(message.children[0], "text > ]] ] \u{10ffff}A");
    assert.equal((message.children[1] as Element).attrs.señal, "ñ");
    assert.equal(message.children.length, 2, "an empty CDATA section adds nothing");
    assert.equal(empty.toString(), '<message xmlns="jabber:client"/>');
  });

  it("takes the forms of the XML declaration, and no declaration at all", () => {
    const header = "<stream:stream xmlns:stream='http://etherx.jabber.org/streams'>";
    for (const declaration of ["", "<?xml version='1.0'?>", '<?xml version="1.0" encoding="utf-8" standalone="yes" ?>', "<?xml version='1.1' encoding='UTF-8'?>\n"]) {
      assert.equal(readWhole(toBytes(declaration, header)).length, 1, declaration);
    }
  });

  it("reads a self-closed stream header as a header and an end", () => {
    assert.deepEqual(readWhole(toBytes("<stream:stream xmlns:stream='http://etherx.jabber.org/streams'/>")), [
      'header {"xmlns:stream":"http://etherx.jabber.org/streams"}',
      "end",
    ]);
  });

  it("reads the rest of a chunk as a new stream when a handler restarts it", () => {
    // The restart comes in the middle of the chunk, which ends inside a character of the new stream.
    const bytes = toBytes("<stream:stream xmlns:stream='http://etherx.jabber.org/streams'><proceed/>", H, "<message>é</message>");
    const cut = bytes.length - "</message>".length - 1;
    const log = new ReaderLog({ restartAfter: ["proceed"] }).write(bytes, [cut]);
    assert.deepEqual(log.events.slice(2), [
      'header {"xmlns":"jabber:client","xmlns:stream":"http://etherx.jabber.org/streams","id":"s1","version":"1.0"}',
      'stanza <message xmlns="jabber:client">é</message>',
    ]);
  });

  it("forgets the old stream on reset(), a character cut in half included", () => {
    const log = new ReaderLog();
    log.write(toBytes(H, "<message><body>caf", [0xc3]));
    log.reader.reset();
    log.write(toBytes(H, "<message/>"));
    assert.deepEqual(log.errors, []);
    assert.equal(log.events.filter((line) => line.startsWith("stanza")).length, 1);
  });

  it("reads again after reset() what an error had stopped", () => {
    const log = new ReaderLog().write(toBytes(H, "<!-- -->"));
    assert.equal(log.errors.length, 1);
    log.reader.reset();
    log.write(toBytes(H, "<message/>"));
    assert.equal(log.events.filter((line) => line.startsWith("stanza")).length, 1);
  });

  it("ignores all input after stopReading()", () => {
    const log = new ReaderLog().write(toBytes(H));
    log.reader.stopReading();
    log.write(toBytes("<message/><!-- -->"));
    assert.equal(log.events.length, 1);
  });

  it("lets a handler's exception reach the caller, and reads no further", () => {
    let seen = 0;
    const reader = new StanzaStream({
      onHeader: () => {},
      onStanza: () => {
        seen++;
        throw new Error("handler failed");
      },
      onEnd: () => {},
      onError: (error) => assert.fail(`unexpected ${error.message}`),
    });
    assert.throws(() => reader.write(toBytes(H, "<message/><message/>")), /handler failed/);
    reader.write(toBytes("<message/>"));
    assert.equal(seen, 1);
  });

  it("reports errors as StreamError with condition and text", () => {
    let reported: StreamError | undefined;
    const reader = new StanzaStream({ onHeader: () => {}, onStanza: () => {}, onEnd: () => {}, onError: (error) => (reported = error) });
    reader.write(toBytes(H, "<!-- -->"));
    assert.ok(reported instanceof StreamError);
    assert.equal(reported.condition, "restricted-xml");
    assert.equal(reported.text, `a comment at byte ${H.length + 2}`);
    assert.equal(reported.message, `restricted-xml: a comment at byte ${H.length + 2}`);
    assert.equal(reported.name, "StreamError");
  });

  it("refuses limits that are not positive integers, naming the option", () => {
    const handlers = { onHeader: () => {}, onStanza: () => {}, onEnd: () => {}, onError: () => {} };
    assert.throws(() => new StanzaStream(handlers, { maxStanzaBytes: 0 }), /RangeError: StanzaStream: maxStanzaBytes must be a positive integer, got 0/);
    assert.throws(() => new StanzaStream(handlers, { maxDepth: 2.5 }), /maxDepth must be a positive integer, got 2.5/);
  });
});

describe("StanzaStream keeps every attribute, whatever its name", () => {
  const names = ["__proto__", "constructor", "toString", "hasOwnProperty", "valueOf", "isPrototypeOf", "__defineGetter__"];

  it("keeps attributes named like Object.prototype's properties, in order, as own strings", () => {
    const tag = `<message ${names.map((name, i) => `${name}='v${i}'`).join(" ")} id='x'><body a='1' __proto__='p'>hi</body></message>`;
    const [message] = stanzasOf(tag);
    assert.deepEqual(Object.keys(message.attrs), ["xmlns", ...names, "id"]);
    names.forEach((name, i) => {
      assert.ok(Object.prototype.hasOwnProperty.call(message.attrs, name), name);
      assert.equal(message.attrs[name], `v${i}`, name);
    });
    const body = message.getChild("body") as Element;
    assert.equal(body.attrs.__proto__, "p");
    assert.equal(message.getChildText("body"), "hi");
    assert.equal(
      message.toString(),
      `<message xmlns="jabber:client" ${names.map((name, i) => `${name}="v${i}"`).join(" ")} id="x"><body a="1" __proto__="p">hi</body></message>`,
    );
  });

  it("leaves ltx's namespace lookups working on such an element", () => {
    const [message] = stanzasOf("<message xmlns:x='urn:x' toString='t' x:kind='k'><x:data constructor='c'/></message>");
    assert.equal(message.getAttr("kind", "urn:x"), "k", "getAttr with a namespace calls attrs.hasOwnProperty()");
    assert.equal((message.children[0] as Element).getNS(), "urn:x");
    assert.equal(message.attrs["toString"] as unknown, "t");
  });

  it("still refuses one of them given twice", () => {
    const events = readWhole(toBytes(H, "<message __proto__='a' __proto__='b'/>"));
    assert.match(events[events.length - 1], /^error not-well-formed: the attribute '__proto__' twice in <message>/);
  });

  it("keeps them in the stream header too", () => {
    const events = readWhole(toBytes("<stream:stream xmlns:stream='http://etherx.jabber.org/streams' __proto__='x' constructor='y'>"));
    assert.deepEqual(events, ['header {"xmlns:stream":"http://etherx.jabber.org/streams","__proto__":"x","constructor":"y"}']);
  });

  it("takes the reserved prefix xml and its own declaration, which Namespaces in XML allow", () => {
    const [message] = stanzasOf("<message xml:lang='fr' xmlns:xml='http://www.w3.org/XML/1998/namespace'><body xmlns:a='urn:a' xmlns:b='urn:b' a:c='1' b:c='2'/></message>");
    assert.equal(message.attrs["xml:lang"], "fr");
    assert.equal((message.children[0] as Element).attrs["b:c"], "2", "one local name in two namespaces is two attributes");
  });
});
