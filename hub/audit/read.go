package audit

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Reads of the audit stream on a cluster (direct gets are off there, see
// hub's replicated streams) go to $JS.API.STREAM.MSG.GET, which the
// stream's leader answers with the message and every replica whose RAFT
// group has no leader in its view answers at once with 503 "JetStream
// system temporarily unavailable". A replica catching up after a restart
// or a healed partition is such a one for a while, and its 503 usually
// arrives first: taking the first answer, as a plain request does, failed
// every decision of a hub connected to that node although the leader
// answered too. So a read waits past 503s for the leader, until every
// replica has said 503 or leaderGrace has passed since the first.

// leaderGrace bounds the wait for the leader's answer after a 503.
const leaderGrace = 2 * time.Second

// codeClusterNotAvailable is nats-server's JSClusterNotAvailErr.
const codeClusterNotAvailable jetstream.ErrorCode = 10008

// msgGetResponse is $JS.API.STREAM.MSG.GET's answer.
type msgGetResponse struct {
	Message *struct {
		Subject  string    `json:"subject"`
		Sequence uint64    `json:"seq"`
		Header   []byte    `json:"hdrs"`
		Data     []byte    `json:"data"`
		Time     time.Time `json:"time"`
	} `json:"message"`
	Error *jetstream.APIError `json:"error"`
}

// read gets one message of the stream: by sequence (seq > 0) or the last
// on subject; from the leader on a replicated stream.
func (l *Log) read(ctx context.Context, seq uint64, subject string) (*jetstream.RawStreamMsg, error) {
	switch {
	case l.oneInFlight:
		return l.readFromLeader(ctx, seq, subject)
	case seq > 0:
		return l.stream.GetMsg(ctx, seq)
	}
	return l.stream.GetLastMsgForSubject(ctx, subject)
}

// readFromLeader gets one message of the stream: by sequence (seq > 0) or
// the last on subject.
func (l *Log) readFromLeader(ctx context.Context, seq uint64, subject string) (*jetstream.RawStreamMsg, error) {
	req := map[string]any{"seq": seq}
	if seq == 0 {
		req = map[string]any{"last_by_subj": subject}
	}
	body, err := json.Marshal(req)
	if err != nil {
		return nil, err
	}
	nc := l.js.Conn()
	inbox := nc.NewRespInbox()
	sub, err := nc.SubscribeSync(inbox)
	if err != nil {
		return nil, err
	}
	defer func() { _ = sub.Unsubscribe() }()
	if err := nc.PublishRequest(l.apiPrefix()+"STREAM.MSG.GET."+l.name, inbox, body); err != nil {
		return nil, err
	}
	replicas := max(l.stream.CachedInfo().Config.Replicas, 1)
	var unavailable error
	for seen := 0; ; {
		m, err := sub.NextMsgWithContext(ctx)
		if err != nil {
			if unavailable != nil {
				return nil, unavailable
			}
			return nil, err
		}
		if len(m.Data) == 0 && m.Header.Get("Status") == "503" {
			return nil, nats.ErrNoResponders
		}
		var resp msgGetResponse
		if err := json.Unmarshal(m.Data, &resp); err != nil {
			return nil, fmt.Errorf("stream msg get: %w", err)
		}
		switch {
		case resp.Error != nil && resp.Error.ErrorCode == codeClusterNotAvailable:
			if seen++; seen >= replicas {
				return nil, resp.Error // no replica knows a leader
			}
			if unavailable == nil {
				unavailable = resp.Error
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, leaderGrace)
				defer cancel()
			}
			continue
		case resp.Error != nil && resp.Error.ErrorCode == jetstream.JSErrCodeMessageNotFound:
			return nil, jetstream.ErrMsgNotFound
		case resp.Error != nil:
			return nil, resp.Error
		case resp.Message == nil:
			return nil, jetstream.ErrInvalidJetStreamResponse
		}
		msg := &jetstream.RawStreamMsg{Subject: resp.Message.Subject, Sequence: resp.Message.Sequence,
			Data: resp.Message.Data, Time: resp.Message.Time}
		if len(resp.Message.Header) > 0 {
			if msg.Header, err = nats.DecodeHeadersMsg(resp.Message.Header); err != nil {
				return nil, fmt.Errorf("stream msg get: headers: %w", err)
			}
		}
		return msg, nil
	}
}

// apiPrefix is where the Log's JetStream context sends API requests.
func (l *Log) apiPrefix() string {
	o := l.js.Options()
	switch {
	case o.APIPrefix != "":
		if !strings.HasSuffix(o.APIPrefix, ".") {
			return o.APIPrefix + "."
		}
		return o.APIPrefix
	case o.Domain != "":
		return "$JS." + o.Domain + ".API."
	}
	return "$JS.API."
}
