package report

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"

	"github.com/parquet-go/parquet-go"
)

// Formats are the output formats Write knows.
var Formats = []string{"text", "json", "csv", "parquet", "html"}

// Write renders r to w in format.
func Write(w io.Writer, r *Report, format string) error {
	switch format {
	case "text":
		return WriteText(w, r)
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(r)
	case "csv":
		return WriteCSV(w, r)
	case "parquet":
		return WriteParquet(w, r)
	case "html":
		return WriteHTML(w, r)
	}
	return fmt.Errorf("format %q: want one of text, json, csv, parquet, html", format)
}

// WriteCSV writes r.Rows with a header line.
func WriteCSV(w io.Writer, r *Report) error {
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"section", "period", "dimension", "key", "metric", "value"})
	for _, row := range r.Rows() {
		_ = cw.Write([]string{row.Section, row.Period, row.Dimension, row.Key, row.Metric,
			strconv.FormatFloat(row.Value, 'f', -1, 64)})
	}
	cw.Flush()
	return cw.Error()
}

// WriteParquet writes r.Rows as one Parquet file.
func WriteParquet(w io.Writer, r *Report) error {
	pw := parquet.NewGenericWriter[Row](w)
	if _, err := pw.Write(r.Rows()); err != nil {
		return fmt.Errorf("parquet: %w", err)
	}
	if err := pw.Close(); err != nil {
		return fmt.Errorf("parquet: %w", err)
	}
	return nil
}
