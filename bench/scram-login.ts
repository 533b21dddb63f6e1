// `npm run bench:scram`: the device's CPU for one SCRAM login on Node, with the salted password
// derived by the core's JavaScript PBKDF2 over node:crypto's HMAC (hosts without pbkdf2) and by
// the Node host's pbkdf2 (node:crypto), alternating in the same run, each login with a fresh salt.

import { createNodeHost } from "../hosts/node/host.js";
import type { DigestAlgorithm, Host } from "../src/host.js";
import { encodeUtf8 } from "../src/xml/utf8.js";
import { encodeBase64 } from "../src/xmpp/sasl/base64.js";
import { Scram } from "../src/xmpp/sasl/scram.js";
import { percentile } from "./process-meter.js";

const logins = Number(process.env.LOGINS ?? 40);
const iterations = Number(process.env.ITERATIONS ?? 4096);
const native = createNodeHost({ ca: "" });
const { pbkdf2: _, ...withoutPbkdf2 } = native;
const paths: Array<[string, Host]> = [
  ["JavaScript PBKDF2 over host.hmac", withoutPbkdf2],
  ["host.pbkdf2 (node:crypto)", native],
];

/** CPU milliseconds of this process (user + system) for one client side of a SCRAM exchange. */
function login(host: Host, algorithm: DigestAlgorithm): number {
  const mechanism = new Scram(algorithm, { host, username: "microwave", password: "microwave-secret" });
  const clientFirst = new TextDecoder().decode(mechanism.initialResponse());
  const nonce = clientFirst.slice(clientFirst.indexOf("r=") + 2);
  const serverFirst = encodeUtf8(`r=${nonce}server,s=${encodeBase64(host.randomBytes(16))},i=${iterations}`);
  const before = process.cpuUsage();
  mechanism.challenge(serverFirst);
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000;
}

console.log(`Node ${process.version}; ${logins} logins per path and digest, ${iterations} iterations, fresh salt each (no cache); paths alternate in one run`);
for (const algorithm of ["SHA-1", "SHA-256"] as const) {
  const samples = paths.map(() => [] as number[]);
  for (let round = 0; round < logins; round++) {
    paths.forEach(([, host], k) => samples[k]!.push(login(host, algorithm)));
  }
  const medians = samples.map((list) => percentile(list.sort((a, b) => a - b), 50));
  paths.forEach(([name], k) => {
    const sorted = samples[k]!;
    console.log(`SCRAM-${algorithm.padEnd(7)} ${name.padEnd(34)} CPU per login p50 ${medians[k]!.toFixed(2)} ms  p90 ${percentile(sorted, 90).toFixed(2)} ms`);
  });
  console.log(`SCRAM-${algorithm.padEnd(7)} JavaScript / host.pbkdf2: ${(medians[0]! / medians[1]!).toFixed(1)}x`);
}
