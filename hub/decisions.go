package hub

import "github.com/genevahub/geneva/hub/quota"

// Reason codes of a submission refused for its member's quota (package
// quota), under the names the hub has always exported.
const (
	CodeQuotaRate  = quota.CodeRate
	CodeQuotaBytes = quota.CodeBytes
)
