// Package report computes the partnership's archival analytics (issue 8):
// volumes over time by object type, TLP, sender, sender type, sector and
// jurisdiction; top ATT&CK techniques and malware families; indicator
// types; the time-to-share distribution; refusals by reason code; a
// per-member yearly summary and a partnership-wide one.
//
// It reads the Kafka archive (hub/archive) or, without Kafka, the hub's own
// GENEVA_SHARE and GENEVA_AUDIT streams, and gives the same report from
// either. Aggregation streams: memory is bounded by the number of distinct
// small keys (periods × dimension values, each dimension capped at
// MaxKeys), fixed-size histograms and bounded top-N summaries, never by the
// number of records.
package report
