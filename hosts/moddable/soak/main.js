// Entry module of the connect-failure soak app (see soak.ts).
import soak from "appliance/soak";

soak();
