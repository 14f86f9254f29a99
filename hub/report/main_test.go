package report_test

import (
	"os"
	"testing"

	"github.com/genevahub/geneva/hub/archive/kafkatest"
)

func TestMain(m *testing.M) {
	code := m.Run()
	kafkatest.StopShared()
	os.Exit(code)
}
