package runtime

import (
	"net/netip"
	"sync/atomic"
)

// networkTextSlots is the number of networks a networkTexts remembers: a
// power of two. The slots cost 8 bytes each, plus 48 bytes and the text
// of each network held.
const networkTextSlots = 1024

// networkTexts remembers the text of recently seen IPv6 networks, so that
// a KeyFunc grouping addresses by network (IPv6Prefix,
// TrustedProxies.IPv6Prefix) hands out the same string for a network it
// saw recently instead of allocating one per request. A slot, chosen by a
// hash of the network, holds one network and its text; the next network
// that hashes there replaces it, so memory stays bounded however many
// networks pass. The zero value is ready to use; it is safe for concurrent
// use.
type networkTexts struct {
	slots [networkTextSlots]atomic.Pointer[networkText]
}

// networkText is one remembered network and its text.
type networkText struct {
	p    netip.Prefix
	text string
}

// text returns p's text ("2001:db8:1:2::/64"), remembered or made.
func (c *networkTexts) text(p netip.Prefix) string {
	a := p.Addr().As16()
	var h uint64
	for _, b := range a {
		h = (h ^ uint64(b)) * 0x100000001b3 // FNV-1a
	}
	h ^= uint64(p.Bits())
	slot := &c.slots[(h^h>>32)&(networkTextSlots-1)]
	if t := slot.Load(); t != nil && t.p == p {
		return t.text
	}
	var buf [50]byte // 45 bytes of address, "/", 3 digits
	t := &networkText{p: p, text: string(p.AppendTo(buf[:0]))}
	slot.Store(t)
	return t.text
}
