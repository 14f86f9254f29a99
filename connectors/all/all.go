// Package all registers every connector kind (import it for its side
// effect, as cmd/geneva-connector does).
package all

import (
	_ "github.com/genevahub/geneva/connectors/dir"
	_ "github.com/genevahub/geneva/connectors/stdout"
	_ "github.com/genevahub/geneva/connectors/taxii"
	_ "github.com/genevahub/geneva/connectors/webhook"
)
