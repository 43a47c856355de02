-- limitgen: moving window, short path for operation "H": a hit on one
-- limit with 1 <= cost <= amount, on the server's clock, whose window is a
-- whole number of microseconds below 2^52 ns (the caller checks); it
-- covers cost 1 and leaves other costs to the general path (moving.lua),
-- whose data it keeps. ARGV[9] is the window in microseconds, ARGV[10]
-- the key's lifetime in milliseconds. It reads the 4 oldest entries,
-- trims those that left the window, pushes the hit optimistically (LPUSH
-- answers the new count) and pops it again if that is above the amount,
-- then answers one integer when it fits in 52 bits:
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
		if e > 0 then
			redis.call('LTRIM', key, 0, -e - 1)
		end
		local now = fmt('%017d000', nowus)
		local a, ok = tonumber(ARGV[5]), 1
		local k = redis.call('LPUSH', key, now) -- optimistic; popped if refused
		if k > a then
			redis.call('LPOP', key)
			k, ok = k - 1, 0
		else
			redis.call('PEXPIRE', key, ARGV[10])
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
