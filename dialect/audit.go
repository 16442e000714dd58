package dialect

// AuditTable returns the table that keeps the audit trail of the history
// table t: the same schema, named t.Name + "_audit". It records every
// change a human asked for (resolve, baseline, down) with who, when and why.
func AuditTable(t Table) Table {
	return Table{Schema: t.Schema, Name: t.Name + "_audit"}
}

// SnapshotTable returns the table that keeps the schema snapshots of the
// history table t: the same schema, named t.Name + "_schema". It records
// the schema strata read after each run that changed it (and each
// accepted drift), with the last applied version, for drift detection.
func SnapshotTable(t Table) Table {
	return Table{Schema: t.Schema, Name: t.Name + "_schema"}
}
