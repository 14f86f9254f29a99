package hub

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
)

// sharedAccount is the NATS account every connection shared before
// members had accounts of their own; JetStream kept its files under it.
const sharedAccount = "$G"

// moveSharedAccountStore moves the JetStream files of a data directory
// written before member accounts (jetstream/$G) to the hub account
// (jetstream/geneva): the same streams, messages and consumer positions,
// now in the only account with JetStream. Creds files need no change:
// members keep their NKeys. Run before the server starts.
func moveSharedAccountStore(dataDir string, log *slog.Logger) error {
	return moveAccountStore(dataDir, sharedAccount, HubAccount, "before member accounts", log)
}

// moveAccountStore moves the JetStream files of the hub's account from
// jetstream/<from> to jetstream/<to> (the account's name changed; before
// is the layout from names), unless there is nothing to move. Run before
// the server starts.
func moveAccountStore(dataDir, from, to, before string, log *slog.Logger) error {
	old := filepath.Join(dataDir, "jetstream", from)
	now := filepath.Join(dataDir, "jetstream", to)
	if _, err := os.Stat(old); errors.Is(err, os.ErrNotExist) {
		return nil
	} else if err != nil {
		return fmt.Errorf("data_dir: %w", err)
	}
	if _, err := os.Stat(now); err == nil {
		return fmt.Errorf("data_dir %s: JetStream data both in %s (from %s) and in %s; "+
			"keep the one the hub last ran on (normally %s) and move the other out of %s",
			dataDir, old, before, now, now, filepath.Dir(now))
	}
	if err := os.Rename(old, now); err != nil {
		return fmt.Errorf("data_dir: moving JetStream data to the hub account: %w", err)
	}
	log.Warn("upgrade: moved the JetStream data of the hub's NATS account", "from", old, "to", now)
	return nil
}
