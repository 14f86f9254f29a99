package hub

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"
)

// The owner of a Run's goroutines: the first error ends their context and
// is what wait returns; wait returns only once every goroutine has ended;
// after wait, nothing starts.
func TestGoroutinesOwner(t *testing.T) {
	o, ctx := newGoroutines(context.Background())
	var ended atomic.Int32
	for range 3 {
		o.Go(func() error { <-ctx.Done(); ended.Add(1); return nil })
	}
	failed := errors.New("a part failed")
	o.Go(func() error { return failed })
	select {
	case <-ctx.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("a failing goroutine did not end the context within 10 s")
	}
	if err := o.wait(); !errors.Is(err, failed) {
		t.Fatalf("wait = %v, want the goroutine's error", err)
	}
	if n := ended.Load(); n != 3 {
		t.Fatalf("wait returned with %d of 3 goroutines ended", n)
	}
	if o.Go(func() error { t.Error("started after wait"); return nil }) {
		t.Fatal("Go after wait said it started the goroutine")
	}
}

// stopTaking ends the context without waiting; wait then still waits.
func TestGoroutinesStopTaking(t *testing.T) {
	o, ctx := newGoroutines(context.Background())
	release := make(chan struct{})
	var ended atomic.Bool
	o.Go(func() error { <-ctx.Done(); <-release; ended.Store(true); return nil })
	o.stopTaking()
	select {
	case <-ctx.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("stopTaking did not end the context within 10 s")
	}
	close(release)
	if err := o.wait(); err != nil || !ended.Load() {
		t.Fatalf("wait = %v, goroutine ended: %v", err, ended.Load())
	}
}
