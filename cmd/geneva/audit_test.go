package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/nats-io/jwt/v2"
	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/nats-io/nkeys"
	"github.com/stretchr/testify/require"

	"github.com/genevahub/geneva/hub/audit"
	"github.com/genevahub/geneva/hub/hubtest"
	"github.com/genevahub/geneva/hub/wire"
	"github.com/genevahub/geneva/schemas/stixtest"
)

// The whole path: a real hub decides a submission and audits it; the
// operator's credentials file that geneva-hub wrote verifies the chain.
func TestAuditVerifyOnARealHub(t *testing.T) {
	h := hubtest.StartHub(t)
	bundle, err := os.ReadFile(filepath.Join(stixtest.SharedDir(t), "policy-cases", "green-tlp2-to-all.json"))
	require.NoError(t, err)
	bank := h.Member(t, "bank-one")
	bank.Submit(t, bundle, wire.SubmitOptions{})
	bank.NextReceipt(t, 15*time.Second)
	bank.Submit(t, bundle, wire.SubmitOptions{Anonymous: true})
	bank.NextReceipt(t, 15*time.Second)

	op := h.Member(t, wire.OperatorName)
	s, err := op.JS.Stream(t.Context(), wire.StreamAudit)
	require.NoError(t, err)
	// The hub appends the audit record after it publishes the receipt.
	hubtest.Eventually(t, 10*time.Second, func() error {
		info, err := s.Info(t.Context())
		if err == nil && info.State.Msgs != 2 {
			err = fmt.Errorf("%d audit records, want 2", info.State.Msgs)
		}
		return err
	})
	last, err := s.GetLastMsgForSubject(t.Context(), wire.SubjectAudit)
	require.NoError(t, err)
	var head audit.Record
	require.NoError(t, json.Unmarshal(last.Data, &head))
	operatorCreds := wire.CredsPath(h.Dir, wire.OperatorName)

	t.Run("flags", func(t *testing.T) {
		stdout, stderr, code := runCLI(t, "audit", "verify", "--server", h.ClientURL(), "--creds", operatorCreds)
		require.Equal(t, 0, code, stderr)
		require.Equal(t, fmt.Sprintf("audit chain verified: 2 records, head %s\n", head.Hash), stdout)
	})
	t.Run("environment", func(t *testing.T) {
		t.Setenv("GENEVA_SERVER", h.ClientURL())
		t.Setenv("GENEVA_CREDS", operatorCreds)
		stdout, stderr, code := runCLI(t, "audit", "verify", "--json")
		require.Equal(t, 0, code, stderr)
		require.JSONEq(t, fmt.Sprintf(`{"verified":true,"stream":"GENEVA_AUDIT","records":2,"first_seq":1,"last_seq":2,"head":%q}`, head.Hash), stdout)
	})
	t.Run("a member's credentials cannot read the audit", func(t *testing.T) {
		stdout, stderr, code := runCLI(t, "audit", "verify", "--server", h.ClientURL(), "--creds", wire.CredsPath(h.Dir, "bank-one"))
		require.Equal(t, 1, code)
		require.Empty(t, stdout)
		require.Contains(t, stderr, "not permitted")
		require.Contains(t, stderr, "needs the hub operator's credentials")
	})
	t.Run("no credentials", func(t *testing.T) {
		_, stderr, code := runCLI(t, "audit", "verify", "--server", h.ClientURL())
		require.Equal(t, 1, code)
		require.Equal(t, fmt.Sprintf("geneva: connect to %s: the hub refused the credentials (no --creds given)\n", h.ClientURL()), stderr)
	})
}

// seedFile writes a bare NKey user seed (no "# member:" line, no JWT) and
// returns its path and public key.
func seedFile(t *testing.T) (string, string) {
	t.Helper()
	kp, err := nkeys.CreateUser()
	require.NoError(t, err)
	seed, err := kp.Seed()
	require.NoError(t, err)
	pub, err := kp.PublicKey()
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "operator.nk")
	require.NoError(t, os.WriteFile(path, append(seed, '\n'), 0o600))
	return path, pub
}

// startAuditServer starts a JetStream server that admits only the NKey
// user pub and returns its URL.
func startAuditServer(t *testing.T, pub string) string {
	t.Helper()
	s, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: -1, JetStream: true,
		StoreDir: t.TempDir(), NoLog: true, NoSigs: true, Nkeys: []*server.NkeyUser{{Nkey: pub}}})
	require.NoError(t, err)
	s.Start()
	if !s.ReadyForConnections(5 * time.Second) {
		t.Fatal("nats server not ready after 5s")
	}
	t.Cleanup(func() { s.Shutdown(); s.WaitForShutdown() })
	return s.ClientURL()
}

func TestAuditVerifyFindsTampering(t *testing.T) {
	seed, pub := seedFile(t)
	url := startAuditServer(t, pub)
	auth, err := nats.NkeyOptionFromSeed(seed)
	require.NoError(t, err)
	nc, err := nats.Connect(url, auth)
	require.NoError(t, err)
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	require.NoError(t, err)

	l, err := audit.Open(t.Context(), js, wire.StreamAudit, wire.SubjectAudit)
	require.NoError(t, err)
	for i := range 5 {
		_, err := l.Append(t.Context(), audit.Record{Member: "isp-two", Submission: fmt.Sprintf("s%d", i),
			Verdict: "reject", Reasons: []string{"tlp.unmarked"}, Action: "decide", Actor: "policy"}, fmt.Sprintf("s%d/audit", i))
		require.NoError(t, err)
	}
	// A copy where record 3 now claims another verdict.
	src, err := js.Stream(t.Context(), wire.StreamAudit)
	require.NoError(t, err)
	_, err = js.CreateStream(t.Context(), jetstream.StreamConfig{Name: "AUDIT_COPY", Subjects: []string{"copy.audit"}})
	require.NoError(t, err)
	for seq := uint64(1); seq <= 5; seq++ {
		m, err := src.GetMsg(t.Context(), seq)
		require.NoError(t, err)
		body := m.Data
		if seq == 3 {
			body = regexp.MustCompile(`"verdict":"reject"`).ReplaceAll(body, []byte(`"verdict":"accept"`))
		}
		_, err = js.Publish(t.Context(), "copy.audit", body)
		require.NoError(t, err)
	}

	t.Run("the original verifies", func(t *testing.T) {
		stdout, stderr, code := runCLI(t, "audit", "verify", "--server", url, "--creds", seed)
		require.Equal(t, 0, code, stderr)
		require.Regexp(t, `^audit chain verified: 5 records, head [0-9a-f]{64}\n$`, stdout)
	})
	t.Run("the tampered copy names the record", func(t *testing.T) {
		stdout, stderr, code := runCLI(t, "audit", "verify", "--server", url, "--creds", seed, "--stream", "AUDIT_COPY")
		require.Equal(t, 1, code)
		require.Empty(t, stderr)
		require.Regexp(t, `^audit chain broken at sequence 3: stored hash [0-9a-f]{16}… does not match the record's content`, stdout)
		require.Contains(t, stdout, "records 1 to 2 verified; the chain cannot be trusted from sequence 3 on\n")
	})
	t.Run("as JSON", func(t *testing.T) {
		stdout, _, code := runCLI(t, "audit", "verify", "--server", url, "--creds", seed, "--stream", "AUDIT_COPY", "--json")
		require.Equal(t, 1, code)
		var rep auditReport
		require.NoError(t, json.Unmarshal([]byte(stdout), &rep))
		require.False(t, rep.Verified)
		require.Equal(t, uint64(2), rep.Records)
		require.Equal(t, uint64(3), rep.Broken.Seq)
	})
	t.Run("no such stream", func(t *testing.T) {
		_, stderr, code := runCLI(t, "audit", "verify", "--server", url, "--creds", seed, "--stream", "NOPE")
		require.Equal(t, 1, code)
		require.Equal(t, fmt.Sprintf("geneva: audit verify: no stream \"NOPE\" on %s (is geneva-hub running there?)\n", url), stderr)
	})
	t.Run("wrong key", func(t *testing.T) {
		other, _ := seedFile(t)
		_, stderr, code := runCLI(t, "audit", "verify", "--server", url, "--creds", other)
		require.Equal(t, 1, code)
		require.Contains(t, stderr, "the hub refused the credentials in "+other)
	})
}

func TestAuditVerifyUsage(t *testing.T) {
	garbage := filepath.Join(t.TempDir(), "x.creds")
	require.NoError(t, os.WriteFile(garbage, []byte("not a key\n"), 0o600))
	cases := map[string]struct {
		args []string
		want string
	}{
		"an argument":        {[]string{"audit", "verify", "GENEVA_AUDIT"}, `geneva: audit verify: unexpected argument "GENEVA_AUDIT" (it takes only flags)` + "\n"},
		"unknown flag":       {[]string{"audit", "verify", "--sever", "x"}, "geneva: unknown flag: --sever\n"},
		"missing creds file": {[]string{"audit", "verify", "--creds", "/nonexistent/op.creds"}, "geneva: creds: open /nonexistent/op.creds: no such file or directory\n"},
		"not a creds file": {[]string{"audit", "verify", "--creds", garbage},
			"geneva: creds " + garbage + ": neither a NATS .creds file (user JWT and seed) nor an NKey user seed: nkeys: no nkey seed found\n"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			stdout, stderr, code := runCLI(t, c.args...)
			require.Equal(t, 2, code)
			require.Empty(t, stdout)
			require.Equal(t, c.want, stderr)
		})
	}
}

func TestAuditVerifyNoHub(t *testing.T) {
	_, stderr, code := runCLI(t, "audit", "verify", "--server", "nats://127.0.0.1:1")
	require.Equal(t, 1, code)
	require.Contains(t, stderr, "geneva: connect to nats://127.0.0.1:1: ")
	require.Contains(t, stderr, "(is geneva-hub running there?)")
}

// A NATS .creds file (user JWT and seed), as a hub running NATS accounts
// would issue: the server runs in operator mode with a JetStream account.
func TestAuditVerifyWithJWTCreds(t *testing.T) {
	okp, err := nkeys.CreateOperator()
	require.NoError(t, err)
	opub, err := okp.PublicKey()
	require.NoError(t, err)
	oc := jwt.NewOperatorClaims(opub)
	_, err = oc.Encode(okp) // signs oc
	require.NoError(t, err)

	account := func(jetStream bool) (nkeys.KeyPair, string, string) {
		kp, err := nkeys.CreateAccount()
		require.NoError(t, err)
		pub, err := kp.PublicKey()
		require.NoError(t, err)
		ac := jwt.NewAccountClaims(pub)
		if jetStream {
			ac.Limits.JetStreamLimits = jwt.JetStreamLimits{MemoryStorage: -1, DiskStorage: -1, Streams: -1, Consumer: -1}
		}
		token, err := ac.Encode(okp)
		require.NoError(t, err)
		return kp, pub, token
	}
	_, sysPub, sysJWT := account(false) // the system account may not use JetStream
	akp, apub, ajwt := account(true)
	resolver := &server.MemAccResolver{}
	require.NoError(t, resolver.Store(sysPub, sysJWT))
	require.NoError(t, resolver.Store(apub, ajwt))

	ukp, err := nkeys.CreateUser()
	require.NoError(t, err)
	upub, err := ukp.PublicKey()
	require.NoError(t, err)
	useed, err := ukp.Seed()
	require.NoError(t, err)
	ujwt, err := jwt.NewUserClaims(upub).Encode(akp)
	require.NoError(t, err)
	creds, err := jwt.FormatUserConfig(ujwt, useed)
	require.NoError(t, err)
	credsFile := filepath.Join(t.TempDir(), "operator.creds")
	require.NoError(t, os.WriteFile(credsFile, creds, 0o600))

	s, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: -1, JetStream: true,
		StoreDir: t.TempDir(), NoLog: true, NoSigs: true, SystemAccount: sysPub,
		TrustedOperators: []*jwt.OperatorClaims{oc}, AccountResolver: resolver})
	require.NoError(t, err)
	s.Start()
	if !s.ReadyForConnections(5 * time.Second) {
		t.Fatal("nats server not ready after 5s")
	}
	t.Cleanup(func() { s.Shutdown(); s.WaitForShutdown() })

	nc, err := nats.Connect(s.ClientURL(), nats.UserCredentials(credsFile))
	require.NoError(t, err)
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	require.NoError(t, err)
	l, err := audit.Open(t.Context(), js, wire.StreamAudit, wire.SubjectAudit)
	require.NoError(t, err)
	r, err := l.Append(t.Context(), audit.Record{Member: "le-alpha", Action: "decide", Verdict: "accept"}, "s1/audit")
	require.NoError(t, err)

	stdout, stderr, code := runCLI(t, "audit", "verify", "--server", s.ClientURL(), "--creds", credsFile)
	require.Equal(t, 0, code, stderr)
	require.Equal(t, "audit chain verified: 1 records, head "+r.Hash+"\n", stdout)
}
