// The app's entry module: the firmware itself is preloaded (built into flash at link time), so
// starting it is all that runs here.
import start from "appliance/firmware";

start();
