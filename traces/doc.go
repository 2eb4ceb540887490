// Package traces turns explorer paths into counterexamples people and
// programs can use: a versioned [Trace] (configuration, property, actions, and
// the states for readers), [Replay] that rebuilds every state by re-running the
// actions through the model, and [WriteTimeline], a plain-text timeline.
//
// Nothing is shown or written without being replayed once: [FromPath] replays
// what it builds.
//
// Import rule: traces imports model, checker and properties (to re-check a
// trace's property on replay), never verify or the CLI.
package traces
