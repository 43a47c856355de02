-- limitgen: fixed window on the server's clock, every limit of one request
-- in one call, all-or-nothing. Each limit is a counter whose Redis expiry
-- is the end of its window (first hit + window, in whole milliseconds), so
-- the server's clock decides without reading it: the cheapest form, two
-- commands per limit in the steady state.
--
-- KEYS[i]  counter of limit i (every key of a call shares one hash slot)
-- ARGV[1]  operation: "h" hit, "t" test (peek), "r" refund a hit
-- ARGV[2..] per limit: amount, window in milliseconds (at least 1), cost
--
-- A counter is never left at zero or without expiry: a window holding no
-- hit is no key at all.
--
-- Reply: {allowed, allowed_1, remaining_1, ms_to_reset_1, ...}; ms_to_reset
-- is -1 when nothing is counted (the reset is the decision instant).
--
-- A hit on one limit, the common request, takes a shorter path (every
-- Lua line and redis.call costs server time comparable to a whole INCR)
-- and answers one integer when it fits in 52 bits instead of a table:
-- ((ms_to_reset + 1) * (amount + 1) + remaining) * 2 + allowed.
local op = ARGV[1]
local call = redis.call

-- ttl returns the milliseconds left in key's window. A counter without
-- expiry cannot arise; should one appear, it gets a window of w ms.
local function ttl(key, w)
	local t = call('PTTL', key)
	if t < 0 then
		call('PEXPIRE', key, w)
		return w
	end
	return t
end
local n = #KEYS
if n == 1 and op == 'h' then
	local key, a, w, c = KEYS[1], tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
	if c > 0 then
		local k = call('INCRBY', key, c) -- optimistic; undone if refused
		local ok, t = 1, -1
		if c > a or k > a then
			ok, k = 0, k - c
			if k <= 0 then
				call('DEL', key)
				k = 0
			else
				call('DECRBY', key, c)
			end
		elseif k == c then
			call('PEXPIRE', key, w)
			t = w
		end
		if k > 0 and t < 0 then
			t = ttl(key, w)
		end
		local r = k < a and a - k or 0
		local v = (t + 1) * (a + 1) + r
		if v < 2251799813685248 then -- 2^51
			return v * 2 + ok
		end
		return { ok, ok, r, t }
	end
end
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
