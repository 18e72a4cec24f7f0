package pipeline_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/tandem-go/tandem/pipeline"
)

// message is what a queue delivers: a body, and a way to settle it.
type message struct {
	id   int
	body string
}

// queue is a stand-in for a message broker (SQS, Kafka, NATS...): Receive
// blocks until a message arrives or ctx is done; Ack removes a message and
// Nack hands it back for redelivery.
type queue struct {
	mu      sync.Mutex
	pending []message
	acked   []int
	nacked  []int
}

func (q *queue) Receive(ctx context.Context) (message, error) {
	q.mu.Lock()
	if len(q.pending) == 0 {
		q.mu.Unlock()
		<-ctx.Done() // a real queue would long-poll here
		return message{}, ctx.Err()
	}
	defer q.mu.Unlock()
	m := q.pending[0]
	q.pending = q.pending[1:]
	return m, nil
}

func (q *queue) Ack(ids ...int) { q.mu.Lock(); q.acked = append(q.acked, ids...); q.mu.Unlock() }
func (q *queue) Nack(id int)    { q.mu.Lock(); q.nacked = append(q.nacked, id); q.mu.Unlock() }

// Settled counts the messages acked or nacked so far.
func (q *queue) Settled() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.acked) + len(q.nacked)
}

// order is a parsed message; enriched adds what an API call returned.
type order struct {
	MsgID    int
	Customer string `json:"customer"`
	Amount   int    `json:"amount"`
}

type enriched struct {
	order
	Country string
}

// lookupCountry is a stand-in for a slow API call.
func lookupCountry(ctx context.Context, customer string) (string, error) {
	select {
	case <-time.After(time.Millisecond):
	case <-ctx.Done():
		return "", ctx.Err()
	}
	if strings.HasPrefix(customer, "f") {
		return "FR", nil
	}
	return "US", nil
}

// Example_queueConsumer reads orders from a queue, parses them, enriches
// each with an API call (8 at once, in order), writes them to the database
// in batches of up to 3 (or every 100ms), and acknowledges each message once
// its batch is stored. A message that cannot be parsed is nacked and
// skipped. When the queue is empty the consumer stops gracefully: nothing
// taken is lost, nothing is handled twice.
func Example_queueConsumer() {
	q := &queue{}
	for i, body := range []string{
		`{"customer":"fay","amount":10}`,
		`{"customer":"bob","amount":20}`,
		`not json`,
		`{"customer":"fox","amount":30}`,
		`{"customer":"ann","amount":40}`,
	} {
		q.pending = append(q.pending, message{id: i + 1, body: body})
	}

	p := pipeline.New()
	msgs := pipeline.Generate(p, func(ctx context.Context, emit func(message) bool) error {
		for {
			m, err := q.Receive(ctx)
			if err != nil {
				return err // after Stop, ctx is cancelled: not a failure
			}
			if !emit(m) {
				q.Nack(m.id) // the pipeline stopped hard: give it back
				return nil
			}
		}
	}, pipeline.Name("receive"), pipeline.Buffer(0))

	orders := pipeline.Map(msgs, func(_ context.Context, m message) (order, error) {
		var o order
		err := json.Unmarshal([]byte(m.body), &o)
		o.MsgID = m.id
		return o, err
	}, pipeline.Name("parse"), pipeline.OnError(func(_ context.Context, m message, err error) error {
		q.Nack(m.id) // to a dead-letter queue, in real life
		return nil
	}))

	rich := pipeline.Map(orders, func(ctx context.Context, o order) (enriched, error) {
		country, err := lookupCountry(ctx, o.Customer)
		return enriched{order: o, Country: country}, err
	}, pipeline.Name("enrich"), pipeline.Workers(8), pipeline.Ordered(), pipeline.Timeout(time.Second))

	batches := pipeline.Batch(rich, 3, 100*time.Millisecond, pipeline.Name("batch"))

	var stored [][]enriched
	pipeline.Sink(batches, func(_ context.Context, batch []enriched) error {
		stored = append(stored, batch) // INSERT ... in one statement
		ids := make([]int, len(batch))
		for i, e := range batch {
			ids[i] = e.MsgID
		}
		q.Ack(ids...)
		if q.Settled() == 5 {
			p.Stop(10 * time.Second) // the queue is drained: shut down gracefully
		}
		return nil
	}, pipeline.Name("store"))

	if err := p.Run(context.Background()); err != nil {
		fmt.Println("error:", err)
	}
	for _, batch := range stored {
		fmt.Println(batch)
	}
	fmt.Println("acked", q.acked, "nacked", q.nacked)
	// Output:
	// [{{1 fay 10} FR} {{2 bob 20} US} {{4 fox 30} FR}]
	// [{{5 ann 40} US}]
	// acked [1 2 4 5] nacked [3]
}
