package ordered

import "context"

// Chain orders the emission of results by the order inputs were taken.
// Create it with NewChain; it must not be copied. Each worker uses its own
// Link from Chain.Link.
type Chain struct {
	// turn holds the signal that the next taker must wait for before
	// emitting. Whoever holds the value holds the right to take an input.
	turn chan chan struct{}
}

// NewChain returns a chain whose first taker may emit at once.
func NewChain() *Chain {
	first := make(chan struct{}, 1)
	first <- struct{}{}
	c := &Chain{turn: make(chan chan struct{}, 1)}
	c.turn <- first
	return c
}

// Link is one worker's place in a Chain. It is used by one goroutine only.
type Link struct {
	chain *Chain
	// mine is signalled when this worker has emitted its current result;
	// prev is the predecessor's signal this worker waits for.
	mine, prev chan struct{}
}

// Link returns a new worker's link. It allocates one channel; call it once
// per worker, not per item.
func (c *Chain) Link() *Link {
	return &Link{chain: c, mine: make(chan struct{}, 1)}
}

// Enter waits for the turn to take the next input. It returns false, without
// the turn, when ctx is done first.
func (l *Link) Enter(ctx context.Context) bool {
	select {
	case l.prev = <-l.chain.turn:
		return true
	case <-ctx.Done():
		return false
	}
}

// Taken ends the turn after an input was taken: the next taker will emit
// after this worker signals Emitted.
func (l *Link) Taken() {
	l.chain.turn <- l.mine // never blocks: the holder of the turn emptied it
}

// Abort ends the turn without taking an input (the input ended or failed):
// the next taker waits for this worker's predecessor instead.
func (l *Link) Abort() {
	l.chain.turn <- l.prev
	l.prev = nil
}

// Wait blocks until every result taken before this worker's has been
// emitted, and reports false when ctx is done first.
func (l *Link) Wait(ctx context.Context) bool {
	select {
	case <-l.prev:
		return true
	case <-ctx.Done():
		return false
	}
}

// Emitted tells the successor that this worker's result has been emitted.
// Call it once after each successful Wait.
func (l *Link) Emitted() {
	l.mine <- struct{}{} // never blocks: only the successor drains it, once
	// The predecessor's signal was drained by Wait and nobody else holds
	// it any more: it becomes this worker's signal for the next item.
	l.mine, l.prev = l.prev, nil
}
