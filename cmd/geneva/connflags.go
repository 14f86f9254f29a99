package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/genevahub/geneva/hub/member"
)

// localServer is where geneva-hub listens by default (hub.DefaultNATSListen).
const localServer = "nats://127.0.0.1:4222"

// connFlags are how a command finds the hub and the member's credentials:
// each of --server and --creds comes from its flag, else its environment
// twin (GENEVA_SERVER, GENEVA_CREDS), else the context (--context,
// GENEVA_CONTEXT, or the one `geneva context use` selected); the server
// defaults to the local hub.
type connFlags struct {
	server, creds, context string
}

func addConnFlags(cmd *cobra.Command) *connFlags { return connFlagsOn(cmd, cmd.Flags()) }

// connFlagsOn adds the connection flags to f (cmd's own or persistent
// flags).
func connFlagsOn(cmd *cobra.Command, f *pflag.FlagSet) *connFlags {
	c := &connFlags{}
	f.StringVar(&c.server, "server", "", "hub URL (env GENEVA_SERVER; default from the context, else "+localServer+")")
	f.StringVar(&c.creds, "creds", "", "the member's credentials file (env GENEVA_CREDS; default from the context)")
	f.StringVar(&c.context, "context", "", "use this named context (env GENEVA_CONTEXT; default the selected one)")
	_ = cmd.RegisterFlagCompletionFunc("context", completeContexts)
	return c
}

// resolve applies flags, environment and context, in that order.
func (c *connFlags) resolve() (server, creds string, err error) {
	server, creds = c.server, c.creds
	if server == "" {
		server = os.Getenv("GENEVA_SERVER")
	}
	if creds == "" {
		creds = os.Getenv("GENEVA_CREDS")
	}
	name := c.context
	if name == "" {
		name = os.Getenv("GENEVA_CONTEXT")
	}
	if name == "" && (server == "" || creds == "") {
		if name, err = selectedContext(); err != nil {
			return "", "", err
		}
	}
	if name != "" {
		hc, err := loadContext(name)
		if err != nil {
			return "", "", usageError(err)
		}
		if server == "" {
			server = hc.Server
		}
		if creds == "" {
			creds = hc.Creds
		}
	}
	if server == "" {
		server = localServer
	}
	if creds == "" {
		return "", "", usageError(errors.New("no credentials: give --creds FILE, set GENEVA_CREDS, or select a context (geneva context add NAME --server URL --creds FILE --select)"))
	}
	return server, creds, nil
}

// dial connects as the member; a missing creds file is a usage error.
func (c *connFlags) dial(ctx context.Context, timeout time.Duration) (*member.Client, error) {
	server, creds, err := c.resolve()
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(creds); err != nil {
		return nil, usageError(fmt.Errorf("creds: %w", err))
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	return member.Dial(ctx, server, creds)
}

// noArgs makes an argument to a command that takes none a usage error.
func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return usageError(fmt.Errorf("%s: unexpected argument %q (it takes only flags; see --help)", commandName(cmd), args[0]))
	}
	return nil
}
