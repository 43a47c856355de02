-- limitgen: decide every limit of one request in one call, all-or-nothing.
-- It transcribes the window model of package backends (window_*.go).
--
-- KEYS[i]  counter of limit i (every key of a call shares one hash slot)
-- ARGV[1]  operation: "h" hit, "t" test (peek), "r" refund a hit made at
--          the instant ARGV[3..4]
-- ARGV[2]  strategy: "f" fixed window, "m" moving window, "s" sliding window counter
-- ARGV[3]  decision instant: seconds since the Unix epoch, or "-1" to read
--          the server's clock (TIME)
-- ARGV[4]  nanoseconds within that second
-- ARGV[5]  extra lifetime of keys in milliseconds, beyond what the window needs
-- ARGV[6+4(i-1)..]  amount, window seconds, window nanoseconds, cost of limit i
--
-- Lua numbers are doubles, exact only below 2^53, and Unix nanoseconds are
-- larger. Instants are therefore pairs (seconds, nanoseconds) in the script
-- and 20-digit decimal strings in Redis and in the reply, which compare as
-- strings in time order. Windows below 2^52 ns (52 days) are exact to the
-- nanosecond; longer ones are weighted and aligned in microseconds.
--
-- Reply: {allowed, now, allowed_1, remaining_1, reset_1, ...}.
local op, strategy = ARGV[1], ARGV[2]
local E9 = 1000000000
local floor, call, fmt, sub = math.floor, redis.call, string.format, string.sub

local ns, nn = tonumber(ARGV[3]), tonumber(ARGV[4])
if ns < 0 then
	local t = call('TIME')
	ns, nn = tonumber(t[1]), tonumber(t[2]) * 1000
end
local slack = tonumber(ARGV[5])

local function str(s, n)
	return fmt('%011d%09d', s, n)
end
local function parse(v)
	return tonumber(sub(v, 1, 11)), tonumber(sub(v, 12))
end
-- add returns (s,n) + (ds,dn); dn in [0, 1e9).
local function add(s, n, ds, dn)
	s, n = s + ds, n + dn
	if n >= E9 then
		s, n = s + 1, n - E9
	end
	return s, n
end
-- minus returns (s,n) - (ds,dn), or (0,0) before the epoch.
local function minus(s, n, ds, dn)
	s, n = s - ds, n - dn
	if n < 0 then
		s, n = s - 1, n + E9
	end
	if s < 0 then
		return 0, 0
	end
	return s, n
end
-- split turns d nanoseconds (0 <= d < 2^53) into (seconds, nanoseconds).
local function split(d)
	local s = floor(d / E9)
	local n = d - s * E9
	if n < 0 then
		s, n = s - 1, n + E9
	elseif n >= E9 then
		s, n = s + 1, n - E9
	end
	return s, n
end
-- muldiv returns floor(a*b/c) and a*b mod c, exactly, for integers
-- 0 <= a, 0 <= b <= c < 2^52 (binary long multiplication).
local function muldiv(a, b, c)
	local q, r, bit = 0, 0, 1
	while bit * 2 <= a do
		bit = bit * 2
	end
	while bit >= 1 do
		q, r = q * 2, r * 2
		if r >= c then
			q, r = q + 1, r - c
		end
		if a >= bit then
			a, r = a - bit, r + b
			if r >= c then
				q, r = q + 1, r - c
			end
		end
		bit = bit / 2
	end
	return q, r
end
local BIG = 4503599627370496 -- 2^52

local now = str(ns, nn)
local n = #KEYS
local amount, cost, ws, wn, w = {}, {}, {}, {}, {}
-- state read in the first pass, written in the second
local count, stamp, prev, fresh, ttl = {}, {}, {}, {}, {}
local ok, all = {}, true

local function fits(used, a, c)
	return c <= a and used <= a - c
end
local function expire(key, i, windows)
	call('PEXPIRE', key, floor(w[i] * windows / 1000000) + 1 + slack)
end

for i = 1, n do
	local j = 6 + 4 * (i - 1)
	local a, s, ns_, c = tonumber(ARGV[j]), tonumber(ARGV[j + 1]), tonumber(ARGV[j + 2]), tonumber(ARGV[j + 3])
	amount[i], ws[i], wn[i], cost[i] = a, s, ns_, c
	w[i] = s * E9 + ns_
	local key = KEYS[i]
	if strategy == 'f' then
		-- c: hits in the window; e: its end (first hit + window)
		local v = call('HMGET', key, 'c', 'e')
		local cnt, e = tonumber(v[1]) or 0, v[2]
		if cnt == 0 or not e or e <= now then
			cnt, e, fresh[i] = 0, str(add(ns, nn, s, ns_)), true
		end
		count[i], stamp[i] = cnt, e
		ok[i] = fits(cnt, a, c)
	elseif strategy == 'm' then
		-- hit instants, newest first, at most amount long; count the leading
		-- entries still in the window: t > now - window
		local edge = str(minus(ns, nn, s, ns_))
		local lo, hi = 0, call('LLEN', key)
		while lo < hi do
			local mid = floor((lo + hi) / 2)
			if call('LINDEX', key, mid) > edge then
				lo = mid + 1
			else
				hi = mid
			end
		end
		count[i] = lo
		ok[i] = fits(lo, a, c)
	else
		-- buckets aligned to multiples of the window since the epoch:
		-- b start of the current one, c its hits, p the previous one's
		local wi, r, unit = w[i], nil, 1
		if wi < BIG then
			local _, m = muldiv(E9, ns % wi, wi) -- (seconds mod w) * 1e9 mod w
			r = m + nn % wi
			if r >= wi then
				r = r - wi
			end
		else -- long windows: microseconds
			unit = 1000
			local wu = floor(wi / 1000)
			local _, m = muldiv(1000000, ns % wu, wu)
			r = m + floor(nn / 1000)
			if r >= wu then
				r = r - wu
			end
			r = r * 1000 + nn % 1000
		end
		local b = str(minus(ns, nn, split(r)))
		local v = call('HMGET', key, 'b', 'c', 'p')
		local start, cur, p = v[1], tonumber(v[2]) or 0, tonumber(v[3]) or 0
		if not start or (cur == 0 and p == 0) then
			start, cur, p = b, 0, 0
		elseif b <= start then
			-- kept: a caller whose clock is behind counts in the current bucket
		else
			local ss, sn = parse(start)
			if str(add(ss, sn, s, ns_)) == b then
				start, cur, p = b, 0, cur
			else
				start, cur, p = b, 0, 0
			end
		end
		local t = wi
		if start == b then
			t = wi - r
		end
		local k = 0
		if p > 0 then
			if unit == 1 then
				k = muldiv(p, t, wi)
			else
				k = muldiv(p, floor(t / 1000), floor(wi / 1000))
			end
		end
		count[i], prev[i], stamp[i], ttl[i], fresh[i] = cur, p, start, t, k
		ok[i] = fits(k + cur, a, c)
	end
	if not ok[i] then
		all = false
	end
end

local charge = 0
if op == 'h' and all then
	charge = 1
elseif op == 'r' then
	charge, all = -1, true
end

local out = { all and 1 or 0, now }
for i = 1, n do
	local key, a, c = KEYS[i], amount[i], cost[i]
	local used, reset = 0, now
	if strategy == 'f' then
		local cnt = count[i]
		if charge == 1 and c > 0 then
			if fresh[i] then
				call('HSET', key, 'c', c, 'e', stamp[i])
				expire(key, i, 1)
			else
				call('HINCRBY', key, 'c', c)
			end
			cnt = cnt + c
		elseif charge == -1 and c > 0 and not fresh[i] then
			cnt = call('HINCRBY', key, 'c', -c)
		end
		used = cnt
		if cnt > 0 then
			reset = stamp[i]
		end
	elseif strategy == 'm' then
		local cnt = count[i]
		if charge == 1 and c > 0 then
			local batch = {}
			for k = 1, c do
				batch[#batch + 1] = now
				if #batch == 1000 or k == c then
					call('LPUSH', key, unpack(batch))
					batch = {}
				end
			end
			call('LTRIM', key, 0, a - 1)
			expire(key, i, 1)
			cnt = cnt + c
		elseif charge == -1 and c > 0 then
			cnt = cnt - call('LREM', key, c, now)
		end
		used = cnt
		if cnt > 0 then
			local s, n2 = parse(call('LINDEX', key, cnt - 1))
			reset = str(add(s, n2, ws[i], wn[i]))
		end
	else
		local cur, p, k, t = count[i], prev[i], fresh[i], ttl[i]
		if charge ~= 0 and c > 0 then
			cur = cur + charge * c
			if cur < 0 then
				cur = 0
			end
			call('HSET', key, 'b', stamp[i], 'c', cur, 'p', p)
			expire(key, i, 2)
		end
		used = k + cur
		if p > 0 or cur > 0 then
			local d = t
			if k > 0 then
				-- the first t' with p*t' < k*w is ceil(k*w/p)-1
				local q, rr
				if w[i] < BIG then
					q, rr = muldiv(w[i], k, p)
				else
					q, rr = muldiv(floor(w[i] / 1000), k, p)
					q, rr = q * 1000, rr
				end
				if rr > 0 then
					q = q + 1
				end
				d = t - q + 1
			end
			reset = str(add(ns, nn, split(d)))
		end
	end
	local rem = a - used
	if rem < 0 then
		rem = 0
	end
	out[#out + 1] = ok[i] and 1 or 0
	out[#out + 1] = rem
	out[#out + 1] = reset
end
return out
