package member

import (
	"context"
	"errors"

	"github.com/genevahub/geneva/hub/directory"
	"github.com/genevahub/geneva/hub/wire"
)

// Directory asks the hub's directory for the active members matching q,
// sorted by id.
func (c *Client) Directory(ctx context.Context, q directory.Query) ([]directory.Member, error) {
	var resp directory.Response
	if err := c.ask(ctx, "directory", wire.SubjectDirectory, q, &resp); err != nil {
		return nil, err
	}
	if resp.Error != "" {
		return nil, errors.New("directory: " + resp.Error)
	}
	if resp.Members == nil {
		resp.Members = []directory.Member{}
	}
	return resp.Members, nil
}
