# A stock client's view of the device's ad-hoc commands: slixmpp's XEP-0050 plugin, the way a
# script written for it runs a command (start_command with next/error handlers, then
# complete_command). Prints one JSON line per step; the test reads them.
#
# usage: python3 slixmpp-adhoc.py JID SERVER PORT CA TARGET NODE FIELD=VALUE...   (password in XMPP_PASSWORD)

import asyncio
import json
import os
import ssl
import sys

from slixmpp import ClientXMPP


def report(**step):
    print(json.dumps(step), flush=True)


class Owner(ClientXMPP):
    def __init__(self, jid, password, ca, target, node, values):
        super().__init__(jid, password)
        self.ssl_context = ssl.create_default_context(cafile=ca)
        self.target, self.node, self.values = target, node, values
        self.register_plugin("xep_0030")
        self.register_plugin("xep_0004")
        self.register_plugin("xep_0050")
        self.add_event_handler("session_start", self.start)
        self.finished = asyncio.get_event_loop().create_future()

    async def start(self, _event):
        self.send_presence()
        items = await self["xep_0030"].get_items(jid=self.target, node="http://jabber.org/protocol/commands", timeout=10)
        listed = {node: jid for jid, node, _name in items["disco_items"]["items"]}
        report(step="list", items=sorted(listed))
        # As Gajim does: the command runs at the JID its item names (the device's full JID).
        self["xep_0050"].start_command(listed.get(self.node, self.target), self.node, {"next": self.form, "error": self.error})

    def form(self, iq, session):
        command = iq["command"]
        if command["status"] != "executing":
            return self.done(iq, session)
        fields = command["form"]["fields"]
        report(step="form", fields=[field["var"] for field in (fields.values() if hasattr(fields, "values") else fields)])
        form = self["xep_0004"].make_form(ftype="submit")
        for name, value in self.values.items():
            form.add_field(var=name, value=value)
        session["payload"] = form
        session["next"] = self.done
        self["xep_0050"].complete_command(session)

    def done(self, iq, _session):
        command = iq["command"]
        report(step="result", status=command["status"], notes=[[kind, text] for kind, text in command["notes"]])
        self.finish()

    def error(self, iq, _session):
        report(step="error", condition=iq["error"]["condition"], text=iq["error"]["text"])
        self.finish()

    def finish(self):
        if not self.finished.done():
            self.finished.set_result(None)


async def main(argv):
    jid, server, port, ca, target, node, *pairs = argv
    values = dict(pair.split("=", 1) for pair in pairs)
    owner = Owner(jid, os.environ["XMPP_PASSWORD"], ca, target, node, values)
    owner.connect((server, int(port)), force_starttls=True)
    try:
        await asyncio.wait_for(owner.finished, 20)
    except asyncio.TimeoutError:
        # What a stock script sees when its handlers are never called.
        report(step="timeout")
    owner.disconnect()


asyncio.get_event_loop().run_until_complete(main(sys.argv[1:]))
