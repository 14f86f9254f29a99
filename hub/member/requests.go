package member

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/genevahub/geneva/hub"
	"github.com/genevahub/geneva/hub/requests"
)

// Requests asks the hub's request tracker: "list" the requests the member
// sent or received, "show" one, or "close" one it sent. The states come
// back one per (request, recipient).
func (c *Client) Requests(ctx context.Context, q hub.RequestsQuery) ([]requests.State, error) {
	ctx, cancel := c.call(ctx)
	defer cancel()
	started := time.Now()
	body, err := json.Marshal(q)
	if err != nil {
		return nil, err
	}
	msg, err := c.nc.RequestWithContext(ctx, hub.RequestsService(c.member), body)
	if err != nil {
		return nil, c.explain(ctx, "requests", started, err)
	}
	var resp hub.RequestsReply
	if err := json.Unmarshal(msg.Data, &resp); err != nil {
		return nil, fmt.Errorf("requests: the hub's answer is not JSON: %w", err)
	}
	if resp.Error != "" {
		return nil, errors.New("requests: " + resp.Error)
	}
	return resp.Requests, nil
}
