package daemon

import "github.com/genevahub/geneva/hub/member"

// HubDialOptions are the member client options cfg gives.
func HubDialOptions(cfg *Config) (member.DialOptions, error) { return hubDialOptions(cfg) }

// PreflightCheck is the pre-flight decision on bundle, nil when it may be sent.
func (c *Connector) PreflightCheck(bundle []byte) error {
	if _, refused := c.preflight.Check(bundle); refused != nil {
		return refused
	}
	return nil
}

// MoUVersion is the version of the MoU pre-flight decides with.
func (c *Connector) MoUVersion() string {
	v, _ := c.mouState.current()
	return v
}
