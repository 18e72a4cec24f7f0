package clock_test

import (
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/tandem-go/tandem/internal/clock"
)

func TestBaseMeasuresOffsetsBothWays(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := clock.Start()
		start := time.Now()
		assert.Equal(t, time.Duration(0), b.Since())
		time.Sleep(3 * time.Second)
		assert.Equal(t, 3*time.Second, b.Since())
		assert.Equal(t, 3*time.Second, b.Offset(time.Now()))
		assert.Equal(t, -time.Second, b.Offset(start.Add(-time.Second)))
		assert.True(t, b.Time(5*time.Second).Equal(start.Add(5*time.Second)))
	})
}
