"""Drives the hub's TAXII server with the OASIS clients (taxii2-client and
stix2's TAXII data store); run by TestOASISClients. Prints one JSON line of
findings; any exception fails the test."""
import json
import os
import sys
import time
import uuid

import stix2
from stix2.datastore.taxii import TAXIICollectionSink, TAXIICollectionSource
from taxii2client.common import TokenAuth
from taxii2client.v21 import Server, Collection, as_pages

base = os.environ["TAXII_BASE"]
sender, sender_token = os.environ["TAXII_SENDER"], os.environ["TAXII_SENDER_TOKEN"]
reader, reader_token = os.environ["TAXII_READER"], os.environ["TAXII_READER_TOKEN"]
# Over https, every client verifies the hub's certificate with the test CA.
tls = {"verify": os.environ.get("TAXII_CA") or True}
GREEN = "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"
out = {}

# Discovery with HTTP Basic (member id, token), as most TIPs configure it.
server = Server(base + "/taxii2/", user=sender, password=sender_token, **tls)
out["title"] = server.title
out["api_roots"] = [r.url for r in server.api_roots]
root = server.default
out["versions"] = root.versions
out["collections"] = {c.id: [c.can_read, c.can_write] for c in root.collections}

def indicator(n):
    return stix2.Indicator(id="indicator--" + str(uuid.uuid4()), name="oasis client %d" % n,
                           pattern="[ipv4-addr:value = '203.0.113.%d']" % n, pattern_type="stix",
                           object_marking_refs=[GREEN])

# Post with taxii2-client and its Token auth; wait for the status.
submit = Collection(base + "/taxii2/%s/collections/submit/" % sender, auth=TokenAuth(sender_token), **tls)
posted = [indicator(n) for n in range(1, 8)]
status = submit.add_objects(json.loads(stix2.Bundle(posted[:5]).serialize()), wait_for_completion=True, poll_interval=0.2, timeout=20)
out["status"] = {"status": status.status, "total": status.total_count, "success": status.success_count,
                 "failure": status.failure_count, "successes": sorted(s["id"] for s in status.successes)}
out["status_refreshed"] = root.get_status(status.id).status

# stix2's sink: a bundle as the envelope, like OpenCTI's stix2-based tools.
sink = TAXIICollectionSink(Collection(base + "/taxii2/%s/collections/submit/" % sender, user=sender, password=sender_token, **tls))
sink.add(posted[5:])
out["posted"] = sorted(o.id for o in posted)

# The reader pages through its inbox with as_pages until it has them all.
inbox = Collection(base + "/taxii2/%s/collections/inbox/" % reader, user=reader, password=reader_token, **tls)
want = set(out["posted"])
deadline = time.time() + 20
seen, pages = [], 0
while time.time() < deadline:
    seen, pages = [], 0
    for env in as_pages(inbox.get_objects, per_request=2):
        pages += 1
        seen += [o["id"] for o in env.get("objects", [])]
    if want <= set(seen):
        break
    time.sleep(0.1)  # polling until the hub decided and indexed the posts
out["inbox_ids"] = seen
out["inbox_pages"] = pages
manifest = []
for env in as_pages(inbox.get_manifest, per_request=3):
    manifest += env.get("objects", [])
out["manifest_ids"] = [m["id"] for m in manifest]
out["manifest_media_types"] = sorted(set(m["media_type"] for m in manifest))
one = inbox.get_object(posted[0].id)
out["get_object"] = [o["id"] for o in one["objects"]]
out["versions"] = inbox.object_versions(posted[0].id)["versions"]

# stix2's source reads the inbox.
source = TAXIICollectionSource(inbox)
out["source_get"] = source.get(posted[6].id).id
out["source_query"] = sorted(o.id for o in source.query([stix2.Filter("type", "=", "indicator")]) if o.id in want)

# The sender's own submit collection is write-only.
try:
    submit.get_objects()
    out["read_submit"] = "allowed"
except Exception as e:
    out["read_submit"] = type(e).__name__ + ": " + str(e)[:80]

# A client certificate alone (mTLS) names the member.
if os.environ.get("TAXII_CLIENT_CERT"):
    by_cert = Server(base + "/taxii2/", cert=(os.environ["TAXII_CLIENT_CERT"], os.environ["TAXII_CLIENT_KEY"]), **tls)
    out["cert_api_roots"] = [r.url for r in by_cert.api_roots]
print(json.dumps(out))
