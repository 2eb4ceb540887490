package conformance

import (
	"encoding/binary"
	"fmt"
	"strings"
)

// TCP option kinds this package reads into named fields (RFC 9293 §3.2,
// RFC 7323, RFC 2018).
const (
	optEOL       = 0
	optNOP       = 1
	optMSS       = 2
	optWScale    = 3
	optSACKPerm  = 4
	optTimestamp = 8
	maxOptions   = 40 // the TCP header's option space: 60 − 20 octets
)

// Option is a TCP option this package has no named field for, kept verbatim
// so that decoding and encoding round-trip.
type Option struct {
	Kind uint8  `json:"kind"`
	Data []byte `json:"data,omitempty"` // the octets after kind and length
}

// Options are a segment's TCP options. The zero value is no options.
type Options struct {
	HasMSS        bool     `json:"has_mss,omitempty"`
	MSS           uint16   `json:"mss,omitempty"` // maximum segment size (kind 2)
	HasWScale     bool     `json:"has_wscale,omitempty"`
	WScale        uint8    `json:"wscale,omitempty"`         // window scale shift (kind 3, RFC 7323)
	SACKPermitted bool     `json:"sack_permitted,omitempty"` // kind 4, RFC 2018
	HasTimestamps bool     `json:"has_timestamps,omitempty"`
	TSVal         uint32   `json:"tsval,omitempty"` // timestamps (kind 8, RFC 7323)
	TSEcr         uint32   `json:"tsecr,omitempty"`
	Other         []Option `json:"other,omitempty"` // every other option, in order (SACK blocks among them)
}

// String lists the options as packetdrill does, "<mss 1460,sackOK,TS val 1
// ecr 0,nop,wscale 7>", or "" when there are none.
func (o Options) String() string {
	var parts []string
	if o.HasMSS {
		parts = append(parts, fmt.Sprintf("mss %d", o.MSS))
	}
	if o.SACKPermitted {
		parts = append(parts, "sackOK")
	}
	if o.HasTimestamps {
		parts = append(parts, fmt.Sprintf("TS val %d ecr %d", o.TSVal, o.TSEcr))
	}
	if o.HasWScale {
		parts = append(parts, fmt.Sprintf("wscale %d", o.WScale))
	}
	for _, x := range o.Other {
		parts = append(parts, fmt.Sprintf("opt%d %x", x.Kind, x.Data))
	}
	if len(parts) == 0 {
		return ""
	}
	return "<" + strings.Join(parts, ",") + ">"
}

// encode appends the options, padded with EOL octets to a multiple of four.
func (o Options) encode(b []byte) ([]byte, error) {
	start := len(b)
	if o.HasMSS {
		b = append(b, optMSS, 4, byte(o.MSS>>8), byte(o.MSS))
	}
	if o.SACKPermitted {
		b = append(b, optSACKPerm, 2)
	}
	if o.HasTimestamps {
		b = append(b, optTimestamp, 10)
		b = binary.BigEndian.AppendUint32(b, o.TSVal)
		b = binary.BigEndian.AppendUint32(b, o.TSEcr)
	}
	if o.HasWScale {
		b = append(b, optWScale, 3, o.WScale)
	}
	for _, x := range o.Other {
		switch x.Kind {
		case optEOL, optNOP, optMSS, optWScale, optSACKPerm, optTimestamp:
			return nil, fmt.Errorf("option kind %d has a named field; it cannot be an Other option", x.Kind)
		}
		if len(x.Data) > maxOptions-2 {
			return nil, fmt.Errorf("option kind %d: %d data octets do not fit", x.Kind, len(x.Data))
		}
		b = append(b, x.Kind, byte(2+len(x.Data)))
		b = append(b, x.Data...)
	}
	for (len(b)-start)%4 != 0 {
		b = append(b, optEOL)
	}
	if n := len(b) - start; n > maxOptions {
		return nil, fmt.Errorf("TCP options take %d octets, more than the %d the header has room for", n, maxOptions)
	}
	return b, nil
}

// decodeOptions reads the option octets of a TCP header. It rejects
// malformed or truncated options and a named option given twice, so that a
// decoded segment re-encodes to the same options.
func decodeOptions(b []byte) (Options, error) {
	var o Options
	for i := 0; i < len(b); {
		kind := b[i]
		if kind == optEOL {
			break
		}
		if kind == optNOP {
			i++
			continue
		}
		if i+1 >= len(b) {
			return Options{}, fmt.Errorf("TCP option kind %d at offset %d has no length octet", kind, i)
		}
		n := int(b[i+1])
		if n < 2 || i+n > len(b) {
			return Options{}, fmt.Errorf("TCP option kind %d at offset %d has bad length %d (%d octets left)", kind, i, n, len(b)-i)
		}
		data := b[i+2 : i+n]
		dup := func(has bool, name string) error {
			if has {
				return fmt.Errorf("TCP option %s given twice", name)
			}
			return nil
		}
		if want := optionLen(kind); want != 0 && n != want {
			return Options{}, fmt.Errorf("TCP option kind %d has length %d, want %d", kind, n, want)
		}
		switch kind {
		case optMSS:
			if err := dup(o.HasMSS, "MSS"); err != nil {
				return Options{}, err
			}
			o.HasMSS, o.MSS = true, binary.BigEndian.Uint16(data)
		case optWScale:
			if err := dup(o.HasWScale, "window scale"); err != nil {
				return Options{}, err
			}
			o.HasWScale, o.WScale = true, data[0]
		case optSACKPerm:
			if err := dup(o.SACKPermitted, "SACK-permitted"); err != nil {
				return Options{}, err
			}
			o.SACKPermitted = true
		case optTimestamp:
			if err := dup(o.HasTimestamps, "timestamps"); err != nil {
				return Options{}, err
			}
			o.HasTimestamps = true
			o.TSVal, o.TSEcr = binary.BigEndian.Uint32(data), binary.BigEndian.Uint32(data[4:])
		default:
			o.Other = append(o.Other, Option{Kind: kind, Data: append([]byte(nil), data...)})
		}
		i += n
	}
	return o, nil
}

// optionLen is the fixed length of an option this package names, 0 for others.
func optionLen(kind uint8) int {
	switch kind {
	case optMSS:
		return 4
	case optWScale:
		return 3
	case optSACKPerm:
		return 2
	case optTimestamp:
		return 10
	}
	return 0
}
