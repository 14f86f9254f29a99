package member_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/genevahub/geneva/hub/hubtest"
	"github.com/genevahub/geneva/hub/member"
	"github.com/genevahub/geneva/hub/member/membertest"
	"github.com/genevahub/geneva/hub/wire"
	"github.com/genevahub/geneva/policy"
)

func ctxFor(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

func TestSubmitWaitsForTheReceipt(t *testing.T) {
	h := hubtest.StartHub(t)
	bank := membertest.Dial(t, h, "bank-one")
	require.Equal(t, "bank-one", bank.Member())

	t.Run("accepted", func(t *testing.T) {
		res, err := bank.Submit(ctxFor(t, 10*time.Second), membertest.Indicator(t, "green", "Phish A"), member.SubmitOptions{})
		require.NoError(t, err)
		require.NotNil(t, res.Receipt)
		require.Equal(t, policy.Accept, res.Receipt.Verdict)
		require.Equal(t, res.MsgID, res.Receipt.MsgID)
		require.NotZero(t, res.Sequence)
		require.NotEmpty(t, res.Receipt.Routes)
	})
	t.Run("rejected, with reasons and pointers", func(t *testing.T) {
		res, err := bank.Submit(ctxFor(t, 10*time.Second), membertest.Indicator(t, "red", "Phish B"), member.SubmitOptions{})
		require.NoError(t, err)
		require.Equal(t, policy.Reject, res.Receipt.Verdict)
		var pointers []string
		for _, o := range res.Receipt.Objects {
			for _, r := range o.Reasons {
				pointers = append(pointers, r.Pointer)
			}
		}
		require.NotEmpty(t, pointers)
	})
	t.Run("no wait", func(t *testing.T) {
		res, err := bank.Submit(ctxFor(t, 10*time.Second), membertest.Indicator(t, "green", "Phish C"), member.SubmitOptions{NoWait: true})
		require.NoError(t, err)
		require.Nil(t, res.Receipt)
		require.NotZero(t, res.Sequence)
	})
	t.Run("too big for the hub", func(t *testing.T) {
		_, err := bank.Submit(ctxFor(t, 10*time.Second), make([]byte, 9<<20), member.SubmitOptions{})
		require.EqualError(t, err, "submit: the bundle is 9437184 bytes; the hub at "+h.ClientURL()+" accepts at most 8388608 (its max_payload)")
	})
	t.Run("concurrent submissions each get their own receipt", func(t *testing.T) {
		other := membertest.Dial(t, h, "bank-one")
		errs := make(chan error, 2)
		ids := make(chan string, 2)
		for _, c := range []*member.Client{bank, other} {
			go func() {
				res, err := c.Submit(ctxFor(t, 20*time.Second), membertest.Indicator(t, "green", "Concurrent"), member.SubmitOptions{})
				if err == nil && res.Receipt.MsgID != res.MsgID {
					err = errors.New("receipt of another submission")
				}
				errs <- err
				ids <- res.MsgID
			}()
		}
		require.NoError(t, <-errs)
		require.NoError(t, <-errs)
		require.NotEqual(t, <-ids, <-ids)
	})
}

func TestSubmitToAHubThatDoesNotAnswer(t *testing.T) {
	h := hubtest.StartHub(t)
	creds := wire.CredsPath(h.Dir, "bank-one")
	url := h.ClientURL()
	require.NoError(t, h.Stop())

	_, err := member.Dial(ctxFor(t, 5*time.Second), url, creds)
	var na *member.NoAnswerError
	require.ErrorAs(t, err, &na)
	require.Equal(t, "connect: no answer from the hub at "+url+" (is geneva-hub running?)", err.Error())
}

func TestSubmitTimesOutWhenTheHubGoesAway(t *testing.T) {
	h := hubtest.StartHub(t)
	bank := membertest.Dial(t, h, "bank-one")
	require.NoError(t, h.Stop())
	start := time.Now()
	_, err := bank.Submit(ctxFor(t, time.Second), membertest.Indicator(t, "green", "Lost"), member.SubmitOptions{})
	var na *member.NoAnswerError
	require.ErrorAs(t, err, &na, "%v", err)
	require.Less(t, time.Since(start), 3*time.Second)
	require.Contains(t, err.Error(), "no answer from the hub at "+h.ClientURL()+" within")
	require.Contains(t, err.Error(), "(is geneva-hub running?)")
}

// A creds file that claims another member's name publishes where its key
// may not: the permission violation comes back as a clear error, not a
// timeout.
func TestSubmitNotPermitted(t *testing.T) {
	h := hubtest.StartHub(t)
	data, err := os.ReadFile(wire.CredsPath(h.Dir, "bank-one"))
	require.NoError(t, err)
	forged := filepath.Join(t.TempDir(), "forged.creds")
	require.NoError(t, os.WriteFile(forged, []byte(strings.Replace(string(data), "# member: bank-one", "# member: le-alpha", 1)), 0o600))
	c, err := member.Dial(ctxFor(t, 5*time.Second), h.ClientURL(), forged)
	require.NoError(t, err)
	defer c.Close()
	_, err = c.Submit(ctxFor(t, 3*time.Second), membertest.Indicator(t, "green", "Forged"), member.SubmitOptions{})
	require.ErrorIs(t, err, member.ErrNotPermitted)
	require.Contains(t, err.Error(), "not permitted")
	require.Contains(t, err.Error(), "Permissions Violation")
}

func TestDialRefusedCredentials(t *testing.T) {
	h := hubtest.StartHub(t)
	other := hubtest.StartHub(t)
	_, err := member.Dial(ctxFor(t, 5*time.Second), h.ClientURL(), wire.CredsPath(other.Dir, "bank-one"))
	require.ErrorIs(t, err, member.ErrRefused)
	require.Equal(t, "connect: credentials refused by the hub at "+h.ClientURL()+": \"bank-one\" in "+wire.CredsPath(other.Dir, "bank-one")+" (a suspended member, or creds of another hub?)", err.Error())
}
