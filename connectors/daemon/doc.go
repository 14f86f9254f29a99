// Package daemon is geneva-connector's runtime: it runs the connector
// kinds a config names (package connectors is their API) and moves STIX
// between them and the Geneva hub. Sources feed submissions through a
// local pre-flight check (the hub's MoU, fetched and cached) and a durable
// spool to the hub; sinks take what the hub delivers, within the TLP reach
// each one declares; receipts go back to the sources. It speaks to the hub
// only through the member protocol (hub/wire), never the server.
package daemon
