package strata

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
)

// ErrReasonPlaceholder is returned (wrapped in a [ReasonError]) by
// [Migrator.Resolve], [Migrator.Down] and [Migrator.Baseline]
// when the reason is a placeholder copied from a hint ("...",
// "<what you checked>") rather than a reason: the audit trail would keep
// it for good. Nothing is changed then.
var ErrReasonPlaceholder = errors.New("the reason is a placeholder, not a reason: say in your own words what you checked or did, for example 'finished the index by hand after a timeout'")

// placeholderReasons are reasons refused as they are (compared in lower
// case), besides text without a letter or digit and text in angle brackets.
var placeholderReasons = map[string]bool{
	"reason": true, "why": true, "todo": true, "tbd": true, "fixme": true, "xxx": true,
	"text": true, "placeholder": true, "what you checked": true, "describe what you checked": true,
}

// checkReason checks a reason for the audit trail: empty is refused with
// ErrReasonRequired when required, and a placeholder with
// ErrReasonPlaceholder always.
func checkReason(reason string, required bool) error {
	r := strings.TrimSpace(reason)
	if r == "" {
		if required {
			return ErrReasonRequired
		}
		return nil
	}
	bare := strings.TrimSpace(strings.Trim(r, `'"`))
	if strings.HasPrefix(bare, "<") && strings.HasSuffix(bare, ">") ||
		placeholderReasons[strings.ToLower(bare)] ||
		!strings.ContainsFunc(bare, func(c rune) bool { return unicode.IsLetter(c) || unicode.IsDigit(c) }) {
		return &ReasonError{Reason: r, Err: ErrReasonPlaceholder}
	}
	return nil
}

// ReasonError is a reason refused as a placeholder; it wraps
// [ErrReasonPlaceholder].
type ReasonError struct {
	Reason string // the reason given, trimmed
	Err    error
}

// Error quotes the reason and says why it was refused.
func (e *ReasonError) Error() string { return fmt.Sprintf("reason %q: %v", e.Reason, e.Err) }

// Unwrap returns [ErrReasonPlaceholder].
func (e *ReasonError) Unwrap() error { return e.Err }
