package policy

import "github.com/genevahub/geneva/policy/classify"

// newGuard builds the classified-material guard the MoU asks for.
func newGuard(c Classification) (*classify.Guard, error) {
	return classify.New(classify.Config{Schemes: c.Schemes, ExtraTerms: c.ExtraTerms})
}
