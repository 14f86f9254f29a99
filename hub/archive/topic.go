package archive

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/segmentio/kafka-go"
)

// Size allowances: a record is an object of a NATS message plus at most
// recordAllowance bytes of headers and framing; a record batch adds at most
// batchAllowance bytes to its records.
const (
	recordAllowance = 4096
	batchAllowance  = 4096
)

// errTopicMismatch means an existing topic cannot take what the bridge
// writes; retrying will not help.
var errTopicMismatch = errors.New("archive: topic settings do not fit the bridge")

// ensureTopic creates the topic with the bridge's settings when it is
// missing, checks max.message.bytes when it exists, and returns its number
// of partitions.
func ensureTopic(ctx context.Context, client *kafka.Client, t TopicConfig, batchBytes int) (int, error) {
	meta, err := client.Metadata(ctx, &kafka.MetadataRequest{Topics: []string{t.Name}})
	if err != nil {
		return 0, fmt.Errorf("metadata of %s: %w", t.Name, err)
	}
	if len(meta.Topics) == 1 && meta.Topics[0].Error == nil && len(meta.Topics[0].Partitions) > 0 {
		return len(meta.Topics[0].Partitions), checkTopic(ctx, client, t.Name, batchBytes)
	}
	if len(meta.Topics) == 1 && meta.Topics[0].Error != nil && !errors.Is(meta.Topics[0].Error, kafka.UnknownTopicOrPartition) {
		return 0, fmt.Errorf("metadata of %s: %w", t.Name, meta.Topics[0].Error)
	}
	entries := []kafka.ConfigEntry{
		{ConfigName: "retention.ms", ConfigValue: strconv.FormatInt(t.RetentionMs, 10)},
		{ConfigName: "max.message.bytes", ConfigValue: strconv.Itoa(batchBytes + batchAllowance)},
	}
	for k, v := range t.Extra {
		entries = append(entries, kafka.ConfigEntry{ConfigName: k, ConfigValue: v})
	}
	res, err := client.CreateTopics(ctx, &kafka.CreateTopicsRequest{Topics: []kafka.TopicConfig{{
		Topic: t.Name, NumPartitions: t.Partitions, ReplicationFactor: t.ReplicationFactor, ConfigEntries: entries,
	}}})
	if err != nil {
		return 0, fmt.Errorf("create topic %s: %w", t.Name, err)
	}
	if err := res.Errors[t.Name]; err != nil && !errors.Is(err, kafka.TopicAlreadyExists) {
		return 0, fmt.Errorf("create topic %s: %w", t.Name, err)
	}
	return t.Partitions, nil
}

// checkTopic refuses a topic whose max.message.bytes cannot take a full
// write batch: the writer would fail on every large part, forever.
func checkTopic(ctx context.Context, client *kafka.Client, topic string, batchBytes int) error {
	res, err := client.DescribeConfigs(ctx, &kafka.DescribeConfigsRequest{Resources: []kafka.DescribeConfigRequestResource{{
		ResourceType: kafka.ResourceTypeTopic, ResourceName: topic, ConfigNames: []string{"max.message.bytes"},
	}}})
	if err != nil {
		return fmt.Errorf("describe topic %s: %w", topic, err)
	}
	for _, r := range res.Resources {
		if r.Error != nil {
			return fmt.Errorf("describe topic %s: %w", topic, r.Error)
		}
		for _, e := range r.ConfigEntries {
			if e.ConfigName != "max.message.bytes" {
				continue
			}
			have, err := strconv.Atoi(e.ConfigValue)
			if err == nil && have < batchBytes+batchAllowance {
				return fmt.Errorf("%w: topic %s has max.message.bytes=%d, the bridge needs at least %d (batch bytes %d + %d); raise it with kafka-configs --alter --add-config max.message.bytes=%d",
					errTopicMismatch, topic, have, batchBytes+batchAllowance, batchBytes, batchAllowance, batchBytes+batchAllowance)
			}
		}
	}
	return nil
}
