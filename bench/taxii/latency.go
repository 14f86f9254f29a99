package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/genevahub/geneva/hub"
	"github.com/genevahub/geneva/hub/wire"
)

// visibility is how long an object takes from its sender's submission to
// its receiver's sight: through TAXII (POST, then a client polling the
// inbox with added_after until the object is there) and through NATS
// (publish, then the receiver's connector pulling its inbox consumer).
type visibility struct{ taxiiP50, taxiiP99, natsP50, natsP99 time.Duration }

func measureVisibility(s *server, h *hub.Hub, samples int) (visibility, error) {
	var v visibility
	var viaTAXII, viaNATS []time.Duration
	after := ""
	for range samples {
		body := indicators(1)
		id := firstID(body)
		start := time.Now()
		if _, err := post(s, body, 1, false); err != nil {
			return v, err
		}
		for {
			u := s.poll + "objects/?limit=100"
			if after != "" {
				u += "&added_after=" + url.QueryEscape(after)
			}
			var env struct{ Objects []struct{ ID string } }
			last, err := pollPage(s, u, &env)
			if err != nil {
				return v, err
			}
			if last != "" {
				after = last
			}
			if slices.ContainsFunc(env.Objects, func(o struct{ ID string }) bool { return o.ID == id }) {
				break
			}
		}
		viaTAXII = append(viaTAXII, time.Since(start))
	}
	sender, err := memberConn(h, "bank-one")
	if err != nil {
		return v, err
	}
	defer sender.Close()
	receiver, err := memberConn(h, "le-alpha")
	if err != nil {
		return v, err
	}
	defer receiver.Close()
	rjs, _ := jetstream.New(receiver)
	sjs, _ := jetstream.New(sender)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	inbox, err := rjs.Consumer(ctx, wire.StreamShare, wire.InboxConsumer("le-alpha"))
	if err != nil {
		return v, err
	}
	msgs, err := inbox.Messages()
	if err != nil {
		return v, err
	}
	defer msgs.Stop()
	for range samples {
		body := indicators(1)
		id := firstID(body)
		var env struct{ Objects []json.RawMessage }
		_ = json.Unmarshal(body, &env)
		bundle, _ := json.Marshal(map[string]any{"type": "bundle", "id": "bundle--" + strings.TrimPrefix(id, "indicator--"), "objects": env.Objects})
		start := time.Now()
		if _, err := sjs.PublishMsg(ctx, wire.SubmitMsg("bank-one", bundle, wire.SubmitOptions{})); err != nil {
			return v, err
		}
		for {
			m, err := msgs.Next()
			if err != nil {
				return v, err
			}
			_ = m.Ack()
			if strings.Contains(string(m.Data()), id) {
				break
			}
		}
		viaNATS = append(viaNATS, time.Since(start))
	}
	v.taxiiP50, v.taxiiP99 = percentile(viaTAXII, 50), percentile(viaTAXII, 99)
	v.natsP50, v.natsP99 = percentile(viaNATS, 50), percentile(viaNATS, 99)
	return v, nil
}

func firstID(envelope []byte) string {
	var env struct{ Objects []struct{ ID string } }
	_ = json.Unmarshal(envelope, &env)
	return env.Objects[0].ID
}

func memberConn(h *hub.Hub, member string) (*nats.Conn, error) {
	_, opts, err := wire.MemberOptions(wire.CredsPath(h.DataDir(), member), nil)
	if err != nil {
		return nil, err
	}
	return nats.Connect(h.ClientURL(), opts...)
}

func percentile(ds []time.Duration, p int) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[min(len(s)-1, len(s)*p/100)]
}

func (v visibility) String() string {
	return fmt.Sprintf("submission to visible at the receiver, p50 / p99: TAXII (POST, then polling the inbox) %v / %v; NATS (publish, then the inbox consumer) %v / %v",
		v.taxiiP50.Round(10*time.Microsecond), v.taxiiP99.Round(10*time.Microsecond), v.natsP50.Round(10*time.Microsecond), v.natsP99.Round(10*time.Microsecond))
}
