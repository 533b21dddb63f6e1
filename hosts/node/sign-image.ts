// `npm run sign-image -- <private key.pem> <firmware> <image>`: the build step that makes an update
// image with the key the user keeps: the firmware followed by its signature (ECDSA P-256, SHA-256,
// over the firmware's SHA-256, r || s); prints the image's SHA-256, which the owner gives `update`.

import { createHash, createPrivateKey, sign } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";

/** The image file for `firmware`, signed with `privateKeyPem` (EC P-256). */
export function signedImage(firmware: Uint8Array, privateKeyPem: string): Buffer {
  const key = createPrivateKey(privateKeyPem);
  if (key.asymmetricKeyType !== "ec" || key.asymmetricKeyDetails?.namedCurve !== "prime256v1") {
    throw new Error("the signing key is not an EC P-256 private key: make one with openssl ecparam -name prime256v1 -genkey -noout -out update.key");
  }
  const digest = createHash("sha256").update(firmware).digest();
  return Buffer.concat([firmware, sign("sha256", digest, { key, dsaEncoding: "ieee-p1363" })]);
}

function main(args: string[]): number {
  const [keyPath, firmwarePath, imagePath] = args;
  if (!keyPath || !firmwarePath || !imagePath) {
    console.error("usage: npm run sign-image -- <private key.pem> <firmware> <image>");
    return 2;
  }
  try {
    const image = signedImage(readFileSync(firmwarePath), readFileSync(keyPath, "utf8"));
    writeFileSync(imagePath, image);
    console.log(`${imagePath}: ${image.length} bytes, sha256 ${createHash("sha256").update(image).digest("hex")}`);
    return 0;
  } catch (error) {
    console.error(`error: ${(error as Error).message}`);
    return 1;
  }
}

if (process.argv[1]?.endsWith("sign-image.mjs")) process.exit(main(process.argv.slice(2)));
