package classify

// Built-in scheme names, in the order findings report them when a term
// belongs to several schemes ("SECRET" is US, UK and French).
const (
	SchemeUS    = "us"
	SchemeNATO  = "nato"
	SchemeEU    = "eu"
	SchemeUK    = "uk"
	SchemeFR    = "fr"
	SchemeDE    = "de"
	SchemeACS   = "acs"   // ISA ACS 3.0 control_set.classification
	SchemeExtra = "extra" // Config.ExtraTerms
)

// Schemes lists every built-in scheme; Config.Schemes picks among them.
func Schemes() []string {
	return []string{SchemeUS, SchemeNATO, SchemeEU, SchemeUK, SchemeFR, SchemeDE, SchemeACS}
}

type schemeSet uint16

const (
	us schemeSet = 1 << iota
	nato
	eu
	uk
	fr
	de
	acs
	extra
)

var schemeBits = map[string]schemeSet{
	SchemeUS: us, SchemeNATO: nato, SchemeEU: eu, SchemeUK: uk, SchemeFR: fr, SchemeDE: de, SchemeACS: acs,
}

var schemeOrder = []struct {
	bit  schemeSet
	name string
}{{us, SchemeUS}, {nato, SchemeNATO}, {eu, SchemeEU}, {uk, SchemeUK}, {fr, SchemeFR}, {de, SchemeDE}, {acs, SchemeACS}, {extra, SchemeExtra}}

// levelTerms are full classification markings, written in canonical form
// (upper case, no diacritics, "-" and "_" as spaces; see canonical). A line,
// label or short field that is one of them is a banner; so is a line that
// starts with one followed by "//" or by a caveat word.
var levelTerms = map[string]schemeSet{
	// United States (and UK, whose current scheme shares the words).
	"TOP SECRET":   us | uk,
	"SECRET":       us | uk | fr,
	"CONFIDENTIAL": us | uk, // UK: pre-2014 level
	// United Kingdom, with the national prefix and the pre-2014 levels.
	"UK TOP SECRET":   uk,
	"UK SECRET":       uk,
	"UK CONFIDENTIAL": uk,
	"UK RESTRICTED":   uk,
	"RESTRICTED":      uk,
	// NATO.
	"COSMIC TOP SECRET":         nato,
	"COSMIC TOP SECRET ATOMAL":  nato,
	"COSMIC TOP SECRET BOHEMIA": nato,
	"NATO SECRET":               nato,
	"NATO SECRET ATOMAL":        nato,
	"SECRET ATOMAL":             nato,
	"NATO CONFIDENTIAL":         nato,
	"NATO CONFIDENTIAL ATOMAL":  nato,
	"CONFIDENTIAL ATOMAL":       nato,
	"NATO RESTRICTED":           nato,
	// European Union (Council Decision 2013/488/EU), both orders.
	"TRES SECRET UE/EU TOP SECRET":    eu,
	"TRES SECRET UE":                  eu,
	"EU TOP SECRET":                   eu,
	"SECRET UE/EU SECRET":             eu,
	"SECRET UE":                       eu,
	"EU SECRET":                       eu,
	"CONFIDENTIEL UE/EU CONFIDENTIAL": eu,
	"CONFIDENTIEL UE":                 eu,
	"EU CONFIDENTIAL":                 eu,
	"RESTREINT UE/EU RESTRICTED":      eu,
	"RESTREINT UE":                    eu,
	"EU RESTRICTED":                   eu,
	// France: IGI 1300 since 2021, and the levels before it.
	"TRES SECRET":          fr,
	"TRES SECRET DEFENSE":  fr,
	"SECRET DEFENSE":       fr,
	"CONFIDENTIEL DEFENSE": fr,
	"DIFFUSION RESTREINTE": fr,
	// Germany (VSA).
	"STRENG GEHEIM":                  de,
	"GEHEIM":                         de,
	"VS GEHEIM":                      de,
	"VS STRENG GEHEIM":               de,
	"VS VERTRAULICH":                 de,
	"VS NUR FUR DEN DIENSTGEBRAUCH":  de,
	"VS NUR FUER DEN DIENSTGEBRAUCH": de,
	"VS NFD":                         de,
	"VSNFD":                          de,
}

// shortTerms are abbreviations. They count only where the context already
// says "classification": inside parentheses as a portion mark, before "//",
// as the value of a classification property or label, or after a
// "Classification:" prefix. Alone in prose ("S", "C") they mean nothing.
var shortTerms = map[string]schemeSet{
	"TS": us, "S": us, "C": us,
	"CTS": nato, "NS": nato, "NC": nato, "NR": nato, "CTSA": nato, "NSAT": nato, "NCA": nato,
	"TS UE": eu, "S UE": eu, "C UE": eu, "R UE": eu,
	"R":   uk,
	"TSD": fr, "SD": fr, "CD": fr, "DR": fr,
	"NFD": de,
}

// portionTerms are the abbreviations accepted inside parentheses. French,
// German, EU and UK documents have no standard portion marks; their full
// terms in parentheses are still caught.
var portionTerms = map[string]bool{
	"TS": true, "S": true, "C": true,
	"CTS": true, "NS": true, "NC": true, "NR": true, "CTSA": true, "NSAT": true, "NCA": true,
}

// caveats are words that, right after a level, make the line a banner even
// without "//": "SECRET NOFORN", "SECRET UK EYES ONLY", "TOP SECRET STRAP1".
var caveats = map[string]bool{
	"NOFORN": true, "NF": true, "ORCON": true, "OC": true, "REL": true, "RELIDO": true,
	"SI": true, "TK": true, "HCS": true, "SCI": true, "FISA": true, "IMCON": true, "PROPIN": true,
	"LIMDIS": true, "EXDIS": true, "NODIS": true, "FVEY": true, "EYES": true, "UK": true,
	"AUS": true, "CAN": true, "GBR": true, "NZL": true, "USA": true, "ATOMAL": true, "BOHEMIA": true,
	"SPECIAL": true, "STRAP": true, "STRAP1": true, "STRAP2": true, "STRAP3": true,
	"RD": true, "FRD": true, "CNWDI": true, "SAR": true, "ACCM": true, "WNINTEL": true, "NOCONTRACT": true,
}

// labelPrefixes introduce a classification inside text: "Classification:
// SECRET", "Einstufung: VS-NfD". What follows the ":" or "=" is read as a
// classification value (short forms included).
var labelPrefixes = []string{
	"CLASSIFICATION", "SECURITY CLASSIFICATION", "CLASSIFICATION LEVEL", "CLASSIFICATION MARKING",
	"CLASSIFIED", "EINSTUFUNG", "VS EINSTUFUNG", "GEHEIMHALTUNGSGRAD", "NIVEAU DE CLASSIFICATION",
	"CLASSIFICATION DE SECURITE",
}

// authorityPrefixes start lines that exist only in classified documents.
var authorityPrefixes = []string{"DECLASSIFY ON"}

// acsLevels are ISA ACS 3.0 control_set.classification values; U is fine,
// anything else unknown is treated as classified (fail closed).
var acsLevels = map[string]bool{"U": false, "C": true, "S": true, "TS": true}
