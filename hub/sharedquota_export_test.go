package hub

import (
	"context"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/genevahub/geneva/policy"
)

// QuotaCharger charges a submission the way one hub process's gate does.
type QuotaCharger func(member string, q policy.Quota, size int, t time.Time) (policy.Code, error)

// NewSharedQuotaCharger is one cluster hub process's quota account
// (sharedquota.go) on js, for black-box tests of several at once.
func NewSharedQuotaCharger(ctx context.Context, js jetstream.JetStream) (QuotaCharger, error) {
	s, err := newSharedQuota(ctx, js, "quota")
	if err != nil {
		return nil, err
	}
	return func(member string, q policy.Quota, size int, t time.Time) (policy.Code, error) {
		code, _, err := s.charge(member, q, size, t)
		return code, err
	}, nil
}

// NewSharedQuotaChargerAhead is NewSharedQuotaCharger with a wait for the
// refill ahead in flight (if any) of a member's lease to land.
func NewSharedQuotaChargerAhead(ctx context.Context, js jetstream.JetStream) (QuotaCharger, func(member string), error) {
	s, err := newSharedQuota(ctx, js, "quota")
	if err != nil {
		return nil, nil, err
	}
	charge := func(member string, q policy.Quota, size int, t time.Time) (policy.Code, error) {
		code, _, err := s.charge(member, q, size, t)
		return code, err
	}
	wait := func(member string) {
		s.mu.Lock()
		var refill chan struct{}
		if l := s.leases[member]; l != nil {
			refill = l.refill
		}
		s.mu.Unlock()
		if refill != nil {
			<-refill
		}
	}
	return charge, wait, nil
}
