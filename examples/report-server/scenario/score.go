package scenario

import (
	"math"

	fin "github.com/tandem-go/tandem/examples/financial-report/scenario"
)

// RiskReport is what GET /report answers: a risk score summed per account
// over the whole ledger, and the highest-risk account.
type RiskReport struct {
	Transactions int     `json:"transactions"`
	TotalRisk    float64 `json:"total_risk"`
	RiskiestAcct int32   `json:"riskiest_account"`
	RiskiestRisk float64 `json:"riskiest_risk"`
}

// riskChunk adds the risk of txs to the per-account sums in acc. The score
// is a stand-in for a model evaluated per transaction: a few hundred
// nanoseconds of floating-point work, so a report over 100,000s of
// transactions is tens of milliseconds of pure CPU.
func riskChunk(acc []float64, txs []fin.Transaction) {
	for _, t := range txs {
		x := math.Abs(t.Amount)
		s := 0.0
		for k := 1.0; k <= 12; k++ {
			s += math.Log1p(x/k) * math.Exp(-k/4)
		}
		if t.Amount < 0 {
			s *= 3 // refunds are riskier
		}
		acc[t.Account] += s
	}
}

// summarize turns per-account risk sums into the answer.
func summarize(n int, perAccount []float64) RiskReport {
	r := RiskReport{Transactions: n, RiskiestAcct: -1}
	for a, v := range perAccount {
		r.TotalRisk += v
		if v > r.RiskiestRisk {
			r.RiskiestAcct, r.RiskiestRisk = int32(a), v
		}
	}
	return r
}
