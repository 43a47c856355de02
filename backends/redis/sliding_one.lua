-- limitgen: sliding window counter, short path for operation "H": a hit on
-- one limit with 1 <= cost <= amount, on the server's clock, whose window
-- is a whole number of microseconds below 2^52 ns (the caller checks).
-- ARGV[10] is the window in microseconds. It keeps the data of the general
-- path (sliding.lua) but does its arithmetic in microseconds, exact in
-- doubles (Unix microseconds stay below 2^53 until the year 2255), reads
-- TIME and the hash, and answers one integer when it fits in 52 bits:
-- ((reset_ns + 1) * (amount + 1) + remaining) * 2 + allowed, reset_ns
-- being the nanoseconds from now to the reset; otherwise the table of the
-- general path. Every redis.call, table and string.format costs server
-- time comparable to a whole INCR, hence a path of its own (and instants
-- are formatted with %d, several times cheaper than %f). On a state it
-- does not cover (a stored bucket ahead of the clock, products beyond
-- 2^53) it writes nothing and falls through to the general path.
if ARGV[1] == 'H' then
	local key, fmt = KEYS[1], string.format
	local a, c, w = tonumber(ARGV[5]), tonumber(ARGV[8]), tonumber(ARGV[10])
	local tm = redis.call('TIME')
	local now = tm[1] * 1000000 + tm[2]
	local r = now - math.floor(now / w) * w -- exact: every term is below 2^53
	if r < 0 then -- the division rounded up
		r = r + w
	end
	local b = fmt('%017d000', now - r) -- the bucket's start, as stored
	local v = redis.call('HMGET', key, 'b', 'c', 'p')
	local start, cur, p = v[1], tonumber(v[2]) or 0, tonumber(v[3]) or 0
	local same, go = start == b, true
	if not start or (cur == 0 and p == 0) then
		cur, p = 0, 0
		same = false
	elseif not same then
		if start > b then
			go = false -- a bucket ahead of this clock: the general path decides
		elseif start == fmt('%017d000', now - r - w) then
			cur, p = 0, cur
		else
			cur, p = 0, 0
		end
	end
	local t = w - r -- microseconds left in the bucket
	local k, m = 0, p * t
	if m >= 9007199254740992 or w * p >= 9007199254740992 then
		go = false
	elseif p > 0 then
		k = math.floor(m / w)
		local x = m - k * w
		if x < 0 then
			k = k - 1
		elseif x >= w then
			k = k + 1
		end
	end
	if go then
		local ok = 0
		if k + cur <= a - c then
			ok = 1
			if same then
				cur = redis.call('HINCRBY', key, 'c', ARGV[8])
			else
				cur = cur + c
				redis.call('HSET', key, 'b', b, 'c', cur, 'p', p)
				-- live until the end of the next bucket
				redis.call('PEXPIRE', key, math.floor((w + t) / 1000) + 1)
			end
		end
		local used = k + cur
		local rem = 0
		if used < a then
			rem = a - used
		end
		-- reset: the first nanosecond at which the weighted count drops,
		-- ceil(w_ns * k / p) - 1 ns before the bucket's end, or its end
		local d = t * 1000
		if k > 0 then
			local y = w * k -- exact: below 2^53, checked above
			local q = math.floor(y / p)
			local z = y - q * p
			if z < 0 then
				q, z = q - 1, z + p
			elseif z >= p then
				q, z = q + 1, z - p
			end
			-- ceil(1000 * y / p) = 1000 q + ceil(1000 z / p)
			local z3 = 1000 * z
			local q3 = math.floor(z3 / p)
			if q3 * p > z3 then -- the division rounded up
				q3 = q3 - 1
			end
			if q3 * p < z3 then
				q3 = q3 + 1
			end
			d = d - (1000 * q + q3) + 1
		end
		local packed = (d + 1) * (a + 1) + rem
		if packed < 2251799813685248 then -- 2^51
			return packed * 2 + ok
		end
		return { ok, tonumber(tm[1]), tm[2] * 1000, ok, rem, d }
	end
end
