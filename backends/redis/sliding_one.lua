-- limitgen: sliding window counter, short paths for operations "H" (a hit
-- on one limit) and "M" (a hit on several), every cost between 1 and its
-- amount, on the server's clock, every window a whole number of
-- microseconds below 2^52 ns (the caller checks). ARGV[4 + 5n + i] is
-- limit i's window in microseconds, n being the number of limits. They
-- keep the data of the general path (sliding.lua) but do their arithmetic
-- in microseconds, exact in doubles (Unix microseconds stay below 2^53
-- until the year 2255), and read TIME and each hash once. "H" answers one
-- integer when it fits in 52 bits:
-- ((reset_ns + 1) * (amount + 1) + remaining) * 2 + allowed, reset_ns
-- being the nanoseconds from now to the reset; otherwise, and for "M",
-- the table of the general path. Every redis.call, table and
-- string.format costs server time comparable to a whole INCR, hence paths
-- of their own (and instants are formatted with %d, several times cheaper
-- than %f). On a state they do not cover (a stored bucket ahead of the
-- clock, products beyond 2^53) they write nothing and fall through to the
-- general path.
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
elseif ARGV[1] == 'M' then
	-- The same steps as "H", for each limit, in functions. "H" keeps its
	-- own copy inline: calling these functions raised its server time
	-- from 7.6 to 8.7 us (8 alternating rounds).
	local fmt, floor, n = string.format, math.floor, #KEYS
	local tm = redis.call('TIME')
	local now = tm[1] * 1000000 + tm[2]

	-- state reads limit i's hash and returns its amount, cost and window,
	-- the bucket's start as stored, whether the stored bucket is current,
	-- the current and previous counts, the microseconds left in the
	-- bucket and the previous count's weight; nothing when the general
	-- path must decide.
	local function state(i)
		local a, c, w = tonumber(ARGV[5 * i]), tonumber(ARGV[5 * i + 3]), tonumber(ARGV[4 + 5 * n + i])
		local r = now - floor(now / w) * w -- exact: every term is below 2^53
		if r < 0 then -- the division rounded up
			r = r + w
		end
		local b = fmt('%017d000', now - r) -- the bucket's start, as stored
		local v = redis.call('HMGET', KEYS[i], 'b', 'c', 'p')
		local start, cur, p = v[1], tonumber(v[2]) or 0, tonumber(v[3]) or 0
		local same = start == b
		if not start or (cur == 0 and p == 0) then
			cur, p, same = 0, 0, false
		elseif not same then
			if start > b then
				return -- a bucket ahead of this clock
			elseif start == fmt('%017d000', now - r - w) then
				cur, p = 0, cur
			else
				cur, p = 0, 0
			end
		end
		local t = w - r -- microseconds left in the bucket
		local k, m = 0, p * t
		if m >= 9007199254740992 or w * p >= 9007199254740992 then
			return
		elseif p > 0 then
			k = floor(m / w)
			local x = m - k * w
			if x < 0 then
				k = k - 1
			elseif x >= w then
				k = k + 1
			end
		end
		return a, c, w, b, same, cur, p, t, k
	end

	-- charge adds c to limit i's count and returns the new count.
	local function charge(i, c, w, b, same, cur, p, t)
		if same then
			return redis.call('HINCRBY', KEYS[i], 'c', c)
		end
		redis.call('HSET', KEYS[i], 'b', b, 'c', cur + c, 'p', p)
		-- live until the end of the next bucket
		redis.call('PEXPIRE', KEYS[i], floor((w + t) / 1000) + 1)
		return cur + c
	end

	-- reset returns the nanoseconds from now until the weighted count
	-- drops: ceil(w_ns * k / p) - 1 ns before the bucket's end, or its
	-- end; 0 for an empty limit.
	local function reset(w, t, cur, p, k)
		if cur == 0 and p == 0 then
			return 0
		end
		local d = t * 1000
		if k > 0 then
			local y = w * k -- exact: below 2^53, checked by state
			local q = floor(y / p)
			local z = y - q * p
			if z < 0 then
				q, z = q - 1, z + p
			elseif z >= p then
				q, z = q + 1, z - p
			end
			-- ceil(1000 * y / p) = 1000 q + ceil(1000 z / p)
			local z3 = 1000 * z
			local q3 = floor(z3 / p)
			if q3 * p > z3 then -- the division rounded up
				q3 = q3 - 1
			end
			if q3 * p < z3 then
				q3 = q3 + 1
			end
			d = d - (1000 * q + q3) + 1
		end
		return d
	end

	-- every limit's state, 9 values each, then one verdict for all
	local s, all, covered = {}, 1, true
	for i = 1, n do
		local a, c, w, b, same, cur, p, t, k = state(i)
		if not a then
			covered = false
			break
		end
		local j = 9 * i
		s[j - 8], s[j - 7], s[j - 6], s[j - 5], s[j - 4], s[j - 3], s[j - 2], s[j - 1], s[j] = a, c, w, b, same, cur, p, t, k
		if k + cur > a - c then
			all = 0
		end
	end
	if covered then
		local out = { all, tonumber(tm[1]), tm[2] * 1000 }
		for i = 1, n do
			local j = 9 * i
			local a, c, w, b, same, cur, p, t, k = s[j - 8], s[j - 7], s[j - 6], s[j - 5], s[j - 4], s[j - 3], s[j - 2], s[j - 1], s[j]
			local fits = k + cur <= a - c
			if all == 1 then
				cur = charge(i, c, w, b, same, cur, p, t)
			end
			local used = k + cur
			out[3 * i + 1] = fits and 1 or 0
			out[3 * i + 2] = used < a and a - used or 0
			out[3 * i + 3] = reset(w, t, cur, p, k)
		end
		return out
	end
end
