package directory_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/genevahub/geneva/hub/directory"
)

// demo is the demo partnership of DESIGN.md, out of id order on purpose.
func demo() []directory.Member {
	return []directory.Member{
		{ID: "le-bravo", Name: "Bravo Police", Type: "law-enforcement", Jurisdiction: "US", Communities: []string{"le"},
			Contact: directory.Contact{Desk: "Cyber duty desk", Phone: "+1 202 555 0100", Email: "duty@le-bravo.example", Languages: []string{"en"}}},
		{ID: "le-alpha", Name: "Alpha Police", Type: "law-enforcement", Jurisdiction: "NO", Communities: []string{"le"},
			Contact: directory.Contact{Desk: "Cybercrime duty officer", Phone: "+47 21 00 00 00", Email: "vakt@le-alpha.example", Languages: []string{"nb", "en"}}},
		{ID: "isp-two", Name: "ISP Two", Type: "industry", Jurisdiction: "NL", Sectors: []string{"telecommunications"}},
		{ID: "bank-one", Name: "Bank One", Type: "industry", Jurisdiction: "DE", Sectors: []string{"finance"}, Communities: []string{"finance"}},
		{ID: "cert-three", Name: "CERT Three", Type: "cert", Jurisdiction: "FR"},
	}
}

func ids(ms []directory.Member) []string {
	out := []string{}
	for _, m := range ms {
		out = append(out, m.ID)
	}
	return out
}

func TestFilter(t *testing.T) {
	cases := map[string]struct {
		q    directory.Query
		want []string
	}{
		"everyone, sorted by id":      {directory.Query{}, []string{"bank-one", "cert-three", "isp-two", "le-alpha", "le-bravo"}},
		"by jurisdiction, any case":   {directory.Query{Jurisdiction: "no"}, []string{"le-alpha"}},
		"by type":                     {directory.Query{Type: "Law-Enforcement"}, []string{"le-alpha", "le-bravo"}},
		"by sector":                   {directory.Query{Sector: "FINANCE"}, []string{"bank-one"}},
		"filters are ANDed":           {directory.Query{Type: "industry", Jurisdiction: "NL"}, []string{"isp-two"}},
		"AND with no overlap":         {directory.Query{Type: "industry", Sector: "finance", Jurisdiction: "NL"}, []string{}},
		"no member in a jurisdiction": {directory.Query{Jurisdiction: "SE"}, []string{}},
		"sector needs an exact match": {directory.Query{Sector: "fin"}, []string{}},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			require.Equal(t, c.want, ids(directory.Filter(demo(), c.q)))
		})
	}
}

func TestFilterLeavesItsInputAlone(t *testing.T) {
	in := demo()
	directory.Filter(in, directory.Query{})
	require.Equal(t, demo(), in)
}

func TestParseQuery(t *testing.T) {
	good := map[string]struct {
		in   string
		want directory.Query
	}{
		"empty body":  {"", directory.Query{}},
		"white space": {" \n", directory.Query{}},
		"empty":       {"{}", directory.Query{}},
		"all fields":  {`{"jurisdiction":"NO","type":"cert","sector":"finance"}`, directory.Query{Jurisdiction: "NO", Type: "cert", Sector: "finance"}},
	}
	for name, c := range good {
		t.Run(name, func(t *testing.T) {
			q, err := directory.ParseQuery([]byte(c.in))
			require.NoError(t, err)
			require.Equal(t, c.want, q)
		})
	}
	bad := map[string]struct{ in, want string }{
		"not JSON":      {`jurisdiction=NO`, "query: invalid JSON at offset 1: invalid character 'j' looking for beginning of value"},
		"truncated":     {`{"type":`, "query: truncated JSON"},
		"unknown field": {`{"country":"NO"}`, `query: unknown field "country" (known: jurisdiction, type, sector)`},
		"wrong type":    {`{"sector":["finance"]}`, "query: /sector: want a string, got array"},
		"not an object": {`["NO"]`, "query: want a JSON object, got array"},
		"two objects":   {`{} {}`, "query: data after the JSON object at offset 3"},
	}
	for name, c := range bad {
		t.Run(name, func(t *testing.T) {
			_, err := directory.ParseQuery([]byte(c.in))
			require.EqualError(t, err, c.want)
		})
	}
}
