// Entry module of the cryptography self-test app (see selftest.ts).
import selftest from "appliance/selftest";

selftest();
