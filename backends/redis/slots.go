package redis

import "github.com/limitgen/limitgen/backends"

// slotGroups splits the limits of a request by hash tag, in order of first
// appearance: keys with equal tags share a cluster slot and can be decided
// in one script call. The result holds indexes into limits.
func slotGroups(limits []backends.Limit) [][]int {
	first := backends.HashTag(limits[0].Key)
	same := true
	for i := 1; i < len(limits); i++ {
		if backends.HashTag(limits[i].Key) != first {
			same = false
			break
		}
	}
	if same {
		return [][]int{indexes(len(limits))}
	}
	var groups [][]int
	pos := map[string]int{}
	for i := range limits {
		tag := backends.HashTag(limits[i].Key)
		g, ok := pos[tag]
		if !ok {
			g = len(groups)
			pos[tag] = g
			groups = append(groups, nil)
		}
		groups[g] = append(groups[g], i)
	}
	return groups
}

func indexes(n int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = i
	}
	return s
}
