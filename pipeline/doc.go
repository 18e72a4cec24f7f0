// Package pipeline runs typed stages connected by bounded buffers: read from
// a queue, parse, enrich with many calls at once, batch, store. Each stage
// runs at its own concurrency, the buffers give backpressure, and the
// slowest stage sets the pace of the others.
//
// # Declaring and running
//
// Go has no generic methods, so stages are declared with ordinary
// functions, each taking the stage it reads and returning the stage it
// produces:
//
//	p := pipeline.New()
//	lines := pipeline.FromSlice(p, input)                         // or FromSeq, FromChan, Generate
//	nums := pipeline.Map(lines, parse)                            // func(ctx, T) (U, error)
//	rich := pipeline.Map(nums, enrich, pipeline.Workers(16), pipeline.Ordered())
//	batches := pipeline.Batch(rich, 100, time.Second)
//	pipeline.ForEach(batches, store)
//	err := p.Run(ctx)
//
// One call runs the whole pipeline and waits for it: Run (for pipelines
// that end in ForEach), or the consuming calls Collect, Reduce and All,
// which end the pipeline themselves. A pipeline runs once.
//
// # Stopping
//
// The first error returned by a stage function cancels every stage and is
// the error Run returns; ctx's cancellation does the same. A panic in a
// stage cancels every stage too and is raised again in the goroutine that
// called Run (or ranges over All) as a *tandem.PanicError with the stack of
// the stage that panicked (every panic of the run is kept, in Others). A
// stage that calls runtime.Goexit fails the run with tandem.ErrGoexit.
//
// Run returns only after every goroutine of the pipeline has exited. It
// does not read the rest of the input: sources stop taking items, blocked
// stages leave at once, and the work done upstream after the stop is bounded
// by the buffers. Precisely, a stage with w workers runs ahead of a
// consumer with r workers by at most its Buffer b, plus min(b, 128) items per
// worker on each side (one item each side when r > 1), plus its items in
// flight (one per worker, two per worker when Ordered):
// b + min(b,128)*(w+r) + w for an unordered stage. Items that were not finished
// are counted as Dropped or Unread in Stats; nothing is drained.
//
// Two ways to stop from outside:
//   - Hard: cancel ctx. Items in flight see a cancelled context; items not
//     started are never started.
//   - Graceful: Pipeline.Stop(grace). Sources stop taking input (Generate's
//     context is cancelled), everything already taken flows through to the
//     sinks, and Run returns nil. If that takes longer than grace, the stop
//     becomes a hard cancel and Run returns ErrStopTimeout. A queue consumer
//     so shuts down with no message lost or handled twice: each message is
//     either stored or never taken.
//
// The OnError option routes failed items to a callback (to nack or requeue
// them) instead of stopping.
//
// # Options
//
// Each stage takes options: Workers (concurrency), Buffer (items waiting
// between it and the next stage), Ordered (keep input order despite
// several workers, with a reorder window of two items per worker and no
// allocation per item), Pace (a ratelimit.Waiter called before each item),
// Timeout (a context deadline per item), OnError and Name. An option that
// does not apply to a stage kind makes its constructor panic, as does any
// other misuse (a stage consumed twice, a stage never consumed, a pipeline
// run twice); the messages start with "pipeline: ".
//
// # Hand-off and cost
//
// Items travel between stages in small slices (up to 128 items), so that
// quick stages pay for a channel operation once per slice, not per item. A
// worker hands over what it has when its slice is full, before it waits for
// input itself, or when the next stage has waited a while (20µs) for input;
// and a worker whose items take longer than 2µs each (busy time, measured
// once per slice) hands each item over at once. So it never waits to fill a
// slice, a slow stage's results are never held back, and a quick stage's
// results wait at most about 256µs (128 items of at most 2µs). A stage with several workers receives
// items one by one, so a slow item never holds back others that an idle
// worker could take. Sources that may block between items (FromSeq,
// FromChan, Generate) hand each item over at once.
//
// Costs (bench/pipeline_test.go, BenchmarkPipeline*; a shared, noisy
// 2-core machine, so read them as ratios): a three-stage pipeline of
// trivial functions, which measures pure coordination, costs about as much
// per item as a hand-written pipeline with 64-slot channels and fast-path
// sends, two to three times less than rill, and allocates nothing per item
// in steady state. With 4 workers on a stage, each item costs a channel
// hand-off to a worker; Ordered adds about the same again, still below
// rill's OrderedMap. Timeout costs a context and timer per item.
//
// # Stats
//
// Pipeline.Stats reports, per stage, the items in and out, failures,
// drops, and how the workers spent their time: busy, paced, waiting for
// input, waiting to hand over output. Stats.Bottleneck names the stage that
// sets the pace; StageStats explains how to read the rest.
package pipeline
