// Package pattern parses the STIX 2.1 patterning language (STIX 2.1
// section 9), the `pattern` of an indicator whose pattern_type is "stix".
//
// The parser is a hand-written lexer and recursive-descent parser that
// follows the OASIS ANTLR grammar (STIXPattern.g4 in
// oasis-open/cti-stix2-json-schemas, as shipped in stix2-patterns 2.1):
//
//   - observation expressions [..] joined by AND, OR and FOLLOWEDBY
//     (AND binds tightest, FOLLOWEDBY loosest), grouped with ( ), each
//     followed by any number of WITHIN n SECONDS, REPEATS n TIMES and
//     START t'..' STOP t'..' qualifiers;
//   - comparison expressions joined by AND and OR, grouped with ( );
//   - comparisons path [NOT] op literal with = == != <> > < >= <= IN LIKE
//     MATCHES ISSUBSET ISSUPERSET, and [NOT] EXISTS path;
//   - object paths type:property.key.'quoted-key'[0][*] (keys holding a
//     hyphen must be single-quoted);
//   - literals: 'string' (escapes \' and \\ only), integers, decimals,
//     true/false, b'base64', h'hex', t'timestamp', and ( , ) sets after IN;
//   - keywords are case-sensitive upper case; /* */ and // comments and
//     the grammar's Unicode whitespace are skipped.
//
// On top of the grammar, Parse rejects, with the byte offset of the cause:
//
//   - object types that break the STIX type-name rule (a-z, 0-9, single
//     hyphens, 3 to 250 characters), as the OASIS stix2-validator does;
//   - a first property outside [a-z0-9_]{3,250}, except "id" on the 18
//     standard cyber-observable types (the one name in the validator's
//     property tables that breaks the rule);
//   - a value compared with = or != to a known hash (…hashes.MD5,
//     'SHA-256', SSDEEP …) that is not a string of the algorithm's format;
//   - timestamps that are not real instants (2017-02-29, 24:00, :60);
//   - WITHIN without a positive number, REPEATS without a positive
//     integer, START not before STOP;
//   - the same qualifier kind twice on one bare [..] (a group may be
//     qualified again, as in the OASIS validator);
//   - nesting deeper than MaxDepth, integers beyond int64.
//
// It does not check that properties exist in the STIX data model, that a
// literal's type suits the property, or MATCHES regular-expression syntax.
// oasis_test.go lists where the verdicts differ from the OASIS validator,
// and why.
//
// Parse never panics. Pattern.String prints a canonical form that parses
// back to an equal tree; Pattern.Comparisons and Pattern.Inspect walk it.
package pattern
