package webhooks

import (
	"testing"

	"github.com/tribune-social/tribune/internal/i18n"
)

// The delivery log and the disabled state store these English texts and
// the pages translate them when shown: each needs its French.
func TestStoredTextsAreTranslated(t *testing.T) {
	for _, s := range []string{errTextRefused, errTextTimeout, errTextReach, errTextStatus, errTextRejected, errTextSecret, disabledReason,
		disabledTitleFmt, disabledBody} {
		if !i18n.Has("fr", s) {
			t.Errorf("no French for %q", s)
		}
	}
}
