package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/genevahub/geneva/hub"
	"github.com/genevahub/geneva/hub/hubtest"
	"github.com/genevahub/geneva/hub/wire"
	"github.com/genevahub/geneva/policy"
	"github.com/genevahub/geneva/schemas/stixtest"
)

// stateConductBundle is the GREEN case bundle plus a nation-state threat
// actor: the demo MoU holds state conduct for a person's review.
func stateConductBundle(t *testing.T) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(stixtest.SharedDir(t), "policy-cases", "green-tlp2-to-all.json"))
	require.NoError(t, err)
	var doc map[string]any
	require.NoError(t, json.Unmarshal(b, &doc))
	objs := doc["objects"].([]any)
	marking := objs[1].(map[string]any)["object_marking_refs"]
	doc["objects"] = append(objs, map[string]any{
		"type": "threat-actor", "spec_version": "2.1", "id": "threat-actor--0c7b5b88-8ff7-4a4d-aa9d-feb398cd0061",
		"created": "2026-10-15T08:30:00.000Z", "modified": "2026-10-15T08:30:00.000Z", "name": "Example State Unit",
		"threat_actor_types": []string{"nation-state"}, "object_marking_refs": marking,
	})
	out, err := json.Marshal(doc)
	require.NoError(t, err)
	return out
}

func connectMembers(t *testing.T, h *hubtest.Hub) map[string]*hubtest.Member {
	t.Helper()
	members := map[string]*hubtest.Member{}
	for _, m := range h.MoU().Members {
		members[m.ID] = h.Member(t, m.ID)
	}
	return members
}

func TestAdminReview(t *testing.T) {
	h := hubtest.StartHub(t)
	members := connectMembers(t, h)
	sender := members["cert-three"]
	bundle := stateConductBundle(t)
	conn := []string{"--server", h.ClientURL(), "--creds", wire.CredsPath(h.Dir, wire.OperatorName)}
	admin := func(t *testing.T, args ...string) (string, string, int) {
		t.Helper()
		return runCLI(t, append(append([]string{"admin", "review"}, args...), conn...)...)
	}

	sender.Submit(t, bundle, wire.SubmitOptions{})
	held := sender.NextReceipt(t, 10*time.Second)
	require.Equal(t, policy.Review, held.Verdict, "%+v", held.Reasons)
	hubtest.ExpectShares(t, members, map[string]int{}, 300*time.Millisecond)
	// The audit record of the holding decision follows the receipt.
	hubtest.Eventually(t, 10*time.Second, func() error {
		stdout, stderr, _ := admin(t, "list")
		if !strings.Contains(stdout, held.Submission) || strings.Contains(stdout, "(unknown)") {
			return fmt.Errorf("list: %s%s", stdout, stderr)
		}
		return nil
	})

	t.Run("list names the held submission and why", func(t *testing.T) {
		stdout, stderr, code := admin(t, "list")
		require.Equal(t, 0, code, stderr)
		require.Contains(t, stdout, held.Submission)
		require.Contains(t, stdout, "cert-three")
		require.NotContains(t, stdout, "(unknown)", "the reason codes come from the audit log")
		require.Contains(t, stdout, "state_conduct.review")

		stdout, stderr, code = admin(t, "list", "--output", "json")
		require.Equal(t, 0, code, stderr)
		var items []heldSubmission
		require.NoError(t, json.Unmarshal([]byte(stdout), &items))
		require.Len(t, items, 1)
		require.Equal(t, held.Submission, items[0].Submission)
		require.Equal(t, "cert-three", items[0].Member)
		require.NotEmpty(t, items[0].Reasons)
		for _, r := range held.Reasons {
			require.Contains(t, items[0].Reasons, string(r.Code))
		}
	})

	t.Run("show details it", func(t *testing.T) {
		stdout, stderr, code := admin(t, "show", held.Submission)
		require.Equal(t, 0, code, stderr)
		require.Contains(t, stdout, "sender      cert-three")
		require.Contains(t, stdout, "Example State Unit")

		stdout, stderr, code = admin(t, "show", held.Submission, "-o", "json")
		require.Equal(t, 0, code, stderr)
		var item heldSubmission
		require.NoError(t, json.Unmarshal([]byte(stdout), &item))
		require.JSONEq(t, string(bundle), string(item.Bundle))
	})

	t.Run("a member's credentials are refused", func(t *testing.T) {
		_, stderr, code := runCLI(t, "admin", "review", "list", "--server", h.ClientURL(), "--creds", wire.CredsPath(h.Dir, "bank-one"))
		require.Equal(t, 1, code)
		require.Contains(t, stderr, "not permitted: needs the hub operator's credentials")
		require.Equal(t, 1, strings.Count(stderr, "\n"), "one line: %s", stderr)
	})

	t.Run("approve releases it to the others", func(t *testing.T) {
		stdout, stderr, code := admin(t, "approve", held.Submission, "--reviewer", "duty-officer")
		require.Equal(t, 0, code, stderr)
		require.Contains(t, stdout, "approved by duty-officer")
		second := sender.NextReceipt(t, 10*time.Second)
		require.Equal(t, held.Submission, second.Submission)
		require.Equal(t, policy.Accept, second.Verdict)
		require.Equal(t, "duty-officer", second.Reviewer)
		hubtest.ExpectShares(t, members, map[string]int{"le-alpha": 1, "le-bravo": 1, "bank-one": 1, "isp-two": 1}, 300*time.Millisecond)

		stdout, _, code = admin(t, "list")
		require.Equal(t, 0, code)
		require.Equal(t, "nothing waits for review\n", stdout)
		_, stderr, code = admin(t, "approve", held.Submission)
		require.Equal(t, 1, code)
		require.Contains(t, stderr, "is not waiting for review")
	})

	t.Run("reject shares nothing and tells the sender why", func(t *testing.T) {
		sender.Submit(t, bundle, wire.SubmitOptions{})
		again := sender.NextReceipt(t, 10*time.Second)
		require.Equal(t, policy.Review, again.Verdict)
		stdout, stderr, code := admin(t, "reject", again.Submission, "--reason", "attribution not sourced", "-o", "json")
		require.Equal(t, 0, code, stderr)
		var r wire.Receipt
		require.NoError(t, json.Unmarshal([]byte(stdout), &r))
		require.Equal(t, policy.Reject, r.Verdict)
		final := sender.NextReceipt(t, 10*time.Second)
		require.Equal(t, policy.Reject, final.Verdict)
		b, _ := json.Marshal(final)
		require.Contains(t, string(b), "attribution not sourced")
		require.Contains(t, string(b), string(hub.CodeReviewRejected))
		hubtest.ExpectShares(t, members, map[string]int{}, 300*time.Millisecond)
	})

	t.Run("usage and unreachable hub", func(t *testing.T) {
		_, _, code := admin(t, "approve")
		require.Equal(t, 2, code)
		_, _, code = admin(t, "list", "extra")
		require.Equal(t, 2, code)
		_, _, code = admin(t, "list", "--output", "yaml")
		require.Equal(t, 2, code)
		_, stderr, code := runCLI(t, "admin", "review", "list", "--server", "nats://127.0.0.1:1",
			"--creds", wire.CredsPath(h.Dir, wire.OperatorName))
		require.Equal(t, 1, code, stderr)
		require.Contains(t, stderr, "is geneva-hub running there?")
	})
}

// A member added with `admin member add`, then to the MoU file, can connect
// with that file once the hub reloads, and submit.
func TestAdminMemberAdd(t *testing.T) {
	dir := t.TempDir()
	mouFile := filepath.Join(dir, "mou.yaml")
	mou := string(policy.DemoMoUYAML())
	require.NoError(t, os.WriteFile(mouFile, []byte(mou), 0o600))
	h := hubtest.StartHub(t, hubtest.WithConfig(func(c *hub.Config) { c.MoU, c.MoUFile = nil, mouFile }))

	stdout, stderr, code := runCLI(t, "admin", "member", "add", "acad-four", "--data", h.Dir)
	require.Equal(t, 0, code, stderr)
	path := wire.CredsPath(h.Dir, "acad-four")
	require.Contains(t, stdout, "created "+path)
	require.Contains(t, stdout, "add member \"acad-four\" to the MoU file")
	fi, err := os.Stat(path)
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
	created, err := os.ReadFile(path)
	require.NoError(t, err)

	// Not in the MoU yet: the hub does not know the key.
	_, err = h.Connect("acad-four")
	require.Error(t, err)

	// cert-three's entry, renamed, is the new member.
	i := strings.Index(mou, "  - id: cert-three")
	j := strings.Index(mou, "\nrules:")
	require.True(t, i > 0 && j > i)
	entry := strings.NewReplacer("id: cert-three", "id: acad-four", "name: CERT Three", "name: Academia Four",
		"identity--1195cc95-0b6e-5315-a54a-aea41944c2b4", "identity--5d5e8b0e-0c6a-4c44-9d0b-3f6f8e0e6a41").Replace(mou[i:j])
	require.NoError(t, os.WriteFile(mouFile, []byte(mou[:j]+"\n"+entry+mou[j:]), 0o600))
	require.NoError(t, h.Reload(t.Context()))

	after, err := os.ReadFile(path)
	require.NoError(t, err)
	require.Equal(t, created, after, "the hub keeps the key member add wrote")
	acad := h.Member(t, "acad-four") // connects with the file member add wrote
	green, err := os.ReadFile(filepath.Join(stixtest.SharedDir(t), "policy-cases", "green-tlp2-to-all.json"))
	require.NoError(t, err)
	acad.Submit(t, green, wire.SubmitOptions{})
	r := acad.NextReceipt(t, 10*time.Second)
	require.Equal(t, "acad-four", r.Member)
	require.Equal(t, policy.Accept, r.Verdict, "%+v", r.Reasons)
	require.Empty(t, acad.Errors())

	t.Run("an existing file is kept unless --force", func(t *testing.T) {
		_, stderr, code := runCLI(t, "admin", "member", "add", "acad-four", "--data", h.Dir)
		require.Equal(t, 2, code)
		require.Contains(t, stderr, "--force")
		kept, _ := os.ReadFile(path)
		require.Equal(t, created, kept)
		stdout, stderr, code := runCLI(t, "admin", "member", "add", "acad-four", "--data", h.Dir, "--force", "-o", "json")
		require.Equal(t, 0, code, stderr)
		var res memberAdded
		require.NoError(t, json.Unmarshal([]byte(stdout), &res))
		require.True(t, res.Replaced)
		replaced, _ := os.ReadFile(path)
		require.NotEqual(t, created, replaced)
		require.Contains(t, string(replaced), res.PublicKey)

		// After the reload only the new key is trusted: the old connection is cut.
		require.NoError(t, h.Reload(t.Context()))
		hubtest.Eventually(t, 10*time.Second, func() error {
			if !acad.NC.IsClosed() {
				return fmt.Errorf("acad-four is still connected with the replaced key")
			}
			return nil
		})
		fresh := h.Member(t, "acad-four")
		fresh.Submit(t, green, wire.SubmitOptions{})
		require.Equal(t, "acad-four", fresh.NextReceipt(t, 10*time.Second).Member)
	})

	t.Run("bad ids and missing --data are usage errors", func(t *testing.T) {
		for _, args := range [][]string{
			{"Bad_ID", "--data", h.Dir}, {"x", "--data", h.Dir}, {strings.Repeat("a", 33), "--data", h.Dir},
			{"operator", "--data", h.Dir}, {"new-member"}, {},
		} {
			_, stderr, code := runCLI(t, append([]string{"admin", "member", "add"}, args...)...)
			require.Equal(t, 2, code, "%v: %s", args, stderr)
		}
		_, err := os.Stat(wire.CredsPath(h.Dir, "Bad_ID"))
		require.ErrorIs(t, err, os.ErrNotExist)
	})
}
