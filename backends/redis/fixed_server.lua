-- limitgen: fixed window on the server's clock, every limit of one request
-- in one call, all-or-nothing. Each limit is a counter whose Redis expiry
-- is the end of its window (first hit + window, in whole milliseconds), so
-- the server's clock decides without reading it: the cheapest form, two
-- commands per limit in the steady state.
--
-- KEYS[i]  counter of limit i (every key of a call shares one hash slot)
-- ARGV[1]  operation: "h" hit, "t" test (peek), "r" refund a hit, "H" a
--          hit on one limit with 1 <= cost <= amount, "M" a hit on several
--          limits, each with 1 <= cost <= amount (both below)
-- ARGV[2..] per limit: amount, window in milliseconds (at least 1), cost
--
-- A counter is never left at zero or without expiry: a window holding no
-- hit is no key at all.
--
-- Reply: {allowed, allowed_1, remaining_1, ms_to_reset_1, ...}; ms_to_reset
-- is -1 when nothing is counted (the reset is the decision instant).
--
-- A hit on one limit with 1 <= cost <= amount, the common request, is
-- operation "H" (the caller checks the bounds) and takes a short path:
-- every redis.call, every Lua line and every number converted to a string
-- for a command costs server time comparable to a whole INCR, so it passes
-- the arguments to Redis as the strings they arrived as, runs INCRBY and
-- PTTL (plus PEXPIRE on a fresh window, DECRBY on a refusal) and answers
-- one integer, not a table, when it fits in 52 bits:
-- ((ms_to_reset + 1) * (amount + 1) + remaining) * 2 + allowed.
--
-- A hit on several limits, each with 1 <= cost <= amount (the caller
-- checks), is operation "M", the same short path for a request of many
-- limits (a route's and the defaults, say): INCRBY every counter, undo
-- them all if one refuses, PTTL each (and PEXPIRE a fresh window). Its reply is one entry per
-- limit: the integer "H" answers (allowed being the limit's own verdict; the
-- request is allowed if every limit is), or {allowed, remaining,
-- ms_to_reset} when that does not fit.
local op = ARGV[1]
local call = redis.call
if op == 'H' then
	local key = KEYS[1]
	local k = call('INCRBY', key, ARGV[4]) -- optimistic; undone if refused
	local t = call('PTTL', key)
	if t < 0 then -- a fresh window (or, should one appear, a counter without expiry)
		call('PEXPIRE', key, ARGV[3])
		t = tonumber(ARGV[3])
	end
	local a, ok = tonumber(ARGV[2]), 1
	if k > a then -- refused; k - cost >= 1 since cost <= amount < k
		k, ok = call('DECRBY', key, ARGV[4]), 0
	end
	local r = 0
	if k < a then
		r = a - k
	end
	local v = (t + 1) * (a + 1) + r
	if v < 2251799813685248 then -- 2^51
		return v * 2 + ok
	end
	return { ok, ok, r, t }
end

-- ttl returns the milliseconds left in key's window. A counter without
-- expiry is one this call has just made (or, should one appear otherwise,
-- a stray): it gets a window of w ms (a number, or the string of one).
local function ttl(key, w)
	local t = call('PTTL', key)
	if t < 0 then
		call('PEXPIRE', key, w)
		return tonumber(w) -- w may be the argument's string
	end
	return t
end

if op == 'M' then
	local n, ks, all = #KEYS, {}, true
	for i = 1, n do
		local k = call('INCRBY', KEYS[i], ARGV[3 * i + 1]) -- optimistic
		ks[i] = k
		if k > tonumber(ARGV[3 * i - 1]) then
			all = false
		end
	end
	local out = {}
	for i = 1, n do
		local key, k, a, w = KEYS[i], ks[i], tonumber(ARGV[3 * i - 1]), ARGV[3 * i]
		local ok, t = 0, -1
		if k <= a then
			ok = 1
		end
		if not all then -- undo; a counter back at zero was made by this call
			local c = tonumber(ARGV[3 * i + 1])
			k = k - c
			if k <= 0 then
				call('DEL', key)
				k = 0
			else
				call('DECRBY', key, c)
				t = ttl(key, w)
			end
		else -- a fresh window has no expiry yet: ttl gives it one
			t = ttl(key, w)
		end
		local r = 0
		if k < a then
			r = a - k
		end
		local v = (t + 1) * (a + 1) + r
		if v < 2251799813685248 then -- 2^51
			out[i] = v * 2 + ok
		else
			out[i] = { ok, r, t }
		end
	end
	return out
end

local n = #KEYS
local used, ok, fresh, all = {}, {}, {}, true
for i = 1, n do
	local key, a, c = KEYS[i], tonumber(ARGV[3 * i - 1]), tonumber(ARGV[3 * i + 1])
	local k
	if op == 'h' and c > 0 then
		k = call('INCRBY', key, c) -- optimistic; undone below if any limit refuses
		fresh[i] = k == c
		ok[i] = c <= a and k <= a
	elseif op == 'r' and c > 0 then
		k = tonumber(call('GET', key))
		if k then
			if k <= c then
				call('DEL', key)
				k = 0
			else
				k = call('DECRBY', key, c)
			end
		else
			k = 0
		end
		ok[i] = true
	else
		k = tonumber(call('GET', key)) or 0
		ok[i] = c <= a and k <= a - c
	end
	used[i] = k
	if not ok[i] then
		all = false
	end
end
if op == 'r' then
	all = true
end
local out = { all and 1 or 0 }
for i = 1, n do
	local key, a, w, c = KEYS[i], tonumber(ARGV[3 * i - 1]), tonumber(ARGV[3 * i]), tonumber(ARGV[3 * i + 1])
	local k, reset = used[i], -1
	if op == 'h' and c > 0 then
		if not all then
			k = k - c
			if k <= 0 then
				call('DEL', key)
				k = 0
			else
				call('DECRBY', key, c)
			end
		elseif fresh[i] then
			call('PEXPIRE', key, w)
			reset = w
		end
	end
	if k > 0 and reset < 0 then
		reset = ttl(key, w)
	end
	out[3 * i - 1] = ok[i] and 1 or 0
	out[3 * i] = k < a and a - k or 0
	out[3 * i + 1] = reset
end
return out
