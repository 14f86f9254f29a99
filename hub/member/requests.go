package member

import (
	"context"
	"errors"

	"github.com/genevahub/geneva/hub/requests"
	"github.com/genevahub/geneva/hub/wire"
)

// Requests asks the hub's request tracker: "list" the requests the member
// sent or received, "show" one, or "close" one it sent. The states come
// back one per (request, recipient).
func (c *Client) Requests(ctx context.Context, q wire.RequestsQuery) ([]requests.State, error) {
	var resp wire.RequestsReply
	if err := c.ask(ctx, "requests", wire.RequestsService(c.member), q, &resp); err != nil {
		return nil, err
	}
	if resp.Error != "" {
		return nil, errors.New("requests: " + resp.Error)
	}
	return resp.Requests, nil
}
