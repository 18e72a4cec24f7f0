// Package pipeline runs typed stages connected by bounded buffers: read from
// a queue, parse, enrich with many calls at once, batch, store. Each stage
// runs at its own concurrency, the buffers give backpressure, and the
// slowest stage sets the pace of the others.
//
// Constructors declare; only the functions named Run* run. Go has no
// generic methods, so each stage is declared by a function that takes the
// stage it reads and returns the stage it produces, and nothing runs until
// Pipeline.Run (for a pipeline that ends in Sinks), RunCollect, RunReduce or
// RunAll (which declare its last stage too) runs the whole pipeline, once,
// and waits for it:
//
//	p := pipeline.New()                                 // the zero Pipeline is empty too
//	lines := pipeline.FromSlice(p, input)               // or FromSeq, FromChan, Generate
//	nums := pipeline.Map(lines, parse)                  // func(ctx, T) (U, error)
//	rich := pipeline.Map(nums, enrich, pipeline.Workers(16), pipeline.Ordered())
//	pipeline.Sink(pipeline.Batch(rich, 100, time.Second), store)
//	err := p.Run(ctx)
//
// Each stage's output has exactly one consumer; Broadcast copies to several.
// Options configure one stage each: Workers, Buffer, Ordered, Pace, Timeout,
// OnError, Name. Misuse panics with a "pipeline: Name: " message where it is
// made: a nil (or typed-nil) function, sequence, channel, Waiter, Option,
// Stage, Pipeline or context, a value out of range, an option that does not
// apply, a second consumer. What only the whole graph shows, an output with
// no consumer or a pipeline run twice, panics at Run.
//
// The first error returned by a stage function cancels every stage and is
// the error Run returns; the cancellation of ctx does the same. A panic in a
// stage cancels every stage and is raised again in Run's caller (or in the
// RunAll loop) as a *tandem.PanicError with the stage's stack; a stage that
// calls runtime.Goexit fails the run with tandem.ErrGoexit. Run returns only
// after every goroutine of the pipeline has exited, and never reads the rest
// of the input: the work done after a stop is bounded by the buffers (see
// Buffer). Pipeline.Stop stops gracefully: sources take no more input, what
// was taken flows through to the sinks, and Run returns nil. OnError routes
// failed items to a callback instead of stopping.
//
// On failure RunCollect returns the items it collected before the stop and
// RunReduce the zero value, each with the error.
//
// Items travel between stages in slices of up to 128, so that a quick stage
// pays for a channel operation per slice, not per item. A worker hands its
// slice over when it is full, before it waits for input, at each item while
// its items are slow, and at its next item once the next stage has waited
// 20µs for input: so a result waits in a slice only while the next stage is
// busy, or, once it is idle, 20µs and the time of one more item. A stage with
// several workers receives items one by one, so an idle worker takes what a
// busy one would hold back; sources that may block between items (FromSeq,
// FromChan, Generate) hand each over at once. In steady state an item costs
// no allocation; Ordered adds a lock and no allocation, Timeout a context and
// a timer per item.
//
// Pipeline.Stats counts, per stage, the items taken (In) and handed on
// (Out), how each taken item ended (Succeeded, Failed or Canceled) and those
// never begun (NotStarted), which add up on every way a run stops, and how
// the workers spent their time; Stats.Bottleneck names the stage that sets
// the pace. StageStats says how to read them.
package pipeline
