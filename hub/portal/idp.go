package portal

import (
	"net/http"
	"strings"
)

// The operator registers each member's OpenID provider (oidc.go); a
// member admin links its people to their identities there.

type idpRow struct {
	Member string
	IdP    *IdP
}

func (s *Server) idps(w http.ResponseWriter, r *http.Request, sess session) {
	s.renderIdPs(w, r, sess, http.StatusOK)
}

func (s *Server) renderIdPs(w http.ResponseWriter, r *http.Request, sess session, status int, errs ...string) {
	var rows []idpRow
	for _, m := range s.cfg.Backend.MoU().Members {
		row := idpRow{Member: m.ID}
		if p, ok, err := s.cfg.Users.IdP(r.Context(), m.ID); err != nil {
			errs = append(errs, m.ID+": "+err.Error())
		} else if ok {
			p.ClientSecret = "" // never shown again
			row.IdP = &p
		}
		rows = append(rows, row)
	}
	s.render(w, sess, status, "idp.html", "Identity providers", struct {
		Rows   []idpRow
		Claims []string
	}{rows, idpClaims}, errs...)
}

func (s *Server) setIdP(w http.ResponseWriter, r *http.Request, sess session) {
	f := r.PostForm
	p := IdP{Member: f.Get("member"), Issuer: strings.TrimSpace(f.Get("issuer")), ClientID: strings.TrimSpace(f.Get("client_id")),
		ClientSecret: f.Get("client_secret"), Claim: f.Get("claim"), RequireMFA: f.Get("require_mfa") == "yes"}
	if _, ok := s.cfg.Backend.MoU().Member(p.Member); !ok {
		s.renderIdPs(w, r, sess, http.StatusUnprocessableEntity, "Member: "+p.Member+" is not in the MoU in force")
		return
	}
	if err := s.cfg.Users.SetIdP(r.Context(), p); err != nil {
		s.renderIdPs(w, r, sess, http.StatusUnprocessableEntity, "Provider of "+p.Member+": "+err.Error())
		return
	}
	s.signInMembers.forget()
	s.cfg.Log.Info("portal: identity provider set", "member", p.Member, "issuer", p.Issuer, "by", sess.user)
	s.renderIdPs(w, r, sess, http.StatusOK)
}

// linkPerson links one of the member's people to an identity at the
// member's provider ("" unlinks).
func (s *Server) linkPerson(w http.ResponseWriter, r *http.Request, sess session) {
	name, identity := r.PostForm.Get("name"), strings.TrimSpace(r.PostForm.Get("identity"))
	if !s.ownPerson(w, r, sess, name) {
		return
	}
	if err := s.cfg.Users.LinkIdentity(r.Context(), name, identity); err != nil {
		s.renderPeople(w, r, sess, http.StatusUnprocessableEntity, nil, "Identity of "+name+": "+err.Error())
		return
	}
	s.cfg.Log.Info("portal: identity linked", "user", name, "identity", identity, "by", sess.user)
	s.renderPeople(w, r, sess, http.StatusOK, nil)
}
