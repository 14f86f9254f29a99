package daemon

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
