-- sliding window counter: a hash per limit, b the start of the current
-- bucket (buckets are aligned to multiples of the window since the epoch),
-- c its hits, p the hits of the bucket before.
local BIG = 9007199254740992 -- 2^53: doubles hold integers exactly below it

-- muldiv returns floor(a*b/c) and a*b mod c, exactly, for integers
-- 0 <= a, 0 <= b <= c < 2^52: directly when a*b < 2^53, else by binary
-- long multiplication.
local function muldiv(a, b, c)
	local m = a * b
	if m < BIG then
		local q = floor(m / c)
		local r = m - q * c
		if r < 0 then
			q, r = q - 1, r + c
		elseif r >= c then
			q, r = q + 1, r - c
		end
		return q, r
	end
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

local cnt, prev, starts, ttls, weighted, ws_, wn_, w_, same = {}, {}, {}, {}, {}, {}, {}, {}, {}
for i = 1, n do
	local j = 5 * i
	local key, a, ws, wn, c, r = KEYS[i], tonumber(ARGV[j]), tonumber(ARGV[j + 1]), tonumber(ARGV[j + 2]), tonumber(ARGV[j + 3]), tonumber(ARGV[j + 4])
	local w = ws * E9 + wn -- exact below 2^53 ns (104 days)
	ws_[i], wn_[i], w_[i] = ws, wn, w
	if r < 0 then -- now mod w, on the server's clock (whole microseconds)
		if wn % 1000 == 0 then
			local wu = w / 1000
			local _, m = muldiv(ns % wu, 1000000 % wu, wu)
			r = (m + nn / 1000) % wu * 1000
		else
			local _, m = muldiv(ns % w, E9 % w, w)
			r = (m + nn) % w
		end
	end
	local rs = floor(r / E9)
	local s, x = ns - rs, nn - (r - rs * E9)
	if x < 0 then
		s, x = s - 1, x + E9
	end
	local b = fmt('%011d%09d', s, x)
	local v = call('HMGET', key, 'b', 'c', 'p')
	local start, cur, p = v[1], tonumber(v[2]) or 0, tonumber(v[3]) or 0
	same[i] = start ~= nil and start ~= false
	if not start or (cur == 0 and p == 0) then
		start, cur, p = b, 0, 0
		same[i] = false
	elseif b > start then
		same[i] = false
		local ss, sx = tonumber(sub(start, 1, 11)) + ws, tonumber(sub(start, 12)) + wn
		if sx >= E9 then
			ss, sx = ss + 1, sx - E9
		end
		if fmt('%011d%09d', ss, sx) == b then
			start, cur, p = b, 0, cur
		else
			start, cur, p = b, 0, 0
		end
	end -- else a caller whose clock is behind counts in the current bucket
	local t = w
	if start == b then
		t = w - r
	end
	local k = 0
	if p > 0 then
		k = muldiv(p, t, w)
	end
	cnt[i], prev[i], starts[i], ttls[i], weighted[i] = cur, p, start, t, k
	admit(i, c <= a and k + cur <= a - c)
end
local charge = settle()
for i = 1, n do
	local j = 5 * i
	local key, a, c = KEYS[i], tonumber(ARGV[j]), tonumber(ARGV[j + 3])
	local cur, p, k, t = cnt[i], prev[i], weighted[i], ttls[i]
	if c > 0 and charge ~= 0 then
		cur = cur + charge * c
		if cur < 0 then
			cur = 0
		end
		if same[i] then
			call('HINCRBY', key, 'c', charge * c) -- the stored bucket is current
		else
			call('HSET', key, 'b', starts[i], 'c', cur, 'p', p)
			-- live until the end of the next bucket: 2 windows from its start
			call('PEXPIRE', key, floor((2 * w_[i] - (w_[i] - t)) / 1000000) + 1 + slack)
		end
	end
	local used, reset = k + cur, 0
	if p > 0 or cur > 0 then
		local d = t
		if k > 0 then
			-- the first t' with p*t' < k*w is ceil(k*w/p)-1
			local q, rr = muldiv(w_[i], k, p)
			if rr > 0 then
				q = q + 1
			end
			d = t - q + 1
		end
		reset = d -- nanoseconds after now
	end
	out[3 * i + 1] = ok[i] and 1 or 0
	out[3 * i + 2] = used < a and a - used or 0
	out[3 * i + 3] = reset
end
return out
