// "appliance/wifi" on ESP32: the SDK's own wifi module. (The simulator build maps the name to
// hosts/sim/wifi.ts instead; the SDK's simulated "wifi" cannot be replaced under its own name.)
export { default } from "wifi";
