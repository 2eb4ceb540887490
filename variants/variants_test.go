package variants_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/timewait/timewait/model"
	"github.com/timewait/timewait/variants"
)

// TestCatalogue: names are unique kebab-case, every variant documents its
// source and the fields it sets, applying it is idempotent and yields a valid
// configuration, and Holds tells its configurations from the default.
func TestCatalogue(t *testing.T) {
	seen := map[string]bool{}
	base := model.DefaultConfig()
	for _, v := range variants.All() {
		require.False(t, seen[v.Name], "duplicate %s", v.Name)
		seen[v.Name] = true
		require.Regexp(t, `^[a-z0-9]+(-[a-z0-9]+)*$`, v.Name)
		require.NotEmpty(t, v.Title, v.Name)
		require.NotEmpty(t, v.Source, v.Name)
		require.NotEmpty(t, v.Doc, v.Name)
		require.NotEmpty(t, v.Sets, v.Name)
		c := v.Apply(base)
		require.NoError(t, c.Validate(), v.Name)
		require.Equal(t, c, v.Apply(c), "%s: applying twice changes nothing", v.Name)
		require.True(t, v.Holds(c), v.Name)
		if v.Name != variants.Default {
			require.False(t, v.Holds(base), "%s must differ from the default rules", v.Name)
		}
		got, err := variants.Lookup(v.Name)
		require.NoError(t, err)
		require.Equal(t, v.Name, got.Name)
	}
	def, ok := variants.ByName(variants.Default)
	require.True(t, ok)
	require.True(t, def.Holds(base), "the default variant is the default configuration's rules")
	_, err := variants.Lookup("bsd-4.4")
	require.ErrorContains(t, err, "unknown variant")
	require.Equal(t, len(variants.All()), len(variants.Names()))
}
