// Choosing a SASL mechanism from the server's offer, and making it.

import { assert } from "../../support/assert.js";
import { digest, hmac } from "../../support/digest.js";
import { SASLError } from "../../../src/xmpp/sasl/error.js";
import { chooseMechanism, createMechanism } from "../../../src/xmpp/sasl/mechanisms.js";
import { Plain } from "../../../src/xmpp/sasl/plain.js";
import { Scram } from "../../../src/xmpp/sasl/scram.js";

const host = { digest, hmac, randomBytes: (n: number) => new Uint8Array(n) };

describe("chooseMechanism", () => {
  const table: Array<[string[], boolean, string]> = [
    [["SCRAM-SHA-1", "SCRAM-SHA-256", "PLAIN"], true, "SCRAM-SHA-256"],
    [["PLAIN", "SCRAM-SHA-1", "SCRAM-SHA-256"], false, "SCRAM-SHA-256"],
    [["PLAIN", "SCRAM-SHA-1"], true, "SCRAM-SHA-1"],
    [["SCRAM-SHA-1"], false, "SCRAM-SHA-1"],
    [["SCRAM-SHA-256-PLUS", "SCRAM-SHA-1-PLUS", "SCRAM-SHA-1"], true, "SCRAM-SHA-1"],
    [["DIGEST-MD5", "PLAIN"], true, "PLAIN"],
    [["PLAIN"], true, "PLAIN"],
  ];
  for (const [offered, secure, chosen] of table) {
    it(`chooses ${chosen} from ${offered.join(" ")} ${secure ? "over TLS" : "unencrypted"}`, () => {
      assert.equal(chooseMechanism(offered, { secure }), chosen);
    });
  }

  function refused(offered: string[], secure: boolean, pattern: RegExp): void {
    assert.throws(() => chooseMechanism(offered, { secure }), (error: unknown) => {
      assert.ok(error instanceof SASLError, String(error));
      assert.equal(error.condition, "no-acceptable-mechanism");
      assert.match(error.message, pattern);
      return true;
    });
  }

  it("refuses PLAIN on a connection that is not encrypted", () => {
    refused(["PLAIN"], false, /offers only PLAIN on a connection that is not encrypted; .* PLAIN only over TLS/);
    refused(["DIGEST-MD5", "PLAIN"], false, /only DIGEST-MD5, PLAIN on a connection that is not encrypted/);
  });

  it("says what the server offers when nothing is acceptable", () => {
    refused(["DIGEST-MD5"], true, /the server offers only DIGEST-MD5; this device needs SCRAM-SHA-256, SCRAM-SHA-1, or PLAIN over TLS/);
    refused(["DIGEST-MD5", "X-OAUTH2"], true, /only DIGEST-MD5, X-OAUTH2;/);
    refused([], true, /the server offers no SASL mechanism; this device needs/);
    refused(["scram-sha-1"], true, /only scram-sha-1/); // names are case-sensitive (RFC 4422 §3.1)
  });
});

describe("createMechanism", () => {
  const credentials = { host, username: "user", password: "pencil" };

  it("makes each mechanism it can choose", () => {
    const sha256 = createMechanism("SCRAM-SHA-256", credentials);
    assert.ok(sha256 instanceof Scram);
    assert.equal(sha256.name, "SCRAM-SHA-256");
    assert.equal(createMechanism("SCRAM-SHA-1", credentials).name, "SCRAM-SHA-1");
    assert.ok(createMechanism("PLAIN", credentials) instanceof Plain);
  });

  it("refuses a name it does not implement", () => {
    assert.throws(() => createMechanism("DIGEST-MD5" as never, credentials), /invalid-mechanism: DIGEST-MD5 is not a mechanism this device implements/);
  });
});
