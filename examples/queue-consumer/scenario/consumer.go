package scenario

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/tandem-go/tandem/examples/internal/httpjson"
	"github.com/tandem-go/tandem/examples/internal/standin"
	"github.com/tandem-go/tandem/pipeline"
	"github.com/tandem-go/tandem/ratelimit"
)

// Order is a parsed message.
type Order struct {
	MsgID       int
	OrderID     int `json:"order_id"`
	Customer    int `json:"customer"`
	AmountCents int `json:"amount_cents"`
}

// Enriched is an order with what the customer service knows.
type Enriched struct {
	Order
	Segment string
}

// consumer wires the queue, the enrichment service and the store.
type consumer struct {
	queue     *Queue
	client    *http.Client
	enrichURL string
	dbURL     string
}

// pipeline declares queue -> parse -> enrich -> batch -> store.
func (c *consumer) pipeline(cfg Config) *pipeline.Pipeline {
	p := pipeline.New()
	msgs := pipeline.Generate(p, c.receive, pipeline.Name("receive"))
	orders := pipeline.Map(msgs, parse, pipeline.Name("parse"))
	enriched := pipeline.Map(orders, c.enrich,
		pipeline.Name("enrich"),
		pipeline.Workers(cfg.EnrichWorkers),
		pipeline.Pace(ratelimit.New(ratelimit.Limit(cfg.EnrichRate), cfg.EnrichWorkers)),
		pipeline.Timeout(2*time.Second))
	batches := pipeline.Batch(enriched, cfg.BatchSize, cfg.BatchWait, pipeline.Name("batch"))
	pipeline.Sink(batches, c.store, pipeline.Name("store"))
	return p
}

// receive takes messages from the queue until it is empty or the pipeline
// stops. A message received but not taken by the pipeline goes back to the
// queue, so a stop never loses one.
func (c *consumer) receive(ctx context.Context, emit func(Message) bool) error {
	for {
		m, err := c.queue.Receive(ctx)
		if errors.Is(err, ErrEmpty) || ctx.Err() != nil {
			return nil // drained, or asked to stop: no error
		}
		if err != nil {
			return err
		}
		if !emit(m) {
			c.queue.Nack(m.ID)
			return nil
		}
	}
}

func parse(_ context.Context, m Message) (Order, error) {
	var o Order
	if err := json.Unmarshal(m.Body, &o); err != nil {
		return o, fmt.Errorf("message %d: %w", m.ID, err)
	}
	o.MsgID = m.ID
	return o, nil
}

func (c *consumer) enrich(ctx context.Context, o Order) (Enriched, error) {
	var reply standin.BackendReply
	if err := httpjson.Get(ctx, c.client, c.enrichURL+"/customers/"+strconv.Itoa(o.Customer), &reply); err != nil {
		return Enriched{}, fmt.Errorf("enrich order %d: %w", o.OrderID, err)
	}
	return Enriched{Order: o, Segment: reply.Backend}, nil
}

// store writes a batch in one round trip, then acks its messages: a
// message is acked only once it is stored (at-least-once delivery, and
// with a graceful stop, exactly once).
func (c *consumer) store(ctx context.Context, batch []Enriched) error {
	rows := make([]standin.Row, len(batch))
	ids := make([]int, len(batch))
	for i, e := range batch {
		rows[i] = standin.Row{Key: "order-" + strconv.Itoa(e.OrderID), Value: e.Segment}
		ids[i] = e.MsgID
	}
	if err := httpjson.Post(ctx, c.client, c.dbURL+"/rows", rows, nil); err != nil {
		return fmt.Errorf("store %d rows: %w", len(rows), err)
	}
	return c.queue.Ack(ids...)
}
