package portal

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/genevahub/geneva/hub/directory"
	"github.com/genevahub/geneva/hub/requests"
	"github.com/genevahub/geneva/policy/tlp"
	"github.com/genevahub/geneva/schemas"
)

// Requests for assistance and preservation (docs/requests.md) as
// `geneva request` works them: the member's requests, sent and received,
// with their state at the hub's tracker; a form to send one to named
// members; acknowledging, answering and closing. Everything is sent as the
// member through its intake (the same policy, receipt and audit).

const requestsTimeout = 15 * time.Second

type requestsData struct {
	States  []requests.State
	Kinds   []string
	Members []string
	Values  url.Values
}

func (s *Server) requestList(w http.ResponseWriter, r *http.Request, sess session) {
	s.renderRequests(w, r, sess, http.StatusOK, nil)
}

func (s *Server) renderRequests(w http.ResponseWriter, r *http.Request, sess session, status int, values url.Values, errs ...string) {
	ctx, cancel := context.WithTimeout(r.Context(), requestsTimeout)
	defer cancel()
	states, err := s.cfg.Backend.Requests(ctx, sess.member, "list", "")
	if err != nil {
		s.cfg.Log.Error("portal: requests", "member", sess.member, "err", err)
		errs = append(errs, "The hub could not list your requests: "+err.Error())
	}
	if values == nil {
		values = url.Values{"kind": {"assistance"}, "tlp": {"amber+strict"}, "deadline_hours": {"48"},
			"preservation_days": {strconv.Itoa(schemas.MinPreservationDays)}}
	}
	data := requestsData{States: states, Kinds: schemas.RequestKinds, Values: values}
	for _, m := range s.cfg.Backend.MoU().Members {
		if m.ID != sess.member && !m.Suspended {
			data.Members = append(data.Members, m.ID)
		}
	}
	s.render(w, sess, status, "requests.html", "Requests", data, errs...)
}

type requestData struct {
	States    []requests.State
	Detail    requests.Request
	Recipient bool // the member was asked: it may answer
	Requester bool // the member asked: it may close
	Statuses  []string
}

// showRequest shows one request and its state with each recipient.
func (s *Server) showRequest(w http.ResponseWriter, r *http.Request, sess session) {
	s.renderRequest(w, r, sess, r.URL.Query().Get("id"))
}

func (s *Server) renderRequest(w http.ResponseWriter, r *http.Request, sess session, id string, errs ...string) {
	states, err := s.requestStates(r.Context(), sess.member, "show", id)
	if err != nil {
		s.renderRequests(w, r, sess, http.StatusNotFound, nil, err.Error())
		return
	}
	d := requestData{States: states, Detail: states[0].Detail, Statuses: schemas.ResponseStatuses}
	for _, st := range states {
		d.Recipient = d.Recipient || st.Recipient == sess.member
		d.Requester = d.Requester || st.Requester == sess.member
	}
	s.render(w, sess, http.StatusOK, "request.html", "Request", d, errs...)
}

func (s *Server) requestStates(ctx context.Context, member, action, id string) ([]requests.State, error) {
	ctx, cancel := context.WithTimeout(ctx, requestsTimeout)
	defer cancel()
	states, err := s.cfg.Backend.Requests(ctx, member, action, id)
	if err == nil && len(states) == 0 {
		err = fmt.Errorf("no request %s of member %s", id, member)
	}
	return states, err
}

// closeRequest closes a request the member sent.
func (s *Server) closeRequest(w http.ResponseWriter, r *http.Request, sess session) {
	id := r.PostForm.Get("id")
	if _, err := s.requestStates(r.Context(), sess.member, "close", id); err != nil {
		s.renderRequest(w, r, sess, id, "Not closed: "+err.Error())
		return
	}
	s.cfg.Log.Info("portal: request closed", "request", id, "member", sess.member, "by", sess.user)
	s.renderRequest(w, r, sess, id)
}

// respond answers a request the member received, to its requester.
func (s *Server) respond(w http.ResponseWriter, r *http.Request, sess session) {
	f := r.PostForm
	id := f.Get("id")
	states, err := s.requestStates(r.Context(), sess.member, "show", id)
	if err != nil {
		s.renderRequests(w, r, sess, http.StatusNotFound, nil, err.Error())
		return
	}
	i := slices.IndexFunc(states, func(st requests.State) bool { return st.Recipient == sess.member })
	if i < 0 {
		s.renderRequest(w, r, sess, id, "Only a member the request was sent to may answer it.")
		return
	}
	now := time.Now().UTC().Truncate(time.Millisecond)
	resp := requests.Response{ID: requests.NewID(schemas.TypeResponse), Created: now, RequestRef: id,
		Status: f.Get("status"), Note: strings.TrimSpace(f.Get("note")), Reason: strings.TrimSpace(f.Get("reason"))}
	var errs []string
	if !slices.Contains(schemas.ResponseStatuses, resp.Status) {
		errs = append(errs, "Answer: choose one of "+strings.Join(schemas.ResponseStatuses, ", "))
	}
	if resp.Status == requests.StatusExtensionRequested {
		hours, err := strconv.Atoi(f.Get("extension_hours"))
		if err != nil || hours < 1 || hours > 24*365 {
			errs = append(errs, "More time: give the hours from now you need, 1 to 8760")
		}
		resp.RequestedDeadline = now.Add(time.Duration(hours) * time.Hour)
	}
	if resp.Status == requests.StatusDeclined && resp.Reason == "" {
		errs = append(errs, "Reason: say why you decline")
	}
	if len(errs) > 0 {
		s.renderRequest(w, r, sess, id, errs...)
		return
	}
	lv, _ := tlp.ParseLevel(states[i].TLP)
	if resp.CreatedBy = s.identity(sess.member); resp.CreatedBy == "" {
		s.renderRequest(w, r, sess, id, "The MoU gives your member no STIX identity; ask the hub operator.")
		return
	}
	bundle, err := requests.Bundle(resp.Object(lv))
	if err != nil {
		s.renderRequest(w, r, sess, id, err.Error())
		return
	}
	s.submitAndShow(w, r, sess, bundle, Audience{To: []string{states[i].Requester}})
}

// extendRequest sends a new version of a request the member sent (same
// id, later modified) with a later deadline and, for a preservation, more
// days, to every recipient that has not closed it (`geneva request extend`).
func (s *Server) extendRequest(w http.ResponseWriter, r *http.Request, sess session) {
	id := r.PostForm.Get("id")
	states, err := s.requestStates(r.Context(), sess.member, "show", id)
	if err != nil {
		s.renderRequests(w, r, sess, http.StatusNotFound, nil, err.Error())
		return
	}
	var to []string
	for _, st := range states {
		if st.Requester == sess.member && st.Phase != requests.Closed {
			to = append(to, st.Recipient)
		}
	}
	if len(to) == 0 {
		s.renderRequest(w, r, sess, id, "Only the member that sent a request extends it, to recipients that have not closed it.")
		return
	}
	now := time.Now().UTC().Truncate(time.Millisecond)
	req := states[0].Detail
	req.Modified = now
	hours, err := strconv.Atoi(r.PostForm.Get("deadline_hours"))
	if err != nil || hours < 1 || hours > 24*365 {
		s.renderRequest(w, r, sess, id, "New deadline: give the hours from now, 1 to 8760")
		return
	}
	req.Deadline = now.Add(time.Duration(hours) * time.Hour)
	if days := r.PostForm.Get("preservation_days"); days != "" && req.Kind == "preservation" {
		if req.PreservationDays, err = strconv.Atoi(days); err != nil {
			s.renderRequest(w, r, sess, id, "Days to preserve: give a number (at least 60)")
			return
		}
	}
	lv, _ := tlp.ParseLevel(states[0].TLP)
	bundle, err := requests.Bundle(req.Object(lv))
	if err != nil {
		s.renderRequest(w, r, sess, id, err.Error())
		return
	}
	s.submitAndShow(w, r, sess, bundle, Audience{To: to})
}

// sendRequest sends a new request to named members.
func (s *Server) sendRequest(w http.ResponseWriter, r *http.Request, sess session) {
	req, level, to, objs, errs := parseRequest(r.PostForm, time.Now().UTC().Truncate(time.Millisecond))
	if req.CreatedBy = s.identity(sess.member); req.CreatedBy == "" {
		errs = append(errs, "The MoU gives your member no STIX identity; ask the hub operator.")
	}
	if len(errs) > 0 {
		s.renderRequests(w, r, sess, http.StatusUnprocessableEntity, r.PostForm, errs...)
		return
	}
	bundle, err := requests.Bundle(append([]map[string]any{req.Object(level)}, objs...)...)
	if err != nil {
		s.renderRequests(w, r, sess, http.StatusUnprocessableEntity, r.PostForm, err.Error())
		return
	}
	s.submitAndShow(w, r, sess, bundle, Audience{To: to})
}

// parseRequest reads the form into a request, its TLP, its recipients
// and its observables; every error names its field.
func parseRequest(f url.Values, now time.Time) (requests.Request, tlp.Level, []string, []map[string]any, []string) {
	var errs []string
	text := func(k string) string { return strings.TrimSpace(f.Get(k)) }
	r := requests.Request{ID: requests.NewID(schemas.TypeRequest), Created: now, Kind: f.Get("kind"),
		Summary: text("summary"), LegalBasis: text("legal_basis"), LegalReference: text("reference"),
		RequestingUnit: text("unit"), Jurisdiction: strings.ToUpper(text("jurisdiction"))}
	for _, req := range []struct{ field, value string }{{"Summary", r.Summary}, {"Legal basis", r.LegalBasis},
		{"Your case reference", r.LegalReference}, {"Requesting unit", r.RequestingUnit}} {
		if req.value == "" {
			errs = append(errs, req.field+": required")
		}
	}
	if len(r.Jurisdiction) != 2 || strings.Trim(r.Jurisdiction, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != "" {
		errs = append(errs, "Jurisdiction: the two-letter country code (ISO 3166-1), e.g. NO")
	}
	if !slices.Contains(schemas.RequestKinds, r.Kind) {
		errs = append(errs, "Kind: choose one of "+strings.Join(schemas.RequestKinds, ", "))
	}
	level, err := tlp.ParseLevel(f.Get("tlp"))
	if err != nil || (level != tlp.AmberStrict && level != tlp.Red) {
		errs = append(errs, "TLP: choose amber+strict or red")
	}
	to := f["to"]
	if len(to) == 0 {
		errs = append(errs, "To: name at least one member")
	}
	hours, err := strconv.Atoi(f.Get("deadline_hours"))
	if err != nil || hours < 1 || hours > 24*365 {
		errs = append(errs, "Deadline: give the hours from now, 1 to 8760")
	}
	r.Deadline = now.Add(time.Duration(hours) * time.Hour)
	var objs []map[string]any
	for _, line := range strings.Split(f.Get("observables"), "\n") {
		if line = strings.TrimSpace(line); line == "" {
			continue
		}
		v, err := parseIndicator(line)
		if err != nil {
			errs = append(errs, "Observables: "+err.Error())
			continue
		}
		o, err := requests.Observable(v.kind+":"+v.value, level)
		if err != nil || (v.kind == "file" && v.hashAlg != "SHA-256") {
			errs = append(errs, fmt.Sprintf("Observables: %q: a request names an address, domain, URL, email address or SHA-256 hash", line))
			continue
		}
		r.ObservableRefs = append(r.ObservableRefs, o["id"].(string))
		objs = append(objs, o)
	}
	if len(objs) == 0 && len(errs) == 0 {
		errs = append(errs, "Observables: give at least one value the request concerns, one a line")
	}
	if r.Kind == "preservation" {
		r.Offence, r.FactsSummary, r.DataToPreserve = text("offence"), text("facts"), text("data")
		r.RelationToOffence, r.Custodian, r.Necessity = text("relation"), text("custodian"), text("necessity")
		r.MutualAssistanceToFollow = f.Get("mutual_assistance") == "yes"
		if r.PreservationDays, err = strconv.Atoi(f.Get("preservation_days")); err != nil {
			errs = append(errs, "Days to preserve: give a number (at least 60)")
		}
	}
	return r, level, to, objs, errs
}

// identity is member's STIX identity (created_by_ref) in the MoU.
func (s *Server) identity(member string) string {
	m, _ := s.cfg.Backend.MoU().Member(member)
	return m.Identity
}

// submitAndShow sends bundle (a report, a request or a response) as the
// member and shows its receipt.
func (s *Server) submitAndShow(w http.ResponseWriter, r *http.Request, sess session, bundle []byte, to Audience) {
	ctx, cancel := context.WithTimeout(r.Context(), receiptWait+5*time.Second)
	defer cancel()
	raw, err := s.cfg.Backend.Submit(ctx, sess.member, bundle, to, receiptWait)
	if err != nil {
		s.cfg.Log.Error("portal: submit", "member", sess.member, "user", sess.user, "err", err)
		s.render(w, sess, http.StatusServiceUnavailable, "error.html", "Not sent", "The hub did not take it: "+err.Error())
		return
	}
	s.cfg.Log.Info("portal: sent", "member", sess.member, "user", sess.user)
	if raw == nil {
		s.render(w, sess, http.StatusAccepted, "receipt.html", "Sent", nil)
		return
	}
	var rc Receipt
	if err := json.Unmarshal(raw, &rc); err != nil {
		s.render(w, sess, http.StatusOK, "error.html", "Sent", "The hub took it; its receipt could not be read: "+err.Error())
		return
	}
	s.render(w, sess, http.StatusOK, "receipt.html", "Receipt", &rc)
}

// onDuty lists each member's 24/7 desk, where requests are escalated
// (`geneva directory --on-duty`), narrowed by type.
func (s *Server) onDuty(w http.ResponseWriter, r *http.Request, sess session) {
	all := s.cfg.Backend.Directory()
	types := []string{}
	for _, m := range all {
		if !slices.Contains(types, m.Type) {
			types = append(types, m.Type)
		}
	}
	slices.Sort(types)
	q := directory.Query{Type: r.URL.Query().Get("type")}
	s.render(w, sess, http.StatusOK, "onduty.html", "On duty now", struct {
		Members []directory.Member
		Types   []string
		Type    string
	}{directory.Filter(all, q), types, q.Type})
}
