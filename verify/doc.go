// Package verify runs timewait's properties against the model with the
// explorer: one configuration ([Check]) or a sweep over TIME-WAIT lengths
// that finds each property's threshold ([Sweep]). It is the layer the CLI and
// the tests share, so that both report the same thing.
//
// It owns the adapter from properties to the generic checker, the built-in
// model-soundness checks (no network overflow, no deadlock or time-lock), and
// the threshold rule of the sweep.
//
// Import rule: verify imports model, checker and properties, never traces or
// the CLI.
package verify
