// Command geneva-archive-test runs the archive bridge as its own process, so
// fault tests can SIGKILL and restart it. It is a test fixture, not the
// product: `geneva-hub archive --config` is.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/genevahub/geneva/hub/archive"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "geneva-archive-test:", err)
		os.Exit(1)
	}
}

func run() error {
	natsURL := flag.String("nats", "", "NATS URL")
	brokers := flag.String("brokers", "", "comma-separated Kafka addresses")
	objects := flag.String("objects-topic", "", "objects topic")
	audit := flag.String("audit-topic", "", "audit topic")
	partitions := flag.Int("partitions", 4, "objects topic partitions")
	batch := flag.Int("batch-size", 0, "records per write call")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	nc, err := nats.Connect(*natsURL, nats.MaxReconnects(-1))
	if err != nil {
		return err
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		return err
	}
	cfg := archive.Config{
		Brokers:        strings.Split(*brokers, ","),
		ObjectsTopic:   archive.TopicConfig{Name: *objects, Partitions: *partitions, ReplicationFactor: 1},
		AuditTopic:     archive.TopicConfig{Name: *audit, ReplicationFactor: 1},
		BatchSize:      *batch,
		MinBackoff:     50 * time.Millisecond,
		MaxBackoff:     time.Second,
		WriteTimeout:   5 * time.Second,
		RetentionCheck: time.Second,
	}
	b, err := archive.New(cfg, js, slog.New(slog.NewTextHandler(os.Stderr, nil)))
	if err != nil {
		return err
	}
	return b.Run(ctx)
}
