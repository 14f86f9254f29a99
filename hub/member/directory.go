package member

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/genevahub/geneva/hub"
	"github.com/genevahub/geneva/hub/directory"
)

// Directory asks the hub's directory for the active members matching q,
// sorted by id.
func (c *Client) Directory(ctx context.Context, q directory.Query) ([]directory.Member, error) {
	ctx, cancel := c.call(ctx)
	defer cancel()
	started := time.Now()
	body, err := json.Marshal(q)
	if err != nil {
		return nil, err
	}
	msg, err := c.nc.RequestWithContext(ctx, hub.SubjectDirectory, body)
	if err != nil {
		return nil, c.explain(ctx, "directory", started, err)
	}
	var resp directory.Response
	if err := json.Unmarshal(msg.Data, &resp); err != nil {
		return nil, fmt.Errorf("directory: the hub's answer is not JSON: %w", err)
	}
	if resp.Error != "" {
		return nil, errors.New("directory: " + resp.Error)
	}
	if resp.Members == nil {
		resp.Members = []directory.Member{}
	}
	return resp.Members, nil
}
