package conformance

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// Expr is a 32-bit sequence or acknowledgment number written symbolically:
// a variable plus a signed offset ("k", "k+1", "p-1"), or, with Var empty, an
// absolute number ("5000"). Variables stand for initial sequence numbers:
// by convention k is the kernel's, bound from the kernel's first segment,
// and p the peer's, fixed by the script. Arithmetic is modulo 2³² (RFC 9293
// §3.4).
type Expr struct {
	Var string // "" for an absolute number
	Off int64  // the offset from Var, or the absolute number (0 ≤ Off < 2³²)
}

// maxVarLen bounds a variable's name.
const maxVarLen = 16

// ParseExpr reads an [Expr]: a decimal number below 2³², or a variable name
// (a lower-case letter, then lower-case letters, digits or '_', at most 16
// characters) optionally followed by "+N" or "-N" with N below 2³².
func ParseExpr(s string) (Expr, error) {
	if s == "" {
		return Expr{}, fmt.Errorf("empty number")
	}
	if s[0] >= '0' && s[0] <= '9' {
		n, err := strconv.ParseUint(s, 10, 32)
		if err != nil {
			return Expr{}, fmt.Errorf("bad number %q: want a decimal below 2^32 or a variable such as k+1", s)
		}
		return Expr{Off: int64(n)}, nil
	}
	name, rest := s, ""
	if i := strings.IndexAny(s, "+-"); i >= 0 {
		name, rest = s[:i], s[i:]
	}
	if err := checkVarName(name); err != nil {
		return Expr{}, fmt.Errorf("bad number %q: %v", s, err)
	}
	e := Expr{Var: name}
	if rest != "" {
		n, err := strconv.ParseUint(rest[1:], 10, 32)
		if err != nil {
			return Expr{}, fmt.Errorf("bad offset in %q: want +N or -N with N a decimal below 2^32", s)
		}
		e.Off = int64(n)
		if rest[0] == '-' {
			e.Off = -e.Off
		}
	}
	return e, nil
}

// checkVarName says why name is not a variable name, or nil.
func checkVarName(name string) error {
	if name == "" || len(name) > maxVarLen {
		return fmt.Errorf("variable name must have 1 to %d characters", maxVarLen)
	}
	for i, c := range name {
		ok := c >= 'a' && c <= 'z' || i > 0 && (c >= '0' && c <= '9' || c == '_')
		if !ok {
			return fmt.Errorf("variable name %q: use a lower-case letter, then lower-case letters, digits or _", name)
		}
	}
	return nil
}

// String prints the expression as [ParseExpr] reads it.
func (e Expr) String() string {
	switch {
	case e.Var == "":
		return strconv.FormatInt(e.Off, 10)
	case e.Off > 0:
		return e.Var + "+" + strconv.FormatInt(e.Off, 10)
	case e.Off < 0:
		return e.Var + strconv.FormatInt(e.Off, 10)
	}
	return e.Var
}

// Bindings give the variables their values: the script binds the peer's, a
// matched kernel segment binds the rest.
type Bindings map[string]uint32

// clone returns a copy that can be extended without changing b.
func (b Bindings) clone() Bindings {
	c := make(Bindings, len(b)+1)
	for k, v := range b {
		c[k] = v
	}
	return c
}

// Eval gives the expression's value, or false when its variable is unbound.
func (e Expr) Eval(b Bindings) (uint32, bool) {
	if e.Var == "" {
		return uint32(e.Off), true
	}
	v, ok := b[e.Var]
	if !ok {
		return 0, false
	}
	return v + uint32(e.Off), true
}

// unify reports whether the expression can equal v under b. When its
// variable is unbound it binds it (in b, which the caller owns) so that it
// does.
func (e Expr) unify(v uint32, b Bindings) bool {
	if x, ok := e.Eval(b); ok {
		return x == v
	}
	b[e.Var] = v - uint32(e.Off)
	return true
}

// relativeRange is how far from a bound variable a number may be for
// [Bindings.Describe] to write it relative to that variable.
const relativeRange = 1 << 17

// Describe writes n relative to the nearest bound variable ("k+2"), or as an
// absolute number when none is within 2¹⁷ of it, and always for 0 (the
// sequence number of an RST|ACK from a closed port). Ties go to the
// alphabetically first variable, so the result is deterministic.
func (b Bindings) Describe(n uint32) string {
	if n == 0 {
		return "0"
	}
	names := make([]string, 0, len(b))
	for k := range b {
		names = append(names, k)
	}
	sort.Strings(names)
	best, bestAbs := Expr{Off: int64(n)}, int64(relativeRange)+1
	for _, name := range names {
		off := int64(int32(n - b[name]))
		abs := off
		if abs < 0 {
			abs = -abs
		}
		if abs < bestAbs {
			best, bestAbs = Expr{Var: name, Off: off}, abs
		}
	}
	return best.String()
}

// String lists the bindings in name order: "k=12345 p=1000000".
func (b Bindings) String() string {
	names := make([]string, 0, len(b))
	for k := range b {
		names = append(names, k)
	}
	sort.Strings(names)
	parts := make([]string, len(names))
	for i, name := range names {
		parts[i] = fmt.Sprintf("%s=%d", name, b[name])
	}
	return strings.Join(parts, " ")
}
