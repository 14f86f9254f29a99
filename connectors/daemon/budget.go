package daemon

import "github.com/genevahub/geneva/connectors"

// SizeLimit is the largest bundle the hub can take: the MoU's max_bytes
// and, once connected, the hub's NATS max_payload less HeaderRoom. One
// budget end to end: sources refuse what exceeds it before answering,
// pre-flight refuses it, and the outbound queue dead-letters it.
func (c *Connector) SizeLimit() int64 {
	limit := int64(c.mouMaxBytes)
	if c.hub != nil {
		if mp := c.hub.MaxPayload(); mp > 0 {
			limit = min(limit, mp-connectors.HeaderRoom)
		}
	}
	return limit
}
