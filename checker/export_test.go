package checker

// WithBatch returns o with batches of n chunks (0: the default), so that
// the tests' small graphs have levels that span several batches.
func WithBatch(o Options, n int) Options {
	o.batch = n
	return o
}

// WithFamilyBlock returns o with level blocks of n items (0: the default),
// so that the tests' small graphs have levels that span several blocks.
func WithFamilyBlock(o FamilyOptions, n int) FamilyOptions {
	o.block = n
	return o
}

// WithAudit returns o with the memory audit hook set: f is called at the
// end of every batch's merge with the memory the bound counted and a
// recount of what the search held (see Options.audit).
func WithAudit(o Options, f func(counted, recount int64)) Options {
	o.audit = f
	return o
}

// WithPackLevel returns o with PackLevel n. With force, levels are packed
// whatever the state's size and the savings, so that the tests' graphs of
// uint64 states exercise packed levels.
func WithPackLevel(o Options, n int, force bool) Options {
	o.PackLevel, o.packForce = n, force
	return o
}

// WithFamilyAudit returns o with the family search's memory audit hook set:
// f is called after every batch with the memory the bounds counted and a
// recount of what the search held (see FamilyOptions.audit).
func WithFamilyAudit(o FamilyOptions, f func(counted, recount int64)) FamilyOptions {
	o.audit = f
	return o
}
