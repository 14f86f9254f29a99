package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/genevahub/geneva/hub/wire"
)

// writeConfig writes text to work/name and returns the file's path.
func writeConfig(work, name, text string) (string, error) {
	file := filepath.Join(work, name)
	return file, os.WriteFile(file, []byte(text), 0o600)
}

// bridgeProc is the archive bridge (geneva-hub archive) on s's NATS as
// the operator, to s's Kafka topics, serving health on httpAddr.
func (s *system) bridgeProc(work, hubBin, httpAddr, auditTopic, logs string) (*proc, error) {
	cfg, err := writeConfig(work, "archive.yaml", fmt.Sprintf(`nats_url: %s
creds: %s
http_listen: %s
archive:
  brokers: [%s]
  objects_topic: {name: %s, partitions: 1, replication: 1}
  audit_topic: {name: %s, replication: 1}
`, s.natsURL, wire.CredsPath(s.dataDir, wire.OperatorName), httpAddr, s.brokerAddr, s.objectsTopic, auditTopic))
	if err != nil {
		return nil, err
	}
	return &proc{name: "archive", argv: []string{hubBin, "archive", "--config", cfg}, probe: "http://" + httpAddr + "/healthz", logDir: logs}, nil
}

// connectorProc is the connected member's geneva-connector on s's NATS,
// with a dir sink in s.sinkDir, serving health on httpAddr.
func (s *system) connectorProc(work, connectorBin, mou, httpAddr, logs string) (*proc, error) {
	cfg, err := writeConfig(work, "connector.yaml", fmt.Sprintf(`hub: {server: "%s", credentials: %s}
mou: %s
spool: {dir: %s}
http: {listen: "%s"}
sinks:
  - {name: inbox, kind: dir, reach: organization, path: %s}
`, s.natsURL, wire.CredsPath(s.dataDir, connected), mou, filepath.Join(work, "spool"), httpAddr, s.sinkDir))
	if err != nil {
		return nil, err
	}
	return &proc{name: "connector", argv: []string{connectorBin, "run", cfg}, probe: "http://" + httpAddr + "/healthz", logDir: logs}, nil
}
