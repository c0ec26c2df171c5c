-- Refdesk: refuse XMPP-over-WebSocket connections from web pages of other sites.
--
-- Prosody 0.12's mod_websocket accepts a WebSocket from any page: a browser sends the page's
-- origin in the `Origin` header, but nothing checks it, so any site could open guest sessions to
-- the library's server from its visitors' browsers. Load this module next to "websocket" and list
-- the library's own sites:
--
--   modules_enabled = { ...; "websocket"; "refdesk_websocket_origins"; }
--   plugin_paths = { "/path/to/refdesk/deploy/prosody" }
--   websocket_allowed_origins = { "https://www.library.example" }
--
-- A connection whose Origin is not listed gets 403 before the WebSocket opens. Clients that are
-- not browsers send no Origin and are let through unless `websocket_require_origin = true` (the
-- check protects patrons' browsers from other sites; a native client could send any header). With
-- no origins listed the module lets everything through and says so in the log at start.
-- See docs/web-chat.md.

local http_server = require "net.http.server";

local allowed = module:get_option_set("websocket_allowed_origins", {});
local require_origin = module:get_option_boolean("websocket_require_origin", false);
local path = module:get_option("http_paths", {}).websocket or "/xmpp-websocket";

if allowed:empty() then
	module:log("warn", "websocket_allowed_origins is empty: WebSocket connections from any site are accepted");
end

local function check(event)
	if allowed:empty() then return; end
	local origin = event.request.headers.origin;
	if origin == nil and not require_origin then return; end
	if origin ~= nil and allowed:contains(origin) then return; end
	module:log("info", "refused a WebSocket connection from origin %s", tostring(origin));
	return 403;
end

-- Before mod_websocket's own handlers (priority 0) for the same request: on this host's address,
-- and on the server's any-host route (where a global mod_websocket answers first).
module:hook_object_event(http_server, "GET " .. module.host .. path, check, 10);
module:hook_object_event(http_server, "GET " .. path, check, 10);
