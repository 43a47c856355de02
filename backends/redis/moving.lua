-- moving window: a list per limit of hit instants, newest first. Hits that
-- left the window (instant <= now - window) are popped from the tail, so
-- the list holds exactly the hits in the window and its length is the count.
local now = fmt('%011d%09d', ns, nn)
local cnt, tails = {}, {}
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
	local t = call('LINDEX', key, -1)
	while t and t <= edge do
		call('RPOP', key)
		t = call('LINDEX', key, -1)
	end
	local k = 0
	if t then
		k = call('LLEN', key)
	end
	cnt[i], tails[i] = k, t
	local fits = c <= a and k <= a - c
	ok[i] = fits
	if not fits then
		all = false
	end
end
local charge = 0
if op == 'h' and all then
	charge = 1
elseif op == 'r' then
	charge, all = -1, true
end
out[1] = all and 1 or 0
for i = 1, n do
	local j = 4 * i + 1
	local key, a, c = KEYS[i], tonumber(ARGV[j]), tonumber(ARGV[j + 3])
	local ws, wn = tonumber(ARGV[j + 1]), tonumber(ARGV[j + 2])
	local k, t = cnt[i], tails[i]
	if c > 0 and charge == 1 then
		local batch = {}
		for x = 1, c do
			batch[#batch + 1] = now
			if #batch == 1000 or x == c then
				call('LPUSH', key, unpack(batch))
				batch = {}
			end
		end
		call('PEXPIRE', key, ws * 1000 + floor(wn / 1000000) + 1 + slack)
		k = k + c
		t = t or now
	elseif c > 0 and charge == -1 then
		k = k - call('LREM', key, c, now)
		t = call('LINDEX', key, -1)
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
