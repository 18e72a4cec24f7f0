package scenario

import (
	"math"
	"math/rand/v2"
	"slices"
)

// Transaction is one line of the ledger.
type Transaction struct {
	Account int32
	Amount  float64 // in currency units; negative for refunds
}

// Generate returns n synthetic transactions over accounts accounts, the same
// for the same seed. Amounts are log-normal (many small, a few large) with
// 2% refunds, and a few accounts are far busier than the rest, as in a real
// ledger.
func Generate(n, accounts int, seed uint64) []Transaction {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	txs := make([]Transaction, n)
	for i := range txs {
		// Squaring a uniform draw skews activity towards the low account ids.
		u := rng.Float64()
		acct := int32(u * u * float64(accounts))
		amount := math.Round(math.Exp(3+1.2*rng.NormFloat64())*100) / 100
		if rng.IntN(50) == 0 {
			amount = -amount
		}
		txs[i] = Transaction{Account: acct, Amount: amount}
	}
	return txs
}

// AccountStats is one account's line of the report.
type AccountStats struct {
	Account  int32
	Count    int
	Total    float64
	Mean     float64
	P50, P99 float64
}

// Report is the whole report: one line per account with transactions, in
// account order, and the grand total.
type Report struct {
	Accounts []AccountStats
	Total    float64
}

// Top returns the k accounts with the largest totals.
func (r Report) Top(k int) []AccountStats {
	top := slices.Clone(r.Accounts)
	slices.SortFunc(top, func(a, b AccountStats) int {
		if a.Total != b.Total {
			if a.Total > b.Total {
				return -1
			}
			return 1
		}
		return int(a.Account - b.Account)
	})
	return top[:min(k, len(top))]
}

// groupByAccount lays the amounts out account by account (a counting sort):
// amounts[offsets[a]:offsets[a+1]] are account a's amounts in ledger order.
func groupByAccount(txs []Transaction, accounts int) (amounts []float64, offsets []int) {
	offsets = make([]int, accounts+1)
	for _, t := range txs {
		offsets[t.Account+1]++
	}
	for a := range accounts {
		offsets[a+1] += offsets[a]
	}
	next := slices.Clone(offsets[:accounts])
	amounts = make([]float64, len(txs))
	for _, t := range txs {
		amounts[next[t.Account]] = t.Amount
		next[t.Account]++
	}
	return amounts, offsets
}

// accountStats sorts one account's amounts in place and summarizes them;
// total is the account's sum, computed by the caller.
func accountStats(account int32, amounts []float64, total float64) AccountStats {
	slices.Sort(amounts)
	return AccountStats{
		Account: account,
		Count:   len(amounts),
		Total:   total,
		Mean:    total / float64(len(amounts)),
		P50:     percentile(amounts, 0.50),
		P99:     percentile(amounts, 0.99),
	}
}

// percentile is the nearest-rank percentile of sorted values.
func percentile(sorted []float64, q float64) float64 {
	i := int(math.Ceil(q*float64(len(sorted)))) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

// Sequential builds the report with plain loops on one core: the baseline.
func Sequential(txs []Transaction, accounts int) Report {
	totals := make([]float64, accounts)
	var total float64
	for _, t := range txs {
		totals[t.Account] += t.Amount
		total += t.Amount
	}
	amounts, offsets := groupByAccount(txs, accounts)
	var r Report
	for a := range accounts {
		if offsets[a] == offsets[a+1] {
			continue
		}
		r.Accounts = append(r.Accounts, accountStats(int32(a), amounts[offsets[a]:offsets[a+1]], totals[a]))
	}
	r.Total = total
	return r
}
