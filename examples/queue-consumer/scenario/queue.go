package scenario

import (
	"context"
	"errors"
	"fmt"
	"sync"
)

// Message is one message on the queue: an id for acknowledgement and a raw
// body to parse.
type Message struct {
	ID   int
	Body []byte
}

// ErrEmpty is returned by Receive when the queue has nothing left to deliver.
var ErrEmpty = errors.New("queue: empty")

// Queue is an in-process stand-in for a message queue with acknowledgements
// (SQS, Pub/Sub, a Kafka consumer group): a received message stays
// "in flight" until it is acked, and Requeue gives unacked messages back for
// redelivery, as a broker does when a consumer dies. Safe for concurrent use.
type Queue struct {
	mu       sync.Mutex
	ready    []Message
	inFlight map[int]Message
	received int
	acked    int
}

// NewQueue returns a queue holding n messages, each a small JSON order.
func NewQueue(n int) *Queue {
	q := &Queue{ready: make([]Message, n), inFlight: make(map[int]Message)}
	for i := range n {
		body := fmt.Sprintf(`{"order_id":%d,"customer":%d,"amount_cents":%d}`, i, i%997, 100+(i*7919)%50000)
		q.ready[i] = Message{ID: i, Body: []byte(body)}
	}
	return q
}

// Receive hands out the next message, or ErrEmpty, or ctx's error.
func (q *Queue) Receive(ctx context.Context) (Message, error) {
	if err := ctx.Err(); err != nil {
		return Message{}, err
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	if len(q.ready) == 0 {
		return Message{}, ErrEmpty
	}
	m := q.ready[0]
	q.ready = q.ready[1:]
	q.inFlight[m.ID] = m
	q.received++
	return m, nil
}

// Ack settles messages for good. Acking an id that is not in flight is an
// error: it means a message was processed twice.
func (q *Queue) Ack(ids ...int) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	for _, id := range ids {
		if _, ok := q.inFlight[id]; !ok {
			return fmt.Errorf("queue: ack of message %d, which is not in flight", id)
		}
		delete(q.inFlight, id)
		q.acked++
	}
	return nil
}

// Nack gives one received message back for redelivery, at the head of the
// queue.
func (q *Queue) Nack(id int) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if m, ok := q.inFlight[id]; ok {
		delete(q.inFlight, id)
		q.ready = append([]Message{m}, q.ready...)
	}
}

// Requeue puts every unacked message back at the head of the queue, as a
// broker does when the consumer goes away, and returns how many.
func (q *Queue) Requeue() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	back := make([]Message, 0, len(q.inFlight)+len(q.ready))
	for _, m := range q.inFlight {
		back = append(back, m)
	}
	n := len(back)
	clear(q.inFlight)
	q.ready = append(back, q.ready...)
	return n
}

// QueueStats is a snapshot of the queue's counts.
type QueueStats struct {
	Received int // handed out by Receive
	Acked    int
	InFlight int // received, not acked
	Ready    int // waiting to be received
}

// Stats returns the queue's counts.
func (q *Queue) Stats() QueueStats {
	q.mu.Lock()
	defer q.mu.Unlock()
	return QueueStats{Received: q.received, Acked: q.acked, InFlight: len(q.inFlight), Ready: len(q.ready)}
}
