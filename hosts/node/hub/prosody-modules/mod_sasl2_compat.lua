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
