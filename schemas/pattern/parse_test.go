package pattern_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/genevahub/geneva/schemas/pattern"
	"github.com/stretchr/testify/require"
)

// validCases are patterns Parse must accept, by name.
var validCases = map[string]string{
	"every operator":          `[file:size = 1 AND file:size != 2 AND file:size > 3 AND file:size < 4 AND file:size >= 5 AND file:size <= 6]`,
	"grammar aliases == <>":   `[file:size == 1280 OR file:size <> 1]`,
	"NOT before operators":    `[file:name NOT = 'a' AND file:size NOT > 3 AND file:name NOT LIKE 'x%' AND file:name NOT MATCHES '^a' AND ipv4-addr:value NOT ISSUBSET '10.0.0.0/8']`,
	"ISSUPERSET":              `[ipv4-addr:value ISSUPERSET '198.51.100.0/24']`,
	"every literal kind":      `[x-test:aaa IN ('s', 1, -2, 3.5, -.5, true, false, b'AAEC', h'00ff', t'2016-01-01T00:00:00Z')]`,
	"empty set":               `[file:name IN ()]`,
	"escapes in strings":      `[file:name = 'it\'s a \\ path']`,
	"plus-signed numbers":     `[file:size = +5 AND file:size > +.5]`,
	"negative list index":     `[file:extensions.'archive-ext'.contains_refs[-1].name = 'a']`,
	"quoted first property":   `[file:'name' = 'a']`,
	"quoted odd key":          `[network-traffic:extensions.'http-request-ext'.request_header.'Accept-Encoding' = 'gzip']`,
	"keyword as quoted key":   `[x-foo:dict.'AND' = 1]`,
	"id of a standard SCO":    `[file:id = 'file--1e6a8a3f-5b0e-4d0a-9a3d-6f1d8b2f7c11']`,
	"custom type and prop":    `[x-acme-widget:x_acme_serial = 'A1']`,
	"float WITHIN":            `[file:name = 'a'] WITHIN 2.5 SECONDS`,
	"qualifiers on a group":   `([file:name = 'a'] AND [file:name = 'b']) REPEATS 2 TIMES WITHIN 10 SECONDS START t'2016-06-01T01:30:00.123Z' STOP t'2016-06-01T02:20:00.123Z'`,
	"group requalified":       `([file:name = 'a']) WITHIN 5 SECONDS WITHIN 6 SECONDS`,
	"nested qualified group":  `([file:name = 'a'] REPEATS 2 TIMES) REPEATS 2 TIMES`,
	"leap day":                `[file:ctime = t'2016-02-29T23:59:59.999999Z']`,
	"whitespace and comments": "\t( [ /* c */ (network-traffic:dst_port IN(443,6443,8443) AND network-traffic:src_packets != 0) ]) // end\n",
	"unicode space":           "[file:name\u00a0=\u3000'a']",
	"deep but allowed":        strings.Repeat("(", 63) + "[file:size = 1]" + strings.Repeat(")", 63),
	"hash key lower case":     `[file:hashes.md5 = '00dbb9e1c09dbdafb360f3163ba5a3de']`,
	"hash key unknown":        `[file:hashes.TLSH = 'anything at all']`,
	"EXISTS and NOT EXISTS":   `[EXISTS file:name AND NOT EXISTS windows-registry-key:values[*].name]`,
	"hash compared by LIKE":   `[file:hashes.MD5 LIKE 'abc%']`,
}

func TestParseValid(t *testing.T) {
	for name, s := range validCases {
		t.Run(name, func(t *testing.T) {
			p, err := pattern.Parse(s)
			require.NoError(t, err, "pattern %q", s)
			requireRoundTrip(t, p)
		})
	}
}

// invalidCases are patterns Parse must reject, with the offset and a
// fragment of the message.
var invalidCases = []struct {
	name, pattern string
	offset        int
	msg           string
}{
	{"empty", "", 0, "empty pattern"},
	{"only spaces", "   ", 0, "empty pattern"},
	{"no brackets", `file:size = 1280`, 0, "expected '[' or '('"},
	{"missing value", `[file:size = ]`, 13, "expected a literal value"},
	{"unquoted string", `[file:hashes.MD5 = cead3f77f6cda6ec00f57d76c9a6879f]`, 19, "expected a literal value"},
	{"period for colon", `[file.size = 1280]`, 5, "expected ':' after object type"},
	{"regex not a string", `[file:name MATCHES /.*\\.dll/]`, 19, "unexpected character '/'"},
	{"WITHIN without number", `[file:name = 'a'] WITHIN ]`, 25, "positive number of seconds"},
	{"WITHIN HOURS", `[file:name = 'a'] WITHIN 5 HOURS`, 27, "expected SECONDS"},
	{"WITHIN negative", `[file:name = 'a'] WITHIN -5 SECONDS`, 25, "positive number of seconds"},
	{"WITHIN zero", `[file:name = 'a'] WITHIN 0 SECONDS`, 25, "positive number of seconds"},
	{"REPEATS zero", `[file:name = 'a'] REPEATS 0 TIMES`, 26, "positive integer"},
	{"REPEATS float", `[file:name = 'a'] REPEATS 1.5 TIMES`, 26, "positive integer after REPEATS"},
	{"missing ISSUBSET operand", `[network-traffic:dst_ref.value ISSUBSET ]`, 40, "string literal"},
	{"bad operator", `[file:hashes.MD5 =? 'cead3f77f6cda6ec00f57d76c9a6879f']`, 18, "unexpected character '?'"},
	{"impossible timestamp shape", `[x-whatever:detected == t'2457-73-22T32:81:84.1Z']`, 24, "not a real date"},
	{"Feb 29 of a common year", `[file:ctime = t'2017-02-29T00:00:00Z']`, 14, "not a real date"},
	{"April 31", `[file:ctime = t'2016-04-31T00:00:00Z']`, 14, "not a real date"},
	{"leap second", `[file:ctime = t'2016-12-31T23:59:60Z']`, 14, "not a real date"},
	{"timestamp without Z", `[file:ctime = t'2016-01-01T00:00:00']`, 14, "invalid timestamp"},
	{"bad base64", `[artifact:payload_bin = b'====']`, 24, "invalid binary literal"},
	{"empty base64", `[artifact:payload_bin = b'']`, 24, "invalid binary literal"},
	{"odd hex", `[file:magic_number_hex = h'abc']`, 25, "invalid hex literal"},
	{"lower-case keyword", `[file:name = 'a'] within 2 seconds`, 18, "expected an observation operator"},
	{"lower-case and", `[file:name = 'a' and file:size = 1]`, 17, "expected ']' after comparison expression"},
	{"bad hash value", `[file:hashes.'SHA-256' = 'f00']`, 25, `"f00" is not a valid SHA-256 hash`},
	{"bad md5", `[file:hashes.MD5 != 'xyz']`, 20, `not a valid MD5 hash`},
	{"duplicate WITHIN", `[file:name = 'a'] WITHIN 5 SECONDS WITHIN 6 SECONDS`, 35, "duplicate WITHIN qualifier"},
	{"duplicate REPEATS inside group", `([file:name = 'a'] REPEATS 2 TIMES REPEATS 3 TIMES)`, 35, "duplicate REPEATS qualifier"},
	{"duplicate START", `[file:name = 'a'] START t'2016-06-01T01:30:00Z' STOP t'2016-06-01T02:20:00Z' START t'2016-06-01T01:30:00Z' STOP t'2016-06-01T02:20:00Z'`, 77, "duplicate START/STOP"},
	{"START after STOP", `[file:name = 'a'] START t'2016-07-01T00:00:00Z' STOP t'2016-06-01T00:00:00Z'`, 53, "STOP must be later than START"},
	{"START equals STOP", `[file:name = 'a'] START t'2016-07-01T00:00:00Z' STOP t'2016-07-01T00:00:00Z'`, 53, "STOP must be later than START"},
	{"START with a string", `[file:name = 'a'] START '2016-07-01T00:00:00Z' STOP t'2016-08-01T00:00:00Z'`, 24, "timestamp t'...' after START"},
	{"double-quoted key", `[file:hashes."SHA-256" = 'aa']`, 13, `unexpected '"'`},
	{"unquoted hyphen key", `[file:extensions.windows-pebinary-ext.sections[*].entropy > 7.0]`, 17, "must be single-quoted"},
	{"short type", `[ab:yz = 'something']`, 1, `object type "ab"`},
	{"upper-case type", `[File:name = 'a']`, 1, `object type "File"`},
	{"underscore type", `[x_whatever:detected = 1]`, 1, `object type "x_whatever"`},
	{"double hyphen type", `[x--foo:bar = 1]`, 1, `object type "x--foo"`},
	{"short property", `[file:n = 'something']`, 6, `property name "n"`},
	{"short property after spaces", `[file : n = 'a']`, 8, `property name "n"`},
	{"upper-case property", `[file:Name = 'a']`, 6, `property name "Name"`},
	{"id of a custom type", `[x-foo:id = 'a']`, 7, `property name "id"`},
	{"hyphen property", `[file:file-name = 'a']`, 6, "must be single-quoted"},
	{"keyword property", `[file:AND = 'a']`, 6, "expected a property name"},
	{"ordering a boolean", `[file:is_big > true]`, 15, "cannot compare a boolean"},
	{"LIKE an integer", `[file:name LIKE 5]`, 16, "LIKE to be followed by a string literal"},
	{"IN without a set", `[file:name IN 'a']`, 14, "'(' to start the set after IN"},
	{"set outside IN", `[file:name = ('a')]`, 13, "only allowed after IN"},
	{"nested set", `[file:name IN (('a'))]`, 15, "sets cannot be nested"},
	{"set without comma", `[file:name IN ('a' 'b')]`, 19, "',' or ')' in set literal"},
	{"bad escape", `[file:name = 'a\d']`, 15, "invalid escape"},
	{"unterminated string", `[file:name = 'abc]`, 13, "unterminated string"},
	{"unterminated comment", `[file:name = 'a'] /* x`, 18, "unterminated comment"},
	{"leading zero", `[file:size = 007]`, 13, "leading zero"},
	{"integer overflow", `[file:size = 99999999999999999999]`, 13, "out of range"},
	{"index overflow", `[file:items[99999999999999999999] = 1]`, 12, "out of range"},
	{"index of a string", `[file:items['a'] = 1]`, 12, "list index"},
	{"missing close bracket", `[file:name = 'a'`, 16, "expected ']' after comparison expression"},
	{"missing close paren", `([file:name = 'a']`, 18, "expected ')' after observation expression"},
	{"missing comparison paren", `[(file:name = 'a']`, 17, "expected ')' after comparison expression"},
	{"trailing garbage", `[file:name = 'a'] ]`, 18, "expected an observation operator"},
	{"dangling AND", `[file:name = 'a'] AND`, 21, "expected '[' or '('"},
	{"EXISTS with a short property", `[EXISTS file:n]`, 13, `property name "n"`},
	{"EXISTS without a path", `[EXISTS]`, 7, "expected an object path"},
	{"NOT without EXISTS", `[NOT file:name = 'a']`, 5, "expected EXISTS after a leading NOT"},
	{"EXISTS with a value", `[EXISTS file:name = 'a']`, 18, "expected ']' after comparison expression"},
	{"EXISTS as a property", `[file:EXISTS = 1]`, 6, "expected a property name"},
	{"invalid UTF-8", "[file:name = 'a'] \xff", 18, "invalid UTF-8"},
	{"too deep observations", strings.Repeat("(", 64) + "[file:size = 1]" + strings.Repeat(")", 64), 64, "nesting deeper than 64"},
	{"too deep comparisons", "[" + strings.Repeat("(", 64) + "file:size = 1" + strings.Repeat(")", 64) + "]", 64, "nesting deeper than 64"},
}

func TestParseInvalid(t *testing.T) {
	for _, c := range invalidCases {
		t.Run(c.name, func(t *testing.T) {
			p, err := pattern.Parse(c.pattern)
			require.Nil(t, p)
			var se *pattern.SyntaxError
			require.True(t, errors.As(err, &se), "want *SyntaxError, got %v", err)
			require.Contains(t, se.Msg, c.msg)
			require.Equal(t, c.offset, se.Offset, "offset of %q", se.Msg)
			require.True(t, strings.HasPrefix(err.Error(), "offset "), err.Error())
		})
	}
}

func TestParseTree(t *testing.T) {
	p, err := pattern.Parse(`[a-bc:xxx = 1 OR a-bc:yyy = 2 AND (a-bc:zzz = 3 OR a-bc:www = 4)] AND [file:name = 'f'] FOLLOWEDBY [file:size = 5] REPEATS 3 TIMES`)
	require.NoError(t, err)

	// FOLLOWEDBY binds loosest, then OR, then AND; a qualifier binds to the
	// observation just before it.
	fb := p.Expr.(*pattern.ObservationOp)
	require.Equal(t, pattern.ObsFollowedBy, fb.Op)
	require.Len(t, fb.Operands, 2)
	and := fb.Operands[0].(*pattern.ObservationOp)
	require.Equal(t, pattern.ObsAnd, and.Op)
	q := fb.Operands[1].(*pattern.Qualified)
	require.Equal(t, pattern.Repeats, q.Qualifiers[0].Kind)
	require.EqualValues(t, 3, q.Qualifiers[0].Times)

	// Inside brackets AND binds tighter than OR; parentheses make a nested node.
	or := and.Operands[0].(*pattern.Observation).Expr.(*pattern.ComparisonOp)
	require.Equal(t, pattern.Or, or.Op)
	require.Len(t, or.Operands, 2)
	inner := or.Operands[1].(*pattern.ComparisonOp)
	require.Equal(t, pattern.And, inner.Op)
	require.Equal(t, pattern.Or, inner.Operands[1].(*pattern.ComparisonOp).Op)
	require.Equal(t, 1, or.Offset())

	var paths []string
	for c := range p.Comparisons() {
		paths = append(paths, c.Path.String())
	}
	require.Equal(t, []string{"a-bc:xxx", "a-bc:yyy", "a-bc:zzz", "a-bc:www", "file:name", "file:size"}, paths)
}

func TestParsePathAndLiterals(t *testing.T) {
	p, err := pattern.Parse(`[file:extensions.'windows-pebinary-ext'.sections[*].entropy NOT IN (7.0, 'x\'y', b'AAEC', h'00FF', t'2016-01-01T00:00:00.5Z', -3)]`)
	require.NoError(t, err)
	c := p.Expr.(*pattern.Observation).Expr.(*pattern.Comparison)
	require.Equal(t, "file", c.Path.ObjectType)
	require.Equal(t, []pattern.Step{
		{Kind: pattern.Property, Name: "extensions"},
		{Kind: pattern.Property, Name: "windows-pebinary-ext"},
		{Kind: pattern.Property, Name: "sections"},
		{Kind: pattern.AnyIndex},
		{Kind: pattern.Property, Name: "entropy"},
	}, c.Path.Steps)
	require.True(t, c.Negated)
	require.Equal(t, pattern.In, c.Op)
	set := c.Value.Set
	require.Equal(t, pattern.SetLiteral, c.Value.Kind)
	require.Equal(t, pattern.Literal{Kind: pattern.FloatLiteral, Float: 7}, set[0])
	require.Equal(t, "x'y", set[1].Str)
	require.Equal(t, []byte{0, 1, 2}, set[2].Bytes)
	require.Equal(t, []byte{0, 0xff}, set[3].Bytes)
	require.True(t, set[4].Time.Equal(time.Date(2016, 1, 1, 0, 0, 0, 5e8, time.UTC)))
	require.EqualValues(t, -3, set[5].Int)
	require.Equal(t, `[file:extensions.'windows-pebinary-ext'.sections[*].entropy NOT IN (7.0, 'x\'y', b'AAEC', h'00ff', t'2016-01-01T00:00:00.5Z', -3)]`, p.String())
}

func TestInspectSkipsChildren(t *testing.T) {
	p, err := pattern.Parse(`[file:name = 'a' OR file:name = 'b'] AND [file:size = 1]`)
	require.NoError(t, err)
	visited := 0
	p.Inspect(func(n any) bool {
		visited++
		_, isObs := n.(*pattern.Observation)
		return !isObs // do not descend into [...]
	})
	require.Equal(t, 3, visited) // the AND and its two observations

	n := 0
	for range p.Comparisons() {
		n++
		break
	}
	require.Equal(t, 1, n, "Comparisons stops when the loop breaks")
}
