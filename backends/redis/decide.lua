-- limitgen: decide every limit of one request in one call, all-or-nothing.
--
-- KEYS[i]  counter of limit i (every key of a call shares one hash slot)
-- ARGV[1]  operation: "h" hit, "t" test (peek), "r" refund a hit made at ARGV[3]
-- ARGV[2]  strategy: "f" fixed window, "m" moving window, "s" sliding window counter
-- ARGV[3]  decision instant in microseconds since the Unix epoch, or "-1" to
--          read the server's clock (TIME)
-- ARGV[4]  extra lifetime of keys in milliseconds, beyond what the window needs
-- ARGV[5+3(i-1)..]  amount, window (microseconds), cost of limit i
--
-- Reply: {allowed, now, allowed_1, remaining_1, reset_1, ...}; resets in
-- microseconds since the epoch. Every number stays below 2^53, so Lua's
-- doubles hold it exactly.
local op, strategy = ARGV[1], ARGV[2]
local now = tonumber(ARGV[3])
if now < 0 then
	local t = redis.call('TIME')
	now = tonumber(t[1]) * 1000000 + tonumber(t[2])
end
local slack = tonumber(ARGV[4])
local n = #KEYS
local floor = math.floor
local call = redis.call

local amount, window, cost = {}, {}, {}
-- per-limit state read in the first pass and written in the second
local count, stamp, prev, fresh = {}, {}, {}, {}
local ok, all = {}, true

local function ttl(i, windows)
	return floor((window[i] * windows + 999) / 1000) + slack
end

for i = 1, n do
	local a, w, c = tonumber(ARGV[3 * i + 2]), tonumber(ARGV[3 * i + 3]), tonumber(ARGV[3 * i + 4])
	amount[i], window[i], cost[i] = a, w, c
	local key = KEYS[i]
	if strategy == 'f' then
		-- c: hits in the window, e: end of the window (start + window)
		local v = call('HMGET', key, 'c', 'e')
		local cnt, e = tonumber(v[1]) or 0, tonumber(v[2]) or 0
		if e <= now then
			cnt, e, fresh[i] = 0, now + w, true
		end
		count[i], stamp[i] = cnt, e
		ok[i] = cnt + c <= a
	elseif strategy == 'm' then
		-- list of hit instants, newest first, at most amount long; count the
		-- leading entries still inside (now - window, now]
		local lo, hi = 0, call('LLEN', key)
		local edge = now - w
		while lo < hi do
			local mid = floor((lo + hi) / 2)
			if tonumber(call('LINDEX', key, mid)) > edge then
				lo = mid + 1
			else
				hi = mid
			end
		end
		count[i] = lo
		ok[i] = lo + c <= a
	else
		-- window-aligned buckets: b index of the current bucket, c its hits,
		-- p the hits of bucket b-1
		local idx = floor(now / w)
		if idx * w > now then
			idx = idx - 1
		elseif (idx + 1) * w <= now then
			idx = idx + 1
		end
		local v = call('HMGET', key, 'b', 'c', 'p')
		local b, cur, p = tonumber(v[1]), tonumber(v[2]) or 0, tonumber(v[3]) or 0
		if b == nil or b < idx - 1 then
			cur, p = 0, 0
		elseif b == idx - 1 then
			cur, p = 0, cur
		elseif b > idx then
			-- another caller's clock is ahead: keep its buckets, never forget hits
			idx = b
		end
		local r = (idx + 1) * w - now -- time left in the current bucket
		if r > w then
			r = w
		end
		local pw = floor(p * r / w)
		count[i], prev[i], stamp[i] = cur, p, idx
		fresh[i] = pw -- weighted previous count
		ok[i] = pw + cur + c <= a
	end
	if c > a then
		ok[i] = false
	end
	if not ok[i] then
		all = false
	end
end

if op == 'r' then
	all = true
end
local charge = (op == 'h' and all) and 1 or ((op == 'r') and -1 or 0)

local out = { all and 1 or 0, now }
for i = 1, n do
	local key, a, w, c = KEYS[i], amount[i], window[i], cost[i]
	local used, reset
	if strategy == 'f' then
		local cnt, e = count[i], stamp[i]
		if charge == 1 and c > 0 then
			if fresh[i] then
				call('HSET', key, 'c', c, 'e', e)
				call('PEXPIRE', key, ttl(i, 1))
			else
				call('HINCRBY', key, 'c', c)
			end
			cnt = cnt + c
		elseif charge == -1 and c > 0 and not fresh[i] then
			call('HINCRBY', key, 'c', -c)
			cnt = cnt - c
		end
		used = cnt
		reset = (cnt > 0) and e or now
	elseif strategy == 'm' then
		local cnt = count[i]
		if charge == 1 and c > 0 then
			for j = 1, c, 1000 do
				local batch = {}
				for k = j, math.min(j + 999, c) do
					batch[#batch + 1] = now
				end
				call('LPUSH', key, unpack(batch))
			end
			call('LTRIM', key, 0, a - 1)
			call('PEXPIRE', key, ttl(i, 1))
			cnt = cnt + c
		elseif charge == -1 and c > 0 then
			cnt = cnt - call('LREM', key, c, now)
		end
		used = cnt
		if cnt > 0 then
			reset = tonumber(call('LINDEX', key, cnt - 1)) + w
		else
			reset = now
		end
	else
		local cur, p, idx, pw = count[i], prev[i], stamp[i], fresh[i]
		if (charge == 1 or charge == -1) and c > 0 then
			cur = cur + charge * c
			if cur < 0 then
				cur = 0
			end
			call('HSET', key, 'b', idx, 'c', cur, 'p', p)
			call('PEXPIRE', key, ttl(i, 2))
		end
		used = pw + cur
		local r = (idx + 1) * w - now
		if r > w then
			r = w
		end
		if pw > 0 then
			-- the weighted previous count drops by one once p*r'/w < pw
			reset = now + floor(r - pw * w / p) + 1
		elseif cur > 0 then
			-- the current bucket starts to fade once it becomes the previous one
			reset = now + r + floor(w / cur)
		else
			reset = now
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
