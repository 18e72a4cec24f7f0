package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"testing"

	"github.com/stretchr/testify/require"
)

func fakeStops(ran *[]string) []stop {
	step := func(name string, err error) stop {
		return stop{name, "lesson of " + name, func(_ context.Context, w io.Writer, quick bool) error {
			*ran = append(*ran, fmt.Sprintf("%s quick=%v", name, quick))
			fmt.Fprintln(w, "  figures of", name)
			return err
		}}
	}
	return []stop{step("first", nil), step("broken", errors.New("boom")), step("last", nil)}
}

func TestTourRunsEveryStopAndFailsIfAnyFailed(t *testing.T) {
	var ran []string
	var out bytes.Buffer
	failed := tour(t.Context(), &out, fakeStops(&ran), true, "")
	require.True(t, failed, "a stop failed")
	require.Equal(t, []string{"first quick=true", "broken quick=true", "last quick=true"}, ran, "stops run, in order")
	for _, want := range []string{"1/3  first", "lesson of broken", "figures of last", "FAILED: boom", "summary"} {
		require.Contains(t, out.String(), want)
	}
}

func TestTourRunsOnlyTheNamedStops(t *testing.T) {
	var ran []string
	failed := tour(t.Context(), new(bytes.Buffer), fakeStops(&ran), false, "last,first")
	require.False(t, failed, "no chosen stop failed")
	require.Equal(t, []string{"first quick=false", "last quick=false"}, ran, "stops run, in tour order")

	ran = nil
	require.True(t, tour(t.Context(), new(bytes.Buffer), fakeStops(&ran), false, "nope"), "an unknown name fails")
	require.Empty(t, ran)
}

func TestEveryStopIsAnExampleFolderWithALesson(t *testing.T) {
	seen := map[string]bool{}
	for _, s := range stops {
		require.NotEmpty(t, s.lesson, "%s: lesson", s.name)
		require.NotNil(t, s.run, "%s: run", s.name)
		require.False(t, seen[s.name], "%s: listed twice", s.name)
		seen[s.name] = true
		require.DirExists(t, "../"+s.name, "%s: the example's folder", s.name)
	}
}
