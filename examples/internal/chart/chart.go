// Package chart prints the small horizontal bar charts the examples use to
// show a comparison at a glance.
package chart

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// Bar is one row of a chart: a label, the value that sets its length, and
// the text printed after it (the value with its unit).
type Bar struct {
	Label string
	Value float64
	Text  string
}

// width is the length in cells of the longest bar.
const width = 40

// eighths draws the fractional last cell of a bar.
var eighths = []string{"", "▏", "▎", "▍", "▌", "▋", "▊", "▉"}

// Print writes title and one line per bar, the longest bar the full width
// and the others to scale.
func Print(w io.Writer, title string, bars ...Bar) {
	fmt.Fprintf(w, "  %s\n", title)
	labelWidth, top := 0, 0.0
	for _, b := range bars {
		labelWidth = max(labelWidth, utf8.RuneCountInString(b.Label))
		top = max(top, b.Value)
	}
	for _, b := range bars {
		cells := 0
		if top > 0 && b.Value > 0 {
			cells = max(1, int(b.Value/top*width*8+0.5)) // at least a sliver for any non-zero value
		}
		bar := strings.Repeat("█", cells/8) + eighths[cells%8]
		fmt.Fprintf(w, "    %s │%s %s\n", padRight(b.Label, labelWidth), padRight(bar, width), b.Text)
	}
}

// padRight pads s with spaces to n runes (fmt's widths count bytes, and a
// bar cell is three bytes).
func padRight(s string, n int) string {
	return s + strings.Repeat(" ", max(0, n-utf8.RuneCountInString(s)))
}
