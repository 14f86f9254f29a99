package hub

import (
	"context"
	"fmt"

	"github.com/genevahub/geneva/hub/decide"
	"github.com/genevahub/geneva/hub/quota"
)

// The decision pipeline (policy workers, emitting, prior state) lives in
// package decide; this is the hub's side of it.

// Reason codes of a submission refused for its member's quota (package
// quota) or that the engine could not decide (package decide), under the
// names the hub has always exported.
const (
	CodeQuotaRate  = quota.CodeRate
	CodeQuotaBytes = quota.CodeBytes
	CodeHubFailure = decide.CodeHubFailure
)

// workerHost is the hub as its policy workers see it.
func (h *Hub) workerHost() decide.Host {
	return decide.Host{ID: h.id, JS: h.js, Log: h.log, Secret: h.secret, Prior: h.prior, Metrics: h.metrics,
		Workers: h.cfg.Workers, MoU: h.policy.MoU, Engine: h.policy.Engine}
}

// followPrior builds the hub's prior-state index from the stored receipts
// and keeps it current with worker nodes' receipts, once there are nodes
// (decide.PriorIndex.FollowNodes).
func (h *Hub) followPrior(ctx context.Context) (stop func(), err error) {
	kv, err := h.js.KeyValue(ctx, BucketHub)
	if err != nil {
		return nil, fmt.Errorf("prior state: %w", err)
	}
	return h.prior.FollowNodes(ctx, h.js, kv, h.id, h.log)
}

// A worker node's file and runner live with the workers (decide/node.go);
// these are the names the hub has always exported for them.
type WorkerConfig = decide.WorkerConfig

// LoadWorkerConfig is decide.LoadWorkerConfig.
func LoadWorkerConfig(path string) (WorkerConfig, error) { return decide.LoadWorkerConfig(path) }

// RunWorkers is decide.RunWorkers.
func RunWorkers(ctx context.Context, cfg WorkerConfig) error { return decide.RunWorkers(ctx, cfg) }
