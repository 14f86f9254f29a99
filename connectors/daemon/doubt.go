package daemon

import (
	"context"
	"time"

	"github.com/genevahub/geneva/hub/member"
)

// A publish whose PubAck never came (a timeout, the connection lost as the
// hub answered: a leaf node's WAN link going down) may or may not have
// stored the submission. Sending it again with the same Nats-Msg-Id is
// harmless only within the intake's dedup window (the hub's
// intake_dedup_window, 2 minutes by default); after a longer outage it
// would be stored and decided twice. So an item in doubt is sent again
// only once the hub says it does not have it (geneva.svc.submitted). The
// normal path asks nothing.

// inDoubt is the head of the queue while its last publishes' outcome is
// unknown, and when the first of them started.
type inDoubt struct {
	id    string
	since time.Time
}

func (d inDoubt) of(id string) bool { return d.id != "" && d.id == id }

// after records a failed publish of id started at attempted: in doubt
// (since the first such publish) unless the hub answered it, which says
// it stored nothing (a quota refusal, a stream error).
func (d inDoubt) after(id string, attempted time.Time, err error) inDoubt {
	if d.of(id) {
		return d
	}
	if member.Answered(err) {
		return inDoubt{}
	}
	return inDoubt{id: id, since: attempted}
}

// startingDoubt: at start the head of the queue is in doubt, as the
// previous run may have published it and stopped (or crashed) before its
// PubAck was recorded. Only the head: items are sent one at a time, in
// order. The search starts when it was spooled.
func (c *Connector) startingDoubt() inDoubt {
	it, ok, _, err := c.spool.Next()
	if err != nil || !ok {
		return inDoubt{}
	}
	return inDoubt{id: it.ID, since: it.Queued}
}

// hubHas asks the hub whether it has the submission id, sent at the
// earliest at since.
func (c *Connector) hubHas(ctx context.Context, id string, since time.Time) (bool, error) {
	actx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	r, err := c.hub.Submitted(actx, id, since)
	if err != nil {
		return false, err
	}
	if r.Stored {
		c.log.Info("the hub has a submission whose PubAck was lost: not sent again", "id", id, "submission", r.Submission)
	} else {
		c.log.Info("the hub does not have a submission whose PubAck was lost: sending it again", "id", id)
	}
	return r.Stored, nil
}
