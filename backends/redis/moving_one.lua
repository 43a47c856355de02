-- limitgen: moving window, short paths for operations "H" (a hit on one
-- limit) and "M" (a hit on several), on the server's clock, every window a
-- whole number of microseconds below 2^52 ns (the caller checks); they
-- cover costs of 1 and leave other costs to the general path (moving.lua),
-- whose data they keep. ARGV[4 + 4n + 3i - 2] is limit i's window in
-- microseconds, ARGV[4 + 4n + 3i - 1] its key's lifetime after a hit in
-- milliseconds (the window, rounded up), ARGV[4 + 4n + 3i] twice that, n
-- being the number of limits.
--
-- "H" reads the 4 oldest entries, pushes the hit optimistically (LPUSH
-- answers the new length) and pops it again if the hits in the window are
-- then above the amount. Writes cost the server about twice what reads do,
-- so it trims hits that left the window only once 2 have gathered at the
-- tail, and renews the expiry only when less than a lifetime is left,
-- giving two: a key lives one to two windows after its last hit. It
-- answers one integer when it fits in 52 bits:
-- ((reset_ns + 1) * (amount + 1) + remaining) * 2 + allowed; otherwise the
-- table of the general path. When all 4 entries read have left the window
-- (more may have) it writes nothing and falls through to the general path.
-- "M" does the same for every limit: it reads every tail first (falling
-- through, before any write, if one needs the general path), pushes the
-- hit on every list, and pops them all again if any limit is then above
-- its amount; it answers the general path's table.
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
elseif ARGV[1] == 'M' then
	local fmt, sub, n = string.format, string.sub, #KEYS
	local tm = redis.call('TIME')
	local nowus = tm[1] * 1000000 + tm[2]
	local now = fmt('%017d000', nowus)
	-- the oldest hit in the window (or false) and the hits that left it
	-- still at the tail, per limit
	local oldest, dead, covered = {}, {}, true
	for i = 1, n do
		local w = tonumber(ARGV[4 * n + 3 * i + 2])
		if ARGV[4 * i + 4] ~= '1' then
			covered = false
			break
		end
		local edge = ''
		if nowus >= w then
			edge = fmt('%017d000', nowus - w)
		end
		local chunk = redis.call('LRANGE', KEYS[i], -4, -1)
		local m, e = #chunk, 0
		while e < m and chunk[m - e] <= edge do
			e = e + 1
		end
		if e >= 4 then
			covered = false
			break
		end
		oldest[i], dead[i] = e < m and chunk[m - e], e
	end
	if covered then
		-- push optimistically, counting the hits in each window
		local k, all = {}, 1
		for i = 1, n do
			if dead[i] >= 2 then
				redis.call('LTRIM', KEYS[i], 0, -dead[i] - 1)
				dead[i] = 0
			end
			k[i] = redis.call('LPUSH', KEYS[i], now) - dead[i]
			if k[i] > tonumber(ARGV[4 * i + 1]) then
				all = 0
			end
		end
		local out = { all, tonumber(tm[1]), tm[2] * 1000 }
		for i = 1, n do
			local key, a, j = KEYS[i], tonumber(ARGV[4 * i + 1]), 4 * n + 3 * i + 2
			local fits, t = k[i] <= a, oldest[i]
			if all == 1 then
				if redis.call('PTTL', key) < tonumber(ARGV[j + 1]) then
					redis.call('PEXPIRE', key, ARGV[j + 2])
				end
				t = t or now
			else
				redis.call('LPOP', key)
				k[i] = k[i] - 1
			end
			-- reset: the oldest hit in the window plus the window, or now
			local d = 0
			if k[i] > 0 and t then
				d = (tonumber(sub(t, 1, 11)) - tm[1]) * 1000000000 + tonumber(sub(t, 12)) - tm[2] * 1000 + tonumber(ARGV[j]) * 1000
			end
			out[3 * i + 1] = fits and 1 or 0
			out[3 * i + 2] = k[i] < a and a - k[i] or 0
			out[3 * i + 3] = d
		end
		return out
	end
end
