// `npm run bench:xml`: reads the same stanzas with xmpp.js's ltx-based parser, ltx.parse and the
// project's StanzaStream, and times encodeUtf8, on Node and on the XS engine (xsnap), printing
// figures and ratios (and xsnap meter units on XS).

import { spawnSync } from "node:child_process";
import { bundleForXs } from "../test/xs/bundle.js";
import { ensureXsnap } from "../test/xs/xsnap.js";
import { run } from "./xml-reader-workload.js";

const rounds = Number(process.env.ROUNDS ?? 20);
console.log(`Node ${process.version}`);
run("Node (V8)", rounds);

const out = await bundleForXs(`import { run } from "./bench/xml-reader-workload.ts"; run("XS (xsnap)", ${rounds});`, "bench/xml-reader");
const xsnap = ensureXsnap();
console.log("");
const result = spawnSync(xsnap, ["-s", out], { stdio: "inherit" });
process.exit(result.status ?? 1);
