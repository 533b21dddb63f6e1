-- What Debian's mod_sasl2, mod_sasl2_fast and mod_sasl2_sm (prosody-modules, written for a newer
-- Prosody) need of Prosody 0.12.3.
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

-- FAST (mod_sasl2_fast) offers tokens to the account named in the stream header's `from`, which
-- it reads from the `stream` field of the event mod_sasl2 fires; 0.12.3's mod_c2s passes no such
-- field ("mod_sasl2_fast.lua:100: attempt to index a nil value (field 'stream')"). The header's
-- `from` reaches a session's stream_attrs callback when the server answers the header (as `to`),
-- which every c2s session is given here when it is created, before its first header is read.
local filters = require "util.filters";
local function remember_stream_from(session)
	if session.type == "c2s_unauthed" and session.stream_attrs == nil then
		session.stream_attrs = function(self, _, to) self.sasl2_compat_from = to; end;
	end
end
filters.add_filter_hook(remember_stream_from);
function module.unload()
	filters.remove_filter_hook(remember_stream_from);
end

-- mod_sasl2_fast dates a token's expiry with util.datetime.datetime(now() + ttl), a fractional
-- time that 0.12.3's datetime() cannot format ("bad argument #2 to 'os_date' (number has no
-- integer representation)", and no <success/> is sent); newer ones take it. Whole seconds here.
local datetime_module = require "util.datetime";
local datetime = datetime_module.datetime;
if not pcall(datetime, 0.5) then
	datetime_module.datetime = function(t) return datetime(t and math.floor(t)); end;
end

module:hook("stream-features", function(event)
	if event.stream == nil then
		event.stream = { from = event.origin.sasl2_compat_from };
	end
end, 100);

-- After a SASL2 <failure/> mod_sasl2 keeps the session's SASL handler, with the failed mechanism
-- still selected (and mod_sasl2_fast's token handler in place after a refused token), so another
-- <authenticate/> on the same stream, which XEP-0388 allows, got invalid-mechanism. The next one
-- gets a fresh handler.
module:hook("sasl2/c2s/failure", function(event)
	event.session.sasl_handler = nil;
end, 10);

local st = require "util.stanza";

-- mod_sasl2_fast reads the user-agent id with stanza:get_child_attr(), also newer than 0.12.3.
if st.stanza_mt.get_child_attr == nil then
	function st.stanza_mt:get_child_attr(name, xmlns, attr)
		local tag = self:get_child(name, xmlns);
		return tag and tag.attr[attr] or nil;
	end
end

-- mod_sasl2_sm and mod_sasl2_bind2 report failures with stanza:add_error(), which 0.12.3's
-- util.stanza lacks. The condition goes in directly, as XEP-0198's <failed/> carries it.
local xmlns_stanzas = "urn:ietf:params:xml:ns:xmpp-stanzas";
if st.stanza_mt.add_error == nil then
	function st.stanza_mt:add_error(err)
		err = type(err) == "table" and err or { condition = err };
		self:tag(err.condition or "undefined-condition", { xmlns = xmlns_stanzas }):up();
		if err.text then self:text_tag("text", err.text, { xmlns = xmlns_stanzas }); end
		return self;
	end
end

-- Inline stream management (mod_sasl2_sm) calls mod_smacks' do_enable() and do_resume(), which
-- return what was done and a finish() run after the SASL2 <success/> has gone; 0.12.3's mod_smacks
-- has only handle_enable() and handle_resume(), which send their answer themselves. Here they are
-- wrapped: what they send is held back (a stanzas/out filter ahead of all others) and read as the
-- result; stanzas the resumption sends again leave in finish(), after the <success/>.
local xmlns_sm3 = "urn:xmpp:sm:3";
local mod_smacks = module:depends("smacks");

local function held_sends(session, work)
	local held = {};
	local function hold(stanza) held[#held + 1] = stanza; return nil; end
	filters.add_filter(session, "stanzas/out", hold, 1e9);
	local ok, result = pcall(work);
	filters.remove_filter(session, "stanzas/out", hold);
	if not ok then error(result); end
	return held;
end

local function failure_of(answer)
	local condition = answer and answer.tags[1] and answer.tags[1].name or "undefined-condition";
	local h = answer and tonumber(answer.attr.h);
	return { type = "cancel", condition = condition, context = { h = h } };
end

if rawget(mod_smacks, "do_enable") == nil then
	function mod_smacks.do_enable(session, stanza)
		local held = held_sends(session, function() mod_smacks.handle_enable(session, stanza, xmlns_sm3); end);
		local answer = held[1];
		if not answer or answer.name ~= "enabled" then return nil, failure_of(answer); end
		return { type = "enabled", id = answer.attr.id, resume_max = answer.attr.max, finish = function() end };
	end
end

local resuming = {};
module:hook("smacks-hibernation-end", function(event)
	if resuming[event.origin] ~= nil then resuming[event.origin] = event.resumed; end
end);

if rawget(mod_smacks, "do_resume") == nil then
	function mod_smacks.do_resume(session, stanza)
		resuming[session] = false;
		local held = held_sends(session, function() mod_smacks.handle_resume(session, stanza, xmlns_sm3); end);
		local original = resuming[session];
		resuming[session] = nil;
		local answer = held[1];
		if not original or not answer or answer.name ~= "resumed" then return nil, failure_of(answer); end
		-- The success hooks that run after this one (mod_sasl2_fast's token) read the exchange from
		-- the session the event now names: the resumed one, which must carry it.
		original.sasl_handler = session.sasl_handler;
		original.client_id = session.client_id;
		original.fast_token_request = session.fast_token_request;
		return {
			type = "resumed";
			session = original;
			id = stanza.attr.previd;
			finish = function()
				-- Sent again, not queued again: what the queue still held.
				original.resending_unacked = true;
				for i = 2, #held do original.send(held[i]); end
				original.resending_unacked = nil;
			end;
		};
	end
end
