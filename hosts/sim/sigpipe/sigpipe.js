// The simulator's own C module (sigpipe.c): ignoreSigpipe() makes a write to a socket the peer
// has closed fail with EPIPE instead of ending mcsim with SIGPIPE. Host functions are declared in
// JavaScript, which esbuild cannot read; hosts/sim/platform.ts imports this as "appliance/sim-sigpipe".

function ignoreSigpipe() @ "xs_appliance_ignore_sigpipe";

export default ignoreSigpipe;
