// Package portal is the hub's web portal (docs/portal.md): people of a
// member sign in with a password and a TOTP code, or at their member's
// OpenID provider, report an incident as their member (the same intake,
// policy, receipt and audit as a NATS submission), watch what policy
// routed to their member arrive live, read their member's receipts, send
// and answer requests for preservation or assistance, and find the other
// members' 24/7 desks; the hub operator works the review queue.
//
// It is server-rendered html/template with one small script of its own
// (static/feed.js, for the live feed; static/report.js hashes attachments);
// every page is served with a strict
// Content-Security-Policy and makes no third-party request. The hub gives it
// a Backend (the hub's own connection) and a KV bucket for the accounts.
package portal
