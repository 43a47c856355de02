-- fixed window: a hash per limit, c hits in the window, e its end (the
-- first hit's instant + window).
local now = fmt('%011d%09d', ns, nn)
local cnt, ends, fresh = {}, {}, {}
for i = 1, n do
	local j = 4 * i + 1
	local a, c = tonumber(ARGV[j]), tonumber(ARGV[j + 3])
	local v = call('HMGET', KEYS[i], 'c', 'e')
	local k, e = tonumber(v[1]) or 0, v[2]
	if k == 0 or not e or e <= now then
		k, fresh[i] = 0, true
	end
	cnt[i], ends[i] = k, e
	admit(i, c <= a and k <= a - c)
end
local charge = settle()
for i = 1, n do
	local j = 4 * i + 1
	local key, a, c = KEYS[i], tonumber(ARGV[j]), tonumber(ARGV[j + 3])
	local k, e = cnt[i], ends[i]
	if c > 0 and charge == 1 then
		if fresh[i] then
			local ws, wn = tonumber(ARGV[j + 1]), tonumber(ARGV[j + 2])
			local s, x = ns + ws, nn + wn
			if x >= E9 then
				s, x = s + 1, x - E9
			end
			e = fmt('%011d%09d', s, x)
			call('HSET', key, 'c', c, 'e', e)
			call('PEXPIRE', key, ws * 1000 + floor(wn / 1000000) + 1 + slack)
		else
			call('HINCRBY', key, 'c', c)
		end
		k = k + c
	elseif c > 0 and charge == -1 and not fresh[i] then
		k = call('HINCRBY', key, 'c', -c)
	end
	out[3 * i + 1] = ok[i] and 1 or 0
	out[3 * i + 2] = k < a and a - k or 0
	out[3 * i + 3] = k > 0 and e or now
end
return out
