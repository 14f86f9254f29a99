package portal

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/genevahub/geneva/policy"
	"github.com/genevahub/geneva/policy/explain"
)

// receiptWait is how long sending waits for the hub's receipt before
// pointing to the receipts page.
const receiptWait = 15 * time.Second

type reportForm struct {
	Values      url.Values
	TLPs        []TLPChoice
	Sectors     []string
	Members     []string
	Communities []policy.Community
}

func (s *Server) reportData(sess session, values url.Values) reportForm {
	mou := s.cfg.Backend.MoU()
	f := reportForm{Values: values, TLPs: tlpChoices, Sectors: sectors}
	if me, ok := mou.Member(sess.member); ok {
		for _, c := range mou.Communities { // only those the member may address
			if slices.Contains(me.Communities, c.ID) {
				f.Communities = append(f.Communities, c)
			}
		}
	}
	for _, m := range mou.Members {
		if m.ID != sess.member && !m.Suspended {
			f.Members = append(f.Members, m.ID)
		}
	}
	if f.Values == nil {
		f.Values = url.Values{"tlp": {"amber"}, "audience": {"partnership"}}
	}
	return f
}

func (s *Server) reportForm(w http.ResponseWriter, r *http.Request, sess session) {
	s.render(w, sess, http.StatusOK, "report.html", "Report an incident", s.reportData(sess, nil))
}

type previewData struct {
	Verdict     string
	Refused     bool
	Explanation string
	Bundle      string
	Draft       string
	Reasons     []policy.Reason
}

// preview builds the bundle and shows what the policy would do with it;
// the bytes previewed are the bytes sent.
func (s *Server) preview(w http.ResponseWriter, r *http.Request, sess session) {
	mou := s.cfg.Backend.MoU()
	rep, errs := parseReport(r.PostForm, mou, sess.member)
	if len(errs) > 0 {
		s.render(w, sess, http.StatusUnprocessableEntity, "report.html", "Report an incident", s.reportData(sess, r.PostForm), errs...)
		return
	}
	creator := ""
	if me, ok := mou.Member(sess.member); ok && !rep.anonymous {
		creator = me.Identity
	}
	bundle := incidentBundle(rep, creator, time.Now())
	to := rep.addressing()
	d := s.cfg.Backend.Decide(policy.Request{Sender: sess.member, To: to.To, Community: to.Community, Anonymous: to.Anonymous, Bundle: bundle})
	var text bytes.Buffer
	explain.Write(&text, &d, mou)
	var pretty bytes.Buffer
	_ = json.Indent(&pretty, bundle, "", "  ")
	data := previewData{Verdict: d.Verdict.String(), Refused: d.Verdict == policy.Reject, Explanation: text.String(),
		Bundle: pretty.String(), Reasons: d.Reasons}
	for _, o := range d.Objects {
		for _, r := range o.Reasons { // once each: many objects share a reason
			if !slices.ContainsFunc(data.Reasons, func(x policy.Reason) bool { return x.Code == r.Code && x.Message == r.Message }) {
				data.Reasons = append(data.Reasons, r)
			}
		}
	}
	if !data.Refused {
		data.Draft = s.sessions.addDraft(sess.id, &draft{bundle: bundle, audience: to, created: time.Now()})
	}
	s.render(w, sess, http.StatusOK, "preview.html", "Check and send", data)
}

// send submits a previewed draft as the member and shows the receipt.
func (s *Server) send(w http.ResponseWriter, r *http.Request, sess session) {
	d := s.sessions.takeDraft(sess.id, r.PostForm.Get("draft"))
	if d == nil {
		s.render(w, sess, http.StatusConflict, "error.html", "Nothing to send",
			"This report was sent already or its preview expired: fill in the form again.")
		return
	}
	s.submitAndShow(w, r, sess, d.bundle, d.audience)
}

const receiptsShown = 100

func (s *Server) receipts(w http.ResponseWriter, r *http.Request, sess session) {
	ctx, cancel := context.WithTimeout(r.Context(), 10*time.Second)
	defer cancel()
	raws, err := s.cfg.Backend.Receipts(ctx, sess.member, receiptsShown)
	if err != nil {
		s.cfg.Log.Error("portal: receipts", "member", sess.member, "err", err)
		s.render(w, sess, http.StatusServiceUnavailable, "error.html", "Receipts", "The hub could not read your receipts; try again.")
		return
	}
	var list []Receipt
	for _, raw := range raws {
		var rc Receipt
		if json.Unmarshal(raw, &rc) == nil {
			list = append(list, rc)
		}
	}
	slices.Reverse(list)
	s.render(w, sess, http.StatusOK, "receipts.html", "Receipts", list)
}

func (s *Server) directory(w http.ResponseWriter, r *http.Request, sess session) {
	s.render(w, sess, http.StatusOK, "directory.html", "Directory", s.cfg.Backend.Directory())
}
