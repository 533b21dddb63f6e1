// The reference client for tests: @xmpp/client on a test hub (see hosts/node/peer-client.ts).
export { hubClient, trustHubCa, type HubClientOptions } from "../../hosts/node/peer-client.js";
