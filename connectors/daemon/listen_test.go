package daemon_test

import (
	"net"
	"testing"

	"github.com/genevahub/geneva/hub/hubtest"
)

func listen() (net.Listener, error) { return net.Listen("tcp", "127.0.0.1:0") }

func hubtestStart(t *testing.T) *hubtest.Hub { return hubtest.StartHub(t) }
