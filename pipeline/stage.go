package pipeline

import "github.com/tandem-go/tandem/internal/misuse"

// Stage is the output of a declared stage: a stream of T that exactly one
// consumer takes (a stage such as Map, a sink such as Sink, or one of the
// calls RunCollect, RunReduce and RunAll). To feed several consumers, use
// Broadcast. A Stage belongs to the Pipeline it was declared in.
type Stage[T any] struct {
	p     *Pipeline
	out   *edge[T]
	name  string
	taken bool
}

func (s *Stage[T]) consumed() (string, bool) { return s.name, s.taken }

// newStage declares the output of a stage with the given writers and buffer.
func newStage[T any](p *Pipeline, c *stageCounters, writers, buffer int) *Stage[T] {
	s := &Stage[T]{p: p, out: newEdge[T](buffer, writers, c), name: c.name}
	p.edges = append(p.edges, s.out)
	p.outputs = append(p.outputs, s)
	return s
}

// take attaches the consumer counted by c, with its number of workers;
// where is "pipeline: Kind", the consumer's constructor.
func (s *Stage[T]) take(where string, c *stageCounters, readers int) *edge[T] {
	if s.taken {
		misuse.Panicf(where, "the output of stage %q already has a consumer; use Broadcast to feed several", s.name)
	}
	s.taken = true
	s.out.readers, s.out.to = readers, c
	return s.out
}

// pipelineOf returns the pipeline of s, panicking on a nil stage.
func pipelineOf[T any](where string, s *Stage[T]) *Pipeline {
	misuse.Nil(where, "Stage", s)
	return s.p
}
