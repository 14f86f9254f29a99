package classify_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/genevahub/geneva/policy/classify"
)

func guard(t testing.TB, cfg classify.Config) *classify.Guard {
	t.Helper()
	g, err := classify.New(cfg)
	require.NoError(t, err)
	return g
}

// Each positive names the scheme and kind the finding must carry.
var textPositives = []struct{ text, scheme, kind string }{
	// United States: banners, with caveats, and portion marks.
	{"SECRET", "us", "banner"},
	{"TOP SECRET", "us", "banner"},
	{"CONFIDENTIAL", "us", "banner"},
	{"SECRET//REL TO USA, GBR - staging host", "us", "banner"},
	{"TOP SECRET//SI//NOFORN", "us", "banner"},
	{"TOP SECRET//SI-G//ORCON/NOFORN", "us", "banner"},
	{"top secret // hcs // orcon", "us", "banner"},
	{"SECRET NOFORN", "us", "banner"},
	{"Secret//NF", "us", "banner"},
	{"TS//SI", "us", "banner"},
	{"S//NF", "us", "banner"},
	{"Report header\nSECRET//NOFORN\nThe actor used...", "us", "banner"},
	{"*** TOP SECRET ***", "us", "banner"},
	{"[CONFIDENTIAL]", "us", "banner"},
	{"  SECRET.  ", "us", "banner"},
	{"Classification: SECRET", "us", "banner"},
	{"Classification: S", "us", "banner"},
	{"CLASSIFICATION = TS//SI", "us", "banner"},
	{"Classified By: J. Smith\nDeclassify On: 20451231", "us", "banner"},
	{"(TS//SI) Intercept shows the operator logging in.", "us", "portion-mark"},
	{"(S) The actor used the domain.", "us", "portion-mark"},
	{"(C) Our source reports a new loader.", "us", "portion-mark"},
	{"(S//NF) The actor used the domain.", "us", "portion-mark"},
	{"(S//REL TO USA, FVEY) text", "us", "portion-mark"},
	{"(U) Summary. (S) Detail follows.", "us", "portion-mark"},
	{"(U) Summary.\n(TS) Detail follows.", "us", "portion-mark"},
	{"1. (S) numbered paragraph", "us", "portion-mark"},
	{"- (C//NF) bullet", "us", "portion-mark"},
	{"(SECRET) the whole word", "us", "portion-mark"},
	{"( TS ) spaced", "us", "portion-mark"},
	{"(S)", "us", "portion-mark"},
	{"TOPSECRET", "us", "banner"},
	// NATO.
	{"COSMIC TOP SECRET", "nato", "banner"},
	{"NATO SECRET", "nato", "banner"},
	{"NATO CONFIDENTIAL", "nato", "banner"},
	{"NATO RESTRICTED", "nato", "banner"},
	{"NATO SECRET ATOMAL", "nato", "banner"},
	{"(NS) Summary of the exercise.", "nato", "portion-mark"},
	{"(CTS) text", "nato", "portion-mark"},
	{"(NR) text", "nato", "portion-mark"},
	{"(NC) text", "nato", "portion-mark"},
	// European Union.
	{"TRES SECRET UE/EU TOP SECRET", "eu", "banner"},
	{"TRÈS SECRET UE/EU TOP SECRET", "eu", "banner"},
	{"SECRET UE/EU SECRET", "eu", "banner"},
	{"CONFIDENTIEL UE/EU CONFIDENTIAL", "eu", "banner"},
	{"RESTREINT UE/EU RESTRICTED", "eu", "banner"},
	{"RESTREINT UE", "eu", "banner"},
	{"EU RESTRICTED", "eu", "banner"},
	{"EU Top Secret", "eu", "banner"},
	// United Kingdom.
	{"UK SECRET", "uk", "banner"},
	{"SECRET UK EYES ONLY", "us", "banner"},
	{"TOP SECRET STRAP1", "us", "banner"},
	{"RESTRICTED", "uk", "banner"},
	{"UK RESTRICTED", "uk", "banner"},
	// France.
	{"TRÈS SECRET", "fr", "banner"},
	{"Très Secret Défense", "fr", "banner"},
	{"SECRET DÉFENSE", "fr", "banner"},
	{"CONFIDENTIEL DÉFENSE", "fr", "banner"},
	{"DIFFUSION RESTREINTE", "fr", "banner"},
	{"TRES SECRET SPECIAL FRANCE", "fr", "banner"},
	// Germany.
	{"STRENG GEHEIM", "de", "banner"},
	{"GEHEIM", "de", "banner"},
	{"VS-VERTRAULICH", "de", "banner"},
	{"VS-NUR FÜR DEN DIENSTGEBRAUCH", "de", "banner"},
	{"VS-Nur für den Dienstgebrauch", "de", "banner"},
	{"VS-NUR FUER DEN DIENSTGEBRAUCH", "de", "banner"},
	{"VS-NfD", "de", "banner"},
	{"VS – NfD", "de", "banner"},
	{"Einstufung: VS-NfD", "de", "banner"},
	// Evasion: Unicode forms, invisible characters, look-alikes, case.
	{"ＳＥＣＲＥＴ", "us", "banner"},                               // fullwidth
	{"SE\u200bCRET", "us", "banner"},                         // zero-width space
	{"S\u200cE\u200dC\u2060R\ufeffE\u00adT", "us", "banner"}, // joiners, word joiner, BOM, soft hyphen
	{"TOP\u00a0SECRET", "us", "banner"},                      // no-break space
	{"TOP\u202fSECRET\u2002//\u3000NOFORN", "us", "banner"},
	{"ЅЕСRЕТ", "us", "banner"}, // Cyrillic look-alikes
	{"NATO ＲＥＳＴＲＩＣＴＥＤ", "nato", "banner"},
	{"Ｔｏｐ ｓｅｃｒｅｔ", "us", "banner"},
	{"TOP SECRET\u2215\u2215SI", "us", "banner"}, // division slashes
	{"ﬁle\nSECRET", "us", "banner"},              // ligature elsewhere
	{"secret", "us", "banner"},
	{"sEcReT//nOfOrN", "us", "banner"},
	{"(ts//si) lower-case portion mark", "us", "portion-mark"},
	{"\u202eSECRET", "us", "banner"}, // bidi override
	// HTML content: tags are line breaks, character references decoded.
	{"<p>(S) The actor used the domain.</p>", "us", "portion-mark"},
	{"<div><b>TOP SECRET//NOFORN</b></div><p>text</p>", "us", "banner"},
	{"<p>TOP&nbsp;SECRET</p>", "us", "banner"},
	{"SE&#8203;CRET", "us", "banner"},
	{"&#83;&#x45;CRET", "us", "banner"},
	{"NATO&shy;SECRET", "nato", "banner"},
	{"Intro<br/>(TS//SI) detail", "us", "portion-mark"},
	// A level named in a sentence after "classified".
	{"This report is classified SECRET.", "us", "banner"},
	{"The annex is classified as Top Secret//SI and stays with us.", "us", "banner"},
	{"Le document est classé secret défense.", "fr", "banner"},
	{"Attachment classified NATO CONFIDENTIAL", "nato", "banner"},
	// Caveats make a mark anywhere in a line.
	{"See the attached SECRET//NOFORN annex.", "us", "banner"},
	{"The intercept (TS//SI) shows the login.", "us", "portion-mark"},
	{"per the cable, S//NF, the operator", "us", "banner"},
	{"Quoted: 'TRES SECRET DEFENSE//SPECIAL FRANCE' header", "fr", "banner"},
	{"SECRET\r\nbody", "us", "banner"},
	{"line one\u2028TOP SECRET", "us", "banner"},
}

var textNegatives = []string{
	"",
	"confidential business information",
	"Confidential business information about the fraud ring.",
	"A confidential source reported the domain to the bank's fraud team.",
	"the Secret Service",
	"The Secret Service took down the site.",
	"Secret Blizzard",
	"Secret Blizzard used Kazuar against embassies.",
	"'Top Secret salary list' lure",
	"Top secret salary list",
	"file(s)",
	"The dropper writes file(s) to %TEMP%.",
	"(C) 2024 ACME",
	"(c) 2024 ACME Corp. All rights reserved.",
	"(C) ACME Corp 2019",
	"Copyright (C) 2024 ACME",
	"(a) phishing; (b) credential theft; (c) fraud.",
	"Steps:\n(a) open\n(b) click\n(c) pay",
	"Restricted area",
	"Access to the restricted area is logged.",
	"The actor kept its C2 secret.",
	"Secrets management: the tool reads AWS secret keys.",
	"EU restricted exports of the tool.",
	"The NATO summit was targeted.",
	"Geheimdienst",
	"Das Passwort ist geheim und wird nicht geteilt.",
	"diffusion restreinte aux équipes internes",
	"https://example.com//secret-path",
	"http://secret.example/",
	"TLP:AMBER+STRICT",
	"(U) Unclassified summary.",
	"(U//FOUO) For official use only.",
	"UNCLASSIFIED",
	"OFFICIAL",
	"OFFICIAL-SENSITIVE",
	"(TLP:RED) do not share",
	"The (S) suffix marks plural.",
	"He(s) there",
	"(Citation: Secret Blizzard 2024)",
	"Mimikatz (S0002) dumps credentials.",
	"Use (TS) timestamps in logs (TS is seconds)", // mid-sentence after "Use"
	"Top Secret Twitter Account",
	"secretsdump.py",
	"SECRET.docx",
	"classified ads site used as a dead drop",
	"Classification: UNCLASSIFIED",
	"Classification: TLP:GREEN",
	"Confidentiality, integrity and availability",
	"NFD normalisation",
	"The attacker restricted access to the share.",
	"ts//",
	"S//",
	"C://Windows//System32",
	"a//b",
	"AS//400",
	"<p>The Secret Service</p>",
	"<b>confidential</b> business information",
	"AT&amp;T &lt;secret&gt; santa",
	"The sample was classified as malicious.",
	"Data classified as confidential by the bank leaked.",
	"Files classified as restricted in SharePoint.",
	"Defender classified it as Trojan:Win32/Secret.A",
	"declassified secrets",
	"a classified secretary job ad",
	"see https://example.com/secret//path and http://TS//x",
	"mount //server/share and C://temp",
	"The string 'AS//400' and 'IBMS//36'",
}

func TestTextPositives(t *testing.T) {
	g := guard(t, classify.Config{})
	for _, c := range textPositives {
		f := g.Text(c.text, "/x")
		require.Len(t, f, 1, "%q must be detected", c.text)
		require.Equal(t, "/x", f[0].Pointer)
		require.Equal(t, c.kind, f[0].Kind, c.text)
		require.Equal(t, c.scheme, f[0].Scheme, c.text)
	}
}

func TestTextNegatives(t *testing.T) {
	g := guard(t, classify.Config{})
	for _, s := range textNegatives {
		require.Empty(t, g.Text(s, "/x"), "%q must pass", s)
	}
}
