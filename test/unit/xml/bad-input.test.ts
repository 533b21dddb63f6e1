// The stream reader on a corpus of bad input: each ends the stream with the expected condition,
// at the same byte however the input is cut, once, and nothing after it is read.

import { assert } from "../../support/assert.js";
import type { ReaderCondition } from "../../../src/xml/stanza-stream.js";
import { ReaderLog, firstDifferingSplit, readWhole, toBytes } from "./reader-log.js";

const DECL = "<?xml version='1.0'?>";
const STREAM =
  "<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' from='hub.local' id='c2s-1' version='1.0' xml:lang='en'>";
const H = DECL + STREAM;
const h = H.length; // the header is ASCII: characters and bytes agree
const BODY = H + "<message><body>";
const b = BODY.length;

interface BadInput {
  what: string;
  input: Array<string | number[]>;
  condition: ReaderCondition;
  /** The error's text: what was found, then " at byte <at>". */
  found: string;
  at: number;
  /** Events before the error (the header, the end). */
  before?: number;
}

const corpus: BadInput[] = [
  // RFC 6120 §11.1: restricted XML.
  { what: "a DTD before the stream header", input: [DECL, "<!DOCTYPE stream:stream [<!ENTITY x 'y'>]>", STREAM], condition: "restricted-xml", found: "a document type declaration", at: DECL.length + 2 },
  { what: "a DTD between stanzas", input: [H, "<!DOCTYPE x>"], condition: "restricted-xml", found: "a document type declaration", at: h + 2, before: 1 },
  { what: "a comment before the stream header", input: [DECL, "<!-- hi -->", STREAM], condition: "restricted-xml", found: "a comment", at: DECL.length + 2 },
  { what: "a comment between stanzas", input: [H, "<!-- keepalive -->"], condition: "restricted-xml", found: "a comment", at: h + 2, before: 1 },
  { what: "a comment in a stanza", input: [H, "<message><!-- hi --></message>"], condition: "restricted-xml", found: "a comment", at: h + 11, before: 1 },
  { what: "a processing instruction between stanzas", input: [H, "<?php echo 1; ?>"], condition: "restricted-xml", found: "a processing instruction", at: h + 1, before: 1 },
  { what: "a processing instruction in a stanza", input: [H, "<message><?pi x?></message>"], condition: "restricted-xml", found: "a processing instruction", at: h + 10, before: 1 },
  { what: "an XML declaration after white space", input: [" ", H], condition: "restricted-xml", found: "a processing instruction", at: 2 },
  { what: "a processing instruction after the XML declaration", input: [DECL, "<?xml-stylesheet href='a.xsl'?>", STREAM], condition: "restricted-xml", found: "a processing instruction", at: DECL.length + 1 },
  { what: "a processing instruction named like the declaration", input: ["<?xml-stylesheet href='a.xsl'?>", STREAM], condition: "restricted-xml", found: "a processing instruction", at: 5 },
  { what: "an undeclared entity in text", input: [BODY, "&nbsp;</body></message>"], condition: "restricted-xml", found: "a reference to an undeclared entity ('&nbsp;')", at: b + 5, before: 1 },
  { what: "an undeclared entity in an attribute", input: [H, "<message to='&foo;'/>"], condition: "restricted-xml", found: "a reference to an undeclared entity ('&foo;')", at: h + 17, before: 1 },
  { what: "a long undeclared entity name", input: [BODY, "&externalentity;"], condition: "restricted-xml", found: "a reference to an undeclared entity ('&exte...;')", at: b + 15, before: 1 },

  // Not well-formed.
  { what: "a mismatched end tag", input: [BODY, "hi</message>"], condition: "not-well-formed", found: "the end tag </message> where </body> belongs", at: b + 11, before: 1 },
  { what: "an end tag that does not close the stream", input: [H, "</stream:features>"], condition: "not-well-formed", found: "the end tag </stream:features> where </stream:stream> belongs", at: h + 17, before: 1 },
  { what: "'<' in an attribute value", input: [H, "<message to='a<b'/>"], condition: "not-well-formed", found: "'<' in the value of 'to'", at: h + 14, before: 1 },
  { what: "a duplicate attribute", input: [H, "<message to='a' to='b'/>"], condition: "not-well-formed", found: "the attribute 'to' twice in <message>", at: h + 18, before: 1 },
  { what: "an attribute value without quotes", input: [H, "<message to=a/>"], condition: "not-well-formed", found: "the value of 'to' without quotes (found 'a')", at: h + 12, before: 1 },
  { what: "an attribute without a value", input: [H, "<message hidden/>"], condition: "not-well-formed", found: "'/' in an attribute name", at: h + 15, before: 1 },
  { what: "attributes not separated by white space", input: [H, "<message to='a'id='b'/>"], condition: "not-well-formed", found: "'i' right after an attribute value (attributes are separated by white space)", at: h + 15, before: 1 },
  { what: "a bare '&'", input: [BODY, "fish & chips</body></message>"], condition: "not-well-formed", found: "a '&' that starts no reference (write '&amp;')", at: b + 6, before: 1 },
  { what: "a reference without ';'", input: [BODY, "&amp chips</body></message>"], condition: "not-well-formed", found: "an entity reference not closed by ';' (found U+0020)", at: b + 4, before: 1 },
  { what: "a reference to U+0000", input: [BODY, "&#0;</body></message>"], condition: "not-well-formed", found: "a character reference to a character XML does not allow (U+0000)", at: b + 3, before: 1 },
  { what: "a reference to a surrogate", input: [BODY, "&#xD800;</body></message>"], condition: "not-well-formed", found: "a character reference to a character XML does not allow (U+D800)", at: b + 7, before: 1 },
  { what: "a reference past U+10FFFF", input: [BODY, "&#x110000;</body></message>"], condition: "not-well-formed", found: "a character reference past U+10FFFF", at: b + 8, before: 1 },
  { what: "an uppercase X in a character reference", input: [BODY, "&#X41;</body></message>"], condition: "not-well-formed", found: "a malformed character reference", at: b + 2, before: 1 },
  { what: "']]>' in text", input: [BODY, "a]]>b</body></message>"], condition: "not-well-formed", found: "']]>' in text", at: b + 3, before: 1 },
  { what: "a name that starts with a digit", input: [H, "<1message/>"], condition: "not-well-formed", found: "'1' after '<'", at: h + 1, before: 1 },
  { what: "a name with two colons", input: [H, "<a:b:c/>"], condition: "not-well-formed", found: "a name with two colons", at: h + 4, before: 1 },
  { what: "a name that ends with a colon", input: [H, "<a:/>"], condition: "not-well-formed", found: "a name that ends with a colon", at: h + 3, before: 1 },
  { what: "an end tag before the stream header", input: ["</stream:stream>"], condition: "not-well-formed", found: "an end tag before the stream header", at: 1 },
  { what: "garbage before the stream header", input: ["HTTP/1.1 400 Bad Request\r\n\r\n", H], condition: "not-well-formed", found: "text before the stream header", at: 0 },
  { what: "a byte order mark", input: [[0xef, 0xbb, 0xbf], H], condition: "not-well-formed", found: "a byte order mark (XMPP streams have none)", at: 0 },
  { what: "content after the end of the stream", input: [H, "</stream:stream> <message/>"], condition: "not-well-formed", found: "content after the end of the stream", at: h + 17, before: 2 },
  { what: "a CDATA section before the stream header", input: ["<![CDATA[x]]>"], condition: "not-well-formed", found: "a CDATA section outside the stream's root element", at: 8 },
  { what: "a malformed CDATA section", input: [BODY, "<![CDAT[x]]></body></message>"], condition: "not-well-formed", found: "a malformed CDATA section opening ('[')", at: b + 7, before: 1 },
  { what: "an XML declaration of version 2.0", input: ["<?xml version='2.0'?>", STREAM], condition: "not-well-formed", found: "a malformed XML declaration", at: 20 },
  { what: "an XML declaration without a version", input: ["<?xml encoding='UTF-8'?>", STREAM], condition: "not-well-formed", found: "a malformed XML declaration", at: 23 },
  { what: "an element with an undeclared prefix", input: [H, "<foo:bar/>"], condition: "not-well-formed", found: "the element 'foo:bar' uses the undeclared prefix 'foo'", at: h + 9, before: 1 },
  { what: "an attribute with an undeclared prefix", input: [H, "<message foo:x='1'/>"], condition: "not-well-formed", found: "the attribute 'foo:x' uses the undeclared prefix 'foo'", at: h + 19, before: 1 },
  // Namespaces in XML 1.0 §3 (RFC 6120 §11.2: XML that is not namespace-well-formed is not-well-formed).
  ...namespaceFault("xmlns:xml rebound", "<message xmlns:xml='urn:x'/>", "the prefix 'xml' bound to 'urn:x' (it stands for 'http://www.w3.org/XML/1998/namespace' only)"),
  ...namespaceFault("xmlns:xmlns declared", "<message xmlns:xmlns='urn:x'/>", "the prefix 'xmlns' declared (xmlns:xmlns), which is reserved"),
  ...namespaceFault("a prefix bound to the XML namespace", "<message xmlns:x='http://www.w3.org/XML/1998/namespace'/>", "the prefix 'x' bound to 'http://www.w3.org/XML/1998/namespace', which is reserved"),
  ...namespaceFault("a prefix bound to the xmlns namespace", "<message xmlns:x='http://www.w3.org/2000/xmlns/'/>", "the prefix 'x' bound to 'http://www.w3.org/2000/xmlns/', which is reserved"),
  ...namespaceFault("a prefix undeclared", "<message xmlns:p=''/>", "the prefix 'p' undeclared (xmlns:p=''), which XML 1.0 does not allow"),
  ...namespaceFault("a prefix undeclared in a child", "<message xmlns:p='urn:p'><p:x xmlns:p=''/></message>", "the prefix 'p' undeclared (xmlns:p=''), which XML 1.0 does not allow", 41),
  ...namespaceFault("one attribute twice through two prefixes", "<message xmlns:a='urn:x' xmlns:b='urn:x' a:c='1' b:c='2'/>", "the attribute 'c' of namespace 'urn:x' twice in <message> (as 'a:c' and 'b:c')"),
  ...namespaceFault("one attribute twice through a prefix of the header and one of the stanza", "<message xmlns:s='http://etherx.jabber.org/streams' stream:id='1' s:id='2'/>", "the attribute 'id' of namespace 'http://etherx.jabber.org/streams' twice in <message> (as 'stream:id' and 's:id')"),
  ...namespaceFault("the default namespace bound to the xmlns namespace", "<message xmlns='http://www.w3.org/2000/xmlns/'/>", "the default namespace declared as 'http://www.w3.org/2000/xmlns/', which is reserved"),
  ...namespaceFault("the default namespace bound to the XML namespace", "<message><body xmlns='http://www.w3.org/XML/1998/namespace'/></message>", "the default namespace declared as 'http://www.w3.org/XML/1998/namespace', which is reserved", 60),
  ...namespaceFault("an element with the prefix xmlns", "<xmlns:x/>", "the element 'xmlns:x' has the prefix 'xmlns', which only declarations have"),
  { what: "xmlns:xml rebound in the stream header", input: [DECL, STREAM.replace(">", " xmlns:xml='urn:x'>")], condition: "not-well-formed", found: "the prefix 'xml' bound to 'urn:x' (it stands for 'http://www.w3.org/XML/1998/namespace' only)", at: h + 17 },
  { what: "an undeclared prefix in the stream header", input: [DECL, STREAM.replace(">", " foo:x='1'>")], condition: "not-well-formed", found: "the attribute 'foo:x' uses the undeclared prefix 'foo'", at: h + 9 },

  { what: "an overlong UTF-8 form", input: [BODY, [0xc0, 0xaf]], condition: "not-well-formed", found: "bytes that are not UTF-8 (an overlong lead byte (0xc0))", at: b, before: 1 },
  { what: "a lone UTF-8 continuation byte", input: [BODY, "a", [0x80]], condition: "not-well-formed", found: "bytes that are not UTF-8 (a continuation byte with no lead byte (0x80))", at: b + 1, before: 1 },
  { what: "an encoded surrogate half", input: [BODY, [0xed, 0xa0, 0x80]], condition: "not-well-formed", found: "bytes that are not UTF-8 (an overlong form, a surrogate or a value past U+10FFFF (0xed 0xa0))", at: b + 1, before: 1 },
  { what: "a code point past U+10FFFF", input: [BODY, [0xf4, 0x90, 0x80, 0x80]], condition: "not-well-formed", found: "bytes that are not UTF-8 (an overlong form, a surrogate or a value past U+10FFFF (0xf4 0x90))", at: b + 1, before: 1 },
  { what: "the byte 0xFF", input: [BODY, [0xff]], condition: "not-well-formed", found: "bytes that are not UTF-8 (a byte that never occurs in UTF-8 (0xff))", at: b, before: 1 },
  { what: "a UTF-8 character cut short", input: [BODY, [0xe4, 0xb8, 0x41]], condition: "not-well-formed", found: "bytes that are not UTF-8 (a character cut short by 0x41)", at: b + 2, before: 1 },
  { what: "bad UTF-8 in an attribute value", input: [H, "<message to='", [0xc3, 0x28], "'/>"], condition: "not-well-formed", found: "bytes that are not UTF-8 (a character cut short by 0x28)", at: h + 14, before: 1 },
  { what: "U+0000 in text", input: [BODY, "a\u0000b</body></message>"], condition: "not-well-formed", found: "a character XML does not allow (U+0000)", at: b + 1, before: 1 },
  { what: "a control character in an attribute", input: [H, "<message to='a\u0001'/>"], condition: "not-well-formed", found: "a character XML does not allow (U+0001)", at: h + 14, before: 1 },
  { what: "U+FFFE", input: [BODY, "\ufffe"], condition: "not-well-formed", found: "a character XML does not allow (U+FFFE)", at: b, before: 1 },
  { what: "U+0000 between stanzas", input: [H, "\u0000"], condition: "not-well-formed", found: "a character XML does not allow (U+0000)", at: h, before: 1 },

  // Limits (the defaults: 16384 bytes, depth 16).
  { what: "a giant text node", input: [BODY, "a".repeat(17000), "</body></message>"], condition: "policy-violation", found: "a stanza longer than the limit of 16384 bytes", at: h + 16384, before: 1 },
  { what: "a giant attribute value", input: [H, "<message to='", "a".repeat(17000), "'/>"], condition: "policy-violation", found: "a stanza longer than the limit of 16384 bytes", at: h + 16384, before: 1 },
  { what: "an attribute quote never closed", input: [H, "<message to='", "x".repeat(20000)], condition: "policy-violation", found: "a stanza longer than the limit of 16384 bytes", at: h + 16384, before: 1 },
  { what: "a giant element name", input: [H, "<", "m".repeat(17000), "/>"], condition: "policy-violation", found: "a stanza longer than the limit of 16384 bytes", at: h + 16384, before: 1 },
  { what: "a giant attribute name", input: [H, "<message ", "a".repeat(17000), "='1'/>"], condition: "policy-violation", found: "a stanza longer than the limit of 16384 bytes", at: h + 16384, before: 1 },
  { what: "a giant character reference", input: [BODY, "&#", "0".repeat(17000), "65;"], condition: "policy-violation", found: "a stanza longer than the limit of 16384 bytes", at: h + 16384, before: 1 },
  { what: "a giant stream header", input: [DECL, "<stream:stream", Array.from({ length: 2000 }, (_, i) => ` a${i}='b'`).join(""), ">"], condition: "policy-violation", found: "a stream header longer than the limit of 16384 bytes", at: DECL.length + 16384 },
  { what: "a giant XML declaration", input: ["<?xml version='1.0'", " ".repeat(17000), "?>"], condition: "policy-violation", found: "a stream header longer than the limit of 16384 bytes", at: 16384 },
  { what: "nesting deeper than 16", input: [H, "<a>".repeat(17)], condition: "policy-violation", found: "elements nested deeper than the limit of 16 in a stanza", at: h + 16 * 3 + 1, before: 1 },

  // RFC 6120 §4.9.3: not a stream, or not XMPP's.
  { what: "text between stanzas", input: [H, "hello"], condition: "bad-format", found: "text between stanzas", at: h, before: 1 },
  { what: "a reference between stanzas", input: [H, " &amp;"], condition: "bad-format", found: "text between stanzas", at: h + 1, before: 1 },
  { what: "a CDATA section between stanzas", input: [H, "<![CDATA[ ]]>"], condition: "bad-format", found: "a CDATA section between stanzas", at: h + 8, before: 1 },
  { what: "a stanza that is not inside a stream", input: ["<message to='a'><body>hi</body></message>"], condition: "invalid-namespace", found: "the stream starts with <message>, not <stream:stream>", at: 15 },
  { what: "a stream in another namespace", input: ["<stream:stream xmlns:stream='http://example.com/streams'>"], condition: "invalid-namespace", found: "the stream header is in namespace 'http://example.com/streams', not 'http://etherx.jabber.org/streams'", at: 56 },
  { what: "a stream header with an undeclared prefix", input: ["<stream:stream xmlns='jabber:client'>"], condition: "bad-namespace-prefix", found: "the stream header <stream:stream> has the undeclared prefix 'stream'", at: 36 },
  { what: "an XML declaration of another encoding", input: ["<?xml version='1.0' encoding='ISO-8859-1'?>", STREAM], condition: "unsupported-encoding", found: "an XML declaration of encoding 'ISO-8859-1' (XMPP streams are UTF-8)", at: 42 },
];

/** A start tag (after the header) refused for its namespaces, found at its '>' (or at `at` within it). */
function namespaceFault(what: string, tag: string, found: string, at = tag.length - 1): BadInput[] {
  return [{ what, input: [H, tag], condition: "not-well-formed", found, at: h + at, before: 1 }];
}

/** Cut points for a long input: evenly spread, and close around where the error is found. */
function someCuts(length: number, at: number): number[] {
  const cuts = new Set<number>();
  for (let k = 1; k < 40; k++) cuts.add(Math.floor((length * k) / 40));
  for (let d = -3; d <= 3; d++) if (at + d > 0 && at + d < length) cuts.add(at + d);
  return [...cuts].sort((x, y) => x - y);
}

describe("StanzaStream on bad input", () => {
  for (const bad of corpus) {
    describe(bad.what, () => {
      const input = toBytes(...bad.input);
      const expected = `error ${bad.condition}: ${bad.found} at byte ${bad.at}`;

      it(`ends the stream with <${bad.condition}/>, saying what and where`, () => {
        const events = readWhole(input);
        assert.equal(events[events.length - 1], expected);
        assert.equal(events.length, (bad.before ?? 0) + 1, events.join("\n"));
      });

      it("finds it at the same byte however the input is cut", () => {
        const whole = readWhole(input);
        if (input.length <= 400) {
          const differing = firstDifferingSplit(input);
          assert.equal(differing, undefined, differing && `cut at ${differing.at}: ${differing.events.join("\n")}`);
          assert.deepEqual(new ReaderLog().writeBytewise(input).events, whole, "byte by byte");
        } else {
          for (const cut of someCuts(input.length, bad.at)) {
            assert.deepEqual(new ReaderLog().write(input, [cut]).events, whole, `cut at ${cut}`);
          }
          const sevens: number[] = [];
          for (let cut = 7; cut < input.length; cut += 7) sevens.push(cut);
          assert.deepEqual(new ReaderLog().write(input, sevens).events, whole, "in pieces of 7 bytes");
        }
      });

      it("reports it once and reads nothing after it", () => {
        const log = new ReaderLog().write(input);
        const count = log.events.length;
        log.write(toBytes(H, "<message/><message/></stream:stream>"));
        log.write(toBytes("\u0000<!-- -->"));
        assert.equal(log.events.length, count, log.events.join("\n"));
        assert.equal(log.errors.length, 1);
      });
    });
  }
});
