package conformance_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/timewait/timewait/conformance"
)

func TestParseExpr(t *testing.T) {
	cases := []struct {
		text string
		want conformance.Expr
		err  string
	}{
		{"0", conformance.Expr{}, ""},
		{"4294967295", conformance.Expr{Off: 4294967295}, ""},
		{"k", conformance.Expr{Var: "k"}, ""},
		{"k+1", conformance.Expr{Var: "k", Off: 1}, ""},
		{"p-1", conformance.Expr{Var: "p", Off: -1}, ""},
		{"k2+65537", conformance.Expr{Var: "k2", Off: 65537}, ""},
		{"new_isn-4294967295", conformance.Expr{Var: "new_isn", Off: -4294967295}, ""},
		{"", conformance.Expr{}, "empty number"},
		{"4294967296", conformance.Expr{}, "below 2^32"},
		{"-1", conformance.Expr{}, "variable name"},
		{"K", conformance.Expr{}, "lower-case"},
		{"k+", conformance.Expr{}, "bad offset"},
		{"k+-1", conformance.Expr{}, "bad offset"},
		{"k+4294967296", conformance.Expr{}, "bad offset"},
		{"k*2", conformance.Expr{}, "variable name"},
		{"averyveryverylongname", conformance.Expr{}, "1 to 16 characters"},
	}
	for _, c := range cases {
		got, err := conformance.ParseExpr(c.text)
		if c.err != "" {
			require.ErrorContains(t, err, c.err, c.text)
			continue
		}
		require.NoError(t, err, c.text)
		require.Equal(t, c.want, got, c.text)
		require.Equal(t, c.text, got.String(), "String round-trips")
	}
}

func TestExprEval(t *testing.T) {
	b := conformance.Bindings{"k": 4294967295, "p": 10}
	cases := []struct {
		text string
		want uint32
		ok   bool
	}{
		{"k+1", 0, true}, // wraps modulo 2^32
		{"p-11", 4294967295, true},
		{"77", 77, true},
		{"q", 0, false},
	}
	for _, c := range cases {
		e, err := conformance.ParseExpr(c.text)
		require.NoError(t, err)
		got, ok := e.Eval(b)
		require.Equal(t, c.ok, ok, c.text)
		require.Equal(t, c.want, got, c.text)
	}
}

func TestBindingsDescribe(t *testing.T) {
	b := conformance.Bindings{"k": 4294967290, "p": 1000000}
	cases := []struct {
		n    uint32
		want string
	}{
		{4294967290, "k"},
		{3, "k+9"}, // across the wrap
		{999999, "p-1"},
		{1065537, "p+65537"},
		{500000000, "500000000"},         // nowhere near a variable
		{1000000 + 1<<17 + 1, "1131073"}, // just out of range
	}
	for _, c := range cases {
		require.Equal(t, c.want, b.Describe(c.n), c.n)
	}
	require.Equal(t, "7", conformance.Bindings{}.Describe(7))
	require.Equal(t, "0", conformance.Bindings{"k": 1}.Describe(0), "0 is always absolute")
	// A tie goes to the first name.
	require.Equal(t, "a+5", conformance.Bindings{"b": 10, "a": 0}.Describe(5))
	require.Equal(t, "k=4294967290 p=1000000", b.String())
}
