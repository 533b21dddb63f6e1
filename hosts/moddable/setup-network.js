// Replaces the SDK's setup/network on ESP32: that module joins config.ssid by itself, before
// main, with any security mode the access point offers. The firmware joins in main instead,
// through src/app/wifi-link.ts, which refuses anything below WPA2.
export default function (done) {
  done();
}
