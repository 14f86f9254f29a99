package daemon_test

import (
	"bytes"
	"net"
	"sync"
	"testing"
)

// linkProxy is a TCP link between a client and a NATS server that a test
// can break the way a WAN link breaks: the server's answers to one publish
// lost on the way back, then the link down for as long as the test says.
type linkProxy struct {
	ln     net.Listener
	target string

	mu      sync.Mutex
	down    bool
	conns   []net.Conn
	trigger []byte        // the next client write containing it mutes the server's answers
	tripped chan struct{} // closed when that write went through
}

func newLinkProxy(t *testing.T, target string) *linkProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &linkProxy{ln: ln, target: target}
	go p.accept()
	t.Cleanup(func() { _ = ln.Close(); p.cut() })
	return p
}

// URL is where the client connects.
func (p *linkProxy) URL() string { return "nats://" + p.ln.Addr().String() }

// loseAnswersAfter makes the next client write containing trigger the
// last one answered: it reaches the server, nothing the server sends
// afterwards reaches the client. tripped is closed once it went through.
func (p *linkProxy) loseAnswersAfter(trigger []byte) (tripped <-chan struct{}) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.trigger, p.tripped = trigger, make(chan struct{})
	return p.tripped
}

// cut drops every connection and refuses new ones until restore.
func (p *linkProxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.down = true
	for _, c := range p.conns {
		_ = c.Close()
	}
	p.conns = nil
}

func (p *linkProxy) restore() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.down = false
}

func (p *linkProxy) accept() {
	for {
		client, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		down := p.down
		p.mu.Unlock()
		if down {
			_ = client.Close()
			continue
		}
		server, err := net.Dial("tcp", p.target)
		if err != nil {
			_ = client.Close()
			continue
		}
		p.mu.Lock()
		p.conns = append(p.conns, client, server)
		p.mu.Unlock()
		muted := make(chan struct{})
		go p.clientToServer(client, server, muted)
		go serverToClient(server, client, muted)
	}
}

func (p *linkProxy) clientToServer(client, server net.Conn, muted chan struct{}) {
	defer server.Close()
	buf := make([]byte, 64<<10)
	for {
		n, err := client.Read(buf)
		if n > 0 {
			p.mu.Lock()
			trip := p.trigger != nil && bytes.Contains(buf[:n], p.trigger)
			tripped := p.tripped
			if trip {
				p.trigger = nil
				close(muted) // before the write: the answer must not get through
			}
			p.mu.Unlock()
			if _, werr := server.Write(buf[:n]); werr != nil {
				return
			}
			if trip {
				close(tripped)
			}
		}
		if err != nil {
			return
		}
	}
}

func serverToClient(server, client net.Conn, muted chan struct{}) {
	defer client.Close()
	buf := make([]byte, 64<<10)
	for {
		n, err := server.Read(buf)
		select {
		case <-muted:
			n = 0 // lost on the way back
		default:
		}
		if n > 0 {
			if _, werr := client.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}
