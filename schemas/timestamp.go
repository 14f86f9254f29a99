package schemas

import "fmt"

// timestamp is a parsed STIX timestamp: seconds since the epoch plus the
// fraction digits as written, so that comparisons are exact at any precision
// (2023-09-27T20:12:54.984Z is before ...54.984123Z).
type timestamp struct {
	secs int64
	frac []byte // digits after '.', possibly empty
}

// compare returns -1, 0 or +1.
func (t timestamp) compare(u timestamp) int {
	switch {
	case t.secs < u.secs:
		return -1
	case t.secs > u.secs:
		return 1
	}
	n := max(len(t.frac), len(u.frac))
	for i := 0; i < n; i++ {
		a, b := byte('0'), byte('0')
		if i < len(t.frac) {
			a = t.frac[i]
		}
		if i < len(u.frac) {
			b = u.frac[i]
		}
		if a != b {
			if a < b {
				return -1
			}
			return 1
		}
	}
	return 0
}

var monthNames = [...]string{"", "January", "February", "March", "April", "May", "June", "July",
	"August", "September", "October", "November", "December"}

func isLeap(y int) bool { return y%4 == 0 && (y%100 != 0 || y%400 == 0) }

func daysIn(y, m int) int {
	switch m {
	case 2:
		if isLeap(y) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// tsProblem says what is wrong with a timestamp; rule "" means it is fine.
type tsProblem struct {
	rule string
	why  string
}

// parseTimestamp parses YYYY-MM-DDTHH:MM:SS[.s+]Z (RFC 3339, UTC) by hand:
// it runs for every created/modified in a bundle, and time.Parse neither
// keeps arbitrary precision nor costs nothing.
func parseTimestamp(s []byte) (timestamp, tsProblem) {
	const layout = "must be YYYY-MM-DDTHH:MM:SS[.s+]Z in UTC"
	if len(s) < 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' {
		return timestamp{}, tsProblem{RuleTimestampFormat, layout}
	}
	y, ok1 := digitsN(s[0:4])
	mo, ok2 := digitsN(s[5:7])
	d, ok3 := digitsN(s[8:10])
	h, ok4 := digitsN(s[11:13])
	mi, ok5 := digitsN(s[14:16])
	se, ok6 := digitsN(s[17:19])
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6) {
		return timestamp{}, tsProblem{RuleTimestampFormat, layout}
	}
	var frac []byte
	rest := s[19:]
	if rest[0] == '.' {
		i := 1
		for i < len(rest) && rest[i] >= '0' && rest[i] <= '9' {
			i++
		}
		if i == 1 {
			return timestamp{}, tsProblem{RuleTimestampFormat, layout}
		}
		frac = rest[1:i]
		rest = rest[i:]
	}
	if len(rest) != 1 || rest[0] != 'Z' {
		return timestamp{}, tsProblem{RuleTimestampFormat, layout + " (ending in Z, no offset)"}
	}
	switch {
	case mo < 1 || mo > 12:
		return timestamp{}, tsProblem{RuleTimestampDate, fmt.Sprintf("is not a real date (there is no month %d)", mo)}
	case d < 1:
		return timestamp{}, tsProblem{RuleTimestampDate, "is not a real date (there is no day 0)"}
	case d > daysIn(y, mo):
		why := fmt.Sprintf("is not a real date (%s has %d days)", monthNames[mo], daysIn(y, mo))
		if mo == 2 {
			why = fmt.Sprintf("is not a real date (February %d has %d days)", y, daysIn(y, mo))
		}
		return timestamp{}, tsProblem{RuleTimestampDate, why}
	case h > 23:
		return timestamp{}, tsProblem{RuleTimestampDate, fmt.Sprintf("is not a real time (hour %d)", h)}
	case mi > 59:
		return timestamp{}, tsProblem{RuleTimestampDate, fmt.Sprintf("is not a real time (minute %d)", mi)}
	case se > 60 || (se == 60 && !(h == 23 && mi == 59)):
		// 60 only as a leap second, which RFC 3339 allows at 23:59:60.
		return timestamp{}, tsProblem{RuleTimestampDate, fmt.Sprintf("is not a real time (second %d)", se)}
	}
	return timestamp{secs: daysFromCivil(y, mo, d)*86400 + int64(h*3600+mi*60+se), frac: frac}, tsProblem{}
}

func digitsN(b []byte) (int, bool) {
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// daysFromCivil is Howard Hinnant's algorithm: days since 1970-01-01.
func daysFromCivil(y, m, d int) int64 {
	if m <= 2 {
		y--
	}
	era := y / 400
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return int64(era)*146097 + int64(doe) - 719468
}
