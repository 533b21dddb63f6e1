// The firmware's own name and version: answered by XEP-0092 and compared by updates. Kept equal
// to package.json's (a test checks it), in the core so that every runtime reports the same.

export const FIRMWARE_NAME = "xmpp-appliance";
export const FIRMWARE_VERSION = "0.1.0";
