package portal

import (
	"net/url"
	"testing"
	"time"

	"github.com/genevahub/geneva/policy"
	"github.com/genevahub/geneva/schemas"
)

// Whatever a person types into the report form, the portal either names
// what is wrong or builds a bundle the hub's validator accepts (the policy
// may still refuse it, never the schema), and never crashes.
func FuzzReportForm(f *testing.F) {
	f.Add("Phishing wave", "Mails with a fake login page.", "198.51.100.7\nevil.example", strings64('a')+"  mail.eml", "amber")
	f.Add("x", "y", "https://evil.example/a'b\\c", "", "red")
	f.Add("t", "w", "phish@evil.example\n"+strings64('F'), strings64('0')+"  *name with spaces", "clear")
	mou := policy.DemoMoU()
	me, _ := mou.Member("bank-one")
	validator := schemas.NewValidator(schemas.Options{})
	f.Fuzz(func(t *testing.T, title, what, indicators, attachments, level string) {
		form := url.Values{"title": {title}, "what": {what}, "indicators": {indicators}, "attachments": {attachments},
			"tlp": {level}, "audience": {"partnership"}}
		r, errs := parseReport(form, mou, "bank-one")
		if len(errs) > 0 {
			return
		}
		bundle := incidentBundle(r, me.Identity, time.Now())
		if _, rep := validator.Validate(bundle); !rep.Valid() {
			t.Fatalf("the form built an invalid bundle: %+v\n%s", rep.Errors, bundle)
		}
	})
}

func strings64(c byte) string {
	b := make([]byte, 64)
	for i := range b {
		b[i] = c
	}
	return string(b)
}
