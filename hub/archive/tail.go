package archive

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/segmentio/kafka-go"
)

// tail is what a topic already holds, read from the last record of every
// partition. The bridge writes each partition in increasing (nats-seq,
// object index) order and never continues past a failed write, and each
// write call sends at most one batch per partition (atomic on the broker).
// So a record at pos r belongs in partition p is already written exactly
// when r <= last[p]; and everything before the batch-start of the highest
// record is written everywhere. Resuming the stream at that batch-start and
// skipping what the tail says is there gives each record exactly once.
type tail struct {
	partitions int
	last       map[int]pos // partition → its last record; absent: empty partition
	ids        []int       // 0 to partitions-1, for the balancer
	high       pos         // the highest last record over all partitions
	resumeSeq  uint64      // batch-start of high; 0: the topic is empty
}

// written reports whether r is already in the topic. Past the highest
// last record (nearly every record of a session) nothing is, and the key
// need not be hashed.
func (t tail) written(r record) bool {
	if len(t.last) == 0 || t.high.less(r.pos) {
		return false
	}
	last, ok := t.last[balancer.Balance(kafka.Message{Key: r.msg.Key}, t.ids...)]
	return ok && !last.less(r.pos)
}

var balancer = &kafka.Murmur2Balancer{} // Java's default: joins with keys other tools write

// errForeignRecord means a record without the bridge's headers sits at a
// partition's end: someone else writes the topic, and resuming is unsafe.
var errForeignRecord = errors.New("archive: record without nats-seq header")

func readTail(ctx context.Context, client *kafka.Client, topic string, partitions int, maxBytes int) (tail, error) {
	t := tail{partitions: partitions, last: map[int]pos{}, ids: make([]int, partitions)}
	for p := range t.ids {
		t.ids[p] = p
	}
	reqs := make([]kafka.OffsetRequest, partitions)
	for p := range reqs {
		reqs[p] = kafka.LastOffsetOf(p)
	}
	offs, err := client.ListOffsets(ctx, &kafka.ListOffsetsRequest{Topics: map[string][]kafka.OffsetRequest{topic: reqs}})
	if err != nil {
		return t, fmt.Errorf("list offsets of %s: %w", topic, err)
	}
	for _, po := range offs.Topics[topic] {
		if po.Error != nil {
			return t, fmt.Errorf("list offsets of %s/%d: %w", topic, po.Partition, po.Error)
		}
		if po.LastOffset <= 0 {
			continue
		}
		last, batchStart, err := lastRecord(ctx, client, topic, po.Partition, po.LastOffset-1, maxBytes)
		if err != nil {
			return t, err
		}
		t.last[po.Partition] = last
		if t.resumeSeq == 0 || t.high.less(last) {
			t.high, t.resumeSeq = last, batchStart
		}
	}
	return t, nil
}

// lastRecord fetches the record at offset (a partition's last) and reads
// its position headers.
func lastRecord(ctx context.Context, client *kafka.Client, topic string, partition int, offset int64, maxBytes int) (pos, uint64, error) {
	res, err := client.Fetch(ctx, &kafka.FetchRequest{
		Topic: topic, Partition: partition, Offset: offset,
		MinBytes: 1, MaxBytes: int64(maxBytes) * 2, MaxWait: time.Second,
	})
	if err != nil {
		return pos{}, 0, fmt.Errorf("fetch %s/%d@%d: %w", topic, partition, offset, err)
	}
	if res.Error != nil {
		return pos{}, 0, fmt.Errorf("fetch %s/%d@%d: %w", topic, partition, offset, res.Error)
	}
	for {
		r, err := res.Records.ReadRecord()
		if errors.Is(err, io.EOF) {
			return pos{}, 0, fmt.Errorf("fetch %s/%d@%d: the partition's last record was not returned", topic, partition, offset)
		}
		if err != nil {
			return pos{}, 0, fmt.Errorf("read %s/%d@%d: %w", topic, partition, offset, err)
		}
		if r.Offset != offset {
			continue // fetches return whole batches; skip to the wanted record
		}
		return headerPos(r.Headers, fmt.Sprintf("%s/%d@%d", topic, partition, offset))
	}
}

func headerPos(headers []kafka.Header, where string) (pos, uint64, error) {
	var p pos
	var batchStart uint64
	var haveSeq bool
	for _, h := range headers {
		var err error
		switch h.Key {
		case HeaderSeq:
			p.seq, err = strconv.ParseUint(string(h.Value), 10, 64)
			haveSeq = err == nil
		case HeaderIndex:
			p.index, err = strconv.Atoi(string(h.Value))
		case HeaderBatchStart:
			batchStart, err = strconv.ParseUint(string(h.Value), 10, 64)
		}
		if err != nil {
			return p, 0, fmt.Errorf("%s: header %s=%q is not a number", where, h.Key, h.Value)
		}
	}
	if !haveSeq {
		return p, 0, fmt.Errorf("%s: %w (only the bridge may write this topic)", where, errForeignRecord)
	}
	if batchStart == 0 || batchStart > p.seq {
		batchStart = p.seq
	}
	return p, batchStart, nil
}
