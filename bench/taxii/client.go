package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/genevahub/geneva/hub/wire"
)

// The timed submissions run in a child process of this program
// (-client), so that the CPU read of the hub's process (this one) is the
// hub's alone, as medallion's is its own: in this process, the Go
// client's JSON and HTTP work was a tenth of the hub's figure for single
// POSTs and a fifth for envelopes.

// clientJob is what the child does: TAXII POSTs (as posts does), or
// submissions through NATS each waiting for its receipt (NATSURL set).
type clientJob struct {
	Post, Root, Auth string
	NATSURL, Creds   string
	Count, N         int
	Async            bool
	Seq              int // the indicators' sequence so far: ids stay unique across processes
}

type clientResult struct {
	Rate  float64 // objects per second
	Seq   int
	Error string
}

// outside runs job in a child and returns its rate and the objects per
// CPU-second of s's process meanwhile.
func outside(s *server, job clientJob) (rate, perCPU float64, err error) {
	if job.Count == 0 {
		return 0, 0, nil
	}
	job.Seq = seq
	in, _ := json.Marshal(job)
	exe, err := os.Executable()
	if err != nil {
		return 0, 0, err
	}
	cmd := exec.Command(exe, "-client")
	cmd.Stdin, cmd.Stderr = bytes.NewReader(in), os.Stderr
	cpu0 := s.cpu()
	out, err := cmd.Output()
	cpu := s.cpu() - cpu0
	if err != nil {
		return 0, 0, fmt.Errorf("client process: %w", err)
	}
	var res clientResult
	if err := json.Unmarshal(out, &res); err != nil {
		return 0, 0, fmt.Errorf("client process: %w: %q", err, out)
	}
	seq = res.Seq
	if res.Error != "" {
		return 0, 0, fmt.Errorf("client process: %s", res.Error)
	}
	return res.Rate, float64(job.N*job.Count) / cpu.Seconds(), nil
}

// postsOutside is posts in a child process.
func postsOutside(s *server, count, n int, async bool) (rate, perCPU float64, err error) {
	req, _ := http.NewRequest("GET", s.post, nil)
	s.postAuth(req)
	return outside(s, clientJob{Post: s.post, Root: s.root, Auth: req.Header.Get("Authorization"), Count: count, N: n, Async: async})
}

// runClient is the child: it reads a clientJob on stdin and writes a
// clientResult on stdout.
func runClient() {
	var job clientJob
	var res clientResult
	err := json.NewDecoder(os.Stdin).Decode(&job)
	if err == nil {
		seq = job.Seq
		if job.NATSURL != "" {
			res.Rate, err = submitThroughNATS(job)
		} else {
			s := &server{post: job.Post, root: job.Root, postAuth: func(r *http.Request) { r.Header.Set("Authorization", job.Auth) },
				cpu: func() time.Duration { return time.Nanosecond }}
			res.Rate, _, err = posts(s, job.Count, job.N, job.Async)
		}
	}
	if err != nil {
		res.Error = err.Error()
	}
	res.Seq = seq
	_ = json.NewEncoder(os.Stdout).Encode(res)
}

// submitThroughNATS is the same single-object submission as a TAXII POST,
// through NATS: the member publishes to its intake and waits for its
// receipt on its receipt consumer before the next, as geneva submit does.
func submitThroughNATS(job clientJob) (float64, error) {
	member, opts, err := wire.MemberOptions(job.Creds, nil)
	if err != nil {
		return 0, err
	}
	conn, err := nats.Connect(job.NATSURL, opts...)
	if err != nil {
		return 0, err
	}
	defer conn.Close()
	js, err := jetstream.New(conn)
	if err != nil {
		return 0, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	c, err := js.Consumer(ctx, wire.StreamReceipt, wire.ReceiptConsumer(member))
	if err != nil {
		return 0, err
	}
	receipts, err := c.Messages()
	if err != nil {
		return 0, err
	}
	defer receipts.Stop()
	start := time.Now()
	for range job.Count {
		body := indicators(1) // {"objects":[…]}, as posted through TAXII
		id := firstID(body)
		bundle := append([]byte(`{"type":"bundle","id":"bundle--`+strings.TrimPrefix(id, "indicator--")+`",`), body[1:]...)
		if _, err := js.PublishMsg(ctx, wire.SubmitMsg(member, bundle, wire.SubmitOptions{})); err != nil {
			return 0, err
		}
		m, err := receipts.Next()
		if err != nil {
			return 0, err
		}
		_ = m.Ack()
		var rc struct {
			Objects []struct {
				ID     string
				Shared bool
			}
		}
		if err := json.Unmarshal(m.Data(), &rc); err != nil || len(rc.Objects) != 1 || rc.Objects[0].ID != id || !rc.Objects[0].Shared {
			return 0, fmt.Errorf("receipt %s for %s", m.Data(), id)
		}
	}
	return float64(job.Count) / time.Since(start).Seconds(), nil
}
