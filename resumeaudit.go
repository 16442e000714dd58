package strata

import (
	"fmt"
	"time"

	"github.com/strata-db/strata/internal/history"
)

// resumedRow is what the history said of a file up --resume continues.
type resumedRow struct {
	state    State  // partial, failed or interrupted
	checksum string // the checksum recorded when the file stopped
}

// resumeAudit is the audit entry of a resumed file: up --resume is a
// person deciding that what ran stays and the rest runs from the file as it
// is now. When the file changed since it stopped (typically the statement
// that failed was fixed), the entry records both checksums, so the history
// of an applied file that differs from what first ran is never silent.
func (r *run) resumeAudit(step Step) history.AuditEntry {
	detail := fmt.Sprintf("resumed %s at statement %d of %d; statements 1-%d had completed and are unchanged",
		step.File, step.ResumeFrom+1, step.Statements, step.ResumeFrom)
	if step.ResumeFrom == 0 {
		detail = fmt.Sprintf("resumed %s from its first statement (of %d); none had completed", step.File, step.Statements)
	}
	if step.resumed.checksum != step.Migration.Checksum {
		detail += fmt.Sprintf("; the file changed since it stopped (checksum %s, now %s): the statements from %d on run as they are now",
			short(step.resumed.checksum), short(step.Migration.Checksum), step.ResumeFrom+1)
	}
	who := r.appliedBy
	if r.m.osUser != "" {
		who = r.m.osUser + " as " + r.appliedBy
	}
	return history.AuditEntry{
		MigrationID: step.Migration.ID(), Action: history.ActionResume,
		OldState: string(step.resumed.state), NewState: string(StateRunning),
		OldChecksum: step.resumed.checksum, NewChecksum: step.Migration.Checksum,
		Reason: "strata up --resume", By: who, At: time.Now(), Detail: detail, StrataVersion: r.m.cfg.version,
	}
}
