// The project's native PBKDF2 (pbkdf2.c): pbkdf2(algorithm, password, salt, iterations) returns
// the derived key, one digest long, as an ArrayBuffer. Host functions are declared in
// JavaScript, which esbuild cannot read; the firmware imports this as "appliance/pbkdf2".

function pbkdf2(algorithm, password, salt, iterations) @ "xs_appliance_pbkdf2";

export default pbkdf2;
