// mcsim on Linux: the SDK's socket module writes with send() without MSG_NOSIGNAL, and nothing in
// mcsim ignores SIGPIPE, so a write to a connection the peer has just closed (a server gone, a
// cut link) ended the simulator itself, with no XS abort and no trace. With SIGPIPE ignored the
// write fails with EPIPE and the firmware sees the connection close, as it does on an ESP32,
// whose lwIP sockets raise no signal.

#include "xsmc.h"
#include <signal.h>

void xs_appliance_ignore_sigpipe(xsMachine *the)
{
	signal(SIGPIPE, SIG_IGN);
}
