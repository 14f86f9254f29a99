package webhook_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/genevahub/geneva/connectors"
	"github.com/genevahub/geneva/connectors/connectortest"
	_ "github.com/genevahub/geneva/connectors/webhook"
	"github.com/genevahub/geneva/policy"
	"github.com/genevahub/geneva/policy/tlp"
	"github.com/genevahub/geneva/schemas"
	"github.com/genevahub/geneva/schemas/stixtest"
)

func freeAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	return addr
}

func deps() connectors.Deps {
	return connectors.Deps{Member: "bank-one", MoU: policy.DemoMoU()}
}

func TestConformance(t *testing.T) {
	spec, err := connectors.Default.Lookup("webhook")
	require.NoError(t, err)
	addr := freeAddr(t)
	connectortest.Run(t, connectortest.Case{Spec: spec,
		Source: []byte(`{"listen":"` + addr + `","path":"/intake","token":"s3cret","wait":"5s"}`),
		Sink:   []byte(`{"url":"http://` + addr + `/intake","token":"s3cret","timeout":"20s"}`),
		Deps:   deps()})
}

// intake starts a webhook source and a reader that settles every envelope
// with settle; it returns the URL and the envelopes read.
func intake(t *testing.T, settle func(connectors.Envelope) error) (string, <-chan connectors.Envelope) {
	t.Helper()
	return intakeWith(t, `"path":"/report","wait":"3s"`, deps(), settle)
}

// intakeWith is intake with more options (JSON members after "listen")
// and deps.
func intakeWith(t testing.TB, options string, d connectors.Deps, settle func(connectors.Envelope) error) (string, <-chan connectors.Envelope) {
	t.Helper()
	spec, _ := connectors.Default.Lookup("webhook")
	addr := freeAddr(t)
	src, err := spec.NewSource([]byte(`{"listen":"`+addr+`",`+options+`}`), d)
	require.NoError(t, err)
	got := make(chan connectors.Envelope, 16)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			env, ack, err := src.Read(ctx)
			if err != nil {
				return
			}
			select {
			case got <- env:
			default: // a test that nacks forever does not read them
			}
			_ = ack(ctx, settle(env))
		}
	}()
	t.Cleanup(func() { cancel(); _ = src.Close(context.Background()); <-done })
	url := "http://" + addr + "/report"
	require.Eventually(t, func() bool {
		resp, err := http.Get(url) // GET is not routed: 405 once listening
		if err == nil {
			resp.Body.Close()
		}
		return err == nil
	}, 5*time.Second, 10*time.Millisecond)
	return url, got
}

func post(t *testing.T, url, body string) (int, map[string]any) {
	t.Helper()
	resp, err := http.Post(url, "application/json", strings.NewReader(body))
	require.NoError(t, err)
	defer resp.Body.Close()
	var out map[string]any
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&out))
	return resp.StatusCode, out
}

const report = `{"title":"Phishing wave against bank customers","description":"SMS lure to a fake login page",
 "occurred":"2026-11-20T09:15:00Z","tlp":"amber",
 "indicators":[{"type":"url","value":"https://login.example-bank.test/verify"},{"type":"ipv4","value":"198.51.100.7"},
   {"type":"domain","value":"example-bank.test"},{"type":"sha256","value":"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"}]}`

func TestIncidentReportBecomesValidSTIX(t *testing.T) {
	url, got := intake(t, func(connectors.Envelope) error { return nil })
	code, body := post(t, url, report)
	require.Equal(t, http.StatusAccepted, code, "%v", body)
	env := <-got
	var b struct {
		Objects []map[string]any `json:"objects"`
	}
	require.NoError(t, json.Unmarshal(env.Body, &b))
	count := map[string]int{}
	for _, o := range b.Objects {
		count[o["type"].(string)]++
		if o["type"] != "marking-definition" {
			require.Equal(t, []any{tlp.IDTLP2Amber}, o["object_marking_refs"], "every object carries the report's TLP")
			require.Equal(t, "identity--77009411-84ad-5afa-a7f2-75748f36ad3f", o["created_by_ref"], "bank-one's identity")
		}
	}
	require.Equal(t, map[string]int{"marking-definition": 1, "incident": 1, "indicator": 4, "sighting": 4, "relationship": 4}, count)

	// Our validator finds nothing wrong, not even a warning.
	_, rep := schemas.NewValidator(schemas.Options{}).Validate(env.Body)
	require.True(t, rep.Valid(), "%+v", rep.Errors)
	require.Empty(t, rep.Warnings)

	// The member would be allowed to share it: the policy engine accepts it.
	eng, err := policy.NewEngine(policy.DemoMoU())
	require.NoError(t, err)
	d := eng.Decide(policy.Request{Sender: "bank-one", Bundle: env.Body})
	require.Equal(t, policy.Accept, d.Verdict, "%+v", d.Reasons)

	// And the OASIS validator agrees it is valid STIX 2.1.
	validator := stixtest.Peer(t, "GENEVA_STIX2_VALIDATOR")
	file := filepath.Join(t.TempDir(), "report.json")
	require.NoError(t, os.WriteFile(file, env.Body, 0o600))
	out, err := exec.Command(validator, "--strict-types", file).CombinedOutput()
	require.NoError(t, err, "stix2_validator: %s", out)

	// The same report posted again is the same bundle id (a duplicate downstream).
	code, _ = post(t, url, report)
	require.Equal(t, http.StatusAccepted, code)
	require.Equal(t, env.ID, (<-got).ID)
}

func TestIncidentReportProblemsAllAtOnce(t *testing.T) {
	url, _ := intake(t, func(connectors.Envelope) error { return nil })
	code, body := post(t, url, `{"title":"","occurred":"yesterday","tlp":"purple","indicators":[{"type":"ip","value":"1.2.3.4"},{"type":"ipv4","value":"999.1.1.1"}]}`)
	require.Equal(t, http.StatusBadRequest, code)
	require.Equal(t, []any{"/title: required", `/occurred: "yesterday" is not an RFC 3339 time`,
		`/tlp: unknown TLP level "purple" (want clear, green, amber, amber+strict or red)`,
		`/indicators/0/type: "ip" is not one of ipv4, ipv6, domain, url, email, md5, sha1, sha256`,
		`/indicators/1/value: "999.1.1.1" is not a valid ipv4`}, body["problems"])
	code, body = post(t, url, `{"title":"x","occurred":"2026-11-20T09:15:00Z","severity":"high"}`)
	require.Equal(t, http.StatusBadRequest, code)
	require.Contains(t, body["problems"].([]any)[0], `unknown field "severity"`)
	code, _ = post(t, url, `not json`)
	require.Equal(t, http.StatusBadRequest, code)
}

func TestBundleRefusedAtPreflightGets422(t *testing.T) {
	url, _ := intake(t, func(connectors.Envelope) error {
		return &connectors.RefusedError{Reasons: []policy.Reason{{Code: "classified.banner", Pointer: "/objects/1/name", Message: "classified banner"}}}
	})
	code, body := post(t, url, string(connectortest.Bundle("refused")))
	require.Equal(t, http.StatusUnprocessableEntity, code)
	require.Equal(t, "refused", body["status"])
	require.Contains(t, body["reasons"].([]any)[0].(map[string]any)["code"], "classified.banner")
}

func TestNotSpooledInTimeGets503(t *testing.T) {
	url, _ := intake(t, func(connectors.Envelope) error { return connectors.ErrSpoolFull })
	start := time.Now()
	resp, err := http.Post(url, "application/json", bytes.NewReader(connectortest.Bundle("busy")))
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
	require.Equal(t, "5", resp.Header.Get("Retry-After"))
	require.GreaterOrEqual(t, time.Since(start), 3*time.Second, "the request waits up to `wait` for the spool")
}

func TestSinkPostsNDJSONWithTokenAndRetriesOnError(t *testing.T) {
	var calls []string
	fails := 1
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var buf bytes.Buffer
		_, _ = buf.ReadFrom(r.Body)
		calls = append(calls, r.Header.Get("Authorization")+" "+r.Header.Get("Content-Type")+" "+buf.String())
		if fails > 0 {
			fails--
			http.Error(w, "busy", http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()
	spec, _ := connectors.Default.Lookup("webhook")
	k, err := spec.NewSink([]byte(`{"url":"http://`+ln.Addr().String()+`/siem","format":"ndjson","token":"t0k"}`), deps())
	require.NoError(t, err)
	defer k.Close(context.Background())
	env := connectors.Envelope{ID: "bundle--1", Body: connectortest.Bundle("nd")}
	err = k.Write(t.Context(), env)
	require.ErrorContains(t, err, "503 Service Unavailable: busy", "a failure is an error the runtime retries")
	require.NoError(t, k.Write(t.Context(), env))
	require.Len(t, calls, 2)
	require.True(t, strings.HasPrefix(calls[1], "Bearer t0k application/x-ndjson {\"type\":\"indicator\""), calls[1])
}

func TestBadOptionsAllAtOnce(t *testing.T) {
	spec, _ := connectors.Default.Lookup("webhook")
	_, err := spec.NewSink([]byte(`{"format":"xml","timeout":"-1s"}`), deps())
	require.EqualError(t, err, "url: required\nformat: \"xml\" is not bundle or ndjson\ntimeout: must be positive")
	_, err = spec.NewSource([]byte(`{"listen":"nowhere","path":"intake"}`), deps())
	require.EqualError(t, err, "listen: \"nowhere\" is not host:port\npath: \"intake\" must start with /")
}
