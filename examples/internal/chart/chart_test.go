package chart_test

import (
	"os"

	"github.com/tandem-go/tandem/examples/internal/chart"
)

func ExamplePrint() {
	chart.Print(os.Stdout, "wall time (shorter is better)",
		chart.Bar{Label: "sequential", Value: 3.2, Text: "3.2s"},
		chart.Bar{Label: "pool group", Value: 0.25, Text: "250ms"},
		chart.Bar{Label: "idle", Value: 0, Text: "0s"},
	)
	// Output:
	//   wall time (shorter is better)
	//     sequential │████████████████████████████████████████ 3.2s
	//     pool group │███▏                                     250ms
	//     idle       │                                         0s
}
