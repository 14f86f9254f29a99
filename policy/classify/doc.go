// Package classify is the classified-material guard: it finds national and
// international security-classification markings anywhere in a STIX object
// and reports where (JSON pointer), under which scheme and in what form,
// never what the text was. The policy engine rejects a submission with any
// finding and erases its content (fail closed).
//
// # Where it looks
//
//   - marking-definition statements (definition.statement): the text rules;
//   - ISA ACS 3.0 markings (extension ExtensionACS): control_set.classification
//     C, S or TS, or any value ACS does not define; U passes;
//   - labels (members named labels, tags, *_labels, *_tags): a label that is a
//     marking, or a taxonomy tag whose namespace speaks of classification
//     ("nato:classification=\"NS\"", "de-vs:einstufung=…") and whose value is
//     one, short forms included;
//   - custom properties whose name, or an ancestor's, speaks of classification
//     (contains classif, einstufung, geheimhaltung, marking, caveat,
//     clearance, sensitivity, security_level, protective, nato or euci, in
//     any case): a value that is a marking or a short form (TS, S, C, CTS,
//     NS, NC, NR, R, TSD, SD, CD, DR, NFD, "TS UE"…), "(S)", "S//NF";
//   - a marking definition whose definition_type (or OpenCTI's
//     x_opencti_definition_type) speaks of classification: its definition,
//     x_opencti_definition and name, as classification values;
//   - every other string at any depth, and every member name: the text
//     rules. The one exception is indicator.pattern, whose literals are
//     observables (a file named SECRET.docx is not a marking).
//
// # Text rules
//
// Text is first put in canonical form (appendCanonical): NFKD compatibility
// decomposition (fullwidth letters, ligatures, no-break and other spaces);
// diacritics, format characters (zero-width space and joiners, word joiner,
// BOM, soft hyphen, bidi controls) and invisible fillers dropped; dashes to
// '-', fraction and division slashes to '/', Cyrillic and Greek letters
// that look Latin to Latin; upper case; every line break (CR, LF, NEL,
// U+2028/9) a new line. Then HTML block tags (p, div, br, li, td, h1…)
// become line breaks, inline tags and comments go, and character references
// (&nbsp; &#8203; &#x53;) are decoded once. Each line is then keyed: runs of
// space, '-' and '_' are one space, spaces around '/' go, and decoration at
// either end (* # = ~ [ ] < > quotes . , : ; ! | + { }) is trimmed. A level
// is a full term of an enabled scheme ("SECRET", "NATO RESTRICTED",
// "VS NFD", an ExtraTerm; also written without spaces, "TOPSECRET"); an
// abbreviation is TS, S, C, CTS, NS, NC, NR, CTSA, NSAT or NCA. A line is
// classified when:
//
//  1. Banner: it is a level; or it starts with a level or an abbreviation
//     followed by "//" and a letter ("SECRET//REL TO USA", "TS//SI"); or it
//     starts with a level followed by a caveat word ("SECRET NOFORN",
//     "SECRET UK EYES ONLY", "TOP SECRET STRAP1").
//  2. Classification line: "Classification: S", "Einstufung = VS-NfD" (the
//     value may be any short form), or "Declassify on: …" (US authority
//     block).
//  3. Portion mark: "(" mark ")" at the start of the line or of a sentence
//     (after ". ", "! ", "? ", ": ", "; " or a bullet) and followed by a
//     space or the end, where mark is a level or an abbreviation, with
//     optional "//" caveats: "(TS//SI) …", "(S//NF) …", "(NS) …". With "//"
//     caveats it counts anywhere in the line ("the intercept (TS//SI)
//     shows"). "(C)" alone is a copyright sign when a year or "COPYRIGHT" /
//     "ALL RIGHTS RESERVED" follows on the line ("(C) 2024 ACME", "(c) ACME
//     Corp 2019") and an enumeration when the text also has "(b)";
//     otherwise "(C) text" is a CONFIDENTIAL portion. "(U)", "(U//FOUO)"
//     and "file(s)" pass.
//  4. Phrase: "classified", "classified as/at", "eingestuft als" or
//     "classé/classifié (en)" followed by a level ("this annex is
//     classified SECRET"); the bare business words CONFIDENTIAL and
//     RESTRICTED do not count here ("classified as confidential by the
//     bank" passes).
//  5. Caveated level anywhere: a level or an abbreviation that starts a
//     word (after a space, "(", "[", a quote, ",", ";" or "*"; not after
//     "/" or ".", so URL paths pass) followed by "//" and a letter ("see
//     the attached SECRET//NOFORN annex").
//
// Otherwise a level inside a sentence is prose: "the Secret Service",
// "Secret Blizzard", "'Top Secret salary list' lure", "confidential
// business information", "Restricted area" all pass.
//
// Detection is case-insensitive: "secret" alone as a whole line is caught.
// Each string gives at most one finding.
//
// # Schemes
//
// us (TOP SECRET, SECRET, CONFIDENTIAL, caveats, portion marks), nato
// (COSMIC TOP SECRET, NATO SECRET, NATO CONFIDENTIAL, NATO RESTRICTED,
// ATOMAL), eu (TRES SECRET UE/EU TOP SECRET … RESTREINT UE/EU RESTRICTED, each
// half alone too), uk (TOP SECRET, SECRET, UK-prefixed forms, and the
// pre-2014 CONFIDENTIAL and RESTRICTED), fr (TRES SECRET, SECRET, and the
// pre-2021 TRES SECRET DEFENSE, SECRET DEFENSE, CONFIDENTIEL DEFENSE,
// DIFFUSION RESTREINTE), de (STRENG GEHEIM, GEHEIM, VS-VERTRAULICH,
// VS-NUR FÜR DEN DIENSTGEBRAUCH, VS-NfD) and acs. A term shared by schemes
// is reported under the first enabled one in that order.
//
// UK OFFICIAL and OFFICIAL-SENSITIVE are not built in: OFFICIAL is the tier
// that UK government shares with partners, police and industry under
// handling rules, not classified material in the sense of the MoU. A
// partnership that must keep it out adds "OFFICIAL-SENSITIVE" to
// Config.ExtraTerms, as it would add "CUI" or a national marking.
//
// # Speed
//
// The guard runs on every string of every submission. A byte-level check
// (see maybe) skips strings that hold none of a few stems (secret,
// confiden, restr, geheim, vertraul, nfd, dienstgebr, classif, einstuf,
// cosmic, ExtraTerm first words), no "(" + portion abbreviation and no
// abbreviation before "//"; ASCII strings are checked as they are, others
// after canonicalisation. Scanning allocates nothing until it finds.
//
// # Known limits
//
// Letter-spaced or punctuated words ("S E C R E T", "SEC.RET"), markings
// in scripts other than Latin (Cyrillic look-alikes aside), transliterated
// or misspelt markings, and markings inside binary or encoded payloads
// (artifact.payload_bin, base64) are not detected. Observable values other
// than indicator.pattern are scanned like text, so an observed e-mail whose
// whole subject is "Confidential" is flagged (fail closed).
package classify
