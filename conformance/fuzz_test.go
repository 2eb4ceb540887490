package conformance_test

import (
	"encoding/hex"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/timewait/timewait/conformance"
)

// FuzzDecode: Decode never panics, and whatever it accepts re-encodes to a
// datagram that decodes to the same segment.
//
//	go test ./conformance -run '^$' -fuzz FuzzDecode
func FuzzDecode(f *testing.F) {
	syn, _ := hex.DecodeString(kernelSYN)
	f.Add(syn)
	f.Add([]byte{})
	f.Add(syn[:20])
	for _, s := range []conformance.Segment{
		{Src: ap("10.0.0.2:40000"), Dst: ap("10.0.0.1:8080"), Flags: conformance.FIN | conformance.ACK, Seq: 1, Ack: 2, Window: 1},
		{Src: ap("10.0.0.1:8080"), Dst: ap("10.0.0.2:40000"), Flags: conformance.ACK | conformance.PSH, Payload: []byte("abc"),
			Options: conformance.Options{Other: []conformance.Option{{Kind: 5, Data: make([]byte, 8)}}}},
	} {
		b, err := s.Marshal()
		require.NoError(f, err)
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		seg, err := conformance.Decode(b)
		if err != nil {
			return
		}
		again, err := seg.Marshal()
		require.NoError(t, err, "a decoded segment must re-encode: %s", seg)
		back, err := conformance.Decode(again)
		require.NoError(t, err)
		require.Equal(t, seg, back)
		_ = seg.String()
	})
}
