package kafkatest

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os/exec"
	"testing"

	"github.com/genevahub/geneva/schemas/stixtest"
)

// KcatEnv names the environment variable holding the kcat binary.
const KcatEnv = "GENEVA_KCAT"

// KcatRecord is one record as kcat -J prints it: an independent reader
// (librdkafka) of what the bridge wrote.
type KcatRecord struct {
	Topic     string            `json:"topic"`
	Partition int               `json:"partition"`
	Offset    int64             `json:"offset"`
	Key       *string           `json:"key"`
	Payload   *string           `json:"payload"`
	RawHeader []string          `json:"headers"`
	Headers   map[string]string `json:"-"`
}

// KcatConsume reads every record of topic from the start to the current end
// with `kcat -C -e -J`.
func KcatConsume(t testing.TB, addr, topic string) []KcatRecord {
	t.Helper()
	return kcatConsume(t, addr, topic)
}

// KcatConsumeSecure is KcatConsume over the SASL_SSL listener s, logging
// in with mechanism.
func KcatConsumeSecure(t testing.TB, s *Secure, mechanism, topic string) []KcatRecord {
	t.Helper()
	return kcatConsume(t, s.Addr, topic, s.KcatArgs(mechanism)...)
}

func kcatConsume(t testing.TB, addr, topic string, options ...string) []KcatRecord {
	t.Helper()
	kcat := stixtest.Peer(t, KcatEnv)
	args := append([]string{"-C", "-b", addr, "-t", topic, "-o", "beginning", "-e", "-J", "-q"}, options...)
	cmd := exec.Command(kcat, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("kcat -C -t %s: %v: %s", topic, err, stderr.String())
	}
	var records []KcatRecord
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 0, 1<<20), 64<<20)
	for sc.Scan() {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		var r KcatRecord
		if err := json.Unmarshal(line, &r); err != nil {
			t.Fatalf("kcat printed a line that is not JSON: %v: %.200s", err, line)
		}
		r.Headers = map[string]string{}
		for i := 0; i+1 < len(r.RawHeader); i += 2 {
			r.Headers[r.RawHeader[i]] = r.RawHeader[i+1]
		}
		records = append(records, r)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return records
}
