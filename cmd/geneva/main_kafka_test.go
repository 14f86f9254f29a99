package main

import (
	"os"
	"testing"

	"github.com/genevahub/geneva/hub/archive/kafkatest"
)

// TestMain stops the Kafka broker the report tests share.
func TestMain(m *testing.M) {
	code := m.Run()
	kafkatest.StopShared()
	os.Exit(code)
}
