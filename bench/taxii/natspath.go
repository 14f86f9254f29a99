package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/genevahub/geneva/hub/wire"
)

// natsPath is the same single-object submission as a TAXII POST, through
// NATS: bank-one publishes to its intake and waits for its receipt on its
// receipt consumer before the next, as geneva submit does. Its CPU per
// submission, beside a single POST's, is what the TAXII layer adds.
type natsPath struct {
	rate, cpuPerSub float64 // submissions per second; CPU-µs per submission (hub and client)
}

func measureNATSPath(count int) (natsPath, error) {
	var r natsPath
	s, err := startHub()
	if err != nil {
		return r, err
	}
	defer s.stop()
	conn, err := memberConn(s.hub, "bank-one")
	if err != nil {
		return r, err
	}
	defer conn.Close()
	js, err := jetstream.New(conn)
	if err != nil {
		return r, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	c, err := js.Consumer(ctx, wire.StreamReceipt, wire.ReceiptConsumer("bank-one"))
	if err != nil {
		return r, err
	}
	receipts, err := c.Messages()
	if err != nil {
		return r, err
	}
	defer receipts.Stop()
	submit := func() error {
		body := indicators(1) // {"objects":[…]}, as posted through TAXII
		id := firstID(body)
		bundle := append([]byte(`{"type":"bundle","id":"bundle--`+strings.TrimPrefix(id, "indicator--")+`",`), body[1:]...)
		if _, err := js.PublishMsg(ctx, wire.SubmitMsg("bank-one", bundle, wire.SubmitOptions{})); err != nil {
			return err
		}
		m, err := receipts.Next()
		if err != nil {
			return err
		}
		_ = m.Ack()
		var rc struct {
			Verdict string
			Objects []struct {
				ID     string
				Shared bool
			}
		}
		if err := json.Unmarshal(m.Data(), &rc); err != nil || len(rc.Objects) != 1 || rc.Objects[0].ID != id || !rc.Objects[0].Shared {
			return fmt.Errorf("receipt %s for %s", m.Data(), id)
		}
		return nil
	}
	for range warmUp {
		if err := submit(); err != nil {
			return r, err
		}
	}
	start, cpu0 := time.Now(), s.cpu()
	for range count {
		if err := submit(); err != nil {
			return r, err
		}
	}
	r.rate = float64(count) / time.Since(start).Seconds()
	r.cpuPerSub = float64((s.cpu() - cpu0).Microseconds()) / float64(count)
	return r, nil
}

// reportNATSPath prints the hub's CPU per single submission through TAXII
// (a POST answered complete) and through NATS, medians of the runs; and,
// beside medallion's single POSTs, the NATS path's rate and CPU: the
// ceiling of a TAXII POST, which is that path plus HTTP.
func reportNATSPath(results [][]result, runs []natsPath) {
	if len(runs) == 0 || len(results) == 0 || len(results[0]) == 0 {
		return
	}
	medianOf := func(f func(natsPath) float64) float64 {
		xs := make([]result, len(runs)) // median reads results: f's value as .single
		for i, r := range runs {
			xs[i].single = f(r)
		}
		return median(xs, func(r result) float64 { return r.single })
	}
	viaTAXII := median(results[0], func(r result) float64 { return 1e6 / r.cpu[0] })
	viaNATS, natsRate := medianOf(func(r natsPath) float64 { return r.cpuPerSub }), medianOf(func(r natsPath) float64 { return r.rate })
	fmt.Printf("\nCPU-µs of the hub's process (client included) per single-object submission, medians of %d: through TAXII (POST answered complete) %.0f, through NATS (publish, then its receipt) %.0f: TAXII adds %.0f.\n",
		len(runs), viaTAXII, viaNATS, viaTAXII-viaNATS)
	if len(results) < 2 {
		return
	}
	peerRate := median(results[1], func(r result) float64 { return r.single })
	peerCPU := median(results[1], func(r result) float64 { return r.cpu[0] })
	fmt.Printf("Through NATS, one at a time: %.0f submissions/s, %.1f× medallion's single POSTs (%.0f obj/s); per CPU-second %.1f× (medallion %.0f CPU-µs a POST): the most a single TAXII POST could reach.\n",
		natsRate, natsRate/peerRate, peerRate, 1e6/viaNATS/peerCPU, 1e6/peerCPU)
}

// loadAverage is the machine's 1-minute load average, as /proc says.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	return strings.Fields(string(b))[0]
}
