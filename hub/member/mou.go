package member

import (
	"context"
	"errors"

	"github.com/genevahub/geneva/hub/wire"
)

// MoU asks the hub for the MoU in force as members see it
// (wire.MoUService). known is the version held ("" for none): while it is
// still in force the reply carries no YAML.
func (c *Client) MoU(ctx context.Context, known string) (wire.MoUReply, error) {
	var r wire.MoUReply
	if err := c.ask(ctx, "the hub's MoU service", wire.MoUService(c.member), wire.MoURequest{Known: known}, &r); err != nil {
		return r, err
	}
	if r.Error != "" {
		return r, errors.New("the hub's MoU service: " + r.Error)
	}
	return r, nil
}
