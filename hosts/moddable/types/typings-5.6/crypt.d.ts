// What @moddable/typings 5.6.0 lacks and the SDK's own typings/crypt.d.ts declares; used only
// when type-checking against the npm package (no MODDABLE).

declare module "crypt" {
  export class Digest {
    constructor(type: "MD5" | "SHA1" | "SHA224" | "SHA256" | "SHA384" | "SHA512");
    write(message: string | ArrayBuffer): void;
    close(): ArrayBuffer;
    reset(): void;
    readonly blockSize: number;
    readonly outputSize: number;
  }
}
