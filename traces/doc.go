// Package traces turns explorer paths into counterexamples people and
// programs can use.
//
//   - Data: a versioned, self-describing [Trace] (format, variant, property,
//     kind, search, fault set, the full configuration, the actions, and the
//     states and labels for readers), written by [Encode] and read from
//     untrusted input by [Decode] (docs/trace-format.md).
//   - Replay: [Replay] rebuilds every state by re-running the actions through
//     the model; [Verify] also re-checks the property ([Evaluate]). Nothing
//     is shown or written without being replayed once: [FromPath] replays
//     what it builds.
//   - Better counterexamples: [Faults] counts and words a run's faults (drops,
//     duplications, inversions of send order); [Readable] regroups steps by
//     endpoint where that provably changes nothing. (The fewest-faults search
//     itself is verify.FewestFaults.)
//   - Renderings, each behind an io.Writer and deterministic:
//     [WriteTimeline], [WriteLadder], [WriteMermaid], [WriteSVG], [WriteHTML],
//     [WriteDOT] and [WriteDOTPath]; exports [WriteITF] (checked by
//     [ValidateITF]), [WritePcap] and [WritePacketdrill]. [Flights] and
//     [Times] are the run's copies and clock that renderings share.
//
// Import rule: traces imports model, checker, properties (to re-check a
// trace's property on replay) and variants (to check a trace's variant),
// never verify or the CLI.
package traces
