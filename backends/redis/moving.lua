-- moving window: a list per limit of hit instants, newest first. Hits that
-- left the window (instant <= now - window) sit at the tail; they are
-- trimmed lazily, a few at a time, so the steady state reads the tail once
-- (LRANGE of the last M entries, which also gives the count when the list
-- is short), pushes and renews the expiry: no per-hit pop loop.
local M = 10 -- entries read from the tail per call
local now = fmt('%011d%09d', ns, nn)
local cnt, tails, dead = {}, {}, {}
for i = 1, n do
	local j = 4 * i + 1
	local key, a, c = KEYS[i], tonumber(ARGV[j]), tonumber(ARGV[j + 3])
	local s, x = ns - tonumber(ARGV[j + 1]), nn - tonumber(ARGV[j + 2])
	if x < 0 then
		s, x = s - 1, x + E9
	end
	local edge = ''
	if s >= 0 then
		edge = fmt('%011d%09d', s, x)
	end
	local chunk = call('LRANGE', key, -M, -1)
	local m, e = #chunk, 0
	while e < m and chunk[m - e] <= edge do
		e = e + 1
	end
	while e == M do -- the whole chunk left the window, and maybe more
		call('LTRIM', key, 0, -M - 1)
		chunk = call('LRANGE', key, -M, -1)
		m, e = #chunk, 0
		while e < m and chunk[m - e] <= edge do
			e = e + 1
		end
	end
	local k, t = 0, nil
	if e < m then
		t = chunk[m - e]
		if m < M then
			k = m - e
		else
			k = call('LLEN', key) - e
		end
	end
	if e > 0 and op ~= 't' and (e >= 4 or k == 0) then
		if k == 0 then
			call('DEL', key)
		else
			call('LTRIM', key, 0, -e - 1)
		end
		e = 0
	end
	cnt[i], tails[i], dead[i] = k, t, e
	admit(i, c <= a and k <= a - c)
end
local charge = settle()
for i = 1, n do
	local j = 4 * i + 1
	local key, a, c = KEYS[i], tonumber(ARGV[j]), tonumber(ARGV[j + 3])
	local ws, wn = tonumber(ARGV[j + 1]), tonumber(ARGV[j + 2])
	local k, t = cnt[i], tails[i]
	if c > 0 and charge == 1 then
		local batch, l = {}, 0
		for x = 1, c do
			batch[#batch + 1] = now
			if #batch == 1000 or x == c then
				l = call('LPUSH', key, unpack(batch))
				batch = {}
			end
		end
		call('PEXPIRE', key, ws * 1000 + floor(wn / 1000000) + 1 + slack)
		k = l - dead[i]
		t = t or now
	elseif c > 0 and charge == -1 then
		k = k - call('LREM', key, c, now)
		t = nil
		if k > 0 then
			t = call('LINDEX', key, -dead[i] - 1)
		end
	end
	local reset = now
	if k > 0 and t then
		local s, x = tonumber(sub(t, 1, 11)) + ws, tonumber(sub(t, 12)) + wn
		if x >= E9 then
			s, x = s + 1, x - E9
		end
		reset = fmt('%011d%09d', s, x)
	end
	out[3 * i + 1] = ok[i] and 1 or 0
	out[3 * i + 2] = k < a and a - k or 0
	out[3 * i + 3] = reset
end
return out
