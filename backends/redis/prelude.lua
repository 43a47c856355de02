-- limitgen: decide every limit of one request in one call, all-or-nothing,
-- as the window model of package backends (window_*.go) does. This prelude
-- is shared by the three strategy scripts (fixed.lua, moving.lua,
-- sliding.lua), which follow it in one script each.
--
-- KEYS[i]  counter of limit i (every key of a call shares one hash slot)
-- ARGV[1]  operation: "h" hit, "t" test (peek), "r" refund a hit made at
--          the instant ARGV[2..3], "H" and "M" a hit on one or several
--          limits that a strategy's short path (sliding_one.lua,
--          moving_one.lua) may answer before the prelude
-- ARGV[2]  decision instant: seconds since the Unix epoch, or "-1" to read
--          the server's clock (TIME)
-- ARGV[3]  nanoseconds within that second
-- ARGV[4]  extra lifetime of keys in milliseconds, beyond what the window needs
-- ARGV[5..] per limit: amount, window seconds, window nanoseconds, cost
--          (and for the sliding window counter the instant modulo the
--          window in nanoseconds, or -1 to compute it here)
--
-- Lua numbers are doubles, exact only below 2^53, and Unix nanoseconds are
-- larger. Instants are therefore pairs (seconds, nanoseconds) in the script
-- and 20-digit decimal strings in Redis and in the reply, which compare as
-- strings in time order.
--
-- Reply: {allowed, now seconds, now nanoseconds, allowed_1, remaining_1,
-- reset_1, ...}; a reset is an instant (a 20-digit string) or a number of
-- nanoseconds after now.
local op = ARGV[1]
if op == 'H' or op == 'M' then -- a short path's request left to this one
	op = 'h'
end
local E9 = 1000000000
local floor, call, fmt, sub = math.floor, redis.call, string.format, string.sub
local ns, nn = tonumber(ARGV[2]), tonumber(ARGV[3])
if ns < 0 then
	local t = call('TIME')
	ns, nn = tonumber(t[1]), tonumber(t[2]) * 1000
end
local slack = tonumber(ARGV[4])
local n = #KEYS
local ok, all = {}, true
local out = { 0, ns, nn }

-- admit records whether limit i has room for its cost; one limit without
-- room denies the whole request.
local function admit(i, fits)
	ok[i] = fits
	if not fits then
		all = false
	end
end

-- settle is called once every limit was checked. It sets the reply's
-- verdict and returns how to change the counters: 1 charge (a hit that
-- every limit admits), -1 undo a hit (refund), 0 nothing (a peek, or a
-- denied hit).
local function settle()
	local charge = 0
	if op == 'h' and all then
		charge = 1
	elseif op == 'r' then
		charge, all = -1, true
	end
	out[1] = all and 1 or 0
	return charge
end
