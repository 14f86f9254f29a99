package kafkatest

import (
	"sync"
	"testing"

	"github.com/genevahub/geneva/schemas/stixtest"
)

// Start launches a broker of the test's own, stopped when the test ends.
// Without $GENEVA_KAFKA_LIB the test fails under CI and skips loudly
// elsewhere (stixtest.Peer).
func Start(t testing.TB) *Broker { t.Helper(); return StartWith(t, Options{}) }

// StartWith is Start with options.
func StartWith(t testing.TB, opts Options) *Broker {
	t.Helper()
	lib := stixtest.Peer(t, LibEnv)
	b, err := LaunchWith(lib, t.TempDir(), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = b.Kill()
		if t.Failed() {
			t.Log(b.LogTail())
		}
	})
	return b
}

var shared struct {
	sync.Mutex
	broker *Broker
	dir    string
	err    error
}

// Shared returns the package's one broker, starting it on first use: a JVM
// takes seconds to start, so tests that only read and write share it (give
// each test its own topics). Call StopShared from TestMain after m.Run.
// Tests that stop or kill Kafka use Start instead. It has the SASL_SSL
// listener (Secure) too: one JVM serves the secured tests as well.
func Shared(t testing.TB) *Broker {
	t.Helper()
	lib := stixtest.Peer(t, LibEnv)
	shared.Lock()
	defer shared.Unlock()
	if shared.broker == nil && shared.err == nil {
		shared.dir, shared.err = mkdirTemp()
		if shared.err == nil {
			shared.broker, shared.err = LaunchWith(lib, shared.dir, Options{Secured: true})
		}
	}
	if shared.err != nil {
		t.Fatal(shared.err)
	}
	return shared.broker
}

// StopShared stops the shared broker, if one was started, and removes its data.
func StopShared() {
	shared.Lock()
	defer shared.Unlock()
	if shared.broker != nil {
		_ = shared.broker.Kill()
		shared.broker = nil
	}
	removeAll(shared.dir)
}
