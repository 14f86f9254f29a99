package kafkatest

import "os"

func mkdirTemp() (string, error) { return os.MkdirTemp("", "kafkatest-") }

func removeAll(dir string) {
	if dir != "" {
		_ = os.RemoveAll(dir)
	}
}
