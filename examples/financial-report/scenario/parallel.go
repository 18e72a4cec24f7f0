package scenario

import (
	"context"

	"github.com/tandem-go/tandem/parallel"
)

// sums is the accumulator of one chunk of the ledger: per-account totals
// and the grand total.
type sums struct {
	perAccount []float64
	total      float64
}

// Parallel builds the same report on every core (or on workers of them,
// when workers > 0): the totals with parallel.Reduce, whose chunks depend
// only on the ledger's length, so the float sums are bit-identical on every
// run and with any worker count, on every machine of one GOARCH (these
// sums only add, so no architecture can fuse a multiply-add into them; a
// fold that multiplies may round differently on another GOARCH, see
// parallel.Reduce); then each account's percentiles with
// parallel.For over the accounts, whose adaptive chunks balance the few busy
// accounts against the many quiet ones. Grouping the amounts by account
// stays a sequential pass: it is a memory-bound scatter that would gain
// little on 2 cores, and the price shows in the speedup.
func Parallel(ctx context.Context, txs []Transaction, accounts, workers int) (Report, error) {
	var opts []parallel.Option
	if workers > 0 {
		opts = append(opts, parallel.Workers(workers))
	}
	s, err := parallel.Reduce(ctx, txs,
		func() sums { return sums{perAccount: make([]float64, accounts)} },
		func(_ context.Context, acc sums, chunk []Transaction) (sums, error) {
			for _, t := range chunk {
				acc.perAccount[t.Account] += t.Amount
				acc.total += t.Amount
			}
			return acc, nil
		},
		func(a, b sums) sums {
			for i, v := range b.perAccount {
				a.perAccount[i] += v
			}
			a.total += b.total
			return a
		},
		opts...)
	if err != nil {
		return Report{}, err
	}

	amounts, offsets := groupByAccount(txs, accounts)

	stats := make([]AccountStats, accounts)
	err = parallel.For(ctx, accounts, func(_ context.Context, lo, hi int) error {
		for a := lo; a < hi; a++ {
			if offsets[a] < offsets[a+1] {
				stats[a] = accountStats(int32(a), amounts[offsets[a]:offsets[a+1]], s.perAccount[a])
			}
		}
		return nil
	}, opts...)
	if err != nil {
		return Report{}, err
	}
	r := Report{Total: s.total}
	for _, st := range stats {
		if st.Count > 0 {
			r.Accounts = append(r.Accounts, st)
		}
	}
	return r, nil
}
