package mongodb

import "github.com/limitgen/limitgen/backends"

// encode returns the stable encoding of st (package backends), as stored
// in an entry's B field.
func encode(st *backends.WindowState) []byte {
	b, _ := st.AppendBinary(nil)
	return b
}
