-- What Debian's mod_sasl2 (prosody-modules, written for a newer Prosody) needs of Prosody 0.12.3.
--
-- mod_sasl2 asks the session's connection for ssl_info() while it builds its stream features;
-- 0.12.3's connections have no such method, so every c2s stream broke with "attempt to call a
-- nil value (method 'ssl_info')". It is the LuaSec socket's info(), given here before mod_sasl2's
-- own stream-features hook (priority 1) runs.

module:hook("stream-features", function(event)
	local conn = event.origin.conn;
	if conn and conn.ssl_info == nil then
		conn.ssl_info = function(self)
			local sock = self:socket();
			return sock and sock.info and sock:info() or nil;
		end;
	end
end, 100);

-- After a SASL2 success with Bind2 the session is bound, but 0.12.3's mod_saslauth still lists
-- <bind/> (and <session/>) in the features mod_sasl2 sends then: @xmpp/client binds a second time
-- and gets service-unavailable (the demo's console printed "owner: service-unavailable"). A
-- bound session is offered neither, as newer Prosody does.
local xmlns_bind = "urn:ietf:params:xml:ns:xmpp-bind";
local xmlns_session = "urn:ietf:params:xml:ns:xmpp-session";
module:hook("stream-features", function(event)
	if not event.origin.resource then return; end
	event.features:maptags(function(tag)
		if (tag.name == "bind" and tag.attr.xmlns == xmlns_bind) or (tag.name == "session" and tag.attr.xmlns == xmlns_session) then
			return nil;
		end
		return tag;
	end);
end, -100);
