-- Ad-hoc commands asked of a device's bare JID: answered with the commands of its online resources.
--
-- Stock clients (Gajim) ask a contact's bare JID for its commands (disco#items, node
-- http://jabber.org/protocol/commands). Prosody answers that for the account itself, and the
-- account has none, so the client says "Node does not exist" although the device, online as
-- microwave@hub.test/appliance, lists its commands. This module asks each online resource in the
-- requester's name (so the device's own owner check decides) and answers with their items, which
-- name the full JID that runs each command. It only steps in where mod_disco would answer (the
-- requester is subscribed to the account's presence), and leaves an offline account to it.

local st = require "util.stanza";
local jid_bare = require "util.jid".bare;
local new_id = require "util.id".medium;
local promise = require "util.promise";

local COMMANDS = "http://jabber.org/protocol/commands";
local DISCO_ITEMS = "http://jabber.org/protocol/disco#items";
-- A device that does not answer within this time is left out of the list.
local ASK_TIMEOUT_S = module:get_option_number("device_commands_timeout", 10);

local bare_sessions = prosody.bare_sessions;

-- mod_disco fires this for a node of an account's bare JID, after its subscription check.
module:hook("account-disco-items-node", function (event)
	local origin, stanza = event.origin, event.stanza;
	if event.node ~= COMMANDS or not stanza.attr.to then return; end
	local account = jid_bare(stanza.attr.to);
	-- One's own account: mod_adhoc and Prosody's answer stand.
	if account == jid_bare(stanza.attr.from) then return; end
	local user = bare_sessions[account];
	if not user then return; end
	local asks = {};
	for _, session in pairs(user.sessions) do
		if session.presence and session.full_jid then
			local ask = st.iq({ type = "get", id = new_id(), from = stanza.attr.from, to = session.full_jid })
				:tag("query", { xmlns = DISCO_ITEMS, node = COMMANDS });
			table.insert(asks, module:send_iq(ask, origin, ASK_TIMEOUT_S));
		end
	end
	if #asks == 0 then return; end
	promise.all_settled(asks):next(function (outcomes)
		local reply = st.reply(stanza):tag("query", { xmlns = DISCO_ITEMS, node = COMMANDS });
		local listed, refusal = 0, nil;
		for _, outcome in ipairs(outcomes) do
			if outcome.status == "fulfilled" then
				local query = outcome.value.stanza:get_child("query", DISCO_ITEMS);
				if query then
					for item in query:childtags("item") do
						reply:add_child(st.clone(item));
						listed = listed + 1;
					end
				end
			else
				refusal = refusal or outcome.reason;
			end
		end
		if listed == 0 and refusal then
			-- Every resource refused (a stranger asks): pass the device's own error on.
			origin.send(st.error_reply(stanza, refusal.type or "cancel", refusal.condition or "undefined-condition", refusal.text));
		else
			origin.send(reply);
		end
	end);
	module:log("debug", "asking %d resource(s) of %s for their commands for %s", #asks, account, stanza.attr.from);
	return true;
end, 10);

