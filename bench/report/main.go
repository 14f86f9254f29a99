// Command report-bench measures geneva report's Kafka scan against a raw
// kafka-go reader on the same topic in the same run, and the scan's peak
// heap for small and large archives (docs/benchmarks.md, "Archive report
// scan"). Not run in CI.
//
//	eval "$(scripts/peers.sh)"
//	go run ./bench/report -records 1000000
//
// Without -brokers it starts a Kafka broker of its own from $GENEVA_KAFKA_LIB.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"os"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/genevahub/geneva/hub/archive/kafkatest"
	"github.com/genevahub/geneva/hub/report"
	"github.com/genevahub/geneva/internal/cputime"
	"github.com/genevahub/geneva/policy"
)

func main() {
	if err := run(); err != nil {
		log.Fatal(err)
	}
}

// run does the work, so the broker it starts is stopped on every error.
func run() error {
	brokers := flag.String("brokers", "", "Kafka bootstrap address (default: start one from $GENEVA_KAFKA_LIB)")
	records := flag.String("records", "100000,1000000", "archive sizes to measure, comma-separated")
	partitions := flag.Int("partitions", 6, "partitions of the objects topic")
	rounds := flag.Int("rounds", 3, "raw/report rounds per size (alternating)")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the report scans to this file")
	flag.Parse()

	addr := *brokers
	if addr == "" {
		lib := os.Getenv(kafkatest.LibEnv)
		if lib == "" {
			return fmt.Errorf("set -brokers or $%s (eval \"$(scripts/peers.sh)\")", kafkatest.LibEnv)
		}
		dir, err := os.MkdirTemp("", "report-bench-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		b, err := kafkatest.Launch(lib, dir)
		if err != nil {
			return err
		}
		defer func() { _ = b.Kill() }() // a benchmark's broker: nothing to do if it is already gone
		addr = b.Addr
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return err
		}
		profile = f
	}
	fmt.Printf("cpus %d, GOMAXPROCS %d, %s\n", runtime.NumCPU(), runtime.GOMAXPROCS(0), runtime.Version())
	for _, s := range strings.Split(*records, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 {
			return fmt.Errorf("-records: %q is not a positive number", s)
		}
		if err := measure(addr, n, *partitions, *rounds); err != nil {
			return err
		}
	}
	return nil
}

// profile, when set, receives the CPU profile of the first report scan.
var profile *os.File

func measure(addr string, n, partitions, rounds int) error {
	ctx := context.Background()
	topic := fmt.Sprintf("bench.%d.%d", n, time.Now().UnixNano())
	if err := createTopics(addr, topic, partitions); err != nil {
		return err
	}
	start := time.Now()
	bytes, err := produce(ctx, addr, topic+".objects", n)
	if err != nil {
		return err
	}
	fmt.Printf("\n%d records (%.1f MB of values) written in %s\n", n, float64(bytes)/1e6, time.Since(start).Round(time.Millisecond))
	src := report.KafkaSource{Brokers: []string{addr}, ObjectsTopic: topic + ".objects", AuditTopic: topic + ".audit"}
	parts, err := src.Partitions(ctx, src.ObjectsTopic)
	if err != nil {
		return err
	}
	for round := 1; round <= rounds; round++ {
		runtime.GC()
		raw, err := timed(func() (int64, int64, error) { return rawScan(ctx, addr, parts) })
		if err != nil {
			return err
		}
		runtime.GC()
		batch, err := timed(func() (int64, int64, error) { return rawBatchScan(ctx, addr, parts) })
		if err != nil {
			return err
		}
		runtime.GC()
		if profile != nil {
			_ = pprof.StartCPUProfile(profile)
		}
		peak := sampleHeap()
		var r *report.Report
		rep, err := timed(func() (int64, int64, error) {
			var err error
			r, err = report.Run(ctx, src, report.Options{MoU: policy.DemoMoU(), Period: report.Day}, nil)
			if err != nil {
				return 0, 0, err
			}
			return r.Scanned.ObjectRecords, r.Scanned.Bytes, nil
		})
		heap := peak()
		if profile != nil {
			pprof.StopCPUProfile()
			profile = nil // one scan's profile
		}
		if err != nil {
			return err
		}
		for _, p := range []phase{raw, batch, rep} {
			if p.records != int64(n) {
				return fmt.Errorf("a scan read %d records, want %d", p.records, n)
			}
		}
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		fmt.Printf("round %d:\n", round)
		fmt.Printf("  raw kafka.Reader      %s\n", raw)
		fmt.Printf("  raw Conn.ReadBatch    %s\n", batch)
		fmt.Printf("  geneva report         %s  = %.0f%% of kafka.Reader wall rate, %.0f%% of its rate per CPU-second\n",
			rep, 100*raw.wall.Seconds()/rep.wall.Seconds(), 100*raw.cpu.Seconds()/rep.cpu.Seconds())
		fmt.Printf("  report heap: peak in use %.1f MB during the scan, live %.1f MB after it\n", float64(heap)/1e6, float64(ms.HeapAlloc)/1e6)
	}
	return nil
}

// phase is one timed scan: wall time and this process's CPU time.
type phase struct {
	records, bytes int64
	wall, cpu      time.Duration
}

func (p phase) String() string {
	return fmt.Sprintf("%8.0f records/s %6.1f MB/s wall | %8.0f records per CPU-second", float64(p.records)/p.wall.Seconds(),
		float64(p.bytes)/1e6/p.wall.Seconds(), float64(p.records)/p.cpu.Seconds())
}

func timed(f func() (int64, int64, error)) (phase, error) {
	c0, t0 := cputime.Process(), time.Now()
	n, b, err := f()
	return phase{records: n, bytes: b, wall: time.Since(t0), cpu: cputime.Process() - c0}, err
}

// rawBatchScan reads every partition with kafka.Conn batches (the report's
// own fetch path) and only counts.
func rawBatchScan(ctx context.Context, addr string, parts []report.Partition) (int64, int64, error) {
	var n, bytes atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, len(parts))
	for _, p := range parts {
		if p.End <= p.First {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			conn, err := kafka.DialLeader(ctx, "tcp", addr, p.Topic, p.ID)
			if err != nil {
				errs <- err
				return
			}
			defer conn.Close()
			if _, err := conn.Seek(p.First, kafka.SeekAbsolute); err != nil {
				errs <- err
				return
			}
			next := p.First
			for next < p.End {
				_ = conn.SetReadDeadline(time.Now().Add(30 * time.Second))
				b := conn.ReadBatchWith(kafka.ReadBatchConfig{MinBytes: 1, MaxBytes: 16 << 20, MaxWait: 500 * time.Millisecond})
				for next < p.End {
					m, err := b.ReadMessage()
					if err != nil {
						break
					}
					next = m.Offset + 1
					n.Add(1)
					bytes.Add(int64(len(m.Value)))
				}
				if err := b.Close(); err != nil && !errors.Is(err, io.EOF) {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	return n.Load(), bytes.Load(), errors.Join(<-errs)
}

// sampleHeap samples the heap in use every 10ms until the returned
// function is called, which returns the peak.
func sampleHeap() func() uint64 {
	var peak atomic.Uint64
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > peak.Load() {
				peak.Store(ms.HeapInuse)
			}
			select {
			case <-done:
				return
			case <-time.After(10 * time.Millisecond):
			}
		}
	}()
	return func() uint64 { close(done); wg.Wait(); return peak.Load() }
}

// rawScan reads every partition to its end with plain kafka-go readers, as
// the report does, and only counts.
func rawScan(ctx context.Context, addr string, parts []report.Partition) (int64, int64, error) {
	var n, bytes atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, len(parts))
	for _, p := range parts {
		if p.End <= p.First {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := kafka.NewReader(kafka.ReaderConfig{Brokers: []string{addr}, Topic: p.Topic, Partition: p.ID,
				MinBytes: 1, MaxBytes: 16 << 20, MaxWait: 100 * time.Millisecond})
			defer r.Close()
			if err := r.SetOffset(p.First); err != nil {
				errs <- err
				return
			}
			for {
				m, err := r.ReadMessage(ctx)
				if err != nil {
					errs <- err
					return
				}
				n.Add(1)
				bytes.Add(int64(len(m.Value)))
				if m.Offset >= p.End-1 {
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	return n.Load(), bytes.Load(), errors.Join(<-errs)
}

func createTopics(addr, topic string, partitions int) error {
	conn, err := kafka.Dial("tcp", addr)
	if err != nil {
		return err
	}
	defer conn.Close()
	ctrl, err := conn.Controller()
	if err != nil {
		return err
	}
	cc, err := kafka.Dial("tcp", net.JoinHostPort(ctrl.Host, strconv.Itoa(ctrl.Port)))
	if err != nil {
		return err
	}
	defer cc.Close()
	return cc.CreateTopics(
		kafka.TopicConfig{Topic: topic + ".objects", NumPartitions: partitions, ReplicationFactor: 1},
		kafka.TopicConfig{Topic: topic + ".audit", NumPartitions: 1, ReplicationFactor: 1})
}

// produce writes n archive records shaped like the bridge's.
func produce(ctx context.Context, addr, topic string, n int) (int64, error) {
	w := &kafka.Writer{Addr: kafka.TCP(addr), Topic: topic, Balancer: &kafka.Hash{}, BatchSize: 5000,
		BatchBytes: 1000000, BatchTimeout: 5 * time.Millisecond, RequiredAcks: kafka.RequireOne}
	defer w.Close()
	senders := []string{"le-alpha", "bank-one", "isp-two", "cert-three", "anonymous", "le-bravo"}
	tlps := []string{"clear", "green", "amber", "amber+strict"}
	base := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	var bytes int64
	batch := make([]kafka.Message, 0, 10000)
	for i := range n {
		// A fixed span (one year) whatever n is: the report's keys (days ×
		// dimension values) are then the same, and only the record count grows.
		received := base.Add(time.Duration(int64(i) * int64(365*24*time.Hour) / int64(n)))
		created := received.Add(-time.Duration(i%86400) * time.Second)
		value := object(i, created)
		bytes += int64(len(value))
		batch = append(batch, kafka.Message{Key: []byte(strconv.Itoa(i)), Value: value, Headers: []kafka.Header{
			{Key: "geneva-tlp", Value: []byte(tlps[i%len(tlps)])},
			{Key: "geneva-sender", Value: []byte(senders[i%len(senders)])},
			{Key: "geneva-submission", Value: []byte("sub-" + strconv.Itoa(i/5))},
			{Key: "geneva-audience", Value: []byte("le-alpha,le-bravo,bank-one,isp-two,cert-three")},
			{Key: "geneva-received", Value: []byte(received.Format(time.RFC3339))},
			{Key: "nats-stream", Value: []byte("GENEVA_SHARE")},
			{Key: "nats-seq", Value: []byte(strconv.Itoa(i/5 + 1))},
			{Key: "geneva-object-index", Value: []byte(strconv.Itoa(i % 5))},
			{Key: "stix-type", Value: []byte("indicator")},
		}})
		if len(batch) == cap(batch) || i == n-1 {
			for {
				err := w.WriteMessages(ctx, batch...)
				if errors.Is(err, kafka.UnknownTopicOrPartition) {
					time.Sleep(100 * time.Millisecond)
					continue
				}
				if err != nil {
					return 0, err
				}
				break
			}
			batch = batch[:0]
		}
	}
	return bytes, nil
}

var (
	techniques = []string{"T1566.001", "T1059.001", "T1486", "T1190", "T1078", "T1021.001", "T1204.002"}
	families   = []string{"Emotet", "TrickBot", "QakBot", "LockBit", "Cobalt Strike", "IcedID"}
	patterns   = []string{"[ipv4-addr:value = '198.51.100.%d']", "[domain-name:value = 'host%d.example']",
		"[url:value = 'https://evil.example/%d/login']", "[file:hashes.'SHA-256' = '%064d']"}
)

// object returns one STIX object of a realistic size (400-700 bytes).
func object(i int, created time.Time) []byte {
	id := fmt.Sprintf("%08x-0000-4000-8000-%012x", i, i)
	ts := created.Format("2006-01-02T15:04:05.000Z")
	marking := `"object_marking_refs":["marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"]`
	switch i % 4 {
	case 0:
		return fmt.Appendf(nil, `{"type":"attack-pattern","spec_version":"2.1","id":"attack-pattern--%s","created":"%s","modified":"%s","name":"Technique %d","external_references":[{"source_name":"mitre-attack","external_id":"%s","url":"https://attack.mitre.org/techniques/%s"}],%s}`,
			id, ts, ts, i, techniques[i%len(techniques)], techniques[i%len(techniques)], marking)
	case 1:
		return fmt.Appendf(nil, `{"type":"malware","spec_version":"2.1","id":"malware--%s","created":"%s","modified":"%s","name":"%s","is_family":true,"malware_types":["trojan"],"description":"Observed in campaign %d against the financial sector.",%s}`,
			id, ts, ts, families[i%len(families)], i, marking)
	default:
		return fmt.Appendf(nil, `{"type":"indicator","spec_version":"2.1","id":"indicator--%s","created":"%s","modified":"%s","name":"Indicator %d","description":"Phishing infrastructure seen by a member.","pattern":"%s","pattern_type":"stix","valid_from":"%s","indicator_types":["malicious-activity"],%s}`,
			id, ts, ts, i, fmt.Sprintf(patterns[i%len(patterns)], i%250), ts, marking)
	}
}
