package portal_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// axeSHA256 pins the vendored axe-core (testdata/axe-core/SOURCE): the
// test refuses a changed file rather than trusting it.
const axeSHA256 = "29348999450cdf2849a8e70b7912fc2da85a849da39c0d0d5394f51d4a9ed95c"

// axeTags are the rules run: WCAG 2.0 and 2.1, levels A and AA.
const axeTags = `["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]`

func axeSource(t *testing.T) string {
	t.Helper()
	src, err := os.ReadFile("testdata/axe-core/axe.min.js")
	if err != nil {
		t.Fatalf("axe-core: %v", err)
	}
	if sum := sha256.Sum256(src); hex.EncodeToString(sum[:]) != axeSHA256 {
		t.Fatalf("testdata/axe-core/axe.min.js is not the pinned axe-core 4.14.1 (sha256 %x)", sum)
	}
	return string(src)
}

type axeViolation struct {
	ID    string `json:"id"`
	Help  string `json:"help"`
	Nodes []struct {
		Target  []any  `json:"target"`
		Summary string `json:"failureSummary"`
	} `json:"nodes"`
}

// axeCheck runs axe-core in the page (through the DevTools protocol, so
// the page's Content-Security-Policy needs no exception) and returns one
// line per WCAG 2.1 A/AA violation found.
func axeCheck(c context.Context, src string) ([]string, error) {
	if _, err := chromedp.Run(c, chromedp.Evaluate[bool](src+"\n;true")); err != nil {
		return nil, fmt.Errorf("inject axe-core: %w", err)
	}
	vs, err := chromedp.Run(c, chromedp.Evaluate[[]axeViolation](
		`axe.run(document, {runOnly: {type: "tag", values: `+axeTags+`}, resultTypes: ["violations"]}).then(r => r.violations)`,
		chromedp.EvalAwaitPromise))
	if err != nil {
		return nil, fmt.Errorf("run axe-core: %w", err)
	}
	var out []string
	for _, v := range vs {
		for _, n := range v.Nodes {
			out = append(out, fmt.Sprintf("%s (%s) at %v: %s", v.ID, v.Help, n.Target, strings.ReplaceAll(n.Summary, "\n", " ")))
		}
	}
	return out, nil
}
