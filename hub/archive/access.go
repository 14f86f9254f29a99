package archive

import (
	"crypto/x509"
	"errors"
	"net"
	"strings"

	"github.com/segmentio/kafka-go"
)

// accessProblem tells which settings to check when err says the broker
// and the bridge did not accept each other's SASL or TLS settings; "" for
// any other error. Retrying does not fix these, but the bridge retries
// anyway: the fix may come on the broker's side.
func accessProblem(err error) string {
	var unknownCA x509.UnknownAuthorityError
	var hostname x509.HostnameError
	var op *net.OpError
	switch {
	case errors.Is(err, kafka.SASLAuthenticationFailed):
		return "the broker refused the SASL login: check sasl.username, sasl.password_file and that the user has credentials for sasl.mechanism"
	case errors.Is(err, kafka.UnsupportedSASLMechanism), errors.Is(err, kafka.IllegalSASLState):
		return "the listener does not offer sasl.mechanism (or no SASL at all): check sasl.mechanism and the broker port"
	case errors.As(err, &unknownCA):
		return "the broker's certificate is not signed by tls.ca_file (or, without it, the system roots)"
	case errors.As(err, &hostname):
		return "the broker's certificate does not name the address dialled: check brokers or tls.server_name"
	case strings.Contains(err.Error(), "broker appears to be expecting TLS"): // kafka-go's guess, no error type
		return "the listener expects TLS: add a tls block (tls: {} trusts the system roots)"
	case errors.As(err, &op) && op.Op == "remote error":
		return "the broker refused the TLS handshake: check tls.cert_file and tls.key_file (a listener with ssl.client.auth=required needs a client certificate its truststore trusts)"
	}
	return ""
}
