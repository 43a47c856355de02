-- limitgen: moving window, short path for operation "H": a hit on one
-- limit with 1 <= cost <= amount, on the server's clock, whose window is a
-- whole number of microseconds below 2^52 ns (the caller checks); it
-- covers cost 1 and leaves other costs to the general path (moving.lua),
-- whose data it keeps. ARGV[9] is the window in microseconds, ARGV[10] the
-- key's lifetime after a hit in milliseconds (the window, rounded up),
-- ARGV[11] twice that.
--
-- It reads the 4 oldest entries, pushes the hit optimistically (LPUSH
-- answers the new length) and pops it again if the hits in the window are
-- then above the amount. Writes cost the server about twice what reads do,
-- so it trims hits that left the window only once 2 have gathered at the
-- tail, and renews the expiry only when less than a lifetime is left,
-- giving two: a key lives one to two windows after its last hit. It
-- answers one integer when it fits in 52 bits:
-- ((reset_ns + 1) * (amount + 1) + remaining) * 2 + allowed; otherwise the
-- table of the general path. When all 4 entries read have left the window
-- (more may have) it writes nothing and falls through to the general path.
if ARGV[1] == 'H' and ARGV[8] == '1' then
	local key, fmt = KEYS[1], string.format
	local tm = redis.call('TIME')
	local w = tonumber(ARGV[9])
	local nowus = tm[1] * 1000000 + tm[2]
	local edge = ''
	if nowus >= w then
		edge = fmt('%017d000', nowus - w)
	end
	local chunk = redis.call('LRANGE', key, -4, -1)
	local m, e = #chunk, 0
	while e < m and chunk[m - e] <= edge do
		e = e + 1
	end
	if e < 4 then
		local dead = e -- left at the tail
		if e >= 2 then
			redis.call('LTRIM', key, 0, -e - 1)
			dead = 0
		end
		local now = fmt('%017d000', nowus)
		local a, ok = tonumber(ARGV[5]), 1
		-- optimistic; popped if refused
		local k = redis.call('LPUSH', key, now) - dead -- hits in the window
		if k > a then
			redis.call('LPOP', key)
			k, ok = k - 1, 0
		elseif redis.call('PTTL', key) < tonumber(ARGV[10]) then
			redis.call('PEXPIRE', key, ARGV[11])
		end
		-- reset: the oldest hit in the window plus the window
		local d = w * 1000
		if e < m then
			local t = chunk[m - e]
			d = (tonumber(string.sub(t, 1, 11)) - tm[1]) * 1000000000 + tonumber(string.sub(t, 12)) - tm[2] * 1000 + d
		end
		local rem = 0
		if k < a then
			rem = a - k
		end
		local packed = (d + 1) * (a + 1) + rem
		if packed < 2251799813685248 then -- 2^51
			return packed * 2 + ok
		end
		return { ok, tonumber(tm[1]), tm[2] * 1000, ok, rem, d }
	end
end
