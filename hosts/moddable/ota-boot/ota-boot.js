// The project's native boot controls on ESP32 (ota-boot.c), beside the SDK's `ota` module: host
// functions are declared in JavaScript, which esbuild cannot read; the firmware imports this as
// "appliance/ota-boot".

export function onTrial() @ "xs_appliance_ota_trial";
export function confirm() @ "xs_appliance_ota_confirm";
export function rollback() @ "xs_appliance_ota_rollback";
export function restart() @ "xs_appliance_restart";
