// Package member is the member side of a Geneva hub: connect with a
// member's credentials, submit bundles and wait for their receipts, follow
// what policy routes to the member in real time, read receipts and the
// directory. The geneva CLI and the connector build on it. It never prints
// and never exits; every failure is an error that says what to do.
package member

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/genevahub/geneva/hub/wire"
)

// DefaultTimeout bounds a call whose context has no deadline (nats.go's
// habit for request/reply).
const DefaultTimeout = 30 * time.Second

// Client is one member's connection to a hub. It is safe for concurrent
// use. The connection reconnects on its own (a hub restart is not the end
// of a subscription); calls made while the hub is away fail with their
// context's deadline.
type Client struct {
	member string
	server string
	nc     *nats.Conn
	js     jetstream.JetStream
	domain string // DialOptions.JetStreamDomain

	mu        sync.Mutex
	violation error                            // the last permission violation the server reported
	waiting   map[*int]context.CancelCauseFunc // calls in flight, ended early by a violation
	reconnect []chan string                    // one per live subscription: "reconnect" or "slow" (deliveries dropped)
	onError   func(error)                      // DialOptions.OnError
}

// Dial connects to the hub at server (a nats:// URL; several may be
// comma-separated) as the member whose creds file is credsFile. The
// connection uses the member's private inbox prefix, the only reply
// subjects its permissions allow.
func Dial(ctx context.Context, server, credsFile string) (*Client, error) {
	return DialWith(ctx, server, credsFile, DialOptions{})
}

// DialOptions are what a long-running client (the connector daemon) adds
// to Dial.
type DialOptions struct {
	TLS *tls.Config // the hub's CA and a client certificate; nil: as the URL says
	// Retry starts the client while the hub is away: the first connection
	// is retried in the background like a reconnection, and calls made
	// meanwhile wait for it within their deadline.
	Retry        bool
	OnConnect    func()      // (re)connected
	OnDisconnect func(error) // the connection dropped (err may be nil)
	OnError      func(error) // what the server reports out of band (a permission violation, explained)
	// JetStreamDomain is the hub cluster's JetStream domain, for a client
	// behind a leaf node at the member's site: its JetStream API calls (the
	// inbox and receipt consumers) go to $JS.<domain>.API, the only prefix
	// that crosses the leaf connection (docs/operating.md "Leaf nodes").
	// "" (the default) for a client connected to the hub itself.
	JetStreamDomain string
}

// DialWith is Dial with o.
func DialWith(ctx context.Context, server, credsFile string, o DialOptions) (*Client, error) {
	if err := wire.CheckJetStreamDomain(o.JetStreamDomain); err != nil {
		return nil, err
	}
	c := &Client{server: server, domain: o.JetStreamDomain, waiting: map[*int]context.CancelCauseFunc{}, onError: o.OnError}
	member, opts, err := wire.MemberOptions(credsFile, c.asyncError)
	if err != nil {
		return nil, err
	}
	c.member = member
	timeout := DefaultTimeout
	if d, ok := ctx.Deadline(); ok {
		timeout = max(time.Until(d), time.Millisecond)
	}
	opts = append(opts,
		nats.Timeout(min(timeout, 10*time.Second)),
		nats.MaxReconnects(-1), // a subscription outlives hub restarts
		nats.ReconnectWait(250*time.Millisecond),
		nats.ReconnectJitter(100*time.Millisecond, time.Second),
		nats.ReconnectHandler(func(*nats.Conn) {
			c.reconnected()
			if o.OnConnect != nil {
				o.OnConnect()
			}
		}),
	)
	if o.TLS != nil {
		opts = append(opts, nats.Secure(o.TLS))
	}
	if o.Retry {
		opts = append(opts, nats.RetryOnFailedConnect(true))
	}
	if o.OnConnect != nil {
		opts = append(opts, nats.ConnectHandler(func(*nats.Conn) { o.OnConnect() }))
	}
	if o.OnDisconnect != nil {
		opts = append(opts, nats.DisconnectErrHandler(func(_ *nats.Conn, err error) { o.OnDisconnect(err) }))
	}
	nc, err := nats.Connect(server, opts...)
	if err != nil {
		return nil, dialError(server, credsFile, member, err)
	}
	c.nc = nc
	if o.JetStreamDomain != "" {
		c.js, err = jetstream.NewWithDomain(nc, o.JetStreamDomain)
	} else {
		c.js, err = jetstream.New(nc)
	}
	if err != nil {
		nc.Close()
		return nil, err
	}
	return c, nil
}

// Member is the member id the creds file speaks for.
func (c *Client) Member() string { return c.member }

// Server is the URL the client was given.
func (c *Client) Server() string { return c.server }

// Close drops the connection; live subscriptions end.
func (c *Client) Close() { c.nc.Close() }

// Drain lets what is in flight finish (acks, publishes), then closes.
func (c *Client) Drain() error { return c.nc.Drain() }

// Connected says whether the connection to the hub is up now.
func (c *Client) Connected() bool { return c.nc.IsConnected() }

// MaxPayload is the largest message the hub takes (its NATS
// max_payload), 0 before the first connection.
func (c *Client) MaxPayload() int64 { return c.nc.MaxPayload() }

// asyncError takes what the server or the client library reports out of
// band. A subscription that dropped deliveries (its buffer was full) is
// told, so it resumes at once rather than at the next heartbeat.
func (c *Client) asyncError(err error) {
	if c.onError != nil {
		c.onError(err)
	}
	switch {
	case errors.Is(err, nats.ErrSlowConsumer):
		c.notify("slow")
	case errors.Is(err, wire.ErrNotPermitted):
		c.recordViolation(err)
	}
}

// recordViolation keeps a permission violation and ends the calls in
// flight with it: NATS would let a refused request run into its timeout.
func (c *Client) recordViolation(err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.violation = err
	for _, cancel := range c.waiting {
		cancel(err)
	}
}

// takeViolation returns (and forgets) the last permission violation.
func (c *Client) takeViolation() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	err := c.violation
	c.violation = nil
	return err
}

func (c *Client) reconnected() { c.notify("reconnect") }

// notify tells every live subscription what happened.
func (c *Client) notify(what string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, ch := range c.reconnect {
		select {
		case ch <- what:
		default: // a notice is pending; the subscription checks its state anyway
		}
	}
}

func (c *Client) watchReconnects() chan string {
	ch := make(chan string, 1)
	c.mu.Lock()
	c.reconnect = append(c.reconnect, ch)
	c.mu.Unlock()
	return ch
}

func (c *Client) unwatchReconnects(ch chan string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for i, w := range c.reconnect {
		if w == ch {
			c.reconnect = append(c.reconnect[:i], c.reconnect[i+1:]...)
			return
		}
	}
}

// call prepares a call to the hub: DefaultTimeout when ctx has no
// deadline, and an early end when the server reports a permission
// violation.
func (c *Client) call(ctx context.Context) (context.Context, context.CancelFunc) {
	if _, ok := ctx.Deadline(); !ok {
		var cancelTimeout context.CancelFunc
		ctx, cancelTimeout = context.WithTimeout(ctx, DefaultTimeout)
		inner, cancel := c.callWithCause(ctx)
		return inner, func() { cancel(); cancelTimeout() }
	}
	return c.callWithCause(ctx)
}

func (c *Client) callWithCause(ctx context.Context) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancelCause(ctx)
	key := new(int)
	c.mu.Lock()
	c.waiting[key] = cancel
	c.mu.Unlock()
	return ctx, func() {
		c.mu.Lock()
		delete(c.waiting, key)
		c.mu.Unlock()
		cancel(nil)
	}
}

// explain turns what went wrong talking to the hub into an error a person
// can act on: a permission violation the server reported meanwhile wins
// (NATS shows a refused request as a timeout), then "no answer".
func (c *Client) explain(ctx context.Context, what string, started time.Time, err error) error {
	if err == nil {
		return nil
	}
	if v := context.Cause(ctx); errors.Is(v, wire.ErrNotPermitted) {
		_ = c.takeViolation() // the cause is that violation: clear it
		return fmt.Errorf("%s: %w", what, v)
	}
	if v := c.takeViolation(); v != nil {
		return fmt.Errorf("%s: %w", what, v)
	}
	if errors.Is(err, context.Canceled) && ctx.Err() == context.Canceled {
		return err
	}
	if isNoAnswer(err) {
		return &NoAnswerError{Server: c.server, What: what, After: time.Since(started).Round(time.Second)}
	}
	return fmt.Errorf("%s: %w", what, err)
}

func isNoAnswer(err error) bool {
	return errors.Is(err, context.DeadlineExceeded) || errors.Is(err, nats.ErrTimeout) ||
		errors.Is(err, nats.ErrNoResponders) || errors.Is(err, jetstream.ErrNoStreamResponse) ||
		errors.Is(err, nats.ErrConnectionClosed) || errors.Is(err, nats.ErrConnectionReconnecting) ||
		errors.Is(err, nats.ErrNoServers) || errors.Is(err, nats.ErrDisconnected)
}

// closedError says why the connection closed for good. nats.go closes it
// when the hub refuses the credentials on reconnect, which is what happens
// to a member the MoU suspends or removes.
func (c *Client) closedError(what string) error {
	if err := c.nc.LastError(); err != nil && isAuthError(err) {
		return fmt.Errorf("%s: %w by the hub at %s for %q: the member was suspended or removed from the MoU (ask the hub's operator)",
			what, ErrRefused, c.server, c.member)
	}
	return fmt.Errorf("%s: connection closed", what)
}

func isAuthError(err error) bool {
	return errors.Is(err, nats.ErrAuthorization) || strings.Contains(strings.ToLower(err.Error()), "authorization violation")
}

func dialError(server, credsFile, member string, err error) error {
	switch {
	case isAuthError(err):
		return fmt.Errorf("connect: %w by the hub at %s: %q in %s (a suspended member, or creds of another hub?)",
			ErrRefused, server, member, credsFile)
	case errors.Is(err, nats.ErrNoServers) || isNoAnswer(err) || strings.Contains(err.Error(), "connection refused"):
		return &NoAnswerError{Server: server, What: "connect"}
	}
	return fmt.Errorf("connect to %s: %w", server, err)
}

// ask sends q as JSON to one of the hub's services and decodes its answer
// into reply; what names the service in errors.
func (c *Client) ask(ctx context.Context, what, subject string, q, reply any) error {
	ctx, cancel := c.call(ctx)
	defer cancel()
	started := time.Now()
	body, err := json.Marshal(q)
	if err != nil {
		return err
	}
	msg, err := c.nc.RequestWithContext(ctx, subject, body)
	if err != nil {
		return c.explain(ctx, what, started, err)
	}
	if err := json.Unmarshal(msg.Data, reply); err != nil {
		return fmt.Errorf("%s: the hub's answer is not JSON: %w", what, err)
	}
	return nil
}
