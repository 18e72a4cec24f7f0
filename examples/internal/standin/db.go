package standin

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tandem-go/tandem/examples/internal/httpjson"
)

// User is the row the DB serves for GET /users/{id}.
type User struct {
	ID      int     `json:"id"`
	Name    string  `json:"name"`
	Balance float64 `json:"balance"`
}

// Row is one record written with POST /rows.
type Row struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// DB stands in for a database behind a network hop. Routes:
//
//	GET  /users/{id}   one User as JSON, after the query latency
//	POST /rows         a JSON array of Row, stored in one round trip
//
// A real endpoint serving the same routes can replace it in every example.
type DB struct {
	URL string

	srv     *httptest.Server
	latency Latency

	queries  atomic.Int64
	inFlight gauge

	mu         sync.Mutex
	rows       map[string]string
	duplicates int
}

// NewDB starts a DB whose every request takes a uniform 20-50 ms. Close it
// when done.
func NewDB() *DB {
	return NewDBWithLatency(Latency{Min: 20 * time.Millisecond, Max: 50 * time.Millisecond})
}

// NewDBWithLatency starts a DB with the given latency. Close it when done.
func NewDBWithLatency(l Latency) *DB {
	db := &DB{latency: l, rows: make(map[string]string)}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /users/{id}", db.getUser)
	mux.HandleFunc("POST /rows", db.putRows)
	db.srv = httptest.NewServer(db.track(mux))
	db.URL = db.srv.URL
	return db
}

// Close shuts the server down, waiting for requests in progress.
func (db *DB) Close() { db.srv.Close() }

// Queries is the number of requests served so far.
func (db *DB) Queries() int64 { return db.queries.Load() }

// PeakInFlight is the most requests the DB was serving at one moment: what a
// real database's connection limit would have seen.
func (db *DB) PeakInFlight() int64 { return db.inFlight.Peak() }

// Rows is the number of distinct keys written.
func (db *DB) Rows() int {
	db.mu.Lock()
	defer db.mu.Unlock()
	return len(db.rows)
}

// Duplicates is the number of writes of a key that was already stored: a
// message processed twice.
func (db *DB) Duplicates() int {
	db.mu.Lock()
	defer db.mu.Unlock()
	return db.duplicates
}

func (db *DB) track(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		db.queries.Add(1)
		db.inFlight.Inc()
		defer db.inFlight.Dec()
		if db.latency.wait(r.Context()) != nil {
			return // the client went away
		}
		next.ServeHTTP(w, r)
	})
}

func (db *DB) getUser(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.Atoi(r.PathValue("id"))
	if err != nil {
		http.Error(w, "bad id", http.StatusBadRequest)
		return
	}
	httpjson.Write(w, User{ID: id, Name: "user-" + strconv.Itoa(id), Balance: float64(id%1000) * 1.25})
}

func (db *DB) putRows(w http.ResponseWriter, r *http.Request) {
	var rows []Row
	if err := json.NewDecoder(r.Body).Decode(&rows); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	db.mu.Lock()
	for _, row := range rows {
		if _, ok := db.rows[row.Key]; ok {
			db.duplicates++
		}
		db.rows[row.Key] = row.Value
	}
	db.mu.Unlock()
	httpjson.Write(w, map[string]int{"written": len(rows)})
}
