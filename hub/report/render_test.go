package report_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/genevahub/geneva/hub/report"
	"github.com/genevahub/geneva/policy"
	"github.com/genevahub/geneva/schemas/stixtest"
)

// knownReport folds the known data set straight into an aggregator (no
// broker), the way the sources do.
func knownReport(t testing.TB, n, m int, period report.Period) *report.Report {
	t.Helper()
	objs, auds := knownDataSet(n, m)
	agg := report.NewAggregator(report.Options{MoU: policy.DemoMoU(), Period: period})
	var op report.ObjectParser
	for _, o := range objs {
		obj := report.Object{Received: o.received, TLP: o.tlp, Sender: o.sender, Audience: o.audienceHeader()}
		require.NoError(t, op.Parse(o.json, &obj))
		agg.AddObject(&obj)
	}
	for _, a := range auds {
		rec := a.rec
		agg.AddAudit(&rec, len(a.json))
	}
	return agg.Report("test", true)
}

func TestAggregatorFigures(t *testing.T) {
	objs, auds := knownDataSet(2000, 300)
	for _, p := range []report.Period{report.Day, report.Week, report.Month} {
		requireFigures(t, compute(objs, auds, time.Time{}, time.Time{}, p), knownReport(t, 2000, 300, p))
	}
}

func TestParquetReadByPyArrow(t *testing.T) {
	python := stixtest.Peer(t, "GENEVA_PYTHON")
	r := knownReport(t, 1500, 200, report.Week)
	path := filepath.Join(t.TempDir(), "report.parquet")
	var buf bytes.Buffer
	require.NoError(t, report.Write(&buf, r, "parquet"))
	require.NoError(t, os.WriteFile(path, buf.Bytes(), 0o644))

	script := `import json, sys, pyarrow.parquet as pq
t = pq.read_table(sys.argv[1])
print(json.dumps({"columns": t.column_names, "types": [str(f.type) for f in t.schema], "rows": t.to_pylist()}))`
	out, err := exec.Command(python, "-c", script, path).Output()
	require.NoError(t, err, "pyarrow: %s", exitStderr(err))
	var got struct {
		Columns []string
		Types   []string
		Rows    []report.Row
	}
	require.NoError(t, json.Unmarshal(out, &got))
	require.Equal(t, []string{"section", "period", "dimension", "key", "metric", "value"}, got.Columns)
	require.Equal(t, []string{"string", "string", "string", "string", "string", "double"}, got.Types)
	want := r.Rows()
	require.Len(t, got.Rows, len(want))
	require.Equal(t, want, got.Rows)

	// Spot figures through pyarrow's own reading, not ours.
	var objects, tlpSum float64
	for _, row := range got.Rows {
		switch {
		case row.Section == "partnership" && row.Dimension == "" && row.Metric == "objects":
			objects = row.Value
		case row.Section == "volume" && row.Dimension == "tlp":
			tlpSum += row.Value
		}
	}
	require.Equal(t, float64(1500), objects)
	require.Equal(t, objects, tlpSum)
}

func TestCSVRowsMatch(t *testing.T) {
	r := knownReport(t, 800, 100, report.Month)
	var buf bytes.Buffer
	require.NoError(t, report.Write(&buf, r, "csv"))
	recs, err := csv.NewReader(&buf).ReadAll()
	require.NoError(t, err)
	want := r.Rows()
	require.Len(t, recs, len(want)+1)
	require.Equal(t, []string{"section", "period", "dimension", "key", "metric", "value"}, recs[0])
	for i, row := range want {
		v, err := strconv.ParseFloat(recs[i+1][5], 64)
		require.NoError(t, err)
		require.Equal(t, row, report.Row{Section: recs[i+1][0], Period: recs[i+1][1], Dimension: recs[i+1][2],
			Key: recs[i+1][3], Metric: recs[i+1][4], Value: v})
	}
}

func TestHTMLInChromium(t *testing.T) {
	chromium := stixtest.Peer(t, "GENEVA_CHROMIUM")
	r := knownReport(t, 3000, 400, report.Week)
	dir := t.TempDir()
	page := filepath.Join(dir, "report.html")
	var buf bytes.Buffer
	require.NoError(t, report.Write(&buf, r, "html"))
	require.NotContains(t, buf.String(), "<script", "the page is static")
	require.NotRegexp(t, `(src|href)="https?:`, buf.String(), "the page is self-contained")
	require.NoError(t, os.WriteFile(page, buf.Bytes(), 0o644))

	run := func(args ...string) (string, string) {
		ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
		defer cancel()
		base := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
			"--disable-background-networking", "--disable-component-update", "--disable-sync",
			"--user-data-dir=" + filepath.Join(dir, "profile"), "--enable-logging=stderr", "--v=0"}
		cmd := exec.CommandContext(ctx, chromium, append(append(base, args...), "file://"+page)...)
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		require.NoError(t, cmd.Run(), "chromium: %s", stderr.String())
		return stdout.String(), stderr.String()
	}
	dom, logs := run("--dump-dom")
	require.NotRegexp(t, `(?i)CONSOLE\(|Uncaught|ERR_FILE_NOT_FOUND`, logs, "page errors")
	charts := regexp.MustCompile(`<svg class="chart"`).FindAllStringIndex(dom, -1)
	require.Len(t, charts, 8, "the rendered page holds the eight charts")
	require.NotContains(t, dom, `class="chart empty"`, "every chart has data")
	bars := strings.Count(dom, `<rect class="bar"`)
	// Bars: one per (week, TLP) present, plus one per item of the other charts.
	want := len(r.TimeToShare.Histogram) + len(r.Techniques.Items) + len(r.Malware.Items) + len(r.IndicatorTypes) + len(r.Refusals)
	types, senderTypes := map[string]bool{}, map[string]bool{}
	for _, v := range r.Volumes {
		switch v.Dimension {
		case "tlp":
			want++
		case "type":
			types[v.Key] = true
		case "sender_type":
			senderTypes[v.Key] = true
		}
	}
	want += len(types) + len(senderTypes)
	require.Equal(t, want, bars, "bars drawn")
	for _, s := range []string{"T1566", "Emotet", "ipv4-addr", "classified.banner", "le-alpha"} {
		require.True(t, strings.Contains(dom, s), "the page names %s", s)
	}

	shot := filepath.Join(dir, "report.png")
	_, logs = run("--screenshot="+shot, "--window-size=1200,2600", "--hide-scrollbars")
	require.NotRegexp(t, `(?i)CONSOLE\(|Uncaught`, logs, "page errors")
	info, err := os.Stat(shot)
	require.NoError(t, err, "no screenshot: %s", logs)
	require.Greater(t, info.Size(), int64(20000), "the screenshot is not blank")
	if keep := os.Getenv("GENEVA_REPORT_SCREENSHOT"); keep != "" {
		data, _ := os.ReadFile(shot)
		require.NoError(t, os.WriteFile(keep, data, 0o644))
	}
}

func exitStderr(err error) string {
	if ee, ok := err.(*exec.ExitError); ok {
		return string(ee.Stderr)
	}
	return ""
}
