package schemas_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/genevahub/geneva/schemas"
)

// TestObjectPointer covers the precomputed pointers and those past them.
func TestObjectPointer(t *testing.T) {
	d := &schemas.Document{Bundle: true}
	for _, i := range []int{0, 1, 9, 10, 63, 64, 65, 1000, 123456} {
		require.Equal(t, fmt.Sprintf("/objects/%d", i), d.ObjectPointer(i))
	}
	require.Empty(t, (&schemas.Document{}).ObjectPointer(3), "a single object has no /objects")
}
