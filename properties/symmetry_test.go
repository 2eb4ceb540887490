package properties_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/timewait/timewait/model"
	"github.com/timewait/timewait/properties"
)

// mirrorMismatch explores cfg breadth-first (up to limit states) and
// compares the predicates of ps on every state and transition with their
// answers on the mirror images. The images need not be reachable: symmetry
// is a property of the predicates alone. It returns, per property, how often
// the predicates answered false (a violation for Always, no witness for
// Sometimes) and true, and the first mismatch.
func mirrorMismatch(ps []properties.Property, cfg model.Config, limit int) (answers [][2]int, err error) {
	m, err := model.New(cfg)
	if err != nil {
		return nil, err
	}
	answers = make([][2]int, len(ps))
	count := func(i int, b bool) {
		if b {
			answers[i][1]++
		} else {
			answers[i][0]++
		}
	}
	init := m.Init()[0]
	seen := map[model.State]bool{init: true}
	queue := []model.State{init}
	for q := 0; q < len(queue) && q < limit && err == nil; q++ {
		s := queue[q]
		ms := model.Mirror(s)
		for i, p := range ps {
			if p.State == nil {
				continue
			}
			a, b := p.State(s), p.State(ms)
			count(i, a)
			if a != b {
				return answers, fmt.Errorf("%s: %v at %s, %v at its mirror", p.ID, a, s, b)
			}
		}
		m.Successors(s, func(l model.Label, n model.State) {
			if !seen[n] {
				seen[n] = true
				queue = append(queue, n)
			}
			ml, mn := model.MirrorLabel(l), model.Mirror(n)
			for i, p := range ps {
				if p.Step == nil || err != nil {
					continue
				}
				a, b := p.Step(s, l, n), p.Step(ms, ml, mn)
				count(i, a)
				if a != b {
					err = fmt.Errorf("%s: %v on %s from %s, %v on its mirror", p.ID, a, l, s, b)
				}
			}
		})
	}
	return answers, err
}

// TestCatalogueIsSymmetric checks the Symmetric claim of every catalogue
// property on the transitions of configurations where each is violated
// (or found) and where it is not: the default's two incarnations at short
// TIME-WAITs, B closing first, and each mutant. Each predicate must have
// answered both ways, so the comparison is not vacuous.
func TestCatalogueIsSymmetric(t *testing.T) {
	limit := 100000
	if testing.Short() {
		limit = 30000
	}
	var configs []model.Config
	for _, tw := range []int{0, 1, 2} {
		c := model.DefaultConfig()
		c.TW = tw
		configs = append(configs, c)
	}
	b := model.DefaultConfig()
	b.CloseOrder, b.TW = model.BThenA, 1
	configs = append(configs, b)
	for _, name := range model.Mutants() {
		c := model.DefaultConfig()
		c.Mutant, _ = model.ParseMutant(name)
		configs = append(configs, c)
	}
	ps := properties.All()
	total := make([][2]int, len(ps))
	for _, cfg := range configs {
		answers, err := mirrorMismatch(ps, cfg, limit)
		require.NoError(t, err)
		for i := range ps {
			total[i][0] += answers[i][0]
			total[i][1] += answers[i][1]
		}
	}
	for i, p := range ps {
		require.True(t, p.Symmetric, p.ID)
		require.Positive(t, total[i][0], "%s: never false", p.ID)
		require.Positive(t, total[i][1], "%s: never true", p.ID)
	}
}

// TestAsymmetricPropertyIsCaught: a predicate that names a side fails the
// comparison.
func TestAsymmetricPropertyIsCaught(t *testing.T) {
	p := properties.Property{ID: "a-never-in-time-wait", Kind: properties.Always,
		State: func(s model.State) bool { return s.Ends[model.A].St != model.TimeWait }}
	_, err := mirrorMismatch([]properties.Property{p}, model.DefaultConfig(), 1<<20)
	require.ErrorContains(t, err, "at its mirror")
}
