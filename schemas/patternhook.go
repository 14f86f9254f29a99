package schemas

import (
	"errors"
	"fmt"

	"github.com/genevahub/geneva/schemas/pattern"
)

// parsePattern checks STIX patterning syntax (package schemas/pattern). It
// returns the byte offset and message of the first syntax error, and
// bad=false for a valid pattern. A variable so tests can see it is wired.
var parsePattern = func(s string) (offset int, msg string, bad bool) {
	_, err := pattern.Parse(s)
	if err == nil {
		return 0, "", false
	}
	var se *pattern.SyntaxError
	if errors.As(err, &se) {
		return se.Offset, se.Msg, true
	}
	return 0, err.Error(), true
}

func formatPatternError(off int, msg string) string {
	return fmt.Sprintf("is not valid STIX patterning (at offset %d: %s)", off, msg)
}
