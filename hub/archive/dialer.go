package archive

import (
	"time"

	"github.com/segmentio/kafka-go"
)

// Dialer is a kafka-go Dialer with the SASL and TLS settings of c, for the
// archive's readers (geneva report): the same settings as the bridge's.
func (c Config) Dialer(clientID string) (*kafka.Dialer, error) {
	mech, err := c.SASL.mechanism()
	if err != nil {
		return nil, err
	}
	return &kafka.Dialer{Timeout: 10 * time.Second, DualStack: true, ClientID: clientID,
		SASLMechanism: mech, TLS: c.TLS}, nil
}
